"""The ticket printer as the admin app uses it: the reception page and the JSON API.

Every use of :mod:`printer.output` and :class:`kiosk.dispense.Dispenser` in the admin app
is here, so the printer work has one place to change. Two paths exist, moved here
unchanged: the reception page's (one lock per process, its own cached output in
``app.extensions["ult_pages_ticket_output"]``) and the API's (one lock and one output per
app, ``ult_printer_lock`` and ``ult_ticket_output``, where tests may put a fake).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import current_app

from admin.db import get_db, get_queue, settings
from admin.forms import actor
from admin.messages import PAGES
from ult.queue import Issued, Queue, Ticket
from ult.store import row

if TYPE_CHECKING:
    from printer.output import TicketOutput

log = logging.getLogger(__name__)

_PRINTER_LOCK = threading.Lock()
"""One print at a time from this process: two receptionists clicking together must not
interleave their tickets' bytes on one printer."""


def state_text(state: str) -> str:
    """A printer state word in Indonesian (:func:`printer.output.state_text`); raises
    ``ValueError`` for a word it does not know."""
    from printer.output import state_text as text

    return text(state)


def printer_text(state: str | None) -> str:
    """The printer's last recorded state in Indonesian."""
    if state is None:
        return PAGES["printer_never"]
    try:
        return state_text(state)
    except ValueError:
        return state


# ------------------------------------------------------------------------------ reception page


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


def issue_and_print(service: str, topic: str | None, priority: bool, key: str | None) -> Printout:
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
                reason = None if result.printed else print_reason(result.issued.ticket.id)
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


def reprint_at_reception(ticket_id: int) -> bool | None:
    """Print a ticket again from the reception page: whether the paper came out (the
    dispenser records ``printed`` or ``print_failed``); ``None`` when no printer is usable
    (nothing is recorded)."""
    from kiosk.dispense import Dispenser

    with _PRINTER_LOCK:
        output = _ticket_output()
        if output is None:
            return None
        result = Dispenser(get_queue(), output, settings()).reprint(ticket_id, actor=actor())
    return bool(result.printed)


def check_at_reception() -> str | None:
    """Ask the printer now from the reception page, recording its state when it changed:
    the state word; ``None`` when no printer is usable."""
    from kiosk.dispense import Dispenser

    with _PRINTER_LOCK:
        output = _ticket_output()
        if output is None:
            return None
        check = Dispenser(get_queue(), output, settings()).check(actor=actor())
    return check.state


def print_reason(ticket_id: int) -> str | None:
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


# ------------------------------------------------------------------------------ JSON API


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


def check_printer(queue: Queue, actor: str) -> Any:
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


def print_ticket(queue: Queue, ticket: Ticket, actor: str) -> bool:
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
