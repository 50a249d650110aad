"""The step record: one row per SOP step of each case, derived from the event log.

``step_records`` is never a second truth: every row follows from the events by the table of
:mod:`ult.steps` (:func:`derive`), is written in the same transaction as the event that
closes its step (:func:`record_closing`, called by the queue), and can be recomputed from
the log at any time (:func:`rebuild`, ``ult record rebuild``); :func:`differences` says
where the kept table and the recomputation disagree. Times are UTC stamps
(:func:`ult.clock.to_stamp`), durations whole seconds.

A clock set back between two steps (a Pi without a battery clock, PITFALLS) would give a
negative duration: such a step is kept with 0 seconds and ``clock_anomaly = 1``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import groupby
from typing import NamedTuple

import sqlite_utils

from ult.clock import from_stamp
from ult.steps import STEP_EVENT_KINDS, STEP_TABLE, walk
from ult.transaction import immediate

CLOSING_KINDS = frozenset(kind for step in STEP_TABLE for kind in step.closed_by)
"""Event kinds that may close a step (only these can add a row)."""


class LoggedEvent(NamedTuple):
    """The part of one event the step record reads: id, kind, UTC stamp, actor, counter."""

    id: int
    kind: str
    at: str
    actor: str
    counter_id: int | None


class StepRecord(NamedTuple):
    """One row of ``step_records`` (see the module and ``docs/QUEUE.md``).

    ``event_id`` is the closing event; ``day`` the ticket's business day (local,
    ``YYYY-MM-DD``); ``began_at``/``ended_at`` UTC stamps; ``seconds``,
    ``standard_seconds`` and ``overrun_seconds`` whole seconds, never negative;
    ``officer`` the closing event's actor (``None`` for the wait, which is nobody's
    overrun); ``counter_id`` the closing event's counter.
    """

    event_id: int
    ticket_id: int
    day: str
    step: int
    waiting: int
    began_at: str
    ended_at: str
    seconds: int
    standard_seconds: int
    overrun_seconds: int
    officer: str | None
    counter_id: int | None
    clock_anomaly: int


COLUMNS = StepRecord._fields
_INSERT = (
    f"INSERT INTO step_records ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
)
_STEP_KINDS = frozenset(STEP_EVENT_KINDS)
_KINDS = ", ".join(f"'{kind}'" for kind in STEP_EVENT_KINDS)  # our own enum values


def derive(ticket_id: int, day: str, events: Sequence[LoggedEvent]) -> list[StepRecord]:
    """The step rows of one ticket from its events in log order (other kinds ignored)."""
    steps = [e for e in events if e.kind in _STEP_KINDS]
    closed, _ = walk([e.kind for e in steps])
    rows = []
    for found in closed:
        began, ended = steps[found.opened], steps[found.closed]
        delta = (from_stamp(ended.at) - from_stamp(began.at)).total_seconds()
        seconds = max(int(delta), 0)
        step = found.step
        rows.append(
            StepRecord(
                event_id=ended.id,
                ticket_id=ticket_id,
                day=day,
                step=step.number,
                waiting=int(step.waiting),
                began_at=began.at,
                ended_at=ended.at,
                seconds=seconds,
                standard_seconds=step.standard_seconds,
                overrun_seconds=max(seconds - step.standard_seconds, 0),
                officer=None if step.waiting else ended.actor,
                counter_id=ended.counter_id,
                clock_anomaly=int(delta < 0),
            )
        )
    return rows


def _ticket_events(db: sqlite_utils.Database, ticket_id: int) -> list[LoggedEvent]:
    return [
        LoggedEvent(*row)
        for row in db.execute(
            "SELECT id, kind, at, actor, counter_id FROM events "
            f"WHERE ticket_id = ? AND kind IN ({_KINDS}) ORDER BY id",
            (ticket_id,),
        )
    ]


def record_closing(
    db: sqlite_utils.Database, event_id: int, kind: str, ticket_id: int, day: str
) -> StepRecord | None:
    """Add the step row the just-appended event ``event_id`` closes, if it closes one.

    Inside the caller's (the event's) transaction; one indexed read of the ticket's step
    events. Returns the row written, or ``None``.
    """
    if kind not in CLOSING_KINDS:
        return None
    rows = derive(ticket_id, day, _ticket_events(db, ticket_id))
    row = next((r for r in rows if r.event_id == event_id), None)
    if row is not None:
        db.execute(_INSERT, row)
    return row


def recompute(db: sqlite_utils.Database) -> Iterator[StepRecord]:
    """Every step row as the log says now, by ticket then event (one read of the log)."""
    found = db.execute(
        "SELECT e.ticket_id, t.day, e.id, e.kind, e.at, e.actor, e.counter_id "
        "FROM events e JOIN tickets t ON t.id = e.ticket_id "
        f"WHERE e.kind IN ({_KINDS}) ORDER BY e.ticket_id, e.id"
    )
    for (ticket_id, day), rows in groupby(found, key=lambda r: (r[0], r[1])):
        yield from derive(ticket_id, day, [LoggedEvent(*r[2:]) for r in rows])


def fill(db: sqlite_utils.Database) -> int:
    """Replace every row of ``step_records`` by the recomputation, inside the caller's
    transaction (the migration's, or :func:`rebuild`'s); return the number of rows."""
    db.execute("DELETE FROM step_records")
    count = 0
    batch: list[StepRecord] = []
    for row in recompute(db):
        batch.append(row)
        if len(batch) >= 5000:
            db.conn.executemany(_INSERT, batch)
            count += len(batch)
            batch.clear()
    db.conn.executemany(_INSERT, batch)
    return count + len(batch)


def rebuild(db: sqlite_utils.Database) -> int:
    """Recompute ``step_records`` from the event log in one write transaction; return the
    number of rows (for technicians: ``ult record rebuild``)."""
    with immediate(db):
        return fill(db)


def differences(db: sqlite_utils.Database) -> list[tuple[str, StepRecord]]:
    """Where the kept table and the log disagree: ``("missing", row)`` for a row the log
    gives and the table lacks or holds otherwise, ``("extra", row)`` for a kept row the log
    does not give. Empty when they agree."""
    kept = {
        row.event_id: row
        for row in (
            StepRecord(*r) for r in db.execute(f"SELECT {', '.join(COLUMNS)} FROM step_records")
        )
    }
    found: list[tuple[str, StepRecord]] = []
    for row in recompute(db):
        if kept.pop(row.event_id, None) != row:
            found.append(("missing", row))
    found.extend(("extra", row) for row in kept.values())
    return found
