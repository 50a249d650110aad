"""Indonesian text the caller board shows (kept apart from the voice's words in ``messages``)."""

from __future__ import annotations

from typing import Final

# Babel pattern for the date line, e.g. "Minggu, 29 November 2026".
DATE_PATTERN: Final = "EEEE, d MMMM y"
# Babel pattern for the clock, e.g. "15.40" (Indonesian uses a dot between hours and minutes).
CLOCK_PATTERN: Final = "HH.mm"
LOCALE: Final = "id"

NOW_CALLING: Final = "Nomor antrian"
RECALLING: Final = "Panggilan ulang"
GO_TO: Final = "Silakan menuju"
COME_BACK: Final = "Silakan kembali ke"
"""Instead of :data:`GO_TO` for a returned case's visitor called back (issue 14)."""
NO_CALL_YET: Final = "Belum ada panggilan"
NEXT_CALL: Final = "Silakan menunggu panggilan berikutnya"
"""The main panel once the last called visitor has gone to the counter (or left)."""
SERVING_NOW: Final = "Sedang dilayani"
LAST_CALLS: Final = "Panggilan terakhir"
WAITING: Final = "Menunggu"
PAUSED: Final = "Istirahat"
IDLE: Final = "—"
MORE: Final = "+{n} lainnya"
PRIORITY: Final = "★ PRIORITAS"
PRIORITY_SHORT: Final = "(P)"
PRIORITY_LEGEND: Final = (
    "★ PRIORITAS / (P): lansia, penyandang disabilitas, ibu hamil, dengan anak kecil"
)
"""Shown while a priority mark is on the board: who is served first (UU 25/2009 Pasal 29)."""
PRINTER_FAULT: Final = "Mesin tiket tidak dapat mencetak, silakan menuju resepsionis"
OFFLINE: Final = "terputus"
"""Shown (after a "●") when the board lost its queue feed; visitors read Indonesian."""
