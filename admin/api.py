"""The JSON API ``/api/v1``: tickets, counters, the SOP actions, and its OpenAPI document.

Devices and scripts (bearer token) and the staff pages (session cookie plus CSRF header)
call the same endpoints; each maps onto one :class:`ult.queue.Queue` method, so one call
is one transaction and one event, attributed to the caller (``Principal.name``).

Endpoints (roles from :data:`admin.actions.ACTION_ROLES`):

==========================================  ============  =======================================
``POST /tickets``                           issue         issue (and print) a ticket → 201
``GET /tickets/{id}``                       view          the ticket and its event history
``POST /tickets/{id}/reprint``              reprint       print an open ticket again
``POST /tickets/{id}/{action}``             the action    one SOP step (``TICKET_ACTIONS``)
``GET /counters``                           view          every counter and what it holds
``GET /counters/{id}/queue``                view          the tickets the counter can call
``POST /counters/{id}/call-next``           call          200 with the ticket, 204 when none waits
``POST /counters/{id}/pause`` / ``resume``  pause/resume  the counter
``GET /visits/latest``                      prefill       a known document's last visit
``GET /openapi.json``                       (no login)    the OpenAPI 3.1 document
==========================================  ============  =======================================

Errors are JSON ``{"error": code, "message": Indonesian text}``: 401 no login, 403 wrong
role, 400 CSRF, 404 unknown ticket or counter, 409 illegal transition, 422 invalid body or
value. A refused request changes nothing (the queue rolls its transaction back; the body is
checked before the queue is touched).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, cast

from flask import Blueprint, jsonify, request

from admin import printing, shapes
from admin.actions import ISSUE_FIELDS, MAX_ROW_ID, TICKET_ACTIONS, Field, TicketAction
from admin.auth import Principal, current_principal, may_reveal, require, unit_scope
from admin.db import get_db, get_queue, settings
from admin.errors import ApiError
from admin.messages import API, ERRORS
from admin.privacy import record_case_view, record_view
from ult import guestbook, queries, sop
from ult.clock import to_stamp
from ult.errors import invalid
from ult.guestbook import visit_of
from ult.messages import STATES, error_text, priority_choices
from ult.queue import (
    Counter,
    Identified,
    Issued,
    Queue,
    Ticket,
)
from ult.settings import BACK_OFFICE

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

CASE_TEXT_FIELDS = (
    "letter_number",
    "request_detail",
    "information_purpose",
    "exemption_note",
    "answer",
    "escalation_note",
    "forward_note",
    "disposition",
    "explanation_note",
)
"""Ticket fields written by case handlers: they may quote the visitor, so roles outside
:data:`admin.auth.CASE_ROLES` get ``null`` for them."""


# ---------------------------------------------------------------------- masking


def mask_phone(phone: str | None) -> str | None:
    """A phone number with all but its last 3 characters hidden (``"*********890"``).

    Fails closed: a value of 4 characters or fewer is hidden entirely. None stays None.
    """
    if phone is None:
        return None
    text = str(phone).strip()
    if len(text) <= 4:
        return "*" * len(text)
    return "*" * (len(text) - 3) + text[-3:]


def mask_text(text: str | None) -> str | None:
    """A personal text (an address, a letter number) hidden whole: ``"***"``; None stays."""
    return None if text is None else "***"


def mask_name(name: str | None) -> str | None:
    """A name reduced to each word's initial (``"Budi Santoso"`` → ``"B*** S***"``)."""
    if name is None:
        return None
    return " ".join(word[0] + "***" for word in str(name).split())


