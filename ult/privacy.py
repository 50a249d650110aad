"""The visitors' personal data duties (UU 27/2022 on personal data protection).

- Retention (:func:`purge`): a visit's identity is erased once its business day is more than
  ``[privacy] retention_days`` days old (``ult purge``, daily by ``ult-purge.timer``).
- Access (:func:`export_identity`) and erasure (:func:`erase_identity`) on request of the
  person (Pasal 7 and 8: access to and erasure of one's data; the law gives the controller
  3×24 hours to answer), by the supervisor.
- The audit: every view and export of unmasked personal data is an event
  (:func:`record_access`), and the supervisor reviews them (:func:`audit`).

Erasing keeps the ``visits`` row (ticket, document kind, recorded time and officer, SOP
step) and sets ``erased_at``; ``name`` and ``document_number`` become empty strings (the
columns are ``NOT NULL``) and every other identity column ``NULL``. The ticket, its events
and its step records are untouched, so every count, duration and overrun of the reports
stays as it was. The case's own texts on the ticket (request detail, answer, notes,
disposition) are the office's record of the service (SOP *Pencatatan*; UU 14/2008's register
of information requests) and carry no identity field: they stay (docs/PRIVACY.md). While a
visit still holds the identity they are data about that person's request, so the access
file carries them per visit (:data:`CASE_TEXTS`). Event payloads here never carry the
personal data or the identity number asked about.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from ult import accounts, eventlog, guestbook
from ult.clock import from_stamp, to_stamp
from ult.errors import invalid, not_found
from ult.kinds import PERSONAL_DATA_KINDS, EventKind
from ult.nik import NikError, check_nik
from ult.transaction import immediate

ERASED_TEXT = ("name", "document_number")
"""Identity columns that are ``NOT NULL``: erased to an empty string."""
ERASED_NULL = tuple(
    field
    for field in guestbook.IDENTITY_FIELDS
    if field not in ERASED_TEXT and field != "document_kind"
)
"""Every other identity column of ``visits`` (the document kind stays: a count by kind is
anonymous): erased to ``NULL``."""

CASE_TEXTS = (
    "topic",
    "request_detail",
    "information_purpose",
    "answer_kind",
    "answer",
    "exemption_ground",
    "exemption_note",
    "escalation_note",
    "forward_note",
    "disposition",
    "relay_note",
    "explanation_mode",
    "explanation_note",
    "outcome",
    "incomplete_reason",
    "cancel_reason",
)
"""The ``tickets`` columns the officers wrote or chose for the case (SOP 8-16): part of the
copy owed to the person on an access request (UU 27/2022 Pasal 7), per visit."""

NUMBER_LIMIT = 40
"""Characters of an identity number asked about (the longest document kind's)."""
AUDIT_PAGE_ROWS = 50
"""Events on one page of the audit list."""

_ERASE_SET = ", ".join(
    [*(f"{c} = ''" for c in ERASED_TEXT), *(f"{c} = NULL" for c in ERASED_NULL), "erased_at = ?"]
)
_CASE_COLUMNS = ", ".join(f"t.{c}" for c in CASE_TEXTS)
_NUMBER = re.compile(r"[A-Z0-9/]{3,40}")
_NORMALISED = "UPPER(REPLACE(REPLACE(REPLACE(v.document_number, ' ', ''), '.', ''), '-', ''))"
"""A stored document number as :func:`identity_number` normalises a typed one."""


# ---------------------------------------------------------------------- retention


@dataclass(frozen=True)
class PurgePlan:
    """What the retention purge erases: ``count`` visits whose business day is at most
    ``up_to`` (the last day past retention), the oldest of them on ``oldest`` (``None`` when
    there is none)."""

    count: int
    up_to: date
    oldest: date | None


def last_expired_day(today: date, retention_days: int) -> date:
    """The newest business day whose visits are past retention: a visit of ``today -
    retention_days`` is exactly ``retention_days`` old and is kept; the day before goes."""
    return today - timedelta(days=retention_days + 1)


def purge_plan(db: sqlite_utils.Database, today: date, retention_days: int) -> PurgePlan:
    """What :func:`purge` would erase on ``today`` (reads only)."""
    up_to = last_expired_day(today, retention_days)
    count, oldest = db.execute(
        "SELECT COUNT(*), MIN(t.day) FROM visits v JOIN tickets t ON t.id = v.ticket_id "
        "WHERE v.erased_at IS NULL AND t.day <= ?",
        (up_to.isoformat(),),
    ).fetchone()
    return PurgePlan(count, up_to, date.fromisoformat(oldest) if oldest else None)


def purge(
    db: sqlite_utils.Database, *, today: date, retention_days: int, at: datetime, actor: str
) -> PurgePlan:
    """Erase the identity of every visit past retention (``[privacy] retention_days``).

    One write transaction: the visits and one ``visits_purged`` event (payload ``count``,
    ``up_to`` the last business day erased, ``oldest``). Visits erased before are not counted
    again; when nothing is due, nothing is written. Returns what was erased.
    """
    with immediate(db):
        plan = purge_plan(db, today, retention_days)
        if plan.count == 0:
            return plan
        erased = db.execute(
            f"UPDATE visits SET {_ERASE_SET} WHERE erased_at IS NULL AND ticket_id IN "
            "(SELECT id FROM tickets WHERE day <= ?)",
            (to_stamp(at), plan.up_to.isoformat()),
        ).rowcount
        eventlog.append(
            db,
            at=at,
            kind=EventKind.VISITS_PURGED,
            actor=actor,
            payload={
                "count": erased,
                "up_to": plan.up_to.isoformat(),
                "oldest": plan.oldest.isoformat() if plan.oldest else None,
                "retention_days": retention_days,
            },
        )
    return PurgePlan(erased, plan.up_to, plan.oldest)


# ---------------------------------------------------------------------- one identity


def identity_number(value: Any) -> str:
    """An identity number as typed, normalised as the guest book searches one: spaces, dots
    and dashes dropped, letters in capitals. Sixteen digits are a NIK and must be a possible
    one (:func:`ult.nik.check_nik`). Raises ``QueueError`` (``identity_number_required``,
    ``nik_invalid``, ``identity_number_invalid``)."""
    text = value if isinstance(value, str) else ""
    clean = text.strip().translate(str.maketrans("", "", " .-")).upper()
    if not clean:
        raise invalid("identity_number_required")
    if clean.isdigit() and len(clean) == 16:
        try:
            return check_nik(clean).nik
        except NikError as error:
            raise invalid("nik_invalid", reason=str(error)) from error
    if not _NUMBER.fullmatch(clean):
        raise invalid("identity_number_invalid", limit=NUMBER_LIMIT)
    return clean


def _held_visits(db: sqlite_utils.Database, number: str) -> list[dict[str, Any]]:
    """The visits not erased whose document number, normalised, is ``number``; oldest
    first, with their ticket's label, business day, service and :data:`CASE_TEXTS`."""
    return list(
        db.query(
            f"SELECT v.*, t.label, t.day, t.service, {_CASE_COLUMNS} FROM visits v "
            "JOIN tickets t ON t.id = v.ticket_id "
            f"WHERE v.erased_at IS NULL AND {_NORMALISED} = ? "
            "ORDER BY t.day, v.recorded_at, v.id",
            (number,),
        )
    )


def held_count(db: sqlite_utils.Database, number: str) -> int:
    """How many visits still hold the identity ``number`` (already normalised)."""
    return len(_held_visits(db, number))


def held_visits(db: sqlite_utils.Database, number: str) -> list[dict[str, Any]]:
    """The visits an erasure of ``number`` (already normalised) would erase, oldest first,
    as the supervisor checks them against the person: ``day`` (``date``), ``ticket``
    (label), ``service`` (letter), ``name``, ``institution`` (``None`` when not given)."""
    return [
        {
            "day": date.fromisoformat(v["day"]),
            "ticket": v["label"],
            "service": v["service"],
            "name": v["name"],
            "institution": v["institution"],
        }
        for v in _held_visits(db, number)
    ]


def identity_record(db: sqlite_utils.Database, number: str) -> dict[str, Any]:
    """Everything held about one identity number (normalised by :func:`identity_number`):
    ``visits`` (every identity field as recorded, with the ticket's label, day and service,
    ``recorded_by`` the officer's name, ``case`` the case's texts :data:`CASE_TEXTS`, ``None``
    where nothing was written) and ``events`` (the processing of those tickets,
    oldest first: ``at`` UTC stamp, ``kind``, ``ticket``, ``sop_step``, ``counter``,
    ``officer``). Reads only."""
    visits = _held_visits(db, number)
    officers = accounts.officer_names(db)
    counters = {r["id"]: r["name"] for r in db.query("SELECT id, name FROM counters")}
    labels = {v["ticket_id"]: v["label"] for v in visits}
    shown = [
        {
            "ticket": v["label"],
            "day": v["day"],
            "service": v["service"],
            **{key: v[key] for key in ("document_kind", "document_number", "name", *ERASED_NULL)},
            "recorded_at": v["recorded_at"],
            "recorded_by": officers.get(v["recorded_by"], v["recorded_by"]),
            "sop_step": v["step"],
            "case": {key: v[key] for key in CASE_TEXTS},
        }
        for v in visits
    ]
    events: list[dict[str, Any]] = []
    if labels:
        marks = ", ".join("?" * len(labels))
        for e in db.query(
            f"SELECT at, kind, ticket_id, sop_step, counter_id, actor FROM events "
            f"WHERE ticket_id IN ({marks}) ORDER BY id",
            list(labels),
        ):
            events.append(
                {
                    "at": e["at"],
                    "kind": e["kind"],
                    "ticket": labels[e["ticket_id"]],
                    "sop_step": e["sop_step"],
                    "counter": counters.get(e["counter_id"]) if e["counter_id"] else None,
                    "officer": officers.get(e["actor"], e["actor"]),
                }
            )
    return {"visits": shown, "events": events}


def export_identity(
    db: sqlite_utils.Database, number: str, *, at: datetime, actor: str, office: str = ""
) -> tuple[bytes, int]:
    """The access request's file (UU 27/2022 Pasal 7): :func:`identity_record` as UTF-8 JSON
    (a format the person can read and carry elsewhere), with the time it was made. Records
    one ``personal_data_exported`` event (``what`` ``access_request``, how many visits and
    events; never the number). Returns ``(file bytes, visits)``. Raises ``QueueError``
    ``identity_not_held`` (404) when no visit holds the number: nothing is recorded."""
    with immediate(db):
        record = identity_record(db, number)
        if not record["visits"]:
            raise not_found("identity_not_held")
        eventlog.append(
            db,
            at=at,
            kind=EventKind.PERSONAL_DATA_EXPORTED,
            actor=actor,
            payload={
                "what": "access_request",
                "visits": len(record["visits"]),
                "events": len(record["events"]),
            },
        )
    body = {"made_at": to_stamp(at), "office": office, "identity_number": number, **record}
    data = json.dumps(body, ensure_ascii=False, indent=1) + "\n"
    return data.encode("utf-8"), len(record["visits"])


def erase_identity(db: sqlite_utils.Database, number: str, *, at: datetime, actor: str) -> int:
    """Erase every visit of one identity number (UU 27/2022 Pasal 8), as the purge does:
    the rows, their tickets, events and step records stay, so statistics stay. One write
    transaction with one ``personal_data_erased`` event (``count``). Returns the count.
    Raises ``QueueError`` ``identity_not_held`` (404) when no visit holds the number."""
    with immediate(db):
        ids = [v["id"] for v in _held_visits(db, number)]
        if not ids:
            raise not_found("identity_not_held")
        marks = ", ".join("?" * len(ids))
        db.execute(f"UPDATE visits SET {_ERASE_SET} WHERE id IN ({marks})", (to_stamp(at), *ids))
        eventlog.append(
            db,
            at=at,
            kind=EventKind.PERSONAL_DATA_ERASED,
            actor=actor,
            payload={"what": "erasure_request", "count": len(ids)},
        )
    return len(ids)


# ---------------------------------------------------------------------- the audit


def record_access(
    db: sqlite_utils.Database,
    *,
    at: datetime,
    actor: str,
    what: str,
    exported: bool = False,
    ticket_id: int | None = None,
    period: tuple[date, date] | None = None,
    **details: Any,
) -> int:
    """Record that ``actor`` saw (or, ``exported``, was handed a file with) unmasked personal
    data: ``what`` names the page, API or export, with the ``ticket_id`` or the ``period``
    (first and last business day) and small ``details`` (flags, counts). Never the data
    itself. Its own write transaction; returns the event id.

    The ticket goes into the payload, not the event's ``ticket_id`` column: the ticket's
    own history (its states, the visitor's live page, the record) is what was done to the
    ticket, and a staff member reading it did nothing to it."""
    payload: dict[str, Any] = {"what": what, **details}
    if ticket_id is not None:
        payload["ticket_id"] = ticket_id
    if period is not None:
        payload["period"] = [period[0].isoformat(), period[1].isoformat()]
    with immediate(db):
        return eventlog.append(
            db,
            at=at,
            kind=EventKind.PERSONAL_DATA_EXPORTED if exported else EventKind.PERSONAL_DATA_VIEWED,
            actor=actor,
            payload=payload,
        )


@dataclass(frozen=True)
class AuditEntry:
    """One audit event as the supervisor reads it."""

    id: int
    at: datetime
    kind: str
    actor: str
    officer: str
    ticket: str | None
    payload: dict[str, Any]


def audit(
    db: sqlite_utils.Database,
    start: date,
    end: date,
    tz: ZoneInfo,
    *,
    actor: str | None = None,
    kind: str | None = None,
    page: int = 1,
) -> tuple[list[AuditEntry], bool]:
    """The personal-data events (:data:`ult.kinds.PERSONAL_DATA_KINDS`) of the office's local days
    ``start``..``end``, newest first, :data:`AUDIT_PAGE_ROWS` per ``page`` (from 1),
    optionally of one ``actor`` (user name) or one ``kind``. Returns the entries and whether
    a further page exists. Raises ``QueueError`` ``choice_invalid`` for an unknown kind."""
    kinds = [str(k) for k in PERSONAL_DATA_KINDS]
    if kind is not None:
        if kind not in kinds:
            raise invalid("audit_kind_invalid", choices=", ".join(kinds))
        kinds = [kind]
    low = datetime.combine(start, time(0), tz)
    high = datetime.combine(end + timedelta(days=1), time(0), tz)
    where = [f"e.kind IN ({', '.join('?' * len(kinds))})", "e.at >= ?", "e.at < ?"]
    params: list[Any] = [*kinds, to_stamp(low), to_stamp(high)]
    if actor is not None:
        where.append("e.actor = ?")
        params.append(actor)
    offset = (max(page, 1) - 1) * AUDIT_PAGE_ROWS
    rows = list(
        db.query(
            "SELECT e.*, t.label FROM events e "
            "LEFT JOIN tickets t ON t.id = json_extract(e.payload, '$.ticket_id') "
            f"WHERE {' AND '.join(where)} ORDER BY e.id DESC LIMIT ? OFFSET ?",
            [*params, AUDIT_PAGE_ROWS + 1, offset],
        )
    )
    officers = accounts.officer_names(db)
    entries = [
        AuditEntry(
            id=r["id"],
            at=from_stamp(r["at"]),
            kind=r["kind"],
            actor=r["actor"],
            officer=officers.get(r["actor"], r["actor"]),
            ticket=r["label"],
            payload=json.loads(r["payload"]),
        )
        for r in rows[:AUDIT_PAGE_ROWS]
    ]
    return entries, len(rows) > AUDIT_PAGE_ROWS
