"""Public board state and its Server-Sent Events stream, and the health check.

Routes (none needs a login; none carries personal data):

- ``GET /api/v1/board``: :func:`display.snapshot.board_view_state` as JSON, what
  ``ult display --hub`` (:class:`display.app.RemoteState`) and the browser board read.
- ``GET /api/v1/board/events``: the event log as Server-Sent Events. Each message is
  ``id: <event id>`` / ``event: <kind>`` / ``data: <JSON>``: the event's payload plus ``at``
  (ISO 8601 UTC), ``ticket_id``, ``counter_id`` and ``sop_step`` (the shape
  :class:`display.feed.RemoteFeed` reads). It resumes after ``max(Last-Event-ID, ?since=)``;
  with neither it starts at the newest event (no replay of the day). A resume point older
  than the last :data:`REPLAY_EVENTS` events, or newer than the log (a restored database),
  first gets one ``snapshot`` message (``data:`` the board state, ``id:`` the newest event
  the snapshot includes) and continues after it.
- ``GET /healthz``: 200 ``{"status": "ok", "database": "ok", "writable": true,
  "disk_free_mb": n, "pages": "ok", "printer": state, "last_event_id": n}`` (``printer``: the
  owner's last recorded state, or ``no_owner`` when no ``ult kiosk`` runs); 503 JSON when the
  database cannot be read (``database_unavailable``) or written (``error`` names the cause,
  :data:`ult.health.CAUSES`: a full disk, a read-only file system, missing permission, a write
  lock held by another process; see :func:`ult.health.check_writable`), or when a page template
  or static file cannot be loaded (``pages_missing``).

Why one shared poller (:class:`EventHub`) rather than one per stream: every stream would
otherwise run the same ``SELECT`` every few milliseconds on its own connection (50 TVs and
browser boards: 50 connections, 2500 reads a second on a Raspberry Pi) and encode the same
JSON 50 times. The hub reads the log once per tick on its own connection, encodes each event
once, keeps the last :data:`REPLAY_EVENTS` in memory (so resuming costs no database read)
and wakes the waiting streams with a condition variable. Each read is one autocommit
statement, and a cheap ``PRAGMA data_version`` skips even that when nothing was committed,
so no snapshot is ever held open while waiting (PITFALLS: a sleeping reader starves WAL
checkpoints). The hub's connection is closed when the last stream has been gone a while.

Each open stream holds one waitress thread; :func:`stream_events` refuses one more than
``settings.admin.max_streams`` at once with 503 ``too_many_streams``, so staff pages and
the API always find a thread. A client that leaves is noticed by waitress (``ult admin``
reads ahead on the connection, see :mod:`admin.server`) within :data:`CHECK_INTERVAL_S`,
and otherwise at the next write, which the heartbeat bounds.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import sqlite_utils
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from jinja2 import TemplateError

from admin import printing, shapes
from admin.db import DatabaseUnavailable, discard_db, get_db, settings
from admin.errors import ApiError
from admin.messages import ERRORS
from ult.health import check_writable
from ult.kinds import PERSONAL_DATA_KINDS
from ult.queries import Event, events_after, last_event_id
from ult.settings import Settings
from ult.store import FollowedFile, StoreUnavailable, connect

log = logging.getLogger(__name__)

bp = Blueprint("stream", __name__)

REPLAY_EVENTS = 1000
"""How many of the newest events a stream can resume through; older resume points get a
snapshot first. A working day has a few hundred events, so a board that was off for an hour
replays what it missed."""
HEARTBEAT_S = 15.0
"""Longest silence on a stream before a ``: ping`` comment (PITFALLS: at most 15 s)."""
RETRY_MS = 3000
"""The reconnection delay a browser's EventSource is told to use (milliseconds)."""
POLL_S = 0.02
"""How often the hub looks for new events (seconds); bounds the event-to-stream latency."""
CHECK_INTERVAL_S = 1.0
"""How often a waiting stream checks that its client is still there (seconds)."""
LINGER_S = 30.0
"""How long the hub keeps polling after its last stream left (a reconnecting board is back
within seconds, and the connection is not worth reopening for it)."""
READ_BATCH = 500
"""Events read per statement."""
FILE_CHECK_S = 1.0
"""How often the hub checks that the database file is still the one it opened (seconds)."""
MAX_EVENT_ID = 2**63 - 1
"""SQLite's largest integer: a bigger resume point is refused, not turned into an error."""

