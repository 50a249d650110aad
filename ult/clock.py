"""Time for the queue: an injectable UTC clock and the office's local business day.

Times are stored in UTC and shown in the office's time zone; a ticket belongs to the
*business day* of the office, which starts at the configured reset time (local).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]
"""A callable returning the current time as an aware UTC ``datetime``."""

_STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> datetime:
    """The system clock, as an aware UTC ``datetime``."""
    return datetime.now(UTC)


def to_stamp(moment: datetime) -> str:
    """Format an aware ``datetime`` as the stored UTC text (sortable, microseconds).

    Raises ``ValueError`` for a naive ``datetime``: a time without a zone is ambiguous.
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime: the queue only stores aware UTC times")
    return moment.astimezone(UTC).strftime(_STAMP)


def from_stamp(text: str) -> datetime:
    """Parse stored UTC text back into an aware UTC ``datetime``."""
    # fromisoformat reads the trailing "Z" since Python 3.11, and is far cheaper than strptime.
    return datetime.fromisoformat(text)


def business_day(moment: datetime, tz: ZoneInfo, reset: time) -> date:
    """The office's business day for ``moment``.

    ``reset`` is the local time at which numbering restarts: a moment before it belongs to
    the previous day. UTC midnight is 07:00 in Jakarta, so the day is always computed in
    the office zone (PITFALLS: peers that used the UTC date reset numbers mid-morning).
    """
    local = moment.astimezone(tz)
    day = local.date()
    if local.time() < reset:
        day -= timedelta(days=1)
    return day


class FakeClock:
    """A clock for tests and benchmarks that moves only when told to.

    ``FakeClock(datetime(2026, 11, 25, 1, 0, tzinfo=UTC))``; ``advance(seconds=30)``.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware start time")
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward by ``timedelta(**delta)`` and return the new time."""
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (also backwards, to simulate a Pi booting with an old clock)."""
        self.now = moment.astimezone(UTC)
