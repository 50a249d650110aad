"""Read-only views of the queue for the board, the pages, the stream and ``ult status``.

Every count is derived from the tickets themselves, never kept in a second counter that
could drift; each function is one short read, so no reader holds a snapshot open while it
waits (which would starve WAL checkpoints).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlite_utils

from ult import cleaning, sop
from ult.clock import from_stamp, to_stamp
from ult.day import clock_warned
from ult.kinds import EventKind
from ult.settings import FRONT_OFFICE

LAST_CALLS = 6
"""How many recent calls the board lists."""


@dataclass(frozen=True)
class Event:
    """One row of the event log. ``at`` is an aware UTC ``datetime``."""

    id: int
    at: datetime
    kind: str
    ticket_id: int | None
    counter_id: int | None
    sop_step: int | None
    actor: str
    payload: dict[str, Any]

    def record(self, at: str) -> dict[str, Any]:
        """The event as one JSON object (for ``ult events --json`` and the API), with ``at``
        written as the caller's format wants it; the payload never carries personal data."""
        return {
            "id": self.id,
            "at": at,
            "kind": self.kind,
            "ticket_id": self.ticket_id,
            "counter_id": self.counter_id,
            "sop_step": self.sop_step,
            "actor": self.actor,
            "payload": self.payload,
        }

    @classmethod
    def from_row(cls, data: dict[str, Any]) -> Event:
        """Build from an ``events`` row."""
        return cls(
            data["id"],
            from_stamp(data["at"]),
            data["kind"],
            data["ticket_id"],
            data["counter_id"],
            data["sop_step"],
            data["actor"],
            json.loads(data["payload"]),
        )


def events_after(db: sqlite_utils.Database, after_id: int = 0, *, limit: int = 500) -> list[Event]:
    """Events with an id greater than ``after_id``, oldest first, at most ``limit``."""
    return [
        Event.from_row(r)
        for r in db.query(
            "SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?", (after_id, limit)
        )
    ]


def last_event_id(db: sqlite_utils.Database) -> int:
    """The newest event id, 0 on an empty log."""
    return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0])


def ticket_history(db: sqlite_utils.Database, ticket_id: int) -> list[Event]:
    """Every event of one ticket, oldest first."""
    return [
        Event.from_row(r)
        for r in db.query("SELECT * FROM events WHERE ticket_id = ? ORDER BY id", (ticket_id,))
    ]


def service_names(db: sqlite_utils.Database) -> dict[str, str]:
    """``{letter: name}`` of every service, in display order."""
    found = list(db.query("SELECT letter, name FROM services ORDER BY position, letter"))
    return {r["letter"]: r["name"] for r in found}


def waiting_per_service(db: sqlite_utils.Database) -> dict[str, int]:
    """``{letter: tickets waiting}`` for every service (0 included), by service order."""
    found = list(
        db.query(
            "SELECT s.letter, COUNT(t.id) AS waiting FROM services s LEFT JOIN tickets t "
            "ON t.service = s.letter AND t.state = ? GROUP BY s.letter "
            "ORDER BY s.position, s.letter",
            (sop.WAITING,),
        )
    )
    return {r["letter"]: r["waiting"] for r in found}


def counter_queue(db: sqlite_utils.Database, counter_id: int, *, limit: int = 50) -> list[dict]:
    """The waiting tickets a counter can call, priority first then in line order.

    The interleave rule may call a normal ticket before the next priority one; this
    list shows the plain order. Each item: ``id, label, service, priority, topic``.
    """
    return list(
        db.query(
            "SELECT t.id, t.label, t.service, t.priority, t.topic FROM tickets t "
            "JOIN counter_services cs ON cs.service = t.service AND cs.counter_id = ? "
            "WHERE t.state = ? ORDER BY t.priority DESC, t.queue_seq LIMIT ?",
            (counter_id, sop.WAITING, limit),
        )
    )


