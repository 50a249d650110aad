"""Every queue operation, its event record, and the refusals that change nothing."""

from __future__ import annotations

import json

import pytest

from tests.conftest import make_settings
from tests.ult.checks import replay_states
from ult import sop
from ult.errors import QueueError
from ult.queries import board_state, counter_queue, ticket_history, unprinted_tickets
from ult.queue import Queue, Ticket

VALID_NIK = "1271011201900001"  # Medan, born 12-01-1990, male, serial 0001
FEMALE_NIK = "3273015205850002"  # Bandung, born 12-05-1985, female (52 = 12 + 40)


def events_of(queue: Queue) -> list[dict]:
    return [dict(r) for r in queue.db.query("SELECT * FROM events ORDER BY id")]


def snapshot(queue: Queue) -> tuple:
    """Everything the store holds that an operation could change."""
    return (
        list(queue.db.query("SELECT * FROM tickets ORDER BY id")),
        list(queue.db.query("SELECT * FROM events ORDER BY id")),
        list(queue.db.query("SELECT * FROM visits ORDER BY id")),
        list(queue.db.query("SELECT * FROM counters ORDER BY id")),
    )


def refused(queue: Queue, code: str, operation, *args, **kwargs) -> QueueError:
    """Run an operation that must be refused with ``code`` and must change nothing.

    The day is started first: that housekeeping event is not the refused operation's.
    """
    queue.roll_over()
    before = snapshot(queue)
    with pytest.raises(QueueError) as caught:
        operation(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    assert caught.value.message  # an Indonesian text for the page
    assert snapshot(queue) == before
    return caught.value


def serve(queue: Queue, counter: str = "Loket 1") -> Ticket:
    """Issue, call and start a ticket at ``counter``."""
    queue.issue("A", actor="resepsionis")
    ticket = queue.call_next(counter, actor="fo")
    return queue.start(ticket.id, counter, actor="fo")


# ------------------------------------------------------------------- issue


def test_issue_numbers_each_service_from_one(queue: Queue) -> None:
    labels = [queue.issue(s, actor="r").ticket.label for s in "AABAC"]
    assert labels == ["A-001", "A-002", "B-001", "A-003", "C-001"]


def test_issue_records_one_event_with_step_and_actor(queue: Queue, clock) -> None:
    issued = queue.issue("A", actor="resepsionis", topic="Dapodik", source="reception")
    (event,) = [e for e in events_of(queue) if e["kind"] == "issued"]
    assert event["ticket_id"] == issued.ticket.id
    assert event["sop_step"] == 3
    assert event["actor"] == "resepsionis"
    assert event["at"] == "2026-11-25T02:00:00.000000Z"
    payload = json.loads(event["payload"])
    assert payload["label"] == "A-001" and payload["topic"] == "Dapodik"
    assert issued.ticket.day.isoformat() == "2026-11-25"
    assert issued.ticket.issued_at == clock()


def test_issue_reports_waiting_ahead_and_estimate(queue: Queue, clock) -> None:
    first = queue.issue("A", actor="r")
    assert (first.waiting_ahead, first.estimated_wait_minutes) == (0, 0)
    second = queue.issue("A", actor="r")
    # Two open front-office counters, no history yet: default 10 min per visitor.
    assert second.waiting_ahead == 1
    assert second.estimated_wait_minutes == 5
    # The default counters serve A to D first come, first served: B-001 goes first too.
    queue.issue("B", actor="r")
    third = queue.issue("A", actor="r")
    assert (third.waiting_ahead, third.estimated_wait_minutes) == (3, 15)


def test_estimate_counts_only_the_lines_its_counters_call(tmp_path, db) -> None:
    text = """
[[counters]]
name = "Loket Informasi"
kind = "front_office"
services = ["A"]

[[counters]]
name = "Loket Pengaduan"
kind = "front_office"
services = ["B"]

[[counters]]
name = "Loket Perizinan"
kind = "front_office"
services = ["C", "D"]
"""
    settings = make_settings(tmp_path / "split", text)
    from ult.catalog import apply_catalog

    apply_catalog(db, settings)
    queue = Queue(db, settings)
    for _ in range(5):
        queue.issue("A", actor="r")
    complaint = queue.issue("B", actor="r")
    assert (complaint.waiting_ahead, complaint.estimated_wait_minutes) == (0, 0)
    assert queue.issue("A", actor="r").waiting_ahead == 5


def test_estimate_after_transfers_uses_the_last_desk_visit(queue: Queue, clock) -> None:
    # Each ticket is called, transferred, called again and served for 20 minutes.
    for _ in range(5):
        ticket = queue.issue("C", actor="r").ticket
        queue.call_next("Loket 1", actor="fo")
        clock.advance(minutes=1)
        queue.transfer(ticket.id, "D", actor="fo", counter="Loket 1")
        queue.call_next("Loket 1", actor="fo")
        queue.start(ticket.id, "Loket 1", actor="fo")
        clock.advance(minutes=20)
        queue.answer(ticket.id, "Loket 1", actor="fo", kind="available", text="x")
        queue.explain(ticket.id, "Loket 1", actor="fo", mode="direct")
        queue.finish(ticket.id, "Loket 1", actor="fo", incomplete_reason="visitor_declined")
    for _ in range(4):
        queue.issue("C", actor="r")
    fifth = queue.issue("C", actor="r")
    # 4 ahead x 20 minutes / 2 counters.
    assert (fifth.waiting_ahead, fifth.estimated_wait_minutes) == (4, 40)


def test_estimate_learns_from_desk_times_and_stays_bounded(queue: Queue, clock) -> None:
    for _ in range(3):
        ticket = serve(queue)
        clock.advance(minutes=4)
        queue.answer(ticket.id, "Loket 1", actor="fo", kind="available", text="ok")
        queue.explain(ticket.id, "Loket 1", actor="fo", mode="direct")
        queue.finish(ticket.id, "Loket 1", actor="fo", incomplete_reason="visitor_declined")
    queue.issue("A", actor="r")
    later = queue.issue("A", actor="r")
    # Median desk time 4 minutes, 2 counters, 1 ahead: 2 minutes.
    assert later.waiting_ahead == 1
    assert later.estimated_wait_minutes == 2
    queue.pause("Loket 1", actor="fo")
    queue.pause("Loket 2", actor="fo")
    # No open counter: computed as if one were open, never divided by zero.
    assert queue.position(later.ticket.id) == (1, 4)


def test_a_no_show_is_no_service_time_in_the_estimate(queue: Queue, clock) -> None:
    # Two visitors served in 4 minutes each (call to release).
    for _ in range(2):
        ticket = serve(queue)
        clock.advance(minutes=4)
        queue.answer(ticket.id, "Loket 1", actor="fo", kind="available", text="ok")
        queue.explain(ticket.id, "Loket 1", actor="fo", mode="direct")
        queue.finish(ticket.id, "Loket 1", actor="fo", incomplete_reason="visitor_declined")
    # Three no-shows, each held at the counter 30 minutes of recalls, then put back in
    # line (waiting again, their call and release times still stored).
    gone = []
    for _ in range(3):
        queue.issue("A", actor="r")
        ticket = queue.call_next("Loket 1", actor="fo")
        for _ in range(2):
            clock.advance(minutes=15)
            queue.recall(ticket.id, "Loket 1", actor="fo")
        gone.append(queue.no_show(ticket.id, "Loket 1", actor="fo"))
    for ticket in gone:
        queue.reactivate(ticket.id, actor="resepsionis")
    later = queue.issue("A", actor="r")
    # 3 ahead (the reactivated tickets) x the median of the served 4 minutes / 2 counters;
    # counting the no-shows' 30 minutes would make the median 30 and the wait 45.
    assert (later.waiting_ahead, later.estimated_wait_minutes) == (3, 6)


def test_priority_ticket_waits_only_behind_priority(queue: Queue) -> None:
    queue.issue("A", actor="r")
    queue.issue("A", actor="r")
    urgent = queue.issue("A", actor="r", priority=True)
    assert urgent.waiting_ahead == 0


def test_issue_refuses_bad_input(queue: Queue, db) -> None:
    refused(queue, "service_unknown", queue.issue, "Z", actor="r")
    refused(queue, "topic_unknown", queue.issue, "A", actor="r", topic="Sertifikasi")
    refused(queue, "topic_unknown", queue.issue, "B", actor="r", topic="Dapodik")
    refused(queue, "source_invalid", queue.issue, "A", actor="r", source="fax")
    refused(queue, "topic_unknown", queue.issue, "A", actor="r", topic=["Dapodik"])
    refused(queue, "flag_invalid", queue.issue, "A", actor="r", priority="yes")
    refused(queue, "idempotency_key_invalid", queue.issue, "A", actor="r", idempotency_key="a b")
    db.execute("UPDATE services SET active = 0 WHERE letter = 'D'")
    refused(queue, "service_inactive", queue.issue, "D", actor="r")


def test_idempotency_key_issues_once(queue: Queue) -> None:
    first = queue.issue("A", actor="r", idempotency_key="click-1")
    again = queue.issue("A", actor="r", idempotency_key="click-1")
    assert again.replayed and not first.replayed
    assert again.ticket.id == first.ticket.id
    assert queue.db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 1
    assert [e["kind"] for e in events_of(queue)].count("issued") == 1
    refused(queue, "idempotency_conflict", queue.issue, "B", actor="r", idempotency_key="click-1")


def test_idempotency_keys_belong_to_one_day(queue: Queue, clock) -> None:
    yesterday = queue.issue("A", actor="kiosk:1", idempotency_key="btn1-0001").ticket
    clock.advance(days=1)
    today = queue.issue("A", actor="kiosk:1", idempotency_key="btn1-0001")
    assert not today.replayed and today.ticket.id != yesterday.id
    assert today.ticket.label == "A-001"


@pytest.mark.parametrize("key", [10**20, float("nan"), b"k", "", "a" * 65, "kunci?"])
def test_idempotency_key_must_be_short_text(queue: Queue, key) -> None:
    refused(queue, "idempotency_key_invalid", queue.issue, "A", actor="r", idempotency_key=key)


@pytest.mark.parametrize("actor", [None, "", "   ", "a\nb", "\x1b[31mred", "x" * 65, 7])
def test_every_action_records_a_proper_actor(queue: Queue, actor) -> None:
    refused(queue, "actor_invalid", queue.issue, "A", actor=actor)
    queue.issue("A", actor="r")
    refused(queue, "actor_invalid", queue.call_next, "Loket 1", actor=actor)


@pytest.mark.parametrize(
    "reference", [None, 2**70, -3, 0, True, 1.5, ["A-001"], "A-999", "x" * 500, "²", "١"]
)
def test_unknown_ticket_references_are_refused_cleanly(queue: Queue, reference) -> None:
    queue.issue("A", actor="r")
    error = refused(queue, "ticket_unknown", queue.reactivate, reference, actor="r")
    assert len(error.message) < 120


@pytest.mark.parametrize(
    "reference", [None, 2**70, 0, False, 2.0, ["Loket 1"], "x" * 500, "²", "١"]
)
def test_unknown_counter_references_are_refused_cleanly(queue: Queue, reference) -> None:
    queue.issue("A", actor="r")
    refused(queue, "counter_unknown", queue.call_next, reference, actor="fo")


def test_label_lookup_prefers_the_label_over_an_id(tmp_path, db) -> None:
    settings = make_settings(
        tmp_path / "one",
        '[[services]]\nletter = "A"\nname = "Info"\n[queue]\nlabel_format = "{number}"\n',
    )
    queue = Queue(db, settings)
    for _ in range(3):
        queue.issue("A", actor="r")
    queue.db.execute("UPDATE tickets SET label = '1' WHERE id = 3")  # ids and labels disagree
    assert queue.ticket("1").id == 3
    assert queue.ticket(1).id == 1


def test_lowercase_service_letter_is_accepted(queue: Queue) -> None:
    assert queue.issue(" b ", actor="r").ticket.label == "B-001"


def test_label_format_from_settings(tmp_path, db) -> None:
    settings = make_settings(tmp_path / "other", '[queue]\nlabel_format = "{letter}{number:04d}"\n')
    queue = Queue(db, settings)
    assert queue.issue("C", actor="r").ticket.label == "C0001"


# ------------------------------------------------------------------- calling


def test_call_next_is_first_come_first_served_across_services(queue: Queue) -> None:
    for service in "BAC":
        queue.issue(service, actor="r")
    called = []
    for _ in range(3):
        ticket = queue.call_next("Loket 1", actor="fo")
        called.append(ticket.label)
        queue.cancel(ticket.id, actor="fo", reason="uji", counter="Loket 1")
    assert called == ["B-001", "A-001", "C-001"]


def test_call_next_records_the_call(queue: Queue, clock) -> None:
    queue.issue("A", actor="r")
    ticket = queue.call_next("Loket 2", actor="ani")
    assert ticket.state == sop.CALLED
    assert ticket.called_at == clock()
    desk = queue.counter("Loket 2")
    assert ticket.counter_id == desk.id == ticket.front_office_counter_id
    event = events_of(queue)[-1]
    assert (event["kind"], event["sop_step"], event["actor"], event["counter_id"]) == (
        "called",
        5,
        "ani",
        desk.id,
    )
    assert json.loads(event["payload"])["counter"] == "Loket 2"


def test_nothing_waiting_is_a_normal_answer(queue: Queue) -> None:
    queue.roll_over()
    before = snapshot(queue)
    assert queue.call_next("Loket 1", actor="fo") is None
    assert snapshot(queue) == before


def test_counter_calls_only_the_services_it_serves(tmp_path, db) -> None:
    text = """
[[counters]]
name = "Loket Informasi"
kind = "front_office"
services = ["A"]

[[counters]]
name = "Loket Lain"
kind = "front_office"
services = ["B", "C", "D"]
"""
    settings = make_settings(tmp_path / "h", text)
    from ult.catalog import apply_catalog

    apply_catalog(db, settings)
    queue = Queue(db, settings)
    queue.issue("B", actor="r")
    assert queue.call_next("Loket Informasi", actor="fo") is None
    queue.issue("A", actor="r")
    assert queue.call_next("loket informasi", actor="fo").label == "A-001"


def test_priority_first_with_interleave(queue: Queue) -> None:
    # Default interleave 3: after 3 consecutive priority calls a waiting normal ticket goes.
    for _ in range(2):
        queue.issue("A", actor="r")
    for _ in range(5):
        queue.issue("A", actor="r", priority=True)
    order = []
    while (ticket := queue.call_next("Loket 1", actor="fo")) is not None:
        order.append(("P" if ticket.priority else "N") + str(ticket.number))
        queue.cancel(ticket.id, actor="fo", reason="uji", counter="Loket 1")
    assert order == ["P3", "P4", "P5", "N1", "P6", "P7", "N2"]


def test_interleave_zero_means_priority_always_first(tmp_path, db) -> None:
    settings = make_settings(tmp_path / "h", "[queue]\npriority_interleave = 0\n")
    queue = Queue(db, settings)
    queue.issue("A", actor="r")
    for _ in range(4):
        queue.issue("A", actor="r", priority=True)
    order = []
    while (ticket := queue.call_next("Loket 1", actor="fo")) is not None:
        order.append(ticket.priority)
        queue.cancel(ticket.id, actor="fo", reason="uji", counter="Loket 1")
    assert order == [True, True, True, True, False]


def test_counter_with_open_ticket_is_told_so(queue: Queue) -> None:
    queue.issue("A", actor="r")
    queue.issue("A", actor="r")
    held = queue.call_next("Loket 1", actor="fo")
    error = refused(queue, "counter_busy", queue.call_next, "Loket 1", actor="fo")
    assert held.label in error.message and "Loket 1" in error.message


def test_call_refused_for_unknown_paused_or_back_office_counter(queue: Queue) -> None:
    queue.issue("A", actor="r")
    refused(queue, "counter_unknown", queue.call_next, "Loket 9", actor="fo")
    refused(queue, "counter_not_front_office", queue.call_next, "Back Office", actor="fo")
    queue.pause("Loket 1", actor="fo")
    refused(queue, "counter_paused", queue.call_next, "Loket 1", actor="fo")
    refused(queue, "counter_already_paused", queue.pause, "Loket 1", actor="fo")
    queue.resume("Loket 1", actor="fo")
    refused(queue, "counter_not_paused", queue.resume, "Loket 1", actor="fo")
    assert queue.call_next("Loket 1", actor="fo").label == "A-001"
    kinds = [e["kind"] for e in events_of(queue)]
    assert kinds.count("counter_paused") == 1 and kinds.count("counter_resumed") == 1


def test_call_specific_out_of_order_is_recorded(queue: Queue) -> None:
    for _ in range(3):
        queue.issue("A", actor="r")
    ticket = queue.call_specific("Loket 1", "A-003", actor="fo")
    assert ticket.label == "A-003" and ticket.state == sop.CALLED
    assert json.loads(events_of(queue)[-1]["payload"])["specific"] is True
    queue.cancel(ticket.id, actor="fo", reason="uji", counter="Loket 1")
    refused(queue, "wrong_state", queue.call_specific, "Loket 1", "A-003", actor="fo")
    refused(queue, "ticket_unknown", queue.call_specific, "Loket 1", "A-099", actor="fo")


# ------------------------------------------------------------------- recall and no-show


def test_recall_cooldown_and_count(queue: Queue, clock) -> None:
    queue.issue("A", actor="r")
    ticket = queue.call_next("Loket 1", actor="fo")
    clock.advance(seconds=5)
    error = refused(queue, "recall_cooldown", queue.recall, ticket.id, "Loket 1", actor="fo")
    assert "10 detik" in error.message
    clock.advance(seconds=10)
    assert queue.recall(ticket.id, "Loket 1", actor="fo").recalls == 1
    clock.advance(seconds=14)
    refused(queue, "recall_cooldown", queue.recall, ticket.id, "Loket 1", actor="fo")
    clock.advance(seconds=1)
    assert queue.recall(ticket.id, "Loket 1", actor="fo").recalls == 2
    assert [e["kind"] for e in events_of(queue)].count("recalled") == 2


def test_recall_after_the_clock_stepped_back(queue: Queue, clock) -> None:
    queue.issue("A", actor="r")
    ticket = queue.call_next("Loket 1", actor="fo")
    clock.advance(hours=-3)
    assert queue.recall(ticket.id, "Loket 1", actor="fo").recalls == 1


def test_blank_topic_means_none(queue: Queue) -> None:
    assert queue.issue("A", actor="r", topic="  ").ticket.topic is None


def test_recall_only_by_the_calling_counter(queue: Queue, clock) -> None:
    queue.issue("A", actor="r")
    ticket = queue.call_next("Loket 1", actor="fo")
    clock.advance(seconds=60)
    refused(queue, "not_at_counter", queue.recall, ticket.id, "Loket 2", actor="fo")


def test_no_show_needs_the_recalls_then_frees_the_counter(queue: Queue, clock) -> None:
    queue.issue("A", actor="r")
    queue.issue("A", actor="r")
    ticket = queue.call_next("Loket 1", actor="fo")
    error = refused(queue, "no_show_too_early", queue.no_show, ticket.id, "Loket 1", actor="fo")
    assert "0 kali" in error.message and "2 kali" in error.message
    for _ in range(2):
        clock.advance(seconds=20)
        queue.recall(ticket.id, "Loket 1", actor="fo")
    gone = queue.no_show(ticket.id, "Loket 1", actor="fo")
    assert gone.state == sop.NO_SHOW and gone.counter_id is None
    assert gone.released_at == clock()
    assert queue.call_next("Loket 1", actor="fo").label == "A-002"


def test_reactivate_puts_the_same_number_back_at_the_end(queue: Queue, clock) -> None:
    queue.issue("A", actor="r")
    ticket = queue.call_next("Loket 1", actor="fo")
    for _ in range(2):
        clock.advance(seconds=20)
        queue.recall(ticket.id, "Loket 1", actor="fo")
    queue.no_show(ticket.id, "Loket 1", actor="fo")
    queue.issue("A", actor="r")
    back = queue.reactivate("A-001", actor="resepsionis")
    assert (back.label, back.state, back.recalls) == ("A-001", sop.WAITING, 0)
    assert queue.call_next("Loket 1", actor="fo").label == "A-002"
    refused(queue, "wrong_state", queue.reactivate, "A-002", actor="r")
    assert events_of(queue)[-2]["sop_step"] == 4  # the reactivation, before the call


# ------------------------------------------------------------------- the SOP at the desk


def test_fast_path_steps_6_to_9a_15_16(queue: Queue, clock) -> None:
    queue.issue("A", actor="r", topic="Tunjangan Profesi")
    ticket = queue.call_next("Loket 1", actor="fo")
    clock.advance(minutes=1)
    ticket = queue.start(ticket.id, "Loket 1", actor="fo")
    assert ticket.state == sop.SERVING and ticket.started_at == clock()
    result = queue.identify(
        ticket.id,
        "Loket 1",
        actor="fo",
        name=" Budi Santoso ",
        nik=VALID_NIK,
        institution="SMAN 1 Medan",
        phone="0812-3456-7890",
    )
    assert result.warnings == ()
    visitor = result.visit
    assert (visitor["name"], visitor["document_number"], visitor["phone"]) == (
        "Budi Santoso",
        VALID_NIK,
        "081234567890",
    )
    queue.detail(ticket.id, "Loket 1", actor="fo", text="Tunjangan profesi belum cair")
    answered = queue.answer(
        ticket.id, "Loket 1", actor="fo", kind="available", text="Sedang diproses"
    )
    assert answered.state == sop.ANSWERED and answered.counter_id is not None
    explained = queue.explain(ticket.id, "Loket 1", actor="fo", mode="direct")
    assert explained.explanation_mode == "direct"
    clock.advance(minutes=2)
    done = queue.finish(ticket.id, "Loket 1", actor="fo", outcome="resolved")
    assert done.state == sop.DONE and done.counter_id is None
    assert done.finished_at == clock() == done.released_at
    steps = [(e.kind, e.sop_step) for e in ticket_history(queue.db, ticket.id)]
    assert steps == [
        ("issued", 3),
        ("called", 5),
        ("started", 6),
        ("identified", 7),
        ("detailed", 8),
        ("answered", 9),
        ("explained", 15),
        ("finished", 16),
    ]
    assert all(e.actor == "fo" for e in ticket_history(queue.db, ticket.id)[1:])


def test_long_path_through_back_office_and_main_unit(queue: Queue) -> None:
    ticket = serve(queue)
    queue.detail(ticket.id, "Loket 1", actor="fo", text="Izin operasional sekolah")
    escalated = queue.escalate(ticket.id, "Loket 1", actor="fo", note="Perlu telaah BO")
    assert escalated.state == sop.ESCALATED and escalated.counter_id is None
    queue.issue("B", actor="r")
    assert queue.call_next("Loket 1", actor="fo").label == "B-001"  # the counter is free
    taken = queue.take(ticket.id, "Back Office", actor="bo")
    assert taken.back_office_counter_id == queue.counter("Back Office").id
    forwarded = queue.forward(ticket.id, "Back Office", actor="bo", unit="bagian umum")
    assert forwarded.state == sop.WITH_UNIT and forwarded.main_unit_id is not None
    received = queue.disposition(ticket.id, actor="unit", text="Lengkapi berkas akreditasi")
    assert received.state == sop.DISPOSITION_RECEIVED
    assert received.disposition == "Lengkapi berkas akreditasi"
    # SOP 14: the back office passes the disposition on to the front office (issue 11).
    refused(queue, "wrong_state", queue.explain, ticket.id, "Loket 2", actor="fo", mode="direct")
    ready = queue.relay(ticket.id, "Back Office", actor="bo", note="Sudah dicek BO")
    assert (ready.state, ready.relay_note) == (sop.ANSWER_READY, "Sudah dicek BO")
    # Loket 1 still holds B-001: the returned case goes to the free Loket 2.
    refused(queue, "counter_busy", queue.explain, ticket.id, "Loket 1", actor="fo", mode="direct")
    explained = queue.explain(ticket.id, "Loket 2", actor="ani", mode="indirect")
    assert explained.counter_id == queue.counter("Loket 2").id
    # No identity was recorded (SOP 7): the officer says why (issue 11, step 16).
    done = queue.finish(
        ticket.id,
        "Loket 2",
        actor="ani",
        outcome="unresolved",
        survey_invited=False,
        incomplete_reason="visitor_declined",
    )
    assert (done.state, done.outcome) == (sop.DONE, "unresolved")
    steps = [e.sop_step for e in ticket_history(queue.db, ticket.id)]
    assert steps == [3, 5, 6, 8, 10, 11, 13, 14, 14, 15, 16]


def test_back_office_resolves_and_returns(queue: Queue) -> None:
    ticket = serve(queue)
    queue.escalate(ticket.id, "Loket 1", actor="fo", note="?")
    queue.take(ticket.id, "Back Office", actor="bo")
    ready = queue.resolve(ticket.id, "Back Office", actor="bo", text="Jawaban BO")
    assert (ready.state, ready.answer) == (sop.ANSWER_READY, "Jawaban BO")
    assert ticket_history(queue.db, ticket.id)[-1].sop_step == 12


def test_identify_acting_for_someone_needs_a_letter(queue: Queue) -> None:
    ticket = serve(queue)
    base = {"actor": "fo", "name": "Sari", "nik": FEMALE_NIK}
    whom = {"represents_name": "Kepala SMAN 2", "letter_date": "2026-11-20"}
    refused(
        queue,
        "letter_required",
        queue.identify,
        ticket.id,
        "Loket 1",
        acting_for=True,
        represents_name="Kepala SMAN 2",
        **base,
    )
    refused(
        queue,
        "represented_required",
        queue.identify,
        ticket.id,
        "Loket 1",
        acting_for=True,
        letter_type="surat_kuasa",
        letter_number="1",
        letter_date="2026-11-20",
        **base,
    )
    refused(
        queue,
        "letter_required",
        queue.identify,
        ticket.id,
        "Loket 1",
        acting_for=True,
        letter_type="surat_kuasa",
        letter_number="  ",
        **whom,
        **base,
    )
    refused(
        queue,
        "choice_invalid",
        queue.identify,
        ticket.id,
        "Loket 1",
        acting_for=True,
        letter_type="surat_sakti",
        letter_number="1",
        **whom,
        **base,
    )
    refused(
        queue,
        "letter_without_acting",
        queue.identify,
        ticket.id,
        "Loket 1",
        letter_type="surat_tugas",
        letter_number="1",
        **base,
    )
    result = queue.identify(
        ticket.id,
        "Loket 1",
        acting_for=True,
        letter_type="surat_tugas",
        letter_number="800/123/SMA",
        **whom,
        **base,
    )
    assert (result.visit["represents_name"], result.visit["letter_type"]) == (
        "Kepala SMAN 2",
        "surat_tugas",
    )
    payload = json.loads(events_of(queue)[-1]["payload"])
    assert FEMALE_NIK not in json.dumps(payload) and "Sari" not in json.dumps(payload)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"nik": "123"}, "nik_invalid"),
        ({"nik": "1271011213900001"}, "nik_invalid"),  # born 12-13-90: no month 13
        ({"nik": None}, "nik_invalid"),
        ({"name": "   "}, "text_required"),
        ({"name": "x" * 101}, "text_too_long"),
        ({"phone": "08abc"}, "phone_invalid"),
        ({"phone": "0812"}, "phone_invalid"),
        ({"institution": "y" * 121}, "text_too_long"),
        ({"acting_for": "ya"}, "flag_invalid"),
    ],
)
def test_identify_rejects_bad_identity(queue: Queue, changes, code) -> None:
    ticket = serve(queue)
    values = {"actor": "fo", "name": "Budi", "nik": VALID_NIK, **changes}
    refused(queue, code, queue.identify, ticket.id, "Loket 1", **values)


