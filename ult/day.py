"""The business day the store keeps, and the clock it is checked against.

Tickets are numbered per business day (:func:`ult.clock.business_day`: the office's local
day, turning at ``queue.day_reset``). The store keeps the day it last started in
``meta.day``; numbering never goes back to an earlier day by the clock alone, because a
Raspberry Pi without a battery clock may boot with an old time (PITFALLS, store). A clock
that runs behind the newest event is warned about once per day (``meta.clock_behind_day``).
These functions read and write those rows; :class:`ult.queue.Queue` runs them inside its
transactions and records the events.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlite_utils

from ult.clock import from_stamp
from ult.kinds import EventKind

CLOCK_TOLERANCE_SECONDS = 60.0
"""How far the clock may run behind the newest event before it is warned about."""
CLOCK_CHECK_INTERVAL_SECONDS = 30.0
"""How often (monotonic seconds) one process checks the clock before a write."""


def stored_day(db: sqlite_utils.Database) -> date | None:
    """The business day the store last started, or ``None`` before the first."""
    found = next(db.query("SELECT value FROM meta WHERE key = 'day'"), None)
    return date.fromisoformat(found["value"]) if found else None


def store_day(db: sqlite_utils.Database, day: date) -> None:
    """Make ``day`` the store's business day (inside the caller's transaction)."""
    _put(db, "day", day.isoformat())


def newest_event_ahead(db: sqlite_utils.Database, now: datetime) -> str | None:
    """The stamp of the newest event when it lies more than :data:`CLOCK_TOLERANCE_SECONDS`
    after ``now`` (the clock runs behind), else ``None``. Earlier warnings do not count."""
    newest = next(
        db.query(
            "SELECT at FROM events WHERE kind != ? ORDER BY id DESC LIMIT 1",
            (EventKind.CLOCK_BEHIND,),
        ),
        None,
    )
    if newest is None or (from_stamp(newest["at"]) - now).total_seconds() <= (
        CLOCK_TOLERANCE_SECONDS
    ):
        return None
    return newest["at"]


def clock_warned(db: sqlite_utils.Database, day: date) -> bool:
    """Whether the clock was already warned about on ``day``."""
    found = next(db.query("SELECT value FROM meta WHERE key = 'clock_behind_day'"), None)
    return found is not None and found["value"] == day.isoformat()


def mark_clock_warned(db: sqlite_utils.Database, day: date) -> None:
    """Note that the clock was warned about on ``day`` (inside the caller's transaction)."""
    _put(db, "clock_behind_day", day.isoformat())


def forget_clock_warning(db: sqlite_utils.Database) -> None:
    """Allow a new warning at once (the day was corrected)."""
    db.execute("DELETE FROM meta WHERE key = 'clock_behind_day'")


def _put(db: sqlite_utils.Database, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