def board_state(db: sqlite_utils.Database) -> dict[str, Any]:
    """What the caller board shows, with no personal data.

    ``{"counters": [{"id", "name", "kind", "paused", "label", "state", "priority"}...],
    "last_calls": [{"event_id", "at", "label", "counter", "recall", "call_back", "priority",
    "current"}...]
    (newest first), "waiting": {letter: n}, "printer": last printer state or None,
    "running_text": text ("" when none), "last_event_id": n}``. ``at`` is stored UTC
    text; ``priority`` is a bool (False for a counter serving no one); ``current`` is True
    while the call's ticket is still called to that call's counter (not yet served, finished,
    marked absent or sent elsewhere), so a board stops showing a visitor who has left;
    ``call_back`` marks a returned case's visitor called back (``called_back``), current while
    the case waits at that counter to be explained.
    """
    counters = list(
        db.query(
            "SELECT c.id, c.name, c.kind, c.paused, t.label, t.state, t.priority FROM counters c "
            "LEFT JOIN tickets t ON t.counter_id = c.id WHERE c.active = 1 "
            "ORDER BY c.kind != ?, c.id",
            (FRONT_OFFICE,),
        )
    )
    for counter in counters:
        counter["paused"] = bool(counter["paused"])
        counter["priority"] = bool(counter["priority"])
    # Only the current business day's calls: once the day has rolled over (``ult rollover``
    # at the reset time), the morning board shows an empty day, not yesterday's last call.
    day_start = db.execute(
        "SELECT COALESCE(MAX(id), 0) FROM events WHERE kind = ?", (EventKind.DAY_STARTED,)
    ).fetchone()[0]
    # The newest few of each kind, read backwards from the end of the (kind, id) index, then
    # merged: "kind IN (...) ORDER BY id DESC" sorted every call since ``day_start``, all of
    # the log's calls when no day was started (100 ms after a year; PITFALLS, learned).
    newest = (
        "SELECT id FROM (SELECT id FROM events WHERE kind = ? AND id > ? ORDER BY id DESC LIMIT ?)"
    )
    # A call-back (a returned case's visitor sent back to a counter) is current while the
    # case still waits there to be explained (answer_ready at that counter).
    calls = list(
        db.query(
            "SELECT e.id, e.at, e.kind, e.payload, t.priority, "
            "(t.state = CASE e.kind WHEN ? THEN ? ELSE ? END "
            "AND t.counter_id IS e.counter_id) AS current FROM events e "
            f"LEFT JOIN tickets t ON t.id = e.ticket_id WHERE e.id IN ({newest} UNION ALL "
            f"{newest} UNION ALL {newest}) ORDER BY e.id DESC LIMIT ?",
            (
                EventKind.CALLED_BACK,
                sop.ANSWER_READY,
                sop.CALLED,
                EventKind.CALLED,
                day_start,
                LAST_CALLS,
                EventKind.RECALLED,
                day_start,
                LAST_CALLS,
                EventKind.CALLED_BACK,
                day_start,
                LAST_CALLS,
                LAST_CALLS,
            ),
        )
    )
    last_calls = []
    for call in calls:
        payload = json.loads(call["payload"])
        last_calls.append(
            {
                "event_id": call["id"],
                "at": call["at"],
                "label": payload["label"],
                "counter": payload["counter"],
                "recall": call["kind"] == EventKind.RECALLED,
                "call_back": call["kind"] == EventKind.CALLED_BACK,
                "priority": bool(call["priority"]),
                "current": bool(call["current"]),
            }
        )
    return {
        "counters": counters,
        "last_calls": last_calls,
        "waiting": waiting_per_service(db),
        "printer": printer_state(db),
        "running_text": running_text(db),
        "last_event_id": last_event_id(db),
    }


def called_on(
    db: sqlite_utils.Database,
    day: date,
    label: str,
    counter: str,
    *,
    come_back: bool = False,
    since: datetime | None = None,
) -> bool:
    """Whether ticket ``label`` of business ``day`` was called or recalled to the counter
    named ``counter`` (what the browser board may speak). With ``come_back``: whether a
    returned case ``label`` was called back to that counter (:meth:`ult.queue.Queue.
    call_back`) at or after ``since`` (aware; None: any time), whatever day it was issued
    on. Not "held there now": a board fetching the words a moment after the officer went on
    to explain the answer must still get them (the morning test met that 404)."""
    if come_back:
        found = db.execute(
            "SELECT 1 FROM events e JOIN tickets t ON t.id = e.ticket_id "
            "WHERE e.kind = ? AND t.label = ? AND json_extract(e.payload, '$.counter') = ? "
            "AND e.at >= ? LIMIT 1",
            (
                EventKind.CALLED_BACK,
                label,
                counter,
                "" if since is None else to_stamp(since),
            ),
        ).fetchone()
        return found is not None
    found = db.execute(
        # CROSS JOIN keeps SQLite's join order: the day's ticket first (by day and label),
        # then its few events. Left to itself the planner read every call of the log
        # through the kind index: 290 ms after a year, per call and browser board.
        "SELECT 1 FROM tickets t CROSS JOIN events e ON e.ticket_id = t.id "
        "WHERE t.day = ? AND t.label = ? AND e.kind IN (?, ?) "
        "AND json_extract(e.payload, '$.counter') = ? LIMIT 1",
        (day.isoformat(), label, EventKind.CALLED, EventKind.RECALLED, counter),
    ).fetchone()
    return found is not None


def day_summary(db: sqlite_utils.Database, day: date) -> list[dict[str, Any]]:
    """Per service for one business day: ``letter, name, waiting, active, done, other``;
    retired services appear only when they have tickets that day.

    ``active`` counts tickets at a counter or in the back office; ``other`` counts no-shows,
    cancelled and expired tickets.
    """
    at_work = tuple(sop.AT_COUNTER_STATES | sop.ESCALATION_STATES)
    closed = (sop.NO_SHOW, sop.CANCELLED, sop.EXPIRED)
    marks = ", ".join("?" * len(at_work))
    return list(
        db.query(
            "SELECT s.letter, s.name, "
            "COUNT(CASE WHEN t.state = ? THEN 1 END) AS waiting, "
            f"COUNT(CASE WHEN t.state IN ({marks}) THEN 1 END) AS active, "
            "COUNT(CASE WHEN t.state = ? THEN 1 END) AS done, "
            "COUNT(CASE WHEN t.state IN (?, ?, ?) THEN 1 END) AS other "
            "FROM services s LEFT JOIN tickets t ON t.service = s.letter AND t.day = ? "
            "GROUP BY s.letter HAVING s.active = 1 OR COUNT(t.id) > 0 "
            "ORDER BY s.position, s.letter",
            (sop.WAITING, *at_work, sop.DONE, *closed, day.isoformat()),
        )
    )


