"""Issue a ticket and put it on paper: the one path the button and the reception share.

Order matters (PITFALLS, printer): ask the printer first where it can answer, so a printer
that certainly cannot print consumes no number; issue (one committed transaction); only then
print, and record whether the paper came out. A print that fails leaves the ticket in the
queue, marked, for ``reprint``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from printer.layout import TicketContent, TicketLayout, layout_ticket
from printer.output import Check, PrintFailed, TicketOutput
from ult.queries import service_names
from ult.queue import Issued, Queue, Ticket, TicketRef
from ult.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dispensed:
    """The result of :meth:`Dispenser.dispense`.

    ``issued`` is ``None`` when no number was consumed because the printer certainly cannot
    print (``check.can_issue`` false). ``printed`` says whether the paper came out;
    ``preview`` is the PNG written by a preview output.
    """

    check: Check
    issued: Issued | None = None
    printed: bool = False
    preview: Path | None = None


class Dispenser:
    """``Dispenser(queue, output, settings)``; one per worker thread (it owns ``queue``)."""

    def __init__(self, queue: Queue, output: TicketOutput, settings: Settings) -> None:
        self.queue = queue
        self.output = output
        self.settings = settings

    def check(self, *, actor: str) -> Check:
        """Ask the printer and record its state when it changed (``printer_state`` event)."""
        check = self.output.check()
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

        Raises ``QueueError`` when the queue refuses the ticket (nothing issued).
        """
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
        if issued.replayed and issued.ticket.printed:
            return Dispensed(check, issued, printed=True)
        printed, preview = self._print(issued.ticket, issued, actor=actor)
        return Dispensed(check, issued, printed, preview)

    def reprint(self, ticket: TicketRef, *, actor: str) -> Dispensed:
        """Print an issued ticket again (after a failed print), with its current position."""
        target = self.queue.ticket(ticket)
        ahead, minutes = self.queue.position(target.id)
        issued = Issued(target, ahead, minutes)
        printed, preview = self._print(target, issued, actor=actor)
        return Dispensed(Check("unknown", True), issued, printed, preview)

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
        )
        return layout_ticket(content, self.output.capabilities)

    def _print(self, ticket: Ticket, issued: Issued, *, actor: str) -> tuple[bool, Path | None]:
        try:
            preview = self.output.deliver(self.layout(issued), ticket.label)
        except PrintFailed as failure:
            log.warning("ticket %s did not print: %s", ticket.label, failure)
            self.queue.record_print(ticket.id, actor=actor, printed=False, reason=failure.reason)
            return False, None
        self.queue.record_print(ticket.id, actor=actor, printed=True)
        return True, preview
