"""The printer's one owner: the locks that keep jobs whole, and the server of print requests.

Two locks (``fcntl.flock``) on files beside the database, so they hold across processes and
across threads (each :func:`printer_job` opens its own file description):

- ``printer.lock`` is held for one job: a status question, or a ticket with its confirmation.
  Every code path that talks to the printer takes it (:class:`~kiosk.dispense.Dispenser`
  does), so the bytes of two jobs never interleave on the paper, whatever mix of processes
  prints: the owner's worker, or ``ult reprint``/``ult print-test`` run by hand, which print
  at once whether or not the owner runs (they wait for the current job, not for a queue).
- ``kiosk.lock`` (:func:`hold_owner`) is held by ``ult kiosk`` for its whole run: a second
  owner refuses to start, and pages can tell whether anybody serves requests
  (:func:`kiosk.requests.owner_running`).

Why a per-job lock rather than handing every by-hand command to the owner: it gives the same
guarantee (one job at a time on the device) with one mechanism for both cases, and a
technician's command still answers with the printer's own outcome at once.

:class:`RequestServer` runs on the owner's single worker thread: it tails the event log for
``print_requested`` events by id, prints each in order and records the outcome. Requests are
durable: on start it finds every request without an outcome again; one older than
:data:`REQUEST_MAX_AGE_SECONDS` is not printed late but recorded failed (``expired``), so the
ticket stays on the reprint list. A request leaves the server only once its outcome is
recorded, so a failure while recording (the database busy) is retried, not forgotten.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Final

import sqlite_utils

from kiosk.requests import OUTCOME_KINDS, owner_lock_path, print_outcome
from ult.clock import from_stamp
from ult.kinds import EventKind
from ult.queries import last_event_id
from ult.settings import Settings
from ult.store import FollowedFile

log = logging.getLogger(__name__)

PRINTER_LOCK_NAME: Final = "printer.lock"
"""File beside the database that one printer job holds locked (flock)."""
REQUEST_MAX_AGE_SECONDS: Final = 120.0
"""A request older than this (seconds) is recorded failed instead of printed: the visitor
has left the reception desk; the ticket stays reprintable."""
OWNER_WAIT_SECONDS: Final = 1.0
"""How long a starting owner tries for ``kiosk.lock`` before it concludes another owner runs."""
_LOCK_POLL_SECONDS: Final = 0.01


class PrinterBusy(TimeoutError):
    """Another job held the printer longer than the wait allowed."""


class OwnerRunning(RuntimeError):
    """Another ``ult kiosk`` already owns the printer."""


def printer_lock_path(settings: Settings) -> Path:
    """The per-job lock file, beside the database."""
    return settings.store.database.parent / PRINTER_LOCK_NAME


def job_wait_seconds(settings: Settings) -> float:
    """How long a job waits for the printer: a few jobs of the longest kind (open, writes
    and two status questions, each bounded by ``printer.timeout_seconds``)."""
    return 3 * (4 * settings.printer.timeout_seconds + 1)


@contextlib.contextmanager
def printer_job(settings: Settings, *, wait: float | None = None) -> Iterator[None]:
    """Hold the printer for one job, across threads and processes.

    Waits up to ``wait`` seconds (default :func:`job_wait_seconds`) for the job before,
    then raises :class:`PrinterBusy`.
    """
    limit = job_wait_seconds(settings) if wait is None else wait
    path = printer_lock_path(settings)
    with _open_lock(path) as handle:
        deadline = time.monotonic() + limit
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise PrinterBusy(f"the printer was busy for {limit:g} s") from None
                time.sleep(_LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _open_lock(path: Path) -> IO[bytes]:
    """The lock file, created if missing, opened read-only: flock needs no write access, so
    a file first created by another user (a technician's ``sudo ult reprint``) still works."""
    fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o660)
    return os.fdopen(fd, "rb")


