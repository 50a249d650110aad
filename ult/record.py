"""The step record: one row per SOP step of each case, derived from the event log.

``step_records`` is never a second truth: every row follows from the events by the table of
:mod:`ult.steps` (:func:`derive`), is written in the same transaction as the event that
closes its step (:func:`record_closing`, called by the queue), and can be recomputed from
the log at any time (:func:`rebuild`, ``ult record rebuild``); :func:`differences` says
where the kept table and the recomputation disagree. Times are UTC stamps
(:func:`ult.clock.to_stamp`), durations whole seconds.

A clock set back between two steps (a Pi without a battery clock, PITFALLS) would give a
negative duration: such a step is kept with 0 seconds and ``clock_anomaly = 1``.

A step that ran at one counter (opened and closed there) while another officer took that
counter over (``counter_taken`` naming the ``previous`` holder) is split at each takeover:
one row per holder, the earlier parts keyed by the takeover event. The step's standard runs
over the whole step, so its overrun falls on whoever held the step when the standard ran out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from itertools import groupby, pairwise
from typing import NamedTuple

import sqlite_utils

from ult.clock import from_stamp
from ult.kinds import EventKind
from ult.steps import STEP_EVENT_KINDS, STEP_TABLE, Closed, walk
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


class Takeover(NamedTuple):
    """A takeover of a counter: the ``counter_taken`` event's id and UTC stamp, and the
    officer who held the counter until then."""

    id: int
    at: str
    previous: str


Takeovers = Mapping[int, Sequence[Takeover]]
"""The takeovers of each counter, by counter id, in log order."""


class StepRecord(NamedTuple):
    """One row of ``step_records`` (see the module and ``docs/QUEUE.md``).

    ``event_id`` is the closing event (for the part of a step before a takeover of its
    counter: the takeover event); ``day`` the ticket's business day (local,
    ``YYYY-MM-DD``); ``began_at``/``ended_at`` UTC stamps; ``seconds``,
    ``standard_seconds`` and ``overrun_seconds`` whole seconds, never negative;
    ``officer`` the closing event's actor (before a takeover: the previous holder; ``None``
    for the wait, which is nobody's overrun); ``counter_id`` the closing event's counter.
    The key is (``event_id``, ``ticket_id``, ``step``): one takeover may split the steps
    of several cases at a back-office counter.
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


def derive(
    ticket_id: int, day: str, events: Sequence[LoggedEvent], takeovers: Takeovers
) -> list[StepRecord]:
    """The step rows of one ticket from its events in log order (other kinds ignored) and
    the takeovers of the counters it met (those of other counters may be left out)."""
    steps = [e for e in events if e.kind in _STEP_KINDS]
    closed, _ = walk([e.kind for e in steps])
    return [row for found in closed for row in _rows(ticket_id, day, steps, found, takeovers)]


def _rows(
    ticket_id: int,
    day: str,
    steps: Sequence[LoggedEvent],
    found: Closed,
    takeovers: Takeovers,
) -> list[StepRecord]:
    """The rows of one closed step: one, or one per holder when its counter was taken
    over while it ran (the parts between the takeovers, in order)."""
    began, ended, step = steps[found.opened], steps[found.closed], found.step
    bounds = [(began.id, began.at, "")]
    if not step.waiting and ended.counter_id is not None and began.counter_id == ended.counter_id:
        held = takeovers.get(ended.counter_id, ())
        ids = [t.id for t in held]
        bounds += [
            (t.id, t.at, t.previous)
            for t in held[bisect_right(ids, began.id) : bisect_right(ids, ended.id)]
        ]
    bounds.append((ended.id, ended.at, ended.actor))
    rows, elapsed = [], 0
    for (_, start, _), (event_id, end, officer) in pairwise(bounds):
        delta = (from_stamp(end) - from_stamp(start)).total_seconds()
        seconds = max(int(delta), 0)
        # The overrun is the part of the step's time over its standard that fell here.
        before = max(elapsed - step.standard_seconds, 0)
        elapsed += seconds
        rows.append(
            StepRecord(
                event_id=event_id,
                ticket_id=ticket_id,
                day=day,
                step=step.number,
                waiting=int(step.waiting),
                began_at=start,
                ended_at=end,
                seconds=seconds,
                standard_seconds=step.standard_seconds,
                overrun_seconds=max(elapsed - step.standard_seconds, 0) - before,
                officer=None if step.waiting else officer,
                counter_id=ended.counter_id,
                clock_anomaly=int(delta < 0),
            )
        )
    return rows


_TAKEOVERS = (
    "SELECT id, at, json_extract(payload, '$.previous') AS previous, counter_id FROM events "
    f"WHERE kind = '{EventKind.COUNTER_TAKEN.value}' AND previous IS NOT NULL"
)


def _takeovers(db: sqlite_utils.Database, where: str = "", params: tuple = ()) -> Takeovers:
    found: dict[int, list[Takeover]] = {}
    for id_, at, previous, counter_id in db.execute(f"{_TAKEOVERS} {where} ORDER BY id", params):
        found.setdefault(counter_id, []).append(Takeover(id_, at, previous))
    return found


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
    events and one of its counter's takeovers. Returns the row the event closes (the last
    part of a step split by takeovers, whose earlier parts are written too), or ``None``.
    """
    if kind not in CLOSING_KINDS:
        return None
    events = _ticket_events(db, ticket_id)
    steps = [e for e in events if e.kind in _STEP_KINDS]
    closed, _ = walk([e.kind for e in steps])
    found = next((c for c in closed if steps[c.closed].id == event_id), None)
    if found is None:
        return None
    counter_id = steps[found.closed].counter_id
    # The takeovers of this counter while the step ran (index events_counter_kind).
    takeovers = _takeovers(
        db,
        "AND counter_id = ? AND id > ? AND id < ?",
        (counter_id, steps[found.opened].id, event_id),
    )
    rows = _rows(ticket_id, day, steps, found, takeovers)
    db.conn.executemany(_INSERT, rows)
    return rows[-1]


def recompute(db: sqlite_utils.Database) -> Iterator[StepRecord]:
    """Every step row as the log says now, by ticket then event (one read of the log)."""
    found = db.execute(
        "SELECT e.ticket_id, t.day, e.id, e.kind, e.at, e.actor, e.counter_id "
        "FROM events e JOIN tickets t ON t.id = e.ticket_id "
        f"WHERE e.kind IN ({_KINDS}) ORDER BY e.ticket_id, e.id"
    )
    takeovers = _takeovers(db)
    for (ticket_id, day), rows in groupby(found, key=lambda r: (r[0], r[1])):
        yield from derive(ticket_id, day, [LoggedEvent(*r[2:]) for r in rows], takeovers)


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
        (row.event_id, row.ticket_id, row.step): row
        for row in (
            StepRecord(*r) for r in db.execute(f"SELECT {', '.join(COLUMNS)} FROM step_records")
        )
    }
    found: list[tuple[str, StepRecord]] = []
    for row in recompute(db):
        if kept.pop((row.event_id, row.ticket_id, row.step), None) != row:
            found.append(("missing", row))
    found.extend(("extra", row) for row in kept.values())
    return found
