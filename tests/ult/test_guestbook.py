"""The guest book keeps what each visit recorded (issue 11 §1): the old fault, document kinds,
representation, information-request fields, search, and the migration from ``visitors``."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.ult.test_queue import FEMALE_NIK, VALID_NIK, refused, serve
from ult import accounts, guestbook, migrations, sop
from ult.errors import QueueError
from ult.queue import Queue
from ult.store import connect, migrate, schema_version

OTHER_NIK = "3273015205850002"


def finish(queue: Queue, ticket_id: int, counter: str = "Loket 1") -> None:
    queue.detail(ticket_id, counter, actor="fo", text="Tunjangan")
    queue.answer(ticket_id, counter, actor="fo", kind="available", text="Ya")
    queue.explain(ticket_id, counter, actor="fo", mode="direct")
    queue.finish(ticket_id, counter, actor="fo")


def visit_names(queue: Queue) -> dict[str, str]:
    rows = queue.db.query(
        "SELECT t.label, v.name FROM visits v JOIN tickets t ON t.id = v.ticket_id ORDER BY t.id"
    )
    return {r["label"]: r["name"] for r in rows}


# ---------------------------------------------------------------------- the old fault


def test_a_known_nik_no_longer_renames_the_visitor_of_earlier_tickets(queue: Queue) -> None:
    """Reproduced on main: B-001's "Budi Santoso" became "Ahmad Lubis", and the new case
    showed Budi's phone and institution. Each visit now keeps its own record."""
    queue.issue("B", actor="r")
    first = queue.call_next("Loket 1", actor="fo")
    queue.start(first.id, "Loket 1", actor="fo")
    queue.identify(
        first.id,
        "Loket 1",
        actor="fo",
        name="Budi Santoso",
        nik=VALID_NIK,
        phone="081234567890",
        institution="SMAN 1 Medan",
    )
    finish(queue, first.id)
    assert queue.ticket(first.id).label == "B-001"

    second = serve(queue)
    with pytest.raises(QueueError) as told:
        queue.identify(second.id, "Loket 1", actor="fo", name="Ahmad Lubis", nik=VALID_NIK)
    assert told.value.code == "name_differs" and told.value.kind == "conflict"
    assert told.value.values["stored"] == "Budi Santoso"
    assert "Budi Santoso" in told.value.message and "Ahmad Lubis" in told.value.message
    result = queue.identify(
        second.id,
        "Loket 1",
        actor="fo",
        name="Ahmad Lubis",
        nik=VALID_NIK,
        confirm_name_change=True,
    )
    assert visit_names(queue) == {"B-001": "Budi Santoso", "A-001": "Ahmad Lubis"}
    # The new case shows nothing of the earlier person.
    assert (result.visit["phone"], result.visit["institution"]) == (None, None)
    earlier = guestbook.visit_of(queue.db, first.id)
    assert earlier is not None
    assert (earlier["phone"], earlier["institution"]) == ("081234567890", "SMAN 1 Medan")
    payload = json.loads(
        queue.db.execute("SELECT payload FROM events ORDER BY id DESC").fetchone()[0]
    )
    assert payload["name_differs_confirmed"] is True and "Ahmad" not in json.dumps(payload)


def test_name_check_ignores_case_and_spacing_and_the_tickets_own_visit(queue: Queue) -> None:
    first = serve(queue)
    queue.identify(first.id, "Loket 1", actor="fo", name="Budi Santoso", nik=VALID_NIK)
    # Correcting this visit's own name is no conflict: it is the same visit.
    queue.identify(first.id, "Loket 1", actor="fo", name="Budi Santosa", nik=VALID_NIK)
    queue.cancel(first.id, actor="fo", reason="x")
    second = serve(queue)
    queue.identify(second.id, "Loket 1", actor="fo", name=" budi   SANTOSA ", nik=VALID_NIK)
    assert queue.db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 2