def test_returning_visitor_gets_a_new_visit_with_only_what_was_typed(queue: Queue) -> None:
    """Issue 11 changes this: a visit keeps what was recorded at it; nothing carries over
    from an earlier visit unless the form is pre-filled with it and saved."""
    first = serve(queue)
    queue.identify(
        first.id,
        "Loket 1",
        actor="fo",
        name="Budi Santoso",
        nik=VALID_NIK,
        phone="081234567890",
        institution="SMAN 1 Medan",
    )
    queue.cancel(first.id, actor="fo", reason="x")
    second = serve(queue)
    queue.identify(
        second.id,
        "Loket 1",
        actor="fo",
        name="Budi  santoso",  # case and spacing are no different name
        nik=VALID_NIK,
    )
    rows = list(queue.db.query("SELECT name, phone, institution FROM visits ORDER BY id"))
    assert rows == [
        {"name": "Budi Santoso", "phone": "081234567890", "institution": "SMAN 1 Medan"},
        {"name": "Budi  santoso", "phone": None, "institution": None},
    ]


def test_free_text_notes_stay_off_the_event_log(queue: Queue) -> None:
    ticket = serve(queue)
    queue.escalate(ticket.id, "Loket 1", actor="fo", note="Pak Budi 0812")
    queue.take(ticket.id, "Back Office", actor="bo")
    forwarded = queue.forward(
        ticket.id,
        "Back Office",
        actor="bo",
        unit="Bagian Umum",
        note="Pak Budi NIK 1271011201900001",
    )
    queue.disposition(ticket.id, actor="unit", text="Arahan")
    queue.relay(ticket.id, "Back Office", actor="bo", note="Pak Budi minta ditelepon 0812")
    explained = queue.explain(
        ticket.id, "Loket 2", actor="fo", mode="indirect", note="ditelepon ke 0812345"
    )
    assert forwarded.forward_note == "Pak Budi NIK 1271011201900001"
    assert explained.explanation_note == "ditelepon ke 0812345"
    payloads = " ".join(e["payload"] for e in events_of(queue))
    assert "Budi" not in payloads and "0812" not in payloads


