"""The reception page (SOP 2-4): issue and print, reprint, the printer's state, no-shows.

Its live part (the printer, unprinted tickets, the lines) is ``/reception/live``, which
``static/pages.js`` re-fetches when the board stream reports an event. Printing goes
through :mod:`admin.printing`.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, flash, render_template, request, url_for

from admin import printing
from admin.auth import require
from admin.db import get_db, get_queue
from admin.forms import PageRefusal, actor, checked, field, run
from admin.messages import PAGES
from admin.pages.common import LIST_LIMIT, active_services, failed_form, identities, reason_text
from ult import queries, sop
from ult.errors import QueueError, conflict, invalid
from ult.messages import STATES
from ult.store import rows

bp = Blueprint("reception", __name__)


def _reception_live_context() -> dict[str, Any]:
    db = get_db()
    day = get_queue().today()
    state = queries.printer_state(db)
    return {
        "printer_state": state,
        "printer_text": printing.printer_text(state),
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
            identity = identities(db, [ticket.visitor_id], reveal=False).get(ticket.visitor_id or 0)
            shown = {
                "ticket": ticket,
                "service_name": queries.service_names(db).get(ticket.service, ticket.service),
                "ahead": ahead,
                "minutes": minutes,
                "reason": reason_text(printing.print_reason(ticket.id))
                if ticket.printed is False
                else "",
                "identity": identity,
            }
    return render_template(
        "reception/index.html",
        services=active_services(db),
        shown=shown,
        request_key=secrets.token_urlsafe(12),
        failed_visitor=failed_form("visitor"),
        failed_issue=failed_form("issue"),
        **_reception_live_context(),
    )


@bp.get("/reception")
@require("issue")
def index() -> Any:
    """Reception (SOP 2-4): issue and print, reprint, the printer's state."""
    return _render_reception()


@bp.get("/reception/live")
@require("issue")
def live() -> Any:
    """The live part of the reception page: printer, unprinted tickets, the lines."""
    return render_template("reception/_live.html", **_reception_live_context())


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
        key = field("request_key").strip() or None
        result = printing.issue_and_print(service, topic, checked("priority"), key)
        outcome["result"] = result
        label = result.issued.ticket.label
        if result.issued.replayed:
            return PAGES["issued_again"].format(label=label)
        if result.printed is None:
            return PAGES["issued_no_printer"].format(label=label)
        if not result.printed:
            flash(
                PAGES["issued_not_printed"].format(label=label, reason=reason_text(result.reason)),
                "error",
            )
            return ""
        return PAGES["issued_printed"].format(label=label)

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
        printed = printing.reprint_at_reception(ticket.id)
        if printed is None:
            raise PageRefusal(
                PAGES["reprint_failed"].format(label=ticket.label, reason=reason_text("setup")),
                409,
            )
        if not printed:
            reason = reason_text(printing.print_reason(ticket.id))
            # Recorded as print_failed already: say so, and keep it listed for another try.
            flash(PAGES["reprint_failed"].format(label=ticket.label, reason=reason), "error")
            return ""
        return PAGES["reprinted"].format(label=ticket.label)

    return run(act, _render_reception, url_for("pages.reception.index", tiket=ticket_id))


@bp.post("/reception/printer-check")
@require("issue")
def printer_check() -> Any:
    """Ask the printer now and record its state when it changed."""

    def act() -> str:
        state = printing.check_at_reception()
        if state is None:
            raise PageRefusal(PAGES["printer_setup"], 409)
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
        registered = get_queue().register_visitor(
            ticket_id,
            actor=actor(),
            name=field("name"),
            nik=field("nik"),
            institution=field("institution"),
            phone=field("phone"),
        )
        return PAGES["visitor_registered"].format(label=registered.ticket.label)

    return run(act, _render_reception, url_for("pages.reception.index", tiket=ticket_id))
