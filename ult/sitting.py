"""Who sits at which counter: derived from the event log, never kept apart from it.

An officer takes a counter (``counter_taken``, actor = the officer) and leaves it
(``counter_left``); the holder of a counter is the actor of its newest ``counter_taken``
when no ``counter_left`` came after it. Taking a counter held by another officer is a
takeover: it needs a reason and may carry the written assignment (*surat penugasan*) the SOP
asks for when an officer is absent; the takeover's ``counter_taken`` event names the
previous holder and ends their sitting. The writes are :meth:`ult.queue.Queue.take_counter`
and :meth:`ult.queue.Queue.leave_counter`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlite_utils

from ult import cleaning
from ult.clock import from_stamp
from ult.errors import invalid
from ult.kinds import EventKind

ASSIGNMENT_NUMBER_LIMIT = 60
"""Characters of a *surat penugasan* number (as a letter number, ult.cleaning)."""


@dataclass(frozen=True)
class Sitting:
    """``username`` sits at counter ``counter_id`` since ``since`` (aware UTC), recorded by
    event ``event_id``."""

    counter_id: int
    username: str
    since: datetime
    event_id: int


def holder(db: sqlite_utils.Database, counter_id: int) -> Sitting | None:
    """Who sits at the counter now, or ``None`` when nobody does.

    Two index lookups (``events_counter_kind``: the newest of each kind at this counter), so
    the answer costs the same after a year of history.
    """
    newest = {}
    for kind in (EventKind.COUNTER_TAKEN, EventKind.COUNTER_LEFT):
        found = db.execute(
            "SELECT MAX(id) FROM events WHERE counter_id = ? AND kind = ?", (counter_id, kind)
        ).fetchone()
        newest[kind] = found[0] or 0
    taken, left = newest[EventKind.COUNTER_TAKEN], newest[EventKind.COUNTER_LEFT]
    if not taken or left > taken:
        return None
    row = db.execute("SELECT at, actor FROM events WHERE id = ?", (taken,)).fetchone()
    return Sitting(counter_id, row[1], from_stamp(row[0]), taken)


def holders(db: sqlite_utils.Database) -> dict[int, Sitting]:
    """``{counter_id: Sitting}`` of every counter somebody sits at."""
    ids = [r[0] for r in db.execute("SELECT id FROM counters ORDER BY id").fetchall()]
    found = {counter_id: holder(db, counter_id) for counter_id in ids}
    return {counter_id: sitting for counter_id, sitting in found.items() if sitting}


def assignment(number: Any, on: Any) -> dict[str, str] | None:
    """The written assignment (*surat penugasan*) of a takeover as recorded:
    ``{"number", "date"}`` (date ``YYYY-MM-DD``), or ``None`` when both are empty.

    Raises ``QueueError``: ``assignment_incomplete`` when only one is given,
    ``assignment_date_invalid`` for a date that does not exist, ``text_*`` for the number.
    """
    clean_number = cleaning.optional_text(number, "letter_number", ASSIGNMENT_NUMBER_LIMIT)
    text = on.strip() if isinstance(on, str) else on
    if clean_number is None and not text:
        return None
    if clean_number is None or not text:
        raise invalid("assignment_incomplete")
    if isinstance(text, date):
        day = text
    else:
        try:
            day = date.fromisoformat(str(text))
        except ValueError:
            raise invalid("assignment_date_invalid") from None
        if len(str(text)) != len("YYYY-MM-DD"):
            raise invalid("assignment_date_invalid")
    return {"number": clean_number, "date": day.isoformat()}
