"""The front-office counter page (SOP 5-9, 15-16): call, serve, answer or escalate, explain,
finish with the survey QR; pause and resume the counter.

The counter the user works at is remembered in the session (:data:`COUNTER_KEY`); its live
part (the queue and the returned cases) is ``/counter/live``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, g, render_template, session, url_for

from admin.auth import may_reveal, require
from admin.db import get_db, get_queue, settings
from admin.errors import error_response
from admin.forms import PageRefusal, actor, checked, field, run
from admin.messages import PAGES, ROLE_NAMES, SURVEY
from admin.pages.common import (
    COUNTER_KEY,
    LIST_LIMIT,
    active_services,
    chosen_counter,
    clock_text,
    counter_names,
    counter_notice,
    document_kinds,
    failed_form,
    handles_cases,
    held_by_others,
    history,
    identities,
    name_checked,
    now_utc,
    person_fields,
    prefill_form,
    session_counter,
    sit_at,
    step_timers,
    ticket_rows,
)
from admin.survey import SURVEY_KEY, survey_qr_png, survey_url
from ult import queries, sop
from ult.clock import from_stamp, to_stamp
from ult.errors import QueueError
from ult.kinds import CALL_KINDS, EventKind
from ult.messages import EXEMPTIONS, RECORD_NAMES
from ult.queue import (
    ANSWER_KINDS,
    EXPLANATION_MODES,
    INCOMPLETE_REASONS,
    LETTER_TYPES,
    OUTCOMES,
    Counter,
    Ticket,
)
from ult.settings import FRONT_OFFICE, INFORMATION_SERVICE
from ult.steps import STEP_TABLE

bp = Blueprint("counter", __name__)

WAIT_STANDARD_SECONDS = next(s for s in STEP_TABLE if s.waiting).standard_seconds
"""The SOP's standard for the wait (steps 4-5 timed as one, ``ult.steps.STEP_TABLE``: 6
minutes): a ticket in the waiting list longer than this is marked (issue 14)."""


def _form_counter() -> Counter:
    """The front-office counter an action of this page acts for: the session's, and the one the
    form was rendered for (a second tab may have switched counters meanwhile)."""
    counter = session_counter(COUNTER_KEY, FRONT_OFFICE)
    if counter is None:
        raise PageRefusal(counter_notice() or PAGES["counter_required"], 409)
    posted = field("counter_id").strip()
    if posted and posted != str(counter.id):
        names = counter_names(get_db())
        shown = names.get(int(posted), posted[:20]) if posted.isdigit() else posted[:20]
        raise PageRefusal(
            PAGES["counter_form_mismatch"].format(form_counter=shown, counter=counter.name), 409
        )
    return counter


def _front_office_counters() -> list[Counter]:
    return [c for c in get_queue().counters() if c.kind == FRONT_OFFICE and c.active]


def _counter_live_context(counter: Counter) -> dict[str, Any]:
    """The counter page's live part: its queue and the cases that left and came back."""
    db = get_db()
    held = ticket_rows(db, "counter_id = ?", (counter.id,))
    waiting = queries.counter_queue(db, counter.id, limit=LIST_LIMIT)
    issued_at = {}
    if waiting:
        marks = ", ".join("?" * len(waiting))
        issued_at = {
            r["id"]: r["issued_at"]
            for r in list(
                db.query(
                    f"SELECT id, issued_at FROM tickets WHERE id IN ({marks})",
                    [w["id"] for w in waiting],
                )
            )
        }
    now = now_utc()
    for item in waiting:
        since = from_stamp(issued_at[item["id"]])
        seconds = int((now - since).total_seconds())
        item["waited"] = clock_text(seconds)
        item["since"] = issued_at[item["id"]]
        item["long_wait"] = seconds > WAIT_STANDARD_SECONDS
    escalated = ticket_rows(
        db,
        f"state IN ({', '.join('?' * len(sop.ESCALATION_STATES))})",
        sorted(sop.ESCALATION_STATES),
    )
    # Returned cases of any counter may be called back and explained by a free one (an
    # absent officer's task passes to another); this counter's own come first. One called
    # back to this counter is at its desk (the "at the desk" panel), not listed here.
    returned = sorted(
        (t for t in escalated if t.state == sop.ANSWER_READY and t.counter_id != counter.id),
        key=lambda t: (
            t.counter_id is not None,
            t.front_office_counter_id != counter.id,
            t.queue_seq,
        ),
    )
    mine_away = [
        t
        for t in escalated
        if t.state != sop.ANSWER_READY and t.front_office_counter_id == counter.id
    ]
    busy = held[0].label if held else None
    if busy:
        blocked = PAGES["busy_reason"].format(label=busy)
    elif counter.paused:
        blocked = PAGES["paused_reason"]
    elif not waiting:
        blocked = PAGES["empty_reason"]
    else:
        blocked = ""
    return {
        "counter": counter,
        "waiting": waiting,
        "wait_standard_seconds": WAIT_STANDARD_SECONDS,
        "long_wait_word": PAGES["long_wait"],
        "returned": returned,
        # Those no counter has called back yet: the red card, its heading, the badge, the
        # title and the sound count them. One called back to another counter is no longer
        # this counter's to act on: a quiet line under the card (issue 14 review).
        "returned_uncalled": [t for t in returned if t.counter_id is None],
        "returned_elsewhere": [t for t in returned if t.counter_id is not None],
        "returned_open": sum(1 for t in returned if t.counter_id is None),
        "mine_away": mine_away,
        "timers": step_timers(db, [*returned, *mine_away]),
        "identities": {
            **identities(db, [t.id for t in returned], reveal=False),
            # This counter's own returned cases are its case view: it may have to phone
            # the visitor to explain indirectly (SOP 15).
            **identities(
                db,
                [t.id for t in returned if t.front_office_counter_id == counter.id],
                reveal=handles_cases(),
            ),
        },
        "counter_names": counter_names(db),
        "service_names": queries.service_names(db),
        "call_blocked": blocked,
        "counter_blocked": (
            PAGES["busy_reason"].format(label=busy)
            if busy
            else PAGES["paused_reason"]
            if counter.paused
            else ""
        ),
        "explanation_modes": EXPLANATION_MODES,
    }


