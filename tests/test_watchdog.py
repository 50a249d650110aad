"""systemd's notifications from the three daemons: ``READY=1`` once each serves and
``WATCHDOG=1`` from the loop that does the work, through a real unix datagram socket as
``$NOTIFY_SOCKET``; a loop that hangs stops the pings (systemd would restart it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pygame
import pytest
from flask import Flask
from gpiozero.pins.mock import MockFactory

from admin import create_app
from admin.server import AdminServer
from display.app import BoardLoop, Screen
from display.board import BoardView
from display.feed import Backoff, LocalFeed
from kiosk.button import ButtonDaemon
from tests.conftest import fresh_database, make_settings
from tests.notify_socket import NotifySocket
from ult.notify import Notifier
from ult.settings import Settings

ULT = str(Path(sys.executable).with_name("ult"))
WATCHDOG_S = 1.0
"""A short watchdog, so a test sees several pings (and their absence) in seconds."""
BOARD_WATCHDOG_S = 2.0
"""The idle board turns once a second (its clock), so its watchdog is longer."""


@pytest.fixture
def notify() -> Iterator[NotifySocket]:
    # A short directory: a unix socket's path has at most 107 bytes.
    directory = Path(tempfile.mkdtemp(prefix="ultn-"))
    listener = NotifySocket(directory / "notify")
    yield listener
    listener.close()
    shutil.rmtree(directory)


def stays_silent(notify: NotifySocket, seconds: float) -> bool:
    """True when no ``WATCHDOG=1`` arrives during ``seconds`` (read after what came before)."""
    notify.drain(0.3)  # pings already on their way
    began = time.monotonic()
    notify.drain(seconds)
    return notify.count("WATCHDOG=1", since=began) == 0


# ----------------------------------------------------------------------------- the notifier


def test_notifier_sends_datagrams_and_paces_the_pings(notify: NotifySocket) -> None:
    now = [100.0]
    notifier = Notifier(notify.environ(watchdog_s=2.0), clock=lambda: now[0])
    assert notifier.enabled and notifier.watchdog_s == 2.0
    notifier.ready("serving")
    notifier.ready("again")  # once only
    for _ in range(10):
        notifier.ping()  # one: the loop turns faster than a quarter of the interval
    now[0] += 0.5
    notifier.ping()
    notifier.stopping()
    notify.drain(0.2)
    lines = [line for _, line in notify.fields]
    assert lines == ["READY=1", "STATUS=serving", "WATCHDOG=1", "WATCHDOG=1", "STOPPING=1"]


def test_notifier_reaches_an_abstract_socket_and_ignores_a_watchdog_meant_for_another() -> None:
    name = f"ult-test-{os.getpid()}-{time.monotonic_ns()}"
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind("\0" + name)
        listener.settimeout(2)
        other = str(os.getpid() + 1)
        notifier = Notifier(
            {"NOTIFY_SOCKET": "@" + name, "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": other}
        )
        assert notifier.watchdog_s is None
        notifier.ping()  # not ours: nothing sent
        notifier.ready()
        assert listener.recv(100) == b"READY=1"


def test_notifier_outside_systemd_does_nothing_and_a_gone_manager_stops_nothing(
    tmp_path: Path,
) -> None:
    quiet = Notifier({})
    assert not quiet.enabled and not quiet.send("READY=1")
    gone = Notifier({"NOTIFY_SOCKET": str(tmp_path / "nobody"), "WATCHDOG_USEC": "1000000"})
    gone.ready()
    gone.ping()  # logged once, never raised
    assert not gone.ready_sent


# ----------------------------------------------------------------------------- the processes


def ult_environment(settings: Settings, notify: NotifySocket) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ULT_", "NOTIFY", "WATCH"))}
    env.update(ULT_HOME=str(settings.home), ULT_CONFIG=str(settings.source))
    env.update(notify.environ(watchdog_s=WATCHDOG_S))
    env["SDL_VIDEODRIVER"] = "dummy"
    env["SDL_AUDIODRIVER"] = "dummy"
    env["GPIOZERO_PIN_FACTORY"] = "mock"  # the default LED pin, without a Pi
    return env


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ("admin", "--host", "127.0.0.1", "--port", "0"),
        ("kiosk",),
        ("display", "--screenshot", "{home}/board.png", "--follow", "--silent"),
    ],
    ids=["admin", "kiosk", "display"],
)
def test_each_daemon_says_ready_then_pings_the_watchdog(
    tmp_path: Path, notify: NotifySocket, args: tuple[str, ...]
) -> None:
    home = tmp_path / "home"
    printer = f'[printer]\nconnection = "file"\npath = "{tmp_path / "lp0.bin"}"\n'
    settings = make_settings(home, printer + "[kiosk]\nbuttons = []\n")
    fresh_database(settings).close()
    command = [ULT, *(arg.format(home=home) for arg in args)]
    child = subprocess.Popen(
        command,
        env=ult_environment(settings, notify),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert notify.wait_for("READY=1", timeout_s=60), notify.fields
        ready_at = next(at for at, line in notify.fields if line == "READY=1")
        notify.drain(3 * WATCHDOG_S)
        # A quarter of the interval apart at most: three seconds bring several pings.
        assert notify.count("WATCHDOG=1", since=ready_at) >= 3, notify.fields
        child.terminate()
        assert child.wait(timeout=30) == 0
        notify.drain(0.2)
        assert notify.count("STOPPING=1") == 1
    finally:
        child.kill()
        _, err = child.communicate()
    assert "Traceback" not in err, err


# ----------------------------------------------------------------------------- hung loops


class Blocking:
    """A call that blocks until :attr:`release` is set, once :attr:`armed` is set."""

    def __init__(self, answer=None) -> None:
        self.armed = threading.Event()
        self.release = threading.Event()
        self.entered = threading.Event()
        self.answer = answer

    def __call__(self, *args, **kwargs):
        if self.armed.is_set():
            self.entered.set()
            self.release.wait(30)
        return self.answer(*args, **kwargs) if callable(self.answer) else self.answer


@pytest.mark.slow
def test_a_board_stuck_in_a_read_stops_the_pings(
    settings: Settings, db, notify: NotifySocket
) -> None:
    from display.app import LocalState

    pygame.display.init()
    try:
        screen = Screen(pygame.display.set_mode((640, 360)))
        source = LocalState(settings.store.database)
        stuck = Blocking(answer=source.state)
        source.state = stuck  # type: ignore[method-assign]
        loop = BoardLoop(
            view=BoardView(screen.board_size, office_name="ULT", timezone=ZoneInfo("Asia/Jakarta")),
            screen=screen,
            source=source,
            make_feed=lambda after: LocalFeed(settings.store.database, after_id=after),
            now=lambda: datetime.now(UTC),
            backoff=Backoff(0.01, 0.05),
            notifier=Notifier(notify.environ(watchdog_s=BOARD_WATCHDOG_S)),
        )
        # The state is read again after events: a call makes the loop read, and hang.
        thread = threading.Thread(target=loop.run, daemon=True)
        thread.start()
        assert notify.wait_for("READY=1", timeout_s=10)
        notify.drain(BOARD_WATCHDOG_S)
        assert notify.count("WATCHDOG=1") >= 2
        stuck.armed.set()
        from ult.queue import Queue

        Queue(db, settings).issue("A", actor="test")
        assert stuck.entered.wait(10)
        assert stays_silent(notify, 2 * BOARD_WATCHDOG_S)
        stuck.release.set()
        began = time.monotonic()
        notify.drain(BOARD_WATCHDOG_S)
        assert notify.count("WATCHDOG=1", since=began) >= 1  # back to work, back to pinging
        loop.stop()
        thread.join(10)
    finally:
        pygame.display.quit()


@pytest.mark.slow
def test_a_kiosk_worker_stuck_in_the_printer_stops_the_pings(
    tmp_path: Path, notify: NotifySocket
) -> None:
    printer = f'[printer]\nconnection = "file"\npath = "{tmp_path / "lp0.bin"}"\n'
    settings = make_settings(tmp_path / "home", printer + "[kiosk]\nbuttons = []\n")
    fresh_database(settings).close()
    daemon = ButtonDaemon(
        settings,
        pin_factory=MockFactory(),
        notifier=Notifier(notify.environ(watchdog_s=WATCHDOG_S)),
        ready_recheck_seconds=0.2,
    )
    stuck = Blocking(answer=daemon.output.check)
    daemon.output.check = stuck  # type: ignore[method-assign]
    daemon.start()
    try:
        notify.drain(WATCHDOG_S)
        assert notify.count("WATCHDOG=1") >= 2
        stuck.armed.set()  # the next printer check hangs, as a stuck USB call would
        assert stuck.entered.wait(10)
        assert stays_silent(notify, 2 * WATCHDOG_S)
    finally:
        stuck.release.set()
        daemon.stop()


@pytest.mark.slow
def test_admin_with_every_worker_stuck_stops_the_pings(
    settings: Settings, db, notify: NotifySocket
) -> None:
    app: Flask = create_app(settings, config={"TESTING": True})
    stuck = threading.Event()

    @app.get("/test-stuck")
    def hang() -> str:
        stuck.wait(30)
        return "done"

    server = AdminServer(app, settings, host="127.0.0.1", port=0, threads=1)
    notifier = Notifier(notify.environ(watchdog_s=WATCHDOG_S))
    thread = threading.Thread(target=server.run, args=(notifier,), daemon=True)
    thread.start()
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        assert notify.wait_for("READY=1", timeout_s=10)
        notify.drain(WATCHDOG_S)
        assert notify.count("WATCHDOG=1") >= 2
        conn.request("GET", "/test-stuck")  # holds the only worker thread
        # The loop still turns, but nothing answers: two probe intervals, then silence.
        notify.drain(WATCHDOG_S)
        assert stays_silent(notify, 2 * WATCHDOG_S)
        stuck.set()
        assert conn.getresponse().read() == b"done"
        began = time.monotonic()
        notify.drain(2 * WATCHDOG_S)
        assert notify.count("WATCHDOG=1", since=began) >= 1
    finally:
        stuck.set()
        conn.close()
        server.stop()
        thread.join(10)


@pytest.mark.slow
def test_admin_with_the_stream_poller_stuck_stops_the_pings(
    settings: Settings, db, notify: NotifySocket
) -> None:
    import http.client

    from admin.stream import hub

    app: Flask = create_app(settings, config={"TESTING": True})
    the_hub = hub(app)
    stuck = Blocking(answer=the_hub._poll)
    the_hub._poll = stuck  # type: ignore[method-assign]
    server = AdminServer(app, settings, host="127.0.0.1", port=0)
    server.stream_stall_s = 0.5
    thread = threading.Thread(
        target=server.run, args=(Notifier(notify.environ(watchdog_s=WATCHDOG_S)),), daemon=True
    )
    thread.start()
    stream = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        stream.request("GET", "/api/v1/board/events")
        assert stream.getresponse().status == 200
        assert notify.wait_for("READY=1", timeout_s=10)
        notify.drain(WATCHDOG_S)
        assert notify.count("WATCHDOG=1") >= 2
        stuck.armed.set()  # the poller's next read hangs: every board waits for nothing
        assert stuck.entered.wait(10)
        # The poller counts as stuck only after stream_stall_s in its read: pings sent
        # before then are still on time.
        notify.drain(server.stream_stall_s + 0.5)
        assert stays_silent(notify, 2 * WATCHDOG_S)
        stuck.release.set()
        began = time.monotonic()
        notify.drain(2 * WATCHDOG_S)
        assert notify.count("WATCHDOG=1", since=began) >= 1
    finally:
        stuck.release.set()
        stream.close()
        server.stop()
        thread.join(10)