def test_front_office_cannot_cancel_a_back_office_case(queue: Queue) -> None:
    ticket = serve(queue)
    queue.escalate(ticket.id, "Loket 1", actor="fo", note="?")
    refused(
        queue, "not_at_counter", queue.cancel, ticket.id, actor="fo", reason="x", counter="Loket 1"
    )
    assert queue.cancel(ticket.id, actor="bo", reason="x", counter="Back Office").state == (
        sop.CANCELLED
    )


def test_paused_counter_does_not_take_returned_cases(queue: Queue) -> None:
    ticket = serve(queue)
    queue.escalate(ticket.id, "Loket 1", actor="fo", note="?")
    queue.take(ticket.id, "Back Office", actor="bo")
    queue.resolve(ticket.id, "Back Office", actor="bo", text="ok")
    queue.pause("Loket 2", actor="fo")
    refused(queue, "counter_paused", queue.explain, ticket.id, "Loket 2", actor="fo", mode="direct")


def test_identify_warns_on_unknown_province_and_corrects_its_own_visit(queue: Queue) -> None:
    ticket = serve(queue)
    unknown_province = "9901011201900001"
    result = queue.identify(ticket.id, "Loket 1", actor="fo", name="A", nik=unknown_province)
    assert result.warnings and "99" in result.warnings[0]
    queue.identify(ticket.id, "Loket 1", actor="fo", name="A. Baru", nik=unknown_province)
    assert queue.db.execute("SELECT COUNT(*), MAX(name) FROM visits").fetchone() == (1, "A. Baru")