def test_the_most_recent_visit_is_the_one_compared_and_prefilled(queue: Queue, clock) -> None:
    names = ["Budi Santoso", "Budi S. Nasution"]
    for name in names:
        ticket = serve(queue)
        queue.identify(
            ticket.id, "Loket 1", actor="fo", name=name, nik=VALID_NIK, confirm_name_change=True
        )
        queue.cancel(ticket.id, actor="fo", reason="x")
        clock.advance(minutes=5)
    latest = guestbook.latest_visit(queue.db, "ktp", VALID_NIK)
    assert latest is not None and latest["name"] == "Budi S. Nasution"
    ticket = serve(queue)
    error = refused(
        queue,
        "name_differs",
        queue.identify,
        ticket.id,
        "Loket 1",
        actor="fo",
        name="Budi Santoso",
        nik=VALID_NIK,
    )
    assert error.values["stored"] == "Budi S. Nasution"
    assert guestbook.latest_visit(queue.db, "sim", VALID_NIK) is None


def test_reception_registers_step_3_and_the_counter_corrects_the_same_row(queue: Queue) -> None:
    ticket = queue.issue("A", actor="r").ticket
    registered = queue.register_visitor(
        ticket.id, actor="resepsionis", name="Sari", nik=FEMALE_NIK, phone="0811111111"
    )
    assert (registered.visit["step"], registered.visit["recorded_by"]) == (3, "resepsionis")
    called = queue.call_next("Loket 1", actor="fo")
    queue.start(called.id, "Loket 1", actor="fo")
    identified = queue.identify(
        called.id, "Loket 1", actor="fo", name="Sari Dewi", nik=FEMALE_NIK, address="Jl. Mawar 1"
    )
    assert (identified.visit["step"], identified.visit["recorded_by"]) == (7, "fo")
    assert identified.visit["id"] == registered.visit["id"]
    assert (identified.visit["name"], identified.visit["phone"]) == ("Sari Dewi", None)


def test_reception_is_told_too_when_the_name_differs(queue: Queue) -> None:
    first = serve(queue)
    queue.identify(first.id, "Loket 1", actor="fo", name="Budi Santoso", nik=VALID_NIK)
    waiting = queue.issue("A", actor="r").ticket
    refused(
        queue,
        "name_differs",
        queue.register_visitor,
        waiting.id,
        actor="r",
        name="Ahmad Lubis",
        nik=VALID_NIK,
    )
    queue.register_visitor(
        waiting.id, actor="r", name="Ahmad Lubis", nik=VALID_NIK, confirm_name_change=True
    )
    refused(
        queue,
        "flag_invalid",
        queue.register_visitor,
        waiting.id,
        actor="r",
        name="A",
        nik=VALID_NIK,
        confirm_name_change="ya",
    )


# ---------------------------------------------------------------------- documents


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        ("ktp", "1271 0112.0190-0001", VALID_NIK),
        ("sim", "1234-5678-9012", "123456789012"),
        ("sim", "12345678901234", "12345678901234"),
        ("paspor", " c 1234567 ", "C1234567"),
        ("kartu_pegawai", "19800101 200501 1 001", "198001012005011001"),
        ("kartu_pegawai", "131234567", "131234567"),
        ("kartu_pelajar", "0081234567", "0081234567"),
        ("kartu_pelajar", "NIM 2301.55/A", "NIM2301.55/A"),
        ("lainnya", "KITAS 2C11AB1234", "KITAS 2C11AB1234"),
    ],
)
def test_document_numbers_are_cleaned_per_kind(kind: str, typed: str, stored: str) -> None:
    assert guestbook.document_number(kind, typed)[:2] == (kind, stored)