def open_escalations(db: sqlite_utils.Database) -> int:
    """Cases with the back office or a main unit, of any day."""
    found = next(
        db.query(
            "SELECT COUNT(*) AS n FROM tickets WHERE state IN "
            f"({', '.join('?' * len(sop.ESCALATION_STATES))})",
            tuple(sorted(sop.ESCALATION_STATES)),
        ),
        None,
    )
    return int(found["n"]) if found else 0


def clock_warning(db: sqlite_utils.Database, day: date) -> dict[str, Any] | None:
    """The newest ``clock_behind`` warning's payload when it was raised on ``day``."""
    if not clock_warned(db, day):
        return None
    found = next(
        db.query(
            "SELECT payload FROM events WHERE kind = ? ORDER BY id DESC", (EventKind.CLOCK_BEHIND,)
        ),
        None,
    )
    return json.loads(found["payload"]) if found else None


def unprinted_tickets(db: sqlite_utils.Database, day: date) -> list[dict[str, Any]]:
    """Tickets of ``day`` whose print failed and that are still open: ``id, label, state``."""
    return list(
        db.query(
            "SELECT id, label, state FROM tickets WHERE day = ? AND printed = 0 AND state NOT IN "
            "(?, ?, ?) ORDER BY id",
            (day.isoformat(), *sorted(sop.FINAL_STATES)),
        )
    )


def printer_state(db: sqlite_utils.Database) -> str | None:
    """The ticket printer's last recorded state (``"ready"``, ``"offline"``, ...), or None."""
    found = next(
        db.query(
            "SELECT payload FROM events WHERE kind = ? ORDER BY id DESC LIMIT 1",
            (EventKind.PRINTER_STATE,),
        ),
        None,
    )
    return json.loads(found["payload"])["state"] if found else None


def running_text(db: sqlite_utils.Database) -> str:
    """The board's running text as the supervisor last set it ("" when none)."""
    found = next(db.query("SELECT value FROM meta WHERE key = 'running_text'"), None)
    return str(found["value"]) if found else ""


DAY_TICKETS_SEARCH_LIMIT = 100
"""Characters of a search of the day's tickets (as the guest book's)."""


def day_tickets(
    db: sqlite_utils.Database,
    day: date,
    *,
    search: str | None = None,
    names: bool = False,
    limit: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """The tickets of business day ``day``, newest first, and how many match in all.

    Each row: ``id, label, service, topic, priority, priority_category`` (a code, ``None``
    when none was recorded), ``state, cancel_reason, counter, printed, issued_at``
    (UTC ``datetime``) and ``name`` (the visitor's name as registered, only when ``names``:
    the roles that read the guest book see names; else ``None``). ``search`` matches the
    label anywhere, case-insensitive, dashes and spaces ignored ("a003", "3"), and with
    ``names`` the visitor's name too. At most ``limit`` rows. Raises ``QueueError`` for a
    search longer than :data:`DAY_TICKETS_SEARCH_LIMIT` or with control characters.
    """
    clean = cleaning.optional_text(search, "search", DAY_TICKETS_SEARCH_LIMIT)
    where = "t.day = ?"
    params: list[Any] = [day.isoformat()]
    if clean is not None:
        escaped = clean.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        compact = escaped.upper().replace("-", "").replace(" ", "")
        tests = ["REPLACE(REPLACE(UPPER(t.label), '-', ''), ' ', '') LIKE ? ESCAPE '\\'"]
        params.append(f"%{compact}%")
        if names:
            tests.append("v.name LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
        where += f" AND ({' OR '.join(tests)})"
    source = "tickets t LEFT JOIN visits v ON v.ticket_id = t.id"
    total = db.execute(f"SELECT COUNT(*) FROM {source} WHERE {where}", params).fetchone()[0]
    rows = db.query(
        "SELECT t.id, t.label, t.service, t.topic, t.priority, t.priority_category, t.state, "
        "t.cancel_reason, t.printed, t.issued_at, "
        f"c.name AS counter, v.name AS name FROM {source} "
        f"LEFT JOIN counters c ON c.id = t.counter_id WHERE {where} ORDER BY t.id DESC "
        f"LIMIT {int(limit)}",
        params,
    )
    found = [
        {
            **row,
            "priority": bool(row["priority"]),
            "issued_at": from_stamp(row["issued_at"]),
            "name": row["name"] if names else None,
        }
        for row in rows
    ]
    return found, total