def test_desk_steps_refuse_wrong_state_and_wrong_counter(queue: Queue) -> None:
    queue.issue("A", actor="r")
    ticket = queue.call_next("Loket 1", actor="fo")
    refused(queue, "wrong_state", queue.detail, ticket.id, "Loket 1", actor="fo", text="x")
    refused(queue, "wrong_state", queue.finish, ticket.id, "Loket 1", actor="fo")
    refused(queue, "not_at_counter", queue.start, ticket.id, "Loket 2", actor="fo")
    refused(queue, "counter_not_front_office", queue.start, ticket.id, "Back Office", actor="x")
    queue.start(ticket.id, "Loket 1", actor="fo")
    refused(queue, "wrong_state", queue.start, ticket.id, "Loket 1", actor="fo")
    refused(queue, "wrong_state", queue.explain, ticket.id, "Loket 1", actor="fo", mode="direct")
    refused(queue, "wrong_state", queue.take, ticket.id, "Back Office", actor="bo")
    refused(
        queue,
        "choice_invalid",
        queue.answer,
        ticket.id,
        "Loket 1",
        actor="fo",
        kind="maybe",
        text="x",
    )
    refused(
        queue,
        "text_required",
        queue.answer,
        ticket.id,
        "Loket 1",
        actor="fo",
        kind="excepted",
        text="",
    )
    refused(queue, "text_too_long", queue.detail, ticket.id, "Loket 1", actor="fo", text="x" * 2001)
    refused(queue, "text_required", queue.escalate, ticket.id, "Loket 1", actor="fo", note=" ")


