"""Where the board's events come from: the local event log, or the admin app's board stream.

Both sources share one small interface (:class:`Feed`): ``poll(timeout_s)`` returns the new
events in id order, ``last_id`` is the newest id handed out, ``connected`` says whether the
source is reachable (the board shows a discreet "offline" mark when it is not), and
``close()`` releases it. A lost source is retried with exponential backoff and read again
from ``last_id``, so an event is never handed out twice and none after ``last_id`` is
skipped: whatever the source holds after ``last_id`` comes next.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import queue
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import sqlite_utils

from ult.kinds import CALL_KINDS
from ult.queries import Event, events_after, last_event_id
from ult.store import FollowedFile, StoreUnavailable

log = logging.getLogger(__name__)

STREAM_PATH = "/api/v1/board/events"
"""The admin app's public board stream, below the hub's base URL."""

SNAPSHOT = "snapshot"
"""A marker event, not of the log: the source started over (a replaced database, or a
stream resumed from an id it no longer keeps); the board reads its whole state again."""

# Keys of an SSE ``data:`` object that are event-log columns, not the event's payload.
_COLUMNS = ("at", "ticket_id", "counter_id", "sop_step")


@dataclass(frozen=True)
class FeedEvent:
    """One event of the log as the board sees it, from either source.

    ``at`` is an aware UTC ``datetime`` (``None`` when a stream event carried no time);
    ``payload`` is the event's own data (for a call: ``label``, ``counter`` ...).
    """

    id: int
    kind: str
    at: datetime | None
    ticket_id: int | None
    counter_id: int | None
    sop_step: int | None
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def is_call(self) -> bool:
        """True for a call, a recall or a call-back: the board shows it large and speaks it."""
        return self.kind in CALL_KINDS

    @classmethod
    def from_event(cls, event: Event) -> FeedEvent:
        """From a row of the local event log."""
        return cls(
            event.id,
            event.kind,
            event.at,
            event.ticket_id,
            event.counter_id,
            event.sop_step,
            dict(event.payload),
        )

    @classmethod
    def from_sse(cls, event_id: int, kind: str, data: dict[str, Any]) -> FeedEvent:
        """From a stream message: ``data`` is the payload plus the event-log columns."""
        payload = dict(data)
        at_text = payload.pop("at", None)
        columns = {key: payload.pop(key, None) for key in _COLUMNS[1:]}
        at = datetime.fromisoformat(at_text) if isinstance(at_text, str) else None
        return cls(event_id, kind, at, payload=payload, **columns)


class Feed(Protocol):
    """What the board needs from a source of events."""

    last_id: int
    connected: bool

    def poll(self, timeout_s: float) -> list[FeedEvent]:
        """New events in id order, waiting at most ``timeout_s`` seconds for the first."""
        ...

    def close(self) -> None:
        """Release the source."""
        ...


class Backoff:
    """Exponential backoff: ``initial_s`` doubling on each failure up to ``maximum_s``."""

    def __init__(self, initial_s: float = 1.0, maximum_s: float = 30.0) -> None:
        self.initial_s = initial_s
        self.maximum_s = maximum_s
        self._next_s = initial_s

    def next(self) -> float:
        """The delay before the next attempt, in seconds; doubles the one after."""
        delay = self._next_s
        self._next_s = min(self._next_s * 2, self.maximum_s)
        return delay

    def reset(self) -> None:
        """After a success: the next failure waits ``initial_s`` again."""
        self._next_s = self.initial_s


# --------------------------------------------------------------------------- local


class LocalFeed:
    """Tail the appliance database's ``events`` table by id.

    Each read is one short autocommit ``SELECT`` (the store's connections have no implicit
    transaction), so no snapshot is held while the board waits: a reader that kept one open
    would stop WAL checkpoints and let the ``-wal`` file grow all day. Between reads the feed
    sleeps ``interval_s`` seconds, which bounds the event-to-board latency.

    A missing or unreadable database sets ``connected`` to False and is opened again after
    a backoff of 1 s doubling to 30 s; ``sleep`` and ``clock`` (monotonic seconds) are
    injectable for tests.
    """

    def __init__(
        self,
        db_path: Path,
        *,
        after_id: int = 0,
        interval_s: float = 0.05,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db_path = Path(db_path)
        self.last_id = after_id
        self.connected = False
        self.interval_s = interval_s
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._clock = clock
        self._db: sqlite_utils.Database | None = None
        self._retry_at = float("-inf")
        self._warned = False
        self._file = FollowedFile(self.db_path)
        self._restarted = False
        self._fresh = False

    def _open(self) -> sqlite_utils.Database | None:
        """The open database, opening it when due; None while it is unavailable."""
        if self._db is not None:
            return self._db
        if self._clock() < self._retry_at:
            return None
        try:
            # A reader never creates or migrates: a missing file is a fault to report, and
            # the kiosk process owns the schema.
            self._db = self._file.open()
            self._fresh = True
        except StoreUnavailable as exc:
            self._fail(exc)
            return None
        return self._db

    def _restart(self, db: sqlite_utils.Database) -> list[FeedEvent]:
        """Follow a replaced database from its newest event on: its ids may be lower than
        the old file's, and its earlier calls were never made in this room's hearing. One
        :data:`SNAPSHOT` event tells the board to read its whole state again."""
        newest = last_event_id(db)
        self._restarted = self._fresh = False
        self.connected = True
        self.last_id = newest
        return [FeedEvent(newest, SNAPSHOT, None, None, None, None)]

    def _fail(self, exc: BaseException) -> None:
        if self.connected or not self._warned:
            log.warning("event log %s unavailable: %s; retrying", self.db_path, exc)
            self._warned = True
        self.connected = False
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
        self._retry_at = self._clock() + self._backoff.next()

    def _read(self) -> list[FeedEvent]:
        if self._db is not None and self._file.replaced():
            log.warning("event log %s was replaced; following the new file", self.db_path)
            self.close()
            self._restarted = True
        db = self._open()
        if db is None:
            return []
        try:
            # A log whose newest id is below ours is another file than the one we followed
            # (replaced while we were away): start over from its own newest event.
            if self._restarted or (self._fresh and self._file.went_back(db, self.last_id)):
                return self._restart(db)
            self._fresh = False
            found = events_after(db, self.last_id)
        except sqlite3.Error as exc:
            self._fail(exc)
            return []
        if not self.connected:
            if self._warned:
                log.info("event log %s readable again", self.db_path)
            self._warned = False
        self.connected = True
        self._backoff.reset()
        events = [FeedEvent.from_event(e) for e in found if e.id > self.last_id]
        if events:
            self.last_id = events[-1].id
        return events

    def poll(self, timeout_s: float) -> list[FeedEvent]:
        """New events in id order; waits up to ``timeout_s`` seconds for the first one."""
        deadline = self._clock() + timeout_s
        while True:
            events = self._read()
            if events:
                return events
            remaining = deadline - self._clock()
            if remaining <= 0:
                return []
            wait = self.interval_s
            if self._db is None:
                # Offline: sleep until the next attempt rather than spinning.
                wait = max(self._retry_at - self._clock(), 0.0)
            self._sleep(min(wait, remaining))

    def close(self) -> None:
        """Close the database connection."""
        if self._db is not None:
            self._db.close()
            self._db = None
        self.connected = False

    def __enter__(self) -> LocalFeed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------- remote


@dataclass(frozen=True)
class SseMessage:
    """One dispatched Server-Sent Events message. ``id`` is None when it carried no ``id:``."""

    id: str | None
    event: str
    data: str


class SseParser:
    """The WHATWG event-stream parser, fed one decoded line at a time (no line ending).

    Comment lines (``: ping``) are ignored, ``data:`` lines are joined with newlines, a
    blank line dispatches, ``retry:`` sets :attr:`retry_ms`. ``id`` is reported only on
    messages that carried their own ``id:`` line, because this feed dedupes by event id.
    """

    def __init__(self) -> None:
        self.retry_ms: int | None = None
        self._reset()

    def _reset(self) -> None:
        self._data: list[str] = []
        self._event = ""
        self._id: str | None = None

    def feed_line(self, line: str) -> SseMessage | None:
        """Take one line; return the message a blank line completes, else None."""
        if line == "":
            message = None
            if self._data:
                message = SseMessage(self._id, self._event or "message", "\n".join(self._data))
            self._reset()
            return message
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self.retry_ms = int(value)
        return None

    def end_of_stream(self) -> None:
        """The connection ended: a message without its blank line is discarded."""
        self._reset()


def _lines(raw: bytes) -> list[str]:
    """Split one ``readline`` result on the SSE line endings (CRLF, LF or a lone CR)."""
    text = raw.decode("utf-8", errors="replace")
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith(("\n", "\r")):
        text = text[:-1]
    return text.split("\r")


class StreamLost(Exception):
    """The stream ended, failed or answered with something other than 200."""


class RemoteFeed:
    """Read the admin app's public board stream ``GET {base_url}/api/v1/board/events``.

    A background thread holds the HTTP connection (stdlib ``http.client``), parses the
    Server-Sent Events and queues the events; :meth:`poll` hands them out. Each stream
    message has ``id:`` the event-log id, ``event:`` the kind and ``data:`` a JSON object
    (the payload plus ``at``, ``ticket_id``, ``counter_id``, ``sop_step``); the server
    sends ``: ping`` at least every 15 s, so ``timeout_s`` seconds of silence (the socket
    read timeout) mean the connection is dead.

    On a lost connection ``connected`` turns False and the thread reconnects after a
    backoff (1 s doubling to 30 s; the server's ``retry:`` replaces the first delay) with
    ``Last-Event-ID`` and ``?since=`` set to the newest id received. Ids at or below
    ``last_id`` are dropped, so a server that replays too much never causes a repeat.
    ``sleep`` is how the thread waits out a backoff (injectable for tests).
    """

    def __init__(
        self,
        base_url: str,
        *,
        after_id: int = 0,
        timeout_s: float = 20,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"hub URL must be http(s)://host[:port][/path], not {base_url!r}")
        self.base_url = base_url
        self.last_id = after_id
        self.connected = False
        self.timeout_s = timeout_s
        self._parts = parts
        self._backoff = backoff or Backoff()
        self._stop = threading.Event()
        self._sleep = sleep or self._stop.wait
        self._events: queue.Queue[FeedEvent] = queue.Queue()
        self._received_id = after_id  # the resume point: newest id the thread has queued
        self._conn: http.client.HTTPConnection | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- the reader thread

    def _start(self) -> None:
        with self._lock:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="board-stream", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        warned = False
        while not self._stop.is_set():
            parser = SseParser()
            try:
                self._stream(parser)
                raise StreamLost("stream ended")
            except Exception as exc:
                # Anything that ends a stream (socket, HTTP, a close() racing the read) is
                # handled the same way: offline, wait, resume from the last id.
                if self._stop.is_set():
                    break
                was_connected = self.connected
                self.connected = False
                if was_connected or not warned:
                    log.warning("board stream %s lost: %s; reconnecting", self.base_url, exc)
                    warned = True
                if parser.retry_ms is not None and self._backoff.initial_s != (
                    parser.retry_ms / 1000
                ):
                    # The server's reconnection time, as the SSE spec has a client use it.
                    self._backoff.initial_s = parser.retry_ms / 1000
                    self._backoff.reset()
                self._sleep(self._backoff.next())
            finally:
                self._disconnect(close=True)

    def _stream(self, parser: SseParser) -> None:
        parts = self._parts
        kind = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        conn = kind(parts.hostname, parts.port, timeout=self.timeout_s)
        self._conn = conn
        since = self._received_id
        path = f"{parts.path.rstrip('/')}{STREAM_PATH}?{urlencode({'since': since})}"
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if since:
            headers["Last-Event-ID"] = str(since)
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        if response.status != 200:
            raise StreamLost(f"HTTP {response.status} {response.reason}")
        if not self.connected:
            log.info("board stream %s connected, resuming after id %d", self.base_url, since)
        self.connected = True
        self._backoff.reset()
        while not self._stop.is_set():
            raw = response.readline()
            if not raw:
                parser.end_of_stream()
                return
            for line in _lines(raw):
                message = parser.feed_line(line)
                if message is not None:
                    self._take(message)

    def _take(self, message: SseMessage) -> None:
        """Queue one stream message as an event, unless it is not new or not an event."""
        try:
            event_id = int(message.id) if message.id is not None else None
        except ValueError:
            event_id = None
        if event_id is None:
            log.debug("stream message without an event-log id ignored: %s", message.event)
            return
        if event_id <= self._received_id:
            return  # replayed by the server: already queued or handed out
        try:
            data = json.loads(message.data)
            if not isinstance(data, dict):
                raise ValueError("data is not a JSON object")
            event = FeedEvent.from_sse(event_id, message.event, data)
        except (ValueError, TypeError) as exc:
            # Skipping is safer than stalling the board on one bad message forever.
            log.warning("stream event %d unreadable, skipped: %s", event_id, exc)
            self._received_id = event_id
            return
        self._received_id = event_id
        self._events.put(event)

    def _disconnect(self, *, close: bool) -> None:
        """Shut the socket down (unblocks a read in the thread); the thread itself also
        closes the connection, so ``close()`` never frees state the reader is using."""
        conn = self._conn
        if conn is None:
            return
        with contextlib.suppress(OSError):
            if conn.sock is not None:
                conn.sock.shutdown(socket.SHUT_RDWR)
        if close:
            self._conn = None
            conn.close()

    # -- the board's side

    def poll(self, timeout_s: float) -> list[FeedEvent]:
        """New events in id order; waits up to ``timeout_s`` seconds for the first one."""
        self._start()
        events: list[FeedEvent] = []
        try:
            first = self._events.get(timeout=timeout_s) if timeout_s > 0 else None
        except queue.Empty:
            first = None
        if first is not None:
            events.append(first)
        while True:
            try:
                events.append(self._events.get_nowait())
            except queue.Empty:
                break
        fresh = []
        for event in events:
            if event.id > self.last_id:
                fresh.append(event)
                self.last_id = event.id
        return fresh

    def close(self) -> None:
        """Stop the reader thread and drop the connection (waits up to 5 s)."""
        self._stop.set()
        self._disconnect(close=False)
        thread = self._thread
        if thread is not None:
            thread.join(timeout=5)
        self.connected = False

    def __enter__(self) -> RemoteFeed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
