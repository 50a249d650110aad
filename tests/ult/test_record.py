"""The step record (ult/record.py) and the reports core (ult/reports.py) on a simulated day
whose every step duration is known: the figures below are worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from tests.conftest import OPENING, fresh_database, make_settings
from tests.ult.test_queue import refused
from ult import accounts, guestbook, migrations, record, reports, sop
from ult.clock import FakeClock, to_stamp
from ult.errors import QueueError
from ult.queue import Queue
from ult.settings import Settings
from ult.steps import StepTimer, step_timers
from ult.store import connect, migrate

DAY = date(2026, 11, 25)
L1, L2, BO = "Loket 1", "Loket 2", "Back Office"


def at_minute(clock: FakeClock, minute: float) -> None:
    clock.set(OPENING + timedelta(minutes=minute))


def simulate_day(queue: Queue, clock: FakeClock) -> dict[str, int]:
    """Three cases, minute by minute (OPENING = 09:00 local):

    A-001 answered at the desk by fo1 (Loket 1): issued 0, called 4, started 6, identified
    8, detailed 13 (step 8: 5 min, 2 over), answered 16, explained 20, finished 26 (step 16:
    6 min, 1 over). A-002 through the main unit, fo2 at Loket 2: issued 1, called 15 (a
    14-minute wait, 8 over: nobody's overrun), started 16, consulted 19, escalated 27 (step
    10: 8 min, 3 over), taken by bo 29, forwarded 33 (step 12: 4 min, 1 over), disposition by
    unit 43 (step 13: 10 min, 5 over), relayed 44, explained 46, finished 48 as an anonymous
    complaint (no identity, no request detail: finished with that reason, SOP 16). A-003, a
    priority visitor issued at 2, called at 30, recalled twice, no-show.
    """
    ids = {}

    def at(minute: float, action, *args, **kwargs):
        at_minute(clock, minute)
        return action(*args, **kwargs)

    ids["A-001"] = at(0, queue.issue, "A", actor="r").ticket.id
    ids["A-002"] = at(1, queue.issue, "A", actor="r").ticket.id
    ids["A-003"] = at(2, queue.issue, "A", actor="r", priority=True).ticket.id
    a, b, c = ids["A-001"], ids["A-002"], ids["A-003"]
    at(4, queue.call_specific, L1, a, actor="fo1")
    at(6, queue.start, a, L1, actor="fo1")
    at(8, queue.identify, a, L1, actor="fo1", name="Budi", nik="1271011201900001")
    at(13, queue.detail, a, L1, actor="fo1", text="Tunjangan profesi")
    at(15, queue.call_specific, L2, b, actor="fo2")
    at(16, queue.answer, a, L1, actor="fo1", kind="available", text="Sudah cair")
    at(16, queue.start, b, L2, actor="fo2")
    at(19, queue.consult, b, L2, actor="fo2")
    at(20, queue.explain, a, L1, actor="fo1", mode="direct")
    at(26, queue.finish, a, L1, actor="fo1")
    at(27, queue.escalate, b, L2, actor="fo2", note="Perlu back office")
    at(29, queue.take, b, BO, actor="bo")
    at(30, queue.call_specific, L1, c, actor="fo1")
    at(30.5, queue.recall, c, L1, actor="fo1")
    at(31, queue.recall, c, L1, actor="fo1")
    at(31.5, queue.no_show, c, L1, actor="fo1")
    at(33, queue.forward, b, BO, actor="bo", unit="Bagian Umum")
    at(43, queue.disposition, b, actor="unit", text="Lengkapi berkas")
    at(44, queue.relay, b, BO, actor="bo", note="Diteruskan")
    at(46, queue.explain, b, L2, actor="fo2", mode="indirect")
    at(48, queue.finish, b, L2, actor="fo2", incomplete_reason="anonymous_complaint")
    return ids


def rows_of(db: sqlite_utils.Database) -> list[tuple]:
    return db.execute(
        "SELECT t.label, s.step, s.waiting, s.seconds, s.overrun_seconds, s.officer, "
        "s.clock_anomaly FROM step_records s JOIN tickets t ON t.id = s.ticket_id "
        "ORDER BY s.event_id"
    ).fetchall()


MINUTE = 60
EXPECTED_ROWS = [
    ("A-001", 4, 1, 4 * MINUTE, 0, None, 0),
    ("A-001", 6, 0, 2 * MINUTE, 0, "fo1", 0),
    ("A-001", 7, 0, 2 * MINUTE, 0, "fo1", 0),
    ("A-001", 8, 0, 5 * MINUTE, 2 * MINUTE, "fo1", 0),
    ("A-002", 4, 1, 14 * MINUTE, 8 * MINUTE, None, 0),
    ("A-001", 9, 0, 3 * MINUTE, 0, "fo1", 0),
    ("A-002", 6, 0, 1 * MINUTE, 0, "fo2", 0),
    ("A-002", 9, 0, 3 * MINUTE, 0, "fo2", 0),
    ("A-001", 15, 0, 4 * MINUTE, 0, "fo1", 0),
    ("A-001", 16, 0, 6 * MINUTE, 1 * MINUTE, "fo1", 0),
    ("A-002", 10, 0, 8 * MINUTE, 3 * MINUTE, "fo2", 0),
    ("A-002", 11, 0, 2 * MINUTE, 0, "bo", 0),
    ("A-003", 4, 1, 28 * MINUTE, 22 * MINUTE, None, 0),
    ("A-002", 12, 0, 4 * MINUTE, 1 * MINUTE, "bo", 0),
    ("A-002", 13, 0, 10 * MINUTE, 5 * MINUTE, "unit", 0),
    ("A-002", 14, 0, 1 * MINUTE, 0, "bo", 0),
    ("A-002", 15, 0, 2 * MINUTE, 0, "fo2", 0),
    ("A-002", 16, 0, 2 * MINUTE, 0, "fo2", 0),
]


def test_each_step_is_kept_with_the_event_that_closes_it(queue: Queue, clock: FakeClock) -> None:
    simulate_day(queue, clock)
    assert rows_of(queue.db) == EXPECTED_ROWS
    assert record.differences(queue.db) == []
    # Each row's times are its opening and closing events' times.
    began, ended = queue.db.execute(
        "SELECT began_at, ended_at FROM step_records WHERE step = 13"
    ).fetchone()
    assert (began, ended) == (
        to_stamp(OPENING + timedelta(minutes=33)),
        to_stamp(OPENING + timedelta(minutes=43)),
    )


def test_rebuild_recomputes_the_same_rows(queue: Queue, clock: FakeClock) -> None:
    simulate_day(queue, clock)
    kept = queue.db.execute("SELECT * FROM step_records ORDER BY event_id").fetchall()
    queue.db.execute("DELETE FROM step_records WHERE step = 9")
    queue.db.execute("UPDATE step_records SET seconds = 1 WHERE step = 16")
    assert {kind for kind, _ in record.differences(queue.db)} == {"missing"}
    assert record.rebuild(queue.db) == len(EXPECTED_ROWS)
    assert queue.db.execute("SELECT * FROM step_records ORDER BY event_id").fetchall() == kept
    assert record.differences(queue.db) == []


def test_a_clock_set_back_is_an_anomaly_never_a_negative_time(
    queue: Queue, clock: FakeClock
) -> None:
    ticket = queue.issue("B", actor="r").ticket
    clock.set(OPENING - timedelta(minutes=5))  # the Pi booted with an old time
    queue.call_specific(L1, ticket.id, actor="fo1")
    clock.set(OPENING + timedelta(minutes=1))
    queue.start(ticket.id, L1, actor="fo1")
    assert rows_of(queue.db) == [
        ("B-001", 4, 1, 0, 0, None, 1),
        ("B-001", 6, 0, 6 * MINUTE, 3 * MINUTE, "fo1", 0),
    ]
    assert record.differences(queue.db) == []


def test_the_live_timer_covers_the_back_office_and_unit_steps(
    queue: Queue, clock: FakeClock
) -> None:
    ticket = queue.issue("A", actor="r").ticket
    queue.call_specific(L1, ticket.id, actor="fo1")
    queue.start(ticket.id, L1, actor="fo1")
    queue.escalate(ticket.id, L1, actor="fo1", note="?")
    queue.take(ticket.id, BO, actor="bo")
    forwarded = clock.advance(minutes=1)
    queue.forward(ticket.id, BO, actor="bo", unit="Bagian Umum")
    clock.advance(minutes=6)
    timers = step_timers(queue.db, [queue.ticket(ticket.id)], clock())
    assert timers == {ticket.id: StepTimer(13, forwarded, 5, 360)}
    assert timers[ticket.id].overdue
    received = clock.advance(minutes=1)
    queue.disposition(ticket.id, actor="unit", text="Arahan")
    clock.advance(minutes=2)
    timer = step_timers(queue.db, [queue.ticket(ticket.id)], clock())[ticket.id]
    assert timer == StepTimer(14, received, 5, 120) and not timer.overdue


def test_consult_and_relay_follow_the_state_machine(queue: Queue, clock: FakeClock) -> None:
    ticket = queue.issue("A", actor="r").ticket
    refused(queue, "wrong_state", queue.consult, ticket.id, L1, actor="fo1")
    queue.call_specific(L1, ticket.id, actor="fo1")
    queue.start(ticket.id, L1, actor="fo1")
    refused(queue, "not_at_counter", queue.consult, ticket.id, L2, actor="fo2")
    consulted = queue.consult(ticket.id, L1, actor="fo1")
    assert (consulted.state, consulted.counter_id) == (sop.SERVING, queue.counter(L1).id)
    queue.escalate(ticket.id, L1, actor="fo1", note="?")
    refused(queue, "wrong_state", queue.relay, ticket.id, BO, actor="bo")
    queue.take(ticket.id, BO, actor="bo")
    queue.forward(ticket.id, BO, actor="bo", unit="Bagian Umum")
    received = queue.disposition(ticket.id, actor="unit", text="Arahan")
    assert received.state == sop.DISPOSITION_RECEIVED
    with pytest.raises(QueueError) as error:
        queue.relay(ticket.id, L1, actor="fo1")  # a front-office counter cannot relay
    assert queue.ticket(ticket.id).state == sop.DISPOSITION_RECEIVED, error.value.code
    ready = queue.relay(ticket.id, BO, actor="bo")
    assert (ready.state, ready.relay_note) == (sop.ANSWER_READY, None)


def test_a_unit_that_answers_the_front_office_skips_the_relay(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", "[escalation]\nunit_answers_front_office = true\n")
    clock = FakeClock(OPENING)
    queue = Queue(fresh_database(settings), settings, clock=clock)
    ticket = queue.issue("A", actor="r").ticket
    queue.call_specific(L1, ticket.id, actor="fo1")
    queue.start(ticket.id, L1, actor="fo1")
    queue.escalate(ticket.id, L1, actor="fo1", note="?")
    queue.take(ticket.id, BO, actor="bo")
    queue.forward(ticket.id, BO, actor="bo", unit="Bagian Umum")
    clock.advance(minutes=7)
    ready = queue.disposition(ticket.id, actor="unit", text="Arahan")
    assert ready.state == sop.ANSWER_READY
    refused(queue, "wrong_state", queue.relay, ticket.id, BO, actor="bo")
    clock.advance(minutes=3)
    queue.explain(ticket.id, L1, actor="fo1", mode="direct")
    steps = [(r[1], r[3]) for r in rows_of(queue.db)]
    assert steps[-2:] == [(13, 7 * MINUTE), (15, 3 * MINUTE)]
    assert 14 not in [s for s, _ in steps]


def test_the_migration_fills_the_record_from_an_older_log(
    queue: Queue, clock: FakeClock, tmp_path: Path
) -> None:
    simulate_day(queue, clock)
    before = migrations.MIGRATIONS.index(migrations._v5_step_records)
    old = connect(tmp_path / "old" / "ult.db", migrate_schema=False)
    migrate(old, target=before)
    assert "step_records" not in old.table_names()
    # The log and tickets of the simulated day, as a database of the previous schema holds
    # them (the columns both schemas have: the old link to a visitor stays empty).
    old.execute("ATTACH DATABASE ? AS day", (str(queue.settings.store.database),))
    old.conn.execute("BEGIN")
    for table in ("services", "topics", "counters", "counter_services", "main_units"):
        old.execute(f"INSERT INTO {table} SELECT * FROM day.{table}")
    for table in ("tickets", "events"):
        columns = ", ".join(c for c in old[table].columns_dict if c in queue.db[table].columns_dict)
        old.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM day.{table}")
    old.conn.execute("COMMIT")
    old.execute("DETACH DATABASE day")
    assert migrate(old) == migrations.LATEST
    assert rows_of(old) == EXPECTED_ROWS
    assert record.differences(old) == []


def test_the_v9_migration_recomputes_rows_kept_by_the_old_rule(
    queue: Queue, clock: FakeClock
) -> None:
    # A database kept by the old rule: step 16 whole and charged to the closer.
    takeover = explain_then_take_over(queue, clock, 23)
    new_rule = step_16(queue.db)
    queue.db.execute("DELETE FROM step_records WHERE step = 16 AND event_id = ?", (takeover,))
    queue.db.execute(
        "UPDATE step_records SET began_at = ?, seconds = ?, overrun_seconds = ? WHERE step = 16",
        (stamp(3), 22 * MINUTE, 17 * MINUTE),
    )
    assert record.differences(queue.db)
    queue.db.conn.execute("BEGIN")
    migrations._v9_step_parts(queue.db)
    queue.db.conn.execute("COMMIT")
    assert step_16(queue.db) == new_rule and record.differences(queue.db) == []
    key = [c[1] for c in queue.db.execute("PRAGMA table_info(step_records)") if c[5]]
    assert key == ["event_id", "ticket_id", "step"]


# ----------------------------------------------------------------- reports


@pytest.fixture
def day_db(queue: Queue, clock: FakeClock) -> sqlite_utils.Database:
    simulate_day(queue, clock)
    return queue.db


def one_day() -> reports.Period:
    return reports.Period.of("day", DAY)


def test_a_clock_set_back_is_left_out_of_the_times_and_counted(
    queue: Queue, clock: FakeClock
) -> None:
    # B-001: the clock is set back between the issue and the call (wait: 0 s, anomaly).
    odd = queue.issue("B", actor="r").ticket
    clock.set(OPENING - timedelta(minutes=5))
    queue.call_specific(L1, odd.id, actor="fo1")
    clock.set(OPENING + timedelta(minutes=1))
    queue.start(odd.id, L1, actor="fo1")
    queue.answer(odd.id, L1, actor="fo1", kind="available", text="Sudah")
    queue.explain(odd.id, L1, actor="fo1", mode="direct")
    queue.finish(odd.id, L1, actor="fo1", incomplete_reason="visitor_declined")
    # B-002: a clean case, waited 2 minutes, 2 minutes at the desk, 4 minutes in all.
    at_minute(clock, 2)
    clean = queue.issue("B", actor="r").ticket
    at_minute(clock, 4)
    queue.call_specific(L1, clean.id, actor="fo1")
    queue.start(clean.id, L1, actor="fo1")
    at_minute(clock, 5)
    queue.answer(clean.id, L1, actor="fo1", kind="available", text="Sudah")
    queue.explain(clean.id, L1, actor="fo1", mode="direct")
    at_minute(clock, 6)
    queue.finish(clean.id, L1, actor="fo1", incomplete_reason="visitor_declined")
    (row,) = reports.report(queue.db, "summary", one_day()).rows
    assert (row["visitors"], row["clock_anomaly_cases"]) == (2, 1)
    # Only B-002's times: B-001's 0-second wait and its total are no figures.
    assert (row["wait_median"], row["wait_max"]) == (2 * MINUTE, 2 * MINUTE)
    assert (row["service_median"], row["total_median"]) == (2 * MINUTE, 4 * MINUTE)
    wait = next(r for r in reports.report(queue.db, "compliance", one_day()).rows if r["waiting"])
    # The 0-second wait is not "within standard": one wait timed, one anomaly counted.
    assert (wait["count"], wait["clock_anomalies"], wait["median"]) == (1, 1, 2 * MINUTE)
    assert wait["within_share"] == 100.0
    fo1 = reports.report(queue.db, "officers", one_day()).rows[0]
    assert fo1["clock_anomalies"] == 0


def test_summary_figures(day_db: sqlite_utils.Database) -> None:
    (row,) = reports.report(day_db, "summary", one_day()).rows
    assert row == {
        "visitors": 3,
        "finished_resolved": 2,
        "finished_unresolved": 0,
        "no_show": 1,
        "cancelled": 0,
        "expired": 0,
        "still_open": 0,
        "priority": 1,
        # Waits 4, 14 and 28 minutes.
        "wait_median": 14 * MINUTE,
        "wait_p90": 28 * MINUTE,
        "wait_max": 28 * MINUTE,
        "wait_priority_median": 28 * MINUTE,
        "wait_normal_median": 9 * MINUTE,
        # Start to finish: 20 and 32 minutes; issue to finish: 26 and 47.
        "service_median": 26 * MINUTE,
        "service_p90": 32 * MINUTE,
        "service_max": 32 * MINUTE,
        "total_median": 36.5 * MINUTE,
        "total_p90": 47 * MINUTE,
        "total_max": 47 * MINUTE,
        "clock_anomaly_cases": 0,
        # A-002, an anonymous complaint, finished without identity or request detail.
        "finished_incomplete": 1,
        "incomplete_visitor_declined": 0,
        "incomplete_anonymous_complaint": 1,
        "incomplete_no_identity_document": 0,
    }
    # Another day, another service: nothing.
    empty = reports.report(day_db, "summary", reports.Period.of("day", DAY + timedelta(1)))
    assert empty.rows[0]["visitors"] == 0 and empty.rows[0]["wait_median"] is None
    assert reports.report(day_db, "summary", one_day(), service="B").rows[0]["visitors"] == 0


def test_officers_and_overruns_name_the_right_officer(day_db: sqlite_utils.Database) -> None:
    officers = {r["username"]: r for r in reports.report(day_db, "officers", one_day()).rows}
    assert {
        name: (r["count"], r["overruns"], r["overrun_total"]) for name, r in officers.items()
    } == {
        "fo1": (6, 2, 3 * MINUTE),
        "fo2": (5, 1, 3 * MINUTE),
        "bo": (3, 1, 1 * MINUTE),
        "unit": (1, 1, 5 * MINUTE),
    }
    assert officers["fo1"]["within_share"] == 66.7 and officers["fo1"]["cases"] == 1
    overruns = reports.report(day_db, "overruns", one_day()).rows
    assert [(r["label"], r["step"], r["officer"], r["overrun_seconds"]) for r in overruns] == [
        ("A-001", 8, "fo1", 2 * MINUTE),
        ("A-001", 16, "fo1", 1 * MINUTE),
        ("A-002", 10, "fo2", 3 * MINUTE),
        ("A-002", 12, "bo", 1 * MINUTE),
        ("A-002", 13, "unit", 5 * MINUTE),
    ]
    # The waits that ran over are nobody's overrun.
    assert all(r["step"] != 4 for r in overruns)


def test_reports_name_officers_by_full_name_with_their_nip(queue: Queue, clock: FakeClock) -> None:
    accounts.add_user(
        queue.db,
        "fo1",
        "Kursi-biru-jendela-77",
        "front_office",
        full_name="Rina Sitompul",
        nip="198503122010012001",
    )
    simulate_day(queue, clock)
    officers = {r["username"]: r for r in reports.report(queue.db, "officers", one_day()).rows}
    assert (officers["fo1"]["officer"], officers["fo1"]["nip"]) == (
        "Rina Sitompul",
        "198503122010012001",
    )
    assert (officers["fo2"]["officer"], officers["fo2"]["nip"]) == ("fo2", None)  # no account
    overruns = reports.report(queue.db, "overruns", one_day()).rows
    assert [r["officer"] for r in overruns[:2]] == ["Rina Sitompul", "Rina Sitompul"]


def test_sitting_at_a_counter_leaves_the_step_record_alone(queue: Queue, clock: FakeClock) -> None:
    at_minute(clock, -5)
    queue.take_counter(L1, actor="fo1")
    queue.take_counter(L2, actor="fo2")
    queue.take_counter(BO, actor="bo")
    simulate_day(queue, clock)
    at_minute(clock, 50)  # the afternoon officer takes over Loket 2
    queue.leave_counter(L2, actor="fo2")
    queue.take_counter(L2, actor="fo3")
    assert rows_of(queue.db) == EXPECTED_ROWS
    assert record.differences(queue.db) == []
    assert record.rebuild(queue.db) == len(EXPECTED_ROWS)


def explain_then_take_over(queue: Queue, clock: FakeClock, minute: float) -> int:
    """fo1 explains a B ticket at Loket 1 at minute 3 (step 16 opens) and is away; fo2
    takes Loket 1 over at ``minute`` and finishes at 25. Returns the takeover's event id."""
    at_minute(clock, 0)
    queue.take_counter(L1, actor="fo1")
    ticket = queue.issue("B", actor="r").ticket
    queue.call_specific(L1, ticket.id, actor="fo1")
    queue.start(ticket.id, L1, actor="fo1")
    at_minute(clock, 1)
    queue.answer(ticket.id, L1, actor="fo1", kind="available", text="Sudah")
    at_minute(clock, 3)
    queue.explain(ticket.id, L1, actor="fo1", mode="direct")
    at_minute(clock, minute)
    taken = queue.take_counter(L1, actor="fo2", takeover=True, reason="fo1 sakit")
    at_minute(clock, 25)
    queue.finish(ticket.id, L1, actor="fo2", incomplete_reason="visitor_declined")
    return taken.event_id