PERSONAL_KEYS = frozenset(
    {
        "nik",
        "phone",
        "name",
        "visitor",
        "visitor_name",
        "institution",
        "letter_number",
        "email",
        "document_number",
        "address",
        "represents_name",
    }
)
"""Payload keys that would be personal data. The queue never puts them into an event (its
payloads carry labels, counters and states); they are dropped here too, so a future payload
that slipped one in still never reaches a public stream."""
STAFF_KEYS = frozenset({"previous", "reason", "assignment"})
"""Payload keys about staff that the public stream leaves out, as it leaves out the actor: a
counter takeover's previous holder, its reason and its written assignment (issue 11)."""
CASE_KEYS = frozenset(
    {
        "document_kind",
        "acting_for",
        "letter_type",
        "nik_warnings",
        "name_differs_confirmed",
        "exemption",
        "priority_category",
    }
)
"""Payload keys about a case's identity check and decision (``identified``,
``visitor_registered``, ``answered``) and why a visitor is priority (``issued``,
``prioritized``; the board shows only "PRIORITAS"): no identity, but nothing the board
needs, so the public stream leaves them out too (issue 13: as little about a visitor as
possible in public)."""

CONFIG_HEARTBEAT = "ULT_STREAM_HEARTBEAT_S"
CONFIG_POLL = "ULT_STREAM_POLL_S"
CONFIG_REPLAY = "ULT_STREAM_REPLAY_EVENTS"
"""Flask config keys overriding :data:`HEARTBEAT_S`, :data:`POLL_S`, :data:`REPLAY_EVENTS`
(tests use a 0.1 s heartbeat)."""

_EXTENSION = "ult_stream_hub"
_HUB_LOCK = threading.Lock()


# --------------------------------------------------------------------------- encoding


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def event_data(event: Event) -> shapes.StreamEventData:
    """The public ``data:`` object of one event: its payload minus :data:`PERSONAL_KEYS`,
    plus ``at`` (ISO 8601 UTC), ``ticket_id``, ``counter_id`` and ``sop_step``. The actor
    (a staff user name), :data:`STAFF_KEYS` and :data:`CASE_KEYS` are left out: the board
    does not need them."""
    dropped = PERSONAL_KEYS | STAFF_KEYS | CASE_KEYS
    data = {k: v for k, v in event.payload.items() if k not in dropped}
    if any(k in PERSONAL_KEYS for k in event.payload):
        log.warning("event %d (%s): personal keys dropped from the stream", event.id, event.kind)
    data.update(
        at=event.at.isoformat(),
        ticket_id=event.ticket_id,
        counter_id=event.counter_id,
        sop_step=event.sop_step,
    )
    return data


def _entry(event: Event) -> Entry:
    """The ring's entry of one event. An audit of personal data (:data:`PERSONAL_DATA_KINDS`)
    keeps its place, so cursors advance past it, but sends nothing: the board has no use for
    it and the public has no business seeing staff read the guest book."""
    if event.kind in PERSONAL_DATA_KINDS:
        return Entry(event.id, b"")
    return Entry(event.id, sse_message(event.id, event.kind, event_data(event)))


def sse_message(event_id: int, kind: str, data: Any) -> bytes:
    """One SSE message: ``id:``, ``event:``, one ``data:`` line (JSON has no raw newline)."""
    # Kinds are the queue's own identifiers; a line break would still split the message.
    name = "".join(ch for ch in kind if ch not in "\r\n") or "message"
    return f"id: {event_id}\nevent: {name}\ndata: {_json(data)}\n\n".encode()


PING = b": ping\n\n"


def read_board(
    db: sqlite_utils.Database, settings: Settings | None = None, now: datetime | None = None
) -> shapes.BoardState:
    """The board state (:func:`display.snapshot.board_view_state`, its closed notice from
    ``settings`` at ``now``) read in one short read transaction, so its ``last_event_id``
    matches the rest of it (a stream resuming after that id then misses nothing and repeats
    nothing)."""
    from display.snapshot import board_view_state

    if db.conn.in_transaction:  # already inside one: its snapshot is consistent
        return board_view_state(db, settings, now)
    db.conn.execute("BEGIN")
    try:
        return board_view_state(db, settings, now)
    finally:
        if db.conn.in_transaction:
            db.conn.execute("COMMIT")  # a read: this only ends the snapshot


# --------------------------------------------------------------------------- the hub


class Entry(NamedTuple):
    """One event as streams send it: its id and its encoded message."""

    id: int
    message: bytes


class TooManyStreams(Exception):
    """The cap on open streams is reached."""


