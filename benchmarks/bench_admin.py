"""Admin app benchmark: call-next over HTTP, event delivery to board streams, memory.

Run with ``.venv/bin/python benchmarks/bench_admin.py`` (``make bench`` runs it too);
``--help`` lists the sizes. A fresh temporary home is set up (the default settings file, the
database with the store's pragmas, one ``front_office`` bearer token from
:func:`ult.accounts.create_token`), then ``ult admin --host 127.0.0.1 --port 0`` is started
as a subprocess: the real command, waitress with the settings' 64 threads. Clients are forked
processes speaking HTTP/1.1 with keep-alive (``http.client``), one connection each.

Measured, each round on the same server:

* ``call-next``: ``POST /api/v1/counters/{id}/call-next`` with the bearer token, 1 client,
  then 8 clients at once (a barrier). As in ``bench_queue.py``, each call uses a counter that
  holds no ticket yet (a counter holds one open ticket, and releasing it would put a second
  request into the measurement): the set-up inserts these counters and issues the tickets.
  Latency around each request in the client (p50, p99 in ms); throughput is all calls over
  the wall time from the barrier to the last client's end.
* ``GET /healthz``, 1 and 8 clients: the baseline of the same server and clients — routing,
  a database connection opened per request, two small reads, JSON. A printer state change
  is recorded just before (see :func:`_printer_state`).
* ``Queue.call_next`` in this process on the same database: the baseline of the domain call
  itself, without HTTP.
* ``event delivery``: 20 board-stream subscribers (raw sockets, one ``selectors`` loop that
  stamps each arrival with ``time.monotonic()``) while one client calls next every 10-40 ms
  (random, so the calls do not lock step with the stream's poll). Per call and subscriber:
  arrival minus the moment the call-next response was read (``CLOCK_MONOTONIC`` is shared by
  processes). A negative value means the stream was faster than the HTTP response.
* ``ult admin`` memory: ``VmRSS`` and ``VmHWM`` from ``/proc/<pid>/status`` after all rounds.

Goals (issue 5): call-next p99 < 10 ms; 8 counters >= 500 calls/s; event delivery
p99 < 50 ms; ``ult admin`` < 100 MB resident.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import queue as queues
import random
import re
import selectors
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ult import accounts
from ult.catalog import apply_catalog
from ult.queue import Queue
from ult.settings import Settings, load_settings
from ult.store import connect

SERVICES = ("A", "B", "C", "D")
CALL_P99_GOAL_MS = 10.0
THROUGHPUT_GOAL = 500.0
DELIVERY_P99_GOAL_MS = 50.0
RSS_GOAL_MB = 100.0
SERVER_START_S = 30.0
SMOKE = {
    "single_ops": 3,
    "clients": 2,
    "per_client_ops": 3,
    "warmup": 1,
    "subscribers": 2,
    "delivery_calls": 3,
    "rounds": 1,
}
"""The sizes ``--smoke`` sets: every part runs once, quickly (CI); its figures mean nothing."""

_FORK = multiprocessing.get_context("fork")
_URL_LINE = re.compile(r"listening on http://([^/ ]+):(\d+)/")
_CALLED = re.compile(rb"event: called\ndata: ([^\n]*)\n\n")
_CLI = "import sys; from ult.cli import main; sys.exit(main())"


# ----------------------------------------------------------------- the appliance


def _make_home(root: Path) -> Settings:
    home = root / "home"
    home.mkdir(parents=True)
    config = home / "ult.toml"
    # Every default (64 threads, 50 streams) but the service hours: it runs at any hour.
    config.write_text("[hours]\nenabled = false\n", encoding="utf-8")
    settings = load_settings(config, environ={"ULT_HOME": str(home)})
    db = connect(settings.store.database)
    apply_catalog(db, settings)
    db.close()
    return settings


def _add_counters(settings: Settings, count: int) -> list[int]:
    """Insert ``count`` idle front-office counters serving every service; their ids."""
    db = connect(settings.store.database)
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        ids = []
        for _ in range(count):
            cursor = db.conn.execute(
                "INSERT INTO counters (name, kind) VALUES (?, 'front_office')",
                (f"Bench {len(ids)}-{time.monotonic_ns()}",),
            )
            ids.append(int(cursor.lastrowid))
            db.conn.executemany(
                "INSERT INTO counter_services (counter_id, service) VALUES (?, ?)",
                [(cursor.lastrowid, s) for s in SERVICES],
            )
        db.conn.execute("COMMIT")
    finally:
        db.close()
    return ids


def _issue(settings: Settings, count: int) -> None:
    db = connect(settings.store.database)
    queue = Queue(db, settings)
    for n in range(count):
        queue.issue(SERVICES[n % len(SERVICES)], actor="bench")
    db.close()


def _printer_state(settings: Settings) -> None:
    """Record a printer state change, as the kiosk daemon does. ``/healthz`` reads the newest
    ``printer_state`` event by scanning the log back from its end, so without a recent one
    it would measure that scan (thousands of call events) rather than the request path."""
    db = connect(settings.store.database)
    queue = Queue(db, settings)
    for state in ("offline", "ready"):
        queue.record_printer_state(state, actor="bench")
    db.close()


class Server:
    """``ult admin`` in a subprocess on a free port of 127.0.0.1."""

    def __init__(self, settings: Settings) -> None:
        ult = Path(sys.executable).with_name("ult")
        command = [str(ult)] if ult.exists() else [sys.executable, "-c", _CLI]
        env = {k: v for k, v in os.environ.items() if not k.startswith("ULT_")}
        env.update(ULT_HOME=str(settings.home), ULT_CONFIG=str(settings.source))
        self.process = subprocess.Popen(
            [*command, "admin", "--host", "127.0.0.1", "--port", "0"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log: list[str] = []
        lines: queues.Queue[str] = queues.Queue()

        def read() -> None:
            assert self.process.stderr is not None
            for line in self.process.stderr:
                lines.put(line)

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + SERVER_START_S
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queues.Empty:
                line = ""
            self.log.append(line)
            found = _URL_LINE.search(line)
            if found:
                self.port = int(found.group(2))
                return
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("ult admin did not start:\n" + "".join(self.log))

    def memory_mb(self) -> tuple[float, float]:
        """``(VmRSS, VmHWM)`` of the server process in MB."""
        found = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024
        return found["VmRSS"], found["VmHWM"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# ----------------------------------------------------------------- HTTP clients


def _request(conn: http.client.HTTPConnection, method: str, path: str, headers: dict) -> tuple:
    conn.request(method, path, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _call_job(port: int, token: str, counters: list[int], warmup: int, start: Any) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Length": "0"}
    latencies = []
    start()
    for n, counter in enumerate(counters):
        began = time.perf_counter()
        status, body = _request(conn, "POST", f"/api/v1/counters/{counter}/call-next", headers)
        elapsed = time.perf_counter() - began
        if status != 200:
            raise RuntimeError(f"call-next on counter {counter}: HTTP {status} {body[:200]!r}")
        if n >= warmup:
            latencies.append(elapsed)
    conn.close()
    return latencies


def _health_job(port: int, count: int, warmup: int, start: Any) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies = []
    start()
    for n in range(warmup + count):
        began = time.perf_counter()
        status, body = _request(conn, "GET", "/healthz", {})
        elapsed = time.perf_counter() - began
        if status != 200:
            raise RuntimeError(f"/healthz: HTTP {status} {body[:200]!r}")
        if n >= warmup:
            latencies.append(elapsed)
    conn.close()
    return latencies


def _worker(job: Callable[..., list[float]], args: tuple, barrier: Any, results: Any) -> None:
    times: dict[str, float] = {}

    def start() -> None:
        barrier.wait()
        times["start"] = time.monotonic()

    try:
        latencies = job(*args, start)
        results.put((times["start"], time.monotonic(), latencies, None))
    except BaseException as error:  # report anything, never hang the parent
        results.put((0.0, 0.0, [], f"{type(error).__name__}: {error}"))


def _parallel(job: Callable[..., list[float]], per_worker: list[tuple]) -> dict:
    """Run ``job`` in one forked process per argument tuple, started at a barrier."""
    barrier = _FORK.Barrier(len(per_worker))
    results = _FORK.Queue()
    workers = [
        _FORK.Process(target=_worker, args=(job, args, barrier, results)) for args in per_worker
    ]
    for worker in workers:
        worker.start()
    collected = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    errors = [c[3] for c in collected if c[3]]
    if errors:
        raise RuntimeError("benchmark client failed: " + "; ".join(errors))
    latencies = [value for c in collected for value in c[2]]
    wall = max(c[1] for c in collected) - min(c[0] for c in collected)
    return {"latencies": latencies, "wall": wall}


# ----------------------------------------------------------------- event delivery


def _caller(port: int, token: str, counters: list[int], out: Any) -> None:
    """Call next on each counter, 10-40 ms apart; put ``[(ticket_id, answered_at)]``."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Content-Length": "0"}
        answered = []
        pace = random.Random(5)
        for counter in counters:
            time.sleep(pace.uniform(0.010, 0.040))
            status, body = _request(conn, "POST", f"/api/v1/counters/{counter}/call-next", headers)
            at = time.monotonic()
            if status != 200:
                raise RuntimeError(f"call-next: HTTP {status} {body[:200]!r}")
            answered.append((json.loads(body)["id"], at))
        conn.close()
        out.put((answered, None))
    except BaseException as error:
        out.put(([], f"{type(error).__name__}: {error}"))


