"""``ult admin`` and :mod:`admin.server`: refusing to start (exit 2, Indonesian, no
traceback), the URL line, and a clean stop on SIGTERM with streams open."""

from __future__ import annotations

import http.client
import json
import os
import queue as queues
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from admin import create_app
from admin.server import AdminServer, ServeError, check_database
from tests.conftest import make_settings
from ult.migrations import LATEST
from ult.settings import Settings
from ult.store import connect, migrate

URL_LINE = re.compile(r"listening on (http://[^ ]+)")


def ult_command() -> list[str]:
    """``ult`` of the interpreter running the tests (the one in .venv)."""
    script = Path(sys.executable).with_name("ult")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from ult.cli import main; sys.exit(main())"]


def environment(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ULT_")}
    env.update(ULT_HOME=str(settings.home), ULT_CONFIG=str(settings.source))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_ult(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ult_command(), *args],
        env=environment(settings),
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_refused(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    for word in words:
        assert word in done.stderr, done.stderr


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port some other program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


# ----------------------------------------------------------------------------- refusing


def test_check_database_refuses_what_it_cannot_serve(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    path = settings.store.database
    with pytest.raises(ServeError, match="ult init"):
        check_database(settings)  # missing
    path.write_bytes(b"")
    with pytest.raises(ServeError, match="ult init"):
        check_database(settings)  # empty: a truncated restore, not a queue
    path.unlink()
    old = connect(path, migrate_schema=False)
    migrate(old, target=LATEST - 1)
    old.close()
    with pytest.raises(ServeError, match=r"lebih lama.*ult init"):
        check_database(settings)
    db = connect(path)
    db.execute(f"PRAGMA user_version = {LATEST + 1}")
    db.close()
    with pytest.raises(ServeError, match="lebih baru"):
        check_database(settings)


def test_server_on_a_taken_port_is_refused(
    settings: Settings, db: sqlite_utils.Database, taken_port: int
) -> None:
    app = create_app(settings)
    with pytest.raises(ServeError, match=f"Port {taken_port} .*sudah dipakai"):
        AdminServer(app, settings, host="127.0.0.1", port=taken_port)


def test_ult_admin_refuses_an_uninitialised_home(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "fresh")
    done = run_ult(settings, "admin", "--host", "127.0.0.1", "--port", "0")
    assert_refused(done, "ult init")
    assert not settings.store.database.exists()  # nothing was created


def test_ult_admin_refuses_a_taken_port(
    settings: Settings, db: sqlite_utils.Database, taken_port: int
) -> None:
    done = run_ult(settings, "admin", "--host", "127.0.0.1", "--port", str(taken_port))
    assert_refused(done, f"Port {taken_port}", "sudah dipakai", "--port")


def test_ult_admin_refuses_a_bad_port_option(settings: Settings, db) -> None:
    done = run_ult(settings, "admin", "--port", "70000")
    assert done.returncode == 2 and "Traceback" not in done.stderr


# ----------------------------------------------------------------------------- running


class Child:
    """``ult admin`` in a subprocess, its stderr read line by line in a thread."""

    def __init__(self, settings: Settings, *args: str) -> None:
        self.process = subprocess.Popen(
            [*ult_command(), "admin", *args],
            env=environment(settings),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queues.Queue[str] = queues.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_for_line(self, pattern: re.Pattern[str], timeout_s: float = 20.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout_s
        while True:
            for line in self.seen:
                found = pattern.search(line)
                if found:
                    return found
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no line matching {pattern.pattern}: {self.seen}"
            try:
                self.seen.append(self.lines.get(timeout=remaining))
            except queues.Empty:
                continue

    def rest(self) -> str:
        while True:
            try:
                self.seen.append(self.lines.get(timeout=1))
            except queues.Empty:
                return "".join(self.seen)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


@pytest.fixture
def child(settings: Settings, db: sqlite_utils.Database) -> Iterator:
    started: list[Child] = []

    def make(*args: str) -> Child:
        started.append(Child(settings, *args))
        return started[-1]

    yield make
    for each in started:
        each.kill()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_ult_admin_serves_then_stops_cleanly_on_a_signal(child, sig: signal.Signals) -> None:
    server = child("--host", "127.0.0.1", "--port", "0")
    url = server.wait_for_line(URL_LINE).group(1)
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", "/healthz")
    response = conn.getresponse()
    assert response.status == 200 and json.loads(response.read())["status"] == "ok"
    # An open board stream (15 s heartbeat) must not hold the stop up.
    stream = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    stream.request("GET", "/api/v1/board/events")
    body = stream.getresponse()
    assert body.readline() == b"retry: 3000\n"
    began = time.monotonic()
    server.process.send_signal(sig)
    assert server.process.wait(timeout=10) == 0, server.rest()
    assert time.monotonic() - began < 5.0
    rest = body.read()  # the stream ended cleanly (chunked body closed), not reset
    assert b"event:" not in rest
    log = server.rest()
    assert "Traceback" not in log
    assert "stopped" in log
    stream.close()
    conn.close()
