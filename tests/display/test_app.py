"""The live board loop: real feeds on a real SQLite file or a real HTTP hub, the real view on
SDL's dummy display, announcements recorded instead of played."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"  # before pygame is imported: no window, no device
os.environ["SDL_AUDIODRIVER"] = "dummy"

import io
import json
import signal
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pygame
import pytest

from display import board_messages as msg
from display.app import (
    ANIMATION_FPS,
    BoardLoop,
    LocalState,
    RemoteState,
    Screen,
    StateUnavailable,
    png_writer,
)
from display.board import BoardView
from display.calls import ANNOUNCE_MAX_AGE_SECONDS
from display.feed import Backoff, LocalFeed, RemoteFeed
from display.service import chime_file, wav_maker
from display.snapshot import board_view_state
from display.voice import CHIME_FILE, RATE_HZ, default_vocabulary, espeak_available, word_file
from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.queries import events_after
from ult.queue import Queue
from ult.settings import Settings
from ult.store import connect

JAKARTA = ZoneInfo("Asia/Jakarta")
SIZE = (1280, 720)
ULT = str(Path(sys.executable).with_name("ult"))


@pytest.fixture
def display() -> Iterator[pygame.Surface]:
    pygame.display.init()
    yield pygame.display.set_mode(SIZE)
    pygame.display.quit()


class Recorder:
    """Stands in for the Announcer: records what would be spoken."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str, int | None]] = []

    def __call__(self, label: str, counter: str, *, event_id: int | None = None) -> bool:
        self.said.append((label, counter, event_id))
        return True


def make_loop(
    surface: pygame.Surface,
    source,
    make_feed: Callable,
    *,
    now: Callable[[], datetime] | None = None,
    portrait: bool = False,
) -> tuple[BoardLoop, Recorder]:
    screen = Screen(surface, portrait=portrait)
    view = BoardView(screen.board_size, office_name="ULT", timezone=JAKARTA)
    said = Recorder()
    loop = BoardLoop(
        view=view,
        screen=screen,
        source=source,
        make_feed=make_feed,
        announce=said,
        now=now or (lambda: datetime.now(UTC)),
        backoff=Backoff(0.01, 0.05),
    )
    return loop, said


