"""Officers on record on the staff pages (issue 11): sitting at a counter and taking it
over, with two officers in two sessions; main-unit accounts bound to their units; the
completeness rule of step 16."""

from __future__ import annotations

import json

import pytest
import sqlite_utils
from flask import Flask
from flask.testing import FlaskClient

from tests.admin.conftest import USERS, csrf_token
from tests.admin.test_pages import NOWRAP
from ult import accounts
from ult.queue import Queue

OFFICER_PASSWORD = "meja-layanan-7"


def text(response) -> str:
    """The page's HTML, labels' nowrap spans left out (the sentences as staff read them)."""
    return NOWRAP.sub(r"\1", response.get_data(as_text=True))


def officer(app: Flask, db: sqlite_utils.Database, username: str, full_name: str, role: str):
    """A new account of ``role`` logged in on its own client: ``(client, csrf)``."""
    accounts.add_user(db, username, OFFICER_PASSWORD, role, full_name=full_name)
    client = app.test_client()
    login = {"username": username, "password": OFFICER_PASSWORD, "csrf_token": csrf_token(client)}
    assert client.post("/login", data=login).status_code == 302
    return client, csrf_token(client, "/login")


def post(client: FlaskClient, csrf: str, path: str, **data: str):
    return client.post(path, data={"csrf_token": csrf, **data})


def sittings(db: sqlite_utils.Database) -> list[tuple[str, int, str, dict]]:
    return [
        (r[0], r[1], r[2], json.loads(r[3]))
        for r in db.execute(
            "SELECT kind, counter_id, actor, payload FROM events "
            "WHERE kind IN ('counter_taken', 'counter_left') ORDER BY id"
        )
    ]


# ------------------------------------------------------------------------------ sitting


def test_two_officers_never_work_one_counter_unawares(app: Flask, db, queue: Queue) -> None:
    siti, siti_csrf = officer(app, db, "siti", "Siti Aminah", "front_office")
    rina, rina_csrf = officer(app, db, "rina", "Rina Sari", "front_office")
    assert post(siti, siti_csrf, "/counter/choose", counter="1").status_code == 303
    assert sittings(db) == [("counter_taken", 1, "siti", {"counter": "Loket 1"})]

    # Rina's picker shows who sits at Loket 1; choosing it asks for a takeover.
    picker = text(rina.get("/counter"))
    assert "Loket 1 (layanan A, B, C, D) — dipakai oleh Siti Aminah" in picker
    assert "Ambil alih loket yang dipakai petugas lain" in picker
    refused = post(rina, rina_csrf, "/counter/choose", form="choose", counter="1")
    assert refused.status_code == 409
    assert "Loket 1 sedang dipakai oleh Siti Aminah" in text(refused)
    no_reason = post(rina, rina_csrf, "/counter/choose", form="choose", counter="1", takeover="1")
    assert no_reason.status_code == 422 and "Tulis alasan mengambil alih" in text(no_reason)
    half_letter = post(
        rina, rina_csrf, "/counter/choose", form="choose", counter="1", takeover="1",
        reason="Siti dinas luar", assignment_number="800/7/2026",
    )  # fmt: skip
    assert half_letter.status_code == 422 and "nomor dan tanggalnya" in text(half_letter)
    assert 'value="Siti dinas luar"' in text(half_letter)  # what was typed is kept
    assert len(sittings(db)) == 1

    took = post(
        rina, rina_csrf, "/counter/choose", form="choose", counter="1", takeover="1",
        reason="Siti dinas luar", assignment_number="800/7/2026", assignment_date="2026-01-05",
    )  # fmt: skip
    assert took.status_code == 303
    assert sittings(db)[-1] == (
        "counter_taken",
        1,
        "rina",
        {
            "counter": "Loket 1",
            "previous": "siti",
            "reason": "Siti dinas luar",
            "assignment": {"number": "800/7/2026", "date": "2026-01-05"},
        },
    )

    # Siti sees it on her next page load and on her next action, which changes nothing.
    ticket = queue.issue("A", actor="kiosk").ticket
    page = text(siti.get("/counter"))
    assert "Loket 1 telah diambil alih oleh Rina Sari" in page and "Pilih loket Anda" in page
    before = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    call = post(siti, siti_csrf, "/counter/call-next", counter_id="1")
    assert call.status_code == 409 and "telah diambil alih oleh Rina Sari" in text(call)
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before
    assert queue.ticket(ticket.id).state == "waiting"
    # Her open page's live part, fetched on the next event, says so too (no queue to act on).
    live = text(siti.get("/counter/live"))
    assert "Loket 1 telah diambil alih oleh Rina Sari" in live and "Panggil berikutnya" not in live

    # Rina works at Loket 1.
    called = post(rina, rina_csrf, "/counter/call-next", counter_id="1")
    assert called.status_code == 303 and queue.ticket(ticket.id).counter_id == 1

    # Siti takes it back (with a reason); now Rina is the one told.
    back = post(
        siti, siti_csrf, "/counter/choose", form="choose", counter="1", takeover="1",
        reason="Kembali dari dinas luar",
    )  # fmt: skip
    assert back.status_code == 303
    assert "telah diambil alih oleh Siti Aminah" in text(rina.get("/counter"))
    refused = post(rina, rina_csrf, f"/counter/tickets/{ticket.id}/start", counter_id="1")
    assert refused.status_code == 409 and queue.ticket(ticket.id).state == "called"