@pytest.mark.parametrize(
    ("kind", "typed", "code"),
    [
        ("ktp", "1271011213900001", "nik_invalid"),  # month 13
        ("ktp", "1271_0112_0190_0001", "nik_invalid"),
        ("sim", "12345678901", "document_number_invalid"),
        ("sim", "12345678901a", "document_number_invalid"),
        ("paspor", "C12", "document_number_invalid"),
        ("paspor", "C1234567890", "document_number_invalid"),
        ("kartu_pegawai", "1980010120050110", "document_number_invalid"),
        ("kartu_pelajar", "ab", "document_number_invalid"),
        ("lainnya", "<script>", "document_number_invalid"),
        ("lainnya", None, "document_number_invalid"),
        ("ktm", "123456", "document_kind_invalid"),
        (None, "123456", "document_kind_invalid"),
    ],
)
def test_bad_document_numbers_are_refused_with_the_kinds_rule(kind, typed, code) -> None:
    with pytest.raises(QueueError) as caught:
        guestbook.document_number(kind, typed)
    assert caught.value.code == code
    if code == "document_number_invalid":
        assert guestbook.KINDS[kind].rule in caught.value.message


def test_the_nik_check_applies_to_the_ktp_only(queue: Queue) -> None:
    ticket = serve(queue)
    # 16 digits that are no possible NIK (month 13) are a fine SIM-length refusal, but as
    # "other" identity they are accepted: only a KTP carries a NIK.
    refused(
        queue,
        "nik_invalid",
        queue.identify,
        ticket.id,
        "Loket 1",
        actor="fo",
        name="A",
        document_kind="ktp",
        document_number="1271011213900001",
    )
    done = queue.identify(
        ticket.id,
        "Loket 1",
        actor="fo",
        name="A",
        document_kind="lainnya",
        document_number="1271011213900001",
    )
    assert (done.visit["document_kind"], done.warnings) == ("lainnya", ())
    refused(
        queue,
        "document_number_twice",
        queue.identify,
        ticket.id,
        "Loket 1",
        actor="fo",
        name="A",
        document_kind="sim",
        nik=VALID_NIK,
    )
    refused(
        queue,
        "document_number_twice",
        queue.identify,
        ticket.id,
        "Loket 1",
        actor="fo",
        name="A",
        nik=VALID_NIK,
        document_number=VALID_NIK,
    )


def test_the_same_number_of_another_kind_is_another_document(queue: Queue) -> None:
    first = serve(queue)
    queue.identify(
        first.id,
        "Loket 1",
        actor="fo",
        name="Budi",
        document_kind="sim",
        document_number="123456789012",
    )
    second = serve(queue, "Loket 2")
    queue.identify(
        second.id,
        "Loket 2",
        actor="fo",
        name="Ani",
        document_kind="lainnya",
        document_number="123456789012",
    )


def test_masking_documents() -> None:
    assert guestbook.mask_document("ktp", VALID_NIK) == "1271**********01"
    assert guestbook.mask_document("paspor", "C1234567") == "******67"
    assert guestbook.mask_document("kartu_pegawai", "198001012005011001") == "19**************01"
    assert guestbook.mask_document("lainnya", "12345") == "*****"
    assert guestbook.mask_document("sim", None) is None


# ---------------------------------------------------------------------- representation


def test_acting_for_another_person_records_whom_and_the_letter(queue: Queue, clock) -> None:
    ticket = serve(queue)
    today = queue.today()
    base = {
        "actor": "fo",
        "name": "Sari",
        "nik": FEMALE_NIK,
        "acting_for": True,
        "represents_name": "Drs. Hasan",
        "represents_institution": "SMPN 3 Binjai",
        "letter_type": "surat_kuasa",
        "letter_number": "421/55/2026",
    }
    tomorrow = (today + timedelta(days=1)).isoformat()
    for bad in ("2026-02-30", "kemarin", tomorrow, "1900-01-01"):
        refused(
            queue,
            "letter_date_invalid",
            queue.identify,
            ticket.id,
            "Loket 1",
            letter_date=bad,
            **base,
        )
    refused(queue, "letter_required", queue.identify, ticket.id, "Loket 1", **base)
    refused(
        queue,
        "text_too_long",
        queue.identify,
        ticket.id,
        "Loket 1",
        **{**base, "represents_name": "x" * 101},
        letter_date=today.isoformat(),
    )
    done = queue.identify(ticket.id, "Loket 1", letter_date=today.isoformat(), **base)
    visit = done.visit
    assert (
        visit["represents_name"],
        visit["represents_institution"],
        visit["letter_type"],
        visit["letter_number"],
        visit["letter_date"],
    ) == ("Drs. Hasan", "SMPN 3 Binjai", "surat_kuasa", "421/55/2026", today.isoformat())
    # Not acting for anyone: no representation may be given, and identifying again clears it.
    refused(
        queue,
        "letter_without_acting",
        queue.identify,
        ticket.id,
        "Loket 1",
        actor="fo",
        name="Sari",
        nik=FEMALE_NIK,
        represents_name="Drs. Hasan",
    )
    again = queue.identify(ticket.id, "Loket 1", actor="fo", name="Sari", nik=FEMALE_NIK)
    assert again.visit["represents_name"] is None and again.visit["letter_date"] is None