def hold_owner(settings: Settings, *, wait: float = OWNER_WAIT_SECONDS) -> IO[bytes]:
    """Take ``kiosk.lock`` for the life of ``ult kiosk``; close the returned file to let go.

    Tries for ``wait`` seconds: :func:`kiosk.requests.owner_running` holds the lock shared for
    an instant, and a start that met such a probe must not take it for another owner.
    Raises :class:`OwnerRunning` when another process still holds it after that.
    """
    handle = _open_lock(owner_lock_path(settings))
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                raise OwnerRunning(str(owner_lock_path(settings))) from None
            time.sleep(_LOCK_POLL_SECONDS)


@dataclass(frozen=True)
class PrintRequest:
    """One ``print_requested`` event: its id, when (UTC), the ticket, who asked, from where."""

    id: int
    at: datetime
    ticket_id: int
    actor: str
    source: str


class RequestServer:
    """Finds print requests without an outcome and serves them in order, on one thread.

    ``RequestServer(db, serve, clock)``: ``serve(request, expired)`` prints (or, when
    ``expired``, records the failure) and records the outcome; ``clock`` gives aware UTC
    datetimes (the queue's clock). :meth:`poll` returns how many requests it served.

    At least once: a request leaves the backlog only when ``serve`` returned; when it raises
    (the database busy while recording, say) the request is served again at the next poll,
    unless an outcome was recorded meanwhile. When the log went back (another database put
    in place under the same connection) the server starts again from the requests without an
    outcome. Build a new server on a new connection when the file itself was replaced.
    """

    def __init__(
        self,
        db: sqlite_utils.Database,
        serve: Callable[[PrintRequest, bool], None],
        clock: Callable[[], datetime],
    ) -> None:
        self._db = db
        self._serve = serve
        self._clock = clock
        self._cursor: int | None = None
        self._backlog: list[PrintRequest] = []

    def poll(self) -> int:
        """Serve every request newer than the last one seen (all unanswered ones at first).

        Raises what ``serve`` raised; the request is then kept for the next poll.
        """
        if self._cursor is not None and FollowedFile.went_back(self._db, self._cursor):
            log.warning("the event log went back; looking for unanswered print requests again")
            self._cursor = None
        if self._cursor is None:
            self._cursor = last_event_id(self._db)
            self._backlog = self._unanswered(self._cursor)
        else:
            newer = self._newer(self._cursor)
            self._backlog.extend(newer)
            if newer:
                self._cursor = newer[-1].id
        served = 0
        while self._backlog:
            request = self._backlog[0]
            if print_outcome(self._db, request.id) is None:
                age = (self._clock() - request.at).total_seconds()
                self._serve(request, age > REQUEST_MAX_AGE_SECONDS)
                served += 1
            self._backlog.pop(0)
        return served

    def _newer(self, after: int) -> list[PrintRequest]:
        return _requests(
            list(
                self._db.query(
                    "SELECT id, at, ticket_id, actor, payload FROM events "
                    "WHERE kind = ? AND id > ? ORDER BY id",
                    (EventKind.PRINT_REQUESTED, after),
                )
            )
        )

    def _unanswered(self, up_to: int) -> list[PrintRequest]:
        # Once at start: every request without an outcome, however old (an old one is
        # recorded expired, so it is not found again at the next start).
        return _requests(
            list(
                self._db.query(
                    "SELECT r.id, r.at, r.ticket_id, r.actor, r.payload FROM events AS r "
                    "WHERE r.kind = ? AND r.id <= ? AND NOT EXISTS (SELECT 1 FROM events AS o "
                    "WHERE o.ticket_id = r.ticket_id AND o.id > r.id AND o.kind IN (?, ?, ?) "
                    "AND json_extract(o.payload, '$.request') = r.id) ORDER BY r.id",
                    (EventKind.PRINT_REQUESTED, up_to, *OUTCOME_KINDS),
                )
            )
        )


def _requests(found: list[dict[str, object]]) -> list[PrintRequest]:
    return [
        PrintRequest(
            int(r["id"]),  # type: ignore[call-overload]
            from_stamp(str(r["at"])),
            int(r["ticket_id"]),  # type: ignore[call-overload]
            str(r["actor"]),
            str(json.loads(str(r["payload"])).get("source", "")),
        )
        for r in found
    ]