def test_switching_counters_and_logging_out_leave_the_counter(app: Flask, db) -> None:
    siti, siti_csrf = officer(app, db, "siti", "Siti Aminah", "front_office")
    post(siti, siti_csrf, "/counter/choose", counter="1")
    assert post(siti, siti_csrf, "/counter/choose", counter="2").status_code == 303
    rina, rina_csrf = officer(app, db, "rina", "Rina Sari", "front_office")
    # Loket 1 is free again: Rina sits there without a takeover.
    assert post(rina, rina_csrf, "/counter/choose", counter="1").status_code == 303
    assert post(siti, siti_csrf, "/logout").status_code == 302
    assert sittings(db) == [
        ("counter_taken", 1, "siti", {"counter": "Loket 1"}),
        ("counter_taken", 2, "siti", {"counter": "Loket 2"}),
        ("counter_left", 1, "siti", {"counter": "Loket 1"}),
        ("counter_taken", 1, "rina", {"counter": "Loket 1"}),
        ("counter_left", 2, "siti", {"counter": "Loket 2"}),
    ]
    assert "dipakai oleh" not in text(rina.get("/counter")).split("Loket 2")[1][:40]


def test_the_back_office_counter_is_sat_at_and_taken_over_too(app: Flask, db) -> None:
    budi, _ = officer(app, db, "budi", "Budi Santoso", "back_office")
    page = text(budi.get("/back-office"))  # the office's one back-office counter, unasked
    assert "Bertugas di <strong>Back Office</strong>" in page
    assert sittings(db) == [("counter_taken", 3, "budi", {"counter": "Back Office"})]
    ani, ani_csrf = officer(app, db, "ani", "Ani Lestari", "back_office")
    page = text(ani.get("/back-office"))
    assert "Back Office — dipakai oleh Budi Santoso" in page and "Bertugas di" not in page
    refused = post(ani, ani_csrf, "/back-office/choose", form="choose", counter="3")
    assert refused.status_code == 409 and "dipakai oleh Budi Santoso" in text(refused)
    took = post(
        ani, ani_csrf, "/back-office/choose", form="choose", counter="3", takeover="1",
        reason="Budi cuti",
    )  # fmt: skip
    assert took.status_code == 303
    assert "Back Office telah diambil alih oleh Ani Lestari" in text(budi.get("/back-office"))
    # Budi is not sat back unasked.
    assert sittings(db)[-1][2] == "ani"


# ------------------------------------------------------------------------------ main units

NIK = "1271011201900001"


