"""SOP step timing: which event opens and closes each step, its standard time (Mutu Baku),
and the step a ticket is in now.

Source: ``shared/SOP.md`` ("The 16 steps and their standard time"). Everything here is
derived from :data:`ult.sop.TRANSITIONS` and :data:`ult.sop.STANDARD_MINUTES`; the one
written rule is :data:`QUEUE_STATES`. A step is closed by the events of the actions that
record it, and opened by the events that brought the ticket to where those actions start:
step 6 (the visitor walks to the desk) opens with ``called`` or ``recalled`` and closes
with ``started``. Within one state, actions that keep the state (identify, detail) are
steps taken in order: while serving, 7, then 8, then 9.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from ult import sop
from ult.clock import from_stamp

if TYPE_CHECKING:
    import sqlite_utils


QUEUE_STATES = frozenset({sop.WAITING})
"""States that are timed by no step: a waiting ticket waits in line for a free counter,
which is the queue's wait (reported as waiting time), not an officer's step 5."""


@dataclass(frozen=True)
class Step:
    """One SOP step: its number, its standard minutes, the event kinds that close it (its
    actions' events) and those that open it (the earlier steps' events that lead to where
    its actions start). Steps 1-2 happen before a ticket exists: both empty. Steps 3-4
    open with nothing recorded (the visitor is at reception; a reactivation loops back).
    """

    number: int
    standard_minutes: int
    opened_by: frozenset[str]
    closed_by: frozenset[str]


@dataclass(frozen=True)
class StateSteps:
    """The steps a ticket in one state works through.

    ``entered_by``: the event kinds that bring a ticket to the state (they open its
    steps); ``in_place``: ``(step, event)`` of the actions that keep the state, in step
    order, each done once; ``next_step``: the step of the first action that leaves it.
    """

    entered_by: frozenset[str]
    in_place: tuple[tuple[int, str], ...]
    next_step: int


def _entering(state: str) -> list[sop.Transition]:
    return [t for t in sop.TRANSITIONS.values() if t.target == state and t.step is not None]


def _leaving(state: str) -> list[sop.Transition]:
    return [t for t in sop.TRANSITIONS.values() if state in t.sources and t.step is not None]


def _state_steps(state: str) -> StateSteps | None:
    entering = _entering(state)
    if not entering or state in QUEUE_STATES:
        return None
    entered_at = min(t.step for t in entering if t.step is not None)
    # Only steps after the one that brought the ticket here: identify may be repeated
    # after an answer, but the answered ticket waits for its explanation (15), not for 7.
    ahead = sorted(
        (t for t in _leaving(state) if t.step is not None and t.step > entered_at),
        key=lambda t: t.step or 0,
    )
    in_place = tuple((t.step, t.event) for t in ahead if t.target is None and t.step)
    moving = [t.step for t in ahead if t.target is not None and t.step]
    if not moving:
        return None
    return StateSteps(frozenset(t.event for t in entering), in_place, min(moving))


STATE_STEPS: dict[str, StateSteps] = {
    state: found for state in sop.STATES if (found := _state_steps(state)) is not None
}
"""The timed states (the others have no open step: waiting, no-show, closed)."""


def _step(number: int) -> Step:
    closing = [t for t in sop.TRANSITIONS.values() if t.step == number]
    opened: set[str] = set()
    for source in {state for t in closing for state in t.sources}:
        earlier = [t for t in _entering(source) if (t.step or 0) < number]
        opened |= {t.event for t in earlier}
        if earlier:  # and the in-place steps taken since then (7 and 8 before 9)
            floor = min(t.step or 0 for t in earlier)
            opened |= {
                t.event
                for t in _leaving(source)
                if t.target is None and floor < (t.step or 0) < number
            }
    return Step(
        number,
        sop.STANDARD_MINUTES[number],
        frozenset(opened),
        frozenset(t.event for t in closing),
    )


STEPS: dict[int, Step] = {number: _step(number) for number in sorted(sop.STANDARD_MINUTES)}
"""Every SOP step, 1..16."""

STEP_EVENT_KINDS: tuple[str, ...] = tuple(
    sorted(
        {kind for rule in STATE_STEPS.values() for kind in rule.entered_by}
        | {event for rule in STATE_STEPS.values() for _, event in rule.in_place}
    )
)
"""The event kinds :func:`step_timer` reads: those that open or advance a timed step."""


@dataclass(frozen=True)
class StepTimer:
    """The open SOP step of a ticket: since when (aware UTC), against its standard."""

    step: int
    since: datetime
    standard_minutes: int
    elapsed_seconds: int

    @property
    def overdue(self) -> bool:
        """True once the step has taken longer than its standard time (an overrun)."""
        return self.elapsed_seconds > self.standard_minutes * 60


def step_timer(
    state: str, events: Sequence[tuple[str, datetime]], now: datetime
) -> StepTimer | None:
    """The step a ticket in ``state`` is in, from its step events ``[(kind, at)]`` (log
    order; other kinds are ignored); ``None`` for a state with no open step (waiting,
    no-show, closed) or a ticket whose opening event is missing."""
    rule = STATE_STEPS.get(state)
    if rule is None:
        return None
    entries = [i for i, (kind, _) in enumerate(events) if kind in rule.entered_by]
    if not entries:
        return None
    advancing = rule.entered_by | {event for _, event in rule.in_place}
    current = [(kind, at) for kind, at in events[entries[-1] :] if kind in advancing]
    done = {kind for kind, _ in current}
    step = next((s for s, event in rule.in_place if event not in done), rule.next_step)
    since = current[-1][1]
    elapsed = int((now - since).total_seconds())
    return StepTimer(step, since, sop.STANDARD_MINUTES[step], max(elapsed, 0))


class _Held(Protocol):
    id: int
    state: str


def step_timers(
    db: sqlite_utils.Database, tickets: Iterable[_Held], now: datetime
) -> dict[int, StepTimer]:
    """The open step of each ticket (any object with ``id`` and ``state``), by ticket id,
    read in one query; tickets with no open step are left out."""
    by_id = {t.id: t for t in tickets}
    if not by_id:
        return {}
    marks = ", ".join("?" * len(by_id))
    kinds = ", ".join("?" * len(STEP_EVENT_KINDS))
    found = db.execute(
        f"SELECT ticket_id, kind, at FROM events WHERE ticket_id IN ({marks}) "
        f"AND kind IN ({kinds}) ORDER BY id",
        (*by_id, *STEP_EVENT_KINDS),
    )
    events: dict[int, list[tuple[str, datetime]]] = {}
    for ticket_id, kind, at in found:
        events.setdefault(ticket_id, []).append((kind, from_stamp(at)))
    timers = {}
    for ticket_id, ticket in by_id.items():
        timer = step_timer(ticket.state, events.get(ticket_id, []), now)
        if timer is not None:
            timers[ticket_id] = timer
    return timers