def _subscribe(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(
        b"GET /api/v1/board/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    received = b""
    while b"retry: 3000" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError(f"stream refused: {received[:300]!r}")
        received += chunk
    if not received.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"stream refused: {received[:300]!r}")
    sock.setblocking(False)
    return sock


def measure_delivery(port: int, token: str, counters: list[int], subscribers: int) -> list[float]:
    """Delivery latencies (seconds) of ``len(counters)`` calls to ``subscribers`` streams."""
    socks = [_subscribe(port) for _ in range(subscribers)]
    selector = selectors.DefaultSelector()
    buffers = {}
    for sock in socks:
        selector.register(sock, selectors.EVENT_READ)
        buffers[sock] = b""
    arrivals: dict[int, list[float]] = {}
    out = _FORK.Queue()
    caller = _FORK.Process(target=_caller, args=(port, token, counters, out))
    caller.start()
    answered = None
    deadline = None
    expected = len(counters) * subscribers
    try:
        while True:
            for key, _ in selector.select(timeout=0.2):
                now = time.monotonic()
                sock = key.fileobj
                chunk = sock.recv(65536)
                if not chunk:
                    raise RuntimeError("a board stream ended during the measurement")
                buffer = buffers[sock] + chunk
                last = 0
                for found in _CALLED.finditer(buffer):
                    ticket_id = json.loads(found.group(1))["ticket_id"]
                    arrivals.setdefault(ticket_id, []).append(now)
                    last = found.end()
                buffers[sock] = buffer[last:]
            if answered is None:
                try:
                    answered, error = out.get_nowait()
                except queues.Empty:
                    continue
                if error:
                    raise RuntimeError(f"caller failed: {error}")
                deadline = time.monotonic() + 5.0
            received = sum(len(times) for times in arrivals.values())
            if received >= expected or time.monotonic() > deadline:
                break
    finally:
        caller.join(timeout=30)
        selector.close()
        for sock in socks:
            sock.close()
    latencies = []
    for ticket_id, at in answered:
        seen = arrivals.get(ticket_id, [])
        if len(seen) != subscribers:
            raise RuntimeError(
                f"ticket {ticket_id}: reached {len(seen)} of {subscribers} subscribers"
            )
        latencies.extend(arrival - at for arrival in seen)
    return latencies


# ----------------------------------------------------------------- the domain baseline


def measure_bare_call_next(settings: Settings, counters: list[int], warmup: int) -> list[float]:
    db = connect(settings.store.database)
    queue = Queue(db, settings)
    latencies = []
    for n, counter in enumerate(counters):
        began = time.perf_counter()
        if queue.call_next(counter, actor="bench") is None:
            raise RuntimeError("bare call_next found nothing waiting")
        if n >= warmup:
            latencies.append(time.perf_counter() - began)
    db.close()
    return latencies


# ----------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figures:
    name: str
    clients: int
    ops: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    throughput: float | None


def _figures(name: str, clients: int, latencies: list[float], wall: float | None) -> Figures:
    ordered = sorted(latencies)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return Figures(
        name,
        clients,
        len(ordered),
        statistics.median(ordered) * 1000,
        cuts[98] * 1000,
        ordered[-1] * 1000,
        len(ordered) / wall if wall else None,
    )


def _median_of_rounds(rounds: list[list[Figures]]) -> list[Figures]:
    merged = []
    for same in zip(*rounds, strict=True):
        first = same[0]
        throughputs = [f.throughput for f in same if f.throughput is not None]
        merged.append(
            Figures(
                first.name,
                first.clients,
                first.ops,
                statistics.median(f.p50_ms for f in same),
                statistics.median(f.p99_ms for f in same),
                statistics.median(f.max_ms for f in same),
                statistics.median(throughputs) if throughputs else None,
            )
        )
    return merged


def _table(figures: list[Figures]) -> str:
    header = (
        f"{'measure':<34} {'clients':>7} {'ops':>6} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'ops/s':>8}"
    )
    lines = [header, "-" * len(header)]
    for f in figures:
        rate = f"{f.throughput:>8.0f}" if f.throughput is not None else f"{'-':>8}"
        lines.append(
            f"{f.name:<34} {f.clients:>7} {f.ops:>6} {f.p50_ms:>8.2f} {f.p99_ms:>8.2f} "
            f"{f.max_ms:>8.1f} {rate}"
        )
    return "\n".join(lines)


def _verdict(figures: list[Figures], rss_mb: float, clients: int) -> tuple[str, bool]:
    """The goals against ``figures``; the throughput goal is read at ``clients`` counters (the
    issue's 8 by default)."""
    by = {(f.name, f.clients): f for f in figures}
    checks = []
    for count in (1, clients):
        call = by[("call-next (HTTP)", count)]
        checks.append(
            (
                f"call-next, {count} counter(s): p99 {call.p99_ms:.2f} ms "
                f"(goal < {CALL_P99_GOAL_MS:g} ms)",
                call.p99_ms < CALL_P99_GOAL_MS,
            )
        )
    many = by[("call-next (HTTP)", clients)]
    checks.append(
        (
            f"call-next, {clients} counters: {many.throughput:.0f} calls/s "
            f"(goal >= {THROUGHPUT_GOAL:g})",
            (many.throughput or 0) >= THROUGHPUT_GOAL,
        )
    )
    delivery = next(f for f in figures if f.name.startswith("event delivery"))
    checks.append(
        (
            f"event delivery to {delivery.clients} streams: p99 {delivery.p99_ms:.2f} ms "
            f"(goal < {DELIVERY_P99_GOAL_MS:g} ms)",
            delivery.p99_ms < DELIVERY_P99_GOAL_MS,
        )
    )
    checks.append(
        (f"ult admin resident {rss_mb:.1f} MB (goal < {RSS_GOAL_MB:g} MB)", rss_mb < RSS_GOAL_MB)
    )
    lines = [f"{text}: {'MET' if met else 'MISSED'}" for text, met in checks]
    return "\n".join(lines), all(met for _, met in checks)


def _machine() -> str:
    return (
        f"nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()} "
        f"{platform.machine()}"
    )


def _load() -> str:
    """The 1-minute load average: on a shared machine, figures are only as good as it."""
    return f"load average {os.getloadavg()[0]:.2f} (nproc {os.cpu_count()})"


# ----------------------------------------------------------------- main


def tickets_per_round(args: argparse.Namespace) -> int:
    """Every call of one round needs a waiting ticket."""
    return (
        2 * (args.single_ops + args.warmup)  # HTTP, then Queue.call_next
        + args.clients * (args.per_client_ops + args.warmup)
        + args.delivery_calls
    )


def one_round(
    settings: Settings, server: Server, token: str, args: argparse.Namespace
) -> list[Figures]:
    port = server.port
    figures = []
    counters = _add_counters(settings, args.single_ops + args.warmup)
    run = _parallel(_call_job, [(port, token, counters, args.warmup)])
    figures.append(_figures("call-next (HTTP)", 1, run["latencies"], run["wall"]))

    step = args.per_client_ops + args.warmup
    counters = _add_counters(settings, args.clients * step)
    run = _parallel(
        _call_job,
        [
            (port, token, counters[n * step : (n + 1) * step], args.warmup)
            for n in range(args.clients)
        ],
    )
    figures.append(_figures("call-next (HTTP)", args.clients, run["latencies"], run["wall"]))

    _printer_state(settings)
    run = _parallel(_health_job, [(port, args.single_ops, args.warmup)])
    figures.append(_figures("baseline: GET /healthz (HTTP)", 1, run["latencies"], run["wall"]))
    run = _parallel(
        _health_job, [(port, args.per_client_ops, args.warmup) for _ in range(args.clients)]
    )
    figures.append(
        _figures("baseline: GET /healthz (HTTP)", args.clients, run["latencies"], run["wall"])
    )

    counters = _add_counters(settings, args.single_ops + args.warmup)
    began = time.monotonic()
    latencies = measure_bare_call_next(settings, counters, args.warmup)
    figures.append(
        _figures("baseline: Queue.call_next (no HTTP)", 1, latencies, time.monotonic() - began)
    )

    counters = _add_counters(settings, args.delivery_calls)
    latencies = measure_delivery(port, token, counters, args.subscribers)
    figures.append(
        _figures("event delivery (response -> stream)", args.subscribers, latencies, None)
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--single-ops", type=int, default=1000, help="calls with 1 client")
    parser.add_argument("--clients", type=int, default=8, help="concurrent counters (8)")
    parser.add_argument(
        "--per-client-ops", type=int, default=250, help="calls per concurrent client (250)"
    )
    parser.add_argument("--warmup", type=int, default=20, help="unrecorded calls per client")
    parser.add_argument("--subscribers", type=int, default=20, help="board streams (20)")
    parser.add_argument("--delivery-calls", type=int, default=200, help="calls while streaming")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians shown (3)")
    parser.add_argument("--dir", type=Path, help="parent of the temporary directory")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: check that it runs (figures mean nothing)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        vars(args).update(SMOKE)

    print(f"machine: {_machine()}")
    print(f"before: {_load()}")
    print(
        f"sizes: call-next 1 client x {args.single_ops}, {args.clients} clients x "
        f"{args.per_client_ops}; warm-up {args.warmup} per client; {args.subscribers} streams x "
        f"{args.delivery_calls} calls; {args.rounds} round(s), median shown",
        flush=True,
    )
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ult-bench-admin-", dir=args.dir) as tmp:
        settings = _make_home(Path(tmp))
        # All tickets first: issuing estimates the wait over the open counters, and each
        # round adds thousands of fresh ones (see the module docstring).
        _issue(settings, args.rounds * tickets_per_round(args))
        db = connect(settings.store.database)
        token = accounts.create_token(db, "bench", "front_office")
        db.close()
        server = Server(settings)
        try:
            print(f"server: ult admin, pid {server.process.pid}, port {server.port}", flush=True)
            rounds = []
            for number in range(args.rounds):
                rounds.append(one_round(settings, server, token, args))
                print(f"round {number + 1}/{args.rounds} done", flush=True)
            rss, hwm = server.memory_mb()
        finally:
            server.stop()
        code = server.process.returncode
    figures = _median_of_rounds(rounds)
    print()
    print(_table(figures))
    print()
    print(f"ult admin after the run: resident (VmRSS) {rss:.1f} MB, peak (VmHWM) {hwm:.1f} MB")
    print(f"ult admin stopped on SIGTERM with exit code {code}")
    print()
    verdict, all_met = _verdict(figures, rss, args.clients)
    print(verdict)
    print(f"all admin goals met: {'yes' if all_met else 'NO'}")
    print(f"after: {_load()}; total time {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
