"""The one date format of every page (ult.dates): Indonesian, in the office's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from ult import dates

JAKARTA = ZoneInfo("Asia/Jakarta")
MAKASSAR = ZoneInfo("Asia/Makassar")


def test_a_day_reads_in_indonesian() -> None:
    assert dates.date_text(date(2026, 12, 6), JAKARTA) == "6 Desember 2026"
    assert dates.date_text("2026-11-25", JAKARTA) == "25 November 2026"
    assert dates.date_text(date(2026, 12, 6), JAKARTA, long=True) == "Minggu, 6 Desember 2026"
    assert dates.date_text(None, JAKARTA) == "-" and dates.date_text("", JAKARTA) == "-"


def test_a_time_is_put_in_the_office_zone_first() -> None:
    # 17.30 UTC on 5 December is 00.30 on 6 December in Jakarta (UTC+7), 01.30 in Makassar.
    late = datetime(2026, 12, 5, 17, 30, 5, tzinfo=UTC)
    assert dates.date_text(late, JAKARTA) == "6 Desember 2026"
    assert dates.time_text(late, JAKARTA) == "00.30"
    assert dates.time_text(late, MAKASSAR, seconds=True) == "01.30.05"
    assert dates.datetime_text(late, JAKARTA) == "6 Desember 2026 00.30"
    # As stored: the UTC stamp text.
    assert dates.datetime_text("2026-12-05T17:30:05.000000Z", JAKARTA) == "6 Desember 2026 00.30"
    assert dates.datetime_text(date(2026, 12, 6), JAKARTA) == "6 Desember 2026"
    assert dates.time_text(None, JAKARTA) == "-"


def test_what_cannot_be_placed_in_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        dates.datetime_text(datetime(2026, 12, 6, 9, 0), JAKARTA)
    with pytest.raises(ValueError, match="not a time"):
        dates.time_text(date(2026, 12, 6), JAKARTA)
    with pytest.raises(ValueError):
        dates.date_text("06-12-2026", JAKARTA)


def test_a_period() -> None:
    day = date(2026, 11, 30)
    assert dates.period_text(day, day) == "Senin, 30 November 2026"
    assert dates.period_text(day, date(2026, 12, 6)) == "30 November 2026 – 6 Desember 2026"
