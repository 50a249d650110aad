"""The table of actions the JSON API, its OpenAPI document and the staff pages share.

Who may do what (:data:`ACTION_ROLES`), the body of ``POST /tickets``
(:data:`ISSUE_FIELDS`) and every ``POST /tickets/{id}/{action}`` endpoint
(:data:`TICKET_ACTIONS`), with the :class:`Field` specs the API checks bodies against and
the OpenAPI document describes. Only the core is imported here, so :mod:`admin.api`,
:mod:`admin.openapi` and :mod:`admin.auth` all read it without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ult import accounts, sop
from ult.guestbook import DOCUMENT_KIND_KEYS
from ult.messages import EXEMPTIONS
from ult.queue import (
    ANSWER_KINDS,
    EXPLANATION_MODES,
    INCOMPLETE_REASONS,
    LETTER_TYPES,
    OUTCOMES,
    Identified,
    Queue,
    Ticket,
)

ACTION_ROLES: dict[str, tuple[str, ...]] = {
    "issue": ("receptionist", "supervisor"),
    "reprint": ("receptionist", "supervisor"),
    "call": ("front_office", "supervisor"),
    "recall": ("front_office", "supervisor"),
    "no-show": ("front_office", "supervisor"),
    "reactivate": ("front_office", "receptionist", "supervisor"),
    "start": ("front_office", "supervisor"),
    "identify": ("front_office", "supervisor"),
    "detail": ("front_office", "supervisor"),
    "answer": ("front_office", "supervisor"),
    "consult": ("front_office", "supervisor"),
    "escalate": ("front_office", "supervisor"),
    "explain": ("front_office", "supervisor"),
    # A returned case's visitor called back to a counter (issue 14, SOP 15).
    "call-back": ("front_office", "supervisor"),
    "finish": ("front_office", "supervisor"),
    "transfer": ("front_office", "receptionist", "supervisor"),
    "cancel": ("front_office", "receptionist", "supervisor"),
    # A waiting visitor found to need priority (UU 25/2009 Pasal 29) is marked at reception.
    "prioritize": ("receptionist", "supervisor"),
    "pause": ("front_office", "supervisor"),
    "resume": ("front_office", "supervisor"),
    "take": ("back_office", "supervisor"),
    "resolve": ("back_office", "supervisor"),
    "forward": ("back_office", "supervisor"),
    "disposition": ("back_office", "unit", "supervisor"),
    "relay": ("back_office", "supervisor"),
    "prefill": ("receptionist", "front_office", "supervisor"),
    # The guest book: who reads it, and who reads it unmasked (document number, phone,
    # address, letter number); the supervisor sees all (DESIGN: personal data only to roles
    # that need it).
    "guestbook": ("supervisor", "kepala", "receptionist", "front_office", "back_office"),
    "guestbook_personal": ("supervisor",),
    # The case search and read-only case view (issue 14, admin.cases): every role that
    # works the queue, and the head of office; the personal data masked unless "guestbook_personal".
    "cases": ("receptionist", "front_office", "back_office", "unit", "supervisor", "kepala"),
    # The report sections with personal data (the step record, the guest book): read and
    # exported by the supervisor only, not by the head of office (admin.reports).
    "report_personal": ("supervisor",),
    # The satisfaction survey (admin.survey): the desk tablet facing the visitor at a
    # front-office counter, and the survey link printed or copied for a case explained
    # indirectly (SOP 15-16).
    "survey_tablet": ("front_office", "supervisor"),
    "survey_link": ("front_office", "supervisor"),
    "view": accounts.ROLES,
    "overview": ("supervisor", "technician", "kepala"),
    "manage": ("supervisor",),
    # Read the report book and the guest book (issue 11): the head of office reads, never acts
    # on the queue. The "reports" pages and API require this action.
    "report": ("supervisor", "kepala"),
    # The visitors' personal data (UU 27/2022): access and erasure requests and the audit
    # of every view and export of unmasked personal data (admin.privacy).
    "privacy": ("supervisor",),
}
"""Who may do what: the one table the API, the pages and the authorization tests read."""

MAX_ROW_ID = 2**63 - 1
"""Largest id SQLite can hold; a bigger number in a body is refused as invalid (422)."""
SERVICE_PATTERN = "^[A-Za-z]$"
"""A service letter as documented (the queue also takes it with spaces, in any case)."""
TEXT_LIMIT = 2000
"""Free-text fields (request detail, answers, notes, *disposisi*): the domain's limit."""
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
    "override": Field(
        "bool",
        description=(
            "Issue outside the service hours or past the service's daily quota ([hours]); "
            "recorded in the issued event's payload with the actor. Default false: refused "
            "with 409 issuing_closed or quota_reached."
        ),
    ),
    "priority_category": Field(
        "choice",
        nullable=True,
        choices=sop.PRIORITY_CATEGORIES,
        description=(
            "Why the visitor is priority (UU 25/2009 Pasal 29); only with priority, and "
            "required with it (422 priority_category_missing)."
        ),
    ),
}
"""Body of ``POST /tickets``."""


@dataclass(frozen=True)
class TicketAction:
    """One ``POST /tickets/{id}/{name}`` endpoint.

    ``name`` is the URL segment and the :data:`ACTION_ROLES` key; ``transition``
    the :data:`ult.sop.TRANSITIONS` key (its event kind and SOP step); ``fields`` the body;
    ``run(queue, ticket_id, body, actor)`` calls the queue with the checked body.
    ``aliases``: former URL segments still served by the same endpoint, documented as
    deprecated (``directions``, the disposition's path before the word list named it).
    """

    name: str
    transition: str
    fields: dict[str, Field]
    run: Callable[[Queue, int, dict[str, Any], str], Ticket | Identified]
    summary: str
    aliases: tuple[str, ...] = ()


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


