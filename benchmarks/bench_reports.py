"""A year of history: the everyday figures on a year-old database against an empty one, and
the reports.

Run with ``.venv/bin/python benchmarks/bench_reports.py`` (``--help`` lists the sizes). Two
appliance homes with the same office (:mod:`year`: six front-office and two back-office
counters): one **empty**, one holding **a year** of a busy office played through the queue
domain (``--days`` 250 business days of ``--visitors`` 200, about 400,000 events; built once
and cached under the system's temporary directory, keyed by the schema version, see
:func:`year.cached_year`). Both then get the same morning, played through the domain on the
real clock: ``--today`` visitors served to the end, ``--waiting`` more left waiting.

Measured on each home, printed side by side with the ratio year / empty. The latencies are
taken with the two homes taking turns (short runs of each, :data:`TURNS` turns), each home's
``ult admin`` running side by side, so that the baseline sees the same machine:

* **pages** (Flask test client in this process, a session of the page's role; median and
  p99 of ``--requests`` after two unrecorded): the counter page and its live part (a counter
  chosen), the reception page and its live part, the supervisor's overview and its live part;
* over HTTP to the real ``ult admin`` (a subprocess, default settings), median and p99 of
  ``--requests``: ``GET /board``, ``GET /api/v1/board``; and of :data:`SNAPSHOTS`: the first
  snapshot of the board stream (from the request to the end of the ``snapshot`` message; a
  resume point past the log asks for one);
* ``call-next``: ``POST /api/v1/counters/{id}/call-next`` with a bearer token, ``--calls``
  times on one counter, each ticket cancelled in this process after the call (untimed);
* **ten browser boards**: ``--boards`` clients that each hold the board stream and, as
  ``admin/static/board.js`` does, fetch the announcement WAV of every call and
  ``GET /api/v1/board`` 250 ms after the first event of a burst, while ``--board-seconds`` of
  calls at ``--call-rate`` per second run: the server's CPU time (``/proc/<pid>/stat``) over
  the window per call, and the calls' latency;
* ``ult admin`` resident memory (``VmRSS``, ``VmHWM``) after all of the above and a burst of
  ``--burst`` concurrent keep-alive clients (so that most server threads have served);
* the TV board's call-to-frame latency: :func:`bench_display.measure_events` (the real
  ``BoardLoop`` on the database, calls from another process), ``--tv-calls`` calls; a call
  followed by the next before a frame showed it is counted as never shown.

Then, when this checkout has the report book (``ult/reports.py``), each section of
:data:`ult.reports.SECTIONS` computed for the year's last full month and for the whole year,
and every report route of the admin app (found in its URL map: ``/api/v1/reports/...`` and the
``reports`` blueprint) for the same periods, as CSV and XLSX where the route takes a
``format``. Without it these lines say "skipped: not built".

Goals (issue 11): everyday figures independent of the database's age; ``ult admin`` under
100 MB resident with a year behind it; a year's report under 1 s, a month's under 200 ms.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import random
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import year
from bench_admin import Server, _load, _machine

from ult import accounts
from ult.queue import Queue
from ult.settings import Settings
from ult.store import connect

SMOKE = {
    "days": 2,
    "visitors": 12,
    "today": 4,
    "waiting": 12,
    "requests": 3,
    "calls": 3,
    "boards": 2,
    "board_seconds": 0.6,
    "burst": 4,
    "tv_calls": 3,
    "report_requests": 1,
    "no_cache": True,
}
"""The sizes ``--smoke`` sets: every part runs once, quickly (CI); its figures mean nothing."""
ROLES = {
    "front_office": "bench.fo",
    "back_office": "bench.bo",
    "receptionist": "bench.rcp",
    "supervisor": "bench.sup",
}
PASSWORD = "bench-Pa55-word-91x"
FETCH_DELAY_S = 0.25
"""``DEBOUNCE_MS`` of ``admin/static/live.js``: a browser board fetches the state this long
after the first event of a burst."""
TURNS = 5
"""Turns the two homes take in each latency measurement (see :func:`_alternating`)."""
SNAPSHOTS = 20
"""Stream snapshots timed per home (each opens a stream; see :func:`measure_server`)."""
CALL_COUNTER = "Loket 6"
"""The counter the timed calls use (free once the morning is played)."""
RSS_GOAL_MB = 100.0
GOALS_MS = {"month": 200.0, "year": 1000.0}
"""A report's goal by period (issue 11)."""
FETCHES = "browser boards' fetches (what, HTTP status: count)"
_TICKS = os.sysconf("SC_CLK_TCK")
_CALL = re.compile(rb"(?:^|\n)event: (called|recalled)\ndata: ([^\n]*)")


