"""Queue benchmark: issue and call_next latency and throughput against SQLite's physical limit.

Run with ``make bench`` (``.venv/bin/python benchmarks/bench_queue.py``); ``--help`` lists the
sizes. Everything runs on database files in a fresh temporary directory, with the store's own
pragmas (WAL, ``synchronous=FULL``, ``BEGIN IMMEDIATE``, busy timeout).

**History.** Before anything is timed, the appliance database is given a year of a busy
office: ``--days`` business days (default 250) of ``--per-day`` tickets (default 300), each
issued, called, started, answered, explained and finished (six events). One day is played
through the domain (:class:`ult.queue.Queue` on a fake clock) and its rows copied to every
past business day with sqlite-utils bulk inserts. The limit's table gets as many finished rows
and log rows. Then ``--waiting`` tickets (default 50) are issued and left waiting.

**Workloads**, for each process count (1, and ``--processes``, default 8):

* ``issue``: :meth:`Queue.issue` on services A-D in turn.
* ``call_next``: :meth:`Queue.call_next`, each call of a chunk on a counter of its own that
  holds no ticket yet (a counter holds one open ticket, and releasing it would be a second
  transaction mixed into the measurement). The set-up inserts these counters (one per call of
  a chunk, 64 by default; the office's own are 8); after each chunk, outside its time, their
  tickets are closed as no-shows, which frees them for the next chunk.
* ``limit (claim+event)``: the cheapest durable transaction that does call_next's job with raw
  ``sqlite3``: ``BEGIN IMMEDIATE``; UPDATE the first waiting row (found through an index) to
  claimed; INSERT one event row; ``COMMIT`` - same pragmas, same file system, same processes.

**Interleaving.** The three workloads run in short chunks of ``--chunk-ops`` operations (split
over the processes), one after the other in an order that rotates each turn (issue, call,
limit; call, limit, issue; ...), ``--chunks`` turns per repetition: a burst of other work on
this shared machine hits all three alike instead of one long block. Every process of a chunk
starts at a barrier; latency is taken around each call in the process that makes it;
throughput is the chunk's operations over its wall time (barrier to the last process's end),
summed over the repetition's chunks. One unrecorded turn warms up first.

**Figures.** Each repetition (``--repetitions``, default 7) gives p50, p99 and throughput per
workload, and the ratios ours / the limit's of that same repetition. The table shows each
figure's median over the repetitions, and each ratio as median [min-max]. The goal from the
issue: call_next p99 within 2x of the limit, throughput at least half of the limit's.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import multiprocessing
import os
import platform
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.queue import Queue
from ult.settings import Settings, load_settings
from ult.store import BUSY_TIMEOUT_SECONDS, connect

SERVICES = ("A", "B", "C", "D")
P99_GOAL = 2.0
"""call_next p99 may be at most this many times the limit's."""
THROUGHPUT_GOAL = 0.5
"""call_next throughput must be at least this fraction of the limit's."""
WORKLOADS = ("issue", "call_next", "limit (claim+event)")
LIMIT = WORKLOADS[2]
TEMPLATE_OPENING = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
"""08:00 in Jakarta on a Wednesday: the day played through the domain for the history."""
SMOKE = {
    "days": 2,
    "per_day": 8,
    "waiting": 4,
    "processes": 2,
    "chunk_ops": 4,
    "chunks": 3,
    "repetitions": 2,
}
"""The sizes ``--smoke`` sets: every part runs once, quickly (CI); its figures mean nothing."""

_FORK = multiprocessing.get_context("fork")


# ----------------------------------------------------------------- settings and set-up


