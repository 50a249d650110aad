"""The everyday reads cost the same however long the event log has grown (issue 11, section 5).

Time is a poor judge on a shared machine, so the work is counted instead: SQLite's virtual
machine instructions (a progress handler called every few of them). A read that sorts or
scans history does several times the work after a few hundred calls; one that walks an
index from its end does the same work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlite_utils

from tests.conftest import fresh_database, make_settings
from ult.clock import FakeClock
from ult.queries import (
    board_state,
    called_on,
    counter_queue,
    printer_state,
    waiting_per_service,
)
from ult.queue import Queue
from ult.steps import step_timers

TICK = 10
"""Instructions per progress-handler call."""


def vm_steps(db: sqlite_utils.Database, read: Callable[[], object]) -> int:
    """About how many SQLite VM instructions ``read`` runs."""
    count = 0

    def tick() -> int:
        nonlocal count
        count += 1
        return 0

    db.conn.set_progress_handler(tick, TICK)
    try:
        read()
    finally:
        db.conn.set_progress_handler(None, TICK)
    return count * TICK


@pytest.fixture
def busy(tmp_path: Path, clock: FakeClock) -> Iterator[Queue]:
    settings = make_settings(tmp_path / "home", "[queue]\nrecalls_before_no_show = 0\n")
    db = fresh_database(settings)
    yield Queue(db, settings, clock=clock)
    db.close()


def _calls(queue: Queue, clock: FakeClock, count: int) -> None:
    """``count`` tickets called, recalled and closed as no-shows at Loket 1, all today."""
    for _ in range(count):
        ticket = queue.issue("A", actor="r").ticket
        queue.call_specific("Loket 1", ticket.id, actor="fo")
        clock.advance(seconds=20)  # past the recall cooldown
        queue.recall(ticket.id, "Loket 1", actor="fo")
        queue.no_show(ticket.id, "Loket 1", actor="fo")


def test_everyday_reads_do_not_grow_with_the_calls_behind_them(
    busy: Queue, clock: FakeClock
) -> None:
    held = busy.issue("B", actor="r").ticket
    busy.call_specific("Loket 2", held.id, actor="fo")
    busy.start(held.id, "Loket 2", actor="fo")
    for _ in range(3):
        busy.issue("C", actor="r")
    _calls(busy, clock, 6)
    db = busy.db
    reads: dict[str, Callable[[], object]] = {
        "board_state": lambda: board_state(db),
        "counter_queue": lambda: counter_queue(db, busy.counter("Loket 2").id),
        "waiting_per_service": lambda: waiting_per_service(db),
        "printer_state": lambda: printer_state(db),
        "step_timers": lambda: step_timers(db, [busy.ticket(held.id)], clock()),
        # Not called there: the whole answer must be read, not the first row found.
        "called_on": lambda: called_on(db, busy.today(), held.label, "Loket 1"),
    }
    before = {name: vm_steps(db, read) for name, read in reads.items()}
    _calls(busy, clock, 300)
    after = {name: vm_steps(db, read) for name, read in reads.items()}
    grown = {
        name: (before[name], after[name])
        for name in reads
        if after[name] > before[name] * 1.2 + 200
    }
    assert not grown, f"reads that grew with history (instructions before, after): {grown}"
    assert called_on(db, busy.today(), held.label, "Loket 2")
    assert not called_on(db, busy.today(), held.label, "Loket 1")
