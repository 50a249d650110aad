"""What the staff pages share: session keys, lists, identities, histories, step timers.

The staff pages (:mod:`admin.pages.reception`, :mod:`admin.pages.counter`,
:mod:`admin.pages.back_office`) are server-rendered forms that post to page routes; every
action calls one method of the queue domain with the logged-in user as actor, then
redirects (303) to its page with a flash message (:func:`admin.forms.run`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import current_app, flash, g, request, session

from admin.api import mask_phone, mask_text
from admin.auth import CASE_ROLES, current_principal
from admin.db import get_db, get_queue, settings
from admin.forms import PageRefusal, actor, checked, field
from admin.messages import PAGES
from admin.privacy import record_view
from admin.visitor import STREAM_URL, live_event_kinds
from ult import accounts, dates, guestbook, queries, sitting, sop, steps
from ult.clock import to_stamp
from ult.errors import QueueError, conflict
from ult.messages import ACTIONS, CHOICES, STATES
from ult.queue import Counter, Identified, Ticket
from ult.settings import BACK_OFFICE, FRONT_OFFICE
from ult.steps import StepTimer

if TYPE_CHECKING:
    import sqlite_utils

COUNTER_KEY = "counter_id"
"""Session key: the front-office counter the user works at."""
BACK_OFFICE_KEY = "back_office_counter_id"
"""Session key: the back-office counter the user works at."""

LIST_LIMIT = 200
"""Most rows any list on these pages shows (a long day stays readable and fast)."""

# ------------------------------------------------------------------------------ helpers


def now_utc() -> datetime:
    """The app's clock (a FakeClock in tests), aware UTC."""
    return current_app.config["ULT_CLOCK"]()


def hhmm(moment: datetime | None) -> str:
    """A time of day in the office's zone, as Indonesians write it (``09.05``)."""
    return dates.time_text(moment, settings().office.tz)


def failed_form(form_name: str) -> Mapping[str, str]:
    """The values of the form ``form_name`` when it is the one being re-rendered after a
    refusal (each form posts a hidden ``form`` field), else an empty mapping."""
    if request.method == "POST" and request.form.get("form") == form_name:
        return request.form
    return {}