# ----------------------------------------------------------------- the homes


def play_morning(settings: Settings, served: int, waiting: int) -> None:
    """Today on the real clock: ``served`` visitors served to the end, ``waiting`` in line."""
    db = connect(settings.store.database)
    queue = Queue(db, settings)
    queue.record_printer_state("ready", actor="kiosk")
    counters = [c.name for c in queue.counters() if c.kind == "front_office"]
    for counter in counters:
        queue.take_counter(counter, actor=year.MORNING[counter])
    rng = random.Random(served)
    for n in range(served):
        counter = counters[n % len(counters)]
        officer = year.MORNING[counter]
        ticket = queue.issue("ABCD"[n % 4], actor="kiosk", source="kiosk").ticket
        queue.record_print(ticket.id, actor="kiosk", printed=True)
        queue.call_specific(counter, ticket.id, actor=officer)
        queue.start(ticket.id, counter, actor=officer)
        queue.identify(
            ticket.id,
            counter,
            actor=officer,
            name=f"Pengunjung {n + 1}",
            document_kind="ktp",
            document_number=year.random_nik(rng),
        )
        queue.detail(ticket.id, counter, actor=officer, text="Permohonan")
        queue.answer(ticket.id, counter, actor=officer, kind="available", text="Ok")
        queue.explain(ticket.id, counter, actor=officer, mode="direct")
        queue.finish(ticket.id, counter, actor=officer)
    for n in range(waiting):
        queue.issue("ABCD"[n % 4], actor="kiosk", source="kiosk", priority=n % 10 == 0)
    for role, username in ROLES.items():
        accounts.add_user(db, username, PASSWORD, role)
    queue.take_counter("Back Office 1", actor=ROLES["back_office"])
    db.close()


def make_homes(root: Path, args: argparse.Namespace) -> dict[str, Settings]:
    """``{"empty": ..., "year": ...}``, each with the same morning played."""
    size = year.YearSize(args.days, args.visitors)
    began = time.monotonic()
    if args.no_cache:
        aged = year.build_year(root / "year", size)
        how = "built (no cache)"
    else:
        aged, built = year.cached_year(root / "year", size)
        how = "built and cached" if built else "copied from the cache"
    db = connect(aged.store.database)
    tickets = db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    events = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    db.close()
    megabytes = Path(aged.store.database).stat().st_size / 2**20
    print(
        f"year: {args.days} days x {args.visitors} visitors, {tickets} tickets, {events} events, "
        f"{megabytes:.0f} MB; {how} in {time.monotonic() - began:.1f} s",
        flush=True,
    )
    homes = {"empty": year.make_home(root / "empty"), "year": aged}
    for settings in homes.values():
        play_morning(settings, args.today, args.waiting + args.calls * 4)
    return homes


# ----------------------------------------------------------------- timing helpers


def _stats(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": statistics.median(ordered) * 1000, "p99": p99 * 1000, "n": len(ordered)}


def _timed(action: Callable[[], Any], count: int, warmup: int = 2) -> dict[str, float]:
    for _ in range(warmup):
        action()
    seconds = []
    for _ in range(count):
        began = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - began)
    return _stats(seconds)


