"""``/healthz`` tells the truth about writing: a write lock held by another process and a
full disk (a real tmpfs filled to the brim) each give 503 naming the cause, and the
answer comes back when the cause is gone. Also: one LAN client holding 300 idle connections
does not take the pages down (PITFALLS)."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from admin import create_app
from admin.server import AdminServer
from tests.admin.test_server import URL_LINE, Child
from tests.conftest import fill, fresh_database, make_settings
from ult.health import LOCK_WAIT_S
from ult.settings import Settings


@contextlib.contextmanager
def serving(app: Flask, settings: Settings) -> Iterator[AdminServer]:
    server = AdminServer(app, settings, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop()
        thread.join(10)


def health(port: int) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def assert_names_the_cause(body: dict, cause: str) -> None:
    assert body["status"] == "error" and body["writable"] is False
    assert body["database"] == "ok"  # it opens and reads: the problem is writing
    assert body["error"] == cause
    assert "teknisi" in body["message"]
    assert "cadangan" not in body["message"] and "pulih" not in body["message"]


HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("held", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


def test_a_write_lock_held_by_another_process_is_named(settings: Settings, db) -> None:
    app = create_app(settings, config={"TESTING": True})
    with serving(app, settings) as server:
        assert health(server.port)[0] == 200
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(settings.store.database)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            began = time.monotonic()
            status, body = health(server.port)
            assert time.monotonic() - began < LOCK_WAIT_S + 1.0  # never the 10 s busy wait
            assert status == 503
            assert_names_the_cause(body, "database_locked")
            assert "dikunci" in body["message"]
        finally:
            assert holder.stdin is not None
            holder.stdin.write("\n")
            holder.stdin.close()
            holder.wait(10)
        status, body = health(server.port)
        assert status == 200 and body["writable"] is True


def test_a_full_disk_is_named_not_called_unopenable(tmp_path: Path, tiny_disk: Path) -> None:
    settings = make_settings(tmp_path / "home", f'[store]\ndatabase = "{tiny_disk / "ult.db"}"\n')
    db = fresh_database(settings)
    app = create_app(settings, config={"TESTING": True})
    try:
        with serving(app, settings) as server:
            status, body = health(server.port)
            assert status == 200 and 0 < body["disk_free_mb"] <= 4
            filler = fill(tiny_disk)
            status, body = health(server.port)
            assert status == 503, body
            assert_names_the_cause(body, "disk_full")
            assert body["disk_free_mb"] == 0 and "penuh" in body["message"]
            assert body["last_event_id"] is not None  # it still reads
            filler.unlink()
            status, body = health(server.port)
            assert status == 200 and body["writable"] is True
        assert not [p.name for p in tiny_disk.iterdir() if p.name.startswith(".ult-write")]
    finally:
        db.close()


# ----------------------------------------------------------------------------- idle clients


IDLE_CONNECTIONS = 300


def timed_get(port: int, path: str) -> tuple[int, float]:
    began = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - began
    finally:
        conn.close()


@pytest.mark.slow
def test_three_hundred_idle_connections_leave_the_pages_answering(settings: Settings, db) -> None:
    server = Child(settings, "--host", "127.0.0.1", "--port", "0")
    idle: list[socket.socket] = []
    try:
        url = server.wait_for_line(URL_LINE).group(1)
        port = int(re.sub(r"\D", "", url.rsplit(":", 1)[1]))
        for _ in range(IDLE_CONNECTIONS):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(0.5)  # the server has accepted them all by now, and holds them
        for path in ("/healthz", "/login", "/api/v1/board"):
            status, seconds = timed_get(port, path)
            assert status == 200 and seconds < 1.0, (path, status, seconds)
        # They are still open (nobody closed them for us), and still no page waits.
        idle[0].settimeout(0.2)
        with pytest.raises(TimeoutError):
            idle[0].recv(1)
        status, seconds = timed_get(port, "/healthz")
        assert status == 200 and seconds < 1.0
    finally:
        for each in idle:
            each.close()
        server.kill()


def test_the_connection_limit_fits_in_the_open_file_limit() -> None:
    from admin.server import CONNECTION_LIMIT, FILES_RESERVED, connection_limit

    assert connection_limit(64, 1_048_576) == CONNECTION_LIMIT
    # systemd's default soft limit of 1024: room for the threads' database files first.
    assert connection_limit(64, 1024) == 1024 - FILES_RESERVED - 3 * 64
    assert connection_limit(64, 1024) > IDLE_CONNECTIONS