def step_16(db: sqlite_utils.Database) -> list[tuple]:
    return db.execute(
        "SELECT event_id, began_at, ended_at, seconds, overrun_seconds, officer "
        "FROM step_records WHERE step = 16 ORDER BY began_at"
    ).fetchall()


def stamp(minute: float) -> str:
    return to_stamp(OPENING + timedelta(minutes=minute))


def test_a_takeover_splits_the_running_step_between_the_two_officers(
    queue: Queue, clock: FakeClock
) -> None:
    # Step 16 = 22 minutes against 5, 17 over: fo1 held it 20 minutes (the standard ran
    # out in their part: 15 over), fo2 the last 2 (2 over), not all 17 on fo2.
    takeover = explain_then_take_over(queue, clock, 23)
    finished = queue.db.execute("SELECT MAX(id) FROM events").fetchone()[0]
    assert step_16(queue.db) == [
        (takeover, stamp(3), stamp(23), 20 * MINUTE, 15 * MINUTE, "fo1"),
        (finished, stamp(23), stamp(25), 2 * MINUTE, 2 * MINUTE, "fo2"),
    ]
    assert record.differences(queue.db) == []
    officers = reports.report(queue.db, "officers", one_day()).rows
    assert {r["username"]: r["overrun_total"] for r in officers} == {
        "fo1": 15 * MINUTE,
        "fo2": 2 * MINUTE,
    }