def _shown(value: object) -> str:
    """A client-sent name, safe and short for a message."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return text if len(text) <= 40 else text[:39] + "…"


def _invalid(field: str, reason_key: str) -> ApiError:
    return ApiError(
        422,
        "field_invalid",
        ERRORS["field_invalid"].format(field=_shown(field), reason=API[reason_key]),
    )


def _check_value(name: str, spec: Field, value: Any) -> Any:
    """``value`` when its JSON type fits ``spec``; else :class:`ApiError` 422."""
    if spec.kind in ("counter", "unit") and isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= MAX_ROW_ID:
            return value
        raise _invalid(name, "reason_counter" if spec.kind == "counter" else "reason_unit")
    if spec.kind == "counter":
        raise _invalid(name, "reason_counter")
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise _invalid(name, "reason_boolean")
        return value
    if not isinstance(value, str):
        raise _invalid(name, "reason_unit" if spec.kind == "unit" else "reason_string")
    try:
        # A lone surrogate (JSON allows the escape \ud800 alone) cannot be stored as UTF-8.
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _invalid(name, "reason_encoding") from None
    return value


def read_body(fields: dict[str, Field]) -> dict[str, Any]:
    """The request's JSON object, checked against ``fields``; absent and null optional
    fields are left out, so the queue's defaults apply.

    An empty body is ``{}``. Raises :class:`ApiError` 422: ``body_invalid`` (not JSON, or
    not an object), ``field_unknown``, ``field_required``, ``field_invalid`` (wrong type).
    Values (choices, lengths, NIK, phone) are the queue's to check.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested 10k deep
            raise ApiError(422, "body_invalid", ERRORS["body_invalid"]) from None
    if not isinstance(data, dict):
        raise ApiError(422, "body_invalid", ERRORS["body_invalid"])
    for name in data:
        if name not in fields:
            raise ApiError(422, "field_unknown", ERRORS["field_unknown"].format(field=_shown(name)))
    clean: dict[str, Any] = {}
    for name, spec in fields.items():
        value = data.get(name)
        if value is None:
            if spec.required:
                raise ApiError(422, "field_required", API["field_required"].format(field=name))
            if name in data and not spec.nullable:
                raise _invalid(name, "reason_null")
            continue
        clean[name] = _check_value(name, spec, value)
    return clean


# ---------------------------------------------------------------------- shapes


def _principal() -> Principal:
    principal = current_principal()
    assert principal is not None  # every view here is behind require()
    return principal


def _actor(principal: Principal) -> str:
    # The event log takes 1-64 characters; "token:" plus a 60-character token name is longer.
    return principal.name[:64]


def _stamp(moment: Any) -> str | None:
    return None if moment is None else to_stamp(moment)


def visitor_json(visit: dict[str, Any] | None, *, case_view: bool) -> shapes.Visitor | None:
    """The identity a ticket's visit recorded (:mod:`ult.guestbook`), masked unless
    ``case_view``: document number (:func:`ult.guestbook.mask_document`), phone
    (:func:`mask_phone`), address and letter number hidden, the name reduced to initials.
    ``nik`` is the document number of a KTP, else null (the field of before document
    kinds)."""
    if visit is None:
        return None
    kind = visit["document_kind"]
    number = visit["document_number"]
    data: shapes.Visitor = {
        "name": visit["name"],
        "document_kind": kind,
        "document_number": number,
        "nik": number if kind == "ktp" else None,
        "institution": visit["institution"],
        "phone": visit["phone"],
        "address": visit["address"],
        "occupation": visit["occupation"],
        "represents_name": visit["represents_name"],
        "represents_institution": visit["represents_institution"],
        "letter_type": visit["letter_type"],
        "letter_number": visit["letter_number"],
        "letter_date": visit["letter_date"],
        "recorded_at": visit["recorded_at"],
        "step": visit["step"],
    }
    if not case_view:
        masked = guestbook.mask_document(kind, number)
        data.update(
            name=mask_name(data["name"]) or "",
            document_number=masked or "",
            nik=masked if kind == "ktp" else None,
            phone=mask_phone(data["phone"]),
            address=mask_text(data["address"]),
            letter_number=mask_text(data["letter_number"]),
        )
    return data