# ---------------------------------------------------------------------- information requests


def test_information_request_fields_and_the_excepted_ground(queue: Queue) -> None:
    ticket = serve(queue)
    visit = queue.identify(
        ticket.id,
        "Loket 1",
        actor="fo",
        name="Budi",
        nik=VALID_NIK,
        address="Jl. Sisingamangaraja 10, Medan",
        occupation="Guru",
    ).visit
    assert (visit["address"], visit["occupation"]) == ("Jl. Sisingamangaraja 10, Medan", "Guru")
    refused(
        queue,
        "text_too_long",
        queue.identify,
        ticket.id,
        "Loket 1",
        actor="fo",
        name="B",
        nik=VALID_NIK,
        address="x" * 201,
    )
    refused(
        queue,
        "text_too_long",
        queue.detail,
        ticket.id,
        "Loket 1",
        actor="fo",
        text="Data",
        purpose="x" * 301,
    )
    detailed = queue.detail(
        ticket.id, "Loket 1", actor="fo", text="Data sertifikasi", purpose="Penelitian skripsi"
    )
    assert detailed.information_purpose == "Penelitian skripsi"
    answer = {"actor": "fo", "text": "Tidak dapat diberikan"}
    refused(
        queue, "exemption_required", queue.answer, ticket.id, "Loket 1", kind="excepted", **answer
    )
    refused(
        queue,
        "exemption_invalid",
        queue.answer,
        ticket.id,
        "Loket 1",
        kind="excepted",
        exemption="k",
        **answer,
    )
    refused(
        queue,
        "exemption_without_excepted",
        queue.answer,
        ticket.id,
        "Loket 1",
        kind="available",
        exemption="h",
        **answer,
    )
    refused(
        queue,
        "exemption_without_excepted",
        queue.answer,
        ticket.id,
        "Loket 1",
        kind="available",
        exemption_note="rahasia",
        **answer,
    )
    answered = queue.answer(
        ticket.id,
        "Loket 1",
        kind="excepted",
        exemption=" H ",
        exemption_note="Memuat data pribadi guru lain",
        **answer,
    )
    assert (answered.answer_kind, answered.exemption_ground, answered.exemption_note) == (
        "excepted",
        "h",
        "Memuat data pribadi guru lain",
    )
    row = guestbook.visits(queue.db, queue.today(), queue.today())[0]
    assert row["exemption"].startswith("Pasal 17 huruf h: mengungkap rahasia pribadi")
    assert (row["answer_kind"], row["information_purpose"]) == (
        "dikecualikan",
        "Penelitian skripsi",
    )


# ---------------------------------------------------------------------- reading the book


