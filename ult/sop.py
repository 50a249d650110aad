"""The office procedure as a state machine: ticket states, actions and their SOP steps.

Source: POS H.7/POS/C7.7/2023 of BPMP Sumatera Utara, "Layanan Tatap Muka di Unit Layanan
Terpadu" (``shared/SOP.md``). Each action moves a ticket between states and is recorded as
one event whose ``kind`` names the action's result and whose ``sop_step`` is the step number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

WAITING = "waiting"
CALLED = "called"
SERVING = "serving"
ANSWERED = "answered"
ESCALATED = "escalated"
BACK_OFFICE = "back_office"
WITH_UNIT = "with_unit"
ANSWER_READY = "answer_ready"
EXPLAINED = "explained"
DONE = "done"
NO_SHOW = "no_show"
CANCELLED = "cancelled"
EXPIRED = "expired"

STATES = (
    WAITING,
    CALLED,
    SERVING,
    ANSWERED,
    ESCALATED,
    BACK_OFFICE,
    WITH_UNIT,
    ANSWER_READY,
    EXPLAINED,
    DONE,
    NO_SHOW,
    CANCELLED,
    EXPIRED,
)
FINAL_STATES = frozenset({DONE, CANCELLED, EXPIRED})
AT_DESK_STATES = frozenset({CALLED, SERVING, ANSWERED, EXPLAINED})
"""States in which a front-office counter holds the ticket (at most one per counter)."""
ESCALATION_STATES = frozenset({ESCALATED, BACK_OFFICE, WITH_UNIT, ANSWER_READY})
"""States of a case away from the desk; they survive the day reset."""

STANDARD_MINUTES: dict[int, int] = {
    1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3, 8: 3,
    9: 3, 10: 5, 11: 3, 12: 3, 13: 5, 14: 5, 15: 5, 16: 5,
}  # fmt: skip
"""Standard time (Mutu Baku) of each SOP step, in minutes."""


@dataclass(frozen=True)
class Transition:
    """One action of the procedure.

    ``event`` is the kind of the event it appends; ``sources`` the states it is allowed
    from; ``target`` the state it leads to (``None``: the state does not change);
    ``step`` the SOP step it records (``None`` for housekeeping outside the 16 steps).
    """

    action: str
    event: str
    sources: frozenset[str]
    target: str | None
    step: int | None


def _t(action: str, event: str, sources: Iterable[str], target: str | None, step: int | None):
    return Transition(action, event, frozenset(sources), target, step)


_OPEN = [s for s in STATES if s not in FINAL_STATES]

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("issue", "issued", (), WAITING, 3),
        _t("reactivate", "reactivated", [NO_SHOW], WAITING, 4),
        _t("call", "called", [WAITING], CALLED, 5),
        _t("recall", "recalled", [CALLED], CALLED, 5),
        _t("no_show", "no_show", [CALLED], NO_SHOW, 5),
        _t("start", "started", [CALLED], SERVING, 6),
        _t("identify", "identified", [SERVING, ANSWERED, EXPLAINED], None, 7),
        _t("detail", "detailed", [SERVING], None, 8),
        _t("answer", "answered", [SERVING], ANSWERED, 9),
        _t("escalate", "escalated", [SERVING], ESCALATED, 10),
        _t("take", "taken", [ESCALATED], BACK_OFFICE, 11),
        _t("resolve", "resolved", [BACK_OFFICE], ANSWER_READY, 12),
        _t("forward", "forwarded", [BACK_OFFICE], WITH_UNIT, 13),
        _t("directions", "directions", [WITH_UNIT], ANSWER_READY, 14),
        _t("explain", "explained", [ANSWERED, ANSWER_READY], EXPLAINED, 15),
        _t("finish", "finished", [EXPLAINED], DONE, 16),
        _t("transfer", "transferred", [WAITING, CALLED, SERVING], WAITING, None),
        _t("cancel", "cancelled", [s for s in _OPEN], CANCELLED, None),
        _t("expire", "expired", [WAITING, *AT_DESK_STATES], EXPIRED, None),
    )
}
"""Every ticket action, by name."""

RECORD_EVENTS = (
    "printed",
    "print_failed",
    "print_unconfirmed",
    "print_requested",
    "visitor_registered",
)
"""Ticket events outside the state machine that change no state (the ticket's paper and the
requests to print it, the reception's optional registration of the visitor)."""

EVENT_TARGETS: dict[str, str | None] = {
    **{t.event: t.target for t in TRANSITIONS.values()},
    **dict.fromkeys(RECORD_EVENTS),
}
"""The state a ticket is in after an event of each kind (``None``: unchanged)."""


def replay_states(events: Iterable[tuple[int, str]]) -> dict[int, str]:
    """Rebuild every ticket's state from its events, in log order.

    ``events`` yields ``(ticket_id, kind)`` pairs; events of other kinds (counter pauses,
    day starts, warnings) carry no ticket and are skipped by the caller. Returns
    ``{ticket_id: state}``. Raises ``ValueError`` for a ticket event of unknown kind.
    """
    states: dict[int, str] = {}
    for ticket_id, kind in events:
        if kind not in EVENT_TARGETS:
            raise ValueError(f"unknown ticket event kind {kind!r}")
        target = EVENT_TARGETS[kind]
        if target is not None:
            states[ticket_id] = target
    return states
