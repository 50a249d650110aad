"""Priority with its category (UU 25/2009 Pasal 29): issued as priority, or marked later at
reception with the same number and place (docs/QUEUE.md "Calling")."""

from __future__ import annotations

import json

import pytest

from tests.ult.test_queue import events_of, refused
from ult import sop
from ult.messages import PRIORITY_CATEGORIES
from ult.queue import Queue


def test_every_category_has_an_indonesian_name() -> None:
    assert set(PRIORITY_CATEGORIES) == set(sop.PRIORITY_CATEGORIES)
    assert PRIORITY_CATEGORIES["elderly"] == "lansia"


def test_issue_stores_the_category_on_the_ticket_and_the_event(queue: Queue) -> None:
    ticket = queue.issue("A", actor="r", priority=True, priority_category="disabled").ticket
    assert (ticket.priority, ticket.priority_category) == (True, "disabled")
    payload = json.loads(events_of(queue)[-1]["payload"])
    assert payload["priority_category"] == "disabled"
    # The kiosk button issues priority without a category; a normal ticket has none.
    assert queue.issue("A", actor="k", priority=True).ticket.priority_category is None
    assert queue.issue("A", actor="r").ticket.priority_category is None


def test_issue_refuses_an_unknown_category_or_one_without_priority(queue: Queue) -> None:
    error = refused(
        queue,
        "priority_category_invalid",
        queue.issue,
        "A",
        actor="r",
        priority=True,
        priority_category="vip",
    )
    assert "lansia" in error.message
    refused(
        queue,
        "priority_category_without_priority",
        queue.issue,
        "A",
        actor="r",
        priority_category="elderly",
    )
    refused(
        queue,
        "priority_category_invalid",
        queue.issue,
        "A",
        actor="r",
        priority=True,
        priority_category=["elderly"],
    )


def test_idempotent_replay_must_carry_the_same_category(queue: Queue) -> None:
    first = queue.issue(
        "A", actor="r", priority=True, priority_category="elderly", idempotency_key="k1"
    )
    again = queue.issue(
        "A", actor="r", priority=True, priority_category="elderly", idempotency_key="k1"
    )
    assert again.replayed and again.ticket.id == first.ticket.id
    refused(
        queue,
        "idempotency_conflict",
        queue.issue,
        "A",
        actor="r",
        priority=True,
        priority_category="pregnant",
        idempotency_key="k1",
    )


def test_prioritize_keeps_number_and_place_and_goes_before_normal(queue: Queue) -> None:
    queue.issue("A", actor="r")
    queue.issue("A", actor="r")
    a3 = queue.issue("A", actor="r").ticket
    marked = queue.prioritize(a3.id, "small_children", actor="resepsionis")
    assert (marked.label, marked.number, marked.queue_seq) == (a3.label, 3, a3.queue_seq)
    assert (marked.priority, marked.priority_category, marked.state) == (
        True,
        "small_children",
        sop.WAITING,
    )
    last = events_of(queue)[-1]
    assert (last["kind"], last["actor"], last["sop_step"]) == ("prioritized", "resepsionis", None)
    payload = json.loads(last["payload"])
    assert payload["priority_category"] == "small_children" and payload["label"] == "A-003"
    # Called first, then the others in their order.
    called = [queue.call_next("Loket 1", actor="fo").label]
    for _ in range(2):
        queue.cancel(queue.ticket(called[-1]).id, actor="fo", reason="uji")
        called.append(queue.call_next("Loket 1", actor="fo").label)
    assert called == ["A-003", "A-001", "A-002"]


def test_prioritize_behind_earlier_priority_visitors(queue: Queue) -> None:
    normal = queue.issue("A", actor="r").ticket
    queue.issue("A", actor="r", priority=True, priority_category="elderly")
    queue.prioritize(normal.id, "pregnant", actor="r")
    # Same place: A-001 came first, so it is the head of the priority line too.
    assert queue.call_next("Loket 1", actor="fo").label == "A-001"


@pytest.mark.parametrize("category", ["", "vip", None])
def test_prioritize_refuses_a_missing_or_unknown_category(queue: Queue, category) -> None:
    ticket = queue.issue("A", actor="r").ticket
    code = "priority_category_invalid" if category == "vip" else "priority_category_required"
    refused(queue, code, queue.prioritize, ticket.id, category, actor="r")


def test_prioritize_refuses_a_priority_or_called_ticket(queue: Queue) -> None:
    already = queue.issue("A", actor="r", priority=True, priority_category="elderly").ticket
    refused(queue, "already_priority", queue.prioritize, already.id, "pregnant", actor="r")
    called = queue.call_next("Loket 1", actor="fo")
    assert called.id == already.id
    refused(queue, "wrong_state", queue.prioritize, called.id, "pregnant", actor="r")


def test_the_category_of_a_kiosk_priority_ticket_is_recorded_later(queue: Queue) -> None:
    """The kiosk's priority button issues with no category; reception records it afterwards
    with the same event, and the ticket keeps its number, place and priority."""
    from ult import reports
    from ult.reports import Period

    queue.issue("A", actor="r")
    kiosk = queue.issue("A", actor="kiosk:button1", priority=True, source="kiosk").ticket
    before = events_of(queue)
    recorded = queue.prioritize(kiosk.id, "elderly", actor="resepsionis")
    assert (recorded.label, recorded.number, recorded.queue_seq, recorded.state) == (
        kiosk.label,
        kiosk.number,
        kiosk.queue_seq,
        sop.WAITING,
    )
    assert (recorded.priority, recorded.priority_category) == (True, "elderly")
    [last] = events_of(queue)[len(before) :]
    assert last["kind"] == "prioritized" and last["actor"] == "resepsionis"
    payload = json.loads(last["payload"])
    assert (payload["priority_category"], payload["was_priority"]) == ("elderly", True)
    # Once it has a category it cannot be changed (the record stays what was said first).
    refused(queue, "already_priority", queue.prioritize, kiosk.id, "pregnant", actor="r")
    # Still called first, and counted as an elderly visitor, not "kategori tidak tercatat".
    assert queue.call_next("Loket 1", actor="fo").label == kiosk.label
    table = reports.report(queue.db, "priority", Period(queue.today(), queue.today()))
    counts = {r["priority_category"]: r["visitors"] for r in table.rows}
    assert counts["Lansia"] == 1
    assert counts.get("Prioritas, kategori tidak tercatat", 0) == 0


def test_a_plain_mark_carries_no_was_priority(queue: Queue) -> None:
    ticket = queue.issue("A", actor="r").ticket
    queue.prioritize(ticket.id, "disabled", actor="r")
    assert "was_priority" not in json.loads(events_of(queue)[-1]["payload"])