def test_a_takeover_before_the_standard_ran_out_charges_the_new_holder(
    queue: Queue, clock: FakeClock
) -> None:
    # fo1 held step 16 for 2 minutes (within the 5), fo2 for 20: the 17 over are fo2's.
    takeover = explain_then_take_over(queue, clock, 5)
    finished = queue.db.execute("SELECT MAX(id) FROM events").fetchone()[0]
    assert step_16(queue.db) == [
        (takeover, stamp(3), stamp(5), 2 * MINUTE, 0, "fo1"),
        (finished, stamp(5), stamp(25), 20 * MINUTE, 17 * MINUTE, "fo2"),
    ]
    assert record.differences(queue.db) == []
    kept = step_16(queue.db)
    assert record.rebuild(queue.db) == len(rows_of(queue.db))
    assert step_16(queue.db) == kept


def test_the_guest_book_section_lists_the_visits(day_db: sqlite_utils.Database) -> None:
    table = reports.report(day_db, "guestbook", one_day())
    assert [c.key for c in table.columns] == [c.key for c in guestbook.visit_columns()]
    (visit,) = table.rows  # A-001 only: A-002 was anonymous, A-003 never came
    assert (visit["label"], visit["name"], visit["document_number"]) == (
        "A-001",
        "Budi",
        "1271011201900001",
    )
    assert reports.report(day_db, "guestbook", one_day(), service="B").rows == []


