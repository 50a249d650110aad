"""SOP step timing: the one table of which events open and close each timed step, its
standard time (Mutu Baku) and its officer; the step a ticket is in now.

Source: ``shared/SOP.md`` ("The 16 steps and their standard time"), written out for people
in ``docs/QUEUE.md`` ("Step definitions"). The same table feeds the live timer of the staff
pages (:func:`step_timer`) and the step record (:mod:`ult.record`), so the mark a page
shows and the overrun a report counts are one rule.

How a step is found from a ticket's events (log order): an event *opens* a step when its
kind is in the step's ``opened_by`` (a later opener restarts it: a recall restarts the
walk to the desk); an event *closes* the open step among those it may close whose opener
is the latest (ties: the lower step), and a step closes once per opening. The desk steps
7, 8, 9 partition the time from the start to the answer (consultation, escalation): each
closes at most once per start, closing one passes the earlier ones (a detail before the
identity: step 8 runs from the start, step 7 is skipped), and an identity or detail that
closes nothing (saved again, or late) restarts nothing. Steps 1-3 happen
before a ticket exists (reception) and are not timed; steps 4-5 are the queue's wait,
timed as one waiting step against their joint standard and never an officer's overrun.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from ult import sop
from ult.clock import from_stamp
from ult.kinds import EventKind as K

if TYPE_CHECKING:
    import sqlite_utils

FRONT_OFFICE = "front_office"
BACK_OFFICE = "back_office"
MAIN_UNIT = "main_unit"


@dataclass(frozen=True)
class Step:
    """One timed SOP step: ``number`` (1..16; the wait is 4 with ``waiting``), the event
    kinds that open and close it, its standard time in minutes and the officer who answers
    for it (``None`` for the wait: nobody's overrun)."""

    number: int
    opened_by: frozenset[str]
    closed_by: frozenset[str]
    officer: str | None
    standard_minutes: int
    waiting: bool = False

    @property
    def standard_seconds(self) -> int:
        """The standard time in seconds."""
        return self.standard_minutes * 60


def _step(
    number: int,
    opened_by: Iterable[str],
    closed_by: Iterable[str],
    officer: str | None,
    *,
    waiting: bool = False,
) -> Step:
    # The wait covers SOP steps 4 (seated) and 5 (called): their standards add up.
    minutes = sop.STANDARD_MINUTES[number] + (sop.STANDARD_MINUTES[5] if waiting else 0)
    return Step(number, frozenset(opened_by), frozenset(closed_by), officer, minutes, waiting)


STEP_TABLE: tuple[Step, ...] = (
    _step(4, [K.ISSUED, K.REACTIVATED, K.TRANSFERRED], [K.CALLED], None, waiting=True),
    _step(6, [K.CALLED, K.RECALLED], [K.STARTED], FRONT_OFFICE),
    _step(7, [K.STARTED], [K.IDENTIFIED], FRONT_OFFICE),
    _step(8, [K.STARTED, K.IDENTIFIED], [K.DETAILED], FRONT_OFFICE),
    _step(
        9,
        [K.STARTED, K.IDENTIFIED, K.DETAILED],
        [K.ANSWERED, K.CONSULTED, K.ESCALATED],
        FRONT_OFFICE,
    ),
    _step(10, [K.CONSULTED], [K.ESCALATED], FRONT_OFFICE),
    _step(11, [K.ESCALATED], [K.TAKEN], BACK_OFFICE),
    _step(12, [K.TAKEN], [K.RESOLVED, K.FORWARDED], BACK_OFFICE),
    _step(13, [K.FORWARDED], [K.DISPOSITION], MAIN_UNIT),
    _step(14, [K.DISPOSITION], [K.RELAYED], BACK_OFFICE),
    # A disposition opens 15 too: when the unit answers the front office directly, no
    # relay follows; otherwise the relay is the later opener.
    _step(15, [K.ANSWERED, K.RESOLVED, K.RELAYED, K.DISPOSITION], [K.EXPLAINED], FRONT_OFFICE),
    _step(16, [K.EXPLAINED], [K.FINISHED], FRONT_OFFICE),
)
"""Every timed step, in order (written out in ``docs/QUEUE.md``)."""

DESK_STEPS = (7, 8, 9)
"""The desk steps, taken in SOP order between the start and the answer, consultation or
escalation: consecutive, never overlapping (see :func:`walk`)."""

STEPS: dict[int, Step] = {step.number: step for step in STEP_TABLE}
"""The timed steps by number."""

STEP_EVENT_KINDS: tuple[str, ...] = tuple(
    sorted({kind for step in STEP_TABLE for kind in step.opened_by | step.closed_by})
)
"""The event kinds that open or close a step: all the step record and the timer read."""

DESK_PATH_MINUTES = sum(sop.STANDARD_MINUTES[n] for n in (*range(1, 10), 15, 16))
"""The SOP's fastest path, answered at the desk (steps 1-9, 15, 16), in minutes.

SOP.md's prose says 38; its table adds up to 37, and the table is the rule."""
FULL_PATH_MINUTES = sum(sop.STANDARD_MINUTES.values())
"""The SOP's longest path, through the main unit (all 16 steps), in minutes (58)."""


@dataclass(frozen=True)
class Closed:
    """One step closed by one event: the indexes of its opening and closing events."""

    step: Step
    opened: int
    closed: int


_CLOSES: dict[str, tuple[Step, ...]] = {
    kind: tuple(s for s in STEP_TABLE if kind in s.closed_by) for kind in STEP_EVENT_KINDS
}
_OPENS: dict[str, tuple[int, ...]] = {
    kind: tuple(s.number for s in STEP_TABLE if kind in s.opened_by) for kind in STEP_EVENT_KINDS
}


def walk(kinds: Sequence[str]) -> tuple[list[Closed], dict[int, int]]:
    """Apply the table to one ticket's event kinds (log order; other kinds are skipped).

    Returns the steps closed (one per closing event at most) and the steps still open, as
    ``{step number: index of its opening event}``. The desk steps (:data:`DESK_STEPS`)
    partition the desk: see the module's rule.
    """
    open_at: dict[int, int] = {}
    closed: list[Closed] = []
    passed: set[int] = set()  # desk steps closed or skipped since the last start
    for index, kind in enumerate(kinds):
        if kind == K.STARTED:
            passed = set()
        candidates = [
            s for s in _CLOSES.get(kind, ()) if s.number in open_at and s.number not in passed
        ]
        step = None
        if candidates:
            # The latest opener wins; on a tie the earlier step (max keeps the first of
            # equals, and the table is in step order).
            step = max(candidates, key=lambda s: open_at[s.number])
            closed.append(Closed(step, open_at.pop(step.number), index))
            if step.number in DESK_STEPS:
                # The desk steps are consecutive: closing one passes the earlier ones
                # (skipped: their time is in this one), so the times partition the desk.
                for number in DESK_STEPS[: DESK_STEPS.index(step.number) + 1]:
                    passed.add(number)
                    open_at.pop(number, None)
        for number in _OPENS.get(kind, ()):
            # A passed desk step never reopens, and only a closing event restarts a
            # running one: a repeated identity or detail leaves the running step alone.
            if number in passed or (number in DESK_STEPS and number in open_at and not step):
                continue
            open_at[number] = index
    return closed, open_at


def _closable(state: str) -> frozenset[int]:
    """The officers' steps an action allowed from ``state`` may close."""
    kinds = {t.event for t in sop.TRANSITIONS.values() if state in t.sources}
    return frozenset(s.number for s in STEP_TABLE if not s.waiting and s.closed_by & kinds)


CLOSABLE: dict[str, frozenset[int]] = {
    state: found for state in sop.STATES if (found := _closable(state))
}
"""The timed states: the steps a ticket in each may be working on (waiting, no-show and
closed tickets have none)."""


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
    """The step a ticket in ``state`` is in, from its events ``[(kind, at)]`` (log order;
    other kinds are ignored); ``None`` for a state with no open step (waiting, no-show,
    closed) or a ticket whose opening event is missing. Elapsed time never goes negative
    (a clock set back)."""
    closable = CLOSABLE.get(state)
    if not closable:
        return None
    steps = [(kind, at) for kind, at in events if kind in STEP_EVENT_KINDS]
    _, open_at = walk([kind for kind, _ in steps])
    candidates = [(index, -number) for number, index in open_at.items() if number in closable]
    if not candidates:
        return None
    index, negative = max(candidates)
    since = steps[index][1]
    elapsed = int((now - since).total_seconds())
    return StepTimer(-negative, since, STEPS[-negative].standard_minutes, max(elapsed, 0))


class _Held(Protocol):
    id: int
    state: str


def step_timers(
    db: sqlite_utils.Database, tickets: Iterable[_Held], now: datetime
) -> dict[int, StepTimer]:
    """The open step of each ticket (any object with ``id`` and ``state``), by ticket id,
    read in one query; tickets with no open step are left out."""
    by_id = {t.id: t for t in tickets if t.state in CLOSABLE}
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
