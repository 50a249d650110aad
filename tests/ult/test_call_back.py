"""Calling the visitor of a returned case back to a counter (issue 14, SOP 15)."""

from __future__ import annotations

import json

from tests.ult.test_queue import refused, serve
from ult import sop
from ult.clock import FakeClock
from ult.kinds import CALL_KINDS, EventKind
from ult.queries import board_state, ticket_history
from ult.queue import Queue, Ticket


def returned(queue: Queue) -> Ticket:
    """A case escalated at Loket 1 and resolved by the back office: ``answer_ready``."""
    ticket = serve(queue)
    queue.detail(ticket.id, "Loket 1", actor="fo", text="Tunjangan guru")
    queue.escalate(ticket.id, "Loket 1", actor="fo", note="Perlu Back Office")
    queue.take(ticket.id, "Back Office", actor="bo")
    return queue.resolve(ticket.id, "Back Office", actor="bo", text="Jawaban BO")


def last_event(queue: Queue, ticket: Ticket) -> dict:
    row = queue.db.execute(
        "SELECT kind, sop_step, counter_id, payload FROM events WHERE ticket_id = ? "
        "ORDER BY id DESC LIMIT 1",
        (ticket.id,),
    ).fetchone()
    return {"kind": row[0], "step": row[1], "counter_id": row[2], **json.loads(row[3])}


def test_call_back_holds_the_case_at_the_counter_and_records_a_call(queue: Queue) -> None:
    case = returned(queue)
    loket2 = queue.counter("Loket 2")
    called = queue.call_back(case.id, "Loket 2", actor="fo2")
    # Not a new ticket: same label, still answer_ready, now held by Loket 2.
    assert (called.label, called.state, called.counter_id) == (
        case.label,
        sop.ANSWER_READY,
        loket2.id,
    )
    event = last_event(queue, case)
    assert event["kind"] == EventKind.CALLED_BACK == "called_back"
    assert EventKind.CALLED_BACK in CALL_KINDS
    assert (event["step"], event["counter_id"], event["counter"]) == (15, loket2.id, "Loket 2")
    assert (event["label"], event["recalls"]) == (case.label, 0)
    # The counter is busy with it: no other call until it is explained.
    refused(queue, "counter_busy", queue.call_next, "Loket 2", actor="fo2")


def test_the_board_shows_a_call_back_while_the_case_waits_at_that_counter(
    queue: Queue,
) -> None:
    case = returned(queue)
    queue.call_back(case.id, "Loket 2", actor="fo2")
    latest = board_state(queue.db)["last_calls"][0]
    assert (latest["label"], latest["counter"], latest["current"]) == (case.label, "Loket 2", True)
    assert latest["call_back"] is True and latest["recall"] is False
    # Explained at the desk: the main panel steps back.
    queue.explain(case.id, "Loket 2", actor="fo2", mode="direct")
    latest = board_state(queue.db)["last_calls"][0]
    assert latest["label"] == case.label and latest["current"] is False


def test_calling_back_again_is_the_holders_and_counts_after_the_cooldown(
    queue: Queue, clock: FakeClock
) -> None:
    case = returned(queue)
    queue.call_back(case.id, "Loket 2", actor="fo2")
    refused(queue, "recall_cooldown", queue.call_back, case.id, "Loket 2", actor="fo2")
    # Another counter cannot take a visitor already called to Loket 2, nor explain it.
    clock.advance(seconds=queue.settings.queue.recall_cooldown_seconds)
    refused(queue, "not_at_counter", queue.call_back, case.id, "Loket 1", actor="fo")
    refused(queue, "not_at_counter", queue.explain, case.id, "Loket 1", actor="fo", mode="direct")
    again = queue.call_back(case.id, "Loket 2", actor="fo2")
    assert again.recalls == 1 and last_event(queue, case)["recalls"] == 1
    # The holding counter explains and finishes it as a returned case taken at the desk.
    explained = queue.explain(case.id, "Loket 2", actor="fo2", mode="direct")
    assert (explained.state, explained.counter_id) == (sop.EXPLAINED, queue.counter("Loket 2").id)
    queue.identify(case.id, "Loket 2", actor="fo2", name="Siti", nik="1271011201900001")
    done = queue.finish(case.id, "Loket 2", actor="fo2")
    assert done.state == sop.DONE and done.counter_id is None
    kinds = [e.kind for e in ticket_history(queue.db, case.id)]
    assert kinds.count("called_back") == 2 and kinds[-3:-1] == ["explained", "identified"]


def test_call_back_is_refused_when_it_makes_no_sense(queue: Queue) -> None:
    case = returned(queue)
    # A paused counter calls no one; a busy one cannot take another visitor.
    queue.pause("Loket 2", actor="fo2")
    refused(queue, "counter_paused", queue.call_back, case.id, "Loket 2", actor="fo2")
    queue.resume("Loket 2", actor="fo2")
    busy = serve(queue, "Loket 2")
    refused(queue, "counter_busy", queue.call_back, case.id, "Loket 2", actor="fo2")
    # Only a returned case, and only to a front-office counter.
    refused(queue, "wrong_state", queue.call_back, busy.id, "Loket 1", actor="fo")
    refused(queue, "counter_not_front_office", queue.call_back, case.id, "Back Office", actor="x")
    refused(queue, "actor_invalid", queue.call_back, case.id, "Loket 1", actor="")


def test_a_free_counter_may_still_explain_a_returned_case_without_calling_back(
    queue: Queue,
) -> None:
    case = returned(queue)
    explained = queue.explain(case.id, "Loket 1", actor="fo", mode="indirect")
    assert explained.state == sop.EXPLAINED


def test_the_called_back_counter_may_cancel_the_case(queue: Queue) -> None:
    case = returned(queue)
    refused(queue, "not_at_counter", queue.cancel, case.id, actor="fo", reason="x", counter=1)
    queue.call_back(case.id, "Loket 1", actor="fo")
    cancelled = queue.cancel(case.id, actor="fo", reason="Pulang", counter="Loket 1")
    assert cancelled.state == sop.CANCELLED and cancelled.counter_id is None


def test_the_day_reset_frees_a_counter_left_holding_a_called_back_case(
    queue: Queue, clock: FakeClock
) -> None:
    case = returned(queue)
    queue.call_back(case.id, "Loket 1", actor="fo")
    clock.advance(days=1)
    queue.roll_over()
    # The case stays open (escalated cases survive the reset); the counter is free again.
    kept = queue.ticket(case.id)
    assert (kept.state, kept.counter_id) == (sop.ANSWER_READY, None)
    assert (
        queue.call_back(case.id, "Loket 2", actor="fo2").counter_id == queue.counter("Loket 2").id
    )