def ticket_json(ticket: Ticket, *, case_view: bool) -> shapes.Ticket:
    """A ticket as the API returns it (:class:`admin.shapes.Ticket`).

    Times are UTC stamps (``2026-11-25T02:00:00.000000Z``). ``personal_data`` says whether
    the visitor and the case texts are shown (``"full"``) or masked (``"masked"``). The
    visitor page token is never returned here (only ``visitor_url`` on issue).
    """
    visit = guestbook.visit_of(get_db(), ticket.id)
    data: shapes.Ticket = {
        "id": ticket.id,
        "label": ticket.label,
        "service": ticket.service,
        "issued_service": ticket.issued_service,
        "number": ticket.number,
        "day": ticket.day.isoformat(),
        "topic": ticket.topic,
        "priority": ticket.priority,
        "priority_category": ticket.priority_category,
        "source": ticket.source,
        "state": ticket.state,
        "state_text": STATES[ticket.state],
        "counter_id": ticket.counter_id,
        "front_office_counter_id": ticket.front_office_counter_id,
        "back_office_counter_id": ticket.back_office_counter_id,
        "main_unit_id": ticket.main_unit_id,
        "recalls": ticket.recalls,
        # From the visit (SOP 7), kept at the ticket's top level as before the guest book.
        "acting_for": bool(visit and visit["represents_name"]),
        "letter_type": visit["letter_type"] if visit else None,
        "letter_number": visit["letter_number"] if visit else None,
        "request_detail": ticket.request_detail,
        "information_purpose": ticket.information_purpose,
        "answer_kind": ticket.answer_kind,
        "answer": ticket.answer,
        "exemption_ground": ticket.exemption_ground,
        "exemption_note": ticket.exemption_note,
        "escalation_note": ticket.escalation_note,
        "forward_note": ticket.forward_note,
        "disposition": ticket.disposition,
        "explanation_mode": ticket.explanation_mode,
        "explanation_note": ticket.explanation_note,
        "outcome": ticket.outcome,
        "cancel_reason": ticket.cancel_reason,
        "incomplete_reason": ticket.incomplete_reason,
        "issued_at": _stamp(ticket.issued_at),
        "called_at": _stamp(ticket.called_at),
        "started_at": _stamp(ticket.started_at),
        "released_at": _stamp(ticket.released_at),
        "finished_at": _stamp(ticket.finished_at),
        "printed": ticket.printed,
        "visitor": visitor_json(visit, case_view=case_view),
        "personal_data": "full" if case_view else "masked",
    }
    if not case_view:
        for name in CASE_TEXT_FIELDS:
            data[name] = None
    return data


def event_json(event: queries.Event) -> shapes.Event:
    """One event-log row (:class:`admin.shapes.Event`); its payload never carries personal data."""
    return cast(shapes.Event, event.record(_stamp(event.at)))


def counter_json(counter: Counter) -> shapes.Counter:
    """A counter with what it holds and how much waits for it (:class:`admin.shapes.Counter`).

    ``ticket``: the ticket at a front-office counter (``id, label, state, priority``) or null.
    ``waiting``: tickets it can call (front office), or escalated cases not yet taken
    (back office: its inbox).
    """
    db = get_db()
    held = db.execute(
        "SELECT id, label, state, priority FROM tickets WHERE counter_id = ?", (counter.id,)
    ).fetchone()
    if counter.kind == BACK_OFFICE:
        waiting = db.execute(
            "SELECT COUNT(*) FROM tickets WHERE state = ?", (sop.ESCALATED,)
        ).fetchone()[0]
    else:
        waiting = db.execute(
            "SELECT COUNT(*) FROM tickets t JOIN counter_services cs ON cs.service = t.service "
            "AND cs.counter_id = ? WHERE t.state = ?",
            (counter.id, sop.WAITING),
        ).fetchone()[0]
    return {
        "id": counter.id,
        "name": counter.name,
        "kind": counter.kind,
        "active": counter.active,
        "paused": counter.paused,
        "services": list(counter.services),
        "ticket": (
            None
            if held is None
            else {"id": held[0], "label": held[1], "state": held[2], "priority": bool(held[3])}
        ),
        "waiting": int(waiting),
    }


def _issued_json(
    issued: Issued, *, requested: int | None, case_view: bool, replayed: bool = False
) -> shapes.IssuedTicket:
    ticket = issued.ticket
    return {
        **ticket_json(ticket, case_view=case_view),
        "waiting_ahead": issued.waiting_ahead,
        "estimated_wait_minutes": issued.estimated_wait_minutes,
        "wait_text": issued.wait_text,
        "service_resumes_at": _stamp(issued.resumes_at),
        "printed": bool(ticket.printed),
        "print_request": requested,
        "replayed": replayed,
        "visitor_url": f"{settings().admin.public_base_url}/t/{ticket.token}",
    }


