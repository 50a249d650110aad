"""The reception page (SOP 2-4): issue and print, reprint, the printer's state, no-shows.

Its live parts (the printer, unprinted tickets, the lines: ``/reception/live``; the paper of
the ticket just issued: ``/reception/tickets/<id>/paper/live``; the list of today's tickets under
its search box: ``/reception/today/live``) are re-fetched by
``static/pages.js`` when the board stream reports an event, so the outcome of a print the
printer's owner answers shows by itself. Printing goes through :mod:`admin.printing`: a
request to the owner, never printer I/O on this thread.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from typing import Any

from flask import Blueprint, flash, g, render_template, request, url_for

from admin import printing
from admin.auth import allowed, require
from admin.db import get_db, get_queue
from admin.forms import PageRefusal, actor, checked, field, run
from admin.messages import PAGES
from admin.pages.common import (
    LIST_LIMIT,
    active_services,
    document_kinds,
    failed_form,
    identities,
    name_checked,
    person_fields,
    prefill_form,
    reason_text,
)
from ult import hours, queries, sop
from ult.errors import QueueError, conflict, invalid
from ult.kinds import PRINTER_FAULTS, PrinterState
from ult.messages import PRIORITY_CATEGORIES, STATES

bp = Blueprint("reception", __name__)

TODAY_ROWS = 50
"""Most of today's tickets the list shows (newest first); a search narrows it."""


def _today_tickets() -> dict[str, Any]:
    """Today's tickets as the list shows them (``?cari=`` searches the label, and the
    visitor's name for the roles that read names in the guest book); a bad search is
    said on the list, which then shows nothing."""
    search = request.args.get("cari", "")
    names = allowed("guestbook")
    try:
        rows, total = queries.day_tickets(
            get_db(), get_queue().today(), search=search, names=names, limit=TODAY_ROWS
        )
        error = None
    except QueueError as refusal:
        rows, total, error = [], 0, refusal.message
        g.today_refused = True
    # What the list shows, as a key: the live part is re-rendered only when it changes.
    shown = json.dumps([search, error, total, rows], default=str, sort_keys=True)
    return {
        "today_version": hashlib.sha256(shown.encode()).hexdigest()[:16],
        "today_tickets": rows,
        "today_total": total,
        "today_search": search[:100],
        "today_error": error,
        "today_names": names,
        "today_capped": (
            PAGES["today_capped"].format(shown=TODAY_ROWS, total=total)
            if total > TODAY_ROWS
            else ""
        ),
        "priority_categories": PRIORITY_CATEGORIES,
        "open_states": sorted(set(sop.STATES) - sop.FINAL_STATES),
        # docs/QUEUE.md: reception transfers a ticket waiting, called or being served.
        "transfer_states": sorted(sop.TRANSITIONS["transfer"].sources),
    }


