"""Every text of the ``printer`` package that a person reads, in Indonesian, in one place.

What is printed on a ticket or a test page, and how a printer state is described to staff.
Values are ``str.format`` templates where they take arguments. Translate here, nowhere else.
Log messages (for technicians, in ``journalctl``) stay in English and are not listed here.
"""

from __future__ import annotations

from typing import Final

from ult.kinds import PrinterState

# --- the ticket, top to bottom ---------------------------------------------------------------
UNIT_NAME: Final = "UNIT LAYANAN TERPADU"
LABEL_CAPTION: Final = "Nomor Antrian"
PRIORITY_MARK: Final = "PRIORITAS"
WAITING_AHEAD_LABEL: Final = "Menunggu di depan Anda:"
WAITING_AHEAD_VALUE: Final = "{count} orang"
ESTIMATED_WAIT_LABEL: Final = "Perkiraan waktu tunggu:"
ESTIMATED_WAIT_SOON: Final = "segera"
ESTIMATED_WAIT_MINUTES: Final = "± {minutes} menit"
ESTIMATED_WAIT_HOURS: Final = "± {hours} jam"
ESTIMATED_WAIT_HOURS_MINUTES: Final = "± {hours} jam {minutes} menit"
ESTIMATED_AFTER_CLOSING: Final = "melewati jam tutup layanan (pukul {time}); tanyakan petugas"
"""The estimate when the call would fall after today's closing ([hours])."""
QR_CAPTION: Final = "Pindai: status antrian & survei"

# Babel pattern for the issue date: "Rabu, 25 November 2026" with locale "id".
DATE_PATTERN: Final = "EEEE, d MMMM y"
# Indonesian writes clock times with a dot: "10.15".
TIME_PATTERN: Final = "HH.mm"
TIME_TEMPLATE: Final = "{time} {zone}"
# Two spaces between date and time, as on the sample ticket of the issue.
DATETIME_TEMPLATE: Final = "{date}  {time}"
BABEL_LOCALE: Final = "id"

# Indonesia's three legal time zones (Keppres 41/1987) by IANA name. Babel names only WIB;
# the others come out as "Waktu Indonesia (Makassar)", so the abbreviations are mapped here.
ZONE_ABBREVIATIONS: Final[dict[str, str]] = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}

# --- the test page (`ult print-test`) --------------------------------------------------------
TEST_PAGE_TITLE: Final = "HALAMAN UJI PRINTER"
TEST_PAGE_PROFILE: Final = "Profil: {profile}"
TEST_PAGE_PAPER: Final = "Kertas: {width_mm} mm ({dots} titik, {columns} karakter)"
TEST_PAGE_STATUS: Final = "Status printer: {state}"
TEST_PAGE_QR: Final = "Kode QR: {kind}"
TEST_PAGE_QR_NATIVE: Final = "bawaan printer"
TEST_PAGE_QR_IMAGE: Final = "gambar"
TEST_PAGE_QR_NONE: Final = "tidak didukung"
TEST_PAGE_CHARACTERS: Final = "Uji huruf:"
TEST_PAGE_LARGEST: Final = "Ukuran nomor terbesar: {scale}x"

# --- printer states, as shown to staff -------------------------------------------------------
STATE_TEXT: Final[dict[PrinterState, str]] = {
    PrinterState.READY: "Siap mencetak",
    PrinterState.PAPER_NEAR_END: "Kertas hampir habis",
    PrinterState.PAPER_OUT: "Kertas habis",
    PrinterState.OFFLINE: "Printer tidak siap (offline atau tidak terhubung)",
    PrinterState.UNKNOWN: "Tidak diketahui",
    PrinterState.DISABLED: 'Tidak ada printer (connection = "none")',
}
"""Each :class:`ult.kinds.PrinterState` as told to staff."""


def state_text(state: str | None) -> str:
    """A :class:`~ult.kinds.PrinterState` value in Indonesian, for staff pages, the kiosk's
    console and the test page; ``None`` or a value that is no state reads as unknown."""
    try:
        return STATE_TEXT[PrinterState(state)]
    except ValueError:
        return STATE_TEXT[PrinterState.UNKNOWN]
