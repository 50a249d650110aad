"""The event kinds and printer-state words as the admin app names them: one place in admin.

A copy of the core's ``ult.kinds`` (``EventKind``, ``CALL_KINDS``, ``PrinterState``,
``PRINTER_FAULTS``: same names, same values) until both branches meet; then this whole module
becomes the one line ``from ult.kinds import CALL_KINDS, PRINTER_FAULTS, EventKind,
PrinterState`` and no other admin file changes. The values are what ``events.kind`` and the
``printer_state`` payloads store, and what the stream and the API carry.
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


CALL_KINDS = frozenset({EventKind.CALLED, EventKind.RECALLED})
"""The events that announce a ticket to a counter (the board shows and speaks them)."""


class PrinterState(StrEnum):
    """What the ticket printer last reported (the ``state`` of a ``printer_state`` event)."""

    READY = "ready"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    UNKNOWN = "unknown"
    """It gave no usable reply: it may still print."""
    DISABLED = "disabled"
    """No printer is configured."""


PRINTER_FAULTS = frozenset({PrinterState.OFFLINE, PrinterState.PAPER_OUT, PrinterState.DISABLED})
"""The states in which the printer certainly cannot print (or there is none): the board and
the visitor page send visitors to reception."""
