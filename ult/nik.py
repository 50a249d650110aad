"""Validation of the Indonesian NIK (Nomor Induk Kependudukan) typed at SOP step 7.

The NIK is the 16-digit population number printed on the KTP-el and the Kartu Keluarga.
Its structure is set by Dukcapil (Ditjen Kependudukan dan Pencatatan Sipil, Kemendagri)
under UU 23/2006 jo. UU 24/2013 on Administrasi Kependudukan and Perpres 96/2018; the
region codes are the Kemendagri *kode wilayah administrasi pemerintahan* (Permendagri
137/2017, updated by Kepmendagri 100.1.1-6117/2022 for the new Papua provinces):

====== ========================================================================
digits meaning
====== ========================================================================
1–2    province (provinsi)
3–4    regency / city (kabupaten / kota), never ``00``
5–6    district (kecamatan), never ``00``
7–12   birth date ``DDMMYY``; women carry ``DD + 40`` (so 41–71)
13–16  serial number (nomor urut) within that district and birth date, never ``0000``
====== ========================================================================

What this module deliberately does **not** do:

* It does not use ``python-stdnum``: its ``id.nik`` is out of date (province table).
* It cannot prove a NIK exists — only Dukcapil's database can.  It only rejects
  numbers that *cannot* be a NIK, so staff notice typing mistakes at the desk.
* An unknown province code is a warning, not a rejection: provinces split and the
  NIK of a citizen never changes, so old and newly created codes both stay valid.
* The region codes are the ones in force when the NIK was issued, not where the
  citizen lives now; do not use :data:`PROVINCES` to derive a current address.

Input handling: spaces, dots and dashes are removed before checking (:func:`clean_nik`),
since people copy a NIK from a photocopy or a form written in groups ("3201.0123.4567.0001",
issue 11); anything else that is not an ASCII digit (a letter, a non-ASCII digit) is
rejected with reason ``"digits"`` rather than guessed at. What is stored is the bare run
of 16 digits printed on the card.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Final

from ult.messages import NIK_TEXT

__all__ = [
    "MESSAGES",
    "PROVINCES",
    "NikCheck",
    "NikError",
    "check_nik",
    "clean_nik",
    "mask_nik",
]

# User-facing text lives in ult/messages.py, with the rest of the package's.
MESSAGES: Final[dict[str, str]] = NIK_TEXT

# Kemendagri province codes (kode wilayah).  The names are informational only.
# Papua note: before Kepmendagri 100.1.1-6117/2022, 91 was Papua Barat and 94 was
# Papua; NIKs issued then keep those digits, which is another reason the code says
# nothing about where the citizen lives today.
PROVINCES: Final[dict[str, str]] = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "DKI Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "DI Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}

NIK_LENGTH: Final = 16
# Women's birth day is stored as DD + 40 (Dukcapil convention), so a day above this
# offset means "female" and the real day is DD - 40.
FEMALE_DAY_OFFSET: Final = 40
# ``str.isdigit`` also accepts Arabic-Indic, full-width and superscript digits; the NIK
# is ASCII only, so compare against this set instead.
_ASCII_DIGITS: Final = frozenset("0123456789")
# Group separators people write inside a NIK; removed, never read as a mistake.
_SEPARATORS: Final = str.maketrans("", "", " .-")


@dataclass(frozen=True)
class NikCheck:
    """The result of a successful :func:`check_nik`.

    ``birth_date_day`` is the real day of month (already minus 40 for women);
    ``birth_year_2digit`` is ``YY`` as printed, because the century cannot be known
    from the NIK alone.  ``warnings`` holds Indonesian texts for the staff page.
    """

    nik: str
    province_code: str
    birth_date_day: int
    birth_month: int
    birth_year_2digit: int
    female: bool
    warnings: tuple[str, ...] = ()


class NikError(ValueError):
    """A typed NIK that cannot be valid.

    ``reason`` is a short stable code for logs and tests (``"empty"``, ``"length"``, ``"digits"``,
    ``"regency"``, ``"district"``, ``"day"``, ``"month"``, ``"date"``, ``"serial"``);
    ``str(error)`` is the Indonesian message to show on the staff page.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _fail(reason: str, **params: object) -> NikError:
    return NikError(reason, MESSAGES[reason].format(**params))


def _date_exists(day: int, month: int, yy: int) -> bool:
    """True if ``day``/``month`` exists in 19YY or in 20YY.

    The NIK only holds two year digits, so we must not reject a date that is real in
    either century: 29 Feb with YY=00 is valid (2000 is a leap year, 1900 is not).
    """
    return any(day <= calendar.monthrange(century + yy, month)[1] for century in (1900, 2000))


def check_nik(value: str) -> NikCheck:
    """Validate a NIK typed by staff and return its decoded parts.

    Rules follow the Dukcapil NIK structure (see the module docstring).  Checks run in
    digit order, so the first problem from the left is the one reported.

    :raises NikError: with ``.reason`` and an Indonesian message.
    """
    nik = clean_nik(value)
    if not nik:
        raise _fail("empty")
    # Character check first: for "3201O123..." (a letter O) "only digits" helps staff
    # more than "must be 16 digits" would.
    if any(ch not in _ASCII_DIGITS for ch in nik):
        raise _fail("digits")
    if len(nik) != NIK_LENGTH:
        raise _fail("length", count=len(nik))

    province, regency, district = nik[0:2], nik[2:4], nik[4:6]
    dd, mm, yy = nik[6:8], nik[8:10], nik[10:12]
    serial = nik[12:16]

    if province == "00":
        raise _fail("province")
    if regency == "00":
        raise _fail("regency")
    if district == "00":
        raise _fail("district")

    raw_day, month, year = int(dd), int(mm), int(yy)
    female = raw_day > FEMALE_DAY_OFFSET
    day = raw_day - FEMALE_DAY_OFFSET if female else raw_day
    # 00, 32–40 and 72+ decode to no day for either sex.
    if not 1 <= day <= 31:
        raise _fail("day", day=dd)
    if not 1 <= month <= 12:
        raise _fail("month", month=mm)
    if not _date_exists(day, month, year):
        raise _fail("date", date=f"{day:02d}-{mm}-{yy}")

    if serial == "0000":
        raise _fail("serial")

    warnings: list[str] = []
    if province not in PROVINCES:
        warnings.append(MESSAGES["warning_province"].format(code=province))

    return NikCheck(
        nik=nik,
        province_code=province,
        birth_date_day=day,
        birth_month=month,
        birth_year_2digit=year,
        female=female,
        warnings=tuple(warnings),
    )


def clean_nik(value: str) -> str:
    """``value`` without surrounding whitespace and without the spaces, dots and dashes
    people write between groups of digits (``"3201 0123-4567.0001"`` → ``"3201012345670001"``)."""
    return value.strip().translate(_SEPARATORS)


def mask_nik(nik: str) -> str:
    """Mask a NIK for roles that must not see it, e.g. ``"1271**********01"``.

    Keeps the first 4 digits (province + kabupaten/kota, useful to see which region's
    citizen is at the desk) and the last 2 (to tell neighbours apart in a list).  It
    hides the district, the birth date and sex (digits 7–12) and most of the serial,
    which together would identify the person.

    Fails closed: anything that is not 16 ASCII digits after stripping returns 16
    asterisks, so a malformed stored value is never shown, nor does it crash a page.
    """
    nik = nik.strip()
    if len(nik) != NIK_LENGTH or any(ch not in _ASCII_DIGITS for ch in nik):
        return "*" * NIK_LENGTH
    return nik[:4] + "*" * (NIK_LENGTH - 6) + nik[-2:]
