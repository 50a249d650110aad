"""Issue a ticket and put it on paper: the one path the button and the reception share.

Order matters (PITFALLS, printer): ask the printer first where it can answer, so a printer
that certainly cannot print consumes no number; issue (one committed transaction); only then
print, and record whether the paper came out. A print that fails, or that the printer could
not confirm, leaves the ticket in the queue, marked, for ``reprint``.

Every question to the printer and every job holds the printer's job lock
(:func:`kiosk.owner.printer_job`), so jobs from threads and processes never interleave.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from kiosk.owner import PrinterBusy, printer_job
from kiosk.requests import last_print_outcome
from printer.layout import TicketContent, TicketLayout, layout_ticket
from printer.output import Check, Delivery, PrintFailed, TicketOutput
from ult.kinds import EventKind, PrinterState
from ult.queries import service_names
from ult.queue import Issued, Queue, Ticket, TicketRef
from ult.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dispensed:
    """The result of :meth:`Dispenser.dispense`.

    ``issued`` is ``None`` when no number was consumed because the printer certainly cannot
    print (``check.can_issue`` false). ``printed`` says whether the printer confirmed the
    paper; ``sent`` whether the bytes left without a confirmation (the ticket stays on the
    reprint list); ``preview`` is the PNG written by a preview output.
    """

    check: Check
    issued: Issued | None = None
    printed: bool = False
    preview: Path | None = None
    sent: bool = False


class Dispenser:
    """``Dispenser(queue, output, settings)``; one per worker thread (it owns ``queue``)."""

    def __init__(self, queue: Queue, output: TicketOutput, settings: Settings) -> None:
        self.queue = queue
        self.output = output
        self.settings = settings

    def check(self, *, actor: str) -> Check:
        """Ask the printer and record its state when it changed (``printer_state`` event)."""
        try:
            with printer_job(self.settings):
                check = self.output.check()
        except PrinterBusy as error:
            # Another job holds the printer: it is there, and the print decides.
            return Check(PrinterState.UNKNOWN, True, str(error))
        if self.queue.record_printer_state(check.state, actor=actor):
            log.info("printer state: %s %s", check.state, check.detail)
        return check

    def dispense(
        self,
        service: str,
        *,
        actor: str,
        priority: bool = False,
        topic: str | None = None,
        source: str = "kiosk",
        idempotency_key: str | None = None,
    ) -> Dispensed:
        """Check the printer, issue a ticket of ``service``, print it, record the outcome.

        Raises ``QueueError`` when the queue refuses the ticket (nothing issued): outside
        the service hours or past the daily quota (``[hours]``) before the printer is even
        asked, so a closed kiosk neither claims a number nor wakes the printer.
        """
        refusal = self.queue.issuing_refusal(service)
        if refusal is not None:
            raise refusal
        check = self.check(actor=actor)
        if not check.can_issue:
            return Dispensed(check)
        issued = self.queue.issue(
            service,
            actor=actor,
            priority=priority,
            topic=topic,
            source=source,
            idempotency_key=idempotency_key,
        )
        if issued.replayed and (went_out := self._went_out(issued.ticket.id)) is not None:
            # A retried click: the first print left already, do not put a second on paper.
            return Dispensed(check, issued, printed=went_out, sent=not went_out)
        delivery = self._print(issued.ticket, issued, actor=actor)
        return _dispensed(check, issued, delivery)

    def reprint(self, ticket: TicketRef, *, actor: str, request: int | None = None) -> Dispensed:
        """Print an issued ticket again (after a failed print), with its current position.

        ``request`` is the ``print_requested`` event this answers (recorded with the outcome).
        """
        issued = self.queue.standing(ticket)
        target = issued.ticket
        delivery = self._print(target, issued, actor=actor, request=request)
        return _dispensed(Check(PrinterState.UNKNOWN, True), issued, delivery)

    def _went_out(self, ticket_id: int) -> bool | None:
        """``True`` printed, ``False`` sent unconfirmed, ``None`` never sent (or failed)."""
        last = last_print_outcome(self.queue.db, ticket_id)
        return {EventKind.PRINTED: True, EventKind.PRINT_UNCONFIRMED: False}.get(
            last.kind if last else ""
        )

    def layout(self, issued: Issued) -> TicketLayout:
        """The layout of one issued ticket, as it is printed and previewed."""
        ticket = issued.ticket
        content = TicketContent(
            office_name=self.settings.office.name,
            service_name=service_names(self.queue.db).get(ticket.service, ticket.service),
            label=ticket.label,
            priority=ticket.priority,
            issued_at=ticket.issued_at,
            timezone=self.settings.office.tz,
            waiting_ahead=issued.waiting_ahead,
            estimated_wait_minutes=issued.estimated_wait_minutes,
            url=f"{self.settings.admin.public_base_url}/t/{ticket.token}",
            footer=self.settings.printer.footer,
            after_closing=issued.after_closing,
            closed_wait=issued.closed_wait,
        )
        return layout_ticket(content, self.output.capabilities)

    def _print(
        self, ticket: Ticket, issued: Issued, *, actor: str, request: int | None = None
    ) -> Delivery | None:
        """Print and record the outcome; ``None`` when it failed."""
        try:
            with printer_job(self.settings):
                delivery = self.output.deliver(self.layout(issued), ticket.label)
        except (PrintFailed, PrinterBusy) as failure:
            reason = failure.reason if isinstance(failure, PrintFailed) else "busy"
            log.warning("ticket %s did not print: %s", ticket.label, failure)
            if isinstance(failure, PrintFailed):
                self._record_state(failure.state, actor=actor)
            self.queue.record_print(
                ticket.id, actor=actor, printed=False, reason=reason, request=request
            )
            return None
        self._record_state(delivery.state, actor=actor)
        if delivery.printed:
            self.queue.record_print(ticket.id, actor=actor, printed=True, request=request)
        else:
            log.warning("ticket %s sent, not confirmed: %s", ticket.label, delivery.detail)
            self.queue.record_print(
                ticket.id,
                actor=actor,
                printed=False,
                reason="unconfirmed",
                unconfirmed=True,
                request=request,
            )
        return delivery

    def _record_state(self, state: str | None, *, actor: str) -> None:
        # The confirmation after a job is a status answer too: record it at once (before the
        # outcome, so whoever waits for the outcome then reads the new state), and pages stop
        # offering issue-and-print for a printer that just ran out of paper rather than at
        # the next periodic check. Only a change appends an event.
        if state is not None and self.queue.record_printer_state(state, actor=actor):
            log.info("printer state after the job: %s", state)


def _dispensed(check: Check, issued: Issued, delivery: Delivery | None) -> Dispensed:
    if delivery is None:
        return Dispensed(check, issued)
    return Dispensed(check, issued, delivery.printed, delivery.preview, not delivery.printed)
