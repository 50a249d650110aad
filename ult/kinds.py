"""The words the event log and the printer speak: every event kind and every printer state.

A leaf module (it imports nothing of ours), so the core, the board, the staff pages, the
stream and the printer can all name these without importing each other. The values are
what is stored in ``events.kind`` and in ``printer_state`` payloads, and what the stream
and the API carry: they are part of the public contract and never change.
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    """What one appended row of the event log records (``events.kind``).

    The ticket transitions of :data:`ult.sop.TRANSITIONS` first, then the ticket records
    outside the state machine, then the events that carry no ticket.
    """

    # Ticket transitions (SOP steps 3-16 and housekeeping), by ult.sop action.
    ISSUED = "issued"
    REACTIVATED = "reactivated"
    CALLED = "called"
    RECALLED = "recalled"
    NO_SHOW = "no_show"
    STARTED = "started"
    IDENTIFIED = "identified"
    DETAILED = "detailed"
    ANSWERED = "answered"
    ESCALATED = "escalated"
    TAKEN = "taken"
    RESOLVED = "resolved"
    FORWARDED = "forwarded"
    # The main unit's disposition (SOP 14). Stored as "directions" since wave 1: the log is
    # append-only (a trigger refuses UPDATE) and shipped to the centre, and the stream and
    # the API carry the kind, so the stored word stays; code names it by the word list.
    DISPOSITION = "directions"
    EXPLAINED = "explained"
    FINISHED = "finished"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    # Ticket records that change no state.
    PRINTED = "printed"
    PRINT_FAILED = "print_failed"
    PRINT_UNCONFIRMED = "print_unconfirmed"
    """Sent, but the printer could not confirm the paper (issue 10): listed for reprint."""
    PRINT_REQUESTED = "print_requested"
    """A print handed to the printer's owner (``ult kiosk``); the event id is the request id."""
    VISITOR_REGISTERED = "visitor_registered"
    # No ticket.
    COUNTER_PAUSED = "counter_paused"
    COUNTER_RESUMED = "counter_resumed"
    PRINTER_STATE = "printer_state"
    RUNNING_TEXT = "running_text"
    CATALOG_CHANGED = "catalog_changed"
    DAY_STARTED = "day_started"
    DAY_CORRECTED = "day_corrected"
    CLOCK_BEHIND = "clock_behind"
    RESTORED = "restored"
    """``ult restore`` put a backup in place: the first event written after the backup's own."""
    CONSULTED = "consulted"
    """SOP 9b: the matter is not available at the desk; the front office consults the back
    office (step 10 runs until the escalation)."""
    RELAYED = "relayed"
    """SOP 14: the back office passes the main unit's disposition on to the front office."""
    COUNTER_TAKEN = "counter_taken"
    """An officer (the actor) sits at a counter; a takeover names the previous holder, the
    reason and any written assignment (ult.sitting)."""
    COUNTER_LEFT = "counter_left"
    """The officer (the actor) left the counter (switching counters, logging out)."""
    # Personal data (issue 13, UU 27/2022): every view and export of unmasked personal data,
    # every erasure, and the daily purge. Payloads say what and which ticket or period, never
    # the personal data itself.
    PERSONAL_DATA_VIEWED = "personal_data_viewed"
    """Unmasked personal data shown to the actor: ``what`` (a page or API), ``ticket_id``
    or ``period``."""
    PERSONAL_DATA_EXPORTED = "personal_data_exported"
    """A file with personal data handed to the actor: ``what``, ``period`` or the count of
    visits of one identity (an access request)."""
    PERSONAL_DATA_ERASED = "personal_data_erased"
    """One identity erased on request: how many visits; never the identity number."""
    VISITS_PURGED = "visits_purged"
    """The retention purge: how many visits lost their identity, up to which business day."""
    PRIORITIZED = "prioritized"
    """Reception marked a waiting ticket as priority (UU 25/2009 Pasal 29): payload
    ``priority_category`` (a code of ``ult.sop.PRIORITY_CATEGORIES``); same number and place."""
    CALLED_BACK = "called_back"
    """SOP 15: the front office calls the visitor of a returned case (``answer_ready``) back
    to a counter through the board and the voice: payload ``counter`` (its name) and
    ``recalls`` (0 the first time, then counted like a recall). Not a new ticket."""


PERSONAL_DATA_KINDS = (
    EventKind.PERSONAL_DATA_VIEWED,
    EventKind.PERSONAL_DATA_EXPORTED,
    EventKind.PERSONAL_DATA_ERASED,
    EventKind.VISITS_PURGED,
)
"""The audit of personal data (UU 27/2022): the supervisor reviews them (``ult.privacy``);
they tell of staff activity and never reach the public board stream."""

CALL_KINDS = frozenset({EventKind.CALLED, EventKind.RECALLED, EventKind.CALLED_BACK})
"""The events that announce a ticket to a counter (the board shows and speaks them); a
call-back sends the visitor of a returned case back ("silakan kembali ke")."""


class PrinterState(StrEnum):
    """What the ticket printer said about itself (ESC/POS DLE EOT), or that there is none:
    the ``state`` of a ``printer_state`` event, of the printer package's status reports and
    of the pages' and API's printer fields."""

    READY = "ready"
    """Online, paper adequate."""
    PAPER_NEAR_END = "paper_near_end"
    """Online, the paper roll near-end sensor is on: printing goes on, staff should refill."""
    PAPER_OUT = "paper_out"
    """The paper end sensor is on: nothing can be printed."""
    OFFLINE = "offline"
    """The printer says it is offline (cover open, error), or cannot be reached at all."""
    UNKNOWN = "unknown"
    """No well-formed answer (no back channel, no reply, a malformed one): it may still print."""
    DISABLED = "disabled"
    """No printer is configured (``[printer] connection = "none"``)."""

    @property
    def can_print(self) -> bool | None:
        """``True``/``False`` when the state says so; ``None`` when it is unknown."""
        if self in (PrinterState.READY, PrinterState.PAPER_NEAR_END):
            return True
        return None if self is PrinterState.UNKNOWN else False


PRINTER_FAULTS = frozenset(state for state in PrinterState if state.can_print is False)
"""The states in which the printer certainly cannot print (or there is none): the board and
the visitor page send visitors to reception."""
