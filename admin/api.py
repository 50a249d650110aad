"""The JSON API ``/api/v1``: tickets, counters, the SOP actions, and its OpenAPI document.

Devices and scripts (bearer token) and the staff pages (session cookie plus CSRF header)
call the same endpoints; each maps onto one :class:`ult.queue.Queue` method, so one call
is one transaction and one event, attributed to the caller (``Principal.name``).

Endpoints (roles from :data:`admin.auth.ACTION_ROLES`):

==========================================  ============  =======================================
``POST /tickets``                           issue         issue (and print) a ticket → 201
``GET /tickets/{id}``                       view          the ticket and its event history
``POST /tickets/{id}/reprint``              reprint       print an open ticket again
``POST /tickets/{id}/{action}``             the action    one SOP step (:data:`TICKET_ACTIONS`)
``GET /counters``                           view          every counter and what it holds
``GET /counters/{id}/queue``                view          the tickets the counter can call
``POST /counters/{id}/call-next``           call          200 with the ticket, 204 when none waits
``POST /counters/{id}/pause`` / ``resume``  pause/resume  the counter
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
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from admin.auth import Principal, current_principal, may_reveal, require
from admin.db import get_db, get_queue, settings
from admin.errors import ApiError
from admin.messages import API, ERRORS
from ult import queries, sop
from ult.clock import to_stamp
from ult.messages import STATES
from ult.nik import mask_nik as _mask_nik
from ult.queue import (
    ANSWER_KINDS,
    EXPLANATION_MODES,
    LETTER_TYPES,
    OUTCOMES,
    Counter,
    Identified,
    Issued,
    Queue,
    Ticket,
)
from ult.settings import BACK_OFFICE

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_ROW_ID = 2**63 - 1
"""Largest id SQLite can hold; a bigger number in a body is refused as invalid (422)."""
SERVICE_PATTERN = "^[A-Za-z]$"
"""A service letter as documented (the queue also takes it with spaces, in any case)."""
TEXT_LIMIT = 2000
"""Free-text fields (request detail, answers, notes, *disposisi*): the domain's limit."""
CASE_TEXT_FIELDS = (
    "letter_number",
    "request_detail",
    "answer",
    "escalation_note",
    "forward_note",
    "disposition",
    "explanation_note",
)
"""Ticket fields written by case handlers: they may quote the visitor, so roles outside
:data:`admin.auth.CASE_ROLES` get ``null`` for them."""


# ---------------------------------------------------------------------- masking


def mask_nik(nik: str | None) -> str | None:
    """A NIK as roles outside the case may see it (``"1271**********01"``); None stays None.

    The domain's rule (:func:`ult.nik.mask_nik`): region kept, birth date, sex and most of
    the serial hidden; anything that is not a NIK becomes 16 asterisks.
    """
    return None if nik is None else _mask_nik(str(nik))


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


def mask_name(name: str | None) -> str | None:
    """A name reduced to each word's initial (``"Budi Santoso"`` → ``"B*** S***"``)."""
    if name is None:
        return None
    return " ".join(word[0] + "***" for word in str(name).split())


# ---------------------------------------------------------------------- body fields


@dataclass(frozen=True)
class Field:
    """One field of a JSON body.

    ``kind``: ``"counter"`` (a counter id, integer ≥ 1), ``"unit"`` (a main unit id or name),
    ``"text"`` (a string; values are checked by the domain), ``"bool"``, ``"choice"`` (a
    string, one of ``choices``; checked by the domain with an Indonesian message).
    ``required``: must be present and not null. ``nullable``: an explicit null is accepted
    and means the same as leaving the field out. ``max_length``, ``pattern``, ``choices`` and
    ``description`` are for the OpenAPI document (the queue checks the values).
    """

    kind: str
    required: bool = False
    nullable: bool = False
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    pattern: str | None = None
    description: str = ""


def _counter_field(description: str, *, required: bool = True) -> Field:
    return Field("counter", required=required, nullable=not required, description=description)


_FRONT = "Front-office counter id holding the ticket."
_BACK = "Back-office counter id."

