"""Staff pages: reception (SOP 2-4), counter (SOP 5-9, 15-16), back office (SOP 10-14).

Server-rendered forms that post to page routes; every action calls one method of the queue
domain with the logged-in user as actor, then redirects (303) to its page with a flash
message. A refusal (``QueueError`` or a page-level check) is flashed as an error and the page
is rendered again with a 4xx status and the typed values kept, so a typo in a NIK does not
cost the whole identity form; nothing was changed.

Live parts of each page (queues, inboxes, the printer) are separate fragments served by
``*_live`` routes; ``static/pages.js`` re-fetches them when the board stream reports an event,
with one EventSource per page (PITFALLS, admin). Without JavaScript the pages still work.
"""

from __future__ import annotations

import io
import json
import logging
import math
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    render_template,
    request,
    session,
    url_for,
)

from admin.api import mask_phone
from admin.auth import CASE_ROLES, current_principal, may_reveal, require
from admin.db import get_db, get_queue, settings
from admin.forms import PageRefusal, actor, checked, field, run
from admin.messages import PAGES
from admin.visitor import live_event_kinds
from ult import queries, sop
from ult.clock import from_stamp, to_stamp
from ult.errors import QueueError, conflict, invalid
from ult.messages import ACTIONS, CHOICES, STATES
from ult.nik import mask_nik
from ult.queue import (
    ANSWER_KINDS,
    EXPLANATION_MODES,
    LETTER_TYPES,
    OUTCOMES,
    Counter,
    Issued,
    Ticket,
)
from ult.settings import BACK_OFFICE, FRONT_OFFICE
from ult.store import row, rows

if TYPE_CHECKING:
    import sqlite_utils

    from printer.output import TicketOutput

log = logging.getLogger(__name__)

bp = Blueprint("pages", __name__)

STREAM_URL = "/api/v1/board/events"
"""The board's Server-Sent Events stream (admin/stream.py); the pages open one each."""

COUNTER_KEY = "counter_id"
"""Session key: the front-office counter the user works at."""
BACK_OFFICE_KEY = "back_office_counter_id"
"""Session key: the back-office counter the user works at."""
SURVEY_KEY = "survey_ticket_id"
"""Session key: the ticket just finished at this desk, whose survey QR the page shows."""

LIST_LIMIT = 200
"""Most rows any list on these pages shows (a long day stays readable and fast)."""


_PRINTER_LOCK = threading.Lock()
"""One print at a time from this process: two receptionists clicking together must not
interleave their tickets' bytes on one printer."""

_STEP_EVENT_KINDS = (
    "called",
    "recalled",
    "started",
    "identified",
    "detailed",
    "answered",
    "escalated",
    "taken",
    "forwarded",
    "resolved",
    "directions",
    "explained",
)
"""Events that open or advance an SOP step; the timers measure from the latest one."""

_STATE_STEP: dict[str, tuple[int, tuple[str, ...]]] = {
    sop.CALLED: (6, ("called", "recalled")),
    sop.ANSWERED: (15, ("answered",)),
    sop.EXPLAINED: (16, ("explained",)),
    sop.ESCALATED: (11, ("escalated",)),
    sop.BACK_OFFICE: (12, ("taken",)),
    sop.WITH_UNIT: (14, ("forwarded",)),
    sop.ANSWER_READY: (15, ("resolved", "directions")),
}
"""The step a ticket in each state waits for, and the events that started that wait.

A called visitor is walking to the desk (6); an answered or returned case waits for the
explanation (15); and so on. ``serving`` is worked out from the events (7, 8 or 9).
"""


# ------------------------------------------------------------------------------ helpers


def _now() -> datetime:
    """The app's clock (a FakeClock in tests), aware UTC."""
    return current_app.config["ULT_CLOCK"]()


def _hhmm(moment: datetime | None) -> str:
    """A time of day in the office's zone, as Indonesians write it (``09.05``)."""
    if moment is None:
        return "-"
    return moment.astimezone(settings().office.tz).strftime("%H.%M")


def _failed(form_name: str) -> Mapping[str, str]:
    """The values of the form ``form_name`` when it is the one being re-rendered after a
    refusal (each form posts a hidden ``form`` field), else an empty mapping."""
    if request.method == "POST" and request.form.get("form") == form_name:
        return request.form
    return {}


