"""SOP step timing (ult/steps.py): derived from the transition table, as SOP.md states it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import OPENING
from ult import sop
from ult.clock import FakeClock
from ult.queue import Queue
from ult.steps import (
    CLOSABLE,
    DESK_PATH_MINUTES,
    FULL_PATH_MINUTES,
    STEP_EVENT_KINDS,
    STEPS,
    StepTimer,
    step_timer,
    step_timers,
    walk,
)

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_the_timed_states_and_their_steps() -> None:
    # Every state an officer works in has its steps; the wait, a no-show and closed
    # tickets have none.
    assert {
        sop.CALLED: {6},
        sop.SERVING: {7, 8, 9, 10},
        sop.ANSWERED: {7, 15},
        sop.EXPLAINED: {7, 16},
        sop.ESCALATED: {11},
        sop.BACK_OFFICE: {12},
        sop.WITH_UNIT: {13},
        sop.DISPOSITION_RECEIVED: {14},
        sop.ANSWER_READY: {15},
    } == CLOSABLE
    assert set(STEP_EVENT_KINDS) == {
        "issued", "reactivated", "transferred", "called", "recalled", "started",
        "identified", "detailed", "answered", "consulted", "escalated", "taken",
        "forwarded", "resolved", "directions", "relayed", "explained", "finished",
    }  # fmt: skip


def test_steps_follow_the_sop_table() -> None:
    assert sorted(STEPS) == [4, *range(6, 17)]
    # SOP.md's table: all 16 steps = 58 minutes; the fastest path (1-9, 15, 16) sums to 37
    # (SOP.md's prose says 38, which its own table does not add up to).
    assert (DESK_PATH_MINUTES, FULL_PATH_MINUTES) == (37, 58)
    wait = STEPS[4]
    assert wait.waiting and wait.officer is None and wait.standard_minutes == 6
    assert wait.opened_by == {"issued", "reactivated", "transferred"}
    assert wait.closed_by == {"called"}
    assert all(s.officer for s in STEPS.values() if not s.waiting)
    assert STEPS[10].standard_minutes == STEPS[13].standard_minutes == 5
    assert STEPS[9].closed_by == {"answered", "consulted", "escalated"}
    assert STEPS[10].opened_by == {"consulted"} and STEPS[10].closed_by == {"escalated"}
    assert STEPS[14].opened_by == {"directions"} and STEPS[14].closed_by == {"relayed"}
    assert STEPS[15].opened_by == {"answered", "resolved", "relayed", "directions"}
    # Every closing event is the event of an action of the state machine.
    events = {t.event for t in sop.TRANSITIONS.values()}
    assert all(s.closed_by <= events and s.opened_by <= events for s in STEPS.values())


def test_escalating_closes_9_or_after_a_consultation_10() -> None:
    direct, _ = walk(["started", "identified", "detailed", "escalated"])
    assert [(c.step.number, c.opened, c.closed) for c in direct] == [
        (7, 0, 1),
        (8, 1, 2),
        (9, 2, 3),
    ]
    consulted, still_open = walk(["started", "detailed", "consulted", "escalated"])
    assert [(c.step.number, c.opened, c.closed) for c in consulted] == [
        (8, 0, 1),
        (9, 1, 2),
        (10, 2, 3),
    ]
    assert still_open[11] == 3  # the escalation opens the back office's step 11
    # A second identification (after an answer) closes nothing: 7 closed once.
    again, _ = walk(["started", "identified", "answered", "identified", "explained"])
    assert [c.step.number for c in again] == [7, 9, 15]


def test_serving_walks_steps_7_8_9_from_the_latest_event() -> None:
    events = [("called", at(0)), ("started", at(2))]
    assert step_timer(sop.SERVING, events, at(3)) == StepTimer(7, at(2), 3, 60)
    events.append(("identified", at(4)))
    assert step_timer(sop.SERVING, events, at(5)) == StepTimer(8, at(4), 3, 60)
    events.append(("detailed", at(6)))
    timer = step_timer(sop.SERVING, events, at(10))
    assert timer == StepTimer(9, at(6), 3, 240)
    assert timer is not None and timer.overdue
    # A detail recorded before the identity: the officer is at step 9 now (the latest
    # opener wins; step 7 stays open until the identity comes).
    skipped = [("started", at(0)), ("detailed", at(1))]
    assert step_timer(sop.SERVING, skipped, at(2)) == StepTimer(9, at(1), 3, 60)
    # A consultation opens step 10 (5 minutes), until the escalation.
    consulted = [*events, ("consulted", at(11))]
    assert step_timer(sop.SERVING, consulted, at(17)) == StepTimer(10, at(11), 5, 360)


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


def test_saving_the_identity_again_restarts_no_desk_step() -> None:
    # Re-saving the identity after the detail: step 9 keeps running from the detail
    # (before, it restarted at the re-save and the time in between fell into no step).
    kinds = ["issued", "called", "started", "identified", "detailed", "identified", "answered"]
    done, still_open = walk(kinds)
    assert [(c.step.number, c.opened, c.closed) for c in done] == [
        (4, 0, 1),
        (6, 1, 2),
        (7, 2, 3),
        (8, 3, 4),
        (9, 4, 6),
    ]
    assert 9 not in still_open and 8 not in still_open
    # The live timer too: step 9 since the detail, not since the re-save.
    events = [("started", at(0)), ("identified", at(2)), ("detailed", at(4))]
    events.append(("identified", at(6)))
    assert step_timer(sop.SERVING, events, at(8)) == StepTimer(9, at(4), 3, 240)


def test_a_detail_before_the_identity_partitions_the_desk_time() -> None:
    # start, detail, identify, answer: step 8 from the start to the detail (7 skipped),
    # step 9 from the detail to the answer; the late identity closes and opens nothing.
    done, still_open = walk(["started", "detailed", "identified", "answered"])
    assert [(c.step.number, c.opened, c.closed) for c in done] == [(8, 0, 1), (9, 1, 3)]
    assert not {7, 8, 9} & set(still_open)
    assert still_open[15] == 3
    events = [("started", at(0)), ("detailed", at(1)), ("identified", at(2))]
    assert step_timer(sop.SERVING, events, at(5)) == StepTimer(9, at(1), 3, 240)