ISSUE_FIELDS: dict[str, Field] = {
    "service": Field(
        "text", required=True, pattern=SERVICE_PATTERN, description="Service letter (A..D)."
    ),
    "priority": Field("bool", description="Priority visitor; default false."),
    "topic": Field("text", nullable=True, max_length=120, description="Topic of the service."),
    "print": Field("bool", description="Print on the ticket printer; default false."),
}
"""Body of ``POST /tickets``."""


@dataclass(frozen=True)
class TicketAction:
    """One ``POST /tickets/{id}/{name}`` endpoint.

    ``name`` is the URL segment and the :data:`admin.auth.ACTION_ROLES` key; ``transition``
    the :data:`ult.sop.TRANSITIONS` key (its event kind and SOP step); ``fields`` the body;
    ``run(queue, ticket_id, body, actor)`` calls the queue with the checked body.
    """

    name: str
    transition: str
    fields: dict[str, Field]
    run: Callable[[Queue, int, dict[str, Any], str], Ticket | Identified]
    summary: str


def _at_counter(method: str) -> Callable[[Queue, int, dict[str, Any], str], Ticket | Identified]:
    """``queue.<method>(ticket, counter, actor=..., **rest_of_body)``: the body's field names
    are the method's keyword names, so the checked body is passed as it is."""

    def run(queue: Queue, ticket: int, body: dict[str, Any], actor: str) -> Ticket | Identified:
        rest = dict(body)
        counter = rest.pop("counter")
        return getattr(queue, method)(ticket, counter, actor=actor, **rest)

    return run


def _anywhere(method: str) -> Callable[[Queue, int, dict[str, Any], str], Ticket | Identified]:
    """``queue.<method>(ticket, actor=..., **body)`` for actions with an optional counter."""

    def run(queue: Queue, ticket: int, body: dict[str, Any], actor: str) -> Ticket | Identified:
        return getattr(queue, method)(ticket, actor=actor, **body)

    return run


def _call(queue: Queue, ticket: int, body: dict[str, Any], actor: str) -> Ticket:
    return queue.call_specific(body["counter"], ticket, actor=actor)


def _transfer(queue: Queue, ticket: int, body: dict[str, Any], actor: str) -> Ticket:
    rest = dict(body)
    return queue.transfer(ticket, rest.pop("service"), actor=actor, **rest)


def _text(description: str, *, required: bool = True, limit: int = TEXT_LIMIT) -> Field:
    return Field(
        "text", required=required, nullable=not required, max_length=limit, description=description
    )