@dataclass
class Batch:
    """What a waiting stream gets: new ``entries`` (id order), or a reason to stop or to
    start over with a snapshot (``behind``: its resume point is no longer in memory, or
    the log was replaced under it)."""

    entries: list[Entry]
    closed: bool = False
    behind: bool = False


class Subscription:
    """One open stream's place in the hub's count; :meth:`release` is idempotent."""

    def __init__(self, hub: EventHub) -> None:
        self._hub = hub
        self._released = False
        self._lock = threading.Lock()

    def release(self) -> None:
        """Give the place back (called when the response closes, and by the generator)."""
        with self._lock:
            if self._released:
                return
            self._released = True
        self._hub._release()


class EventHub:
    """The shared poller of one app: tails the event log and wakes every stream.

    Args:
        db_path: the appliance database (opened with ``create=False,
            migrate_schema=False``: the hub never creates or upgrades it).
        max_streams: the most open streams; :meth:`subscribe` refuses one more.
        poll_s: seconds between reads of the log.
        replay: how many of the newest events are kept for resuming streams.
        linger_s: seconds the poller keeps running (and its connection open) after the last
            stream left.

    Invariant (under ``_cond``): once ``loaded``, every event with ``floor < id <= newest``
    is in ``_ring``, in id order.
    """

    def __init__(
        self,
        db_path: Path,
        *,
        max_streams: int,
        poll_s: float = POLL_S,
        replay: int = REPLAY_EVENTS,
        linger_s: float = LINGER_S,
    ) -> None:
        self.db_path = Path(db_path)
        self.max_streams = max_streams
        self.poll_s = poll_s
        self.replay = max(1, replay)
        self.linger_s = linger_s
        self._cond = threading.Condition()
        self._ring: deque[Entry] = deque()
        self._floor = 0
        self._newest = 0
        self._loaded = False
        self._epoch = 0
        self._open = 0
        self._closed = False
        self._idle_since = time.monotonic()
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._data_version: int | None = None
        self._resync = False
        self._turned = time.monotonic()

    # -- counting streams

    @property
    def open_streams(self) -> int:
        """How many streams are open now."""
        with self._cond:
            return self._open

    def subscribe(self) -> Subscription:
        """Take a place for one stream and make sure the poller runs.

        Raises :class:`TooManyStreams` at the cap (nothing is taken then).
        """
        with self._cond:
            if self._closed or self._open >= self.max_streams:
                raise TooManyStreams
            self._open += 1
            if self._thread is None:
                self._turned = time.monotonic()
                self._thread = threading.Thread(
                    target=self._run, name="board-stream-hub", daemon=True
                )
                self._thread.start()
        return Subscription(self)

    def stalled(self, limit_s: float) -> bool:
        """True when the poller runs but has not turned for ``limit_s`` seconds: stuck in a
        read, so every stream waits for events that never come (the watchdog's concern,
        :mod:`admin.server`). Its longest wait between turns is 30 s (a failing database)."""
        with self._cond:
            running = self._thread is not None and not self._closed
        return running and time.monotonic() - self._turned > limit_s

    def _release(self) -> None:
        with self._cond:
            self._open -= 1
            if self._open == 0:
                self._idle_since = time.monotonic()

    def close(self) -> None:
        """Stop the poller and end every waiting stream (server shutdown). Safe to call from
        a signal handler: the main thread never holds the hub's lock."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._wake.set()

    @property
    def epoch(self) -> int:
        """Bumped when the log was replaced (its newest id went backwards)."""
        with self._cond:
            return self._epoch

    # -- the streams' side

    def wait_after(self, cursor: int, epoch: int, timeout_s: float) -> Batch:
        """The kept events after ``cursor``, waiting up to ``timeout_s`` seconds for one.

        ``behind`` when ``cursor`` is older than what is kept, or ``epoch`` is no longer the
        hub's. A ``cursor`` beyond the newest event read so far just waits: the hub may not
        have read it yet (the caller checks the resume point against the database first).
        """
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                if self._closed:
                    return Batch([], closed=True)
                if self._loaded:
                    if epoch != self._epoch or cursor < self._floor:
                        return Batch([], behind=True)
                    if self._newest > cursor:
                        return Batch(self._after(cursor))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return Batch([])
                self._cond.wait(remaining)

    def _after(self, cursor: int) -> list[Entry]:
        # New events sit at the right end: walk back only over those.
        found = []
        for entry in reversed(self._ring):
            if entry.id <= cursor:
                break
            found.append(entry)
        found.reverse()
        return found

    # -- the poller

    def _run(self) -> None:
        db: sqlite_utils.Database | None = None
        followed = FollowedFile(self.db_path)
        checked_at = 0.0
        failures = 0
        try:
            while True:
                self._turned = time.monotonic()
                with self._cond:
                    if self._closed:
                        return
                    if self._open == 0 and time.monotonic() - self._idle_since > self.linger_s:
                        # Reload the newest events on the next start rather than read
                        # everything that happened while no one watched.
                        self._thread = None
                        self._loaded = False
                        return
                wait = self.poll_s
                try:
                    replaced = False
                    if db is not None and time.monotonic() - checked_at >= FILE_CHECK_S:
                        checked_at = time.monotonic()
                        if followed.replaced():
                            # A restore put another file at the path; this connection still
                            # reads the old one. Reopen, and resync streams on the new log.
                            log.warning("database %s was replaced; reopening", self.db_path)
                            db.close()
                            db = None
                            self._resync = True
                    if db is None:
                        db = followed.open()
                        checked_at = time.monotonic()
                        self._data_version = None
                    replaced, self._resync = self._resync, False
                    self._poll(db, replaced=replaced)
                    if failures:
                        log.info("event log %s readable again", self.db_path)
                    failures = 0
                except (StoreUnavailable, sqlite3.Error) as exc:
                    if failures == 0:
                        log.error("event log %s unreadable: %s; retrying", self.db_path, exc)
                    failures += 1
                    self._resync = self._resync or replaced
                    if db is not None:
                        with contextlib.suppress(sqlite3.Error):
                            db.close()
                        db = None
                    # 0.5 s doubling to 30 s: a missing database is not polled 50 times a second.
                    wait = min(0.5 * 2 ** min(failures - 1, 6), 30.0)
                self._wake.wait(wait)
        finally:
            if db is not None:
                with contextlib.suppress(sqlite3.Error):
                    db.close()

    def _poll(self, db: sqlite_utils.Database, *, replaced: bool = False) -> None:
        """One tick: read what is new (each statement its own autocommit read).

        ``replaced``: the file at the path changed; its log is a different one.
        """
        version = int(db.execute("PRAGMA data_version").fetchone()[0])
        if self._loaded and not replaced and version == self._data_version:
            return  # nothing was committed since the last tick
        self._data_version = version
        if replaced and self._loaded:
            self._restart(db, "was replaced")
            return
        if not self._loaded:
            self._load(db)
        read = 0
        while True:
            found = events_after(db, self._newest, limit=READ_BATCH)
            if not found:
                break
            self._append([_entry(e) for e in found])
            read += len(found)
            if len(found) < READ_BATCH:
                break
        if read == 0 and FollowedFile.went_back(db, self._newest):
            self._restart(db, "went back to an older event id")

    def _restart(self, db: sqlite_utils.Database, why: str) -> None:
        """The log is not the one the ring holds (a restore): streams start over from a
        snapshot of the new one."""
        log.warning("event log %s %s; streams resync from a snapshot", self.db_path, why)
        with self._cond:
            self._epoch += 1
            self._loaded = False
            self._cond.notify_all()
        self._load(db)

    def _load(self, db: sqlite_utils.Database) -> None:
        """Start the ring at the newest event minus :attr:`replay`; :meth:`_poll` fills it."""
        newest = last_event_id(db)
        start = max(0, newest - self.replay)
        with self._cond:
            self._ring.clear()
            self._floor = start
            self._newest = start
        found = events_after(db, start, limit=self.replay)
        self._append([_entry(e) for e in found])
        with self._cond:
            self._loaded = True
            self._cond.notify_all()

    def _append(self, entries: list[Entry]) -> None:
        if not entries:
            return
        with self._cond:
            for entry in entries:
                if entry.id <= self._newest:
                    continue
                if len(self._ring) >= self.replay:
                    self._floor = self._ring.popleft().id
                self._ring.append(entry)
                self._newest = entry.id
            self._cond.notify_all()


def hub(app: Flask | None = None) -> EventHub:
    """The app's :class:`EventHub`, created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    with _HUB_LOCK:
        found = app.extensions.get(_EXTENSION)
        if found is None:
            config = app.config
            found = EventHub(
                config["ULT_SETTINGS"].store.database,
                max_streams=config["ULT_SETTINGS"].admin.max_streams,
                poll_s=float(config.get(CONFIG_POLL, POLL_S)),
                replay=int(config.get(CONFIG_REPLAY, REPLAY_EVENTS)),
            )
            app.extensions[_EXTENSION] = found
        return found