def test_steps_and_compliance(day_db: sqlite_utils.Database) -> None:
    steps = reports.report(day_db, "steps", one_day())
    assert [c.key for c in steps.columns][:3] == ["label", "day", "step"]
    assert len(steps.rows) == len(EXPECTED_ROWS)
    first = steps.rows[0]
    assert (first["label"], first["step"], first["counter"], first["officer"]) == (
        "A-001",
        4,
        L1,
        None,
    )
    compliance = {
        (r["step"], r["waiting"]): r for r in reports.report(day_db, "compliance", one_day()).rows
    }
    wait = compliance[(4, 1)]
    assert (wait["count"], wait["within_share"], wait["median"], wait["standard_seconds"]) == (
        3,
        33.3,
        14 * MINUTE,
        6 * MINUTE,
    )
    assert (compliance[(9, 0)]["count"], compliance[(9, 0)]["overruns"]) == (2, 0)


def test_escalations_and_cases_over_the_path(day_db: sqlite_utils.Database) -> None:
    levels = reports.report(day_db, "escalations", one_day()).rows
    assert [(r["count"], r["answered"], r["turnaround_median"]) for r in levels] == [
        (1, 1, 17 * MINUTE),  # escalated 27, relayed 44
        (1, 1, 10 * MINUTE),  # forwarded 33, disposition 43
    ]
    # 26 minutes (desk path 37) and 47 minutes (full path 58): none over.
    assert reports.report(day_db, "cases", one_day()).rows == []


