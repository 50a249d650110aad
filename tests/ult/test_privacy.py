"""The visitors' data duties (UU 27/2022, issue 13 §3): the retention purge, access and
erasure of one identity, the audit events; and ``ult purge`` / ``ult privacy`` on the
command line. Real SQLite file, the real queue."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from click.testing import CliRunner

from tests.conftest import NO_HOURS
from ult import privacy, reports
from ult.cli import main
from ult.clock import FakeClock
from ult.errors import QueueError
from ult.kinds import EventKind
from ult.queue import Queue
from ult.settings import load_settings
from ult.store import connect

NIK_SITI = "1271011201900001"
NIK_BUDI = "3273015205850002"
PASSPORT = "B1234567"
RETENTION = 30


def serve(queue: Queue, service: str, name: str, *, nik: str | None = None, **more: Any) -> int:
    """One visit: issued, called at Loket 1, started, identified, finished (cancelled with a
    reason at the desk, which closes the step record); the ticket id."""
    ticket = queue.issue(service, actor="r").ticket
    queue.call_specific(1, ticket.id, actor="fo")
    queue.start(ticket.id, 1, actor="fo")
    queue.identify(ticket.id, 1, actor="fo", name=name, nik=nik, **more)
    queue.cancel(ticket.id, actor="fo", reason="selesai", counter=1)
    return ticket.id


def next_day(queue: Queue, clock: FakeClock) -> None:
    clock.advance(days=1)
    queue.roll_over()


@pytest.fixture
def three_days(queue: Queue, clock: FakeClock) -> list[date]:
    """Visits on three business days in a row: Siti (NIK) and a passport holder on the
    first, Budi on the second, Siti again and Budi on the third. Returns the three days."""
    days = [queue.today()]
    serve(queue, "A", "Siti Aminah", nik=NIK_SITI, phone="081234567890", institution="SDN 7")
    serve(
        queue,
        "B",
        "John Traveller",
        document_kind="paspor",
        document_number=PASSPORT.lower(),
        acting_for=True,
        represents_name="PT Contoh",
        letter_type="surat_kuasa",
        letter_number="SK-01/2026",
        letter_date="2026-11-20",
    )
    next_day(queue, clock)
    days.append(queue.today())
    serve(queue, "A", "Budi Santoso", nik=NIK_BUDI, address="Jl. Mawar 1", occupation="Guru")
    next_day(queue, clock)
    days.append(queue.today())
    serve(queue, "C", "Siti Aminah", nik=NIK_SITI)
    serve(queue, "A", "Budi Santoso", nik=NIK_BUDI)
    return days


def figures(db: sqlite_utils.Database, days: list[date]) -> dict[str, Any]:
    """What must not change when identities go: the summary, the per-service table, every
    step record, and every event."""
    period = reports.Period(days[0], days[-1])
    return {
        "summary": reports.report(db, "summary", period).rows,
        "services": reports.report(db, "services", period).rows,
        "steps": list(db.query("SELECT * FROM step_records ORDER BY rowid")),
        "events": list(db.query("SELECT id, kind, ticket_id FROM events ORDER BY id")),
        "visits": list(
            db.query(
                "SELECT id, ticket_id, document_kind, recorded_at, recorded_by, step FROM visits"
            )
        ),
    }


def held(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT name FROM visits WHERE erased_at IS NULL ORDER BY id")]


def events_of(db: sqlite_utils.Database, kind: EventKind) -> list[dict[str, Any]]:
    return [
        {**r, "payload": json.loads(r["payload"])}
        for r in db.query(
            "SELECT id, at, kind, ticket_id, counter_id, sop_step, actor, payload FROM events "
            "WHERE kind = ? ORDER BY id",
            (str(kind),),
        )
    ]


# ---------------------------------------------------------------------- retention


def test_purge_erases_exactly_the_days_past_retention(
    queue: Queue, clock: FakeClock, three_days: list[date]
) -> None:
    db = queue.db
    first, second, third = three_days
    # On this day the third day's visits are exactly RETENTION days old: kept. The second
    # day's are one day older: erased, with the first's.
    today = third + timedelta(days=RETENTION)
    assert privacy.last_expired_day(today, RETENTION) == second
    before = figures(db, three_days)

    plan = privacy.purge_plan(db, today, RETENTION)
    assert plan == privacy.PurgePlan(count=3, up_to=second, oldest=first)
    done = privacy.purge(db, today=today, retention_days=RETENTION, at=clock(), actor="purge")
    assert done == plan

    assert held(db) == ["Siti Aminah", "Budi Santoso"]
    erased = list(db.query("SELECT * FROM visits WHERE erased_at IS NOT NULL"))
    assert len(erased) == 3
    for row in erased:
        assert row["name"] == "" and row["document_number"] == ""
        assert all(row[c] is None for c in privacy.ERASED_NULL), row
        assert row["erased_at"] is not None
    # Nothing of a person is left anywhere in those rows; the passport and the letter went.
    text = json.dumps(list(db.query("SELECT * FROM visits WHERE erased_at IS NOT NULL")))
    for gone in ("Siti", "John", PASSPORT, "PT Contoh", "SK-01", "Mawar", "Guru", "0812"):
        assert gone not in text

    (event,) = events_of(db, EventKind.VISITS_PURGED)
    assert event["payload"] == {
        "count": 3,
        "up_to": second.isoformat(),
        "oldest": first.isoformat(),
        "retention_days": RETENTION,
    }
    assert event["actor"] == "purge" and event["ticket_id"] is None

    after = figures(db, three_days)
    # Figures, step records and the visits' anonymous columns are unchanged.
    assert after["summary"] == before["summary"] and after["services"] == before["services"]
    assert after["steps"] == before["steps"] and after["visits"] == before["visits"]
    assert after["events"] == [*before["events"], {**after["events"][-1]}]


def test_a_purge_a_day_earlier_keeps_the_boundary_day(
    queue: Queue, clock: FakeClock, three_days: list[date]
) -> None:
    _first, second, third = three_days
    today = third + timedelta(days=RETENTION - 1)
    assert privacy.purge_plan(queue.db, today, RETENTION).count == 2
    privacy.purge(queue.db, today=today, retention_days=RETENTION, at=clock(), actor="purge")
    assert held(queue.db) == ["Budi Santoso", "Siti Aminah", "Budi Santoso"]
    assert queue.db.execute("SELECT COUNT(*) FROM tickets WHERE day = ?", (second.isoformat(),))


def test_purge_is_idempotent_and_records_nothing_when_nothing_is_due(
    queue: Queue, clock: FakeClock, three_days: list[date]
) -> None:
    db = queue.db
    today = three_days[-1] + timedelta(days=RETENTION + 1)
    assert (
        privacy.purge(db, today=today, retention_days=RETENTION, at=clock(), actor="p").count == 5
    )
    events = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    again = privacy.purge(db, today=today, retention_days=RETENTION, at=clock(), actor="p")
    assert again.count == 0 and again.oldest is None
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == events
    assert len(events_of(db, EventKind.VISITS_PURGED)) == 1
    # Nothing due at all: no event either.
    early = privacy.purge(db, today=three_days[0], retention_days=RETENTION, at=clock(), actor="p")
    assert early.count == 0


def test_purge_handles_thousands_of_visits_in_one_transaction(
    queue: Queue, clock: FakeClock
) -> None:
    db = queue.db
    serve(queue, "A", "Siti Aminah", nik=NIK_SITI)
    ticket_id, day = db.execute("SELECT id, day FROM tickets").fetchone()
    # 5000 visits: copies of the ticket (the purge reads tickets' days and visits only).
    with db.conn:
        db.conn.execute("PRAGMA foreign_keys = OFF")
        columns = [c.name for c in db["tickets"].columns if c.name not in ("id",)]
        for n in range(5000):
            db.conn.execute(
                f"INSERT INTO tickets ({', '.join(columns)}) SELECT "
                + ", ".join(
                    {"number": "?", "token": "?", "label": "?", "idempotency_key": "NULL"}.get(c, c)
                    for c in columns
                )
                + " FROM tickets WHERE id = ?",
                (1000 + n, f"Z-{n}", f"tok{n}", ticket_id),
            )
        db.conn.execute(
            "INSERT INTO visits (ticket_id, document_kind, document_number, name, recorded_at, "
            "recorded_by, step) SELECT id, 'ktp', ?, 'Siti Aminah', '2026-11-25T02:00:00Z', "
            "'fo', 7 FROM tickets WHERE label LIKE 'Z-%'",
            (NIK_SITI,),
        )
        db.conn.execute("PRAGMA foreign_keys = ON")
    today = date.fromisoformat(day) + timedelta(days=RETENTION + 1)
    began = time.perf_counter()
    done = privacy.purge(db, today=today, retention_days=RETENTION, at=clock(), actor="p")
    elapsed = time.perf_counter() - began
    assert done.count == 5001
    assert elapsed < 2.0, elapsed
    assert held(db) == []


# ---------------------------------------------------------------------- one identity


def test_identity_numbers_are_normalised_and_checked() -> None:
    assert privacy.identity_number(" 1271 0112.0190-0001 ") == NIK_SITI
    assert privacy.identity_number("b 1234567") == PASSPORT
    with pytest.raises(QueueError) as empty:
        privacy.identity_number("  ")
    assert empty.value.code == "identity_number_required"
    with pytest.raises(QueueError) as month:
        # Sixteen digits are a NIK: a 13th month cannot exist.
        privacy.identity_number("1271011213900001")
    assert month.value.code == "nik_invalid" and "bulan" in month.value.message.lower()
    for bad in ("ab", "x" * 41, "12<script>", 42):
        with pytest.raises(QueueError) as refused:
            privacy.identity_number(bad)
        assert refused.value.code in ("identity_number_invalid", "identity_number_required")


def test_export_holds_that_identitys_visits_and_events_only(
    queue: Queue, clock: FakeClock, three_days: list[date]
) -> None:
    db = queue.db
    data, visits = privacy.export_identity(db, NIK_SITI, at=clock(), actor="spv", office="ULT")
    body = json.loads(data)
    assert visits == 2
    assert [v["name"] for v in body["visits"]] == ["Siti Aminah", "Siti Aminah"]
    assert [v["day"] for v in body["visits"]] == [
        three_days[0].isoformat(),
        three_days[2].isoformat(),
    ]
    first = body["visits"][0]
    assert (first["document_number"], first["phone"], first["institution"]) == (
        NIK_SITI,
        "081234567890",
        "SDN 7",
    )
    assert first["recorded_by"] == "fo" and first["sop_step"] == 7
    tickets = {v["ticket"] for v in body["visits"]}
    own = {
        r["label"]
        for r in db.query(
            "SELECT t.label FROM tickets t JOIN visits v ON v.ticket_id = t.id "
            "WHERE v.document_number = ?",
            (NIK_SITI,),
        )
    }
    assert tickets == own and len(own) == 2
    # Every event of those two tickets, and none of another ticket.
    expected = db.execute(
        "SELECT COUNT(*) FROM events e JOIN visits v ON v.ticket_id = e.ticket_id "
        "WHERE v.document_number = ?",
        (NIK_SITI,),
    ).fetchone()[0]
    assert len(body["events"]) == expected > 0
    assert {e["ticket"] for e in body["events"]} == own
    kinds = [e["kind"] for e in body["events"] if e["ticket"] == first["ticket"]]
    assert kinds == ["issued", "called", "started", "identified", "cancelled"]
    assert body["events"][1]["counter"] == "Loket 1" and body["events"][1]["officer"] == "fo"
    assert "Budi" not in data.decode() and NIK_BUDI not in data.decode()

    (event,) = events_of(db, EventKind.PERSONAL_DATA_EXPORTED)
    assert event["actor"] == "spv"
    assert event["payload"] == {"what": "access_request", "visits": 2, "events": expected}
    assert NIK_SITI not in json.dumps(event) and "Siti" not in json.dumps(event)


def test_export_carries_what_the_officers_wrote_for_each_visit(
    queue: Queue, clock: FakeClock
) -> None:
    """The copy owed to the person (UU 27/2022 Pasal 7) holds the case's texts per visit."""
    # Escalated to the back office, forwarded to a main unit, answered, explained (SOP 8-16).
    case = queue.issue("A", actor="r").ticket
    queue.call_specific(1, case.id, actor="fo")
    queue.start(case.id, 1, actor="fo")
    queue.identify(case.id, 1, actor="fo", name="Siti Aminah", nik=NIK_SITI)
    queue.detail(case.id, 1, actor="fo", text="Tunjangan profesi belum cair")
    queue.escalate(case.id, 1, actor="fo", note="Perlu cek SIMTUN")
    queue.take(case.id, "Back Office", actor="bo")
    queue.forward(case.id, "Back Office", actor="bo", unit="Bagian Umum", note="Mohon dicek")
    queue.disposition(case.id, actor="unit", text="Lengkapi SK pembagian tugas")
    queue.relay(case.id, "Back Office", actor="bo", note="Disampaikan ke loket")
    queue.explain(case.id, 1, actor="fo", mode="direct", note="Dijelaskan di loket")
    queue.finish(case.id, 1, actor="fo")
    # Answered at the counter, then cancelled with a reason (serve's ending).
    serve(queue, "C", "Siti Aminah", nik=NIK_SITI)
    serve(queue, "A", "Budi Santoso", nik=NIK_BUDI)  # another person's case: not in Siti's file
    body = json.loads(privacy.export_identity(queue.db, NIK_SITI, at=clock(), actor="spv")[0])
    first, second = (v["case"] for v in body["visits"])
    nothing = dict.fromkeys(privacy.CASE_TEXTS)
    assert first == {
        **nothing,
        "request_detail": "Tunjangan profesi belum cair",
        "escalation_note": "Perlu cek SIMTUN",
        "forward_note": "Mohon dicek",
        "disposition": "Lengkapi SK pembagian tugas",
        "relay_note": "Disampaikan ke loket",
        "explanation_mode": "direct",
        "explanation_note": "Dijelaskan di loket",
        "outcome": "resolved",
    }
    assert second == {**nothing, "cancel_reason": "selesai"}