def _alternating(actions: dict[str, Callable[[], Any]], count: int) -> dict[str, dict]:
    """Each action ``count`` times (after two unrecorded), the homes taking turns in
    :data:`TURNS` short runs, so that a burst of other work on the machine falls on both."""
    for action in actions.values():
        action()
        action()
    seconds: dict[str, list[float]] = {name: [] for name in actions}
    per_turn = max(1, count // TURNS)
    for turn in range(TURNS):
        order = list(actions.items())
        for name, action in order if turn % 2 == 0 else order[::-1]:
            for _ in range(per_turn):
                began = time.perf_counter()
                action()
                seconds[name].append(time.perf_counter() - began)
    return {name: _stats(values) for name, values in seconds.items()}


def _get(conn: http.client.HTTPConnection, path: str, headers: dict | None = None) -> bytes:
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status} {body[:200]!r}")
    return body


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


# ----------------------------------------------------------------- pages


YEAR_AGO = (date.today() - timedelta(days=369)).isoformat()
"""The first day of the longest period the case search takes (370 days)."""

PAGES = {
    "counter page": ("front_office", "/counter"),
    "counter page, live part": ("front_office", "/counter/live"),
    "reception page": ("receptionist", "/reception"),
    "reception page, live part": ("receptionist", "/reception/live"),
    # Issue 14: the parts every page re-fetches on each event of a busy morning, and the
    # case search over the longest period it takes (370 days) by name and by part of a NIK.
    "counter desk panel, live part": ("front_office", "/counter/current/live"),
    "back office page, live part": ("back_office", "/back-office/live"),
    "reception today list, live part": ("receptionist", "/reception/today/live"),
    "case search, name, 370 days": ("front_office", f"/kasus?cari=pengunjung&dari={YEAR_AGO}"),
    "case search, part of a NIK, 370 days": ("front_office", f"/kasus?cari=12345&dari={YEAR_AGO}"),
    "supervisor overview": ("supervisor", "/supervisor/"),
    "supervisor overview, live part": ("supervisor", "/supervisor/overview/live"),
}
"""The staff pages measured: ``{name: (role, path)}``."""


def page_fetchers(settings: Settings) -> dict[str, Callable[[], None]]:
    """``{page name: fetch}`` through the Flask test client, each with a session of the
    page's role (the front office at Loket 1, the back office at Back Office 1)."""
    from admin import create_app
    from admin.pages.common import BACK_OFFICE_KEY, COUNTER_KEY

    app = create_app(settings)
    db = connect(settings.store.database)
    counter_id = Queue(db, settings).counter("Loket 1").id
    back_office_id = Queue(db, settings).counter("Back Office 1").id
    epochs = {name: accounts.session_epoch(db, name) for name in ROLES.values()}
    db.close()
    clients = {}
    for role, username in ROLES.items():
        client = app.test_client()
        with client.session_transaction() as session:
            session["user"] = username
            session["epoch"] = epochs[username]
            session[COUNTER_KEY] = counter_id
            session[BACK_OFFICE_KEY] = back_office_id
        clients[role] = client
    fetchers = {}
    for name, (role, path) in PAGES.items():

        def fetch(client=clients[role], path=path) -> None:
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path}: HTTP {response.status_code}")

        fetchers[name] = fetch
    return fetchers


def measure_pages(homes: dict[str, Settings], count: int) -> dict[str, dict[str, dict]]:
    """``{home: {page: figures}}``, the homes taking turns (:func:`_alternating`)."""
    fetchers = {home: page_fetchers(settings) for home, settings in homes.items()}
    figures: dict[str, dict[str, dict]] = {home: {} for home in homes}
    for page in PAGES:
        found = _alternating({home: fetchers[home][page] for home in homes}, count)
        for home in homes:
            figures[home][page] = found[home]
    return figures


# ----------------------------------------------------------------- over HTTP


def first_snapshot(port: int, since: int) -> float:
    """Seconds from sending a stream request resuming at ``since`` (past the log) to the end
    of its ``snapshot`` message."""
    began = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            f"GET /api/v1/board/events?since={since} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError(f"stream ended before its snapshot: {received[:300]!r}")
            received += chunk
            if b"\r\n" in received and not received.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"stream refused: {received[:300]!r}")
            start = received.find(b"event: snapshot\n")
            if start >= 0 and received.find(b"\n\n", start) >= 0:
                return time.perf_counter() - began