def test_every_section_builds_and_bad_input_is_refused(
    day_db: sqlite_utils.Database, settings: Settings
) -> None:
    year = reports.Period.of("year", DAY)
    for section in reports.SECTIONS:
        table = reports.report(day_db, section, year, settings=settings)
        assert table.section == section and table.title == reports.SECTIONS[section]
        keys = [c.key for c in table.columns]
        assert all(list(row) == keys for row in table.rows), section
        if section in ("ikm", "ikm_services", "survey_profile", "survey_suggestions"):
            continue  # the survey's: a small service is folded (test_ikm.py)
        # Every case of the day is of service A: its report is the whole; B's is empty.
        one = reports.report(day_db, section, year, service="A", settings=settings)
        assert one.rows == table.rows, section
        other = reports.report(day_db, section, year, service="B", settings=settings)
        assert other.rows != table.rows or not table.rows, section
    with pytest.raises(QueueError) as unknown:
        reports.report(day_db, "nope", one_day())
    assert unknown.value.code == "report_section_unknown"
    with pytest.raises(QueueError):
        reports.report(day_db, "summary", one_day(), service="Z")
    with pytest.raises(QueueError):
        reports.Period(DAY, DAY - timedelta(days=1))
    with pytest.raises(QueueError):
        reports.Period(DAY, DAY + timedelta(days=reports.MAX_PERIOD_DAYS))
    with pytest.raises(QueueError):
        reports.Period.of("decade", DAY)
    with pytest.raises(QueueError):
        reports.Period(OPENING, OPENING)  # a moment, not a day