def _active_services(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Active services in display order, each with its active topics:
    ``[{"letter", "name", "topics": [...]}]``."""
    services = rows(
        db, "SELECT letter, name FROM services WHERE active = 1 ORDER BY position, letter"
    )
    topics = rows(db, "SELECT service, name FROM topics WHERE active = 1 ORDER BY id")
    for service in services:
        service["topics"] = [t["name"] for t in topics if t["service"] == service["letter"]]
    return services


def _ticket_rows(db: sqlite_utils.Database, where: str, params: Iterable[Any]) -> list[Ticket]:
    """Tickets matching ``where`` (SQL after WHERE), oldest in line first."""
    found = rows(
        db,
        f"SELECT * FROM tickets WHERE {where} ORDER BY queue_seq LIMIT {LIST_LIMIT}",
        tuple(params),
    )
    return [Ticket.from_row(r) for r in found]


def _counter_names(db: sqlite_utils.Database) -> dict[int, str]:
    return {r["id"]: r["name"] for r in rows(db, "SELECT id, name FROM counters")}


def _short(text: str | None, limit: int = 120) -> str:
    """Free text cut for a list row (the case view shows it whole)."""
    if not text:
        return ""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# ------------------------------------------------------------------------------ time vs SOP


@dataclass(frozen=True)
class StepTimer:
    """The open SOP step of a ticket: since when, against its standard (Mutu Baku)."""

    step: int
    since: datetime
    standard_minutes: int
    elapsed_seconds: int

    @property
    def name(self) -> str:
        return PAGES.get(f"step_{self.step}", str(self.step))

    @property
    def overdue(self) -> bool:
        """True once the step has taken longer than its standard time."""
        return self.elapsed_seconds > self.standard_minutes * 60

    @property
    def since_stamp(self) -> str:
        """UTC ISO time for pages.js, which keeps the clock running between refreshes."""
        return to_stamp(self.since)

    @property
    def elapsed_text(self) -> str:
        return clock_text(self.elapsed_seconds)


def clock_text(seconds: int) -> str:
    """``mm:ss`` (``h:mm:ss`` from an hour): the same format pages.js writes."""
    seconds = max(seconds, 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def step_timer(state: str, events: list[tuple[str, datetime]], now: datetime) -> StepTimer | None:
    """The step a ticket in ``state`` is in, from its step events ``[(kind, at)]`` (log
    order); ``None`` for a state with no open step (waiting, closed)."""
    since: datetime | None = None
    if state == sop.SERVING:
        starts = [i for i, (kind, _) in enumerate(events) if kind == "started"]
        if not starts:
            return None
        current = events[starts[-1] :]
        done = {kind for kind, _ in current}
        # Steps 7, 8, 9 in order: the first not yet recorded since the start is open.
        step = 7 if "identified" not in done else 8 if "detailed" not in done else 9
        since = current[-1][1]
    elif state in _STATE_STEP:
        step, kinds = _STATE_STEP[state]
        matching = [at for kind, at in events if kind in kinds]
        if not matching:
            return None
        since = matching[-1]
    else:
        return None
    elapsed = int((now - since).total_seconds())
    return StepTimer(step, since, sop.STANDARD_MINUTES[step], max(elapsed, 0))


def _timers(db: sqlite_utils.Database, tickets: Iterable[Ticket]) -> dict[int, StepTimer]:
    """The open step of each ticket, read in one query."""
    by_id = {t.id: t for t in tickets}
    if not by_id:
        return {}
    marks = ", ".join("?" * len(by_id))
    kinds = ", ".join("?" * len(_STEP_EVENT_KINDS))
    found = rows(
        db,
        f"SELECT ticket_id, kind, at FROM events WHERE ticket_id IN ({marks}) "
        f"AND kind IN ({kinds}) ORDER BY id",
        (*by_id, *_STEP_EVENT_KINDS),
    )
    events: dict[int, list[tuple[str, datetime]]] = {}
    for event in found:
        events.setdefault(event["ticket_id"], []).append((event["kind"], from_stamp(event["at"])))
    now = _now()
    timers = {}
    for ticket_id, ticket in by_id.items():
        timer = step_timer(ticket.state, events.get(ticket_id, []), now)
        if timer is not None:
            timers[ticket_id] = timer
    return timers


# ------------------------------------------------------------------------------ identity


@dataclass(frozen=True)
class Identity:
    """A visitor as a page shows them; ``nik`` and ``phone`` are masked unless
    ``revealed`` (the case view of a role handling the case)."""

    name: str
    nik: str
    institution: str | None
    phone: str | None
    revealed: bool


def _identities(
    db: sqlite_utils.Database, visitor_ids: Iterable[int | None], *, reveal: bool
) -> dict[int, Identity]:
    """Visitors by id, masked unless ``reveal``."""
    wanted = sorted({v for v in visitor_ids if v is not None})
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    found = rows(db, f"SELECT * FROM visitors WHERE id IN ({marks})", wanted)
    return {
        v["id"]: Identity(
            v["name"],
            (v["nik"] or "") if reveal else mask_nik(v["nik"] or ""),
            v["institution"],
            # One masking rule for pages and API alike (admin.api).
            v["phone"] if reveal else mask_phone(v["phone"]),
            reveal,
        )
        for v in found
    }


def _handles_cases() -> bool:
    """Whether this user's role handles cases (CASE_ROLES)."""
    principal = current_principal()
    return principal is not None and principal.role in CASE_ROLES


_EVENT_ACTIONS = {t.event: t.action for t in sop.TRANSITIONS.values()}


def _event_text(kind: str) -> str:
    """What an event did to the ticket, in Indonesian (``dipanggil``, ``tercetak``)."""
    return PAGES.get(f"event_{kind}") or ACTIONS.get(_EVENT_ACTIONS.get(kind, ""), kind)


def _history(db: sqlite_utils.Database, ticket: Ticket) -> list[dict[str, Any]]:
    """A ticket's events as the case view lists them (time, step, what, who)."""
    names = _counter_names(db)
    return [
        {
            "time": _hhmm(event.at),
            "step": event.sop_step,
            "what": _event_text(event.kind),
            "actor": event.actor,
            "counter": names.get(event.counter_id or 0, ""),
        }
        for event in queries.ticket_history(db, ticket.id)
    ]


# ------------------------------------------------------------------------------ printer


@dataclass(frozen=True)
class Printout:
    """What issuing at the reception gave: the ticket, whether its paper came out
    (``None``: no printer is configured), and why not (a reason code)."""

    issued: Issued
    printed: bool | None
    reason: str | None = None


def _ticket_output() -> TicketOutput | None:
    """The ticket printer of the settings, built once per app (it remembers a printer
    that stopped answering); ``None`` when ``[printer]`` cannot work. Call it holding
    ``_PRINTER_LOCK``."""
    from printer.output import PrinterSetupError, TicketOutput

    output = current_app.extensions.get("ult_pages_ticket_output")
    if output is None:
        try:
            output = TicketOutput.from_settings(settings().printer)
        except PrinterSetupError as error:
            # Not cached: the technician may fix the folder while the app runs.
            log.error("ticket printer unusable: %s", error)
            return None
        current_app.extensions["ult_pages_ticket_output"] = output
    return output


def _issue_and_print(service: str, topic: str | None, priority: bool, key: str | None) -> Printout:
    """Issue a reception ticket and print it in one go (SOP step 3).

    Unlike the unattended button, the reception issues even when the printer certainly
    cannot print: a receptionist is there to tell the visitor the number, and the ticket
    is listed for reprint. With no printer configured nothing is marked for reprint.
    """
    from kiosk.dispense import Dispenser

    queue = get_queue()
    who = actor()
    with _PRINTER_LOCK:
        output = _ticket_output()
        if output is not None:
            result = Dispenser(queue, output, settings()).dispense(
                service,
                actor=who,
                priority=priority,
                topic=topic,
                source="reception",
                idempotency_key=key,
            )
            if result.issued is not None:
                reason = None if result.printed else _print_reason(result.issued.ticket.id)
                return Printout(result.issued, result.printed, reason)
            state = result.check.state
        else:
            state = "setup"
        issued = queue.issue(
            service,
            actor=who,
            priority=priority,
            topic=topic,
            source="reception",
            idempotency_key=key,
        )
        if state == "disabled":
            return Printout(issued, None)
        if not issued.replayed:
            queue.record_print(issued.ticket.id, actor=who, printed=False, reason=state)
        return Printout(issued, False, state)


def _print_reason(ticket_id: int) -> str | None:
    """The reason code of the ticket's last failed print, if its last print failed."""
    found = row(
        get_db(),
        "SELECT kind, payload FROM events WHERE ticket_id = ? AND kind IN "
        "('printed', 'print_failed') ORDER BY id DESC LIMIT 1",
        (ticket_id,),
    )
    if found is None or found["kind"] != "print_failed":
        return None
    return json.loads(found["payload"]).get("reason") or "unknown"


def _reason_text(code: str | None) -> str:
    return PAGES.get(f"reason_{code}", PAGES["reason_unknown"])


def _printer_text(state: str | None) -> str:
    """The printer's last recorded state in Indonesian."""
    if state is None:
        return PAGES["printer_never"]
    from printer.output import state_text

    try:
        return state_text(state)
    except ValueError:
        return state


# ------------------------------------------------------------------------------ page context


@bp.context_processor
def _page_helpers() -> dict[str, Any]:
    """Helpers for this blueprint's templates."""
    return {
        "hhmm": _hhmm,
        "state_name": lambda state: STATES.get(state, state),
        "choice_name": lambda choice: CHOICES.get(choice, choice),
        "server_now": to_stamp(_now()),
        "stream_url": STREAM_URL,
        "live_event_kinds": " ".join(live_event_kinds()),
    }


# ============================================================================== reception


def _reception_live_context() -> dict[str, Any]:
    db = get_db()
    day = get_queue().today()
    state = queries.printer_state(db)
    return {
        "printer_state": state,
        "printer_text": _printer_text(state),
        "printer_ok": state in (None, "ready", "paper_near_end", "unknown"),
        "unprinted": queries.unprinted_tickets(db, day)[:LIST_LIMIT],
        "waiting": queries.waiting_per_service(db),
        "service_names": queries.service_names(db),
        "no_shows": rows(
            db,
            "SELECT id, label, service FROM tickets WHERE day = ? AND state = ? ORDER BY id "
            f"LIMIT {LIST_LIMIT}",
            (day.isoformat(), sop.NO_SHOW),
        ),
    }


def _render_reception() -> str:
    db = get_db()
    queue = get_queue()
    shown = None
    wanted = request.args.get("tiket", type=int)
    if wanted is None and request.method == "POST":
        wanted = request.view_args.get("ticket_id") if request.view_args else None
    if wanted:
        try:
            ticket = queue.ticket(wanted)
        except QueueError:
            ticket = None
        if ticket is not None:
            ahead, minutes = queue.position(ticket.id)
            identity = _identities(db, [ticket.visitor_id], reveal=False).get(
                ticket.visitor_id or 0
            )
            shown = {
                "ticket": ticket,
                "service_name": queries.service_names(db).get(ticket.service, ticket.service),
                "ahead": ahead,
                "minutes": minutes,
                "reason": _reason_text(_print_reason(ticket.id)) if ticket.printed is False else "",
                "identity": identity,
            }
    return render_template(
        "reception.html",
        services=_active_services(db),
        shown=shown,
        request_key=secrets.token_urlsafe(12),
        failed_visitor=_failed("visitor"),
        failed_issue=_failed("issue"),
        **_reception_live_context(),
    )


@bp.get("/reception")
@require("issue")
def reception() -> Any:
    """Reception (SOP 2-4): issue and print, reprint, the printer's state."""
    return _render_reception()


@bp.get("/reception/live")
@require("issue")
def reception_live() -> Any:
    """The live part of the reception page: printer, unprinted tickets, the lines."""
    return render_template("_pages_reception_live.html", **_reception_live_context())


def _check_pick(service: str, topic: str | None) -> None:
    """Refuse an unknown service or topic before the printer is asked anything, so a bad
    click records nothing at all (the domain checks again when it issues)."""
    letter = service.strip().upper()
    if not letter:
        raise PageRefusal(PAGES["pick_required"])
    for known in _active_services(get_db()):
        if known["letter"] == letter:
            if topic is not None and topic not in known["topics"]:
                raise invalid(
                    "topic_unknown",
                    topic=topic[:40],
                    service=letter,
                    topics=", ".join(known["topics"]) or "-",
                )
            return
    raise invalid("service_unknown", service=service.strip()[:40])


@bp.post("/reception/issue")
@require("issue")
def reception_issue() -> Any:
    """Issue a ticket of the picked service (and topic) and print it: one click."""
    # A button carries "A" or "A|Dapodik": one click picks service and topic together.
    service, _, topic_text = field("pick").partition("|")
    topic = topic_text.strip() or None
    outcome: dict[str, Printout] = {}

    def act() -> str:
        _check_pick(service, topic)
        key = field("request_key").strip() or None
        result = _issue_and_print(service, topic, checked("priority"), key)
        outcome["result"] = result
        label = result.issued.ticket.label
        if result.issued.replayed:
            return PAGES["issued_again"].format(label=label)
        if result.printed is None:
            return PAGES["issued_no_printer"].format(label=label)
        if not result.printed:
            flash(
                PAGES["issued_not_printed"].format(label=label, reason=_reason_text(result.reason)),
                "error",
            )
            return ""
        return PAGES["issued_printed"].format(label=label)

    # Then the ticket just issued: label, place in line, estimated wait, paper.
    return run(
        act,
        _render_reception,
        lambda: url_for("pages.reception", tiket=outcome["result"].issued.ticket.id),
    )


@bp.post("/reception/tickets/<int:ticket_id>/reprint")
@require("reprint")
def reception_reprint(ticket_id: int) -> Any:
    """Print a ticket again after its print failed."""
    from kiosk.dispense import Dispenser

    def act() -> str:
        queue = get_queue()
        ticket = queue.ticket(ticket_id)
        if ticket.state in sop.FINAL_STATES:
            raise conflict(
                "wrong_state", label=ticket.label, state=STATES[ticket.state], action="dicetak"
            )
        with _PRINTER_LOCK:
            output = _ticket_output()
            if output is None:
                raise PageRefusal(
                    PAGES["reprint_failed"].format(
                        label=ticket.label, reason=_reason_text("setup")
                    ),
                    409,
                )
            result = Dispenser(queue, output, settings()).reprint(ticket.id, actor=actor())
        if not result.printed:
            reason = _reason_text(_print_reason(ticket.id))
            # Recorded as print_failed already: say so, and keep it listed for another try.
            flash(PAGES["reprint_failed"].format(label=ticket.label, reason=reason), "error")
            return ""
        return PAGES["reprinted"].format(label=ticket.label)

    return run(act, _render_reception, url_for("pages.reception", tiket=ticket_id))


@bp.post("/reception/printer-check")
@require("issue")
def reception_printer_check() -> Any:
    """Ask the printer now and record its state when it changed."""
    from kiosk.dispense import Dispenser

    def act() -> str:
        with _PRINTER_LOCK:
            output = _ticket_output()
            if output is None:
                raise PageRefusal(PAGES["printer_setup"], 409)
            check = Dispenser(get_queue(), output, settings()).check(actor=actor())
        return PAGES["printer_checked"].format(state=_printer_text(check.state))

    return run(act, _render_reception, url_for("pages.reception"))


@bp.post("/reception/tickets/<int:ticket_id>/reactivate")
@require("reactivate")
def reception_reactivate(ticket_id: int) -> Any:
    """Put a no-show back in line (SOP step 4), at the end, with the same number."""

    def act() -> str:
        ticket = get_queue().reactivate(ticket_id, actor=actor())
        return PAGES["reactivated"].format(label=ticket.label)

    return run(act, _render_reception, url_for("pages.reception"))


@bp.post("/reception/tickets/<int:ticket_id>/visitor")
@require("issue")
def reception_visitor(ticket_id: int) -> Any:
    """Optionally register the visitor of a waiting ticket (SOP step 3: the ID card is
    borrowed at reception); the front office confirms it at step 7."""

    def act() -> str:
        registered = get_queue().register_visitor(
            ticket_id,
            actor=actor(),
            name=field("name"),
            nik=field("nik"),
            institution=field("institution"),
            phone=field("phone"),
        )
        return PAGES["visitor_registered"].format(label=registered.ticket.label)

    return run(act, _render_reception, url_for("pages.reception", tiket=ticket_id))


# ============================================================================== counter


def _session_counter(key: str, kind: str) -> Counter | None:
    """The counter remembered in the session, if it still exists, is active and of
    ``kind``; forgotten otherwise (a technician may have retired it)."""
    value = session.get(key)
    if not isinstance(value, int):
        return None
    try:
        desk = get_queue().counter(value)
    except QueueError:
        desk = None
    if desk is None or desk.kind != kind or not desk.active:
        session.pop(key, None)
        return None
    return desk


def _desk() -> Counter:
    """The front-office counter a desk action acts for: the session's, and the one the
    form was rendered for (a second tab may have switched counters meanwhile)."""
    desk = _session_counter(COUNTER_KEY, FRONT_OFFICE)
    if desk is None:
        raise PageRefusal(PAGES["counter_required"], 409)
    posted = field("counter_id").strip()
    if posted and posted != str(desk.id):
        names = _counter_names(get_db())
        shown = names.get(int(posted), posted[:20]) if posted.isdigit() else posted[:20]
        raise PageRefusal(
            PAGES["counter_form_mismatch"].format(form_counter=shown, counter=desk.name), 409
        )
    return desk


def _front_office_counters() -> list[Counter]:
    return [c for c in get_queue().counters() if c.kind == FRONT_OFFICE and c.active]


def _counter_live_context(desk: Counter) -> dict[str, Any]:
    """The counter page's live part: its queue and the cases that left and came back."""
    db = get_db()
    held = _ticket_rows(db, "counter_id = ?", (desk.id,))
    waiting = queries.counter_queue(db, desk.id, limit=LIST_LIMIT)
    issued_at = {}
    if waiting:
        marks = ", ".join("?" * len(waiting))
        issued_at = {
            r["id"]: r["issued_at"]
            for r in rows(
                db,
                f"SELECT id, issued_at FROM tickets WHERE id IN ({marks})",
                [w["id"] for w in waiting],
            )
        }
    now = _now()
    for item in waiting:
        item["waited"] = clock_text(int((now - from_stamp(issued_at[item["id"]])).total_seconds()))
    escalated = _ticket_rows(
        db,
        f"state IN ({', '.join('?' * len(sop.ESCALATION_STATES))})",
        sorted(sop.ESCALATION_STATES),
    )
    # Returned cases of any counter may be explained by a free one (an absent officer's
    # task passes to another); this counter's own come first.
    returned = sorted(
        (t for t in escalated if t.state == sop.ANSWER_READY),
        key=lambda t: (t.front_office_counter_id != desk.id, t.queue_seq),
    )
    mine_away = [
        t for t in escalated if t.state != sop.ANSWER_READY and t.front_office_counter_id == desk.id
    ]
    busy = held[0].label if held else None
    if busy:
        blocked = PAGES["busy_reason"].format(label=busy)
    elif desk.paused:
        blocked = PAGES["paused_reason"]
    elif not waiting:
        blocked = PAGES["empty_reason"]
    else:
        blocked = ""
    return {
        "desk": desk,
        "waiting": waiting,
        "returned": returned,
        "mine_away": mine_away,
        "timers": _timers(db, [*returned, *mine_away]),
        "identities": {
            **_identities(db, [t.visitor_id for t in returned], reveal=False),
            # This counter's own returned cases are its case view: it may have to phone
            # the visitor to explain indirectly (SOP 15).
            **_identities(
                db,
                [t.visitor_id for t in returned if t.front_office_counter_id == desk.id],
                reveal=_handles_cases(),
            ),
        },
        "counter_names": _counter_names(db),
        "service_names": queries.service_names(db),
        "call_blocked": blocked,
        "desk_blocked": (
            PAGES["busy_reason"].format(label=busy)
            if busy
            else PAGES["paused_reason"]
            if desk.paused
            else ""
        ),
        "explanation_modes": EXPLANATION_MODES,
    }


def _current_context(desk: Counter) -> dict[str, Any]:
    """The ticket at the desk, with what the front office needs to move it on."""
    db = get_db()
    held = _ticket_rows(db, "counter_id = ?", (desk.id,))
    if not held:
        return {"current": None}
    ticket = held[0]
    queue_settings = settings().queue
    last_call = row(
        db,
        "SELECT at FROM events WHERE ticket_id = ? AND kind IN ('called', 'recalled') "
        "ORDER BY id DESC LIMIT 1",
        (ticket.id,),
    )
    ready_at = None
    cooldown_left = 0
    if ticket.state == sop.CALLED and last_call is not None:
        ready = from_stamp(last_call["at"]) + timedelta(
            seconds=queue_settings.recall_cooldown_seconds
        )
        cooldown_left = max(0, math.ceil((ready - _now()).total_seconds()))
        ready_at = to_stamp(ready)
    required = queue_settings.recalls_before_no_show
    no_show_reason = (
        PAGES["no_show_reason"].format(required=required, recalls=ticket.recalls)
        if ticket.recalls < required
        else ""
    )
    reveal = may_reveal(ticket)
    identity = _identities(db, [ticket.visitor_id], reveal=reveal).get(ticket.visitor_id or 0)
    services = [s for s in _active_services(db) if s["letter"] != ticket.service]
    return {
        "current": ticket,
        "current_timer": _timers(db, [ticket]).get(ticket.id),
        "current_identity": identity,
        "cooldown_left": cooldown_left,
        "recall_ready_at": ready_at,
        "no_show_reason": no_show_reason,
        "transfer_services": services,
        "history": _history(db, ticket),
        "answer_kinds": ANSWER_KINDS,
        "explanation_modes": EXPLANATION_MODES,
        "letter_types": LETTER_TYPES,
        "outcomes": OUTCOMES,
        "failed_identify": _failed("identify"),
        "failed_detail": _failed("detail"),
        "failed_answer": _failed("answer"),
        "failed_escalate": _failed("escalate"),
        "failed_explain": _failed("explain"),
        "failed_cancel": _failed("cancel"),
    }


def _survey_context() -> dict[str, Any]:
    """The survey QR of the ticket this desk just finished, until the next call."""
    ticket_id = session.get(SURVEY_KEY)
    if not isinstance(ticket_id, int):
        return {"survey": None}
    try:
        ticket = get_queue().ticket(ticket_id)
    except QueueError:
        return {"survey": None}
    return {"survey": ticket, "survey_url": _visitor_url(ticket)}


def _visitor_url(ticket: Ticket) -> str:
    """The visitor's ticket page, as the ticket's QR encodes it."""
    return f"{settings().admin.public_base_url}/t/{ticket.token}"


def _render_counter() -> str:
    desk = _session_counter(COUNTER_KEY, FRONT_OFFICE)
    context: dict[str, Any] = {
        "counters": _front_office_counters(),
        "desk": desk,
        "failed_choose": _failed("choose"),
    }
    if desk is not None:
        context.update(_counter_live_context(desk))
        context.update(_current_context(desk))
        context.update(_survey_context())
    return render_template("counter.html", **context)


@bp.get("/counter")
@require("call")
def counter() -> Any:
    """The front-office counter (SOP 5-9, 15-16)."""
    return _render_counter()


@bp.get("/counter/live")
@require("call")
def counter_live() -> Any:
    """The live part of the counter page: the queue and the returned cases."""
    desk = _session_counter(COUNTER_KEY, FRONT_OFFICE)
    if desk is None:
        return ""
    return render_template("_pages_counter_live.html", **_counter_live_context(desk))


@bp.post("/counter/choose")
@require("call")
def counter_choose() -> Any:
    """Remember which front-office counter this user works at."""

    def act() -> str:
        value = field("counter").strip()
        if not value.isdigit():
            raise PageRefusal(PAGES["counter_choice_invalid"])
        desk = get_queue().counter(int(value))
        if desk.kind != FRONT_OFFICE:
            raise conflict("counter_not_front_office", counter=desk.name)
        if not desk.active:
            raise conflict("counter_inactive", counter=desk.name)
        session[COUNTER_KEY] = desk.id
        session.pop(SURVEY_KEY, None)
        return PAGES["counter_chosen"].format(counter=desk.name)

    return run(act, _render_counter, url_for("pages.counter"))


def _desk_action(action: Callable[[Counter], str | None]) -> Any:
    """Run a counter action for the session's counter, then back to the counter page."""
    return run(lambda: action(_desk()), _render_counter, url_for("pages.counter"))


@bp.post("/counter/call-next")
@require("call")
def counter_call_next() -> Any:
    """Call the next ticket for this counter (SOP step 5)."""

    def act(desk: Counter) -> str:
        ticket = get_queue().call_next(desk.id, actor=actor())
        if ticket is None:
            flash(PAGES["nothing_waiting"].format(counter=desk.name), "info")
            return ""
        session.pop(SURVEY_KEY, None)
        return PAGES["called"].format(counter=desk.name, label=ticket.label)

    return _desk_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/call")
@require("call")
def counter_call(ticket_id: int) -> Any:
    """Call one waiting ticket out of order (SOP step 5)."""

    def act(desk: Counter) -> str:
        ticket = get_queue().call_specific(desk.id, ticket_id, actor=actor())
        session.pop(SURVEY_KEY, None)
        return PAGES["called"].format(counter=desk.name, label=ticket.label)

    return _desk_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/recall")
@require("recall")
def counter_recall(ticket_id: int) -> Any:
    """Announce the called ticket again (after the cooldown)."""

    def act(desk: Counter) -> str:
        ticket = get_queue().recall(ticket_id, desk.id, actor=actor())
        return PAGES["recalled"].format(label=ticket.label, recalls=ticket.recalls)

    return _desk_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/no-show")
@require("no-show")
def counter_no_show(ticket_id: int) -> Any:
    """The called visitor did not come after the required recalls."""

    def act(desk: Counter) -> str:
        ticket = get_queue().no_show(ticket_id, desk.id, actor=actor())
        return PAGES["no_show"].format(label=ticket.label)

    return _desk_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/start")
@require("start")
def counter_start(ticket_id: int) -> Any:
    """The visitor is at the desk: service starts (SOP step 6)."""

    def act(desk: Counter) -> str:
        ticket = get_queue().start(ticket_id, desk.id, actor=actor())
        return PAGES["started"].format(label=ticket.label)

    return _desk_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/identify")
@require("identify")
def counter_identify(ticket_id: int) -> Any:
    """Record the visitor's identity and any letter of authority (SOP step 7)."""

    def act(desk: Counter) -> str:
        acting = checked("acting_for")
        result = get_queue().identify(
            ticket_id,
            desk.id,
            actor=actor(),
            name=field("name"),
            nik=field("nik"),
            institution=field("institution"),
            phone=field("phone"),
            acting_for=acting,
            # An empty letter choice is "no letter": the domain refuses a letter given
            # without acting for someone, and asks for one when acting.
            letter_type=field("letter_type") or None,
            letter_number=field("letter_number") or None,
        )
        for warning in result.warnings:
            flash(warning, "warning")
        return PAGES["identified"].format(label=result.ticket.label)

    return _desk_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/detail")
@require("detail")
def counter_detail(ticket_id: int) -> Any:
    """Record what the visitor asks for (SOP step 8)."""

    def act(desk: Counter) -> str:
        ticket = get_queue().detail(ticket_id, desk.id, actor=actor(), text=field("detail"))
        return PAGES["detailed"].format(label=ticket.label)

    return _desk_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/answer")
@require("answer")
def counter_answer(ticket_id: int) -> Any:
    """Answer at the desk: available or excepted information (SOP step 9a)."""

    def act(desk: Counter) -> str:
        ticket = get_queue().answer(
            ticket_id, desk.id, actor=actor(), kind=field("kind"), text=field("answer")
        )
        return PAGES["answered"].format(label=ticket.label)

    return _desk_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/escalate")
@require("escalate")
def counter_escalate(ticket_id: int) -> Any:
    """Hand the case to the back office with a note (SOP 9b-10); the desk is free."""

    def act(desk: Counter) -> str:
        ticket = get_queue().escalate(ticket_id, desk.id, actor=actor(), note=field("note"))
        return PAGES["escalated"].format(label=ticket.label)

    return _desk_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/explain")
@require("explain")
def counter_explain(ticket_id: int) -> Any:
    """Explain the answer to the visitor, directly or indirectly (SOP step 15); a case
    that came back from the back office is taken by this counter."""

    def act(desk: Counter) -> str:
        ticket = get_queue().explain(
            ticket_id, desk.id, actor=actor(), mode=field("mode"), note=field("note") or None
        )
        session.pop(SURVEY_KEY, None)
        return PAGES["explained"].format(label=ticket.label)

    return _desk_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/finish")
@require("finish")
def counter_finish(ticket_id: int) -> Any:
    """Close the service record and show the visitor the survey QR (SOP step 16)."""

    def act(desk: Counter) -> str:
        ticket = get_queue().finish(
            ticket_id,
            desk.id,
            actor=actor(),
            outcome=field("outcome") or "resolved",
            survey_invited=checked("survey_invited"),
        )
        if invited := checked("survey_invited"):
            session[SURVEY_KEY] = ticket.id
        return PAGES["finished" if invited else "finished_no_survey"].format(label=ticket.label)

    return _desk_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/transfer")
@require("transfer")
def counter_transfer(ticket_id: int) -> Any:
    """Move the ticket to another service's line, keeping its place."""

    def act(desk: Counter) -> str:
        ticket = get_queue().transfer(ticket_id, field("service"), actor=actor(), counter=desk.id)
        return PAGES["transferred"].format(label=ticket.label, service=ticket.service)

    return _desk_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/cancel")
@require("cancel")
def counter_cancel(ticket_id: int) -> Any:
    """Cancel the ticket at the desk with a reason (e.g. the visitor left)."""

    def act(desk: Counter) -> str:
        ticket = get_queue().cancel(
            ticket_id, actor=actor(), reason=field("reason"), counter=desk.id
        )
        return PAGES["cancelled"].format(label=ticket.label)

    return _desk_action(act)


@bp.post("/counter/pause")
@require("pause")
def counter_pause() -> Any:
    """Pause this counter: it calls no new numbers."""

    def act(desk: Counter) -> str:
        get_queue().pause(desk.id, actor=actor())
        return PAGES["paused"].format(counter=desk.name)

    return _desk_action(act)


@bp.post("/counter/resume")
@require("resume")
def counter_resume() -> Any:
    """Resume this counter."""

    def act(desk: Counter) -> str:
        get_queue().resume(desk.id, actor=actor())
        return PAGES["resumed"].format(counter=desk.name)

    return _desk_action(act)


@bp.get("/counter/tickets/<int:ticket_id>/survey-qr.png")
@require("finish")
def counter_survey_qr(ticket_id: int) -> Any:
    """The QR of the visitor's ticket page (status and the SKM survey), as a PNG."""
    import qrcode
    import qrcode.constants

    ticket = get_queue().ticket(ticket_id)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(_visitor_url(ticket))
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return Response(buffer.getvalue(), mimetype="image/png", headers={"Cache-Control": "no-store"})


# ============================================================================== back office


def _is_unit() -> bool:
    principal = current_principal()
    return principal is not None and principal.role == "unit"


def _back_office_desk() -> Counter | None:
    """The session's back-office counter; the only one, when the office has one."""
    desk = _session_counter(BACK_OFFICE_KEY, BACK_OFFICE)
    if desk is None:
        desks = [c for c in get_queue().counters() if c.kind == BACK_OFFICE and c.active]
        if len(desks) == 1:
            desk = desks[0]
            session[BACK_OFFICE_KEY] = desk.id
    return desk


def _require_back_office_desk() -> Counter:
    desk = _back_office_desk()
    if desk is None:
        raise PageRefusal(PAGES["back_office_required"], 409)
    return desk


def _back_office_live_context() -> dict[str, Any]:
    """The back office's lists: inbox, in work, with a main unit, answer ready."""
    db = get_db()
    unit = _is_unit()
    states = [sop.WITH_UNIT] if unit else sorted(sop.ESCALATION_STATES)
    cases = _ticket_rows(db, f"state IN ({', '.join('?' * len(states))})", states)
    main_units = {r["id"]: r["name"] for r in rows(db, "SELECT id, name FROM main_units")}
    return {
        "is_unit": unit,
        "inbox": [t for t in cases if t.state == sop.ESCALATED],
        "in_work": [t for t in cases if t.state == sop.BACK_OFFICE],
        "with_unit": [t for t in cases if t.state == sop.WITH_UNIT],
        "ready": [t for t in cases if t.state == sop.ANSWER_READY],
        "timers": _timers(db, cases),
        "identities": _identities(db, [t.visitor_id for t in cases], reveal=False),
        "counter_names": _counter_names(db),
        "service_names": queries.service_names(db),
        "main_units": main_units,
        "bo_desk": None if unit else _back_office_desk(),
        "short": _short,
    }


def _render_back_office() -> str:
    unit = _is_unit()
    return render_template(
        "back_office.html",
        desks=[] if unit else [c for c in get_queue().counters() if c.kind == BACK_OFFICE],
        **_back_office_live_context(),
    )


@bp.get("/back-office")
@require("directions")
def back_office() -> Any:
    """Back office (SOP 10-14): escalated cases; for a main unit, its cases."""
    return _render_back_office()


@bp.get("/back-office/live")
@require("directions")
def back_office_live() -> Any:
    """The live part of the back-office page: its case lists."""
    return render_template("_pages_back_office_live.html", **_back_office_live_context())


@bp.post("/back-office/choose")
@require("take")
def back_office_choose() -> Any:
    """Remember which back-office counter this user works at."""

    def act() -> str:
        value = field("counter").strip()
        if not value.isdigit():
            raise PageRefusal(PAGES["counter_choice_invalid"])
        desk = get_queue().counter(int(value))
        if desk.kind != BACK_OFFICE:
            raise conflict("counter_not_back_office", counter=desk.name)
        if not desk.active:
            raise conflict("counter_inactive", counter=desk.name)
        session[BACK_OFFICE_KEY] = desk.id
        return PAGES["back_office_chosen"].format(counter=desk.name)

    return run(act, _render_back_office, url_for("pages.back_office"))


def _case(ticket_id: int) -> Ticket:
    """A case the back office (or, while it is with a unit, the unit) may open.

    Raises ``QueueError`` (not found) for an unknown ticket; 404 for a ticket that was
    never escalated; 403 for a main unit opening a case that is not with a unit.
    """
    ticket = get_queue().ticket(ticket_id)
    if ticket.state not in sop.ESCALATION_STATES and ticket.escalation_note is None:
        abort(404)
    if _is_unit() and ticket.state != sop.WITH_UNIT:
        abort(403)
    return ticket


def _render_case(ticket_id: int) -> str:
    db = get_db()
    ticket = _case(ticket_id)
    reveal = may_reveal(ticket)
    names = _counter_names(db)
    units = rows(db, "SELECT id, name FROM main_units WHERE active = 1 ORDER BY id")
    unit = row(db, "SELECT name FROM main_units WHERE id = ?", (ticket.main_unit_id,))
    return render_template(
        "back_office.html",
        case=ticket,
        case_timer=_timers(db, [ticket]).get(ticket.id),
        case_identity=_identities(db, [ticket.visitor_id], reveal=reveal).get(
            ticket.visitor_id or 0
        ),
        case_unit=unit["name"] if unit else None,
        case_front_office=names.get(ticket.front_office_counter_id or 0, "-"),
        case_back_office=names.get(ticket.back_office_counter_id or 0, "-"),
        history=_history(db, ticket),
        units=units,
        is_unit=_is_unit(),
        bo_desk=None if _is_unit() else _back_office_desk(),
        service_names=queries.service_names(db),
        failed_resolve=_failed("resolve"),
        failed_forward=_failed("forward"),
        failed_directions=_failed("directions"),
    )


@bp.get("/back-office/cases/<int:ticket_id>")
@require("directions")
def back_office_case(ticket_id: int) -> Any:
    """One case in full (the case view): request, notes, answers, identity."""
    return _render_case(ticket_id)


def _case_action(ticket_id: int, action: Callable[[], str], target: str | None = None) -> Any:
    return run(
        action,
        lambda: _render_case(ticket_id),
        target or url_for("pages.back_office"),
    )


@bp.post("/back-office/cases/<int:ticket_id>/take")
@require("take")
def back_office_take(ticket_id: int) -> Any:
    """Take an escalated case (SOP step 11)."""

    def act() -> str:
        desk = _require_back_office_desk()
        ticket = get_queue().take(ticket_id, desk.id, actor=actor())
        return PAGES["taken"].format(label=ticket.label, counter=desk.name)

    # Then straight to the case: the next thing is to study it.
    return run(
        act,
        _render_back_office,
        url_for("pages.back_office_case", ticket_id=ticket_id),
    )


@bp.post("/back-office/cases/<int:ticket_id>/resolve")
@require("resolve")
def back_office_resolve(ticket_id: int) -> Any:
    """Settle the case and return the answer to the front office (SOP step 12)."""

    def act() -> str:
        desk = _require_back_office_desk()
        ticket = get_queue().resolve(ticket_id, desk.id, actor=actor(), text=field("answer"))
        return PAGES["resolved"].format(label=ticket.label)

    return _case_action(ticket_id, act)


@bp.post("/back-office/cases/<int:ticket_id>/forward")
@require("forward")
def back_office_forward(ticket_id: int) -> Any:
    """Forward the case to a main unit (SOP step 13)."""

    def act() -> str:
        desk = _require_back_office_desk()
        unit = field("unit").strip()
        ticket = get_queue().forward(
            ticket_id,
            desk.id,
            actor=actor(),
            unit=int(unit) if unit.isdigit() else unit,
            note=field("note") or None,
        )
        unit_name = row(
            get_db(), "SELECT name FROM main_units WHERE id = ?", (ticket.main_unit_id,)
        )
        return PAGES["forwarded"].format(
            label=ticket.label, unit=unit_name["name"] if unit_name else ""
        )

    return _case_action(ticket_id, act)


@bp.post("/back-office/cases/<int:ticket_id>/directions")
@require("directions")
def back_office_directions(ticket_id: int) -> Any:
    """Record the main unit's directions, *disposisi* (SOP step 14); the answer is ready."""

    def act() -> str:
        # The unit records its own directions; the back office relays them from its desk.
        desk = None if _is_unit() else _back_office_desk()
        ticket = get_queue().directions(
            ticket_id,
            actor=actor(),
            text=field("directions"),
            counter=desk.id if desk else None,
        )
        return PAGES["directions"].format(label=ticket.label)

    return _case_action(ticket_id, act)