def desk_version(db: Any, counter: Counter, ticket: Ticket | None) -> str:
    """What the "at the desk" panel shows, as a short key: the counter, the ticket at it and
    the id of that ticket's latest event (every action on a ticket records one, so a call,
    a recall, a saved identity or an answer all change it). pages.js re-renders the panel only
    when the key changes, so a form the officer is filling in is not replaced by an identical
    panel. ``"<counter>:-"`` while nobody is at the counter."""
    if ticket is None:
        return f"{counter.id}:-"
    latest = db.execute("SELECT MAX(id) FROM events WHERE ticket_id = ?", (ticket.id,)).fetchone()
    return f"{counter.id}:{ticket.id}:{latest[0] or 0}"


def _taken_from_desk(db: Any, counter: Counter) -> tuple[int, str] | None:
    """Why the desk is empty when someone else took its visitor away (issue 14 review: a
    reception cancel emptied the panel to "Loket siap" with no word why): the ticket this
    counter called last was then cancelled or transferred by another user (reception, a
    supervisor). ``(event id, sentence)``, or None: nothing to say, or the officer did it
    (the flash said so). Until the counter calls again, which is a newer call."""
    last_call = db.execute(
        f"SELECT ticket_id FROM events WHERE counter_id = ? AND kind IN "
        f"({', '.join('?' * len(CALL_KINDS))}) ORDER BY id DESC LIMIT 1",
        (counter.id, *sorted(CALL_KINDS)),
    ).fetchone()
    if last_call is None or last_call[0] is None:
        return None
    latest = db.execute(
        "SELECT id, kind, actor, payload FROM events WHERE ticket_id = ? ORDER BY id DESC LIMIT 1",
        (last_call[0],),
    ).fetchone()
    if (
        latest is None
        or latest[1] not in (EventKind.CANCELLED, EventKind.TRANSFERRED)
        or latest[2] == actor()
    ):
        return None
    role = db.execute("SELECT role FROM users WHERE username = ?", (latest[2],)).fetchone()
    who = ROLE_NAMES.get(role[0], role[0]) if role else latest[2]
    ticket = get_queue().ticket(last_call[0])
    if latest[1] == EventKind.CANCELLED:
        text = PAGES["desk_cancelled_by"].format(
            label=ticket.label, who=who, reason=ticket.cancel_reason or "-"
        )
    else:
        service = queries.service_names(db).get(ticket.service, ticket.service)
        text = PAGES["desk_transferred_by"].format(label=ticket.label, who=who, service=service)
    return latest[0], text