def _prioritize(queue: Queue, ticket: int, body: dict[str, Any], actor: str) -> Ticket:
    return queue.prioritize(ticket, body["priority_category"], actor=actor)


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
            "The visitor is at the counter: service starts (SOP 6).",
        ),
        TicketAction(
            "identify",
            "identify",
            {
                "counter": _counter_field(_FRONT),
                "name": _text("Visitor's name.", limit=100),
                "document_kind": Field(
                    "choice",
                    nullable=True,
                    choices=DOCUMENT_KIND_KEYS,
                    description="Identity document shown (default ktp).",
                ),
                "document_number": _text(
                    "The document's number (spaces, dots, dashes of a NIK are ignored).",
                    required=False,
                    limit=40,
                ),
                "nik": _text(
                    "The KTP's NIK (instead of document_number).", required=False, limit=40
                ),
                "institution": _text("Institution.", required=False, limit=120),
                "phone": _text("Phone, 8-15 digits, +62 or 0 prefix.", required=False, limit=20),
                "address": _text("Address (information requests).", required=False, limit=200),
                "occupation": _text(
                    "Occupation (information requests).", required=False, limit=100
                ),
                "acting_for": Field("bool", description="Acting for someone else (default false)."),
                "represents_name": _text("Whom the visitor acts for.", required=False, limit=100),
                "represents_institution": _text(
                    "Institution acted for.", required=False, limit=120
                ),
                "letter_type": Field(
                    "choice",
                    nullable=True,
                    choices=LETTER_TYPES,
                    description="Letter of someone acting for another person.",
                ),
                "letter_number": _text("Number of that letter.", required=False, limit=60),
                "letter_date": Field(
                    "text",
                    nullable=True,
                    pattern=r"^\d{4}-\d{2}-\d{2}$",
                    description="Date of that letter, YYYY-MM-DD, not after today.",
                ),
                "confirm_name_change": Field(
                    "bool",
                    description=(
                        "Save although the name differs from the document's last visit "
                        "(else 409 name_differs with the stored name)."
                    ),
                ),
            },
            _at_counter("identify"),
            "Record the visitor's identity as this visit's (SOP 7); NIK warnings are returned.",
        ),
        TicketAction(
            "detail",
            "detail",
            {
                "counter": _counter_field(_FRONT),
                "text": _text("What the visitor asks for."),
                "purpose": _text(
                    "Information requests (service A only): purpose of use (tujuan penggunaan "
                    "informasi).",
                    required=False,
                    limit=300,
                ),
            },
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
                "exemption": Field(
                    "choice",
                    nullable=True,
                    choices=tuple(EXEMPTIONS),
                    description=(
                        "Excepted answers to information requests (service A): UU 14/2008 "
                        "Pasal 17 letter (required then; refused on other services)."
                    ),
                ),
                "exemption_note": _text("Note on the exemption.", required=False, limit=300),
            },
            _at_counter("answer"),
            "Answer at the counter: information available or excepted (SOP 9a).",
        ),
        TicketAction(
            "consult",
            "consult",
            {"counter": _counter_field(_FRONT)},
            _at_counter("consult"),
            "The matter is not available at the desk: consult the back office (SOP 9b-10).",
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
            "disposition",
            "disposition",
            {
                "counter": _counter_field(
                    "Back-office counter relaying the disposition (omit for the unit itself).",
                    required=False,
                ),
                "text": _text("The main unit's disposition (disposisi)."),
            },
            _anywhere("disposition"),
            "Record the main unit's disposition (disposisi); it goes to the back office, or "
            "straight to the front office with [escalation] unit_answers_front_office (SOP 14).",
            aliases=("directions",),
        ),
        TicketAction(
            "relay",
            "relay",
            {
                "counter": _counter_field(_BACK),
                "note": _text("Note for the front office.", required=False),
            },
            _at_counter("relay"),
            "Pass the main unit's disposition on to the front office (SOP 14).",
        ),
        TicketAction(
            "call-back",
            "call_back",
            {
                "counter": _counter_field(
                    "Front-office counter that calls the visitor back: a free one the first "
                    "time, then the one holding the case."
                )
            },
            _at_counter("call_back"),
            "Call the visitor of a returned case (answer_ready) back to the counter through "
            "the board and the voice (SOP 15); again after the cooldown, counted.",
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
                "incomplete_reason": Field(
                    "choice",
                    nullable=True,
                    choices=INCOMPLETE_REASONS,
                    description=(
                        "Why the record lacks the identity (SOP 7) or the request detail "
                        "(SOP 8); required then (409 case_incomplete without), refused for a "
                        "complete record."
                    ),
                ),
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
        TicketAction(
            "prioritize",
            "prioritize",
            {
                # Named as in POST /tickets (one word per thing).
                "priority_category": Field(
                    "choice",
                    required=True,
                    choices=sop.PRIORITY_CATEGORIES,
                    description="Why the visitor is priority (UU 25/2009 Pasal 29).",
                ),
            },
            _prioritize,
            "Mark a waiting ticket as priority with its category; same number and place.",
        ),
    )
}
"""Every ``POST /tickets/{id}/{action}`` endpoint, by URL segment."""