def test_a_number_never_recorded_is_refused_and_nothing_recorded(
    queue: Queue, clock: FakeClock, three_days: list[date]
) -> None:
    count = queue.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    for act in (privacy.export_identity, privacy.erase_identity):
        with pytest.raises(QueueError) as refused:
            act(queue.db, "3273015205850003", at=clock(), actor="spv")
        assert refused.value.code == "identity_not_held" and refused.value.kind == "not_found"
    assert queue.db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == count


def test_erasure_keeps_statistics_and_other_visitors(
    queue: Queue, clock: FakeClock, three_days: list[date]
) -> None:
    db = queue.db
    before = figures(db, three_days)
    assert privacy.erase_identity(db, NIK_BUDI, at=clock(), actor="spv") == 2
    assert held(db) == ["Siti Aminah", "John Traveller", "Siti Aminah"]
    assert privacy.held_count(db, NIK_BUDI) == 0
    after = figures(db, three_days)
    for key in ("summary", "services", "steps", "visits"):
        assert after[key] == before[key], key
    (event,) = events_of(db, EventKind.PERSONAL_DATA_ERASED)
    assert event["payload"] == {"what": "erasure_request", "count": 2}
    assert NIK_BUDI not in json.dumps(event)
    # Erased visits are not erased again, and a purge does not count them.
    with pytest.raises(QueueError):
        privacy.erase_identity(db, NIK_BUDI, at=clock(), actor="spv")
    today = three_days[-1] + timedelta(days=RETENTION + 1)
    assert privacy.purge_plan(db, today, RETENTION).count == 3
    # The passport is found however it is typed.
    assert (
        privacy.erase_identity(db, privacy.identity_number("b1234567"), at=clock(), actor="s") == 1
    )