def _current_context(counter: Counter) -> dict[str, Any]:
    """The ticket at the counter, with what the front office needs to move it on."""
    db = get_db()
    held = ticket_rows(db, "counter_id = ?", (counter.id,))
    if not held:
        note = _taken_from_desk(db, counter)
        version = desk_version(db, counter, None)
        return {
            "current": None,
            "desk_note": note[1] if note else None,
            # The note's event in the key: the panel re-renders when the note comes or goes.
            "desk_version": f"{version}:{note[0]}" if note else version,
        }
    ticket = held[0]
    queue_settings = settings().queue
    last_call = next(
        db.query(
            f"SELECT at FROM events WHERE ticket_id = ? AND kind IN "
            f"({', '.join('?' * len(CALL_KINDS))}) ORDER BY id DESC LIMIT 1",
            (ticket.id, *sorted(CALL_KINDS)),
        ),
        None,
    )
    ready_at = None
    cooldown_left = 0
    # A called-back case (answer_ready at this counter) waits the recall cooldown too.
    if ticket.state in (sop.CALLED, sop.ANSWER_READY) and last_call is not None:
        ready = from_stamp(last_call["at"]) + timedelta(
            seconds=queue_settings.recall_cooldown_seconds
        )
        cooldown_left = max(0, math.ceil((ready - now_utc()).total_seconds()))
        ready_at = to_stamp(ready)
    required = queue_settings.recalls_before_no_show
    no_show_reason = (
        PAGES["no_show_reason"].format(required=required, recalls=ticket.recalls)
        if ticket.recalls < required
        else ""
    )
    reveal = may_reveal(ticket)
    identity = identities(db, [ticket.id], reveal=reveal).get(ticket.id)
    services = [s for s in active_services(db) if s["letter"] != ticket.service]
    return {
        "current": ticket,
        "desk_version": desk_version(db, counter, ticket),
        "current_timer": step_timers(db, [ticket]).get(ticket.id),
        "current_identity": identity,
        "cooldown_left": cooldown_left,
        "recall_ready_at": ready_at,
        "no_show_reason": no_show_reason,
        "transfer_services": services,
        "history": history(db, ticket),
        "answer_kinds": ANSWER_KINDS,
        "explanation_modes": EXPLANATION_MODES,
        "letter_types": LETTER_TYPES,
        "document_kinds": document_kinds(),
        "exemptions": EXEMPTIONS,
        # UU 14/2008's purpose of use and Pasal 17 grounds: information requests only.
        "information_request": ticket.service == INFORMATION_SERVICE,
        "name_differs": g.get("name_differs"),
        "outcomes": OUTCOMES,
        "missing_record": [RECORD_NAMES[m] for m in get_queue().missing_record(ticket)],
        "incomplete_reasons": INCOMPLETE_REASONS,
        "failed_identify": g.get("identify_prefill") or failed_form("identify"),
        "failed_detail": failed_form("detail"),
        "failed_answer": failed_form("answer"),
        "failed_escalate": failed_form("escalate"),
        "failed_explain": failed_form("explain"),
        "failed_cancel": failed_form("cancel"),
    }


def _survey_context() -> dict[str, Any]:
    """The survey QR of the ticket this counter just finished, until the next call."""
    ticket_id = session.get(SURVEY_KEY)
    if not isinstance(ticket_id, int):
        return {"survey": None}
    try:
        ticket = get_queue().ticket(ticket_id)
    except QueueError:
        return {"survey": None}
    # One address everywhere: the QR, the text under it and "Salin tautan" all lead to the
    # survey itself (/t/<token>/survei), which is what the officer invites the visitor to.
    return {"survey": ticket, "survey_url": survey_url(ticket)}


def _render_counter() -> str:
    counter = session_counter(COUNTER_KEY, FRONT_OFFICE)
    context: dict[str, Any] = {
        "counters": _front_office_counters(),
        "counter": counter,
        "failed_choose": failed_form("choose"),
        "switch_holding": g.get("switch_holding"),
        "held_by": held_by_others(),
        "counter_notice": counter_notice(),
    }
    if counter is not None:
        context.update(_counter_live_context(counter))
        context.update(_current_context(counter))
        context.update(_survey_context())
    return render_template("counter/index.html", **context)