def streams_stalled(app: Flask, limit_s: float) -> bool:
    """Whether ``app``'s stream poller is stuck (see :meth:`EventHub.stalled`)."""
    found = app.extensions.get(_EXTENSION)
    return found is not None and found.stalled(limit_s)


def close_streams(app: Flask) -> None:
    """End every open stream of ``app`` and stop its poller (server shutdown)."""
    found = app.extensions.get(_EXTENSION)
    if found is not None:
        found.close()


# --------------------------------------------------------------------------- routes


def _event_id(value: str, source: str) -> int:
    """A resume point: ASCII digits, 0 .. :data:`MAX_EVENT_ID`; else 422 ``event_id_invalid``."""
    text = value.strip() if source == "Last-Event-ID" else value
    if not (text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= MAX_EVENT_ID):
        raise ApiError(422, "event_id_invalid", ERRORS["event_id_invalid"].format(source=source))
    return int(text)


def _resume_point() -> int | None:
    """``max(Last-Event-ID, ?since=)``, or None when the request has neither."""
    found = []
    header = request.headers.get("Last-Event-ID")
    if header is not None:
        found.append(_event_id(header, "Last-Event-ID"))
    for value in request.args.getlist("since"):
        found.append(_event_id(value, "since"))
    return max(found) if found else None