def forwarded(queue: Queue, unit: str) -> int:
    """A case escalated by Loket 1 and forwarded by the back office to ``unit``."""
    ticket = queue.issue("B", actor="kiosk").ticket
    queue.call_specific(1, ticket.id, actor="test")
    queue.start(ticket.id, 1, actor="test")
    queue.identify(ticket.id, 1, actor="test", name="Budi Santoso", nik=NIK, phone="081234567890")
    queue.detail(ticket.id, 1, actor="test", text="Pengaduan layanan")
    queue.escalate(ticket.id, 1, actor="test", note="Perlu unit")
    queue.take(ticket.id, 3, actor="test")
    queue.forward(ticket.id, 3, actor="test", unit=unit)
    return ticket.id


@pytest.fixture
def unit_cases(app: Flask, db, queue: Queue):
    """Two cases, one with Bagian Umum (unit 1), one with Tim Kerja Penjaminan Mutu (2);
    the account humas bound to unit 1, and baru bound to none."""
    humas = officer(app, db, "humas", "Hana Umas", "unit")
    accounts.set_units(db, "humas", ["Bagian Umum"])
    baru = officer(app, db, "baru", "Bara Ru", "unit")
    return (
        humas,
        baru,
        forwarded(queue, "Bagian Umum"),
        forwarded(queue, "Tim Kerja Penjaminan Mutu"),
    )


def test_a_unit_account_sees_and_answers_only_its_units_cases(unit_cases, db, queue) -> None:
    (humas, csrf), _, own, other = unit_cases
    mine, theirs = queue.ticket(own).label, queue.ticket(other).label
    listing = text(humas.get("/back-office"))
    assert "Kasus untuk: <strong>Bagian Umum</strong>" in listing
    assert f"Catat disposisi {mine}" in listing and theirs not in listing
    refused = humas.get(f"/back-office/cases/{other}")
    assert refused.status_code == 403
    assert f"{theirs} tidak ditangani unit Anda" in text(refused)
    before = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    answer = post(humas, csrf, f"/back-office/cases/{other}/directions", disposition="Proses")
    assert answer.status_code == 403 and "tidak ditangani unit Anda" in text(answer)
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before
    assert queue.ticket(other).disposition is None
    # Its own case opens whole (the case view) and is answered.
    case = text(humas.get(f"/back-office/cases/{own}"))
    assert NIK in case
    done = post(humas, csrf, f"/back-office/cases/{own}/directions", disposition="Lengkapi")
    assert done.status_code == 303 and queue.ticket(own).state == "disposition_received"


def test_an_unbound_unit_account_sees_nothing_and_is_told_why(unit_cases, queue) -> None:
    _, (baru, _), own, other = unit_cases
    listing = text(baru.get("/back-office"))
    assert "belum ditetapkan ke unit utama mana pun. Minta supervisor" in listing
    assert queue.ticket(own).label not in listing and queue.ticket(other).label not in listing
    for ticket_id in (own, other):
        refused = baru.get(f"/back-office/cases/{ticket_id}")
        assert refused.status_code == 403 and "Minta supervisor" in text(refused)