TICKET_ACTIONS: dict[str, TicketAction] = {
    a.name: a
    for a in (
        TicketAction(
            "call",
            "call",
            {"counter": _counter_field("Front-office counter that calls the ticket.")},
            _call,
            "Call this waiting ticket to a counter, out of order (SOP 5).",
        ),
        TicketAction(
            "recall",
            "recall",
            {"counter": _counter_field(_FRONT)},
            _at_counter("recall"),
            "Announce the called ticket again (SOP 5), after the cooldown.",
        ),
        TicketAction(
            "no-show",
            "no_show",
            {"counter": _counter_field(_FRONT)},
            _at_counter("no_show"),
            "The called visitor did not come, after the required recalls (SOP 5).",
        ),
        TicketAction(
            "reactivate",
            "reactivate",
            {},
            _anywhere("reactivate"),
            "Put a no-show back at the end of the line with the same number (SOP 4).",
        ),
        TicketAction(
            "start",
            "start",
            {"counter": _counter_field(_FRONT)},
            _at_counter("start"),
            "The visitor is at the desk: service starts (SOP 6).",
        ),
        TicketAction(
            "identify",
            "identify",
            {
                "counter": _counter_field(_FRONT),
                "name": _text("Visitor's name.", limit=100),
                "nik": Field("text", required=True, max_length=16, description="16-digit NIK."),
                "institution": _text("Institution.", required=False, limit=120),
                "phone": _text("Phone, 8-15 digits, +62 or 0 prefix.", required=False, limit=20),
                "acting_for": Field("bool", description="Acting for someone else (default false)."),
                "letter_type": Field(
                    "choice",
                    nullable=True,
                    choices=LETTER_TYPES,
                    description="Letter of someone acting for another person.",
                ),
                "letter_number": _text("Number of that letter.", required=False, limit=60),
            },
            _at_counter("identify"),
            "Record the visitor's identity (SOP 7); NIK warnings are returned.",
        ),
        TicketAction(
            "detail",
            "detail",
            {"counter": _counter_field(_FRONT), "text": _text("What the visitor asks for.")},
            _at_counter("detail"),
            "Record the request (SOP 8).",
        ),
        TicketAction(
            "answer",
            "answer",
            {
                "counter": _counter_field(_FRONT),
                "kind": Field("choice", required=True, choices=ANSWER_KINDS),
                "text": _text("The answer given."),
            },
            _at_counter("answer"),
            "Answer at the desk: information available or excepted (SOP 9a).",
        ),
        TicketAction(
            "escalate",
            "escalate",
            {"counter": _counter_field(_FRONT), "note": _text("Note for the back office.")},
            _at_counter("escalate"),
            "Hand the case to the back office; frees the counter (SOP 9b-10).",
        ),
        TicketAction(
            "take",
            "take",
            {"counter": _counter_field(_BACK)},
            _at_counter("take"),
            "A back-office counter takes the escalated case (SOP 11).",
        ),
        TicketAction(
            "resolve",
            "resolve",
            {"counter": _counter_field(_BACK), "text": _text("The answer for the visitor.")},
            _at_counter("resolve"),
            "The back office settles the case; the answer is ready (SOP 12).",
        ),
        TicketAction(
            "forward",
            "forward",
            {
                "counter": _counter_field(_BACK),
                "unit": Field("unit", required=True, description="Main unit id or name."),
                "note": _text("Note for the main unit.", required=False),
            },
            _at_counter("forward"),
            "Forward the case to a main unit (SOP 13).",
        ),
        TicketAction(
            "directions",
            "directions",
            {
                "counter": _counter_field(
                    "Back-office counter relaying the directions (omit for the unit itself).",
                    required=False,
                ),
                "text": _text("The main unit's directions (disposisi)."),
            },
            _anywhere("directions"),
            "Record the main unit's directions (disposisi); the answer is ready (SOP 14).",
        ),
        TicketAction(
            "explain",
            "explain",
            {
                "counter": _counter_field(
                    "Front-office counter; a free one takes a case returned by the back office."
                ),
                "mode": Field("choice", required=True, choices=EXPLANATION_MODES),
                "note": _text("Note.", required=False),
            },
            _at_counter("explain"),
            "Explain the answer to the visitor, directly or indirectly (SOP 15).",
        ),
        TicketAction(
            "finish",
            "finish",
            {
                "counter": _counter_field(_FRONT),
                "outcome": Field(
                    "choice", choices=OUTCOMES, description="Default resolved (tuntas)."
                ),
                "survey_invited": Field("bool", description="Visitor invited to the SKM."),
            },
            _at_counter("finish"),
            "Close the service record and invite the visitor to the survey (SOP 16).",
        ),
        TicketAction(
            "cancel",
            "cancel",
            {
                "reason": _text("Why the ticket is cancelled.", limit=300),
                "counter": _counter_field(
                    "The counter holding the ticket (omit for reception/supervisor).",
                    required=False,
                ),
            },
            _anywhere("cancel"),
            "Cancel an open ticket with a reason; frees its counter.",
        ),
        TicketAction(
            "transfer",
            "transfer",
            {
                "service": Field(
                    "text", required=True, pattern=SERVICE_PATTERN, description="New service."
                ),
                "counter": _counter_field(
                    "The counter holding the ticket (omit while it waits).", required=False
                ),
            },
            _transfer,
            "Move the ticket to another service's line, keeping its label and place.",
        ),
    )
}
"""Every ``POST /tickets/{id}/{action}`` endpoint, by URL segment."""


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