def _read_snapshot(
    db_path: Path, settings: Settings | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The board state, on a connection of its own closed right after."""
    db = connect(db_path, create=False, migrate_schema=False)
    try:
        return read_board(db, settings, now)
    finally:
        db.close()


def _messages(
    the_hub: EventHub,
    subscription: Subscription,
    *,
    cursor: int,
    snapshot_first: bool,
    heartbeat_s: float,
    disconnected: Callable[[], bool],
    office: Settings | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Iterator[bytes]:
    """The body of one stream: ``retry:`` and a comment at once (waitress sends nothing
    before the first bytes), an optional snapshot, then events and heartbeats until the
    client leaves or the server stops. Releases the stream's place however it ends."""
    db_path = the_hub.db_path
    check_s = min(heartbeat_s, CHECK_INTERVAL_S)
    try:
        yield f"retry: {RETRY_MS}\n: ult board stream\n\n".encode()
        last_write = time.monotonic()
        epoch = the_hub.epoch
        behind = snapshot_first
        while True:
            if behind:
                epoch = the_hub.epoch  # before the read: a later change is seen next turn
                try:
                    state = _read_snapshot(db_path, office, clock() if clock else None)
                except (StoreUnavailable, sqlite3.Error) as exc:
                    log.error("board snapshot for a stream failed: %s", exc)
                    return  # the client reconnects after `retry` and resumes from its id
                cursor = int(state["last_event_id"])
                yield sse_message(cursor, "snapshot", state)
                last_write = time.monotonic()
                behind = False
            wait = max(0.0, min(check_s, heartbeat_s - (time.monotonic() - last_write)))
            batch = the_hub.wait_after(cursor, epoch, wait)
            if batch.closed or disconnected():
                return
            if batch.behind:
                behind = True
                continue
            body = b"".join(entry.message for entry in batch.entries)
            if batch.entries:
                cursor = batch.entries[-1].id
            if body:
                yield body
                last_write = time.monotonic()
            elif time.monotonic() - last_write >= heartbeat_s:
                yield PING
                last_write = time.monotonic()
    finally:
        subscription.release()


@bp.get("/api/v1/board/events")
def stream_events() -> Any:
    """The board's Server-Sent Events stream (see the module docstring).

    Errors (JSON): 422 ``event_id_invalid`` for a ``Last-Event-ID`` or ``since`` that is not
    a whole number 0 .. 2**63-1; 503 ``too_many_streams`` at the cap; 503
    ``database_unavailable``.
    """
    since = _resume_point()
    try:
        # Also proves the database readable before a 200 is promised.
        newest = last_event_id(get_db())
    except sqlite3.Error as exc:
        raise DatabaseUnavailable(str(exc)) from exc
    # A resume point beyond the log: the database was restored or replaced since.
    snapshot_first = since is not None and since > newest
    cursor = newest if since is None or snapshot_first else since
    the_hub = hub()
    try:
        subscription = the_hub.subscribe()
    except TooManyStreams:
        log.warning("board stream refused: %d streams open (the cap)", the_hub.max_streams)
        error = ApiError(503, "too_many_streams", ERRORS["too_many_streams"])
        raise error from None
    heartbeat_s = float(current_app.config.get(CONFIG_HEARTBEAT, HEARTBEAT_S))
    # waitress puts this in the environ; other servers notice a gone client at a write.
    disconnected = request.environ.get("waitress.client_disconnected") or (lambda: False)
    body = _messages(
        the_hub,
        subscription,
        cursor=cursor,
        snapshot_first=snapshot_first,
        heartbeat_s=heartbeat_s,
        disconnected=disconnected,
        office=settings(),
        clock=current_app.config["ULT_CLOCK"],
    )
    response = Response(body, mimetype="text/event-stream")
    # A response that is closed before its body ever ran (HEAD, a client gone at once)
    # never runs the generator's `finally`: release the place here too.
    response.call_on_close(subscription.release)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # a reverse proxy must not buffer it
    return response


@bp.get("/api/v1/board")
def board() -> Any:
    """The board state: ``board_state`` keys plus ``service_names`` and the closed notice
    (no personal data)."""
    return jsonify(read_board(get_db(), settings(), current_app.config["ULT_CLOCK"]()))


class _Verdicts:
    """The last health verdict, so a problem is logged once when it starts and once when
    it ends, not at every probe (monitoring asks every few seconds)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: str | None = None

    def note(self, cause: str | None, detail: str) -> None:
        with self._lock:
            previous, self._last = self._last, cause
        if cause == previous:
            return
        if cause is None:
            log.info("health check: the appliance can write again")
        else:
            log.error("health check: %s: %s", cause, detail)


_VERDICTS = _Verdicts()


def _health(db: Any) -> shapes.Health:
    path = Path(current_app.config["ULT_SETTINGS"].store.database)
    check = check_writable(db, path)
    free_mb = None if check.free_bytes is None else check.free_bytes // (1024 * 1024)
    body: shapes.Health = {
        "status": "ok" if check.ok else "error",
        "database": "ok",
        "writable": check.ok,
        "disk_free_mb": free_mb,
        "pages": "ok",
        "printer": printing.readiness().state,
        "last_event_id": last_event_id(db),
    }
    _VERDICTS.note(check.cause, check.detail)
    if check.cause is not None:
        body["error"] = check.cause
        body["message"] = ERRORS[check.cause]
    return body


# What the staff pages and the board cannot be served without. A copy of the program that
# lacks them (a wheel that left out its package data) answers HTTP 500 on every page while
# the database is fine, so health loads them too.
_PAGE_TEMPLATES = ("base.html", "error.html", "auth/login.html", "visitor/board.html")
_STATIC_FILES = ("board.css", "board.js", "pages.css", "pages.js")


def _pages_missing() -> list[str]:
    """The page templates (compiled, as a page would) and static files this app cannot load,
    by name; empty when all load."""
    missing = []
    for name in _PAGE_TEMPLATES:
        try:
            current_app.jinja_env.get_template(name)
        except TemplateError:
            missing.append(name)
    static = Path(current_app.static_folder or "")
    missing += [f"static/{name}" for name in _STATIC_FILES if not (static / name).is_file()]
    return missing


@bp.get("/healthz")
def healthz() -> Any:
    """Health for monitoring, ``ult doctor`` and the watchdog: the database can be read
    and written, the free disk space, the pages' templates and static files, the printer, the
    newest event. 503 JSON (``status`` "error") whose ``error`` names the cause when the
    database cannot be read or written or a page file is missing."""
    missing = _pages_missing()
    try:
        try:
            body = _health(get_db())
        except sqlite3.Error:
            # A thread's kept connection can outlive its file (moved away and back, or its
            # WAL removed meanwhile): the verdict comes from a fresh connection.
            discard_db()
            body = _health(get_db())
        status = 200 if body["status"] == "ok" else 503
        if missing:
            log.error("health check: page files missing: %s", ", ".join(missing))
            body["status"] = "error"
            body["pages"] = "missing"
            body["error"] = "pages_missing"
            body["message"] = ERRORS["pages_missing"].format(names=", ".join(missing))
            status = 503
    except (DatabaseUnavailable, sqlite3.Error) as exc:
        discard_db()
        _VERDICTS.note("database_unavailable", str(exc))
        body = {
            "status": "error",
            "database": "unavailable",
            "writable": False,
            "disk_free_mb": None,
            "pages": "missing" if missing else "ok",
            "printer": None,
            "last_event_id": None,
            "error": "database_unavailable",
            "message": ERRORS["database_unavailable"],
        }
        status = 503
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
