"""Queue benchmark: issue and call_next latency and throughput against SQLite's physical limit.

Run with ``make bench`` (``.venv/bin/python benchmarks/bench_queue.py``); ``--help`` lists the
sizes. Everything runs on a database file in a fresh temporary directory, with the store's own
pragmas (WAL, ``synchronous=FULL``, ``BEGIN IMMEDIATE``, busy timeout).

For each process count (1, and ``--processes``, default 8):

* ``issue``: every process issues tickets through :meth:`ult.queue.Queue.issue`.
* ``call_next``: every process calls those tickets through :meth:`Queue.call_next`, each call on
  a counter of its own that holds no ticket yet (a counter holds one open ticket, and releasing
  it would be a second transaction mixed into the measurement). The extra counters are inserted
  by the benchmark's set-up, and counters are passed by id.
* ``limit``: the cheapest durable transaction that does the same job with raw ``sqlite3``:
  ``BEGIN IMMEDIATE``; UPDATE the first waiting row (found through an index) to claimed; INSERT
  one event row; ``COMMIT`` — same pragmas, same file system, same number of processes.

Latencies are measured around each call in the process that makes it (p50, p99 in ms);
throughput is all operations of all processes over the wall time from a common start (a
barrier) to the last process's end. The first ``--warmup`` operations of every process are run
but not recorded. The goal from the issue: call_next p99 within 2x of the limit, and call_next
throughput at least half of the limit's.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing
import os
import platform
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ult.catalog import apply_catalog
from ult.queue import Queue
from ult.settings import Settings, load_settings
from ult.store import BUSY_TIMEOUT_SECONDS, connect

SERVICES = ("A", "B", "C", "D")
P99_GOAL = 2.0
"""call_next p99 may be at most this many times the limit's."""
THROUGHPUT_GOAL = 0.5
"""call_next throughput must be at least this fraction of the limit's."""

_FORK = multiprocessing.get_context("fork")


# ----------------------------------------------------------------- settings and set-up


def _settings_text(front_office_counters: int) -> str:
    blocks = [
        f'[[counters]]\nname = "Loket {n}"\nkind = "front_office"\n'
        f"services = {list(SERVICES)!r}\n".replace("'", '"')
        for n in range(1, front_office_counters + 1)
    ]
    blocks.append('[[counters]]\nname = "Back Office"\nkind = "back_office"\nservices = []\n')
    return "\n".join(blocks)


def _make_settings(home: Path) -> Settings:
    home.mkdir(parents=True, exist_ok=True)
    config = home / "ult.toml"
    config.write_text(_settings_text(8), encoding="utf-8")
    return load_settings(config, environ={"ULT_HOME": str(home)})