def test_visits_of_a_period_searched_newest_first(queue: Queue, clock) -> None:
    people = [
        ("A", "Budi Santoso", VALID_NIK, "SMAN 1 Medan"),
        ("B", "Sari Dewi", FEMALE_NIK, "Dinas Pendidikan"),
        ("A", "Ahmad 100%_Lubis", OTHER_NIK.replace("3273", "1271", 1), "SMP 2"),
    ]
    first_day = queue.today()
    for letter, name, nik, institution in people:
        queue.issue(letter, actor="r")
        ticket = queue.call_next("Loket 1", actor="fo")
        queue.start(ticket.id, "Loket 1", actor="fo")
        queue.identify(
            ticket.id, "Loket 1", actor="fo", name=name, nik=nik, institution=institution
        )
        queue.cancel(ticket.id, actor="fo", reason="x")
        clock.advance(days=1)
    days = [first_day + timedelta(days=n) for n in range(3)]
    everything = guestbook.visits(queue.db, days[0], days[2])
    assert [r["name"] for r in everything] == [p[1] for p in reversed(people)]
    assert [r["day"] for r in everything] == [d.isoformat() for d in reversed(days)]
    assert [r["name"] for r in guestbook.visits(queue.db, days[1], days[1])] == ["Sari Dewi"]
    assert [r["name"] for r in guestbook.visits(queue.db, days[0], days[2], service="a")] == [
        "Ahmad 100%_Lubis",
        "Budi Santoso",
    ]

    def search(text: str | None) -> list[str]:
        return [r["name"] for r in guestbook.visits(queue.db, days[0], days[2], search=text)]

    assert search("santoso") == ["Budi Santoso"]
    assert search("dinas") == ["Sari Dewi"]
    assert search("3273 0152") == ["Sari Dewi"]  # a number typed in groups
    assert search("100%_") == ["Ahmad 100%_Lubis"]  # wildcards are literal
    assert search("%") == ["Ahmad 100%_Lubis"]
    assert search("   ") == search(None)
    with pytest.raises(QueueError):
        search("x" * 101)
    keys = [c.key for c in guestbook.visit_columns()]
    assert set(keys) <= set(everything[0]) and everything[0]["document_kind"] == "KTP (NIK)"
    assert all(
        c.title and c.kind in ("text", "int", "date", "datetime") for c in guestbook.visit_columns()
    )
    assert guestbook.visits(queue.db, days[2] + timedelta(days=1), date.max) == []


def test_the_guest_book_names_the_officer_who_recorded_each_visit(queue: Queue) -> None:
    accounts.add_user(queue.db, "fo-siti", "rahasia-panjang-sekali", "front_office")
    accounts.set_profile(queue.db, "fo-siti", full_name="Siti Aminah", nip=None, position=None)
    queue.issue("A", actor="r")
    ticket = queue.call_next("Loket 1", actor="fo-siti")
    queue.start(ticket.id, "Loket 1", actor="fo-siti")
    queue.identify(ticket.id, "Loket 1", actor="fo-siti", name="Budi Santoso", nik=VALID_NIK)
    queue.issue("A", actor="r")
    queue.register_visitor("A-002", actor="resepsionis", name="Sari Dewi", nik=FEMALE_NIK)
    rows = guestbook.visits(queue.db, queue.today(), queue.today())
    # Reports name people, not user names; an actor with no account keeps its name.
    assert {r["name"]: r["recorded_by"] for r in rows} == {
        "Budi Santoso": "Siti Aminah",
        "Sari Dewi": "resepsionis",
    }


# ---------------------------------------------------------------------- migration


