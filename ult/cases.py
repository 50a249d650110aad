"""Finding a case and reading its whole history (issue 14: "a case can be found and opened
read-only by number, name or identity number, today and on past days").

A *case* is one ticket with the visit it recorded (:mod:`ult.guestbook`), its events
(:mod:`ult.eventlog`) and its step records (:mod:`ult.record`). This module only reads:
:func:`parse_search` says what a typed search means, :func:`find_cases` lists the cases of
a period that match it, :func:`case_file` gathers one case. Personal data is returned as
stored; masking per role is the pages' business (``admin.pages.common.identity_of``).

Indexes used (``ult.migrations``): a label search reads the unique index
``(issued_service, day, number)`` only; a name or document search reads the period's
tickets by ``tickets_day`` and their visit by ``visits.ticket_id`` (unique); a whole NIK
reads ``visits_document``. One case reads ``events_ticket`` and ``step_records_ticket``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlite_utils

from ult import accounts, cleaning
from ult.clock import from_stamp
from ult.queries import ticket_history

SEARCH_LIMIT = 100
"""Characters of a case search (as the guest book's)."""

LABEL_DIGITS = 4
"""Most digits of a ticket number typed as a label ("A-003", "a3", "0003"): longer digit
strings are identity numbers (a day issues far fewer than 10 000 tickets per service)."""
DOCUMENT_MIN = 5
"""Fewest characters of a partial identity number: fewer would match most visits."""

_LABEL_LETTER_FIRST = re.compile(rf"([A-Z])0*([0-9]{{1,{LABEL_DIGITS}}})")
_LABEL_NUMBER_FIRST = re.compile(rf"0*([0-9]{{1,{LABEL_DIGITS}}})([A-Z])?")
_DOCUMENT = re.compile(r"[A-Z0-9/]*[0-9][A-Z0-9/]*")
_SEPARATORS = str.maketrans("", "", " .-")


@dataclass(frozen=True)
class CaseSearch:
    """What a typed search means.

    ``kind``: ``"label"`` (a ticket number: ``letter`` the issued service's letter or
    ``None`` for any service, ``number`` the day's number), ``"document"`` (an identity
    number, whole or part: ``text`` the number without spaces, dots or dashes, in
    capitals) or ``"name"`` (part of the visitor's name: ``text`` as typed, trimmed).
    """

    kind: str
    text: str
    letter: str | None = None
    number: int | None = None


def parse_search(value: Any) -> CaseSearch | None:
    """The meaning of a typed search, or ``None`` for an empty one.

    A ticket number in any usual spelling ("A-003", "a3", "A003", "a 03", "003A" for a
    ``label_format`` that puts the letter last, "3" in any service) is a label search; a
    string of at least :data:`DOCUMENT_MIN` characters with a digit and no other
    characters than letters, digits, ``/`` and separators is an identity number (NIK, SIM,
    passport; "1271 0101" finds "1271010101900001"); anything else is part of a name.
    Raises ``QueueError`` (``invalid``) for a search longer than :data:`SEARCH_LIMIT`
    characters or with control characters.
    """
    clean = cleaning.optional_text(value, "search", SEARCH_LIMIT)
    if clean is None:
        return None
    compact = clean.translate(_SEPARATORS).upper()
    found = _LABEL_LETTER_FIRST.fullmatch(compact)
    if found:
        return CaseSearch("label", compact, found[1], int(found[2]))
    found = _LABEL_NUMBER_FIRST.fullmatch(compact)
    if found and int(found[1]) > 0:
        return CaseSearch("label", compact, found[2], int(found[1]))
    if len(compact) >= DOCUMENT_MIN and _DOCUMENT.fullmatch(compact):
        return CaseSearch("document", compact)
    return CaseSearch("name", " ".join(clean.split()))


def _like(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(
    db: sqlite_utils.Database,
    search: CaseSearch | None,
    start: date,
    end: date,
    *,
    whole_numbers_only: bool,
) -> tuple[str, list[Any]]:
    """The WHERE clause (over ``tickets t LEFT JOIN visits v``) and its parameters."""
    period = [start.isoformat(), end.isoformat()]
    if search is None:
        return "t.day BETWEEN ? AND ?", period
    if search.kind == "label":
        if search.letter is not None:
            return (
                "t.issued_service = ? AND t.day BETWEEN ? AND ? AND t.number = ?",
                [search.letter, *period, search.number],
            )
        # Every service letter: each is one range of the unique (issued_service, day,
        # number) index, read without touching the table.
        letters = [r[0] for r in db.execute("SELECT letter FROM services").fetchall()]
        marks = ", ".join("?" * len(letters)) or "NULL"
        return (
            f"t.issued_service IN ({marks}) AND t.day BETWEEN ? AND ? AND t.number = ?",
            [*letters, *period, search.number],
        )
    if search.kind == "document":
        if search.text.isdigit() and len(search.text) == 16:
            # A whole NIK: the visits_document index finds its visits directly.
            return (
                "t.id IN (SELECT ticket_id FROM visits WHERE document_number = ?) "
                "AND t.day BETWEEN ? AND ?",
                [search.text, *period],
            )
        if whole_numbers_only:  # ult.guestbook.WHOLE_NUMBERS_ONLY_WHY
            return (
                "t.day BETWEEN ? AND ? AND v.erased_at IS NULL "
                "AND REPLACE(UPPER(v.document_number), ' ', '') = ?",
                [*period, search.text],
            )
        return (
            "t.day BETWEEN ? AND ? AND v.erased_at IS NULL "
            "AND REPLACE(UPPER(v.document_number), ' ', '') LIKE ? ESCAPE '\\'",
            [*period, _like(search.text)],
        )
    return (
        "t.day BETWEEN ? AND ? AND v.erased_at IS NULL AND v.name LIKE ? ESCAPE '\\'",
        [*period, _like(search.text)],
    )


def find_cases(
    db: sqlite_utils.Database,
    start: date,
    end: date,
    search: CaseSearch | None = None,
    *,
    limit: int = 200,
    whole_numbers_only: bool = False,
) -> list[dict[str, Any]]:
    """The cases of the business days ``start``..``end`` (inclusive, local days as tickets
    carry them) matching ``search`` (every case of the period when ``None``), newest first,
    at most ``limit``.

    Each row: ``id, label, day`` (``YYYY-MM-DD``), ``service, issued_service, topic,
    priority`` (bool), ``state`` (code), ``issued_at`` (UTC ``datetime``), the visit as
    recorded at that visit (``has_visit``, ``erased`` — the identity was erased by
    :mod:`ult.privacy`, nothing of it is returned —, ``name``, ``document_kind``,
    ``document_number``, the latter two as stored: the caller masks them) and ``officers``
    (the full names, or user names, of the staff who acted on the case, in the order they
    first did). An erased visit never matches a name or number search. With
    ``whole_numbers_only`` (a reader who sees numbers masked) an identity number matches
    only whole (:data:`ult.guestbook.WHOLE_NUMBERS_ONLY_WHY`).
    """
    where, params = _where(db, search, start, end, whole_numbers_only=whole_numbers_only)
    rows = list(
        db.query(
            "SELECT t.id, t.label, t.day, t.service, t.issued_service, t.topic, t.priority, "
            "t.state, t.issued_at, v.id AS visit_id, v.name, v.document_kind, "
            "v.document_number, v.erased_at FROM tickets t "
            f"LEFT JOIN visits v ON v.ticket_id = t.id WHERE {where} "
            f"ORDER BY t.day DESC, t.id DESC LIMIT {int(limit)}",
            params,
        )
    )
    staff = case_officers(db, [r["id"] for r in rows])
    found = []
    for row in rows:
        erased = row["erased_at"] is not None
        found.append(
            {
                "id": row["id"],
                "label": row["label"],
                "day": row["day"],
                "service": row["service"],
                "issued_service": row["issued_service"],
                "topic": row["topic"],
                "priority": bool(row["priority"]),
                "state": row["state"],
                "issued_at": from_stamp(row["issued_at"]),
                "has_visit": row["visit_id"] is not None,
                "erased": erased,
                "name": None if erased else row["name"],
                "document_kind": row["document_kind"],
                "document_number": None if erased else row["document_number"],
                "officers": staff.get(row["id"], []),
            }
        )
    return found


def case_officers(db: sqlite_utils.Database, ticket_ids: list[int]) -> dict[int, list[str]]:
    """``{ticket_id: [officer's full name, ...]}``: the staff accounts that logged an event
    of each case, in the order they first did (the kiosk and system actors are no staff)."""
    wanted = sorted(set(ticket_ids))
    if not wanted:
        return {}
    names = accounts.officer_names(db)
    users = {r[0] for r in db.execute("SELECT username FROM users").fetchall()}
    marks = ", ".join("?" * len(wanted))
    found: dict[int, list[str]] = {}
    for ticket_id, actor in db.execute(
        f"SELECT ticket_id, actor FROM events WHERE ticket_id IN ({marks}) ORDER BY id",
        wanted,
    ).fetchall():
        if actor not in users:
            continue
        name = names.get(actor, actor)
        listed = found.setdefault(ticket_id, [])
        if name not in listed:
            listed.append(name)
    return found


def case_file(db: sqlite_utils.Database, ticket_id: int) -> dict[str, Any] | None:
    """Everything recorded of one case, or ``None`` for an unknown ticket id.

    ``ticket``: the ``tickets`` row (as stored); ``visit``: its ``visits`` row or ``None``
    (an erased one has ``erased_at`` set and empty identity fields); ``counters``:
    ``{id: name}``; ``unit``: the main unit's name or ``None``; ``events``: every event of
    the ticket oldest first (:class:`ult.queries.Event` with ``actor_name``, the officer's
    full name or the actor as logged, and ``counter``, the counter's name or ``None``);
    ``steps``: its step records in the order they began (``step``, ``waiting``,
    ``began_at``/``ended_at`` UTC ``datetime``, ``seconds``, ``standard_seconds``,
    ``overrun_seconds``, ``clock_anomaly`` bool, ``officer`` full name or ``None``,
    ``counter`` name or ``None``), SOP steps as :mod:`ult.steps` times them.
    """
    row = next(iter(db.query("SELECT * FROM tickets WHERE id = ?", (ticket_id,))), None)
    if row is None:
        return None
    visits = list(db.query("SELECT * FROM visits WHERE ticket_id = ?", (ticket_id,)))
    counters = {r[0]: r[1] for r in db.execute("SELECT id, name FROM counters").fetchall()}
    unit = None
    if row["main_unit_id"] is not None:
        named = db.execute(
            "SELECT name FROM main_units WHERE id = ?", (row["main_unit_id"],)
        ).fetchone()
        unit = named[0] if named else None
    names = accounts.officer_names(db)
    events = [
        {
            "event": event,
            "actor_name": names.get(event.actor, event.actor),
            "counter": counters.get(event.counter_id) if event.counter_id else None,
        }
        for event in ticket_history(db, ticket_id)
    ]
    steps = [
        {
            "step": r["step"],
            "waiting": bool(r["waiting"]),
            "began_at": from_stamp(r["began_at"]),
            "ended_at": from_stamp(r["ended_at"]),
            "seconds": r["seconds"],
            "standard_seconds": r["standard_seconds"],
            "overrun_seconds": r["overrun_seconds"],
            "clock_anomaly": bool(r["clock_anomaly"]),
            "officer": names.get(r["officer"], r["officer"]) if r["officer"] else None,
            "counter": counters.get(r["counter_id"]) if r["counter_id"] else None,
        }
        for r in db.query(
            "SELECT * FROM step_records WHERE ticket_id = ? ORDER BY began_at, ended_at, step",
            (ticket_id,),
        )
    ]
    return {
        "ticket": row,
        "visit": visits[0] if visits else None,
        "counters": counters,
        "unit": unit,
        "events": events,
        "steps": steps,
    }