def _reception_live_context() -> dict[str, Any]:
    db = get_db()
    day = get_queue().today()
    state = queries.printer_state(db)
    ready = printing.readiness()
    shown = ready.state if ready.state in (printing.NO_OWNER, PrinterState.DISABLED) else state
    return {
        "printer_state": shown,
        "printer_text": printing.printer_text(shown),
        "printer_ok": shown not in PRINTER_FAULTS and shown != printing.NO_OWNER,
        # The kiosk button issues nothing until the printer answers again (kiosk.dispense).
        "button_stopped": state in (PrinterState.PAPER_OUT, PrinterState.OFFLINE),
        "unprinted": queries.unprinted_tickets(db, day)[:LIST_LIMIT],
        "waiting": queries.waiting_per_service(db),
        "service_names": queries.service_names(db),
        "no_shows": list(
            db.query(
                "SELECT id, label, service FROM tickets WHERE day = ? AND state = ? ORDER BY id "
                f"LIMIT {LIST_LIMIT}",
                (day.isoformat(), sop.NO_SHOW),
            )
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
            identity = identities(db, [ticket.id], reveal=False).get(ticket.id)
            shown = {
                "ticket": ticket,
                "service_name": queries.service_names(db).get(ticket.service, ticket.service),
                "ahead": ahead,
                "minutes": minutes,
                "wait": queue.wait_words(minutes),
                "identity": identity,
                **_paper_context(ticket),
            }
    return render_template(
        "reception/index.html",
        services=active_services(db),
        shown=shown,
        request_key=secrets.token_urlsafe(12),
        failed_visitor=g.get("visitor_prefill") or failed_form("visitor"),
        document_kinds=document_kinds(),
        name_differs=g.get("name_differs"),
        failed_issue=failed_form("issue"),
        hours_notice=hours.notice(queue.issuing_state(), queue.clock()),
        quotas=_quotas(queue),
        **_reception_live_context(),
        **_today_tickets(),
    )


def _quotas(queue: Any) -> dict[str, tuple[int, int]]:
    """``{letter: (issued today, daily quota)}`` of the catalogue's services with a quota
    ([hours]: their own or the default, so a service added at runtime shows it too; a
    quota holds whether or not the opening hours are enforced)."""
    settings = queue.settings.hours
    today = queue.today()
    limits = {letter: settings.quota_of(letter) for letter in queries.service_names(queue.db)}
    return {
        letter: (hours.issued_today(queue.db, letter, today), limit)
        for letter, limit in limits.items()
        if limit is not None
    }


@bp.get("/reception")
@require("issue")
def index() -> Any:
    """Reception (SOP 2-4): issue and print, reprint, the printer's state, today's tickets."""
    page = _render_reception()
    return (page, 422) if g.get("today_refused") else page


@bp.get("/reception/live")
@require("issue")
def live() -> Any:
    """The live part of the reception page: printer, unprinted tickets, the lines."""
    return render_template("reception/_live.html", **_reception_live_context())


@bp.get("/reception/today/live")
@require("issue")
def today_live() -> Any:
    """The live list of today's tickets (``?cari=`` the search the page applied), refreshed
    on stream events; a bad search says so in the list with a 422, as the page does."""
    db = get_db()
    page = render_template(
        "reception/_today_list.html",
        services=active_services(db),
        service_names=queries.service_names(db),
        **_today_tickets(),
    )
    return (page, 422) if g.get("today_refused") else page


@bp.get("/reception/tickets/<int:ticket_id>/paper")  # registered second: url_for gives /live
@bp.get("/reception/tickets/<int:ticket_id>/paper/live")
@require("issue")
def paper(ticket_id: int) -> Any:
    """The live paper of one ticket: printed, being printed, not confirmed, or failed. The
    page polls ``.../paper/live`` (every live part ends in ``/live``); ``.../paper`` stays
    for links already out."""
    return render_template("reception/_paper.html", **_paper_context(get_queue().ticket(ticket_id)))


def _paper_context(ticket: Any) -> dict[str, Any]:
    found = printing.paper(ticket)
    return {"t": ticket, "paper": found["status"], "reason": reason_text(found["reason"])}


def _check_pick(service: str, topic: str | None) -> None:
    """Refuse an unknown service or topic before the printer is asked anything, so a bad
    click records nothing at all (the domain checks again when it issues)."""
    letter = service.strip().upper()
    if not letter:
        raise PageRefusal(PAGES["pick_required"])
    for known in active_services(get_db()):
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
def issue() -> Any:
    """Issue a ticket of the picked service (and topic) and print it: one click."""
    # A button carries "A" or "A|Dapodik": one click picks service and topic together.
    service, _, topic_text = field("pick").partition("|")
    topic = topic_text.strip() or None
    outcome: dict[str, printing.Printout] = {}

    def act() -> str:
        _check_pick(service, topic)
        # UU 25/2009 Pasal 29: reception records why a visitor goes first; picking a
        # category is asking for priority.
        category = _page_category(field("priority_category"))
        priority = checked("priority") or category is not None
        if priority and category is None:
            raise invalid("priority_category_required")
        key = field("request_key").strip() or None
        result = printing.issue_and_print(
            service,
            topic,
            priority,
            key,
            priority_category=category,
            override=checked("override"),
        )
        outcome["result"] = result
        label = result.issued.ticket.label
        if result.issued.replayed:
            return PAGES["issued_again"].format(label=label)
        if result.reason is not None:
            flash(
                PAGES["issued_not_printed"].format(label=label, reason=reason_text(result.reason)),
                "error",
            )
            return ""
        if result.request is None:
            return PAGES["issued_no_printer"].format(label=label)
        # The outcome follows: the ticket's paper is a live part of the page.
        return PAGES["issued_print_requested"].format(label=label)

    # Then the ticket just issued: label, place in line, estimated wait, paper.
    return run(
        act,
        _render_reception,
        lambda: url_for("pages.reception.index", tiket=outcome["result"].issued.ticket.id),
    )


@bp.post("/reception/tickets/<int:ticket_id>/reprint")
@require("reprint")
def reprint(ticket_id: int) -> Any:
    """Print a ticket again after its print failed."""

    def act() -> str:
        ticket = get_queue().ticket(ticket_id)
        if ticket.state in sop.FINAL_STATES:
            raise conflict(
                "wrong_state", label=ticket.label, state=STATES[ticket.state], action="dicetak"
            )
        requested = printing.reprint_at_reception(ticket.id)
        if requested is None:
            why = printing.readiness().state
            raise PageRefusal(
                PAGES["reprint_failed"].format(label=ticket.label, reason=reason_text(why)),
                409,
            )
        # The outcome follows on the page's live parts (the ticket's paper, the list).
        return PAGES["reprint_requested"].format(label=ticket.label)

    return run(act, _render_reception, url_for("pages.reception.index", tiket=ticket_id))


@bp.post("/reception/printer-check")
@require("issue")
def printer_check() -> Any:
    """Say the printer's state as its owner (``ult kiosk``) last recorded it.

    The owner asks the printer itself (every 10 s while it cannot print, every 60 s
    otherwise, and after every job); a web thread never does (issue 10).
    """

    def act() -> str:
        ready = printing.readiness()
        if ready.state == printing.NO_OWNER:
            raise PageRefusal(
                PAGES["printer_checked"].format(state=printing.state_text(ready.state)), 409
            )
        state = (
            ready.state if ready.state == PrinterState.DISABLED else queries.printer_state(get_db())
        )
        return PAGES["printer_checked"].format(state=printing.printer_text(state))

    return run(act, _render_reception, url_for("pages.reception.index"))


@bp.post("/reception/tickets/<int:ticket_id>/reactivate")
@require("reactivate")
def reactivate(ticket_id: int) -> Any:
    """Put a no-show back in line (SOP step 4), at the end, with the same number."""

    def act() -> str:
        ticket = get_queue().reactivate(ticket_id, actor=actor())
        return PAGES["reactivated"].format(label=ticket.label)

    return run(act, _render_reception, url_for("pages.reception.index"))


@bp.post("/reception/tickets/<int:ticket_id>/visitor")
@require("issue")
def visitor(ticket_id: int) -> Any:
    """Optionally register the visitor of a waiting ticket (SOP step 3: the ID card is
    borrowed at reception); the front office confirms it at step 7."""

    def act() -> str:
        registered = name_checked(
            lambda: get_queue().register_visitor(
                ticket_id,
                actor=actor(),
                **person_fields(),
                confirm_name_change=checked("confirm_name_change"),
            )
        )
        for warning in registered.warnings:
            flash(warning, "warning")
        return PAGES["visitor_registered"].format(label=registered.ticket.label)

    return run(act, _render_reception, url_for("pages.reception.index", tiket=ticket_id))


@bp.post("/reception/tickets/<int:ticket_id>/visitor/prefill")
@require("issue")
def visitor_prefill(ticket_id: int) -> Any:
    """Fill the visitor form from the most recent visit with the typed document; nothing
    is saved (a known number only pre-fills)."""
    g.visitor_prefill = prefill_form(exclude_ticket=ticket_id)
    return _render_reception()


def _back_to_list(ticket_id: int) -> str:
    """The reception page showing the ticket acted on, its list's search kept."""
    search = request.args.get("cari") or None
    return url_for("pages.reception.index", tiket=ticket_id, cari=search)


@bp.post("/reception/tickets/<int:ticket_id>/cancel")
@require("cancel")
def cancel(ticket_id: int) -> Any:
    """Cancel one of today's tickets with a reason (the visitor left, a wrong number)."""

    def act() -> str:
        ticket = get_queue().cancel(ticket_id, actor=actor(), reason=field("reason"))
        return PAGES["cancelled"].format(label=ticket.label)

    return run(act, _render_reception, _back_to_list(ticket_id))


@bp.post("/reception/tickets/<int:ticket_id>/transfer")
@require("transfer")
def transfer(ticket_id: int) -> Any:
    """Move a waiting ticket to another service's line: same number, same place."""

    def act() -> str:
        letter = field("service").strip()
        if not letter:
            raise PageRefusal(PAGES["pick_required"])
        ticket = get_queue().transfer(ticket_id, letter, actor=actor())
        name = queries.service_names(get_db()).get(ticket.service, ticket.service)
        return PAGES["reception_transferred"].format(label=ticket.label, service=name)

    return run(act, _render_reception, _back_to_list(ticket_id))


def _page_category(text: str) -> str | None:
    """The priority category picked on a reception form (a code of
    ``sop.PRIORITY_CATEGORIES``), None for none; an unknown one is refused with the
    categories' Indonesian names only (the codes are for the API and the CLI)."""
    code = text.strip()
    if not code:
        return None
    if code not in sop.PRIORITY_CATEGORIES:
        names = ", ".join(PRIORITY_CATEGORIES[c] for c in sop.PRIORITY_CATEGORIES)
        raise invalid("priority_category_invalid", choices=names)
    return code


@bp.post("/reception/tickets/<int:ticket_id>/prioritize")
@require("prioritize")
def prioritize(ticket_id: int) -> Any:
    """Mark a waiting ticket as priority with its category (UU 25/2009 Pasal 29): same
    number, same place; called before the normal tickets (docs/QUEUE.md "Calling"). On a
    priority ticket from the kiosk's priority button, records its category only."""

    def act() -> str:
        queue = get_queue()
        ticket = queue.prioritize(
            ticket_id, _page_category(field("priority_category")), actor=actor()
        )
        last = (
            get_db()
            .execute(
                "SELECT payload FROM events WHERE ticket_id = ? ORDER BY id DESC LIMIT 1",
                (ticket.id,),
            )
            .fetchone()
        )
        key = "prioritized"
        if last is not None and json.loads(last[0]).get("was_priority"):
            key = "priority_category_recorded"
        return PAGES[key].format(
            label=ticket.label, category=PRIORITY_CATEGORIES[str(ticket.priority_category)]
        )

    return run(act, _render_reception, _back_to_list(ticket_id))