class Caller:
    """Calls over HTTP on :data:`CALL_COUNTER`; each called ticket is cancelled in this
    process (untimed), which frees the counter for the next call."""

    def __init__(self, settings: Settings, server: Server) -> None:
        self.server_pid = server.process.pid
        port = server.port
        self.db = connect(settings.store.database)
        self.queue = Queue(self.db, settings)
        self.counter = self.queue.counter(CALL_COUNTER)
        token = accounts.create_token(self.db, "bench", "front_office")
        self.headers = {"Authorization": f"Bearer {token}", "Content-Length": "0"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self) -> float:
        began = time.perf_counter()
        self.conn.request(
            "POST", f"/api/v1/counters/{self.counter.id}/call-next", headers=self.headers
        )
        response = self.conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - began
        if response.status != 200:
            raise RuntimeError(f"call-next: HTTP {response.status} {body[:200]!r}")
        ticket_id = int(json.loads(body)["id"])
        self.queue.cancel(ticket_id, actor="bench", reason="Benchmark", counter=self.counter.id)
        return elapsed

    def close(self) -> None:
        self.conn.close()
        self.db.close()


def browser_boards(port: int, caller: Caller, boards: int, seconds: float, rate: float) -> dict:
    """``boards`` browser boards while calls run at ``rate`` per second for ``seconds``: each
    holds the board stream and, as ``admin/static/board.js`` does, fetches the announcement
    WAV of every call and the board state 250 ms after the first event of a burst. Returns
    the server's CPU per call (ms), the calls' latency, and the statuses of the fetches."""
    stop = threading.Event()
    statuses: dict[str, int] = {}
    errors: list[str] = []

    def fetch(conn: http.client.HTTPConnection, path: str, what: str) -> None:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        key = f"{what} {response.status}"
        statuses[key] = statuses.get(key, 0) + 1

    def board() -> None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            sock = socket.create_connection(("127.0.0.1", port), timeout=30)
            sock.sendall(
                b"GET /api/v1/board/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Accept: text/event-stream\r\n\r\n"
            )
            buffer, due = b"", None
            while b"retry:" not in buffer:  # the stream is open
                buffer += sock.recv(65536)
            opened.release()
            while not stop.is_set():
                sock.settimeout(0.2 if due is None else max(0.001, due - time.monotonic()))
                try:
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise RuntimeError("a board stream ended")
                    buffer += chunk
                except TimeoutError:
                    pass
                *messages, buffer = buffer.split(b"\n\n")
                for message in messages:
                    found = _CALL.search(message)
                    if found:
                        data = json.loads(found.group(2))
                        query = urlencode({"label": data["label"], "counter": data["counter"]})
                        fetch(conn, f"/board/announcement.wav?{query}", "announcement")
                    if b"\nevent: " in message and due is None:
                        due = time.monotonic() + FETCH_DELAY_S
                if due is not None and time.monotonic() >= due:
                    due = None
                    fetch(conn, "/api/v1/board", "board state")
            sock.close()
            conn.close()
        except BaseException as error:  # report, never hang the run
            errors.append(f"{type(error).__name__}: {error}")

    opened = threading.Semaphore(0)
    threads = [threading.Thread(target=board) for _ in range(boards)]
    for thread in threads:
        thread.start()
    for _ in threads:
        if not opened.acquire(timeout=30):
            raise RuntimeError("a browser board's stream did not open: " + "; ".join(errors))
    latencies = []
    cpu_before = _cpu_seconds(caller.server_pid)
    began = time.monotonic()
    calls = max(1, round(seconds * rate))
    for n in range(calls):
        latencies.append(caller.call())
        pause = began + (n + 1) / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    time.sleep(FETCH_DELAY_S * 2)  # the last fetches
    cpu = _cpu_seconds(caller.server_pid) - cpu_before
    stop.set()
    for thread in threads:
        thread.join(30)
    if errors:
        raise RuntimeError("browser board failed: " + errors[0])
    return {
        "cpu_ms_per_call": cpu * 1000 / calls,
        "calls": _stats(latencies),
        "statuses": statuses,
    }