def _key_used_today(queue: Queue, key: str | None) -> bool:
    """Whether ``key`` already issued a ticket today: a device retrying a request whose
    answer it lost gets its ticket back even if the printer has failed since."""
    if key is None:
        return False
    found = get_db().execute(
        "SELECT 1 FROM tickets WHERE day = ? AND idempotency_key = ?",
        (queue.today().isoformat(), key),
    )
    return found.fetchone() is not None


# ---------------------------------------------------------------------- tickets


@bp.post("/tickets")
@require("issue")
def issue_ticket() -> Any:
    """Issue a ticket (SOP 3): body ``{"service", "priority"?, "priority_category"?, "topic"?,
    "print"?, "override"?}``: the category only with priority, and required with it (422
    ``priority_category_missing`` naming the codes and their Indonesian names).

    ``Idempotency-Key`` header: a repeat of the same request on the same business day
    returns the first ticket (``replayed`` true) instead of a new one. With ``print``, the
    printer state its owner (``ult kiosk``) last recorded is read first, as the kiosk button
    asks: one that certainly cannot print (offline, out of paper, none, or no owner running)
    issues nothing → 409 ``printer_unavailable``, so the receptionist can fix it or issue
    without printing. The print itself is a request to the owner (``print_request``: its id,
    the ``print_requested`` event); the answer arrives on the event stream as ``printed``,
    ``print_failed`` or ``print_unconfirmed`` with that ``request`` in its payload, and a
    ticket whose paper is not confirmed is listed for reprint. ``printed`` says whether the
    paper is confirmed already (false while the request waits). Source: ``reception`` for a
    logged-in person, ``api`` for a token.
    → 201 ``IssuedTicket``; 409/422 for the queue's refusals (service unknown, inactive...).
    """
    body = read_body(ISSUE_FIELDS)
    principal = _principal()
    actor = _actor(principal)
    queue = get_queue()
    want_print = body.get("print", False)
    key = request.headers.get("Idempotency-Key")
    if want_print and not _key_used_today(queue, key):
        ready = printing.readiness()
        if not ready.can_print:
            raise ApiError(
                409,
                "printer_unavailable",
                API["printer_unavailable"].format(state=printing.state_text(ready.state)),
            )
    if body.get("priority", False) and body.get("priority_category") is None:
        # Every API caller names the category (a session's source is "reception"); only
        # the kiosk's priority button issues without one (UU 25/2009 Pasal 29).
        raise invalid("priority_category_missing", choices=priority_choices())
    issued = queue.issue(
        body["service"],
        actor=actor,
        priority=body.get("priority", False),
        priority_category=body.get("priority_category"),
        topic=body.get("topic"),
        source="reception" if principal.via == "session" else "api",
        idempotency_key=key,
        override=body.get("override", False),
    )
    requested = None
    # A retried request does not put a second paper out for one visitor, unless the first
    # print failed.
    if want_print and (not issued.replayed or printing.needs_print(issued.ticket.id)):
        source = "reception" if principal.via == "session" else "api"
        requested = printing.ask_to_print(queue, issued.ticket, actor, source)
    payload = _issued_json(
        issued,
        requested=requested,
        case_view=may_reveal(issued.ticket),
        replayed=issued.replayed,
    )
    return jsonify(payload), 201


@bp.get("/tickets/<int:ticket_id>")
@require("view")
def get_ticket(ticket_id: int) -> Any:
    """The ticket, its position while waiting, and its event history, oldest first
    (schema ``TicketDetail``). Personal data masked except for the roles handling the case
    while they handle it (:func:`admin.auth.may_reveal`); a full view by someone sitting at
    none of the case's counters is recorded (``personal_data_viewed``, UU 27/2022). 404
    unknown; 403 for a main-unit account when the case is not with one of its units
    (:func:`require_unit_case`)."""
    queue = get_queue()
    ticket = queue.ticket(ticket_id)
    require_unit_case(ticket)
    standing = queue.standing(ticket.id)
    history = queries.ticket_history(get_db(), ticket.id)
    revealed = may_reveal(ticket)
    if revealed and visit_of(get_db(), ticket.id) is not None:
        record_case_view(ticket, "ticket_api")
    detail: shapes.TicketDetail = {
        **ticket_json(ticket, case_view=revealed),
        "waiting_ahead": standing.waiting_ahead,
        "estimated_wait_minutes": standing.estimated_wait_minutes,
        # Worded only while it waits: a called or finished ticket has no wait to tell.
        "wait_text": standing.wait_text if ticket.state == sop.WAITING else None,
        "service_resumes_at": _stamp(standing.resumes_at),
        "events": [event_json(e) for e in history],
    }
    return jsonify(detail)