def test_the_api_holds_a_unit_account_to_its_units(
    app: Flask, db, unit_cases, queue, as_role
) -> None:
    (humas, csrf), _, own, other = unit_cases
    headers = {"X-CSRFToken": csrf}
    refused = humas.post(
        f"/api/v1/tickets/{other}/disposition", json={"text": "Proses"}, headers=headers
    )
    assert refused.status_code == 403 and refused.json["error"] == "case_not_for_unit"
    assert "tidak ditangani unit Anda" in refused.json["message"]
    assert queue.ticket(other).state == "with_unit"
    # Reading another unit's case is refused as its page is (no state, unit or officer
    # names in the answer); its own case reads whole.
    read = humas.get(f"/api/v1/tickets/{other}")
    assert read.status_code == 403 and read.json["error"] == "case_not_for_unit"
    assert "events" not in read.json and "main_unit_id" not in read.json
    assert humas.get(f"/api/v1/tickets/{own}").json["personal_data"] == "full"
    # Lists hold to the same rule: a ticket waiting at a front-office counter and a case
    # escalated to the back office are with no unit, so a unit account lists neither.
    queue.issue("B", actor="kiosk")
    escalated = queue.issue("B", actor="kiosk").ticket
    queue.call_specific(1, escalated.id, actor="test")
    queue.start(escalated.id, 1, actor="test")
    queue.identify(
        escalated.id, 1, actor="test", name="Budi Santoso", nik=NIK, phone="081234567890"
    )
    queue.detail(escalated.id, 1, actor="test", text="Pengaduan")
    queue.escalate(escalated.id, 1, actor="test", note="Perlu Back Office")
    supervisor, _ = as_role("supervisor")
    for counter in (1, 3):
        assert supervisor.get(f"/api/v1/counters/{counter}/queue").json["tickets"]
        listed = humas.get(f"/api/v1/counters/{counter}/queue")
        assert listed.status_code == 200 and listed.json["tickets"] == []
    done = humas.post(
        f"/api/v1/tickets/{own}/disposition", json={"text": "Lengkapi"}, headers=headers
    )
    assert done.status_code == 200 and done.json["state"] == "disposition_received"
    # A main-unit device token is bound to no unit.
    token = accounts.create_token(db, "tablet unit", "unit")
    by_token = app.test_client().post(
        f"/api/v1/tickets/{other}/disposition",
        json={"text": "Proses"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert by_token.status_code == 403 and by_token.json["error"] == "unit_unbound"


def test_the_supervisor_binds_unit_accounts(as_role, db, unit_cases) -> None:
    client, csrf = as_role("supervisor")
    page = text(client.get("/supervisor/accounts"))
    assert "Belum ditetapkan: akun ini tidak melihat kasus apa pun." in page
    bound = post(client, csrf, "/supervisor/accounts/users/baru/units", units=["2", "3"])
    assert bound.status_code == 303
    assert accounts.units_of(db, "baru") == (2, 3)
    page = text(client.get("/supervisor/accounts"))
    assert (
        "Unit utama akun &#39;baru&#39;: Tim Kerja Penjaminan Mutu, Tim Kerja Pemetaan Mutu."
        in page
    )
    for username, units, status, message in (
        ("baru", ["99"], 422, "Unit utama &#39;99&#39; tidak dikenal."),
        (USERS["front_office"], ["1"], 409, "Hanya akun unit utama"),
        ("siapa", ["1"], 404, "tidak ditemukan"),
    ):
        refused = post(client, csrf, f"/supervisor/accounts/users/{username}/units", units=units)
        assert refused.status_code == status and message in text(refused), username
    assert accounts.units_of(db, "baru") == (2, 3)
    cleared = post(client, csrf, "/supervisor/accounts/users/baru/units")
    assert cleared.status_code == 303 and accounts.units_of(db, "baru") == ()


# ------------------------------------------------------------------------------ step 16


def test_the_finish_form_asks_for_a_reason_when_the_record_is_incomplete(
    app: Flask, db, queue: Queue
) -> None:
    siti, csrf = officer(app, db, "siti", "Siti Aminah", "front_office")
    post(siti, csrf, "/counter/choose", counter="1")
    ticket = queue.issue("B", actor="kiosk").ticket
    queue.call_specific(1, ticket.id, actor="siti")
    queue.start(ticket.id, 1, actor="siti")
    queue.answer(ticket.id, 1, actor="siti", kind="available", text="Dijawab")
    queue.explain(ticket.id, 1, actor="siti", mode="direct")
    page = text(siti.get("/counter"))
    assert (
        "Catatan belum lengkap: identitas pengunjung (langkah 7) dan rincian permohonan "
        "(langkah 8) belum dicatat." in page
    )
    for reason in ("pengunjung menolak", "pengaduan anonim", "tidak membawa kartu identitas"):
        assert reason in page
    path = f"/counter/tickets/{ticket.id}/finish"
    refused = post(siti, csrf, path, counter_id="1", form="finish", outcome="resolved")
    assert refused.status_code == 409 and "belum dapat diselesaikan" in text(refused)
    assert queue.ticket(ticket.id).state == "explained"
    done = post(
        siti, csrf, path, counter_id="1", outcome="resolved", incomplete_reason="visitor_declined"
    )
    assert done.status_code == 303
    assert queue.ticket(ticket.id).incomplete_reason == "visitor_declined"


def test_a_complete_record_offers_no_reason(app: Flask, db, queue: Queue) -> None:
    siti, csrf = officer(app, db, "siti", "Siti Aminah", "front_office")
    post(siti, csrf, "/counter/choose", counter="1")
    ticket = queue.issue("B", actor="kiosk").ticket
    queue.call_specific(1, ticket.id, actor="siti")
    queue.start(ticket.id, 1, actor="siti")
    queue.identify(ticket.id, 1, actor="siti", name="Budi Santoso", nik=NIK)
    queue.detail(ticket.id, 1, actor="siti", text="Pengaduan layanan")
    queue.answer(ticket.id, 1, actor="siti", kind="available", text="Dijawab")
    queue.explain(ticket.id, 1, actor="siti", mode="direct")
    page = text(siti.get("/counter"))
    assert "Langkah 16 · Penyelesaian dan survei" in page and "Catatan belum lengkap" not in page
    done = post(siti, csrf, f"/counter/tickets/{ticket.id}/finish", counter_id="1")
    assert done.status_code == 303 and queue.ticket(ticket.id).state == "done"


def test_a_stale_session_is_told_once_on_every_counter_and_back_office_action(
    app: Flask, db, queue: Queue
) -> None:
    """A counter taken over: each action of the officer who left it is refused (409) with
    the takeover named once on the page, never twice (flash and notice box)."""
    siti, siti_csrf = officer(app, db, "siti", "Siti Aminah", "front_office")
    rina, rina_csrf = officer(app, db, "rina", "Rina Sari", "front_office")
    assert post(siti, siti_csrf, "/counter/choose", counter="1").status_code == 303
    ticket = queue.issue("A", actor="kiosk").ticket
    assert post(siti, siti_csrf, "/counter/call-next", counter_id="1").status_code == 303
    post(rina, rina_csrf, "/counter/choose", form="choose", counter="1", takeover="1", reason="x")
    before = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    case = f"/counter/tickets/{ticket.id}"
    for path, data in (
        ("/counter/call-next", {}),
        (f"{case}/recall", {}),
        (f"{case}/start", {}),
        (f"{case}/detail", {"detail": "Rincian"}),
        (f"{case}/cancel", {"reason": "Pulang"}),
        ("/counter/pause", {}),
    ):
        refused = post(siti, siti_csrf, path, counter_id="1", **data)
        assert refused.status_code == 409, path
        assert text(refused).count("Loket 1 telah diambil alih oleh Rina Sari") == 1, path
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before
    queue.cancel(ticket.id, actor="test", reason="Pulang")  # Loket 1 is free for the case
    escalated = forwarded(queue, "Bagian Umum")
    budi, budi_csrf = officer(app, db, "budi", "Budi Santoso", "back_office")
    budi.get("/back-office")
    ani, ani_csrf = officer(app, db, "ani", "Ani Lestari", "back_office")
    post(ani, ani_csrf, "/back-office/choose", form="choose", counter="3", takeover="1", reason="x")
    # The refusal shows Budi the case he no longer holds: an audit of that view is recorded
    # (ult.privacy), and nothing else.
    queue_events = "SELECT COUNT(*) FROM events WHERE kind != 'personal_data_viewed'"
    before = db.execute(queue_events).fetchone()[0]
    for action in ("take", "resolve", "forward", "relay"):
        refused = post(
            budi, budi_csrf, f"/back-office/cases/{escalated}/{action}", counter_id="3",
            unit="1", answer="Jawaban", note="Catatan",
        )  # fmt: skip
        assert refused.status_code == 409, action
        assert text(refused).count("Back Office telah diambil alih oleh Ani Lestari") == 1
    assert db.execute(queue_events).fetchone()[0] == before