def test_back_office_steps_refuse_front_office_counter_and_unknown_unit(queue: Queue) -> None:
    ticket = serve(queue)
    queue.escalate(ticket.id, "Loket 1", actor="fo", note="?")
    refused(queue, "counter_not_back_office", queue.take, ticket.id, "Loket 2", actor="x")
    queue.take(ticket.id, "Back Office", actor="bo")
    refused(
        queue,
        "unit_unknown",
        queue.forward,
        ticket.id,
        "Back Office",
        actor="bo",
        unit="Dinas Lain",
    )
    refused(queue, "wrong_state", queue.disposition, ticket.id, actor="unit", text="x")


def test_finish_validates_outcome(queue: Queue) -> None:
    ticket = serve(queue)
    queue.answer(
        ticket.id, "Loket 1", actor="fo", kind="excepted", text="Dikecualikan", exemption="h"
    )
    queue.explain(ticket.id, "Loket 1", actor="fo", mode="direct")
    refused(queue, "choice_invalid", queue.finish, ticket.id, "Loket 1", actor="fo", outcome="meh")
    refused(
        queue, "flag_invalid", queue.finish, ticket.id, "Loket 1", actor="fo", survey_invited="yes"
    )


# ------------------------------------------------------------------- cancel and transfer


def test_cancel_needs_a_reason_and_frees_the_counter(queue: Queue) -> None:
    ticket = serve(queue)
    refused(queue, "text_required", queue.cancel, ticket.id, actor="fo", reason="")
    cancelled = queue.cancel(ticket.id, actor="fo", reason="Pengunjung pulang")
    assert (cancelled.state, cancelled.counter_id) == (sop.CANCELLED, None)
    assert cancelled.cancel_reason == "Pengunjung pulang"
    refused(queue, "wrong_state", queue.cancel, ticket.id, actor="fo", reason="lagi")


