"""SOP step timing (ult/steps.py): derived from the transition table, as SOP.md states it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import OPENING
from ult import sop
from ult.clock import FakeClock
from ult.queue import Queue
from ult.steps import STATE_STEPS, STEP_EVENT_KINDS, STEPS, StepTimer, step_timer, step_timers

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_the_open_step_of_each_state_is_the_one_the_pages_showed() -> None:
    # The table admin/pages.py typed by hand before it was derived: (step, opening events).
    assert {
        state: (rule.next_step if not rule.in_place else None, rule.entered_by)
        for state, rule in STATE_STEPS.items()
    } == {
        sop.CALLED: (6, {"called", "recalled"}),
        sop.SERVING: (None, {"started"}),  # 7, 8 or 9: worked out from the events
        sop.ANSWERED: (15, {"answered"}),
        sop.EXPLAINED: (16, {"explained"}),
        sop.ESCALATED: (11, {"escalated"}),
        sop.BACK_OFFICE: (12, {"taken"}),
        sop.WITH_UNIT: (14, {"forwarded"}),
        sop.ANSWER_READY: (15, {"resolved", "directions"}),
    }
    assert STATE_STEPS[sop.SERVING].in_place == ((7, "identified"), (8, "detailed"))
    assert STATE_STEPS[sop.SERVING].next_step == 9
    # Waiting is the queue's wait; a no-show and closed tickets have no step open.
    for state in (sop.WAITING, sop.NO_SHOW, *sop.FINAL_STATES):
        assert state not in STATE_STEPS
    assert set(STEP_EVENT_KINDS) == {
        "called", "recalled", "started", "identified", "detailed", "answered",
        "escalated", "taken", "forwarded", "resolved", "directions", "explained",
    }  # fmt: skip


def test_steps_follow_the_sop_table() -> None:
    assert sorted(STEPS) == list(range(1, 17))
    # SOP.md's table: all 16 steps = 58 minutes; the fastest path (1-9, 15, 16) sums to 37
    # (SOP.md's prose says 38, which its own table does not add up to).
    assert sum(STEPS[n].standard_minutes for n in [*range(1, 10), 15, 16]) == 37
    assert sum(step.standard_minutes for step in STEPS.values()) == 58
    assert STEPS[1].opened_by == STEPS[1].closed_by == frozenset()
    assert STEPS[5].closed_by == {"called", "recalled", "no_show"}
    assert STEPS[6].opened_by == {"called", "recalled"}
    assert STEPS[6].closed_by == {"started"}
    assert STEPS[9].opened_by == {"started", "identified", "detailed"}
    assert STEPS[13].closed_by == {"forwarded"} and STEPS[13].standard_minutes == 5
    assert STEPS[14].opened_by == {"forwarded"} and STEPS[14].closed_by == {"directions"}
    assert STEPS[15].opened_by == {"answered", "resolved", "directions"}
    # Every recorded step is closed by exactly the events of the actions that record it.
    for transition in sop.TRANSITIONS.values():
        if transition.step is not None:
            assert transition.event in STEPS[transition.step].closed_by


def test_serving_walks_steps_7_8_9_from_the_latest_event() -> None:
    events = [("called", at(0)), ("started", at(2))]
    assert step_timer(sop.SERVING, events, at(3)) == StepTimer(7, at(2), 3, 60)
    events.append(("identified", at(4)))
    assert step_timer(sop.SERVING, events, at(5)) == StepTimer(8, at(4), 3, 60)
    events.append(("detailed", at(6)))
    timer = step_timer(sop.SERVING, events, at(10))
    assert timer == StepTimer(9, at(6), 3, 240)
    assert timer is not None and timer.overdue
    # A detail recorded before the identity: step 7 is still open.
    skipped = [("started", at(0)), ("detailed", at(1))]
    assert step_timer(sop.SERVING, skipped, at(2)) == StepTimer(7, at(1), 3, 60)


def test_a_recall_restarts_the_walk_to_the_desk() -> None:
    events = [("called", at(0)), ("recalled", at(4))]
    timer = step_timer(sop.CALLED, events, at(7))
    assert timer == StepTimer(6, at(4), 3, 180)
    assert timer is not None and not timer.overdue  # exactly the standard is not over it
    later = step_timer(sop.CALLED, events, at(7) + timedelta(seconds=1))
    assert later is not None and later.overdue


def test_no_open_step_without_its_opening_event_or_in_a_queue_or_final_state() -> None:
    assert step_timer(sop.WAITING, [("issued", at(0))], at(30)) is None
    assert step_timer(sop.DONE, [("explained", at(0))], at(30)) is None
    assert step_timer(sop.ESCALATED, [("called", at(0))], at(30)) is None
    # A clock that ran behind never shows a negative time.
    assert step_timer(sop.ESCALATED, [("escalated", at(5))], at(0)) == StepTimer(11, at(5), 3, 0)


def test_step_timers_read_the_event_log(queue: Queue, clock: FakeClock) -> None:
    waiting = queue.issue("A", actor="r").ticket
    case = queue.issue("A", actor="r").ticket
    queue.call_specific("Loket 1", case.id, actor="fo")
    queue.start(case.id, "Loket 1", actor="fo")
    clock.advance(minutes=2)
    queue.escalate(case.id, "Loket 1", actor="fo", note="Perlu cek data")
    clock.advance(minutes=4)
    queue.take(case.id, "Back Office", actor="bo")
    clock.advance(minutes=5)
    timers = step_timers(queue.db, [queue.ticket(waiting.id), queue.ticket(case.id)], clock())
    assert timers == {case.id: StepTimer(12, OPENING + timedelta(minutes=6), 3, 300)}
    assert timers[case.id].overdue
    assert step_timers(queue.db, [], clock()) == {}