def test_periods() -> None:
    assert reports.Period.of("week", DAY) == reports.Period(date(2026, 11, 23), date(2026, 11, 29))
    assert reports.Period.of("month", DAY) == reports.Period(date(2026, 11, 1), date(2026, 11, 30))
    assert reports.Period.of("quarter", DAY).start == date(2026, 10, 1)
    assert reports.Period.of("semester", DAY) == reports.Period(
        date(2026, 7, 1), date(2026, 12, 31)
    )
    assert reports.Period.of("year", date(2024, 2, 29)).days == 366


def test_median_and_p90_are_exact() -> None:
    assert reports.median([3, 1, 2]) == 2 and reports.median([1, 2, 3, 10]) == 2.5
    assert reports.p90(list(range(1, 11))) == 9 and reports.p90(list(range(1, 12))) == 10
    assert reports.median([]) is None and reports.p90([]) is None


def test_escalations_still_open_across_days(queue: Queue, clock: FakeClock) -> None:
    ticket = queue.issue("A", actor="r").ticket
    queue.call_specific(L1, ticket.id, actor="fo1")
    queue.start(ticket.id, L1, actor="fo1")
    queue.escalate(ticket.id, L1, actor="fo1", note="?")
    queue.take(ticket.id, BO, actor="bo")
    queue.forward(ticket.id, BO, actor="bo", unit="Bagian Umum")

    def levels() -> list[tuple]:
        rows = reports.report(queue.db, "escalations", one_day()).rows
        return [
            (r["count"], r["answered"], r["still_open"], r["open_from_earlier_days"]) for r in rows
        ]

    assert levels() == [(1, 0, 1, 0), (1, 0, 1, 0)]
    clock.advance(days=1)
    assert queue.roll_over() == 0  # an escalated case survives the day reset
    assert levels() == [(1, 0, 1, 1), (1, 0, 1, 1)]
    queue.disposition(ticket.id, actor="unit", text="Arahan")
    assert levels() == [(1, 0, 1, 1), (1, 1, 0, 0)]  # the unit answered; the relay is due