def _settings_text(front_office_counters: int) -> str:
    blocks = [
        f'[[counters]]\nname = "Loket {n}"\nkind = "front_office"\n'
        f"services = {list(SERVICES)!r}\n".replace("'", '"')
        for n in range(1, front_office_counters + 1)
    ]
    blocks.append('[[counters]]\nname = "Back Office"\nkind = "back_office"\nservices = []\n')
    # A called ticket can be closed as a no-show at once: that frees the benchmark's counters.
    blocks.append("[queue]\nrecalls_before_no_show = 0\n")
    # The benchmark measures the queue at any hour of the day: the service hours are off.
    blocks.append("[hours]\nenabled = false\n")
    return "\n".join(blocks)


def _make_settings(home: Path, database: Path | None = None) -> Settings:
    """Settings of an office with 8 front-office counters and a back office, in ``home``.

    The database is a copy of ``database`` (made with the same settings), or else created
    with its catalogue.
    """
    home.mkdir(parents=True, exist_ok=True)
    config = home / "ult.toml"
    config.write_text(_settings_text(8), encoding="utf-8")
    settings = load_settings(config, environ={"ULT_HOME": str(home)})
    if database is not None:
        shutil.copyfile(database, settings.store.database)
    else:
        db = connect(settings.store.database)
        apply_catalog(db, settings)
        db.close()
    return settings


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


def _issue_waiting(settings: Settings, count: int) -> None:
    """Issue ``count`` tickets in this process (not measured); they stay waiting."""
    db = connect(settings.store.database)
    queue = Queue(db, settings)
    for n in range(count):
        queue.issue(SERVICES[n % len(SERVICES)], actor="bench-waiting")
    db.close()


# ----------------------------------------------------------------- a year of history


def _template_day(root: Path, per_day: int) -> tuple[list[dict], list[dict]]:
    """One busy day played through the domain: its tickets and their events, as rows.

    ``per_day`` tickets over eight office hours, each issued, called, started, answered,
    explained and finished at one of the eight counters.
    """
    settings = _make_settings(root)
    db = connect(settings.store.database)
    db.execute("PRAGMA synchronous = OFF")  # a scratch file: nothing here is measured
    clock = FakeClock(TEMPLATE_OPENING)
    queue = Queue(db, settings, clock=clock)
    counters = [c.id for c in queue.counters() if c.kind == "front_office"]
    spacing = 8 * 3600 / per_day / 6
    for n in range(per_day):
        counter = counters[n % len(counters)]
        queue.issue(SERVICES[n % len(SERVICES)], actor="kiosk")
        clock.advance(seconds=spacing)
        ticket = queue.call_next(counter, actor="petugas")
        if ticket is None:
            raise RuntimeError("template day: call_next found nothing waiting")
        clock.advance(seconds=spacing)
        queue.start(ticket.id, counter, actor="petugas")
        clock.advance(seconds=spacing)
        queue.answer(ticket.id, counter, actor="petugas", kind="available", text="Dijawab.")
        clock.advance(seconds=spacing)
        queue.explain(ticket.id, counter, actor="petugas", mode="direct")
        clock.advance(seconds=spacing)
        # No identity nor detail in this template day: finished with a recorded reason (SOP 16).
        queue.finish(ticket.id, counter, actor="petugas", incomplete_reason="visitor_declined")
    tickets = list(db.query("SELECT * FROM tickets ORDER BY id"))
    events = list(db.query("SELECT * FROM events WHERE ticket_id IS NOT NULL ORDER BY id"))
    db.close()
    return tickets, events


def _business_days(count: int, before: date) -> list[date]:
    """The ``count`` weekdays before ``before``, oldest first."""
    days: list[date] = []
    day = before
    while len(days) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days[::-1]


def _moved(value: Any, old: str, new: str) -> Any:
    """A timestamp or day of the template day moved to another day (same time of day)."""
    if isinstance(value, str) and value.startswith(old):
        return new + value[len(old) :]
    return value