def visitor_json(visitor_id: int | None, *, case_view: bool) -> dict[str, Any] | None:
    """The visitor of a ticket: ``{"name", "nik", "institution", "phone"}``, masked unless
    ``case_view`` (NIK and phone per :func:`mask_nik`/:func:`mask_phone`, name initials)."""
    if visitor_id is None:
        return None
    found = (
        get_db()
        .execute("SELECT name, nik, institution, phone FROM visitors WHERE id = ?", (visitor_id,))
        .fetchone()
    )
    if found is None:
        return None
    name, nik, institution, phone = found
    if case_view:
        return {"name": name, "nik": nik, "institution": institution, "phone": phone}
    return {
        "name": mask_name(name),
        "nik": mask_nik(nik),
        "institution": institution,
        "phone": mask_phone(phone),
    }


def ticket_json(ticket: Ticket, *, case_view: bool) -> dict[str, Any]:
    """A ticket as the API returns it (schema ``Ticket`` in the OpenAPI document).

    Times are UTC stamps (``2026-11-25T02:00:00.000000Z``). ``personal_data`` says whether
    the visitor and the case texts are shown (``"full"``) or masked (``"masked"``). The
    visitor page token is never returned here (only ``visitor_url`` on issue).
    """
    data: dict[str, Any] = {
        "id": ticket.id,
        "label": ticket.label,
        "service": ticket.service,
        "issued_service": ticket.issued_service,
        "number": ticket.number,
        "day": ticket.day.isoformat(),
        "topic": ticket.topic,
        "priority": ticket.priority,
        "source": ticket.source,
        "state": ticket.state,
        "state_text": STATES[ticket.state],
        "counter_id": ticket.counter_id,
        "front_office_counter_id": ticket.front_office_counter_id,
        "back_office_counter_id": ticket.back_office_counter_id,
        "main_unit_id": ticket.main_unit_id,
        "recalls": ticket.recalls,
        "acting_for": ticket.acting_for,
        "letter_type": ticket.letter_type,
        "letter_number": ticket.letter_number,
        "request_detail": ticket.request_detail,
        "answer_kind": ticket.answer_kind,
        "answer": ticket.answer,
        "escalation_note": ticket.escalation_note,
        "forward_note": ticket.forward_note,
        "disposition": ticket.disposition,
        "explanation_mode": ticket.explanation_mode,
        "explanation_note": ticket.explanation_note,
        "outcome": ticket.outcome,
        "cancel_reason": ticket.cancel_reason,
        "issued_at": _stamp(ticket.issued_at),
        "called_at": _stamp(ticket.called_at),
        "started_at": _stamp(ticket.started_at),
        "released_at": _stamp(ticket.released_at),
        "finished_at": _stamp(ticket.finished_at),
        "printed": ticket.printed,
        "visitor": visitor_json(ticket.visitor_id, case_view=case_view),
        "personal_data": "full" if case_view else "masked",
    }
    if not case_view:
        for name in CASE_TEXT_FIELDS:
            data[name] = None
    return data


def event_json(event: queries.Event) -> dict[str, Any]:
    """One event-log row (schema ``Event``); its payload never carries personal data."""
    return {
        "id": event.id,
        "at": _stamp(event.at),
        "kind": event.kind,
        "ticket_id": event.ticket_id,
        "counter_id": event.counter_id,
        "sop_step": event.sop_step,
        "actor": event.actor,
        "payload": event.payload,
    }


def counter_json(desk: Counter) -> dict[str, Any]:
    """A counter with what it holds and how much waits for it (schema ``Counter``).

    ``ticket``: the ticket at a front-office desk (``id, label, state, priority``) or null.
    ``waiting``: tickets it can call (front office), or escalated cases not yet taken
    (back office: its inbox).
    """
    db = get_db()
    held = db.execute(
        "SELECT id, label, state, priority FROM tickets WHERE counter_id = ?", (desk.id,)
    ).fetchone()
    if desk.kind == BACK_OFFICE:
        waiting = db.execute(
            "SELECT COUNT(*) FROM tickets WHERE state = ?", (sop.ESCALATED,)
        ).fetchone()[0]
    else:
        waiting = db.execute(
            "SELECT COUNT(*) FROM tickets t JOIN counter_services cs ON cs.service = t.service "
            "AND cs.counter_id = ? WHERE t.state = ?",
            (desk.id, sop.WAITING),
        ).fetchone()[0]
    return {
        "id": desk.id,
        "name": desk.name,
        "kind": desk.kind,
        "active": desk.active,
        "paused": desk.paused,
        "services": list(desk.services),
        "ticket": (
            None
            if held is None
            else {"id": held[0], "label": held[1], "state": held[2], "priority": bool(held[3])}
        ),
        "waiting": int(waiting),
    }