@bp.get("/counter")
@require("call")
def index() -> Any:
    """The front-office counter (SOP 5-9, 15-16)."""
    return _render_counter()


@bp.get("/counter/live")
@require("call")
def live() -> Any:
    """The live part of the counter page: the queue and the returned cases; once the
    officer no longer sits at the counter (taken over), why, at once (issue 11)."""
    counter = session_counter(COUNTER_KEY, FRONT_OFFICE)
    if counter is None:
        return render_template("counter/_notice.html", counter_notice=counter_notice())
    return render_template("counter/_live.html", **_counter_live_context(counter))


@bp.get("/counter/returned/live")
@require("call")
def returned_live() -> Any:
    """The returned cases' card at the top of the counter page (issue 14: impossible to
    miss); pages.js counts them for the badge, the title and the sound. Empty once the
    officer no longer sits at the counter (``/counter/live`` says why)."""
    counter = session_counter(COUNTER_KEY, FRONT_OFFICE)
    if counter is None:
        return render_template("counter/_returned.html", counter=None, returned=[])
    return render_template("counter/_returned.html", **_counter_live_context(counter))


@bp.get("/counter/pause/live")
@require("call")
def pause_live() -> Any:
    """The pause mark and the pause/resume control of the page's toolbar: they follow the
    stream like the queue, so a pause from another tab shows everywhere (issue 14). Empty
    once the officer no longer sits at the counter (``/counter/live`` says why)."""
    counter = session_counter(COUNTER_KEY, FRONT_OFFICE)
    return render_template("counter/_pause.html", counter=counter)


@bp.get("/counter/current/live")
@require("call")
def current() -> Any:
    """The "at the desk" panel alone (issue 14: it follows the stream like the queue does,
    so two pages of one counter never disagree); once the officer no longer sits at the
    counter, an empty panel (``/counter/live`` says why)."""
    counter = session_counter(COUNTER_KEY, FRONT_OFFICE)
    if counter is None:
        # The live part (/counter/live) says why, once; the panel only stops offering the
        # forms of a counter this officer no longer works at.
        return render_template("counter/_current_left.html")
    context = {
        "counter": counter,
        "service_names": queries.service_names(get_db()),
        **_current_context(counter),
    }
    return render_template("counter/_current.html", **context)


def _refuse_switch_while_holding(chosen: Counter) -> None:
    """Refuse to move this officer from a counter that still holds a visitor to ``chosen``
    unless the form confirms it (``confirm_switch``): the ticket would stay at a counter
    nobody sits at (issue 14). Raises ``PageRefusal`` (409); ``g.switch_holding`` then names
    the ticket so the picker shows the confirmation box."""
    previous = session_counter(COUNTER_KEY, FRONT_OFFICE)
    if previous is None or previous.id == chosen.id or checked("confirm_switch"):
        return
    held = ticket_rows(get_db(), "counter_id = ?", (previous.id,))
    if held:
        g.switch_holding = held[0].label
        raise PageRefusal(
            PAGES["switch_holding"].format(label=held[0].label, counter=previous.name), 409
        )


@bp.post("/counter/choose")
@require("call")
def choose() -> Any:
    """Sit at a front-office counter (recorded), taking it over from another officer when
    the form confirms it with a reason; the counter this session held before is left."""

    def act() -> str:
        counter = chosen_counter(FRONT_OFFICE)
        _refuse_switch_while_holding(counter)
        sit_at(COUNTER_KEY, counter)
        session.pop(SURVEY_KEY, None)
        return PAGES["counter_chosen"].format(counter=counter.name)

    return run(act, _render_counter, url_for("pages.counter.index"))


def _counter_action(action: Callable[[Counter], str | None]) -> Any:
    """Run a counter action for the session's counter, then back to the counter page."""
    return run(lambda: action(_form_counter()), _render_counter, url_for("pages.counter.index"))