def seed_history(settings: Settings, root: Path, days: int, per_day: int) -> tuple[int, int]:
    """Give the database ``days`` past business days of ``per_day`` tickets each (see the
    module docstring); returns the tickets and events inserted."""
    tickets, events = _template_day(root / "template", per_day)
    old = TEMPLATE_OPENING.date().isoformat()
    moved_ticket_columns = ("day", "issued_at", "called_at", "started_at", "released_at")
    moved_ticket_columns += ("finished_at",)

    def ticket_rows(day_index: int, new: str) -> Iterator[dict]:
        for row in tickets:
            copy = dict(row)
            copy["id"] = day_index * len(tickets) + row["id"]
            for column in moved_ticket_columns:
                copy[column] = _moved(row[column], old, new)
            copy["token"] = f"{row['token']}-{day_index}"
            yield copy

    def event_rows(day_index: int, new: str) -> Iterator[dict]:
        for row in events:
            copy = {key: value for key, value in row.items() if key != "id"}
            copy["ticket_id"] = day_index * len(tickets) + row["ticket_id"]
            copy["at"] = _moved(row["at"], old, new)
            yield copy

    past = [d.isoformat() for d in _business_days(days, datetime.now(UTC).date())]
    db = connect(settings.store.database)
    try:
        # sqlite-utils writes each batch as one multi-row INSERT, committed on its own.
        db["tickets"].insert_all(
            itertools.chain.from_iterable(ticket_rows(n, day) for n, day in enumerate(past)),
            batch_size=2000,
        )
        db["events"].insert_all(
            itertools.chain.from_iterable(event_rows(n, day) for n, day in enumerate(past)),
            batch_size=2000,
        )
    finally:
        db.close()
    return days * len(tickets), days * len(events)


# ----------------------------------------------------------------- the limit


def _limit_connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _limit_setup(path: str, history_rows: int, history_log: int, waiting: int) -> None:
    """The limit's two tables: ``history_rows`` finished rows and ``history_log`` log rows
    (the appliance's history), then ``waiting`` rows to claim."""
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
        "INSERT INTO items (state, seq, counter) VALUES ('done', ?, ?)",
        ((n, n % 8) for n in range(history_rows)),
    )
    conn.executemany(
        "INSERT INTO log (at, kind, item_id, counter, payload) VALUES (?, 'finished', ?, ?, '{}')",
        (
            ("2026-01-01T01:00:00+00:00", n % max(history_rows, 1), n % 8)
            for n in range(history_log)
        ),
    )
    conn.executemany(
        "INSERT INTO items (state, seq) VALUES ('waiting', ?)",
        ((history_rows + n,) for n in range(waiting)),
    )
    conn.execute("COMMIT")
    conn.close()


# ----------------------------------------------------------------- one process's part


@dataclass(frozen=True)
class Step:
    """One chunk of one workload in one process: ``ops`` operations, recorded or not."""

    workload: str
    ops: int
    repetition: int
    """-1: the warm-up turn, not recorded."""


def _schedule(repetitions: int, chunks: int, ops: int) -> list[Step]:
    """Every process's steps, in order: a warm-up turn, then ``chunks`` turns per repetition,
    each turn running the three workloads in an order that rotates from turn to turn."""
    steps = [Step(w, ops, -1) for w in WORKLOADS]
    turn = 0
    for repetition in range(repetitions):
        for _ in range(chunks):
            order = WORKLOADS[turn % 3 :] + WORKLOADS[: turn % 3]
            steps += [Step(w, ops, repetition) for w in order]
            turn += 1
    return steps