@pytest.mark.parametrize("kind", ["day", "year"])  # the day index; the durations index
def test_compliance_figures_agree_with_the_step_rows(
    day_db: sqlite_utils.Database, kind: str
) -> None:
    period = reports.Period.of(kind, DAY)
    assert (period.days > reports.LONG_PERIOD_DAYS) == (kind == "year")
    durations: dict[tuple, list[int]] = {}
    for row in reports.report(day_db, "steps", period).rows:
        durations.setdefault((row["step"], row["waiting"]), []).append(row["seconds"])
    rows = reports.report(day_db, "compliance", period).rows
    assert [(r["step"], r["waiting"]) for r in rows] == sorted(durations)
    for row in rows:
        values = durations[(row["step"], row["waiting"])]
        assert (row["count"], row["median"], row["p90"], row["max"]) == (
            len(values),
            reports.median(values),
            reports.p90(values),
            max(values),
        )
    officers = reports.report(day_db, "officers", period).rows
    assert sum(r["count"] for r in officers) == sum(
        len(v) for (_, waiting), v in durations.items() if not waiting
    )


def test_shared_tickets_give_the_same_tables(
    day_db: sqlite_utils.Database, settings: Settings
) -> None:
    period = reports.Period.of("month", DAY)
    alone = [reports.report(day_db, n, period, settings=settings) for n in reports.SECTIONS]
    with reports.shared_tickets():
        shared = [reports.report(day_db, n, period, settings=settings) for n in reports.SECTIONS]
        again = reports.report(day_db, "summary", period)
    assert shared == alone and again == alone[0]
