"""The board's event feeds: the local event log on a real SQLite file, and the admin app's
board stream served over real HTTP by a small Server-Sent Events server in the test."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from display.feed import Backoff, FeedEvent, LocalFeed, RemoteFeed, SseMessage, SseParser
from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.queue import Queue
from ult.settings import Settings
from ult.store import connect


class FakeTime:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


# --------------------------------------------------------------------------- local


def test_local_feed_yields_calls_and_recalls_in_order_once(
    queue: Queue, settings: Settings, clock: FakeClock
) -> None:
    feed = LocalFeed(settings.store.database)
    assert feed.poll(0) == []  # the catalog writes no events
    queue.issue("A", actor="r")
    queue.issue("A", actor="r")
    first = queue.call_next("Loket 1", actor="fo")
    assert first is not None

    got = feed.poll(0)
    # Every event of the log comes through (the board needs more than calls), in id order.
    assert [e.kind for e in got if e.kind != "day_started"] == ["issued", "issued", "called"]
    assert [e.id for e in got] == sorted({e.id for e in got})
    call = got[-1]
    assert call.is_call and call.payload["label"] == "A-001"
    assert call.payload["counter"] == "Loket 1"
    assert call.ticket_id == first.id and call.at is not None and call.at.tzinfo is not None
    assert feed.connected and feed.last_id == call.id
    assert feed.poll(0) == []  # nothing twice

    clock.advance(seconds=settings.queue.recall_cooldown_seconds + 1)
    queue.recall(first.id, "Loket 1", actor="fo")
    second = queue.call_next("Loket 2", actor="fo")
    assert second is not None
    later = feed.poll(0)
    assert [(e.kind, e.payload["label"]) for e in later] == [
        ("recalled", "A-001"),
        ("called", "A-002"),
    ]
    assert later[0].id > call.id
    assert feed.poll(0) == []
    feed.close()


def test_local_feed_starts_after_an_id_and_holds_no_transaction(
    queue: Queue, settings: Settings, db
) -> None:
    queue.issue("A", actor="r")
    queue.call_next("Loket 1", actor="fo")
    newest = db.execute("SELECT MAX(id) FROM events").fetchone()[0]
    with LocalFeed(settings.store.database, after_id=newest - 1) as feed:
        assert [e.kind for e in feed.poll(0)] == ["called"]
        # A reader holding a snapshot would make the writer's checkpoint report busy.
        assert feed._db is not None and not feed._db.conn.in_transaction
        busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0


def test_local_feed_waits_for_an_event_within_the_timeout(queue: Queue, settings: Settings) -> None:
    feed = LocalFeed(settings.store.database, interval_s=0.01)
    writer = threading.Timer(0.1, lambda: queue.issue("A", actor="r"))
    started = time.monotonic()
    writer.start()
    got = feed.poll(2.0)  # returns with the first write (issuing may start the day first)
    took = time.monotonic() - started
    writer.join()
    got += feed.poll(0)
    assert "issued" in [e.kind for e in got]
    assert 0.05 < took < 1.0
    started = time.monotonic()
    assert feed.poll(0.1) == []
    assert time.monotonic() - started >= 0.1
    feed.close()


def test_local_feed_backs_off_while_the_database_is_missing(
    settings: Settings, clock: FakeClock, tmp_path: Path
) -> None:
    path = tmp_path / "later" / "ult.db"
    fake = FakeTime()
    feed = LocalFeed(path, sleep=fake.sleep, clock=fake.clock)
    assert feed.poll(7.5) == []
    # Attempts at 0, 1, 3 and 7 s: waits double; the last wait is cut by the timeout.
    assert fake.sleeps == [1.0, 2.0, 4.0, 0.5]
    assert not feed.connected
    assert not path.exists()  # a reader never creates the database

    database = connect(path)
    apply_catalog(database, settings)
    Queue(database, settings, clock=clock).issue("B", actor="r")
    assert feed.poll(0) == []  # next attempt is due at 15 s
    fake.now = 15.0
    got = feed.poll(0)
    assert "issued" in [e.kind for e in got] and feed.connected
    database.close()
    feed.close()


# --------------------------------------------------------------------------- SSE parser


def parse(text: str) -> tuple[list[SseMessage], SseParser]:
    parser = SseParser()
    out = []
    for line in text.split("\n"):
        message = parser.feed_line(line)
        if message is not None:
            out.append(message)
    return out, parser


def test_sse_parser_follows_the_event_stream_rules() -> None:
    messages, parser = parse(
        "retry: 2500\n"
        ": ping\n"
        "\n"
        'id: 7\nevent: called\ndata: {"a":\ndata:1}\n\n'  # multi-line data, no space
        ": ping\n"
        "data: no id\n\n"
        "id: 8\ndata\n\n"  # a field name alone: empty data
        "event: lonely\n\n"  # no data: not dispatched
        "id: 9\nretry: soon\ndata: x"  # no blank line yet
    )
    assert messages == [
        SseMessage("7", "called", '{"a":\n1}'),
        SseMessage(None, "message", "no id"),
        SseMessage("8", "message", ""),
    ]
    assert parser.retry_ms == 2500  # "soon" is not a number and is ignored
    parser.end_of_stream()  # the unfinished message is dropped
    assert parser.feed_line("") is None


def test_stream_event_splits_the_payload_from_the_columns() -> None:
    event = FeedEvent.from_sse(
        5,
        "called",
        {"label": "A-001", "counter": "Loket 1", "at": "2026-11-25T02:00:00.000000Z",
         "ticket_id": 3, "counter_id": 1, "sop_step": 5},
    )  # fmt: skip
    assert event.payload == {"label": "A-001", "counter": "Loket 1"}
    assert event.at == datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    assert (event.ticket_id, event.counter_id, event.sop_step) == (3, 1, 5)


def test_backoff_doubles_to_the_cap_and_resets() -> None:
    backoff = Backoff(1, 30)
    assert [backoff.next() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    backoff.reset()
    assert backoff.next() == 1


# --------------------------------------------------------------------------- remote


@dataclass
class Stream:
    """What the test server serves and what it saw."""

    events: list[tuple[int, str, dict]] = field(default_factory=list)
    # Per connection, in order: ("ok", n) sends n events then drops mid-event;
    # ("ok", None) streams forever; ("503", _) refuses; ("replay", None) ignores 1 of since.
    plan: list[tuple[str, int | None]] = field(default_factory=list)
    requests: list[tuple[int, str | None]] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    ping_s: float = 0.05


def frame(event: tuple[int, str, dict]) -> bytes:
    event_id, kind, data = event
    text = json.dumps(data)
    # Split the JSON over two data: lines to exercise multi-line data on the client.
    cut = text.index(",") + 1 if "," in text else len(text)
    lines = [f"id: {event_id}", f"event: {kind}", f"data: {text[:cut]}"]
    if text[cut:]:
        lines.append(f"data:{text[cut:]}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def make_handler(stream: Stream) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            assert url.path == "/hub/api/v1/board/events"
            since = int(parse_qs(url.query).get("since", ["0"])[0])
            header = self.headers.get("Last-Event-ID")
            if header is not None:
                since = max(since, int(header))
            stream.requests.append((since, header))
            mode, count = stream.plan.pop(0) if stream.plan else ("ok", None)
            self.close_connection = True
            if mode == "503":
                body = b'{"error": "too many streams"}'
                self.send_response(503)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if mode == "replay":
                since -= 1  # a sloppy server: sends one the client already has
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.chunk(b"retry: 1000\n: ping\n\n")
            sent = 0
            while not stream.stopping.is_set():
                pending = [e for e in stream.events if e[0] > since]
                for event in pending:
                    if count is not None and sent == count:
                        # Drop mid-event: the half message must be discarded and resent.
                        self.chunk(frame(event)[:20])
                        return
                    self.chunk(frame(event))
                    since = event[0]
                    sent += 1
                self.chunk(b": ping\n\n")
                time.sleep(stream.ping_s)

    return Handler


@pytest.fixture
def stream() -> Iterator[tuple[Stream, str]]:
    state = Stream()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    server.daemon_threads = True
    server.handle_error = lambda request, address: None  # a client gone mid-write is normal
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/hub/"
    state.stopping.set()
    server.shutdown()
    server.server_close()


def call(event_id: int, label: str) -> tuple[int, str, dict]:
    data = {"label": label, "counter": "Loket 1", "at": "2026-11-25T02:00:00Z"}
    return (event_id, "called", data | {"ticket_id": event_id, "counter_id": 1, "sop_step": 5})


def collect(feed: RemoteFeed, count: int, timeout_s: float = 5.0) -> list[FeedEvent]:
    got: list[FeedEvent] = []
    deadline = time.monotonic() + timeout_s
    while len(got) < count and time.monotonic() < deadline:
        got += feed.poll(0.05)
    return got


def wait_for(condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_remote_feed_resumes_after_a_drop_without_repeats_or_gaps(
    stream: tuple[Stream, str],
) -> None:
    state, url = stream
    state.events = [call(n, f"A-{n:03}") for n in range(1, 7)]
    state.plan = [("ok", 2), ("503", None), ("replay", None)]
    seen: list[tuple[float, bool]] = []
    feed = RemoteFeed(url, sleep=lambda s: seen.append((s, feed.connected)))
    try:
        got = collect(feed, 6)
        assert [e.id for e in got] == [1, 2, 3, 4, 5, 6]
        assert [e.payload["label"] for e in got] == [f"A-{n:03}" for n in range(1, 7)]
        assert got[0].payload == {"label": "A-001", "counter": "Loket 1"}
        # Dropped: offline, 1 s; refused: still offline, 2 s; then connected again.
        assert seen == [(1.0, False), (2.0, False)]
        assert wait_for(lambda: feed.connected)
        assert state.requests == [(0, None), (2, "2"), (2, "2")]

        state.events.append(call(7, "A-007"))  # a live call on the open stream
        later = collect(feed, 1)
        assert [e.id for e in later] == [7] and feed.last_id == 7
        assert feed.poll(0.2) == []  # pings only: nothing repeated
    finally:
        feed.close()
    assert not feed.connected


def test_remote_feed_reconnects_when_the_stream_goes_quiet(stream: tuple[Stream, str]) -> None:
    state, url = stream
    state.events = [call(1, "B-001")]
    state.ping_s = 1.0  # slower than the client's read timeout: the line looks dead
    seen: list[float] = []
    feed = RemoteFeed(url, after_id=0, timeout_s=0.2, sleep=seen.append)
    try:
        assert [e.id for e in collect(feed, 1)] == [1]
        assert wait_for(lambda: len(state.requests) >= 2)
        assert state.requests[1] == (1, "1")  # resumed from the last id
        assert seen and seen[0] == 1.0
        assert feed.poll(0.1) == []
    finally:
        feed.close()


def test_remote_feed_rejects_a_bad_url() -> None:
    with pytest.raises(ValueError, match="hub URL"):
        RemoteFeed("ftp://example.org")