def _issued_json(
    issued: Issued, *, printed: bool, case_view: bool, replayed: bool = False
) -> dict[str, Any]:
    ticket = issued.ticket
    return {
        **ticket_json(ticket, case_view=case_view),
        "waiting_ahead": issued.waiting_ahead,
        "estimated_wait_minutes": issued.estimated_wait_minutes,
        "printed": printed,
        "replayed": replayed,
        "visitor_url": f"{settings().admin.public_base_url}/t/{ticket.token}",
    }


# ---------------------------------------------------------------------- printing


def ticket_output() -> Any:
    """The app's :class:`printer.output.TicketOutput`, built once from ``[printer]``.

    One per app, so a printer that stopped answering status questions is left alone for
    a while (the output remembers); tests may put a fake in
    ``app.extensions["ult_ticket_output"]``. Raises ``PrinterSetupError`` for a setting
    that cannot work. python-escpos is imported here, not at the top: it takes ~0.4 s.
    """
    output = current_app.extensions.get("ult_ticket_output")
    if output is None:
        from printer.output import TicketOutput

        output = TicketOutput.from_settings(settings().printer)
        current_app.extensions["ult_ticket_output"] = output
    return output


def _printer_lock() -> threading.Lock:
    # One ticket at a time on the one printer: two threads writing to a USB or serial
    # device at once interleave their bytes.
    return current_app.extensions.setdefault("ult_printer_lock", threading.Lock())


def _dispenser(queue: Queue) -> Any:
    from kiosk.dispense import Dispenser

    return Dispenser(queue, ticket_output(), settings())


def _check_printer(queue: Queue, actor: str) -> Any:
    """Ask the printer (recording a state change); a setup error or an unexpected failure
    reads as a printer that cannot print, or may, but never as a server error."""
    from printer.output import Check, PrinterSetupError

    try:
        with _printer_lock():
            return _dispenser(queue).check(actor=actor)
    except PrinterSetupError as error:
        log.error("printer setup: %s", error)
        return Check("disabled", False, str(error))
    except Exception:  # a driver error must not fail the request: the print may still work
        log.exception("printer check failed")
        return Check("unknown", True)


def _print(queue: Queue, ticket: Ticket, actor: str) -> bool:
    """Print ``ticket`` with its current position; True when the paper came out.

    :meth:`kiosk.dispense.Dispenser.reprint` records ``printed`` or ``print_failed``;
    anything else that goes wrong is recorded as ``print_failed`` (``error``) here, since
    the ticket exists either way and reception reprints it.
    """
    try:
        with _printer_lock():
            return bool(_dispenser(queue).reprint(ticket.id, actor=actor).printed)
    except Exception:
        log.exception("ticket %s did not print", ticket.label)
        try:
            queue.record_print(ticket.id, actor=actor, printed=False, reason="error")
        except Exception:
            log.exception("recording the failed print of %s failed", ticket.label)
        return False


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
    """Issue a ticket (SOP 3): body ``{"service", "priority"?, "topic"?, "print"?}``.

    ``Idempotency-Key`` header: a repeat of the same request on the same business day
    returns the first ticket (``replayed`` true) instead of a new one. With ``print``, the
    printer is asked first, as the kiosk button does: one that certainly cannot print
    (offline, out of paper, none) issues nothing → 409 ``printer_unavailable``, so the
    receptionist can fix it or issue without printing. A print that fails after the
    ticket is issued still answers 201 with ``printed`` false; the ticket is listed for
    reprint. Source: ``reception`` for a logged-in person, ``api`` for a token.
    → 201 ``IssuedTicket``; 409/422 for the queue's refusals (service unknown, inactive...).
    """
    body = read_body(ISSUE_FIELDS)
    principal = _principal()
    actor = _actor(principal)
    queue = get_queue()
    want_print = body.get("print", False)
    key = request.headers.get("Idempotency-Key")
    if want_print and not _key_used_today(queue, key):
        check = _check_printer(queue, actor)
        if not check.can_issue:
            from printer.output import state_text

            raise ApiError(
                409,
                "printer_unavailable",
                API["printer_unavailable"].format(state=state_text(check.state)),
            )
    issued = queue.issue(
        body["service"],
        actor=actor,
        priority=body.get("priority", False),
        topic=body.get("topic"),
        source="reception" if principal.via == "session" else "api",
        idempotency_key=key,
    )
    if issued.replayed and issued.ticket.printed:
        printed = True  # the first request's paper came out: do not print a second ticket
    elif want_print:
        printed = _print(queue, issued.ticket, actor)
    else:
        printed = bool(issued.ticket.printed)
    payload = _issued_json(
        issued, printed=printed, case_view=may_reveal(issued.ticket), replayed=issued.replayed
    )
    return jsonify(payload), 201


