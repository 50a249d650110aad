"""The public board state, the board event stream and the health check, against a REAL
waitress server (:class:`admin.server.AdminServer`, the one ``ult admin`` runs) on an
ephemeral port in a thread, over a real SQLite file."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from flask import Flask

from admin import create_app
from admin.server import AdminServer
from admin.stream import CONFIG_HEARTBEAT, CONFIG_REPLAY, EventHub, hub
from display.app import RemoteState
from display.feed import RemoteFeed, SseMessage, SseParser
from display.snapshot import board_view_state
from kiosk.owner import hold_owner
from tests.conftest import make_settings
from ult import privacy
from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.queue import Queue
from ult.settings import Settings
from ult.store import connect

MAX_STREAMS = 3
HEARTBEAT_S = 0.1
STREAM_PATH = "/api/v1/board/events"

NIK = "3174014506900001"
PHONE = "081234567890"
VISITOR = "Siti Rahmawati"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The cap is small so tests can reach it; threads keep the settings' 8 spare.
    return make_settings(
        tmp_path / "home", f"[admin]\nmax_streams = {MAX_STREAMS}\nthreads = {MAX_STREAMS + 8}\n"
    )


@pytest.fixture
def app(settings: Settings, db: sqlite_utils.Database, clock: FakeClock) -> Flask:
    # The public routes need no accounts: skip conftest's per-role users (scrypt is slow).
    return create_app(settings, clock=clock, config={"TESTING": True})


@contextlib.contextmanager
def running(
    app: Flask, settings: Settings, port: int = 0, **adjustments: Any
) -> Iterator[AdminServer]:
    """A real waitress server (``ult admin``'s) for ``app`` on ``port`` (0: a free one), in
    a thread."""
    server = AdminServer(app, settings, host="127.0.0.1", port=port, **adjustments)
    thread = threading.Thread(target=server.run, name="test-waitress", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the server did not stop"


@pytest.fixture
def server(app: Flask, settings: Settings) -> Iterator[AdminServer]:
    app.config[CONFIG_HEARTBEAT] = HEARTBEAT_S
    with running(app, settings) as started:
        yield started


def base(server: AdminServer) -> str:
    return f"http://127.0.0.1:{server.port}"


def get(server: AdminServer, path: str, headers: dict[str, str] | None = None) -> tuple:
    """``(status, headers, parsed JSON or text)`` of one GET."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read().decode()
        if response.getheader("Content-Type", "").startswith("application/json"):
            return response.status, response, json.loads(body)
        return response.status, response, body
    finally:
        conn.close()


class Stream:
    """One client of the board stream: raw lines and parsed messages."""

    def __init__(
        self, server: AdminServer, query: str = "", headers: dict[str, str] | None = None
    ) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        self.conn.request("GET", STREAM_PATH + query, headers=headers or {})
        self.response = self.conn.getresponse()
        self.parser = SseParser()
        self.lines: list[str] = []
        self.messages: list[SseMessage] = []
        self.ended = False

    def _read_line(self) -> None:
        raw = self.response.readline()
        if not raw:
            self.ended = True
            return
        line = raw.decode().rstrip("\r\n")
        self.lines.append(line)
        message = self.parser.feed_line(line)
        if message is not None:
            self.messages.append(message)

    def until(self, done: Callable[[Stream], bool], timeout_s: float = 5.0) -> Stream:
        deadline = time.monotonic() + timeout_s
        while not done(self):
            assert time.monotonic() < deadline, f"timed out; lines so far: {self.lines[-20:]}"
            assert not self.ended, f"stream ended; lines: {self.lines[-20:]}"
            self._read_line()
        return self

    def take(self, count: int, timeout_s: float = 5.0) -> list[SseMessage]:
        """The first ``count`` messages (waits for them)."""
        self.until(lambda s: len(s.messages) >= count, timeout_s)
        return self.messages[:count]

    def close(self) -> None:
        sock = self.conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.response.close()
        self.conn.close()


@pytest.fixture
def streams() -> Iterator[Callable[..., Stream]]:
    opened: list[Stream] = []

    def make(server: AdminServer, query: str = "", headers: dict[str, str] | None = None):
        stream = Stream(server, query, headers)
        opened.append(stream)
        return stream

    yield make
    for stream in opened:
        stream.close()


def wait_for(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def last_id(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT MAX(id) FROM events").fetchone()[0] or 0)


def call_next(queue: Queue, counter: int = 1) -> int:
    """Issue one ticket and call it at ``counter`` after finishing what it held; the
    call's event id."""
    queue.issue("A", actor="test")
    held = queue.db.execute(
        "SELECT id FROM tickets WHERE counter_id = ? AND state = 'called'", (counter,)
    ).fetchone()
    if held:
        queue.cancel(held[0], actor="test", reason="uji")
    assert queue.call_next(counter, actor="test") is not None
    return last_id(queue.db)


def event_ids(messages: list[SseMessage]) -> list[int]:
    return [int(m.id) for m in messages if m.id is not None]


# ----------------------------------------------------------------------------- board, health


def test_board_is_the_board_view_state(server: AdminServer, queue: Queue) -> None:
    call_next(queue)
    status, response, body = get(server, "/api/v1/board")
    assert status == 200
    assert body == json.loads(json.dumps(board_view_state(queue.db)))
    assert body["last_calls"][0]["label"] == "A-001"
    assert "no-store" in response.getheader("Cache-Control")


def test_healthz_ok(server: AdminServer, queue: Queue, settings: Settings) -> None:
    queue.record_printer_state("offline", actor="test")
    # No ult kiosk runs: nobody will print, whatever was last recorded.
    status, _, body = get(server, "/healthz")
    assert status == 200
    free_mb = body.pop("disk_free_mb")
    assert body == {
        "status": "ok",
        "database": "ok",
        "writable": True,
        "pages": "ok",
        "printer": "no_owner",
        "last_event_id": last_id(queue.db),
    }
    # With the printer's owner running, the state it recorded.
    with hold_owner(settings):
        status, _, body = get(server, "/healthz")
    assert status == 200
    body.pop("disk_free_mb")
    assert body == {
        "status": "ok",
        "database": "ok",
        "writable": True,
        "pages": "ok",
        "printer": "offline",
        "last_event_id": last_id(queue.db),
    }
    assert isinstance(free_mb, int) and free_mb >= 0


def test_healthz_database_unavailable(server: AdminServer, settings: Settings) -> None:
    path = settings.store.database
    moved = path.with_name("moved.db")
    os.replace(path, moved)
    try:
        status, response, body = get(server, "/healthz")
        assert status == 503
        assert response.getheader("Content-Type").startswith("application/json")
        assert body["status"] == "error" and body["database"] == "unavailable"
        assert body["error"] == "database_unavailable" and "teknisi" in body["message"]
        # The stream refuses at once too, in JSON, rather than promising a 200.
        status, _, body = get(server, STREAM_PATH)
        assert status == 503 and body["error"] == "database_unavailable"
    finally:
        os.replace(moved, path)
    # Back in place: healthy again within moments (a server thread may first have to drop
    # a handle that went stale while the file was away).
    deadline = time.monotonic() + 5
    while get(server, "/healthz")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert get(server, "/healthz")[0] == 200


def test_healthz_names_a_missing_page_file(app: Flask, tmp_path: Path) -> None:
    # A copy of the program without its templates and static files (the wheel that left out
    # its package data): health says so, rather than "ok" above pages that all answer 500.
    templates = Path(app.root_path) / "templates"
    partial = tmp_path / "templates"
    partial.mkdir()
    (partial / "base.html").write_text((templates / "base.html").read_text(), encoding="utf-8")
    app.jinja_loader.searchpath = [str(partial)]  # type: ignore[union-attr]
    app.static_folder = str(tmp_path / "static")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.json
    assert body["status"] == "error" and body["pages"] == "missing"
    assert body["database"] == "ok" and body["error"] == "pages_missing"
    assert "auth/login.html" in body["message"] and "static/board.js" in body["message"]
    assert "base.html," not in body["message"]


# ----------------------------------------------------------------------------- the stream


def test_stream_starts_with_retry_and_carries_the_event_log(
    server: AdminServer, queue: Queue, streams
) -> None:
    stream = streams(server)
    assert stream.response.status == 200
    assert stream.response.getheader("Content-Type").startswith("text/event-stream")
    assert stream.response.getheader("Cache-Control") == "no-cache"
    stream.until(lambda s: len(s.lines) >= 3)  # sent at once, before any event
    assert stream.lines[0] == "retry: 3000"
    assert stream.lines[1].startswith(":")
    call_id = call_next(queue)
    messages = stream.until(lambda s: call_id in event_ids(s.messages)).messages
    called = next(m for m in messages if m.event == "called")
    assert int(called.id) == call_id
    data = json.loads(called.data)
    row = queue.db.execute(
        "SELECT at, ticket_id, counter_id, sop_step FROM events WHERE id = ?", (call_id,)
    ).fetchone()
    assert data["label"] == "A-001" and data["counter"] == "Loket 1"
    assert (data["ticket_id"], data["counter_id"], data["sop_step"]) == tuple(row[1:])
    assert data["at"].endswith("+00:00") and data["at"][:19] == row[0][:19]
    assert "actor" not in data
    # Every event in order, no gap: issued, called.
    assert event_ids(messages) == list(range(event_ids(messages)[0], call_id + 1))


def test_several_subscribers_receive_the_same_calls(
    server: AdminServer, queue: Queue, streams
) -> None:
    clients = [streams(server) for _ in range(MAX_STREAMS)]
    for client in clients:
        client.until(lambda s: len(s.lines) >= 2)
    expected = [call_next(queue, 1 + n % 2) for n in range(6)]
    received = []
    for client in clients:
        client.until(lambda s: expected[-1] in event_ids(s.messages))
        received.append([(m.id, m.event, m.data) for m in client.messages])
    assert received[0] == received[1] == received[2]
    ids = event_ids(clients[0].messages)
    assert ids == sorted(set(ids)) and set(expected) <= set(ids)


def test_without_a_resume_point_there_is_no_replay(
    server: AdminServer, queue: Queue, streams
) -> None:
    old = call_next(queue)
    stream = streams(server)
    stream.until(lambda s: len(s.lines) >= 2)
    new = call_next(queue)
    messages = stream.until(lambda s: new in event_ids(s.messages)).messages
    assert min(event_ids(messages)) > old


@pytest.mark.parametrize(
    "how", ["header", "query", "both, header newer", "both, query newer"], ids=str
)
def test_resume_after_an_id_without_repeats_or_gaps(
    server: AdminServer, queue: Queue, streams, how: str
) -> None:
    for n in range(4):
        call_next(queue, 1 + n % 2)
    resume = last_id(queue.db) - 5
    if how == "header":
        stream = streams(server, headers={"Last-Event-ID": str(resume)})
    elif how == "query":
        stream = streams(server, f"?since={resume}")
    elif how == "both, header newer":
        stream = streams(server, f"?since={resume - 3}", {"Last-Event-ID": str(resume)})
    else:
        stream = streams(server, f"?since={resume}", {"Last-Event-ID": str(resume - 3)})
    newest = last_id(queue.db)
    stream.until(lambda s: newest in event_ids(s.messages))
    later = call_next(queue)
    stream.until(lambda s: later in event_ids(s.messages))
    ids = event_ids(stream.messages)
    assert ids == list(range(resume + 1, later + 1))
    assert all(m.event != "snapshot" for m in stream.messages)


def test_a_resume_point_too_old_gets_a_snapshot_first(
    app: Flask, settings: Settings, queue: Queue, streams
) -> None:
    app.config[CONFIG_HEARTBEAT] = HEARTBEAT_S
    app.config[CONFIG_REPLAY] = 5
    with running(app, settings) as server:
        for n in range(5):
            call_next(queue, 1 + n % 2)
        newest = last_id(queue.db)
        assert newest > 5
        stream = streams(server, "?since=1")
        first = stream.take(1)[0]
        assert first.event == "snapshot" and int(first.id) == newest
        state = json.loads(first.data)
        assert state == json.loads(json.dumps(board_view_state(queue.db)))
        later = call_next(queue)
        stream.until(lambda s: later in event_ids(s.messages))
        assert event_ids(stream.messages) == [newest, *range(newest + 1, later + 1)]
        # The newest 5 are kept: resuming within them replays, no snapshot.
        near = streams(server, f"?since={later - 4}")
        near.until(lambda s: later in event_ids(s.messages))
        assert event_ids(near.messages) == list(range(later - 3, later + 1))
        assert near.messages[0].event != "snapshot"


def test_a_resume_point_beyond_the_log_gets_a_snapshot(
    server: AdminServer, queue: Queue, streams
) -> None:
    newest = call_next(queue)
    stream = streams(server, headers={"Last-Event-ID": str(newest + 100)})
    first = stream.take(1)[0]
    assert first.event == "snapshot" and int(first.id) == newest
    later = call_next(queue)
    stream.until(lambda s: later in event_ids(s.messages))
    assert event_ids(stream.messages) == [newest, *range(newest + 1, later + 1)]


BAD_IDS = ["abc", "-1", "1.5", "+1", "", "1e3", "0x10", "١٢", "99999999999999999999", "9" * 400]


@pytest.mark.parametrize("value", BAD_IDS, ids=repr)
def test_bad_resume_points_are_422_json(server: AdminServer, value: str) -> None:
    query = urllib.request.quote(value)
    status, _, body = get(server, f"{STREAM_PATH}?since={query}")
    assert status == 422, body
    assert body["error"] == "event_id_invalid" and "since" in body["message"]
    if value and value.isascii():  # a header carries ASCII only
        status, _, body = get(server, STREAM_PATH, {"Last-Event-ID": value})
        assert status == 422, body
        assert body["error"] == "event_id_invalid" and "Last-Event-ID" in body["message"]
    # A good one beside a bad one is still refused: nothing is guessed.
    status, _, _ = get(server, f"{STREAM_PATH}?since={query}", {"Last-Event-ID": "1"})
    assert status == 422
    assert hub(server.app).open_streams == 0


def test_heartbeat_arrives(server: AdminServer, streams) -> None:
    stream = streams(server)
    began = time.monotonic()
    stream.until(lambda s: s.lines.count(": ping") >= 3)
    # Three pings at 0.1 s: well under a second, and nothing else was sent.
    assert time.monotonic() - began < 2.0
    assert stream.messages == []


def test_the_cap_refuses_one_more_stream_while_staff_requests_succeed(
    server: AdminServer, queue: Queue, streams, bearer
) -> None:
    clients = [streams(server) for _ in range(MAX_STREAMS)]
    for client in clients:
        assert client.response.status == 200
    began = time.monotonic()
    status, _, body = get(server, STREAM_PATH)
    assert time.monotonic() - began < 1.0  # refused at once, not queued
    assert status == 503
    assert body == {"error": "too_many_streams", "message": body["message"]}
    assert "Terlalu banyak" in body["message"]
    assert hub(server.app).open_streams == MAX_STREAMS

    # Every spare thread at once: staff pages, the API with a token, the board.
    headers = bearer("front_office")
    results: list[int] = []

    def staff(path: str, auth: dict[str, str]) -> None:
        results.append(get(server, path, auth)[0])

    paths = [("/login", {}), ("/api/v1/board", {}), ("/healthz", {})] * 3
    paths.append(("/api/v1/counters/1/queue", headers))
    workers = [threading.Thread(target=staff, args=item) for item in paths]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=10)
    assert results == [200] * len(paths)
    # The streams still work.
    call_id = call_next(queue)
    for client in clients:
        client.until(lambda s: call_id in event_ids(s.messages))


@pytest.mark.parametrize(
    ("lookahead", "heartbeat_s"),
    [(1, HEARTBEAT_S), (0, HEARTBEAT_S), (1, 15.0)],
    ids=["ult-admin", "no-lookahead", "ult-admin, 15 s heartbeat"],
)
def test_clients_that_leave_are_cleaned_up(
    app: Flask, settings: Settings, queue: Queue, streams, lookahead: int, heartbeat_s: float
) -> None:
    app.config[CONFIG_HEARTBEAT] = heartbeat_s
    with running(app, settings, channel_request_lookahead=lookahead) as server:
        the_hub = hub(server.app)
        clients = [streams(server) for _ in range(MAX_STREAMS)]
        for client in clients:
            client.until(lambda s: len(s.lines) >= 2)
        assert the_hub.open_streams == MAX_STREAMS
        assert get(server, STREAM_PATH)[0] == 503
        for client in clients:
            client.close()
        # ult admin reads ahead on the connection and sees the close within a second,
        # heartbeat or not; without that, the next heartbeat writes find the socket gone.
        wait_for(lambda: the_hub.open_streams == 0, timeout_s=2.5)
        again = streams(server)
        assert again.response.status == 200
        call_id = call_next(queue)
        again.until(lambda s: call_id in event_ids(s.messages))


def test_head_and_refused_requests_take_no_place(server: AdminServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("HEAD", STREAM_PATH)
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 200
    wait_for(lambda: hub(server.app).open_streams == 0, timeout_s=2.0)


def test_no_personal_data_on_the_board_or_the_stream(
    server: AdminServer, queue: Queue, streams
) -> None:
    stream = streams(server)
    stream.until(lambda s: len(s.lines) >= 2)
    call_next(queue)
    ticket = queue.db.execute("SELECT id FROM tickets WHERE state = 'called'").fetchone()[0]
    queue.start(ticket, 1, actor="test")
    queue.identify(
        ticket, 1, actor="test", name=VISITOR, nik=NIK, phone=PHONE, institution="SDN 1 Bogor"
    )
    queue.answer(ticket, 1, actor="test", kind="available", text="Sudah diproses")
    # A counter takeover's previous holder, reason and written assignment stay off it too.
    queue.take_counter(2, actor="sitiaminah")
    queue.take_counter(
        2,
        actor="test",
        takeover=True,
        reason="Sakit demam",
        assignment_number="800/9/2026",
        assignment_date="2026-01-05",
    )
    queue.set_running_text("Selamat datang", actor="test")
    newest = last_id(queue.db)
    stream.until(lambda s: newest in event_ids(s.messages))
    assert "identified" in [m.event for m in stream.messages]
    assert "counter_taken" in [m.event for m in stream.messages]
    # The identity check's details (no identity, nothing the board needs) stay off it too.
    shown = {m.event: json.loads(m.data) for m in stream.messages}
    assert shown["identified"]["ticket_id"] == shown["answered"]["ticket_id"] == ticket
    for key in ("document_kind", "acting_for", "letter_type", "nik_warnings"):
        assert key not in shown["identified"], key
    assert "exemption" not in shown["answered"]
    _, _, board = get(server, "/api/v1/board")
    snapshot = streams(server, "?since=999999").take(1)[0]
    for text in ("\n".join(stream.lines), json.dumps(board), snapshot.data):
        for secret in (
            NIK,
            PHONE,
            VISITOR,
            "SDN 1 Bogor",
            "test",
            "sitiaminah",
            "Sakit demam",
            "800/9/2026",
        ):
            assert secret not in text, secret


def test_an_audit_of_personal_data_never_reaches_the_stream(
    server: AdminServer, queue: Queue, streams
) -> None:
    stream = streams(server)
    stream.until(lambda s: len(s.lines) >= 2)
    audit = privacy.record_access(
        queue.db, at=queue.clock(), actor="supervisor", what="guestbook", period=None
    )
    later = call_next(queue)
    stream.until(lambda s: later in event_ids(s.messages))
    ids = event_ids(stream.messages)
    assert audit not in ids
    assert "personal_data_viewed" not in "\n".join(stream.lines)
    # A client resuming from the audit gets every event after it, no gap or repeat.
    resumed = streams(server, f"?since={audit}")
    resumed.until(lambda s: later in event_ids(s.messages))
    assert event_ids(resumed.messages) == list(range(audit + 1, later + 1))


def test_a_replaced_database_resyncs_streams_with_a_snapshot(
    tmp_path: Path, settings: Settings
) -> None:
    """A restore puts another file at the path: the hub reopens it and its streams start over."""
    path = tmp_path / "appliance.db"
    first = connect(path)
    apply_catalog(first, settings)
    queue = Queue(first, settings)
    for _ in range(3):
        queue.issue("A", actor="test")
    the_hub = EventHub(path, max_streams=2, poll_s=0.01, linger_s=0)
    subscription = the_hub.subscribe()
    try:
        newest = last_id(first)
        epoch = the_hub.epoch
        batch = the_hub.wait_after(newest - 1, epoch, 5.0)
        assert [e.id for e in batch.entries] == [newest]
        other = connect(tmp_path / "restored.db")
        apply_catalog(other, settings)
        other.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        other.close()
        first.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        first.close()
        os.replace(tmp_path / "restored.db", path)
        deadline = time.monotonic() + 5
        while True:
            batch = the_hub.wait_after(newest, epoch, 0.5)
            if batch.behind:
                break
            assert time.monotonic() < deadline, "the replaced file was not noticed"
        assert the_hub.epoch > epoch
    finally:
        subscription.release()
        the_hub.close()


def test_stopping_the_server_ends_open_streams(app: Flask, settings: Settings, streams) -> None:
    app.config[CONFIG_HEARTBEAT] = 5.0  # the heartbeat must not be what ends them
    server = AdminServer(app, settings, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    clients = [streams(server) for _ in range(2)]
    for client in clients:
        client.until(lambda s: len(s.lines) >= 2)
    began = time.monotonic()
    server.stop()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert time.monotonic() - began < 3.0
    for client in clients:
        client.until(lambda s: s.ended, timeout_s=3.0)


# ----------------------------------------------------------------------------- ult display --hub


def test_remote_state_and_remote_feed_work_against_the_server(
    server: AdminServer, queue: Queue
) -> None:
    first = call_next(queue)
    state = RemoteState(base(server)).state()
    assert state == json.loads(json.dumps(board_view_state(queue.db)))
    assert state["last_event_id"] == first
    feed = RemoteFeed(base(server), after_id=state["last_event_id"], timeout_s=2)
    try:
        events = feed.poll(0.5)  # opens the stream
        assert events == []
        wait_for(lambda: feed.connected)
        second = call_next(queue, 2)
        got = []
        deadline = time.monotonic() + 5
        while second not in [e.id for e in got]:
            assert time.monotonic() < deadline, got
            got += feed.poll(0.5)
        assert [e.id for e in got] == list(range(first + 1, second + 1))
        call = next(e for e in got if e.is_call)
        assert call.payload["label"] == "A-002" and call.payload["counter"] == "Loket 2"
        assert call.at is not None and call.at.utcoffset().total_seconds() == 0
        assert call.counter_id == 2 and call.sop_step == 5
        assert feed.last_id == second
    finally:
        feed.close()
    wait_for(lambda: hub(server.app).open_streams == 0, timeout_s=3.0)


@pytest.mark.slow
def test_remote_feed_resumes_across_a_server_restart_without_gaps(
    app: Flask, settings: Settings, queue: Queue, clock: FakeClock
) -> None:
    """``ult admin`` restarted (an upgrade, a crash): the board reconnects after the
    server's ``retry`` and gets what happened meanwhile, once each."""
    app.config[CONFIG_HEARTBEAT] = HEARTBEAT_S
    first = call_next(queue)
    with running(app, settings) as server:
        port = server.port
        feed = RemoteFeed(f"http://127.0.0.1:{port}", after_id=first, timeout_s=2)
        feed.poll(0.2)
        wait_for(lambda: feed.connected)
    try:
        missed = [call_next(queue, 1 + n % 2) for n in range(3)]  # while it is down
        again = create_app(settings, clock=clock, config={CONFIG_HEARTBEAT: HEARTBEAT_S})
        with running(again, settings, port=port):
            got = []
            deadline = time.monotonic() + 15
            while missed[-1] not in [e.id for e in got]:
                assert time.monotonic() < deadline, got
                got += feed.poll(0.5)
            assert [e.id for e in got] == list(range(first + 1, missed[-1] + 1))
    finally:
        feed.close()