@bp.post("/counter/call-next")
@require("call")
def call_next() -> Any:
    """Call the next ticket for this counter (SOP step 5)."""

    def act(counter: Counter) -> str:
        ticket = get_queue().call_next(counter.id, actor=actor())
        if ticket is None:
            flash(PAGES["nothing_waiting"].format(counter=counter.name), "info")
            return ""
        session.pop(SURVEY_KEY, None)
        return PAGES["called"].format(counter=counter.name, label=ticket.label)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/call")
@require("call")
def call(ticket_id: int) -> Any:
    """Call one waiting ticket out of order (SOP step 5)."""

    def act(counter: Counter) -> str:
        ticket = get_queue().call_specific(counter.id, ticket_id, actor=actor())
        session.pop(SURVEY_KEY, None)
        return PAGES["called"].format(counter=counter.name, label=ticket.label)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/recall")
@require("recall")
def recall(ticket_id: int) -> Any:
    """Announce the called ticket again (after the cooldown)."""

    def act(counter: Counter) -> str:
        ticket = get_queue().recall(ticket_id, counter.id, actor=actor())
        return PAGES["recalled"].format(label=ticket.label, recalls=ticket.recalls)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/no-show")
@require("no-show")
def no_show(ticket_id: int) -> Any:
    """The called visitor did not come after the required recalls."""

    def act(counter: Counter) -> str:
        ticket = get_queue().no_show(ticket_id, counter.id, actor=actor())
        return PAGES["no_show"].format(label=ticket.label)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/start")
@require("start")
def start(ticket_id: int) -> Any:
    """The visitor is at the counter: service starts (SOP step 6)."""

    def act(counter: Counter) -> str:
        ticket = get_queue().start(ticket_id, counter.id, actor=actor())
        return PAGES["started"].format(label=ticket.label)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/identify")
@require("identify")
def identify(ticket_id: int) -> Any:
    """Record the visitor's identity and any letter of authority (SOP step 7) as this
    visit's; a name that differs from the document's last visit comes back with a warning
    and a "save anyway" box (``confirm_name_change``)."""

    def act(counter: Counter) -> str:
        acting = checked("acting_for")
        result = name_checked(
            lambda: get_queue().identify(
                ticket_id,
                counter.id,
                actor=actor(),
                **person_fields(),
                acting_for=acting,
                # Empty fields are "none": the domain refuses representation given without
                # acting for someone, and asks for it when acting.
                represents_name=field("represents_name") or None,
                represents_institution=field("represents_institution") or None,
                letter_type=field("letter_type") or None,
                letter_number=field("letter_number") or None,
                letter_date=field("letter_date") or None,
                confirm_name_change=checked("confirm_name_change"),
            )
        )
        for warning in result.warnings:
            flash(warning, "warning")
        return PAGES["identified"].format(label=result.ticket.label)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/identify/prefill")
@require("identify")
def identify_prefill(ticket_id: int) -> Any:
    """Fill the identity form from the most recent visit with the typed document (a known
    number only pre-fills: nothing is saved until the officer saves the form)."""
    try:
        _form_counter()
    except PageRefusal as refusal:
        flash(refusal.message, "error")
        return _render_counter(), refusal.status
    g.identify_prefill = prefill_form(exclude_ticket=ticket_id)
    return _render_counter()


@bp.post("/counter/tickets/<int:ticket_id>/detail")
@require("detail")
def detail(ticket_id: int) -> Any:
    """Record what the visitor asks for (SOP step 8)."""

    def act(counter: Counter) -> str:
        ticket = get_queue().detail(
            ticket_id,
            counter.id,
            actor=actor(),
            text=field("detail"),
            purpose=field("purpose") or None,
        )
        return PAGES["detailed"].format(label=ticket.label)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/answer")
@require("answer")
def answer(ticket_id: int) -> Any:
    """Answer at the counter: available or excepted information (SOP step 9a)."""

    def act(counter: Counter) -> str:
        ticket = get_queue().answer(
            ticket_id,
            counter.id,
            actor=actor(),
            kind=field("kind"),
            text=field("answer"),
            exemption=field("exemption") or None,
            exemption_note=field("exemption_note") or None,
        )
        return PAGES["answered"].format(label=ticket.label)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/consult")
@require("consult")
def consult(ticket_id: int) -> Any:
    """The matter is not available here: the officer consults the back office (SOP 9b);
    step 10 runs until the escalation form below is sent."""

    def act(counter: Counter) -> str:
        ticket = get_queue().consult(ticket_id, counter.id, actor=actor())
        return PAGES["consulted"].format(label=ticket.label)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/escalate")