def burst(port: int, clients: int, requests: int) -> None:
    """``clients`` keep-alive connections at once, each ``requests`` times the board page and
    its state: spreads the work over the server's threads, as a busy office's browsers do."""
    barrier = threading.Barrier(clients)
    errors: list[str] = []

    def client() -> None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            barrier.wait()
            for _ in range(requests):
                _get(conn, "/board")
                _get(conn, "/api/v1/board")
            conn.close()
        except BaseException as error:  # report, never hang the run
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} burst client(s) failed: {errors[0]}")


def measure_servers(homes: dict[str, Settings], args: argparse.Namespace) -> dict[str, dict]:
    """Everything measured through ``ult admin`` (see the module docstring): one server per
    home, running side by side; the homes take turns for the latencies."""
    servers: dict[str, Server] = {}
    callers: dict[str, Caller] = {}
    figures: dict[str, dict[str, Any]] = {home: {} for home in homes}
    try:
        for home, settings in homes.items():
            servers[home] = Server(settings)
        conns = {
            home: http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            for home, server in servers.items()
        }
        for path in ("/board", "/api/v1/board"):
            found = _alternating(
                {home: lambda c=conn, p=path: _get(c, p) for home, conn in conns.items()},
                args.requests,
            )
            for home in homes:
                figures[home][f"GET {path}"] = found[home]
        for conn in conns.values():
            conn.close()
        snapshots = {}
        for home, settings in homes.items():
            db = connect(settings.store.database)
            past = int(db.execute("SELECT MAX(id) FROM events").fetchone()[0]) + 10**6
            db.close()
            port = servers[home].port
            snapshots[home] = lambda port=port, past=past: first_snapshot(port, past)
        # A closed stream holds its slot until the server notices (up to a second): stay
        # well below max_streams.
        found = _alternating(snapshots, SNAPSHOTS)
        for home in homes:
            figures[home]["board stream, first snapshot"] = found[home]
        for home, settings in homes.items():
            callers[home] = Caller(settings, servers[home])
        found = _alternating({home: caller.call for home, caller in callers.items()}, args.calls)
        for home in homes:
            figures[home]["call-next (HTTP)"] = found[home]
        for home, server in servers.items():
            boards = browser_boards(
                server.port, callers[home], args.boards, args.board_seconds, args.call_rate
            )
            figures[home][f"{args.boards} browser boards: server CPU per call"] = boards[
                "cpu_ms_per_call"
            ]
            figures[home][f"call-next with {args.boards} browser boards"] = boards["calls"]
            figures[home][FETCHES] = boards["statuses"]
            burst(server.port, args.burst, 10)
            figures[home]["ult admin VmRSS MB"], figures[home]["ult admin VmHWM MB"] = (
                server.memory_mb()
            )
    finally:
        for caller in callers.values():
            caller.close()
        for server in servers.values():
            server.stop()
    return figures


# ----------------------------------------------------------------- the TV board