@bp.post("/tickets/<int:ticket_id>/reprint")
@require("reprint")
def reprint_ticket(ticket_id: int) -> Any:
    """Print an open ticket again with its current position (no body).

    The print is a request to the printer's owner, as for ``POST /tickets``:
    → 200 ``IssuedTicket`` with ``print_request`` (its id; the outcome follows on the event
    stream; ``null`` when no owner runs, then ``print_failed`` with reason ``no_owner`` is
    recorded) and ``printed`` as recorded so far. 404 unknown; 409 ``reprint_closed`` for a
    ticket already done, cancelled or expired.
    """
    read_body({})
    principal = _principal()
    queue = get_queue()
    ticket = queue.ticket(ticket_id)
    if ticket.state in sop.FINAL_STATES:
        raise ApiError(
            409,
            "reprint_closed",
            API["reprint_closed"].format(label=ticket.label, state=STATES[ticket.state]),
        )
    source = "reception" if principal.via == "session" else "api"
    requested = printing.ask_to_print(queue, ticket, _actor(principal), source)
    issued = queue.standing(ticket.id)
    return jsonify(_issued_json(issued, requested=requested, case_view=may_reveal(issued.ticket)))


def require_unit_case(ticket: Ticket) -> None:
    """Refuse (403, Indonesian; pages and API alike) a main-unit account a case that is not
    with one of its units (:func:`admin.auth.unit_scope`); an account bound to no unit is
    told to ask the supervisor. Other principals pass."""
    scope = unit_scope()
    if scope is None:
        return
    if not scope:
        raise ApiError(403, "unit_unbound", error_text("unit_unbound"))
    if ticket.main_unit_id not in scope:
        raise ApiError(
            403, "case_not_for_unit", error_text("case_not_for_unit", label=ticket.label)
        )


def _main_unit(ticket_id: int) -> int | None:
    """The main unit a ticket's case is with (None: with none)."""
    row = get_db().execute("SELECT main_unit_id FROM tickets WHERE id = ?", (ticket_id,))
    return cast(int | None, row.fetchone()[0])


def _action_view(action: TicketAction) -> Callable[[int], Any]:
    def view(ticket_id: int) -> Any:
        body = read_body(action.fields)
        # A main-unit account answers only its own units' cases.
        require_unit_case(get_queue().ticket(ticket_id))
        principal = _principal()
        result = action.run(get_queue(), ticket_id, body, _actor(principal))
        if isinstance(result, Identified):
            data = ticket_json(result.ticket, case_view=may_reveal(result.ticket))
            data["warnings"] = list(result.warnings)
        else:
            data = ticket_json(result, case_view=may_reveal(result))
        return jsonify(data)

    view.__name__ = f"ticket_{action.name.replace('-', '_')}"
    view.__doc__ = f"{action.summary} → 200 ``Ticket``; 404/409/422 from the queue."
    return view


for _action in TICKET_ACTIONS.values():
    _view = require(_action.name)(_action_view(_action))
    for _segment in (_action.name, *_action.aliases):  # an alias is the same endpoint
        bp.add_url_rule(
            f"/tickets/<int:ticket_id>/{_segment}",
            endpoint=f"ticket_{_action.name.replace('-', '_')}",
            view_func=_view,
            methods=["POST"],
        )


# ---------------------------------------------------------------------- counters


@bp.get("/counters")
@require("view")
def list_counters() -> Any:
    """Every counter, front office first: ``{"counters": [Counter...]}``."""
    listing: shapes.CounterList = {"counters": [counter_json(d) for d in get_queue().counters()]}
    return jsonify(listing)


