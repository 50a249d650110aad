"""Random sequences of queue operations keep the queue's promises (hypothesis, stateful).

A small model of the tickets, written here from the rules (not from the implementation),
is checked against the store after every step.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tests.conftest import OPENING, make_settings
from tests.ult.checks import integrity_ok, replay_states
from ult import record, sop
from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.errors import QueueError
from ult.queries import board_state
from ult.queue import Queue
from ult.store import connect

FRONT = ("Loket 1", "Loket 2")
BACK = "Back Office"
SERVICES = "ABCD"
AT_DESK = {"called", "serving", "answered", "explained"}


class QueueMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.home = Path(tempfile.mkdtemp(prefix="ult-stateful-"))
        self.settings = make_settings(self.home)
        self.db = connect(self.settings.store.database)
        apply_catalog(self.db, self.settings)
        self.clock = FakeClock(OPENING)
        self.queue = Queue(self.db, self.settings, clock=self.clock)
        self.model: dict[int, str] = {}  # ticket id -> expected state
        self.holder: dict[int, str] = {}  # ticket id -> front-office counter holding it
        self.issued: list[tuple[str, str, int]] = []  # (service, day, number)

    def teardown(self) -> None:
        self.db.close()
        shutil.rmtree(self.home, ignore_errors=True)

    # ----------------------------------------------------------------- helpers

    def _pick(self, index: int, states: set[str]) -> int | None:
        candidates = sorted(t for t, s in self.model.items() if s in states)
        return candidates[index % len(candidates)] if candidates else None

    def _snapshot(self) -> tuple:
        return (
            self.db.execute("SELECT * FROM tickets ORDER BY id").fetchall(),
            self.db.execute("SELECT COUNT(*) FROM events").fetchone()[0],
        )

    def _try(self, operation) -> object | None:
        """Run an operation; a refusal must leave the store exactly as it was."""
        self.queue.roll_over()
        before = self._snapshot()
        try:
            return operation()
        except QueueError as error:
            assert error.message
            assert self._snapshot() == before
            return None

    def _free(self, counter: str) -> bool:
        return counter not in self.holder.values()

    # ----------------------------------------------------------------- rules

    @rule(service=st.sampled_from(SERVICES), priority=st.booleans())
    def issue(self, service: str, priority: bool) -> None:
        issued = self.queue.issue(service, actor="r", priority=priority)
        ticket = issued.ticket
        assert ticket.id not in self.model
        assert issued.waiting_ahead >= 0 and issued.estimated_wait_minutes >= 0
        self.model[ticket.id] = "waiting"
        self.issued.append((ticket.issued_service, ticket.day.isoformat(), ticket.number))

    @rule(counter=st.sampled_from(FRONT))
    def call_next(self, counter: str) -> None:
        waiting = [t for t, s in self.model.items() if s == "waiting"]
        if not self._free(counter):
            assert self._try(lambda: self.queue.call_next(counter, actor="fo")) is None
            return
        ticket = self.queue.call_next(counter, actor="fo")
        if not waiting:
            assert ticket is None
            return
        assert ticket is not None and self.model[ticket.id] == "waiting"
        self.model[ticket.id] = "called"
        self.holder[ticket.id] = counter

    @rule(index=st.integers(0, 50), counter=st.sampled_from(FRONT))
    def call_specific(self, index: int, counter: str) -> None:
        target = self._pick(index, {"waiting"})
        if target is None:
            return
        done = self._try(lambda: self.queue.call_specific(counter, target, actor="fo"))
        assert (done is not None) == self._free(counter)
        if done is not None:
            self.model[target] = "called"
            self.holder[target] = counter

    @rule(seconds=st.integers(1, 40))
    def wait(self, seconds: int) -> None:
        self.clock.advance(seconds=seconds)

    @rule()
    def next_day(self) -> None:
        self.clock.advance(days=1)
        self.queue.roll_over()
        # The reset closes what waits and what was left at a desk; escalations stay open.
        for ticket, state in self.model.items():
            if state == "waiting" or state in AT_DESK:
                self.model[ticket] = "expired"
                self.holder.pop(ticket, None)
            elif state == "answer_ready":  # called back yesterday: open, the counter freed
                self.holder.pop(ticket, None)

    @rule(index=st.integers(0, 50))
    def recall(self, index: int) -> None:
        target = self._pick(index, {"called"})
        if target is not None:
            self._try(lambda: self.queue.recall(target, self.holder[target], actor="fo"))

    @rule(index=st.integers(0, 50))
    def no_show(self, index: int) -> None:
        target = self._pick(index, {"called"})
        if target is None:
            return
        counter = self.holder[target]
        if self._try(lambda: self.queue.no_show(target, counter, actor="fo")) is not None:
            self.model[target] = "no_show"
            del self.holder[target]

    @rule(index=st.integers(0, 50))
    def reactivate(self, index: int) -> None:
        target = self._pick(index, {"no_show"})
        if target is not None and self._try(lambda: self.queue.reactivate(target, actor="r")):
            self.model[target] = "waiting"

    @rule(index=st.integers(0, 50), step=st.sampled_from(["start", "answer", "explain", "finish"]))
    def desk(self, index: int, step: str) -> None:
        source = {
            "start": "called",
            "answer": "serving",
            "explain": "answered",
            "finish": "explained",
        }[step]
        target = self._pick(index, {source})
        if target is None:
            return
        counter = self.holder[target]
        calls = {
            "start": lambda: self.queue.start(target, counter, actor="fo"),
            "answer": lambda: self.queue.answer(
                target, counter, actor="fo", kind="available", text="jawab"
            ),
            "explain": lambda: self.queue.explain(target, counter, actor="fo", mode="direct"),
            # This walk records no identity nor detail: the recorded reason (SOP 16).
            "finish": lambda: self.queue.finish(
                target, counter, actor="fo", incomplete_reason="visitor_declined"
            ),
        }
        assert self._try(calls[step]) is not None
        self.model[target] = {
            "start": "serving",
            "answer": "answered",
            "explain": "explained",
            "finish": "done",
        }[step]
        if step == "finish":
            del self.holder[target]

    @rule(index=st.integers(0, 50))
    def escalate(self, index: int) -> None:
        target = self._pick(index, {"serving"})
        if target is None:
            return
        counter = self.holder.pop(target)
        assert self._try(lambda: self.queue.escalate(target, counter, actor="fo", note="?"))
        self.model[target] = "escalated"

    @rule(index=st.integers(0, 50))
    def consult(self, index: int) -> None:
        target = self._pick(index, {"serving"})
        if target is not None:
            counter = self.holder[target]
            assert self._try(lambda: self.queue.consult(target, counter, actor="fo"))

    @rule(minutes=st.integers(1, 30))
    def clock_set_back(self, minutes: int) -> None:
        # A Pi without a battery clock booting with an old time (PITFALLS).
        self.clock.advance(minutes=-minutes)

    @rule(
        index=st.integers(0, 50),
        path=st.sampled_from(["take", "resolve", "forward", "disp", "relay"]),
    )
    def back_office(self, index: int, path: str) -> None:
        source = {
            "take": "escalated",
            "resolve": "back_office",
            "forward": "back_office",
            "disp": "with_unit",
            "relay": "disposition_received",
        }[path]
        target = self._pick(index, {source})
        if target is None:
            return
        calls = {
            "take": lambda: self.queue.take(target, BACK, actor="bo"),
            "resolve": lambda: self.queue.resolve(target, BACK, actor="bo", text="ok"),
            "forward": lambda: self.queue.forward(target, BACK, actor="bo", unit="Bagian Umum"),
            "disp": lambda: self.queue.disposition(target, actor="unit", text="arahan"),
            "relay": lambda: self.queue.relay(target, BACK, actor="bo"),
        }
        assert self._try(calls[path]) is not None
        self.model[target] = {
            "take": "back_office",
            "resolve": "answer_ready",
            "forward": "with_unit",
            "disp": "disposition_received",
            "relay": "answer_ready",
        }[path]

    @rule(index=st.integers(0, 50), counter=st.sampled_from(FRONT))
    def call_back(self, index: int, counter: str) -> None:
        """Issue 14: the visitor of a returned case is called back to a counter, which then
        holds it; again only from that counter, after the cooldown."""
        target = self._pick(index, {"answer_ready"})
        if target is None:
            return
        self.clock.advance(seconds=self.settings.queue.recall_cooldown_seconds)
        holder = self.holder.get(target)
        done = self._try(lambda: self.queue.call_back(target, counter, actor="fo"))
        expected = holder == counter if holder is not None else self._free(counter)
        assert (done is not None) == expected
        if done is not None:
            self.holder[target] = counter

    @rule(index=st.integers(0, 50), counter=st.sampled_from(FRONT))
    def explain_returned(self, index: int, counter: str) -> None:
        target = self._pick(index, {"answer_ready"})
        if target is None:
            return
        holder = self.holder.get(target)
        done = self._try(lambda: self.queue.explain(target, counter, actor="fo", mode="indirect"))
        expected = holder == counter if holder is not None else self._free(counter)
        assert (done is not None) == expected
        if done is not None:
            self.model[target] = "explained"
            self.holder[target] = counter

    @rule(index=st.integers(0, 50))
    def cancel(self, index: int) -> None:
        open_states = set(sop.STATES) - sop.FINAL_STATES
        target = self._pick(index, open_states)
        if target is not None:
            assert self._try(lambda: self.queue.cancel(target, actor="s", reason="batal"))
            self.model[target] = "cancelled"
            self.holder.pop(target, None)

    @rule(index=st.integers(0, 50), service=st.sampled_from(SERVICES))
    def transfer(self, index: int, service: str) -> None:
        target = self._pick(index, {"waiting", "called", "serving"})
        if target is None:
            return
        counter = self.holder.get(target)
        moved = self._try(lambda: self.queue.transfer(target, service, actor="fo", counter=counter))
        if moved is not None:
            self.model[target] = "waiting"
            self.holder.pop(target, None)

    @rule(counter=st.sampled_from(FRONT))
    def pause_and_resume(self, counter: str) -> None:
        self.queue.pause(counter, actor="fo")
        assert self._try(lambda: self.queue.call_next(counter, actor="fo")) is None
        self.queue.resume(counter, actor="fo")

    # ----------------------------------------------------------------- invariants

    @invariant()
    def states_match_the_model(self) -> None:
        stored = dict(self.db.execute("SELECT id, state FROM tickets").fetchall())
        assert stored == self.model

    @invariant()
    def numbers_never_repeat_and_have_no_gaps(self) -> None:
        assert len(set(self.issued)) == len(self.issued)
        per_day = Counter((service, day) for service, day, _ in self.issued)
        for (service, day), count in per_day.items():
            numbers = sorted(n for s, d, n in self.issued if (s, d) == (service, day))
            assert numbers == list(range(1, count + 1))

    @invariant()
    def a_counter_holds_at_most_one_open_ticket(self) -> None:
        held = self.db.execute(
            "SELECT counter_id, state FROM tickets WHERE counter_id IS NOT NULL"
        ).fetchall()
        counters = [c for c, _ in held]
        assert len(counters) == len(set(counters))
        # A returned case called back (issue 14) is held while it waits to be explained.
        assert all(state in AT_DESK | {"answer_ready"} for _, state in held)
        at_desk = self.db.execute(
            "SELECT COUNT(*) FROM tickets WHERE state IN ('called', 'serving', 'answered', "
            "'explained')"
        ).fetchone()[0]
        called_back = sum(1 for _, state in held if state == "answer_ready")
        assert at_desk + called_back == len(held) == len(self.holder)

    @invariant()
    def replaying_the_event_log_gives_the_states(self) -> None:
        events = self.db.execute(
            "SELECT ticket_id, kind FROM events WHERE ticket_id IS NOT NULL ORDER BY id"
        ).fetchall()
        assert replay_states(events) == self.model

    @invariant()
    def the_step_record_is_the_logs(self) -> None:
        assert record.differences(self.db) == []
        negative = self.db.execute(
            "SELECT COUNT(*) FROM step_records WHERE seconds < 0 OR overrun_seconds < 0 "
            "OR (ended_at < began_at AND clock_anomaly = 0)"
        ).fetchone()[0]
        assert negative == 0

    @invariant()
    def waiting_counts_match_the_tickets(self) -> None:
        expected = {letter: 0 for letter in SERVICES}
        for ticket_id, state in self.model.items():
            if state == "waiting":
                service = self.db.execute(
                    "SELECT service FROM tickets WHERE id = ?", (ticket_id,)
                ).fetchone()[0]
                expected[service] += 1
        assert board_state(self.db)["waiting"] == expected


QueueMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_queue_machine = pytest.mark.slow(QueueMachine.TestCase)


@pytest.mark.slow
def test_store_integrity_after_a_long_random_day(tmp_path) -> None:
    """A single long run, then the database file itself is sound."""
    machine = QueueMachine()
    try:
        for number in range(200):
            machine.issue(SERVICES[number % 4], number % 7 == 0)
            machine.call_next(FRONT[number % 2])
            machine.wait(20)
            machine.desk(number, "start")
            machine.desk(number, "answer")
            machine.desk(number, "explain")
            machine.desk(number, "finish")
        assert integrity_ok(machine.db)
        machine.states_match_the_model()
        machine.replaying_the_event_log_gives_the_states()
    finally:
        machine.teardown()