@require("escalate")
def escalate(ticket_id: int) -> Any:
    """Hand the case to the back office with a note (SOP 9b-10); the counter is free."""

    def act(counter: Counter) -> str:
        ticket = get_queue().escalate(ticket_id, counter.id, actor=actor(), note=field("note"))
        return PAGES["escalated"].format(label=ticket.label)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/explain")
@require("explain")
def explain(ticket_id: int) -> Any:
    """Explain the answer to the visitor, directly or indirectly (SOP step 15); a case
    that came back from the back office is taken by this counter."""

    def act(counter: Counter) -> str:
        ticket = get_queue().explain(
            ticket_id, counter.id, actor=actor(), mode=field("mode"), note=field("note") or None
        )
        session.pop(SURVEY_KEY, None)
        return PAGES["explained"].format(label=ticket.label)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/call-back")
@require("call-back")
def call_back(ticket_id: int) -> Any:
    """Call the visitor of a returned case back to this counter through the board and the
    voice (SOP 15; issue 14); again when the visitor did not come (after the cooldown)."""

    def act(counter: Counter) -> str:
        ticket = get_queue().call_back(ticket_id, counter.id, actor=actor())
        session.pop(SURVEY_KEY, None)
        if ticket.recalls:
            return PAGES["called_back_again"].format(label=ticket.label, recalls=ticket.recalls)
        return PAGES["called_back"].format(label=ticket.label, counter=counter.name)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/finish")
@require("finish")
def finish(ticket_id: int) -> Any:
    """Close the service record and show the visitor the survey QR (SOP step 16)."""

    def act(counter: Counter) -> str:
        ticket = get_queue().finish(
            ticket_id,
            counter.id,
            actor=actor(),
            outcome=field("outcome") or "resolved",
            survey_invited=checked("survey_invited"),
            incomplete_reason=field("incomplete_reason") or None,
        )
        if invited := checked("survey_invited"):
            session[SURVEY_KEY] = ticket.id
        return PAGES["finished" if invited else "finished_no_survey"].format(label=ticket.label)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/transfer")
@require("transfer")
def transfer(ticket_id: int) -> Any:
    """Move the ticket to another service's line, keeping its place."""

    def act(counter: Counter) -> str:
        ticket = get_queue().transfer(
            ticket_id, field("service"), actor=actor(), counter=counter.id
        )
        return PAGES["transferred"].format(label=ticket.label, service=ticket.service)

    return _counter_action(act)


@bp.post("/counter/tickets/<int:ticket_id>/cancel")
@require("cancel")
def cancel(ticket_id: int) -> Any:
    """Cancel the ticket at the counter with a reason (e.g. the visitor left)."""

    def act(counter: Counter) -> str:
        ticket = get_queue().cancel(
            ticket_id, actor=actor(), reason=field("reason"), counter=counter.id
        )
        return PAGES["cancelled"].format(label=ticket.label)

    return _counter_action(act)


@bp.post("/counter/pause")
@require("pause")
def pause() -> Any:
    """Pause this counter: it calls no new numbers."""

    def act(counter: Counter) -> str:
        get_queue().pause(counter.id, actor=actor())
        return PAGES["paused"].format(counter=counter.name)

    return _counter_action(act)


@bp.post("/counter/resume")
@require("resume")
def resume() -> Any:
    """Resume this counter."""

    def act(counter: Counter) -> str:
        get_queue().resume(counter.id, actor=actor())
        return PAGES["resumed"].format(counter=counter.name)

    return _counter_action(act)


@bp.get("/counter/tickets/<int:ticket_id>/survey-qr.png")
@require("finish")
def survey_qr(ticket_id: int) -> Any:
    """The QR of the ticket's SKM survey (``/t/<token>/survei``), as a PNG: only for the
    ticket this session just finished (the survey card), so the address of no other
    visitor's survey can be collected here (404 otherwise)."""
    if session.get(SURVEY_KEY) != ticket_id:
        return error_response(404, "survey_qr_unknown", SURVEY["qr_unknown"])
    return survey_qr_png(get_queue().ticket(ticket_id))
