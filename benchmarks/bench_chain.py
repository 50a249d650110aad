"""The event log's hash chain over a year: ``ult verify``, the report book's anchor, the
migration that chains a kept log, and what sealing one event adds.

Run with ``.venv/bin/python benchmarks/bench_chain.py`` (``--help`` lists the sizes). The year
is the one ``bench_reports.py`` uses (:func:`year.cached_year`: ``--days`` 250 business days
of ``--visitors`` 200, about 443,000 events; built once per schema version and cached under
the system's temporary directory), copied into a temporary directory. Measured:

* **verify**: :func:`ult.chain.verify` over the whole log, median of ``--repeats`` after one
  unrecorded; and the process's peak resident memory (``ru_maxrss``) before and after, which
  stays flat when the walk streams;
* **anchor**: :func:`ult.chain.day_anchor` for yesterday (what the book usually prints) and
  for the year's first day (the worst case: read back over the whole year), median of
  ``--repeats``;
* **seal**: the two reads and the hash :func:`ult.eventlog.append` adds to every event
  (:func:`ult.chain.next_link` and :func:`ult.chain.digest`), ``--seals`` times in one read
  transaction, in microseconds: the CPU cost the queue benchmark's issue and call_next pay,
  free of the commit's fsync;
* **migration**: the year put back to the schema before the chain (its two columns dropped,
  ``user_version`` lowered) and migrated again: once (an upgrade is a one-off).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import year

from ult import chain
from ult.migrations import CHAIN_VERSION
from ult.store import connect, migrate

SMOKE = {"days": 2, "visitors": 12, "repeats": 1, "seals": 10, "no_cache": True}
"""The sizes ``--smoke`` sets: every part runs once, quickly (CI); its figures mean nothing."""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median_seconds(action: object, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=250, help="business days of history (250)")
    parser.add_argument("--visitors", type=int, default=200, help="visitors per day (200)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each read (3)")
    parser.add_argument("--seals", type=int, default=20000, help="seals timed (20000)")
    parser.add_argument("--no-cache", action="store_true", help="build the year afresh")
    parser.add_argument("--dir", type=Path, help="parent of the temporary directory")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: check that it runs (figures mean nothing)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        vars(args).update(SMOKE)
    began = time.monotonic()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.days} days x {args.visitors} visitors")
    with tempfile.TemporaryDirectory(prefix="ult-bench-", dir=args.dir) as tmp:
        size = year.YearSize(args.days, args.visitors)
        if args.no_cache:
            settings = year.build_year(Path(tmp) / "year", size)
        else:
            settings, _ = year.cached_year(Path(tmp) / "year", size)
        path = settings.store.database
        db = connect(path)
        events = db.execute("SELECT count(*) FROM events").fetchone()[0]
        print(f"the year: {events} events, {path.stat().st_size / 2**20:.0f} MB", flush=True)

        chain.verify(db)  # unrecorded: the file into the page cache
        before = _peak_mb()
        walk = _median_seconds(lambda: chain.verify(db), args.repeats)
        verdict = chain.verify(db)
        assert verdict.holds and verdict.events == events, verdict
        print(
            f"verify: {walk:.2f} s for {events} events ({events / walk:,.0f} events/s); "
            f"peak resident {before:.1f} MB before, {_peak_mb():.1f} MB after",
            flush=True,
        )

        tz, reset = settings.office.tz, settings.queue.day_reset
        first = date.fromisoformat(db.execute("SELECT min(at) FROM events").fetchone()[0][:10])
        for name, day in (("yesterday", date.today() - timedelta(days=1)), ("first day", first)):
            spent = _median_seconds(lambda d=day: chain.day_anchor(db, d, tz, reset), args.repeats)
            print(f"anchor of {name} ({day}): {spent * 1000:.1f} ms", flush=True)

        db.conn.execute("BEGIN")
        started = time.perf_counter()
        for _ in range(args.seals):
            event_id, prev = chain.next_link(db)
            chain.digest(
                prev, (event_id, "2026-12-04T01:00:00.000000Z", "issued", 1, 2, 4, "a", "{}")
            )
        sealing = (time.perf_counter() - started) / args.seals
        db.conn.execute("COMMIT")
        print(f"seal (next_link + digest): {sealing * 1e6:.1f} us per event", flush=True)
        db.close()

        unchained = Path(tmp) / "unchained" / "ult.db"
        unchained.parent.mkdir()
        shutil.copyfile(path, unchained)
        old = connect(unchained, migrate_schema=False)
        for statement in (
            "ALTER TABLE events DROP COLUMN hash",
            "ALTER TABLE events DROP COLUMN prev_hash",
            f"PRAGMA user_version = {CHAIN_VERSION - 1}",
        ):
            old.execute(statement)
        started = time.perf_counter()
        migrate(old, target=CHAIN_VERSION)
        print(
            f"migration chaining {events} kept events: {time.perf_counter() - started:.1f} s "
            "(with the backup written before it)",
            flush=True,
        )
        assert chain.verify(old).holds
        old.close()
    print(f"total time {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
