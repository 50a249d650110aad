"""The ticket printer as the admin app sees it: requests to its owner, and recorded state.

The printer has one owner, ``ult kiosk`` (issue 10): a reception or API print is a request
appended to the event log (:func:`kiosk.requests.request_print`), which the owner's worker
prints and answers with ``printed``, ``print_failed`` or ``print_unconfirmed``. Pages show
that answer from the live stream (the reception re-fetches its fragments on each event); the
printer state shown is the one the owner last recorded. Nothing here talks to the device, so
no web request thread waits on printer I/O and a dead printer never slows a page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from admin.db import get_db, get_queue, settings
from admin.forms import actor
from admin.messages import PAGES
from kiosk.requests import last_printer_state, owner_running, request_print
from kiosk.requests import state_text as _state_text
from ult.kinds import EventKind, PrinterState
from ult.queue import Issued, Queue, Ticket

NO_OWNER = "no_owner"
"""Reason code of a print nobody could take: ``ult kiosk`` (the printer's owner) is not
running. Recorded as ``print_failed``, so the ticket is listed for reprint."""

_PAPER_KINDS = (
    EventKind.PRINT_REQUESTED,
    EventKind.PRINTED,
    EventKind.PRINT_FAILED,
    EventKind.PRINT_UNCONFIRMED,
)


def state_text(state: str) -> str:
    """A recorded printer state word (or :data:`NO_OWNER`) in Indonesian."""
    return PAGES["reason_no_owner"] if state == NO_OWNER else _state_text(state)


def printer_text(state: str | None) -> str:
    """The printer's last recorded state in Indonesian."""
    return PAGES["printer_never"] if state is None else state_text(state)


def printer_configured() -> bool:
    """Whether ``[printer]`` names a printer at all (``connection = "none"``: no paper)."""
    return settings().printer.connection != "none"


@dataclass(frozen=True)
class PrinterReadiness:
    """Whether a print asked now can come out, from the database and the owner's lock only:
    ``state`` a printer state word, or :data:`NO_OWNER` when no ``ult kiosk`` runs."""

    state: str
    can_print: bool


def readiness() -> PrinterReadiness:
    """The printer as last recorded by its owner, or :data:`NO_OWNER`; never asks the device."""
    if not printer_configured():
        return PrinterReadiness(PrinterState.DISABLED, False)
    if not owner_running(settings()):
        return PrinterReadiness(NO_OWNER, False)
    view = last_printer_state(get_db())
    return PrinterReadiness(view.state or "unknown", view.can_issue)


def ask_to_print(queue: Queue, ticket: Ticket, who: str, source: str) -> int | None:
    """Hand ``ticket`` to the printer's owner; the request id, or ``None`` when no owner
    runs (then ``print_failed`` with :data:`NO_OWNER` is recorded: the ticket is listed for
    reprint at once)."""
    if not owner_running(settings()):
        queue.record_print(ticket.id, actor=who, printed=False, reason=NO_OWNER)
        return None
    return request_print(queue, ticket.id, actor=who, source=source)


def needs_print(ticket_id: int) -> bool:
    """Whether a retried request should ask for paper again: only when the ticket's last
    print failed (a pending request, a print, or one sent unconfirmed is not repeated)."""
    last = _last_paper_event(ticket_id)
    return last is None or last["kind"] == EventKind.PRINT_FAILED


# ------------------------------------------------------------------------------ reception page


@dataclass(frozen=True)
class Printout:
    """What issuing at the reception gave: the ticket, the print ``request`` handed to the
    printer's owner (``None`` when none was), and why there is none (a reason code, or
    ``None`` when no printer is configured or the ticket was issued before)."""

    issued: Issued
    request: int | None
    reason: str | None = None


def issue_and_print(
    service: str,
    topic: str | None,
    priority: bool,
    key: str | None,
    *,
    priority_category: str | None = None,
    override: bool = False,
) -> Printout:
    """Issue a reception ticket and ask for its paper in one go (SOP step 3);
    ``priority_category`` and ``override`` as :meth:`ult.queue.Queue.issue` takes them.

    Unlike the unattended button, the reception issues even when the printer certainly
    cannot print: a receptionist is there to tell the visitor the number, and the ticket
    is listed for reprint. With no printer configured nothing is marked for reprint.
    ``override``: issue outside the service hours or past the quota (recorded, see
    :meth:`ult.queue.Queue.issue`).
    """
    queue = get_queue()
    who = actor()
    ready = readiness()
    issued = queue.issue(
        service,
        actor=who,
        priority=priority,
        priority_category=priority_category,
        topic=topic,
        source="reception",
        idempotency_key=key,
        override=override,
    )
    if ready.state == PrinterState.DISABLED or (
        issued.replayed and not needs_print(issued.ticket.id)
    ):
        return Printout(issued, None)
    if not ready.can_print:
        queue.record_print(issued.ticket.id, actor=who, printed=False, reason=ready.state)
        return Printout(issued, None, ready.state)
    request = ask_to_print(queue, issued.ticket, who, "reception")
    return Printout(issued, request, None if request else NO_OWNER)


def reprint_at_reception(ticket_id: int) -> int | None:
    """Ask the printer's owner to print a ticket again: the request id; ``None`` when no
    printer is configured or no owner runs (nothing is recorded: the ticket is listed)."""
    if not printer_configured() or not owner_running(settings()):
        return None
    return request_print(get_queue(), ticket_id, actor=actor(), source="reception")


def paper(ticket: Ticket) -> dict[str, str | None]:
    """The paper of ``ticket`` as the reception shows it: ``status`` one of ``printed``,
    ``pending`` (asked, the owner has not answered yet), ``unconfirmed``, ``failed``,
    ``none`` (never asked, e.g. no printer); ``reason`` the code of a failure."""
    last = _last_paper_event(ticket.id)
    if last is None:
        return {"status": "printed" if ticket.printed else "none", "reason": None}
    kind = last["kind"]
    reason = json.loads(last["payload"]).get("reason")
    status = {
        EventKind.PRINT_REQUESTED: "pending",
        EventKind.PRINTED: "printed",
        EventKind.PRINT_UNCONFIRMED: "unconfirmed",
        EventKind.PRINT_FAILED: "failed",
    }[kind]
    return {"status": status, "reason": reason or ("unknown" if status == "failed" else None)}


def print_reason(ticket_id: int) -> str | None:
    """The reason code of the ticket's last print that did not come out confirmed."""
    last = _last_paper_event(ticket_id)
    if last is None or last["kind"] not in (EventKind.PRINT_FAILED, EventKind.PRINT_UNCONFIRMED):
        return None
    return json.loads(last["payload"]).get("reason") or "unknown"


def _last_paper_event(ticket_id: int) -> dict[str, str] | None:
    return next(
        get_db().query(
            "SELECT kind, payload FROM events WHERE ticket_id = ? AND kind IN (?, ?, ?, ?) "
            "ORDER BY id DESC LIMIT 1",
            (ticket_id, *_PAPER_KINDS),
        ),
        None,
    )