def test_cancel_by_another_counter_is_refused(queue: Queue) -> None:
    queue.issue("A", actor="r")
    ticket = queue.call_next("Loket 2", actor="siti")
    refused(
        queue,
        "not_at_counter",
        queue.cancel,
        ticket.id,
        actor="budi",
        reason="salah",
        counter="Loket 1",
    )
    assert queue.cancel(ticket.id, actor="siti", reason="x", counter="Loket 2").counter_id is None


def test_transfer_keeps_label_and_place(queue: Queue) -> None:
    queue.issue("B", actor="r")
    first = queue.issue("A", actor="r").ticket
    called = queue.call_next("Loket 1", actor="fo")
    assert called.label == "B-001"
    moved = queue.transfer(called.id, "C", actor="fo", counter="Loket 1")
    assert (moved.label, moved.service, moved.state, moved.counter_id) == (
        "B-001",
        "C",
        sop.WAITING,
        None,
    )
    assert board_state(queue.db)["waiting"] == {"A": 1, "B": 0, "C": 1, "D": 0}
    # Kept its earlier place: called before A-001, which was issued after it.
    assert queue.call_next("Loket 1", actor="fo").label == "B-001"
    assert first.queue_seq > moved.queue_seq


def test_a_transfer_drops_a_topic_the_new_service_does_not_have(queue: Queue) -> None:
    # Review of issue 14: "A-007 · D · Dapodik" counted Dapodik, a topic of A, under D.
    ticket = queue.issue("A", actor="r", topic="Dapodik").ticket
    assert queue.transfer(ticket.id, "D", actor="r").topic is None
    assert (
        queue.db.execute("SELECT topic FROM tickets WHERE id = ?", [ticket.id]).fetchone()[0]
        is None
    )
    queue.db.execute("INSERT INTO topics (service, name, active) VALUES ('B', 'Dapodik', 1)")
    again = queue.issue("A", actor="r", topic="Dapodik").ticket
    assert queue.transfer(again.id, "B", actor="r").topic == "Dapodik"  # B has it too


def test_transfer_refusals(queue: Queue) -> None:
    queue.issue("A", actor="r")
    ticket = queue.call_next("Loket 1", actor="fo")
    refused(
        queue,
        "transfer_same_service",
        queue.transfer,
        ticket.id,
        "A",
        actor="fo",
        counter="Loket 1",
    )
    refused(queue, "service_unknown", queue.transfer, ticket.id, "Q", actor="fo")
    refused(queue, "not_at_counter", queue.transfer, ticket.id, "B", actor="fo", counter="Loket 2")
    # Reception (no counter) may move a called ticket (docs/QUEUE.md): it frees the counter.
    moved = queue.transfer(ticket.id, "B", actor="reception")
    assert (moved.service, moved.counter_id, moved.state) == ("B", None, "waiting")


# ------------------------------------------------------------------- every illegal transition


