"""Day rollover, the office time zone, and a clock that runs behind."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from tests.conftest import OPENING, make_settings
from ult import sop
from ult.queries import clock_warning, events_after
from ult.queue import Queue


def kinds(queue: Queue) -> list[str]:
    return [e.kind for e in events_after(queue.db, 0)]


def test_numbers_restart_at_local_midnight_not_utc(queue: Queue, clock) -> None:
    clock.set(datetime(2026, 11, 25, 16, 59, tzinfo=UTC))  # 23:59 in Jakarta
    assert queue.issue("A", actor="r").ticket.label == "A-001"
    assert queue.issue("A", actor="r").ticket.day.isoformat() == "2026-11-25"
    clock.set(datetime(2026, 11, 25, 17, 0, tzinfo=UTC))  # 00:00 in Jakarta, 26th
    ticket = queue.issue("A", actor="r").ticket
    assert (ticket.label, ticket.day.isoformat()) == ("A-001", "2026-11-26")
    # UTC midnight (07:00 in Jakarta) changes nothing: peers reset numbers there.
    clock.set(datetime(2026, 11, 26, 0, 30, tzinfo=UTC))
    assert queue.issue("A", actor="r").ticket.label == "A-002"


def test_configured_reset_time_and_zone(tmp_path, db, clock) -> None:
    settings = make_settings(
        tmp_path / "h", '[office]\ntimezone = "Asia/Makassar"\n[queue]\nday_reset = "05:00"\n'
    )
    queue = Queue(db, settings, clock=clock)
    clock.set(datetime(2026, 11, 25, 20, 30, tzinfo=UTC))  # 04:30 WITA on the 26th
    assert queue.issue("A", actor="r").ticket.day.isoformat() == "2026-11-25"
    clock.set(datetime(2026, 11, 25, 21, 0, tzinfo=UTC))  # 05:00 WITA
    assert queue.issue("A", actor="r").ticket.day.isoformat() == "2026-11-26"


def test_rollover_expires_waiting_and_called_keeps_escalated(queue: Queue, clock) -> None:
    waiting = queue.issue("A", actor="r").ticket
    called_id = queue.issue("A", actor="r").ticket.id
    escalated_id = queue.issue("B", actor="r").ticket.id
    queue.call_specific("Loket 1", escalated_id, actor="fo")
    queue.start(escalated_id, "Loket 1", actor="fo")
    queue.escalate(escalated_id, "Loket 1", actor="fo", note="x")
    queue.call_specific("Loket 2", called_id, actor="fo")
    clock.advance(days=1)
    assert queue.roll_over() == 2
    assert queue.ticket(waiting.id).state == sop.EXPIRED
    called = queue.ticket(called_id)
    assert (called.state, called.counter_id) == (sop.EXPIRED, None)
    assert queue.ticket(escalated_id).state == sop.ESCALATED
    assert kinds(queue)[-3:] == ["expired", "expired", "day_started"]
    expired_events = events_after(queue.db, 0)[-3:-1]
    assert [e.payload["state"] for e in expired_events] == ["expired", "expired"]
    assert [e.counter_id for e in expired_events] == [None, queue.counter("Loket 2").id]
    started = events_after(queue.db, 0)[-1]
    assert started.payload == {"day": "2026-11-26", "expired": 2}
    # The counter is free on the new day, and numbering restarts.
    assert queue.issue("A", actor="r").ticket.label == "A-001"
    assert queue.call_next("Loket 2", actor="fo").label == "A-001"
    assert queue.roll_over() == 0  # idempotent


def test_rollover_closes_cases_left_at_a_desk_and_frees_the_counter(queue: Queue, clock) -> None:
    forgotten = queue.issue("A", actor="r").ticket
    queue.call_next("Loket 1", actor="fo")
    queue.start(forgotten.id, "Loket 1", actor="fo")
    clock.advance(days=1)
    fresh = queue.issue("A", actor="r").ticket
    assert fresh.label == forgotten.label == "A-001"
    old = queue.ticket(forgotten.id)
    assert (old.state, old.counter_id) == (sop.EXPIRED, None)
    # Loket 1 is free, and "A-001" now means today's ticket.
    assert queue.call_next("Loket 1", actor="fo").id == fresh.id
    assert queue.ticket("A-001").id == fresh.id


def test_rollover_happens_on_first_write_of_the_day(queue: Queue, clock) -> None:
    old = queue.issue("C", actor="r").ticket
    clock.advance(days=3)
    assert queue.call_next("Loket 1", actor="fo") is None
    assert queue.ticket(old.id).state == sop.EXPIRED


def test_rollover_checkpoints_the_wal(queue: Queue, clock, settings) -> None:
    for _ in range(50):
        queue.issue("A", actor="r")
    wal = settings.store.database.with_name(settings.store.database.name + "-wal")
    assert wal.stat().st_size > 0
    clock.advance(days=1)
    queue.roll_over()
    assert wal.stat().st_size == 0


def test_clock_behind_never_reuses_numbers_and_warns(queue: Queue, clock) -> None:
    for _ in range(3):
        queue.issue("A", actor="r")
    # The Pi lost power and booted two years in the past with no network time.
    clock.set(datetime(2024, 1, 1, 2, 0, tzinfo=UTC))
    fresh = Queue(queue.db, queue.settings, clock=clock)  # a restarted process
    ticket = fresh.issue("A", actor="r").ticket
    assert (ticket.label, ticket.day.isoformat()) == ("A-004", "2026-11-25")
    assert kinds(fresh).count("clock_behind") == 1
    warning = clock_warning(fresh.db, fresh.business_day())
    assert warning["newest_event"].startswith("2026-11-25")
    fresh.issue("A", actor="r")
    Queue(queue.db, queue.settings, clock=clock).issue("A", actor="r")
    assert kinds(fresh).count("clock_behind") == 1  # once per day, not per ticket
    numbers = [r[0] for r in fresh.db.execute("SELECT number FROM tickets ORDER BY id")]
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_clock_a_little_behind_is_tolerated(queue: Queue, clock) -> None:
    queue.issue("A", actor="r")
    clock.advance(seconds=-30)  # NTP stepping back a few seconds is not a fault
    Queue(queue.db, queue.settings, clock=clock).issue("A", actor="r")
    assert "clock_behind" not in kinds(queue)


def test_times_are_stored_in_utc(queue: Queue, clock) -> None:
    queue.issue("A", actor="r")
    stored = queue.db.execute("SELECT issued_at FROM tickets").fetchone()[0]
    assert stored == "2026-11-25T02:00:00.000000Z"
    payload = json.loads(
        queue.db.execute("SELECT payload FROM events WHERE kind='issued'").fetchone()[0]
    )
    assert payload["label"] == "A-001"


def test_a_clock_set_wrongly_ahead_can_be_corrected(queue: Queue, clock) -> None:
    queue.issue("A", actor="r")  # 2026-11-25
    clock.advance(days=365)  # someone sets the clock a year ahead
    ahead = queue.issue("A", actor="r").ticket
    assert ahead.day.isoformat() == "2027-11-25"
    clock.set(OPENING + timedelta(days=1, hours=1))  # the clock is right again: 26 Nov 2026
    stuck = queue.issue("A", actor="r").ticket
    assert stuck.day.isoformat() == "2027-11-25" and stuck.label == "A-002"
    assert queue.day_ahead() == (date(2027, 11, 25), date(2026, 11, 26), ["A-001", "A-002"])
    assert queue.correct_day(actor="teknisi") == (date(2027, 11, 25), date(2026, 11, 26))
    fixed = queue.issue("A", actor="r").ticket
    assert (fixed.day.isoformat(), fixed.label) == ("2026-11-26", "A-001")
    corrected = [e for e in events_after(queue.db, 0) if e.kind == "day_corrected"]
    assert corrected[0].payload == {"from": "2027-11-25", "to": "2026-11-26"}
    assert corrected[0].actor == "teknisi"
    assert queue.correct_day(actor="teknisi") is None  # nothing left to correct
    numbers = queue.db.execute("SELECT day, number FROM tickets ORDER BY id").fetchall()
    assert len(set(numbers)) == len(numbers)
    # The wrongly dated tickets stay in line today and close at the next day reset.
    assert queue.ticket(ahead.id).state == sop.WAITING
    clock.advance(days=1)
    queue.roll_over()
    assert queue.ticket(ahead.id).state == sop.EXPIRED


def test_a_case_explained_this_morning_is_not_expired_by_the_reset(queue: Queue, clock) -> None:
    case = queue.issue("A", actor="r").ticket
    queue.call_next("Loket 1", actor="fo")
    queue.start(case.id, "Loket 1", actor="fo")
    queue.escalate(case.id, "Loket 1", actor="fo", note="?")
    queue.take(case.id, "Back Office", actor="bo")
    queue.resolve(case.id, "Back Office", actor="bo", text="Jawaban")
    clock.advance(days=1)
    queue.explain(case.id, "Loket 1", actor="fo", mode="direct")  # the day's first action
    queue.issue("B", actor="kiosk")  # the day's first ticket
    assert queue.ticket(case.id).state == sop.EXPLAINED
    assert (
        queue.finish(case.id, "Loket 1", actor="fo", incomplete_reason="visitor_declined").state
        == sop.DONE
    )


def test_a_long_running_process_follows_a_day_started_elsewhere(queue: Queue, clock) -> None:
    other = Queue(queue.db, queue.settings, clock=clock)
    queue.issue("A", actor="r")
    clock.advance(days=1)
    other.issue("A", actor="r")  # another process starts the new day
    assert queue.issue("A", actor="r").ticket.label == "A-002"
    assert kinds(queue).count("day_started") == 2
