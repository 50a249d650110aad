"""Sitting at a counter (issue 11): taking and leaving are events with the officer; a
takeover needs a reason and may carry the written assignment; holders come from the log."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ult import accounts, sitting
from ult.clock import FakeClock
from ult.errors import QueueError
from ult.queue import Queue


def events(queue: Queue) -> list[tuple[str, int, str, dict]]:
    return [
        (r[0], r[1], r[2], json.loads(r[3]))
        for r in queue.db.execute(
            "SELECT kind, counter_id, actor, payload FROM events "
            "WHERE kind IN ('counter_taken', 'counter_left') ORDER BY id"
        )
    ]


def test_taking_and_leaving_a_counter_are_recorded(queue: Queue, clock: FakeClock) -> None:
    assert queue.counter_holders() == {}
    seat = queue.take_counter("Loket 1", actor="siti")
    assert (seat.counter_id, seat.username, seat.since) == (1, "siti", clock())
    # Sitting down again where one sits records nothing.
    assert queue.take_counter(1, actor="siti") == seat
    clock.advance(minutes=30)
    assert queue.counter_holders() == {1: seat}
    assert queue.leave_counter(1, actor="siti") is True
    assert queue.leave_counter(1, actor="siti") is False  # no longer there: nothing recorded
    assert queue.counter_holders() == {}
    assert events(queue) == [
        ("counter_taken", 1, "siti", {"counter": "Loket 1"}),
        ("counter_left", 1, "siti", {"counter": "Loket 1"}),
    ]


def test_a_held_counter_is_taken_over_only_with_a_reason(queue: Queue, db) -> None:
    accounts.add_user(db, "siti", "kata-sandi-kuat", "front_office", full_name="Siti Aminah")
    queue.take_counter("Loket 1", actor="siti")
    with pytest.raises(QueueError) as caught:
        queue.take_counter("Loket 1", actor="budi")
    assert caught.value.code == "counter_held" and caught.value.kind == "conflict"
    assert "Loket 1 sedang dipakai oleh Siti Aminah" in caught.value.message
    with pytest.raises(QueueError) as caught:
        queue.take_counter("Loket 1", actor="budi", takeover=True, reason="  ")
    assert caught.value.code == "takeover_reason_required"
    for number, on, code in (
        ("800/12/BPMP/2026", None, "assignment_incomplete"),
        (None, "2026-01-05", "assignment_incomplete"),
        ("800/12/BPMP/2026", "2026-02-30", "assignment_date_invalid"),
        ("800/12/BPMP/2026", "5 Januari", "assignment_date_invalid"),
        ("x" * 61, "2026-01-05", "text_too_long"),
    ):
        with pytest.raises(QueueError) as caught:
            queue.take_counter(
                "Loket 1",
                actor="budi",
                takeover=True,
                reason="Siti sakit",
                assignment_number=number,
                assignment_date=on,
            )
        assert caught.value.code == code
    assert queue.counter_holders()[1].username == "siti"
    assert len(events(queue)) == 1  # every refusal changed nothing

    seat = queue.take_counter(
        "Loket 1",
        actor="budi",
        takeover=True,
        reason="Siti sakit",
        assignment_number="800/12/BPMP/2026",
        assignment_date=date(2026, 1, 5),
    )
    assert queue.counter_holders() == {1: seat} and seat.username == "budi"
    assert events(queue)[-1] == (
        "counter_taken",
        1,
        "budi",
        {
            "counter": "Loket 1",
            "previous": "siti",
            "reason": "Siti sakit",
            "assignment": {"number": "800/12/BPMP/2026", "date": "2026-01-05"},
        },
    )
    # Siti no longer sits there: her leaving records nothing.
    assert queue.leave_counter(1, actor="siti") is False


def test_an_inactive_or_unknown_counter_cannot_be_taken(queue: Queue, db) -> None:
    db.execute("UPDATE counters SET active = 0 WHERE id = 2")
    db.conn.commit()
    with pytest.raises(QueueError) as caught:
        queue.take_counter(2, actor="siti")
    assert caught.value.code == "counter_inactive"
    with pytest.raises(QueueError) as caught:
        queue.take_counter("Loket 99", actor="siti")
    assert caught.value.code == "counter_unknown"
    assert events(queue) == []


def test_the_holder_is_found_with_two_index_lookups(queue: Queue) -> None:
    queue.take_counter(1, actor="siti")
    for kind in ("counter_taken", "counter_left"):
        plan = " ".join(
            r[3]
            for r in queue.db.execute(
                "EXPLAIN QUERY PLAN SELECT MAX(id) FROM events WHERE counter_id = ? AND kind = ?",
                (1, kind),
            )
        )
        assert "events_counter_kind" in plan and "SCAN" not in plan, plan
    assert sitting.holder(queue.db, 1).username == "siti"