def _add_bench_counters(settings: Settings, count: int) -> list[int]:
    """Insert ``count`` idle front-office counters serving every service; return their ids."""
    db = connect(settings.store.database)
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        ids = []
        for n in range(count):
            cursor = db.conn.execute(
                "INSERT INTO counters (name, kind) VALUES (?, 'front_office')", (f"Bench {n}",)
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


# ----------------------------------------------------------------- running in processes


def _in_process(
    job: Callable[..., list[float]],
    args: tuple[Any, ...],
    barrier: Any,
    results: Any,
    index: int,
) -> None:
    try:
        prepared = job(*args, prepare=True)
        barrier.wait()
        started = time.monotonic()
        latencies = job(*args, prepared=prepared)
        ended = time.monotonic()
        results.put((index, started, ended, latencies, None))
    except BaseException as error:  # report anything, never hang the parent
        results.put((index, 0.0, 0.0, [], f"{type(error).__name__}: {error}"))


def _run_parallel(job: Callable[..., Any], per_process_args: list[tuple[Any, ...]]) -> dict:
    """Run ``job`` in one forked process per argument tuple, started together."""
    count = len(per_process_args)
    barrier = _FORK.Barrier(count)
    results = _FORK.Queue()
    processes = [
        _FORK.Process(target=_in_process, args=(job, args, barrier, results, index))
        for index, args in enumerate(per_process_args)
    ]
    for process in processes:
        process.start()
    collected = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    errors = [c[4] for c in collected if c[4]]
    if errors:
        raise RuntimeError("benchmark worker failed: " + "; ".join(errors))
    latencies = [value for c in collected for value in c[3]]
    wall = max(c[2] for c in collected) - min(c[1] for c in collected)
    return {"latencies": latencies, "wall": wall}


# ----------------------------------------------------------------- the workloads


def _issue_job(
    config: str, home: str, count: int, warmup: int, *, prepare=False, prepared=None
) -> Any:
    if prepare:
        settings = load_settings(Path(config), environ={"ULT_HOME": home})
        db = connect(settings.store.database)
        return Queue(db, settings)
    queue = prepared
    latencies = []
    for n in range(warmup + count):
        letter = SERVICES[n % len(SERVICES)]
        began = time.perf_counter()
        queue.issue(letter, actor="bench")
        elapsed = time.perf_counter() - began
        if n >= warmup:
            latencies.append(elapsed)
    queue.db.close()
    return latencies


def _call_job(
    config: str, home: str, counter_ids: list[int], warmup: int, *, prepare=False, prepared=None
) -> Any:
    if prepare:
        settings = load_settings(Path(config), environ={"ULT_HOME": home})
        db = connect(settings.store.database)
        return Queue(db, settings)
    queue = prepared
    latencies = []
    for n, counter_id in enumerate(counter_ids):
        began = time.perf_counter()
        ticket = queue.call_next(counter_id, actor="bench")
        elapsed = time.perf_counter() - began
        if ticket is None:
            raise RuntimeError(f"call_next on counter {counter_id} found nothing waiting")
        if n >= warmup:
            latencies.append(elapsed)
    queue.db.close()
    return latencies


def _limit_connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _limit_setup(path: str, rows: int) -> None:
    conn = _limit_connect(path)
    conn.executescript(
        """
        CREATE TABLE items (
            id INTEGER PRIMARY KEY, state TEXT NOT NULL, seq INTEGER NOT NULL, counter INTEGER
        );
        CREATE INDEX items_waiting ON items(state, seq);
        CREATE TABLE log (
            id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, kind TEXT NOT NULL,
            item_id INTEGER, counter INTEGER, payload TEXT NOT NULL
        );
        """
    )
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO items (state, seq) VALUES ('waiting', ?)", ((n,) for n in range(rows))
    )
    conn.execute("COMMIT")
    conn.close()


def _limit_job(path: str, worker: int, count: int, *, prepare=False, prepared=None) -> Any:
    if prepare:
        return _limit_connect(path)
    conn = prepared
    latencies = []
    for _ in range(count):
        began = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        claimed = conn.execute(
            "UPDATE items SET state = 'claimed', counter = ? WHERE id = "
            "(SELECT id FROM items WHERE state = 'waiting' ORDER BY seq LIMIT 1) RETURNING id",
            (worker,),
        ).fetchone()
        conn.execute(
            "INSERT INTO log (at, kind, item_id, counter, payload) VALUES (?, 'called', ?, ?, ?)",
            (time.strftime("%Y-%m-%dT%H:%M:%S"), claimed[0], worker, "{}"),
        )
        conn.execute("COMMIT")
        latencies.append(time.perf_counter() - began)
    conn.close()
    return latencies


# ----------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Figures:
    name: str
    processes: int
    ops: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    throughput: float


def _figures(name: str, processes: int, run: dict) -> Figures:
    latencies = sorted(run["latencies"])
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Figures(
        name=name,
        processes=processes,
        ops=len(latencies),
        p50_ms=statistics.median(latencies) * 1000,
        p99_ms=cuts[98] * 1000,
        max_ms=latencies[-1] * 1000,
        throughput=len(latencies) / run["wall"],
    )


def _median_of_rounds(rounds: list[list[Figures]]) -> list[Figures]:
    """Per row, the median of each figure over the rounds (rows keep their order)."""
    merged = []
    for same in zip(*rounds, strict=True):
        first = same[0]
        merged.append(
            Figures(
                name=first.name,
                processes=first.processes,
                ops=first.ops,
                p50_ms=statistics.median(f.p50_ms for f in same),
                p99_ms=statistics.median(f.p99_ms for f in same),
                max_ms=statistics.median(f.max_ms for f in same),
                throughput=statistics.median(f.throughput for f in same),
            )
        )
    return merged