def _worker(
    config: str,
    home: str,
    limit_path: str,
    counter_ids: list[int],
    worker: int,
    steps: list[Step],
    barrier: Any,
    results: Any,
) -> None:
    """Run ``steps`` in this process, each after a barrier; put ``(worker, records, error)``
    with one ``(step index, start, end, latencies)`` record per recorded step."""
    records = []
    try:
        settings = load_settings(Path(config), environ={"ULT_HOME": home})
        queue = Queue(connect(settings.store.database), settings)
        limit = _limit_connect(limit_path)
        held: list[tuple[int, int]] = []
        issued = 0

        def issue() -> None:
            nonlocal issued
            queue.issue(SERVICES[issued % len(SERVICES)], actor="bench")
            issued += 1

        def call() -> None:
            counter_id = counter_ids[len(held)]
            ticket = queue.call_next(counter_id, actor="bench")
            if ticket is None:
                raise RuntimeError(f"call_next on counter {counter_id} found nothing waiting")
            held.append((ticket.id, counter_id))

        def claim() -> None:
            limit.execute("BEGIN IMMEDIATE")
            claimed = limit.execute(
                "UPDATE items SET state = 'claimed', counter = ? WHERE id = "
                "(SELECT id FROM items WHERE state = 'waiting' ORDER BY seq LIMIT 1) "
                "RETURNING id",
                (worker,),
            ).fetchone()
            limit.execute(
                "INSERT INTO log (at, kind, item_id, counter, payload) "
                "VALUES (?, 'called', ?, ?, ?)",
                (time.strftime("%Y-%m-%dT%H:%M:%S"), claimed[0], worker, "{}"),
            )
            limit.execute("COMMIT")

        operations: dict[str, Callable[[], None]] = {
            "issue": issue,
            "call_next": call,
            LIMIT: claim,
        }
        for index, step in enumerate(steps):
            operation = operations[step.workload]
            latencies = []
            barrier.wait(120)
            started = time.monotonic()
            for _ in range(step.ops):
                began = time.perf_counter()
                operation()
                latencies.append(time.perf_counter() - began)
            ended = time.monotonic()
            if step.repetition >= 0:
                records.append((index, started, ended, latencies))
            for ticket_id, counter_id in held:  # before the next barrier: not timed
                queue.no_show(ticket_id, counter_id, actor="bench")
            held.clear()
        queue.db.close()
        limit.close()
        results.put((worker, records, None))
    except BaseException as error:  # report anything, never hang the parent
        barrier.abort()
        results.put((worker, records, f"{type(error).__name__}: {error}"))


# ----------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Figures:
    """One workload in one repetition (or the median over repetitions)."""

    name: str
    processes: int
    ops: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    throughput: float


def _figures(name: str, processes: int, latencies: list[float], wall: float) -> Figures:
    ordered = sorted(latencies)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return Figures(
        name=name,
        processes=processes,
        ops=len(ordered),
        p50_ms=statistics.median(ordered) * 1000,
        p99_ms=cuts[98] * 1000,
        max_ms=ordered[-1] * 1000,
        throughput=len(ordered) / wall,
    )


@dataclass(frozen=True)
class Measured:
    """All repetitions of one process count: ``runs[r][workload]``."""

    processes: int
    runs: list[dict[str, Figures]]


@dataclass(frozen=True)
class History:
    """A database holding the history (closed, so its WAL is merged) and its size."""

    database: Path
    tickets: int
    events: int


def make_history(args: argparse.Namespace, root: Path) -> History:
    """The history database every process count starts from (a copy each)."""
    settings = _make_settings(root / "history")
    tickets, events = seed_history(settings, root / "template", args.days, args.per_day)
    return History(settings.store.database, tickets, events)