def step_until(loop: BoardLoop, condition: Callable[[], bool], timeout_s: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        loop.step()
        if condition():
            return True
    return condition()


def shown_call(loop: BoardLoop) -> list[str]:
    return [text for text, _, _ in loop.view.text_boxes.get("call", [])]


def local_feed(settings: Settings) -> Callable[[int], LocalFeed]:
    return lambda after: LocalFeed(settings.store.database, after_id=after, interval_s=0.01)


def test_a_call_reaches_the_screen_and_the_voice_once(
    queue: Queue, settings: Settings, clock: FakeClock, display: pygame.Surface
) -> None:
    queue.issue("A", actor="r")
    queue.issue("A", actor="r")
    old = queue.call_next("Loket 1", actor="fo")
    clock.advance(seconds=ANNOUNCE_MAX_AGE_SECONDS + 1)
    loop, said = make_loop(
        display, LocalState(settings.store.database), local_feed(settings), now=clock
    )
    loop.step()
    # The board starts after the newest event: a call older than a minute is shown, not spoken.
    assert loop.feed is not None and loop.feed.last_id == events_after(queue.db)[-1].id
    assert old.label in shown_call(loop) and said.said == []
    assert not loop.offline  # a feed still connecting does not flash the offline mark

    clock.advance(seconds=settings.queue.recall_cooldown_seconds + 1)
    second = queue.call_next("Loket 2", actor="fo")
    queue.recall(old.id, "Loket 1", actor="fo")
    assert step_until(loop, lambda: len(said.said) == 2)
    ids = [e.id for e in events_after(queue.db) if e.kind in ("called", "recalled")]
    assert said.said == [("A-002", "Loket 2", ids[-2]), ("A-001", "Loket 1", ids[-1])]
    assert second.label == "A-002"
    # The screen holds exactly what the view drew, with the recall as the current call.
    assert "A-001" in shown_call(loop)
    assert pygame.image.tobytes(display, "RGB") == pygame.image.tobytes(loop.view.surface, "RGB")
    for _ in range(5):
        loop.step()
    assert len(said.said) == 2  # nothing spoken twice
    assert not loop.offline
    loop.stop()
    loop.run()  # returns at once and closes the feed and the source
    assert not loop.feed.connected


def test_a_board_started_before_its_database_reads_out_no_old_calls(
    settings: Settings, clock: FakeClock, display: pygame.Surface
) -> None:
    loop, said = make_loop(
        display, LocalState(settings.store.database), local_feed(settings), now=clock
    )
    loop.step()
    assert loop.offline and loop.feed is None
    assert not settings.store.database.exists()  # the board never creates it
    assert any(msg.OFFLINE in t for t, _, _ in loop.view.text_boxes["offline"])

    database = connect(settings.store.database)
    apply_catalog(database, settings)
    queue = Queue(database, settings, clock=clock)
    queue.issue("A", actor="r")
    queue.call_next("Loket 1", actor="fo")
    clock.advance(seconds=ANNOUNCE_MAX_AGE_SECONDS + 1)  # long before the board can read
    assert step_until(loop, lambda: loop.feed is not None and not loop.offline)
    queue.issue("B", actor="r")
    assert queue.call_next("Loket 2", actor="fo").label == "B-001"
    assert step_until(loop, lambda: said.said != [])
    assert [s[0] for s in said.said] == ["B-001"]  # the call made before it could read: silent
    assert loop.view.text_boxes["offline"] == []
    database.close()


def test_running_text_and_counts_follow_the_log(
    queue: Queue, settings: Settings, display: pygame.Surface
) -> None:
    loop, said = make_loop(display, LocalState(settings.store.database), local_feed(settings))
    loop.step()
    queue.set_running_text("Layanan tutup pukul 15.00 WIB.", actor="supervisor")
    queue.issue("C", actor="r")
    assert step_until(loop, lambda: loop.state.get("running_text") != "")
    assert loop.state["waiting"]["C"] == 1
    assert "Layanan tutup pukul 15.00 WIB." in [t for t, _, _ in loop.view.text_boxes["running"]]
    assert said.said == []  # only calls are spoken


def test_idle_board_wakes_once_a_second_and_faster_only_while_animating(
    queue: Queue, settings: Settings, display: pygame.Surface
) -> None:
    now = [datetime(2026, 11, 25, 2, 0, 0, 250000, tzinfo=UTC)]
    loop, _ = make_loop(
        display, LocalState(settings.store.database), local_feed(settings), now=lambda: now[0]
    )
    loop.step()
    assert loop._timeout() == pytest.approx(0.75)  # until the next whole second
    queue.issue("A", actor="r")
    queue.call_next("Loket 1", actor="fo")
    assert step_until(loop, lambda: loop.view.animating)
    assert loop._timeout() == pytest.approx(1 / ANIMATION_FPS)
    now[0] += timedelta(seconds=30)  # the attention effect is over
    loop.step()
    assert not loop.view.animating
    assert 0 < loop._timeout() <= 1.0


def test_portrait_screen_turns_only_the_changed_rectangles(
    queue: Queue, settings: Settings, display: pygame.Surface
) -> None:
    loop, _ = make_loop(
        display, LocalState(settings.store.database), local_feed(settings), portrait=True
    )
    assert loop.screen.board_size == (720, 1280) and loop.view.size == (720, 1280)
    loop.step()
    queue.issue("A", actor="r")
    queue.call_next("Loket 1", actor="fo")
    assert step_until(loop, lambda: "A-001" in shown_call(loop))
    turned = pygame.transform.rotate(loop.view.surface, 90)
    assert turned.get_size() == SIZE
    assert pygame.image.tobytes(display, "RGB") == pygame.image.tobytes(turned, "RGB")


def test_a_replaced_database_is_followed_from_its_own_newest_event(
    queue: Queue, settings: Settings, clock: FakeClock, display: pygame.Surface
) -> None:
    for _ in range(5):
        queue.issue("A", actor="r")
    queue.call_next("Loket 1", actor="fo")
    clock.advance(seconds=ANNOUNCE_MAX_AGE_SECONDS + 1)
    loop, said = make_loop(
        display, LocalState(settings.store.database), local_feed(settings), now=clock
    )
    loop.step()
    loop.step()  # the feed has the file open now
    assert "A-001" in shown_call(loop)
    queue.db.close()
    for leftover in settings.store.database.parent.glob("ult.db*"):
        leftover.unlink()  # a restore, or a technician setting the appliance up again
    fresh = connect(settings.store.database)
    apply_catalog(fresh, settings)
    again = Queue(fresh, settings, clock=clock)
    again.issue("B", actor="r")
    assert step_until(loop, lambda: loop.state.get("waiting", {}).get("A") == 0)
    again.call_next("Loket 2", actor="fo")  # a lower event id than the old file's newest
    assert step_until(loop, lambda: "B-001" in shown_call(loop))
    assert [s[0] for s in said.said] == ["B-001"]
    fresh.close()


def test_the_picture_is_kept_while_the_source_is_away(
    settings: Settings, tmp_path: Path, display: pygame.Surface
) -> None:
    frames: list[bool] = []
    loop, _ = make_loop(display, LocalState(settings.store.database), local_feed(settings))
    loop._on_frame = lambda surface, clock_only: frames.append(clock_only)
    loop.step()  # no database: the offline board is still drawn and handed on
    assert loop.offline and frames and frames[0] is False


def test_png_writer_survives_a_path_it_cannot_write(
    tmp_path: Path, display: pygame.Surface, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    write = png_writer(blocker / "board.png", every_s=0)
    write(display)
    write(display)
    assert caplog.text.count("cannot write the board picture") == 1


def test_png_writer_waits_longer_when_only_the_clock_moved(
    tmp_path: Path, display: pygame.Surface
) -> None:
    target = tmp_path / "board.png"
    write = png_writer(target, every_s=0, clock_every_s=60)
    write(display, False)
    target.unlink()
    write(display, True)
    assert not target.exists()
    write(display, False)
    assert target.exists()


def test_one_shot_screenshot_draws_the_display_settings_and_running_text(
    tmp_path: Path, clock: FakeClock
) -> None:
    from display.snapshot import screenshot
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "home", '[display]\norientation = "portrait"\n')
    database = connect(settings.store.database)
    apply_catalog(database, settings)
    Queue(database, settings, clock=clock).set_running_text("Tutup pukul 15.00", actor="s")
    out = screenshot(settings, database, tmp_path / "p.png", (1280, 720), clock=clock)
    picture = pygame.image.load(str(out))
    assert picture.get_size() == (1280, 720)
    view = BoardView((720, 1280), office_name=settings.office.name, timezone=settings.office.tz)
    view.update(board_view_state(database), now=clock(), running_text="Tutup pukul 15.00")
    turned = pygame.transform.rotate(view.surface, 90)
    assert pygame.image.tobytes(picture, "RGB") == pygame.image.tobytes(turned, "RGB")
    database.close()


def test_png_writer_keeps_a_current_picture(tmp_path: Path, display: pygame.Surface) -> None:
    target = tmp_path / "shots" / "board.png"
    write = png_writer(target, every_s=60)
    display.fill((255, 0, 0))
    write(display)
    display.fill((0, 0, 255))
    write(display)  # within the interval: skipped
    picture = pygame.image.load(str(target))
    assert picture.get_size() == SIZE and picture.get_at((5, 5))[:3] == (255, 0, 0)
    assert [p.name for p in target.parent.iterdir()] == ["board.png"]  # no temporary left


# --------------------------------------------------------------------------- a hub over HTTP


def make_hub(
    database_path: Path, healthy: threading.Event, resync: threading.Event | None = None
) -> type[BaseHTTPRequestHandler]:
    """The admin app's two public board endpoints, served from the appliance database. While
    ``resync`` is set, a stream starts with a ``snapshot`` message and goes on after its
    newest event, as admin/stream.py does for a resume point it no longer keeps (a restarted
    ``ult admin``)."""

    class Hub(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            db = connect(database_path, create=False, migrate_schema=False)
            try:
                if not healthy.is_set():
                    self.send_error(503)
                elif url.path == "/api/v1/board":
                    body = json.dumps(board_view_state(db)).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif url.path == "/api/v1/board/events":
                    self.events(db, int(parse_qs(url.query).get("since", ["0"])[0]))
                else:
                    self.send_error(404)
            finally:
                db.close()

        def events(self, db, since: int) -> None:
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            if resync is not None and resync.is_set():
                state = board_view_state(db)
                since = state["last_event_id"]
                text = f"id: {since}\nevent: snapshot\ndata: {json.dumps(state)}\n\n"
                self.wfile.write(text.encode())
            while healthy.is_set():
                for event in events_after(db, since):
                    data = {**event.payload, "at": event.at.isoformat()}
                    data |= {"ticket_id": event.ticket_id, "counter_id": event.counter_id}
                    text = f"id: {event.id}\nevent: {event.kind}\ndata: {json.dumps(data)}\n\n"
                    self.wfile.write(text.encode())
                    since = event.id
                self.wfile.write(b": ping\n\n")
                self.wfile.flush()
                time.sleep(0.02)

    return Hub


@pytest.fixture
def hub(settings: Settings, db) -> Iterator[tuple[str, threading.Event]]:
    healthy = threading.Event()
    healthy.set()
    resync = threading.Event()
    handler = make_hub(settings.store.database, healthy, resync)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.handle_error = lambda request, address: None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.resync = resync  # type: ignore[attr-defined]
    yield f"http://127.0.0.1:{server.server_address[1]}", healthy, resync
    healthy.clear()
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_remote_board_follows_the_hub_and_survives_an_outage(
    queue: Queue, clock: FakeClock, hub, display: pygame.Surface
) -> None:
    url, healthy, _ = hub
    queue.issue("A", actor="r")
    first = queue.call_next("Loket 1", actor="fo")
    clock.advance(seconds=ANNOUNCE_MAX_AGE_SECONDS + 1)

    def remote_feed(after: int) -> RemoteFeed:
        return RemoteFeed(url, after_id=after, timeout_s=2, backoff=Backoff(0.05, 0.1))

    loop, said = make_loop(display, RemoteState(url), remote_feed, now=clock)
    assert step_until(loop, lambda: not loop.offline)
    assert "A-001" in shown_call(loop) and said.said == []

    queue.issue("A", actor="r")
    queue.call_next("Loket 2", actor="fo")
    assert step_until(loop, lambda: len(said.said) == 1)
    assert said.said[0][:2] == ("A-002", "Loket 2")

    healthy.clear()  # the hub goes away; calls go on at the desks
    assert step_until(loop, lambda: loop.offline)
    assert loop.view.text_boxes["offline"]
    queue.cancel(first.id, actor="fo", reason="salah ambil nomor")
    queue.issue("B", actor="r")
    queue.call_next("Loket 1", actor="fo")
    healthy.set()
    assert step_until(loop, lambda: len(said.said) == 2 and not loop.offline)
    assert [s[0] for s in said.said] == ["A-002", "B-001"]  # missed call spoken, none twice
    assert "B-001" in shown_call(loop)
    loop.stop()
    loop.run()


def test_remote_state_refuses_what_is_not_a_board(hub) -> None:
    url, healthy, _ = hub
    assert RemoteState(url).state()["last_event_id"] >= 0
    with pytest.raises(StateUnavailable):
        RemoteState(url + "/nothing-here").state()
    healthy.clear()
    with pytest.raises(StateUnavailable):
        RemoteState(url).state()
    with pytest.raises(ValueError):
        RemoteState("ftp://x")


# --------------------------------------------------------------------------- the command


def ult(home: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "ULT_HOME": str(home), "SDL_VIDEODRIVER": "dummy"}
    return subprocess.run(
        [ULT, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--follow"],
        ["--windowed", "800x600", "--screenshot", "x.png"],
        ["--windowed", "800"],
        ["--hub", "ftp://hub"],
        ["--screenshot", "x.png", "--size", "9x9"],
        ["--windowed", "800x600", "--size", "800x600"],
        ["--size", "800x600"],
        ["--hub", "http://127.0.0.1:1", "--screenshot", "x.png"],
        ["--screenshot", "/proc/no/such/board.png"],
    ],
)
def test_display_refuses_bad_options(tmp_path: Path, args: list[str]) -> None:
    done = ult(tmp_path, "display", *args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.strip()


@pytest.mark.slow
def test_display_follow_keeps_a_screenshot_and_stops_on_sigterm(
    tmp_path: Path, settings: Settings, clock: FakeClock
) -> None:
    home = settings.home
    assert ult(home, "init").returncode == 0
    picture = tmp_path / "board.png"
    env = {**os.environ, "ULT_HOME": str(home), "SDL_VIDEODRIVER": "dummy"}
    board = subprocess.Popen(
        [
            ULT,
            "display",
            "--silent",
            "--follow",
            "--screenshot",
            str(picture),
            "--size",
            "1280x720",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not picture.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert picture.exists()
        assert pygame.image.load(str(picture)).get_size() == (1280, 720)
        board.send_signal(signal.SIGTERM)
        out, err = board.communicate(timeout=60)
    finally:
        board.kill()
    assert board.returncode == 0, err
    assert str(picture) in out and "Traceback" not in err


# --------------------------------------------------------------------------- the voice wiring


def write_pack(folder: Path, words: tuple[str, ...]) -> None:
    """A tiny stand-in voice pack: each word a clip of its own length, plus a chime."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, name in enumerate([CHIME_FILE, *(word_file(w) for w in words)]):
        with wave.open(str(folder / name), "wb") as clip:
            clip.setnchannels(1)
            clip.setsampwidth(2)
            clip.setframerate(RATE_HZ)
            clip.writeframes(bytes([index % 250 + 1, 0]) * (200 + index))


def test_the_board_speaks_exactly_what_voice_say_writes(settings: Settings, tmp_path: Path) -> None:
    home = settings.home
    assert ult(home, "init").returncode == 0
    pack = home / "voice" / "default"
    building = threading.Thread(
        target=lambda: (time.sleep(0.3), write_pack(pack, default_vocabulary()))
    )
    building.start()
    # An announcement made while the pack is still being built waits for it.
    spoken = wav_maker(home, building=building)("A-123", "Loket 2")
    written = tmp_path / "a.wav"
    done = ult(home, "voice", "say", "A-123", "Loket 2", "--wav", str(written))
    assert done.returncode == 0, done.stderr
    assert written.read_bytes() == spoken
    with wave.open(str(written)) as clip:
        # chime, gap, then the 9 words with 8 gaps between them
        assert clip.getnframes() > 200 + 9 * 200
    # An office's own recordings win; words they lack come from the default pack.
    custom = home / "voice" / "custom"
    custom.mkdir()
    with wave.open(str(custom / word_file("nomor antrian")), "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(2)
        clip.setframerate(RATE_HZ)
        clip.writeframes(b"\x07\x00" * 1000)  # a staff recording, longer than the default
    assert chime_file(custom, pack) == pack / CHIME_FILE
    own = wav_maker(home)("A-123", "Loket 2")
    assert len(own) == len(spoken) + 2 * (1000 - 201) and b"\x07\x00" * 1000 in own


def test_a_feed_opened_on_a_shorter_log_starts_from_its_newest_event(
    queue: Queue, settings: Settings
) -> None:
    queue.issue("A", actor="r")
    newest = events_after(queue.db)[-1].id
    feed = LocalFeed(settings.store.database, after_id=newest + 50)  # ids of a replaced file
    got = feed.poll(0)
    assert [(e.kind, e.id) for e in got] == [("snapshot", newest)] and feed.last_id == newest
    queue.call_next("Loket 1", actor="fo")
    assert [e.kind for e in feed.poll(0)] == ["called"]
    feed.close()


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng and sox are not installed")
def test_words_of_a_new_counter_are_added_to_the_pack_when_first_spoken(
    settings: Settings,
) -> None:
    pack = settings.home / "voice" / "default"
    write_pack(pack, default_vocabulary())
    assert not (pack / word_file("konsultasi")).exists()
    spoken = wav_maker(settings.home)("A-7", "Ruang Konsultasi")
    assert (pack / word_file("konsultasi")).is_file()
    with wave.open(io.BytesIO(spoken)) as clip:
        assert clip.getnframes() > 0


# --------------------------------------------------------------------------- a restart


def test_a_call_made_while_the_board_restarts_is_still_spoken(
    queue: Queue, settings: Settings, clock: FakeClock, display: pygame.Surface
) -> None:
    """Issue 14: both boards follow one rule (display.calls.ANNOUNCE_MAX_AGE_SECONDS)."""
    tickets = [queue.issue("A", actor="r") for _ in range(3)]
    old = queue.call_next("Loket 2", actor="fo2")
    clock.advance(seconds=ANNOUNCE_MAX_AGE_SECONDS - 10)
    moved = queue.call_next("Loket 1", actor="fo")
    queue.transfer(moved.id, "B", actor="fo", counter="Loket 1")  # no longer called: silent
    clock.advance(seconds=1)
    # Made while the board was down (by number: the moved ticket keeps its place in line).
    recent = queue.call_specific("Loket 1", tickets[2].ticket.id, actor="fo")
    clock.advance(seconds=14)
    # ``old`` is now 65 s old, ``moved`` 15 s but sent to another line, ``recent`` 14 s.
    loop, said = make_loop(
        display, LocalState(settings.store.database), local_feed(settings), now=clock
    )
    loop.step()
    ids = {e.ticket_id: e.id for e in events_after(queue.db) if e.kind == "called"}
    assert said.said == [(recent.label, "Loket 1", ids[recent.id])]
    assert (old.label, moved.label, recent.label) == ("A-001", "A-002", "A-003")
    assert recent.label in shown_call(loop)
    for _ in range(3):
        loop.step()
    assert len(said.said) == 1  # the feed starts after it: said once


def test_a_call_replayed_long_after_it_was_made_is_not_spoken(
    queue: Queue, settings: Settings, clock: FakeClock, display: pygame.Surface
) -> None:
    loop, said = make_loop(
        display, LocalState(settings.store.database), local_feed(settings), now=clock
    )
    loop.step()
    queue.issue("A", actor="r")
    queue.call_next("Loket 1", actor="fo")
    clock.advance(seconds=ANNOUNCE_MAX_AGE_SECONDS + 1)  # the board was stuck meanwhile
    queue.issue("A", actor="r")
    queue.call_next("Loket 2", actor="fo")
    assert step_until(loop, lambda: said.said != [])
    for _ in range(3):
        loop.step()
    assert [s[0] for s in said.said] == ["A-002"]
    assert "A-002" in shown_call(loop)


# --------------------------------------------------------------------------- a call-back


class BackRecorder(Recorder):
    """A Recorder that also hears the phrase choice of a call-back."""

    def __init__(self) -> None:
        super().__init__()
        self.back: list[bool] = []

    def __call__(
        self, label: str, counter: str, *, event_id: int | None = None, come_back: bool = False
    ) -> bool:
        self.back.append(come_back)
        return super().__call__(label, counter, event_id=event_id)


def test_a_call_back_is_shown_and_spoken_as_a_come_back(
    queue: Queue, settings: Settings, clock: FakeClock, display: pygame.Surface
) -> None:
    """Issue 14: a returned case's visitor is called back: "Silakan kembali ke Loket 2"."""
    ticket = queue.issue("A", actor="r").ticket
    queue.call_next("Loket 1", actor="fo")
    queue.start(ticket.id, "Loket 1", actor="fo")
    queue.escalate(ticket.id, "Loket 1", actor="fo", note="?")
    queue.take(ticket.id, "Back Office", actor="bo")
    queue.resolve(ticket.id, "Back Office", actor="bo", text="Jawaban")
    loop, _ = make_loop(
        display, LocalState(settings.store.database), local_feed(settings), now=clock
    )
    heard = BackRecorder()
    loop._announce = heard
    loop.step()
    queue.call_back(ticket.id, "Loket 2", actor="fo2")
    assert step_until(loop, lambda: len(heard.said) == 1)
    event = events_after(queue.db)[-1]
    assert heard.said == [("A-001", "Loket 2", event.id)] and heard.back == [True]
    assert shown_call(loop) == [msg.NOW_CALLING, "A-001", msg.COME_BACK, "Loket 2"]
    # Explained at the desk: the main panel steps back.
    queue.explain(ticket.id, "Loket 2", actor="fo2", mode="direct")
    assert step_until(loop, lambda: "A-001" not in shown_call(loop))
    loop.stop()
    loop.run()


def test_a_board_restarted_during_a_call_back_says_come_back(
    queue: Queue, settings: Settings, clock: FakeClock, display: pygame.Surface
) -> None:
    ticket = queue.issue("A", actor="r").ticket
    queue.call_next("Loket 1", actor="fo")
    queue.start(ticket.id, "Loket 1", actor="fo")
    queue.escalate(ticket.id, "Loket 1", actor="fo", note="?")
    queue.take(ticket.id, "Back Office", actor="bo")
    queue.resolve(ticket.id, "Back Office", actor="bo", text="Jawaban")
    queue.call_back(ticket.id, "Loket 2", actor="fo2")
    clock.advance(seconds=5)
    loop, _ = make_loop(
        display, LocalState(settings.store.database), local_feed(settings), now=clock
    )
    heard = BackRecorder()
    loop._announce = heard
    loop.step()
    assert [s[:2] for s in heard.said] == [("A-001", "Loket 2")] and heard.back == [True]
    loop.stop()
    loop.run()


@pytest.mark.slow
def test_a_call_made_while_the_hub_restarts_is_spoken_after_its_snapshot(
    queue: Queue, clock: FakeClock, hub, display: pygame.Surface
) -> None:
    """Review of issue 14: a restarted ``ult admin`` resumes a stream with a snapshot; the
    calls made since the last one this board spoke, and recent, are spoken once then."""
    url, healthy, resync = hub
    queue.issue("A", actor="r")
    first = queue.call_next("Loket 1", actor="fo")

    def remote_feed(after: int) -> RemoteFeed:
        return RemoteFeed(url, after_id=after, timeout_s=2, backoff=Backoff(0.05, 0.1))

    loop, said = make_loop(display, RemoteState(url), remote_feed, now=clock)
    assert step_until(loop, lambda: not loop.offline and said.said != [])
    assert [s[0] for s in said.said] == ["A-001"]

    healthy.clear()  # the hub restarts; calls go on at the desks
    assert step_until(loop, lambda: loop.offline)
    queue.issue("A", actor="r")
    queue.call_next("Loket 2", actor="fo2")  # made during the gap, but long ago by then
    clock.advance(seconds=ANNOUNCE_MAX_AGE_SECONDS + 1)
    queue.cancel(first.id, actor="fo", reason="salah ambil nomor")
    queue.issue("B", actor="r")
    queue.call_next("Loket 1", actor="fo")  # made during the gap, recent
    resync.set()
    healthy.set()
    assert step_until(loop, lambda: len(said.said) >= 2 and not loop.offline)
    for _ in range(5):
        loop.step()
    assert [s[0] for s in said.said] == ["A-001", "B-001"]  # A-001 not again, A-002 too old
    assert "B-001" in shown_call(loop)
    loop.stop()
    loop.run()


def test_a_call_in_a_replaced_database_is_spoken_once(
    queue: Queue, settings: Settings, clock: FakeClock, display: pygame.Surface
) -> None:
    """A database replaced while a call was made in it: the recent call is spoken, by its
    time (the new file's ids are lower than the old one's)."""
    for _ in range(5):
        queue.issue("A", actor="r")
    queue.call_next("Loket 1", actor="fo")
    loop, said = make_loop(
        display, LocalState(settings.store.database), local_feed(settings), now=clock
    )
    loop.step()
    loop.step()
    assert [s[0] for s in said.said] == ["A-001"]
    queue.db.close()
    for leftover in settings.store.database.parent.glob("ult.db*"):
        leftover.unlink()
    fresh = connect(settings.store.database)
    apply_catalog(fresh, settings)
    again = Queue(fresh, settings, clock=clock)
    clock.advance(seconds=5)
    again.issue("B", actor="r")
    again.call_next("Loket 2", actor="fo")  # before the board noticed the new file
    assert step_until(loop, lambda: "B-001" in shown_call(loop))
    for _ in range(5):
        loop.step()
    assert [s[0] for s in said.said] == ["A-001", "B-001"]
    fresh.close()