def _issue_backlog(settings: Settings, count: int) -> None:
    """Issue ``count`` more tickets in this process (not measured); they stay waiting."""
    if count == 0:
        return
    db = connect(settings.store.database)
    queue = Queue(db, settings)
    for n in range(count):
        queue.issue(SERVICES[n % len(SERVICES)], actor="bench-backlog")
    db.close()


def _check_all_called_once(settings: Settings, expected: int, backlog: int) -> None:
    db = connect(settings.store.database)
    try:
        called = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT ticket_id) FROM events WHERE kind = 'called'"
        ).fetchone()
        waiting = db.execute("SELECT COUNT(*) FROM tickets WHERE state = 'waiting'").fetchone()[0]
    finally:
        db.close()
    if tuple(called) != (expected, expected) or waiting != backlog:
        raise RuntimeError(f"bad run: called {tuple(called)}, expected {expected}, {waiting} left")


def measure(
    processes: int, per_process: int, warmup: int, root: Path, backlog: int = 0
) -> list[Figures]:
    """Issue, call_next and the limit with ``processes`` processes, ``per_process`` ops each.

    ``backlog`` more tickets are issued before the call_next run and stay waiting behind the
    called ones (and as many more waiting rows are in the limit's table).
    """
    home = root / f"queue-{processes}"
    settings = _make_settings(home)
    db = connect(settings.store.database)
    apply_catalog(db, settings)
    db.close()
    config, home_text = str(settings.source), str(home)

    issue = _run_parallel(
        _issue_job, [(config, home_text, per_process, warmup) for _ in range(processes)]
    )
    _issue_backlog(settings, backlog)
    counter_ids = _add_bench_counters(settings, processes * (per_process + warmup))
    step = per_process + warmup
    call = _run_parallel(
        _call_job,
        [
            (config, home_text, counter_ids[n * step : (n + 1) * step], warmup)
            for n in range(processes)
        ],
    )
    _check_all_called_once(settings, processes * step, backlog)

    limit_path = str(root / f"limit-{processes}.db")
    _limit_setup(limit_path, processes * per_process + backlog)
    limit = _run_parallel(
        _limit_job, [(limit_path, worker, per_process) for worker in range(processes)]
    )
    return [
        _figures("issue", processes, issue),
        _figures("call_next", processes, call),
        _figures("limit (claim+event)", processes, limit),
    ]