def measure(processes: int, args: argparse.Namespace, root: Path, history: History) -> Measured:
    """Run the interleaved schedule in ``processes`` processes on a copy of ``history``."""
    home = root / f"queue-{processes}"
    settings = _make_settings(home, history.database)
    per_process = max(1, args.chunk_ops // processes)
    steps = _schedule(args.repetitions, args.chunks, per_process)
    calls = sum(s.ops for s in steps if s.workload == "call_next")
    # Two call chunks can follow each other without an issue chunk between them.
    _issue_waiting(settings, args.waiting + 2 * per_process * processes)
    counter_ids = _add_bench_counters(settings, processes * per_process)
    limit_path = str(root / f"limit-{processes}.db")
    _limit_setup(limit_path, history.tickets, history.events, processes * calls + args.waiting)

    barrier = _FORK.Barrier(processes)
    results = _FORK.Queue()
    workers = [
        _FORK.Process(
            target=_worker,
            args=(
                str(settings.source),
                str(home),
                limit_path,
                counter_ids[n * per_process : (n + 1) * per_process],
                n,
                steps,
                barrier,
                results,
            ),
        )
        for n in range(processes)
    ]
    for worker in workers:
        worker.start()
    collected = [results.get(timeout=3600) for _ in workers]
    for worker in workers:
        worker.join()
    errors = [error for _, _, error in collected if error]
    if errors:
        raise RuntimeError("benchmark worker failed: " + "; ".join(errors))

    by_step: dict[int, list[tuple[float, float, list[float]]]] = {}
    for _, records, _ in collected:
        for index, started, ended, latencies in records:
            by_step.setdefault(index, []).append((started, ended, latencies))
    runs = []
    for repetition in range(args.repetitions):
        figures = {}
        for workload in WORKLOADS:
            latencies: list[float] = []
            wall = 0.0
            for index, step in enumerate(steps):
                if step.workload != workload or step.repetition != repetition:
                    continue
                parts = by_step[index]
                wall += max(p[1] for p in parts) - min(p[0] for p in parts)
                latencies += [value for p in parts for value in p[2]]
            figures[workload] = _figures(workload, processes, latencies, wall)
        runs.append(figures)
    return Measured(processes, runs)


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


def _profile_setup(root: Path, calls: int, waiting: int) -> tuple[Queue, list[int]]:
    settings = _make_settings(root)
    _issue_waiting(settings, calls + waiting)
    counter_ids = _add_bench_counters(settings, calls)
    return Queue(connect(settings.store.database), settings), counter_ids


def profile_call_next(calls: int, waiting: int, root: Path, top: int) -> str:
    """Where ``calls`` call_next in this process spend their time, as text.

    Two passes on fresh databases: one under cProfile (functions by own time), one with every
    SQL statement timed (cProfile's overhead would inflate the Python share).
    """
    queue, counter_ids = _profile_setup(root / "profile-cprofile", calls, waiting)
    profiler = cProfile.Profile()
    profiler.enable()
    for counter_id in counter_ids:
        queue.call_next(counter_id, actor="bench")
    profiler.disable()
    queue.db.close()
    out = io.StringIO()
    out.write(f"cProfile, {calls} call_next in one process, by own time:\n")
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)

    queue, counter_ids = _profile_setup(root / "profile-sql", calls, waiting)
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


@dataclass(frozen=True)
class Spread:
    """A ratio over the repetitions: its median, lowest and highest."""

    median: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.median:.2f}x [{self.low:.2f}-{self.high:.2f}]"


def _spread(values: list[float]) -> Spread:
    return Spread(statistics.median(values), min(values), max(values))


def _ratios(measured: Measured, workload: str) -> tuple[Spread, Spread]:
    """``workload``'s p99 and throughput over the limit's, per repetition: their spreads."""
    p99 = [run[workload].p99_ms / run[LIMIT].p99_ms for run in measured.runs]
    rate = [run[workload].throughput / run[LIMIT].throughput for run in measured.runs]
    return _spread(p99), _spread(rate)


def _table(all_measured: list[Measured]) -> str:
    header = (
        f"{'operation':<20} {'procs':>5} {'ops/rep':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'ops/s':>6}  {'p99/limit [min-max]':<22} {'ops/s/limit [min-max]'}"
    )
    lines = [header, "-" * len(header)]
    for measured in all_measured:
        for workload in WORKLOADS:
            runs = [run[workload] for run in measured.runs]
            p99, rate = _ratios(measured, workload)
            lines.append(
                f"{workload:<20} {measured.processes:>5} {runs[0].ops:>7} "
                f"{statistics.median(f.p50_ms for f in runs):>7.2f} "
                f"{statistics.median(f.p99_ms for f in runs):>7.2f} "
                f"{statistics.median(f.max_ms for f in runs):>7.1f} "
                f"{statistics.median(f.throughput for f in runs):>6.0f}  "
                f"{p99!s:<22} {rate!s}"
            )
    return "\n".join(lines)


