"""Many processes calling from one database: every ticket is claimed exactly once.

Eight processes, each with its own connection and its own front-office counter, call the
next ticket 300 times from one file holding 2400 waiting tickets. Between two calls a worker
releases its ticket (usually by cancelling it, every tenth time through the whole desk path),
since a counter holds one open ticket at a time. Afterwards the claims the workers saw and the
event log must agree: one ``called`` event per ticket, none lost, none left waiting.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import NO_HOURS
from tests.ult.checks import integrity_ok
from ult import sop
from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.queue import Queue
from ult.settings import load_settings
from ult.store import connect

WORKERS = 8
CALLS_PER_WORKER = 300
TICKETS = WORKERS * CALLS_PER_WORKER
SERVICES = ("A", "B", "C", "D")
FULL_PATH_EVERY = 10
"""Every this many calls, a worker serves the ticket to the end instead of cancelling it."""

# Every process uses a clock frozen at 09:00 in Jakarta on one day, so that all of them agree
# on the business day even if the test runs across the office's midnight.
OPENING = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _settings_text() -> str:
    letters = ", ".join(f'"{s}"' for s in SERVICES)
    return (
        "\n".join(
            f'[[counters]]\nname = "Loket {n}"\nkind = "front_office"\nservices = [{letters}]\n'
            for n in range(1, WORKERS + 1)
        )
        + NO_HOURS
    )


def _worker(config: str, home: str, counter: str, calls: int, barrier, results) -> None:
    """Call ``calls`` times on ``counter`` and report the claimed ids and any error."""
    claimed: list[int] = []
    nothing = 0
    errors: list[str] = []
    try:
        settings = load_settings(Path(config), environ={"ULT_HOME": home})
        db = connect(settings.store.database)
        queue = Queue(db, settings, clock=FakeClock(OPENING))
        actor = f"worker:{counter}"
        barrier.wait(timeout=60)
        for n in range(calls):
            try:
                ticket = queue.call_next(counter, actor=actor)
                if ticket is None:
                    nothing += 1
                    continue
                claimed.append(ticket.id)
                if n % FULL_PATH_EVERY == 0:
                    queue.start(ticket.id, counter, actor=actor)
                    queue.answer(ticket.id, counter, actor=actor, kind="available", text="ok")
                    queue.explain(ticket.id, counter, actor=actor, mode="direct")
                    queue.finish(
                        ticket.id, counter, actor=actor, incomplete_reason="visitor_declined"
                    )
                else:
                    queue.cancel(ticket.id, actor=actor, reason="uji beban", counter=counter)
            except Exception as error:  # every error is reported and fails the test
                errors.append(f"call {n}: {type(error).__name__}: {error}")
        db.close()
    except Exception as error:
        errors.append(f"set-up: {type(error).__name__}: {error}")
    results.put({"counter": counter, "claimed": claimed, "nothing": nothing, "errors": errors})


@pytest.mark.slow
def test_eight_processes_claim_every_ticket_exactly_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    config = home / "ult.toml"
    config.write_text(_settings_text(), encoding="utf-8")
    settings = load_settings(config, environ={"ULT_HOME": str(home)})
    db = connect(settings.store.database)
    apply_catalog(db, settings)
    queue = Queue(db, settings, clock=FakeClock(OPENING))
    for n in range(TICKETS):
        queue.issue(SERVICES[n % len(SERVICES)], actor="test", source="cli")
    issued = {r[0] for r in db.execute("SELECT id FROM tickets")}
    assert len(issued) == TICKETS
    db.close()  # nothing open while the workers run

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    counters = [f"Loket {n}" for n in range(1, WORKERS + 1)]
    processes = [
        context.Process(
            target=_worker,
            args=(str(config), str(home), name, CALLS_PER_WORKER, barrier, results),
        )
        for name in counters
    ]
    started = time.monotonic()
    for process in processes:
        process.start()
    reports = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    elapsed = time.monotonic() - started
    print(f"{WORKERS} processes x {CALLS_PER_WORKER} calls: {elapsed:.1f} s")

    assert [p.exitcode for p in processes] == [0] * WORKERS
    errors = [e for r in reports for e in r["errors"]]
    assert errors == []
    # No worker ever found the queue empty: 2400 tickets for 2400 calls.
    assert {r["counter"]: r["nothing"] for r in reports} == dict.fromkeys(counters, 0)

    # From the workers: every ticket claimed, none twice.
    claims = Counter(ticket_id for r in reports for ticket_id in r["claimed"])
    assert sum(claims.values()) == TICKETS
    assert set(claims) == issued
    assert max(claims.values()) == 1

    db = connect(settings.store.database)
    try:
        assert integrity_ok(db)
        # From the event log: exactly one "called" event per ticket, by the worker's counter.
        ids = {r[0]: r[1] for r in db.execute("SELECT name, id FROM counters")}
        claimed_by = {ticket_id: ids[r["counter"]] for r in reports for ticket_id in r["claimed"]}
        called = db.execute(
            "SELECT ticket_id, counter_id, COUNT(*) FROM events WHERE kind = 'called' "
            "GROUP BY ticket_id"
        ).fetchall()
        assert len(called) == TICKETS
        assert all(count == 1 for _, _, count in called)
        assert {ticket_id: counter_id for ticket_id, counter_id, _ in called} == claimed_by
        # Every ticket was issued once and went through to a final state; no desk holds one.
        issued_events = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT ticket_id) FROM events WHERE kind = 'issued'"
        ).fetchone()
        assert tuple(issued_events) == (TICKETS, TICKETS)
        states = dict(db.execute("SELECT state, COUNT(*) FROM tickets GROUP BY state").fetchall())
        finished = sum(1 for n in range(CALLS_PER_WORKER) if n % FULL_PATH_EVERY == 0)
        assert states == {
            sop.DONE: finished * WORKERS,
            sop.CANCELLED: (CALLS_PER_WORKER - finished) * WORKERS,
        }
        held = db.execute("SELECT COUNT(*) FROM tickets WHERE counter_id IS NOT NULL")
        assert held.fetchone()[0] == 0
        # Each ticket's front-office counter is the one that called it.
        front = dict(db.execute("SELECT id, front_office_counter_id FROM tickets").fetchall())
        assert front == claimed_by
    finally:
        db.close()