def active_services(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Active services in display order, each with its active topics:
    ``[{"letter", "name", "topics": [...]}]``."""
    services = list(
        db.query("SELECT letter, name FROM services WHERE active = 1 ORDER BY position, letter")
    )
    topics = list(db.query("SELECT service, name FROM topics WHERE active = 1 ORDER BY id"))
    for service in services:
        service["topics"] = [t["name"] for t in topics if t["service"] == service["letter"]]
    return services


def ticket_rows(db: sqlite_utils.Database, where: str, params: Iterable[Any]) -> list[Ticket]:
    """Tickets matching ``where`` (SQL after WHERE), oldest in line first."""
    found = list(
        db.query(
            f"SELECT * FROM tickets WHERE {where} ORDER BY queue_seq LIMIT {LIST_LIMIT}",
            tuple(params),
        )
    )
    return [Ticket.from_row(r) for r in found]


def counter_names(db: sqlite_utils.Database) -> dict[int, str]:
    return {r["id"]: r["name"] for r in list(db.query("SELECT id, name FROM counters"))}


def short(text: str | None, limit: int = 120) -> str:
    """Free text cut for a list row (the case view shows it whole)."""
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# ------------------------------------------------------------------------------ time vs SOP


def clock_text(seconds: int) -> str:
    """``mm:ss`` (``h:mm:ss`` from an hour): the same format pages.js writes."""
    seconds = max(seconds, 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def step_timers(db: sqlite_utils.Database, tickets: Iterable[Ticket]) -> dict[int, StepTimer]:
    """The open SOP step of each ticket now (:func:`ult.steps.step_timers`)."""
    return steps.step_timers(db, tickets, now_utc())


# ------------------------------------------------------------------------------ identity


@dataclass(frozen=True)
class Identity:
    """A visit's recorded identity as a page shows it (:mod:`ult.guestbook`);
    ``document_number``, ``phone`` and ``address`` are masked unless ``revealed`` (the case
    view of a role handling the case). ``document_kind`` is the kind's key,
    ``document_name`` its Indonesian name."""

    name: str
    document_kind: str
    document_name: str
    document_number: str
    institution: str | None
    phone: str | None
    address: str | None
    occupation: str | None
    represents_name: str | None
    represents_institution: str | None
    letter_type: str | None
    letter_number: str | None
    letter_date: str | None
    revealed: bool


def identity_of(visit: Mapping[str, Any], *, reveal: bool) -> Identity:
    """One ``visits`` row as a page shows it, masked unless ``reveal``."""
    kind = visit["document_kind"]
    spec = guestbook.KINDS.get(kind)
    return Identity(
        name=visit["name"],
        document_kind=kind,
        document_name=spec.name if spec else kind,
        document_number=(
            visit["document_number"]
            if reveal
            else guestbook.mask_document(kind, visit["document_number"]) or ""
        ),
        institution=visit["institution"],
        # One masking rule for pages and API alike (admin.api).
        phone=visit["phone"] if reveal else mask_phone(visit["phone"]),
        address=visit["address"] if reveal else mask_text(visit["address"]),
        occupation=visit["occupation"],
        represents_name=visit["represents_name"],
        represents_institution=visit["represents_institution"],
        letter_type=visit["letter_type"],
        letter_number=visit["letter_number"] if reveal else mask_text(visit["letter_number"]),
        letter_date=visit["letter_date"],
        revealed=reveal,
    )


def identities(
    db: sqlite_utils.Database, ticket_ids: Iterable[int | None], *, reveal: bool
) -> dict[int, Identity]:
    """The recorded identity of each ticket's visit, by ticket id, masked unless ``reveal``."""
    found = guestbook.visits_of(db, [t for t in ticket_ids if t is not None])
    return {ticket_id: identity_of(visit, reveal=reveal) for ticket_id, visit in found.items()}


def document_kinds() -> list[tuple[str, str]]:
    """The identity document kinds a form offers: ``[(key, Indonesian name)]``, KTP first."""
    return [(key, kind.name) for key, kind in guestbook.KINDS.items()]


def person_fields() -> dict[str, str | None]:
    """The person's fields of an identity form (document, name, institution, phone,
    address, occupation), as the reception (SOP 3) and the counter (SOP 7) send them."""
    return {
        "name": field("name"),
        "document_kind": field("document_kind") or "ktp",
        "document_number": field("document_number"),
        "institution": field("institution"),
        "phone": field("phone"),
        "address": field("address"),
        "occupation": field("occupation"),
    }


def name_checked(save: Callable[[], Identified]) -> Identified:
    """Run an identity save; when the name differs from the document's last visit, note the
    stored name (``g.name_differs``) so the form comes back with a "save anyway" box."""
    try:
        return save()
    except QueueError as error:
        if error.code == "name_differs":
            g.name_differs = error.values["stored"]
        raise


_PREFILLED = ("name", "institution", "phone", "address", "occupation")
"""What a known document fills in: the person, never the visit's representation."""


def prefill_form(*, exclude_ticket: int) -> dict[str, str]:
    """The posted identity form filled from the most recent visit with its document (kind
    and number as typed), and a flash saying so; the form as typed when the number is
    refused or unknown. Nothing is saved (issue 11: a known number only pre-fills)."""
    form = {key: request.form.get(key, "") for key in request.form}
    try:
        kind, number, _warnings = guestbook.document_number(
            form.get("document_kind") or "ktp", form.get("document_number", "")
        )
    except QueueError as error:
        flash(error.message, "error")
        return form
    latest = guestbook.latest_visit(get_db(), kind, number, excluding_ticket=exclude_ticket)
    if latest is None:
        flash(PAGES["prefill_none"], "info")
        return form
    form["document_number"] = number
    form.update({key: latest[key] or "" for key in _PREFILLED})
    # UU 27/2022: another visit's identity shown is recorded (whose ticket, for which).
    record_view("prefill_page", ticket_id=latest["ticket_id"], for_ticket=exclude_ticket)
    label = (
        get_db()
        .execute("SELECT label, day FROM tickets WHERE id = ?", (latest["ticket_id"],))
        .fetchone()
    )
    day = dates.date_text(label[1], settings().office.tz)
    flash(PAGES["prefill_done"].format(day=day, label=label[0]), "info")
    return form


def handles_cases() -> bool:
    """Whether this user's role handles cases (CASE_ROLES)."""
    principal = current_principal()
    return principal is not None and principal.role in CASE_ROLES


_EVENT_ACTIONS = {t.event: t.action for t in sop.TRANSITIONS.values()}


def event_text(kind: str) -> str:
    """What an event did to the ticket, in Indonesian (``dipanggil``, ``tercetak``)."""
    return PAGES.get(f"event_{kind}") or ACTIONS.get(_EVENT_ACTIONS.get(kind, ""), kind)


def history(db: sqlite_utils.Database, ticket: Ticket) -> list[dict[str, Any]]:
    """A ticket's events as the case view lists them (time, step, what, who)."""
    names = counter_names(db)
    return [
        {
            "time": hhmm(event.at),
            "step": event.sop_step,
            "what": event_text(event.kind),
            "actor": event.actor,
            "counter": names.get(event.counter_id or 0, ""),
        }
        for event in queries.ticket_history(db, ticket.id)
    ]


def reason_text(code: str | None) -> str:
    """Why a print failed, in Indonesian, from its reason code."""
    return PAGES.get(f"reason_{code}", PAGES["reason_unknown"])


def session_counter(key: str, kind: str) -> Counter | None:
    """The counter remembered in the session, if it still exists, is active and of
    ``kind``, and this officer still sits there; forgotten otherwise (a technician may have
    retired it, another officer may have taken it over).

    When the officer no longer sits there, it is None and :func:`counter_notice` says why
    (two officers never work one counter unawares: issue 11).
    """
    value = session.get(key)
    if not isinstance(value, int):
        return None
    try:
        counter = get_queue().counter(value)
    except QueueError:
        counter = None
    if counter is None or counter.kind != kind or not counter.active:
        session.pop(key, None)
        return None
    current = sitting.holder(get_db(), counter.id)
    if current is None or current.username != actor():
        # Remembered, not forgotten: every page load and action says why until the officer
        # takes the counter back or chooses another.
        if current is None:
            g.counter_notice = conflict("counter_not_sitting", counter=counter.name).message
        else:
            holder = officer_name(current.username)
            g.counter_notice = conflict(
                "counter_taken_over", counter=counter.name, holder=holder
            ).message
        return None
    return counter


def counter_notice() -> str | None:
    """Why the officer no longer works at the session's counter (taken over, left), once
    :func:`session_counter` has looked in this request."""
    return g.get("counter_notice")


def officer_name(username: str) -> str:
    """An officer's full name, or the user name while none is recorded."""
    return accounts.officer_names(get_db()).get(username, username)


def held_by_others() -> dict[int, str]:
    """``{counter_id: officer's name}`` of the counters other officers sit at (the pickers
    show them as "dipakai oleh ...")."""
    me = actor()
    names = accounts.officer_names(get_db())
    return {
        counter_id: names.get(seat.username, seat.username)
        for counter_id, seat in sitting.holders(get_db()).items()
        if seat.username != me
    }


def sit_at(key: str, counter: Counter) -> None:
    """Sit this officer at ``counter`` (taking it over when the form confirms it, with the
    reason and the written assignment), then leave the counter the session held before."""
    queue = get_queue()
    queue.take_counter(
        counter.id,
        actor=actor(),
        takeover=checked("takeover"),
        reason=field("reason") or None,
        assignment_number=field("assignment_number") or None,
        assignment_date=field("assignment_date") or None,
    )
    previous = session.get(key)
    if isinstance(previous, int) and previous != counter.id:
        queue.leave_counter(previous, actor=actor())
    session[key] = counter.id


# ------------------------------------------------------------------------------ page context


def step_title(step: int, action: str = "", shown: str = "") -> str:
    """A form's heading: ``Langkah 13 · Koordinasi dengan unit utama: catat disposisi``,
    the step its action closes (``ult.steps.STEP_TABLE``) named as the live timer names it;
    ``shown`` replaces the number where an action closes one of two steps (``9–10``)."""
    name = PAGES[f"step_{step}"]
    key = "step_title_action" if action else "step_title"
    return PAGES[key].format(step=shown or step, name=name, action=action)


def page_helpers() -> dict[str, Any]:
    """Helpers for the counter pages' templates (a context processor of ``pages``)."""
    return {
        "hhmm": hhmm,
        "step_name": lambda step: PAGES.get(f"step_{step}", str(step)),
        "step_title": step_title,
        "stamp": to_stamp,
        "clock_text": clock_text,
        "state_name": lambda state: STATES.get(state, state),
        "choice_name": lambda choice: CHOICES.get(choice, choice),
        "server_now": to_stamp(now_utc()),
        "stream_url": STREAM_URL,
        "live_event_kinds": " ".join(live_event_kinds()),
    }


_WRONG_KIND = {FRONT_OFFICE: "counter_not_front_office", BACK_OFFICE: "counter_not_back_office"}


def chosen_counter(kind: str) -> Counter:
    """The active counter of ``kind`` (front or back office) that the posted form's
    ``counter`` field names by id. Raises ``PageRefusal`` for a value that is no id and
    ``QueueError`` for an unknown, inactive or other-kind counter."""
    value = field("counter").strip()
    if not value.isdigit():
        raise PageRefusal(PAGES["counter_choice_invalid"])
    counter = get_queue().counter(int(value))
    if counter.kind != kind:
        raise conflict(_WRONG_KIND[kind], counter=counter.name)
    if not counter.active:
        raise conflict("counter_inactive", counter=counter.name)
    return counter