@bp.get("/counters/<int:counter_id>/queue")
@require("view")
def counter_queue(counter_id: int) -> Any:
    """What a counter can take next: ``{"counter": Counter, "tickets": [QueueItem...]}``.

    Front office: the waiting tickets of its services, priority first then in line order
    (:func:`ult.queries.counter_queue`; the interleave rule may call a normal ticket
    first). Back office: the escalated cases not yet taken. 404 unknown counter. A main-unit
    account sees only the cases with its units (:func:`require_unit_case`'s rule): none wait
    at a counter, so its list is empty.
    """
    counter = get_queue().counter(counter_id)
    if counter.kind == BACK_OFFICE:
        found = get_db().execute(
            "SELECT id, label, service, priority, topic FROM tickets WHERE state = ? "
            "ORDER BY queue_seq LIMIT 50",
            (sop.ESCALATED,),
        )
        items = [
            dict(zip(("id", "label", "service", "priority", "topic"), r, strict=True))
            for r in found
        ]
    else:
        items = queries.counter_queue(get_db(), counter.id)
    scope = unit_scope()
    if scope is not None:
        items = [item for item in items if _main_unit(item["id"]) in scope]
    tickets: list[shapes.QueueItem] = [
        {**item, "priority": bool(item["priority"])} for item in items
    ]
    lined_up: shapes.CounterQueue = {"counter": counter_json(counter), "tickets": tickets}
    return jsonify(lined_up)


@bp.post("/counters/<int:counter_id>/call-next")
@require("call")
def call_next(counter_id: int) -> Any:
    """Call the next ticket for a front-office counter (SOP 5), no body.

    → 200 ``Ticket``, or 204 with no body when nothing waits for it. 404 unknown counter;
    409 paused, inactive, back office, or still holding a ticket (``counter_busy``).
    """
    read_body({})
    principal = _principal()
    ticket = get_queue().call_next(counter_id, actor=_actor(principal))
    if ticket is None:
        return "", 204
    return jsonify(ticket_json(ticket, case_view=may_reveal(ticket)))


@bp.post("/counters/<int:counter_id>/pause")
@require("pause")
def pause_counter(counter_id: int) -> Any:
    """Pause a front-office counter: it calls nothing until resumed. → 200 ``Counter``;
    409 already paused or not front office; 404 unknown."""
    read_body({})
    return jsonify(counter_json(get_queue().pause(counter_id, actor=_actor(_principal()))))


@bp.post("/counters/<int:counter_id>/resume")
@require("resume")
def resume_counter(counter_id: int) -> Any:
    """Resume a paused counter. → 200 ``Counter``; 409 not paused; 404 unknown."""
    read_body({})
    return jsonify(counter_json(get_queue().resume(counter_id, actor=_actor(_principal()))))


# ---------------------------------------------------------------------- guest book


@bp.get("/visits/latest")
@require("prefill")
def latest_visit() -> Any:
    """The most recent visit with a document, to pre-fill an identity form: query
    ``document_kind`` (default ``ktp``) and ``document_number`` (cleaned as the queue does:
    a NIK's spaces, dots and dashes are ignored). → 200 ``PrefillAnswer`` (``visit`` null
    when never recorded); 422 for a number its kind cannot have. Saving the identity
    afterwards with another name is refused (409 ``name_differs``) unless confirmed. A visit
    found is recorded as a ``personal_data_viewed`` event (UU 27/2022; never the data)."""
    kind, number, _warnings = guestbook.document_number(
        request.args.get("document_kind") or "ktp", request.args.get("document_number", "")
    )
    db = get_db()
    latest = guestbook.latest_visit(db, kind, number)
    if latest is None:
        return jsonify(visit=None)
    # UU 27/2022: another visit's identity shown unmasked is recorded (whose ticket).
    record_view("prefill_api", ticket_id=latest["ticket_id"])
    label, day = db.execute(
        "SELECT label, day FROM tickets WHERE id = ?", (latest["ticket_id"],)
    ).fetchone()
    visit: shapes.Prefill = {
        "document_kind": kind,
        "document_number": number,
        "name": latest["name"],
        "institution": latest["institution"],
        "phone": latest["phone"],
        "address": latest["address"],
        "occupation": latest["occupation"],
        "label": label,
        "day": day,
        "recorded_at": latest["recorded_at"],
    }
    answer: shapes.PrefillAnswer = {"visit": visit}
    return jsonify(answer)


# ---------------------------------------------------------------------- document


@bp.get("/openapi.json")
def openapi_document() -> Any:
    """The OpenAPI 3.1 document of this API, the board stream and ``/healthz`` (no login)."""
    from admin.openapi import document

    return jsonify(document())