def _old_database(path: Path):
    """A database at the schema before the guest book, holding what main's queue wrote:
    B-001 identified as Budi, then A-001 with Budi's NIK as "Ahmad Lubis" (the row renamed
    in place), a ticket registered at reception only, a letter, and a stray typo row."""
    db = connect(path, migrate_schema=False)
    before = migrations.MIGRATIONS.index(migrations._v7_visits)
    migrate(db, target=before)
    stamp = "2026-11-24T02:{:02d}:00.000000Z"
    db.execute("INSERT INTO services (letter, name) VALUES ('A', 'Informasi'), ('B', 'Pengaduan')")
    db.execute("INSERT INTO counters (name, kind) VALUES ('Loket 1', 'front_office')")
    db.execute(
        "INSERT INTO visitors (id, name, nik, institution, phone, created_at, updated_at) VALUES "
        f"(1, 'Ahmad Lubis', '{VALID_NIK}', 'SMAN 1 Medan', '081234567890', ?, ?), "
        f"(2, 'Sari', '{FEMALE_NIK}', NULL, NULL, ?, ?), "
        "(3, 'Typo', '1271011201900002', NULL, NULL, ?, ?)",
        [stamp.format(1), stamp.format(9)] * 3,
    )
    tickets = [
        (1, "B", 1, "B-001", "done", 1, 0, None, None),
        (2, "A", 1, "A-001", "serving", 1, 1, "surat_tugas", "800/1"),
        (3, "A", 2, "A-002", "waiting", 2, 0, None, None),
        (4, "A", 3, "A-003", "waiting", None, 0, None, None),
    ]
    for tid, letter, number, label, state, visitor, acting, ltype, lnumber in tickets:
        db.execute(
            "INSERT INTO tickets (id, issued_service, day, number, label, service, source, state, "
            "queue_seq, visitor_id, acting_for, letter_type, letter_number, issued_at, token) "
            "VALUES (?, ?, '2026-11-24', ?, ?, ?, 'kiosk', ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                tid,
                letter,
                number,
                label,
                letter,
                state,
                tid,
                visitor,
                acting,
                ltype,
                lnumber,
                stamp.format(tid),
                f"tok{tid}",
            ),
        )
    events = [
        (1, "identified", 7, "siti", 1),
        (2, "identified", 7, "rudi", 5),
        (3, "visitor_registered", 3, "resepsionis", 7),
    ]
    for ticket_id, kind, step, actor, minute in events:
        db.execute(
            "INSERT INTO events (at, kind, ticket_id, sop_step, actor) VALUES (?, ?, ?, ?, ?)",
            (stamp.format(minute), kind, ticket_id, step, actor),
        )
    return db


def test_migration_moves_every_visit_and_drops_the_in_place_table(tmp_path: Path) -> None:
    db = _old_database(tmp_path / "ult.db")
    events_before = list(db.query("SELECT * FROM events ORDER BY id"))
    migrate(db)
    assert schema_version(db) == migrations.LATEST
    rows = list(db.query("SELECT * FROM visits ORDER BY ticket_id"))
    assert [r["ticket_id"] for r in rows] == [1, 2, 3]  # every ticket that had a visitor
    by_ticket = {r["ticket_id"]: r for r in rows}
    # What the old table held is kept as it stood; B-001's earlier name was lost before.
    assert by_ticket[1]["name"] == by_ticket[2]["name"] == "Ahmad Lubis"
    assert (by_ticket[1]["recorded_by"], by_ticket[1]["step"]) == ("siti", 7)
    assert by_ticket[1]["recorded_at"] == "2026-11-24T02:01:00.000000Z"
    assert (by_ticket[2]["letter_type"], by_ticket[2]["letter_number"]) == ("surat_tugas", "800/1")
    assert (by_ticket[3]["recorded_by"], by_ticket[3]["step"]) == ("resepsionis", 3)
    assert {r["document_kind"] for r in rows} == {"ktp"}
    assert by_ticket[3]["document_number"] == FEMALE_NIK
    assert "Typo" not in {r["name"] for r in rows}
    assert not db["visitors"].exists()
    columns = set(db["tickets"].columns_dict)
    assert not columns & {"visitor_id", "acting_for", "letter_type", "letter_number"}
    assert {"information_purpose", "exemption_ground", "exemption_note"} <= columns
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Every event as it was (a later migration adds the hash chain's columns beside).
    kept = [
        {k: r[k] for k in events_before[0]} for r in db.query("SELECT * FROM events ORDER BY id")
    ]
    assert kept == events_before
    # The event log stays append-only and its indexes stay.
    assert {"events_no_update", "events_no_delete"} <= set(db.triggers_dict)
    indexes = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"events_ticket", "events_kind", "tickets_waiting", "tickets_one_per_counter"} <= (
        indexes
    )
    with pytest.raises(Exception, match="append-only"):
        db.execute("DELETE FROM events")
    # The migrated store works with today's queue: the earlier visits stay as they were.
    assert guestbook.latest_visit(db, "ktp", VALID_NIK)["ticket_id"] == 2
    assert db.execute("SELECT state FROM tickets WHERE id = 4").fetchone()[0] == sop.WAITING
    backups = list((tmp_path / "backups").iterdir())
    assert backups  # the store saved the file before migrating