@bp.get("/tickets/<int:ticket_id>")
@require("view")
def get_ticket(ticket_id: int) -> Any:
    """The ticket, its position while waiting, and its event history, oldest first
    (schema ``TicketDetail``). Personal data masked except for the roles handling the case
    while they handle it (:func:`admin.auth.may_reveal`). 404 unknown."""
    queue = get_queue()
    ticket = queue.ticket(ticket_id)
    ahead, minutes = queue.position(ticket.id)
    history = queries.ticket_history(get_db(), ticket.id)
    return jsonify(
        {
            **ticket_json(ticket, case_view=may_reveal(ticket)),
            "waiting_ahead": ahead,
            "estimated_wait_minutes": minutes,
            "events": [event_json(e) for e in history],
        }
    )


@bp.post("/tickets/<int:ticket_id>/reprint")
@require("reprint")
def reprint_ticket(ticket_id: int) -> Any:
    """Print an open ticket again with its current position (no body).

    → 200 ``IssuedTicket`` with ``printed`` (false when the printer failed again; the
    ticket stays listed for reprint). 404 unknown; 409 ``reprint_closed`` for a ticket
    already done, cancelled or expired.
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
    printed = _print(queue, ticket, _actor(principal))
    ahead, minutes = queue.position(ticket.id)
    issued = Issued(queue.ticket(ticket.id), ahead, minutes)
    return jsonify(_issued_json(issued, printed=printed, case_view=may_reveal(issued.ticket)))


def _action_view(action: TicketAction) -> Callable[[int], Any]:
    def view(ticket_id: int) -> Any:
        body = read_body(action.fields)
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
    bp.add_url_rule(
        f"/tickets/<int:ticket_id>/{_action.name}",
        endpoint=f"ticket_{_action.name.replace('-', '_')}",
        view_func=require(_action.name)(_action_view(_action)),
        methods=["POST"],
    )


# ---------------------------------------------------------------------- counters


@bp.get("/counters")
@require("view")
def list_counters() -> Any:
    """Every counter, front office first: ``{"counters": [Counter...]}``."""
    return jsonify({"counters": [counter_json(desk) for desk in get_queue().counters()]})


@bp.get("/counters/<int:counter_id>/queue")
@require("view")
def counter_queue(counter_id: int) -> Any:
    """What a counter can take next: ``{"counter": Counter, "tickets": [QueueItem...]}``.

    Front office: the waiting tickets of its services, priority first then in line order
    (:func:`ult.queries.counter_queue`; the interleave rule may call a normal ticket
    first). Back office: the escalated cases not yet taken. 404 unknown counter.
    """
    desk = get_queue().counter(counter_id)
    if desk.kind == BACK_OFFICE:
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
        items = queries.counter_queue(get_db(), desk.id)
    tickets = [{**item, "priority": bool(item["priority"])} for item in items]
    return jsonify({"counter": counter_json(desk), "tickets": tickets})


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


# ---------------------------------------------------------------------- document


@bp.get("/openapi.json")
def openapi_document() -> Any:
    """The OpenAPI 3.1 document of this API, the board stream and ``/healthz`` (no login)."""
    from admin.openapi import document

    return jsonify(document())