# ---------------------------------------------------------------------- audit


def test_access_events_carry_what_and_where_never_the_data(
    queue: Queue, clock: FakeClock, three_days: list[date]
) -> None:
    db = queue.db
    ticket = db.execute("SELECT id FROM tickets ORDER BY id").fetchone()[0]
    privacy.record_access(db, at=clock(), actor="spv", what="prefill_api", ticket_id=ticket)
    privacy.record_access(
        db,
        at=clock(),
        actor="spv",
        what="report_export:guestbook",
        exported=True,
        period=(three_days[0], three_days[2]),
        format="csv",
    )
    viewed, exported = events_of(db, EventKind.PERSONAL_DATA_VIEWED) + events_of(
        db, EventKind.PERSONAL_DATA_EXPORTED
    )
    # The ticket goes into the payload: the ticket's own history stays what was done to it.
    assert viewed["ticket_id"] is None and viewed["payload"] == {
        "what": "prefill_api",
        "ticket_id": ticket,
    }
    assert exported["payload"]["period"] == [three_days[0].isoformat(), three_days[2].isoformat()]

    tz = queue.settings.office.tz
    entries, more = privacy.audit(db, three_days[0], three_days[-1], tz)
    assert [e.kind for e in entries] == ["personal_data_exported", "personal_data_viewed"]
    assert entries[1].ticket == "A-001" and not more
    assert privacy.audit(db, three_days[0], three_days[-1], tz, actor="other")[0] == []
    only = privacy.audit(db, three_days[0], three_days[-1], tz, kind="personal_data_viewed")[0]
    assert [e.payload["what"] for e in only] == ["prefill_api"]
    # Another period holds none of them.
    assert privacy.audit(db, three_days[0], three_days[0], tz)[0] == []
    with pytest.raises(QueueError):
        privacy.audit(db, three_days[0], three_days[-1], tz, kind="issued")


