"""Asking the printer's owner to print, and reading what it answered: the seam for web pages.

The printer has one owner, ``ult kiosk`` (:mod:`kiosk.owner`). Anyone else who wants a ticket
on paper appends a request to the event log (:func:`request_print`, a ``print_requested``
event whose id is the request id) and reads the outcome from the log later
(:func:`print_outcome`), or live from the event stream: ``printed``, ``print_failed`` or
``print_unconfirmed``, each carrying ``request`` in its payload. The printer state shown on
pages is the last one the owner recorded (:func:`last_printer_state`).

Nothing here touches the printer or imports python-escpos, so a web request thread that calls
these functions never waits on printer I/O (PITFALLS, printer).
"""

from __future__ import annotations

import fcntl
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import sqlite_utils

from printer.messages import state_text
from ult.kinds import PRINTER_FAULTS, EventKind
from ult.queries import printer_state
from ult.queue import Queue, TicketRef
from ult.settings import Settings
from ult.store import OWNER_LOCK_NAME

__all__ = [
    "OUTCOME_KINDS",
    "PrintOutcome",
    "PrinterView",
    "last_print_outcome",
    "last_printer_state",
    "owner_lock_path",
    "owner_running",
    "print_outcome",
    "request_print",
    "state_text",  # printer.messages' words, for pages that must not import printer
]

OUTCOME_KINDS: Final = (EventKind.PRINTED, EventKind.PRINT_FAILED, EventKind.PRINT_UNCONFIRMED)
"""Event kinds that answer a request (payload ``request`` = the request's event id)."""


@dataclass(frozen=True)
class PrintOutcome:
    """The owner's answer to one request: ``kind`` is one of :data:`OUTCOME_KINDS`,
    ``reason`` the failure code (``None`` when printed), ``event_id`` the answer's event.
    ``request`` is ``None`` for a print nobody requested (a button press, ``ult reprint``)."""

    request: int | None
    kind: str
    reason: str | None
    event_id: int

    @property
    def printed(self) -> bool:
        """Whether the printer confirmed the ticket."""
        return self.kind == EventKind.PRINTED


@dataclass(frozen=True)
class PrinterView:
    """The printer as last recorded by its owner: ``state`` (``None`` when never recorded),
    whether a ticket may be issued for printing, and the state in Indonesian."""

    state: str | None
    can_issue: bool
    text: str


def request_print(queue: Queue, ticket: TicketRef, *, actor: str, source: str) -> int:
    """Append a request to print ``ticket``; return its id (the ``print_requested`` event id).

    One short write transaction, no printer I/O. ``source`` is ``reception``, ``api``,
    ``kiosk`` or ``cli``. Raises ``QueueError`` for an unknown ticket or source.
    """
    return queue.request_print(ticket, actor=actor, source=source)


def print_outcome(db: sqlite_utils.Database, request: int) -> PrintOutcome | None:
    """The recorded answer to request ``request``, or ``None`` while it has none."""
    asked = next(
        db.query(
            "SELECT ticket_id FROM events WHERE id = ? AND kind = ?",
            (request, EventKind.PRINT_REQUESTED),
        ),
        None,
    )
    if asked is None:
        return None
    return last_print_outcome(db, int(asked["ticket_id"]), request=request)


def last_print_outcome(
    db: sqlite_utils.Database, ticket_id: int, *, request: int | None = None
) -> PrintOutcome | None:
    """The last print outcome recorded for ticket ``ticket_id`` (of request ``request`` only,
    when given), or ``None`` when none was recorded."""
    only_request = "" if request is None else " AND json_extract(payload, '$.request') = ?"
    found = next(
        db.query(
            "SELECT id, kind, payload FROM events WHERE ticket_id = ? AND kind IN (?, ?, ?)"
            f"{only_request} ORDER BY id DESC LIMIT 1",
            (ticket_id, *OUTCOME_KINDS, *(() if request is None else (request,))),
        ),
        None,
    )
    if found is None:
        return None
    payload = json.loads(found["payload"])
    return PrintOutcome(payload.get("request"), found["kind"], payload.get("reason"), found["id"])


def last_printer_state(db: sqlite_utils.Database) -> PrinterView:
    """The printer's state as its owner last recorded it (a ``printer_state`` event).

    A read of the database, never a question to the device. No record yet counts as unknown:
    a ticket may be issued, its print is asked for and the outcome recorded.
    """
    state = printer_state(db)
    return PrinterView(state, state not in PRINTER_FAULTS, state_text(state))


def owner_lock_path(settings: Settings) -> Path:
    """Where the owner's lock file lives: beside the database, which every process of the
    appliance can write (PITFALLS, store)."""
    return settings.store.database.parent / OWNER_LOCK_NAME


def owner_running(settings: Settings) -> bool:
    """Whether an ``ult kiosk`` holds the printer (its lock file is locked).

    A non-blocking probe of an flock, no printer I/O: when it is false, requests wait for the
    owner to start (it finds them again), so pages say that nobody is printing.
    """
    try:
        handle = owner_lock_path(settings).open("rb")
    except OSError:  # never started here (no lock file yet)
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False