def measure_tv(settings: Settings, calls: int) -> dict[str, Any]:
    """Call-to-frame of the TV board (:func:`bench_display.measure_events`)."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame
    from bench_display import SIZE, measure_events

    pygame.display.init()
    pygame.font.init()
    surface = pygame.display.set_mode(SIZE)
    try:
        found = measure_events(
            settings,
            surface,
            SimpleNamespace(events=calls, min_gap_ms=50.0, max_gap_ms=200.0, seed=1),
        )
    finally:
        pygame.quit()
    # A call followed within one frame by the next is never shown alone: counted, as in
    # bench_display.py.
    return {
        "TV board call-to-frame": _stats([ms / 1000 for ms in found["latencies"]]),
        "TV board: calls never shown": float(found["missed"]),
    }


# ----------------------------------------------------------------- reports


def report_periods(last_day: date) -> dict[str, Any]:
    """The periods the reports are timed for: the last full month before ``last_day`` and
    the year (365 days) ending on it; ``{}`` without ``ult/reports.py``."""
    if importlib.util.find_spec("ult.reports") is None:
        return {}
    from ult import reports

    month_end = last_day.replace(day=1) - timedelta(days=1)
    return {
        "month": reports.Period(month_end.replace(day=1), month_end),
        "year": reports.Period(last_day - timedelta(days=365), last_day),
    }


def report_fetchers(settings: Settings, periods: dict, last_day: date, xlsx: bool) -> dict:
    """``{(what, period name): fetch}`` of every report computation and route: each section
    of :data:`ult.reports.SECTIONS` computed in this process and fetched from
    ``/api/v1/reports/<section>`` as JSON and CSV (and XLSX with ``xlsx``), the report page
    (``/reports/``, a range), the guest-book page (``/buku-tamu``) for each period, and the
    printed report book of the last Monday-to-Friday day up to ``last_day``; all as the
    supervisor (Flask test client). A fetch answered other than 200 raises."""
    from admin import create_app
    from ult import reports

    app = create_app(settings)
    db = connect(settings.store.database)
    epoch = accounts.session_epoch(db, ROLES["supervisor"])
    client = app.test_client()
    with client.session_transaction() as session:
        session["user"] = ROLES["supervisor"]
        session["epoch"] = epoch

    def get(path: str, query: dict[str, str]) -> Callable[[], None]:
        def fetch() -> None:
            response = client.get(path, query_string=query)
            if response.status_code != 200:
                raise RuntimeError(f"GET {path} {query}: HTTP {response.status_code}")

        return fetch

    fetchers: dict[tuple[str, str], Callable[[], None]] = {}
    forms = ("json", "csv", "xlsx") if xlsx else ("json", "csv")
    for name, period in periods.items():
        days = {"from": period.start.isoformat(), "to": period.end.isoformat()}
        for section in reports.SECTIONS:
            fetchers[(f"report {section} (core)", name)] = lambda s=section, p=period: (
                reports.report(db, s, p, settings=settings)
            )
            for form in forms:
                path = f"/api/v1/reports/{section}"
                fetchers[(f"GET {path} {form}", name)] = get(path, {**days, "format": form})
        fetchers[("GET /reports/ (report page)", name)] = get(
            "/reports/", {"period": "range", **days}
        )
        fetchers[("GET /buku-tamu (guest-book page)", name)] = get(
            "/buku-tamu", {"dari": days["from"], "sampai": days["to"]}
        )
    worked = last_day - timedelta(days=max(0, last_day.weekday() - 4))  # the year's last day
    fetchers[("GET /reports/book (report book)", "day")] = get(
        "/reports/book", {"day": worked.isoformat()}
    )
    return fetchers


def measure_reports(
    homes: dict[str, Settings], last_day: date, count: int, xlsx: bool = False
) -> list[str]:
    """Every report computation and route (:func:`report_fetchers`) on each home, median of
    ``count`` runs after one unrecorded, one home after the other; printed lines with the
    year's verdict (wall time) against :data:`GOALS_MS`, and beside it the year's CPU time in
    this process (the Flask test client serves here), which a loaded machine inflates less.
    One line "skipped: not built" without ``ult/reports.py``."""
    periods = report_periods(last_day)
    if not periods:
        return ["reports: skipped: not built (no ult/reports.py in this checkout)"]
    fetchers = {home: report_fetchers(s, periods, last_day, xlsx) for home, s in homes.items()}
    lines = [
        f"{'report (median ms; CPU: this process)':<50}{'period':>7}{'empty':>9}{'a year':>9}"
        f"{'CPU':>8}  goal",
        "-" * 100,
    ]
    for what, period in fetchers["empty"]:
        wall: dict[str, list[float]] = {home: [] for home in homes}
        cpu: list[float] = []
        for home in homes:
            fetch = fetchers[home][(what, period)]
            fetch()
            for _ in range(count):
                began, began_cpu = time.perf_counter(), time.process_time()
                fetch()
                wall[home].append((time.perf_counter() - began) * 1000)
                if home == "year":
                    cpu.append((time.process_time() - began_cpu) * 1000)
        empty, aged = (statistics.median(wall[home]) for home in ("empty", "year"))
        goal = GOALS_MS.get(period, GOALS_MS["month"])
        verdict = "MET" if aged < goal else "MISSED"
        lines.append(
            f"{what:<50}{period:>7}{empty:>9.1f}{aged:>9.1f}{statistics.median(cpu):>8.1f}"
            f"  < {goal:g}: {verdict}"
        )
        print(lines[-1], flush=True)
    return lines


# ----------------------------------------------------------------- output


def _row(name: str, empty: Any, aged: Any) -> str:
    def show(value: Any) -> str:
        if isinstance(value, dict):
            return f"{value['p50']:.2f} / {value['p99']:.2f}"
        return f"{value:.1f}"

    def key(value: Any) -> float:
        return value["p50"] if isinstance(value, dict) else value

    ratio = key(aged) / key(empty) if key(empty) else float("nan")
    return f"{name:<44}{show(empty):>20}{show(aged):>20}{ratio:>8.2f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=250, help="business days of history (250)")
    parser.add_argument("--visitors", type=int, default=200, help="visitors a day (200)")
    parser.add_argument("--today", type=int, default=40, help="visitors served this morning")
    parser.add_argument("--waiting", type=int, default=30, help="tickets left waiting (30)")
    parser.add_argument("--requests", type=int, default=50, help="requests per page/route (50)")
    parser.add_argument("--calls", type=int, default=100, help="timed call-next (100)")
    parser.add_argument("--boards", type=int, default=10, help="browser boards (10)")
    parser.add_argument("--board-seconds", type=float, default=20.0, help="boards window (20 s)")
    parser.add_argument("--call-rate", type=float, default=5.0, help="calls a second (5)")
    parser.add_argument("--burst", type=int, default=60, help="concurrent clients at the end")
    parser.add_argument(
        "--report-requests", type=int, default=3, help="timed runs per report and route (3)"
    )
    parser.add_argument(
        "--reports-only", action="store_true", help="skip the everyday figures (pages, server)"
    )
    parser.add_argument("--xlsx", action="store_true", help="time the XLSX exports too")
    parser.add_argument("--tv-calls", type=int, default=100, help="calls for call-to-frame")
    parser.add_argument("--no-cache", action="store_true", help="build the year afresh")
    parser.add_argument("--dir", type=Path, help="parent of the temporary directory")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: check that it runs (figures mean nothing)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        vars(args).update(SMOKE)
    print(f"machine: {_machine()}")
    print(f"before: {_load()}", flush=True)
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ult-bench-reports-", dir=args.dir) as tmp:
        homes = make_homes(Path(tmp), args)
        results: dict[str, dict[str, Any]] = {home: {} for home in homes}
        if not args.reports_only:
            results = measure_pages(homes, args.requests)
            print("pages measured", flush=True)
            for home, figures in measure_servers(homes, args).items():
                results[home].update(figures)
            print("ult admin measured", flush=True)
            for home, settings in homes.items():
                results[home].update(measure_tv(settings, args.tv_calls))
            print("TV board measured", flush=True)
        print("reports:", flush=True)
        reports = measure_reports(
            homes, date.today() - timedelta(days=1), args.report_requests, args.xlsx
        )
    print()
    print(f"{'measure (p50 / p99 ms unless named)':<44}{'empty':>20}{'a year':>20}{'ratio':>9}")
    print("-" * 93)
    for name in results["empty"]:
        if name != FETCHES:
            print(_row(name, results["empty"][name], results["year"][name]))
    for home, figures in results.items():
        if FETCHES in figures:
            print(f"{FETCHES}, {home}: {figures[FETCHES]}")
    print()
    for line in reports:
        print(line)
    print()
    rss = results["year"].get("ult admin VmRSS MB")
    if rss is not None:
        print(
            f"ult admin with a year: {rss:.1f} MB resident (goal < {RSS_GOAL_MB:g} MB): "
            f"{'MET' if rss < RSS_GOAL_MB else 'MISSED'}"
        )
    print(f"after: {_load()}; total time {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
