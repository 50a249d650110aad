"""Dates and times as people read them: Indonesian, in the office's time zone.

The one place every page, ticket and message takes its date format from (issue 14: one
date format, no ISO dates on staff pages). Babel with locale ``id_ID``; clock times with a
dot as Indonesians write them (``09.05``, PUEBI). Machine formats (CSV, JSON, the API,
``input[type=date]`` values, URLs) stay ISO 8601 and never come here.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from babel.dates import format_date, format_datetime

LOCALE = "id_ID"
"""Babel locale of every date shown (Bahasa Indonesia, Indonesia)."""
DATE_PATTERN = "d MMMM y"
"""A day: ``6 Desember 2026``."""
LONG_DATE_PATTERN = "EEEE, d MMMM y"
"""A day with its weekday, for headings: ``Minggu, 6 Desember 2026``."""
TIME_PATTERN = "HH.mm"
"""A clock time: ``18.17``."""
SECONDS_PATTERN = "HH.mm.ss"
"""A clock time to the second (logs read by staff): ``18.17.05``."""

When = date | datetime | str | None
"""What the functions take: a ``date``, an aware ``datetime``, an ISO 8601 text of either
(as stored: ``2026-12-06``, ``2026-12-06T11:17:00.000000Z``), or ``None``."""

NONE_TEXT = "-"
"""Shown for a missing date or time."""


def _parse(value: When) -> date | datetime | None:
    """``value`` as a ``date`` or aware ``datetime``; ``None`` for ``None`` or ``""``.

    Raises ``ValueError`` for a text that is no ISO date or time, or a naive ``datetime``
    (a time without a zone cannot be put in the office's zone)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    if isinstance(value, datetime) and value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: stored times are aware UTC")
    return value


def date_text(value: When, zone: tzinfo, *, long: bool = False) -> str:
    """The day of ``value`` (a time is first put in ``zone``): ``6 Desember 2026``, or with
    ``long`` its weekday first (``Minggu, 6 Desember 2026``); ``-`` for none."""
    parsed = _parse(value)
    if parsed is None:
        return NONE_TEXT
    day = parsed.astimezone(zone).date() if isinstance(parsed, datetime) else parsed
    return format_date(day, LONG_DATE_PATTERN if long else DATE_PATTERN, locale=LOCALE)


def time_text(value: When, zone: tzinfo, *, seconds: bool = False) -> str:
    """The clock time of an aware time in ``zone``: ``18.17`` (``18.17.05`` with
    ``seconds``); ``-`` for none."""
    parsed = _parse(value)
    if parsed is None:
        return NONE_TEXT
    if not isinstance(parsed, datetime):
        raise ValueError(f"{value!r} is a day, not a time")
    pattern = SECONDS_PATTERN if seconds else TIME_PATTERN
    return format_datetime(parsed, pattern, tzinfo=zone, locale=LOCALE)


def datetime_text(value: When, zone: tzinfo, *, seconds: bool = False) -> str:
    """Day and clock time of an aware time in ``zone``: ``6 Desember 2026 18.17``; a bare
    day gives only the day; ``-`` for none."""
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return date_text(parsed, zone)
    return f"{date_text(parsed, zone)} {time_text(parsed, zone, seconds=seconds)}"


def period_text(start: date, end: date) -> str:
    """A span of days: ``Senin, 30 November 2026`` for one day, else
    ``30 November 2026 – 6 Desember 2026``."""
    if start == end:
        return format_date(start, LONG_DATE_PATTERN, locale=LOCALE)
    return f"{format_date(start, DATE_PATTERN, locale=LOCALE)} – " + format_date(
        end, DATE_PATTERN, locale=LOCALE
    )