def test_the_audit_list_pages_newest_first(queue: Queue, clock: FakeClock) -> None:
    db = queue.db
    for n in range(privacy.AUDIT_PAGE_ROWS + 3):
        privacy.record_access(db, at=clock(), actor="spv", what="guestbook_page", rows=n)
    day = queue.today()
    tz = queue.settings.office.tz
    first, more = privacy.audit(db, day, day, tz)
    assert more and len(first) == privacy.AUDIT_PAGE_ROWS
    assert first[0].payload["rows"] == privacy.AUDIT_PAGE_ROWS + 2
    second, more = privacy.audit(db, day, day, tz, page=2)
    assert not more and [e.payload["rows"] for e in second] == [2, 1, 0]


# ---------------------------------------------------------------------- command line


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An initialised appliance home with three days of visits, 40 days ago and more."""
    home = tmp_path / "home"
    monkeypatch.setenv("ULT_HOME", str(home))
    monkeypatch.delenv("ULT_CONFIG", raising=False)
    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    (home / "ult.toml").write_text("[privacy]\nretention_days = 30\n" + NO_HOURS, "utf-8")
    settings = load_settings(home / "ult.toml")
    db = connect(settings.store.database)
    from ult.clock import utc_now

    clock = FakeClock(utc_now() - timedelta(days=40))
    queue = Queue(db, settings, clock=clock)
    serve(queue, "A", "Siti Aminah", nik=NIK_SITI)
    next_day(queue, clock)
    serve(queue, "A", "Budi Santoso", nik=NIK_BUDI)
    db.close()
    return home


def ult(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def database(home: Path) -> sqlite_utils.Database:
    return connect(load_settings(home / "ult.toml").store.database)


def test_ult_purge_dry_run_says_what_and_changes_nothing(home: Path) -> None:
    db = database(home)
    before = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    db.close()
    dry = ult("purge", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Akan menghapus identitas 2 kunjungan" in dry.output and "Uji coba" in dry.output
    db = database(home)
    assert held(db) == ["Siti Aminah", "Budi Santoso"]
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before
    db.close()

    done = ult("purge", "--actor", "system:purge")
    assert done.exit_code == 0 and "telah dihapus" in done.output
    db = database(home)
    assert held(db) == []
    (event,) = events_of(db, EventKind.VISITS_PURGED)
    assert event["actor"] == "system:purge" and event["payload"]["count"] == 2
    db.close()
    again = ult("purge")
    assert again.exit_code == 0 and "Tidak ada kunjungan" in again.output


def test_ult_privacy_export_and_erase(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "siti.json"
    done = ult("privacy", "export", "1271-0112-0190-0001", "--output", str(out))
    assert done.exit_code == 0, done.output
    body = json.loads(out.read_text(encoding="utf-8"))
    assert [v["name"] for v in body["visits"]] == ["Siti Aminah"]
    assert body["visits"][0]["case"]["cancel_reason"] == "selesai"  # the case's texts too
    assert NIK_SITI not in done.output

    refused = ult("privacy", "erase", NIK_SITI, input="n\n")
    assert refused.exit_code == 1 and "Tidak ada yang diubah" in refused.output
    assert held(database(home)) == ["Siti Aminah", "Budi Santoso"]
    erased = ult("privacy", "erase", NIK_SITI, "--yes")
    assert erased.exit_code == 0 and "1 kunjungan" in erased.output
    db = database(home)
    assert held(db) == ["Budi Santoso"]
    kinds = [
        r[0] for r in db.execute("SELECT kind FROM events WHERE kind LIKE 'personal%' ORDER BY id")
    ]
    assert kinds == ["personal_data_exported", "personal_data_erased"]
    db.close()

    bad = ult("privacy", "export", "1271011213900001", "--output", str(tmp_path / "x.json"))
    assert bad.exit_code == 1 and not (tmp_path / "x.json").exists()
    gone = ult("privacy", "erase", NIK_SITI, "--yes")
    assert gone.exit_code == 1 and "Tidak ada kunjungan" in gone.output


def test_ult_report_of_a_personal_section_is_recorded(home: Path) -> None:
    db = database(home)
    day = db.execute("SELECT MIN(day) FROM tickets").fetchone()[0]
    db.close()
    shown = ult("report", "guestbook", "--from", day, "--to", day)
    assert shown.exit_code == 0 and "Siti" in shown.output
    ult("report", "summary", "--from", day, "--to", day)
    db = database(home)
    (event,) = events_of(db, EventKind.PERSONAL_DATA_VIEWED)
    assert event["payload"]["what"] == "cli_report:guestbook"
    assert event["payload"]["period"] == [day, day]
    assert "Siti" not in json.dumps(event)
    db.close()