class _TimedConnection:
    """Wraps a ``sqlite3.Connection``: adds up the time spent in each SQL statement."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.spent: dict[str, list[float]] = {}

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        began = time.perf_counter()
        try:
            return self._conn.execute(sql, parameters)
        finally:
            entry = self.spent.setdefault(" ".join(sql.split()), [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - began

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def _profile_setup(root: Path, calls: int, backlog: int) -> tuple[Queue, list[int]]:
    settings = _make_settings(root)
    db = connect(settings.store.database)
    apply_catalog(db, settings)
    db.close()
    _issue_backlog(settings, calls + backlog)
    counter_ids = _add_bench_counters(settings, calls)
    return Queue(connect(settings.store.database), settings), counter_ids


def profile_call_next(calls: int, backlog: int, root: Path, top: int) -> str:
    """Where ``calls`` call_next in this process spend their time, as text.

    Two passes on fresh databases: one under cProfile (functions by own time), one with every
    SQL statement timed (cProfile's overhead would inflate the Python share).
    """
    queue, counter_ids = _profile_setup(root / "profile-cprofile", calls, backlog)
    profiler = cProfile.Profile()
    profiler.enable()
    for counter_id in counter_ids:
        queue.call_next(counter_id, actor="bench")
    profiler.disable()
    queue.db.close()
    out = io.StringIO()
    out.write(f"cProfile, {calls} call_next in one process, by own time:\n")
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)

    queue, counter_ids = _profile_setup(root / "profile-sql", calls, backlog)
    timed = _TimedConnection(queue.db.conn)
    queue.db.conn = timed
    began = time.perf_counter()
    for counter_id in counter_ids:
        queue.call_next(counter_id, actor="bench")
    total = time.perf_counter() - began
    queue.db.conn = timed._conn
    queue.db.close()
    in_sql = sum(spent for _, spent in timed.spent.values())
    out.write(
        f"SQL statements, {calls} call_next (no profiler): {total * 1000 / calls:.3f} ms per "
        f"call, of which {in_sql * 1000 / calls:.3f} ms in sqlite3 and "
        f"{(total - in_sql) * 1000 / calls:.3f} ms in Python\n"
    )
    out.write(f"{'ms/call':>8} {'count':>6}  statement\n")
    for sql, (count, spent) in sorted(timed.spent.items(), key=lambda item: -item[1][1]):
        out.write(f"{spent * 1000 / calls:>8.3f} {count:>6}  {sql[:110]}\n")
    return out.getvalue()


# ----------------------------------------------------------------- report


def _machine() -> str:
    return (
        f"nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()} "
        f"{platform.machine()}"
    )


def _table(figures: list[Figures]) -> str:
    limits = {f.processes: f for f in figures if f.name.startswith("limit")}
    header = (
        f"{'operation':<20} {'procs':>5} {'ops':>6} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'ops/s':>8} {'p99/limit':>10} {'ops/s/limit':>12}"
    )
    lines = [header, "-" * len(header)]
    for f in figures:
        limit = limits[f.processes]
        lines.append(
            f"{f.name:<20} {f.processes:>5} {f.ops:>6} {f.p50_ms:>8.2f} {f.p99_ms:>8.2f} "
            f"{f.max_ms:>8.1f} {f.throughput:>8.0f} {f.p99_ms / limit.p99_ms:>9.2f}x "
            f"{f.throughput / limit.throughput:>11.2f}x"
        )
    return "\n".join(lines)


def _goals(figures: list[Figures]) -> tuple[str, bool]:
    limits = {f.processes: f for f in figures if f.name.startswith("limit")}
    lines = []
    all_met = True
    for f in figures:
        if f.name != "call_next":
            continue
        limit = limits[f.processes]
        p99_ratio = f.p99_ms / limit.p99_ms
        throughput_ratio = f.throughput / limit.throughput
        p99_met = p99_ratio <= P99_GOAL
        throughput_met = throughput_ratio >= THROUGHPUT_GOAL
        all_met = all_met and p99_met and throughput_met
        lines.append(
            f"call_next, {f.processes} process(es): p99 {p99_ratio:.2f}x the limit "
            f"(goal <= {P99_GOAL:g}x): {'MET' if p99_met else 'MISSED'}; "
            f"throughput {throughput_ratio:.2f}x the limit (goal >= {THROUGHPUT_GOAL:g}x): "
            f"{'MET' if throughput_met else 'MISSED'}"
        )
    return "\n".join(lines), all_met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--single-ops", type=int, default=1000, help="operations for the 1-process runs"
    )
    parser.add_argument(
        "--processes", type=int, default=8, help="processes for the parallel runs (default 8)"
    )
    parser.add_argument(
        "--per-process-ops",
        type=int,
        default=250,
        help="operations per process in the parallel runs (default 250)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="repeat everything this many times; the table shows each figure's median",
    )
    parser.add_argument(
        "--backlog",
        type=int,
        default=0,
        help="extra tickets left waiting behind the called ones (default 0)",
    )
    parser.add_argument(
        "--warmup", type=int, default=10, help="unrecorded operations per process (default 10)"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also profile N call_next in this process (cProfile and per SQL statement)",
    )
    parser.add_argument("--dir", type=Path, help="parent of the temporary directory")
    args = parser.parse_args(argv)

    print(f"machine: {_machine()}")
    print(
        f"sizes: 1 process x {args.single_ops} ops; {args.processes} processes x "
        f"{args.per_process_ops} ops; warm-up {args.warmup} per process; "
        f"{args.rounds} round(s), median shown; backlog {args.backlog} waiting",
        flush=True,
    )
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ult-bench-", dir=args.dir) as tmp:
        rounds = []
        for number in range(args.rounds):
            root = Path(tmp) / f"round-{number}"
            figures = measure(1, args.single_ops, args.warmup, root, args.backlog)
            if args.processes > 1:
                figures += measure(
                    args.processes, args.per_process_ops, args.warmup, root, args.backlog
                )
            rounds.append(figures)
            print(f"round {number + 1}/{args.rounds} done", flush=True)
        figures = _median_of_rounds(rounds)
        print()
        print(_table(figures))
        print()
        verdict, all_met = _goals(figures)
        print(verdict)
        print(f"all call_next goals met: {'yes' if all_met else 'NO'}")
        if args.profile:
            print()
            print(profile_call_next(args.profile, args.backlog, Path(tmp), 25))
    print(f"total time {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
