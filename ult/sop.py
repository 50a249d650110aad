"""The office procedure as a state machine: ticket states, actions and their SOP steps.

Source: POS H.7/POS/C7.7/2023 of BPMP Sumatera Utara, "Layanan Tatap Muka di Unit Layanan
Terpadu" (``shared/SOP.md``). Each action moves a ticket between states and is recorded as
one event whose ``kind`` names the action's result and whose ``sop_step`` is the step number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ult.kinds import EventKind as K

WAITING = "waiting"
CALLED = "called"
SERVING = "serving"
ANSWERED = "answered"
ESCALATED = "escalated"
BACK_OFFICE = "back_office"
WITH_UNIT = "with_unit"
DISPOSITION_RECEIVED = "disposition_received"
"""The main unit's disposition is with the back office, to be relayed to the front office
(SOP 14), unless ``[escalation] unit_answers_front_office`` sends it there directly."""
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
    DISPOSITION_RECEIVED,
    ANSWER_READY,
    EXPLAINED,
    DONE,
    NO_SHOW,
    CANCELLED,
    EXPIRED,
)
FINAL_STATES = frozenset({DONE, CANCELLED, EXPIRED})
AT_COUNTER_STATES = frozenset({CALLED, SERVING, ANSWERED, EXPLAINED})
"""States in which a front-office counter holds the ticket (at most one per counter)."""
ESCALATION_STATES = frozenset(
    {ESCALATED, BACK_OFFICE, WITH_UNIT, DISPOSITION_RECEIVED, ANSWER_READY}
)
"""States of a case away from the front-office counter; they survive the day reset."""

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
    event: K
    sources: frozenset[str]
    target: str | None
    step: int | None


def _t(action: str, event: K, sources: Iterable[str], target: str | None, step: int | None):
    return Transition(action, event, frozenset(sources), target, step)


_OPEN = [s for s in STATES if s not in FINAL_STATES]

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("issue", K.ISSUED, (), WAITING, 3),
        _t("reactivate", K.REACTIVATED, [NO_SHOW], WAITING, 4),
        _t("call", K.CALLED, [WAITING], CALLED, 5),
        _t("recall", K.RECALLED, [CALLED], CALLED, 5),
        _t("no_show", K.NO_SHOW, [CALLED], NO_SHOW, 5),
        _t("start", K.STARTED, [CALLED], SERVING, 6),
        _t("identify", K.IDENTIFIED, [SERVING, ANSWERED, EXPLAINED], None, 7),
        _t("detail", K.DETAILED, [SERVING], None, 8),
        _t("answer", K.ANSWERED, [SERVING], ANSWERED, 9),
        # SOP 9b: the matter is not available at the desk; the FO consults the back office
        # (step 10 runs from here to the escalation).
        _t("consult", K.CONSULTED, [SERVING], None, 9),
        _t("escalate", K.ESCALATED, [SERVING], ESCALATED, 10),
        _t("take", K.TAKEN, [ESCALATED], BACK_OFFICE, 11),
        _t("resolve", K.RESOLVED, [BACK_OFFICE], ANSWER_READY, 12),
        _t("forward", K.FORWARDED, [BACK_OFFICE], WITH_UNIT, 13),
        # The unit's disposition goes to the back office (DIRECT_DISPOSITION_TARGET when the
        # settings let the unit answer the front office), which relays it (SOP 14).
        _t("disposition", K.DISPOSITION, [WITH_UNIT], DISPOSITION_RECEIVED, 14),
        _t("relay", K.RELAYED, [DISPOSITION_RECEIVED], ANSWER_READY, 14),
        # A returned case's visitor is called back to a free counter through the board and
        # the voice (SOP 15: the explanation starts by bringing the visitor back); the
        # ticket stays answer_ready, held by that counter until explained.
        _t("call_back", K.CALLED_BACK, [ANSWER_READY], ANSWER_READY, 15),
        _t("explain", K.EXPLAINED, [ANSWERED, ANSWER_READY], EXPLAINED, 15),
        _t("finish", K.FINISHED, [EXPLAINED], DONE, 16),
        _t("transfer", K.TRANSFERRED, [WAITING, CALLED, SERVING], WAITING, None),
        # Reception marks a waiting visitor as priority (UU 25/2009 Pasal 29), or records
        # the category of a priority ticket issued without one (the kiosk's priority
        # button): same number, same place; the calling rule then puts it first
        # (docs/QUEUE.md "Calling").
        _t("prioritize", K.PRIORITIZED, [WAITING], None, None),
        _t("cancel", K.CANCELLED, [s for s in _OPEN], CANCELLED, None),
        _t("expire", K.EXPIRED, [WAITING, *AT_COUNTER_STATES], EXPIRED, None),
    )
}
"""Every ticket action, by name."""

PRIORITY_CATEGORIES = ("elderly", "disabled", "pregnant", "small_children")
"""Who is served first (UU 25/2009 Pasal 29 ayat (3), *pelayanan khusus*): the elderly
(*lansia*), people with disabilities (*penyandang disabilitas*), pregnant women (*ibu hamil*)
and visitors with small children (*membawa anak kecil*). Stored as the code in
``tickets.priority_category`` and event payloads (no personal data); Indonesian names in
:data:`ult.messages.PRIORITY_CATEGORIES`. Tickets and boards show only "PRIORITAS"."""

DIRECT_DISPOSITION_TARGET = ANSWER_READY
"""Where a disposition leads when ``[escalation] unit_answers_front_office`` is on: the
front office reads it at once, and no relay (SOP 14) is recorded."""

RECORD_EVENTS = (
    K.PRINTED,
    K.PRINT_FAILED,
    K.PRINT_UNCONFIRMED,
    K.PRINT_REQUESTED,
    K.VISITOR_REGISTERED,
)
"""Ticket events outside the state machine that change no state (the ticket's paper and the
requests to print it, the reception's optional registration of the visitor)."""

EVENT_TARGETS: dict[K, str | None] = {
    **{t.event: t.target for t in TRANSITIONS.values()},
    **dict.fromkeys(RECORD_EVENTS),
}
"""The state a ticket is in after an event of each kind (``None``: unchanged)."""