def _goals(all_measured: list[Measured]) -> tuple[str, bool]:
    """The issue's goals, judged on the median ratio; how many repetitions met each."""
    lines = []
    all_met = True
    for measured in all_measured:
        p99, rate = _ratios(measured, "call_next")
        runs = measured.runs
        p99_count = sum(r["call_next"].p99_ms <= P99_GOAL * r[LIMIT].p99_ms for r in runs)
        rate_count = sum(
            r["call_next"].throughput >= THROUGHPUT_GOAL * r[LIMIT].throughput for r in runs
        )
        p99_met = p99.median <= P99_GOAL
        rate_met = rate.median >= THROUGHPUT_GOAL
        all_met = all_met and p99_met and rate_met
        lines.append(
            f"call_next, {measured.processes} process(es): p99 {p99} the limit "
            f"(goal <= {P99_GOAL:g}x): {'MET' if p99_met else 'MISSED'}, "
            f"in {p99_count}/{len(runs)} repetitions; throughput {rate} "
            f"(goal >= {THROUGHPUT_GOAL:g}x): {'MET' if rate_met else 'MISSED'}, "
            f"in {rate_count}/{len(runs)}"
        )
    return "\n".join(lines), all_met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--processes", type=int, default=8, help="processes for the parallel run (default 8)"
    )
    parser.add_argument(
        "--chunk-ops",
        type=int,
        default=64,
        help="operations of one workload in a row, over all processes (default 64)",
    )
    parser.add_argument(
        "--chunks", type=int, default=10, help="turns of the three workloads per repetition (10)"
    )
    parser.add_argument(
        "--repetitions", type=int, default=7, help="repetitions; median and spread shown (7)"
    )
    parser.add_argument(
        "--days", type=int, default=250, help="business days of history before timing (250)"
    )
    parser.add_argument(
        "--per-day", type=int, default=300, help="tickets per day of history (default 300)"
    )
    parser.add_argument(
        "--waiting", type=int, default=50, help="tickets waiting when timing starts (50)"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also profile N call_next in this process (cProfile and per SQL statement)",
    )
    parser.add_argument("--dir", type=Path, help="parent of the temporary directory")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: check that it runs (figures mean nothing)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        vars(args).update(SMOKE)

    print(f"machine: {_machine()}")
    print(
        f"load average {os.getloadavg()[0]:.2f}; history {args.days} days x {args.per_day} "
        f"tickets; {args.waiting} waiting; chunks of {args.chunk_ops} ops, {args.chunks} turns "
        f"per repetition, {args.repetitions} repetitions",
        flush=True,
    )
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ult-bench-", dir=args.dir) as tmp:
        seeding = time.monotonic()
        history = make_history(args, Path(tmp))
        print(
            f"history: {history.tickets} tickets, {history.events} events, "
            f"{history.database.stat().st_size / 2**20:.0f} MB, "
            f"made in {time.monotonic() - seeding:.1f} s",
            flush=True,
        )
        all_measured = []
        for processes in sorted({1, args.processes}):
            all_measured.append(measure(processes, args, Path(tmp), history))
            print(f"{processes} process(es) done", flush=True)
        print()
        print("medians over the repetitions; ratios against the limit of the same repetition")
        print(_table(all_measured))
        print()
        verdict, all_met = _goals(all_measured)
        print(verdict)
        print(f"all call_next goals met: {'yes' if all_met else 'NO'}")
        if args.profile:
            print()
            print(profile_call_next(args.profile, args.waiting, Path(tmp), 25))
    print(f"load average {os.getloadavg()[0]:.2f}; total time {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