def _ticket_in(queue: Queue, clock, state: str) -> Ticket:
    """Drive a fresh ticket into ``state`` at Loket 1 through the real operations."""
    issued = queue.issue("A", actor="r").ticket
    if state == sop.WAITING:
        return issued
    ticket = queue.call_specific("Loket 1", issued.id, actor="fo")
    if state == sop.NO_SHOW:
        for _ in range(2):
            clock.advance(seconds=20)
            queue.recall(ticket.id, "Loket 1", actor="fo")
        return queue.no_show(ticket.id, "Loket 1", actor="fo")
    if state == sop.CALLED:
        return ticket
    queue.start(ticket.id, "Loket 1", actor="fo")
    if state == sop.SERVING:
        return queue.ticket(ticket.id)
    if state in (sop.ANSWERED, sop.EXPLAINED, sop.DONE):
        queue.answer(ticket.id, "Loket 1", actor="fo", kind="available", text="x")
        if state == sop.ANSWERED:
            return queue.ticket(ticket.id)
        queue.explain(ticket.id, "Loket 1", actor="fo", mode="direct")
        if state == sop.EXPLAINED:
            return queue.ticket(ticket.id)
        return queue.finish(ticket.id, "Loket 1", actor="fo", incomplete_reason="visitor_declined")
    if state == sop.CANCELLED:
        return queue.cancel(ticket.id, actor="fo", reason="x")
    queue.escalate(ticket.id, "Loket 1", actor="fo", note="x")
    if state == sop.ESCALATED:
        return queue.ticket(ticket.id)
    queue.take(ticket.id, "Back Office", actor="bo")
    if state == sop.BACK_OFFICE:
        return queue.ticket(ticket.id)
    if state == sop.ANSWER_READY:
        return queue.resolve(ticket.id, "Back Office", actor="bo", text="x")
    forwarded = queue.forward(ticket.id, "Back Office", actor="bo", unit="Bagian Umum")
    if state == sop.WITH_UNIT:
        return forwarded
    return queue.disposition(ticket.id, actor="unit", text="x")


def _no_show(queue: Queue, clock, ticket: Ticket):
    for _ in range(2):
        clock.advance(seconds=20)
        queue.recall(ticket.id, "Loket 1", actor="x")
    return queue.no_show(ticket.id, "Loket 1", actor="x")


def _attempt(queue: Queue, clock, action: str, ticket: Ticket):
    """Call ``action`` on ``ticket`` with valid arguments from the right kind of counter."""
    fo, bo = "Loket 1", "Back Office"
    calls = {
        "reactivate": lambda: queue.reactivate(ticket.id, actor="x"),
        "call": lambda: queue.call_specific("Loket 2", ticket.id, actor="x"),
        "recall": lambda: queue.recall(ticket.id, fo, actor="x"),
        "no_show": lambda: _no_show(queue, clock, ticket),
        "start": lambda: queue.start(ticket.id, fo, actor="x"),
        "identify": lambda: queue.identify(ticket.id, fo, actor="x", name="N", nik=VALID_NIK),
        "detail": lambda: queue.detail(ticket.id, fo, actor="x", text="t"),
        "answer": lambda: queue.answer(ticket.id, fo, actor="x", kind="available", text="t"),
        "consult": lambda: queue.consult(ticket.id, fo, actor="x"),
        "escalate": lambda: queue.escalate(ticket.id, fo, actor="x", note="t"),
        "take": lambda: queue.take(ticket.id, bo, actor="x"),
        "resolve": lambda: queue.resolve(ticket.id, bo, actor="x", text="t"),
        "forward": lambda: queue.forward(ticket.id, bo, actor="x", unit="Bagian Umum"),
        "disposition": lambda: queue.disposition(ticket.id, actor="x", text="t"),
        "relay": lambda: queue.relay(ticket.id, bo, actor="x", note="n"),
        "call_back": lambda: queue.call_back(ticket.id, fo, actor="x"),
        "explain": lambda: queue.explain(ticket.id, fo, actor="x", mode="direct"),
        "finish": lambda: queue.finish(
            ticket.id, fo, actor="x", incomplete_reason="visitor_declined"
        ),
        "transfer": lambda: queue.transfer(ticket.id, "B", actor="x", counter=fo),
        "cancel": lambda: queue.cancel(ticket.id, actor="x", reason="r"),
        "prioritize": lambda: queue.prioritize(ticket.id, "elderly", actor="x"),
    }
    return calls[action]()


ACTIONS = [a for a in sop.TRANSITIONS if a not in ("issue", "expire")]
REACHABLE = [s for s in sop.STATES if s != sop.EXPIRED]


@pytest.mark.parametrize("state", REACHABLE)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_from_every_state(queue: Queue, clock, state: str, action: str) -> None:
    """Allowed transitions land with their SOP step; all others are refused unchanged."""
    ticket = _ticket_in(queue, clock, state)
    assert ticket.state == state
    clock.advance(seconds=30)  # past the recall cooldown
    transition = sop.TRANSITIONS[action]
    if state in transition.sources:
        updated = _attempt(queue, clock, action, ticket)
        updated = getattr(updated, "ticket", updated)
        assert updated.state == (transition.target or state)
        last = events_of(queue)[-1]
        assert (last["kind"], last["sop_step"], last["ticket_id"]) == (
            transition.event,
            transition.step,
            ticket.id,
        )
    else:
        error = refused(queue, "wrong_state", _attempt, queue, clock, action, ticket)
        assert error.kind == "conflict"


def test_counter_queue_lists_callable_tickets_in_order(queue: Queue) -> None:
    queue.issue("A", actor="r")
    queue.issue("B", actor="r", priority=True)
    listed = counter_queue(queue.db, queue.counter("Loket 1").id)
    assert [t["label"] for t in listed] == ["B-001", "A-001"]
    assert counter_queue(queue.db, queue.counter("Back Office").id) == []


def test_board_state_has_calls_counters_and_no_personal_data(queue: Queue, clock) -> None:
    ticket = serve(queue)
    queue.identify(ticket.id, "Loket 1", actor="fo", name="Budi", nik=VALID_NIK)
    queue.issue("A", actor="r")
    second = queue.call_next("Loket 2", actor="fo")
    clock.advance(seconds=20)
    queue.recall(second.id, "Loket 2", actor="fo")
    board = board_state(queue.db)
    assert [(c["label"], c["state"]) for c in board["counters"]] == [
        ("A-001", sop.SERVING),
        ("A-002", sop.CALLED),
        (None, None),
    ]
    assert [(c["label"], c["counter"], c["recall"]) for c in board["last_calls"]] == [
        ("A-002", "Loket 2", True),
        ("A-002", "Loket 2", False),
        ("A-001", "Loket 1", False),
    ]
    assert board["last_event_id"] == events_of(queue)[-1]["id"]
    assert VALID_NIK not in json.dumps(board) and "Budi" not in json.dumps(board)


def test_board_state_marks_priority_tickets(queue: Queue) -> None:
    queue.issue("A", actor="r")
    queue.issue("A", actor="r", priority=True)
    first = queue.call_next("Loket 1", actor="fo")
    assert first.priority
    queue.call_next("Loket 2", actor="fo")
    board = board_state(queue.db)
    assert [(c["label"], c["priority"]) for c in board["counters"]] == [
        ("A-002", True),
        ("A-001", False),
        (None, False),
    ]
    assert [(c["label"], c["priority"]) for c in board["last_calls"]] == [
        ("A-001", False),
        ("A-002", True),
    ]


def test_running_text_is_set_recorded_and_validated(queue: Queue) -> None:
    assert board_state(queue.db)["running_text"] == ""
    shown = queue.set_running_text("  Layanan tutup pukul 15.00 WIB.  ", actor="supervisor")
    assert shown == "Layanan tutup pukul 15.00 WIB."
    assert board_state(queue.db)["running_text"] == shown
    assert queue.set_running_text(shown, actor="supervisor") == shown  # unchanged: no event
    queue.set_running_text("", actor="supervisor")
    assert board_state(queue.db)["running_text"] == ""
    texts = [
        json.loads(e["payload"])["text"] for e in events_of(queue) if e["kind"] == "running_text"
    ]
    assert texts == [shown, ""]
    refused(queue, "text_too_long", queue.set_running_text, "x" * 201, actor="s")
    refused(queue, "text_unprintable", queue.set_running_text, "a\nb", actor="s")
    refused(queue, "text_unprintable", queue.set_running_text, None, actor="s")
    refused(queue, "actor_invalid", queue.set_running_text, "baru", actor="")


def test_reception_registers_a_waiting_visitor_the_desk_then_confirms(queue: Queue) -> None:
    ticket = queue.issue("A", actor="r").ticket
    refused(queue, "nik_invalid", queue.register_visitor, ticket.id, actor="r", name="A", nik="1")
    done = queue.register_visitor(ticket.id, actor="resepsionis", name="Budi", nik=VALID_NIK)
    assert (done.visit["name"], done.visit["step"]) == ("Budi", 3)
    assert done.ticket.state == sop.WAITING
    event = events_of(queue)[-1]
    assert (event["kind"], event["sop_step"], event["actor"]) == (
        "visitor_registered",
        3,
        "resepsionis",
    )
    assert "Budi" not in event["payload"] and VALID_NIK not in event["payload"]
    queue.call_next("Loket 1", actor="fo")
    refused(
        queue, "wrong_state", queue.register_visitor, ticket.id, actor="r", name="B", nik=VALID_NIK
    )
    assert replay_states([(ticket.id, e["kind"]) for e in events_of(queue) if e["ticket_id"]])


def test_print_outcomes_are_recorded_and_failed_ones_listed(queue: Queue) -> None:
    first = queue.issue("A", actor="kiosk:1").ticket
    second = queue.issue("A", actor="kiosk:1").ticket
    assert first.printed is None
    assert queue.record_print(first.id, actor="kiosk:1", printed=True).printed is True
    failed = queue.record_print(second.id, actor="kiosk:1", printed=False, reason="timeout")
    assert failed.printed is False and failed.state == sop.WAITING
    assert [t["label"] for t in unprinted_tickets(queue.db, first.day)] == ["A-002"]
    kinds = [(e["kind"], json.loads(e["payload"]).get("reason")) for e in events_of(queue)]
    assert kinds[-2:] == [("printed", None), ("print_failed", "timeout")]
    queue.record_print(second.id, actor="resepsionis", printed=True)  # the reprint
    assert unprinted_tickets(queue.db, first.day) == []
    refused(queue, "flag_invalid", queue.record_print, first.id, actor="x", printed="ya")


def test_printer_state_is_recorded_only_when_it_changes(queue: Queue) -> None:
    assert board_state(queue.db)["printer"] is None
    assert queue.record_printer_state("ready", actor="kiosk") is True
    assert queue.record_printer_state("ready", actor="kiosk") is False
    assert queue.record_printer_state("paper_out", actor="kiosk") is True
    assert board_state(queue.db)["printer"] == "paper_out"
    assert [e["kind"] for e in events_of(queue)].count("printer_state") == 2
    refused(queue, "choice_invalid", queue.record_printer_state, "on fire", actor="kiosk")


def test_a_counter_name_wins_over_an_id(tmp_path, db) -> None:
    text = """
[[counters]]
name = "Loket A"
kind = "front_office"
services = ["A", "B", "C", "D"]

[[counters]]
name = "1"
kind = "front_office"
services = ["A", "B", "C", "D"]
"""
    settings = make_settings(tmp_path / "named", text)
    from ult.catalog import apply_catalog

    apply_catalog(db, settings)
    queue = Queue(db, settings)
    named_one = queue.counter("1")
    assert named_one.name == "1" and named_one.id != 1
    assert queue.counter(1).name == "Loket 1"  # an int is always an id (retired here)


def test_topics_match_without_regard_to_case(queue: Queue) -> None:
    assert queue.issue("A", actor="r", topic="dapodik").ticket.topic == "Dapodik"
    error = refused(queue, "topic_unknown", queue.issue, "A", actor="r", topic="Sertifikasi")
    assert "Tunjangan Profesi" in error.message  # the message lists the choices


@pytest.mark.parametrize("huge", [10**5000, -(10**5000)], ids=["huge", "minus-huge"])
def test_absurd_numbers_are_refused_as_queue_errors(queue: Queue, huge) -> None:
    queue.issue("A", actor="r")
    refused(queue, "ticket_unknown", queue.reactivate, huge, actor="r")
    refused(queue, "counter_unknown", queue.call_next, huge, actor="r")
    refused(queue, "service_unknown", queue.issue, huge, actor="r")
    refused(queue, "source_invalid", queue.issue, "A", actor="r", source=huge)
    assert queue.ticket_by_token(huge) is None


@pytest.mark.parametrize("text", ["Budi\x00", "Budi\x1b[31m", "Budi\u2028Santoso", "Budi\u202e"])
def test_one_line_fields_refuse_control_characters(queue: Queue, text) -> None:
    ticket = serve(queue)
    refused(
        queue,
        "text_unprintable",
        queue.identify,
        ticket.id,
        "Loket 1",
        actor="fo",
        name=text,
        nik=VALID_NIK,
    )
    refused(queue, "actor_invalid", queue.detail, ticket.id, "Loket 1", actor=text, text="x")


def test_free_text_keeps_its_lines(queue: Queue) -> None:
    ticket = serve(queue)
    detail = queue.detail(ticket.id, "Loket 1", actor="fo", text="Baris satu\r\nBaris\tdua")
    assert detail.request_detail == "Baris satu\nBaris\tdua"
    refused(
        queue, "text_unprintable", queue.detail, ticket.id, "Loket 1", actor="fo", text="nul\x00"
    )
