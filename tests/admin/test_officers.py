"""Officers on record on the staff pages (issue 11): sitting at a counter and taking it
over, with two officers in two sessions; main-unit accounts bound to their units; the
completeness rule of step 16."""

from __future__ import annotations

import json

import sqlite_utils
from flask import Flask
from flask.testing import FlaskClient

from tests.admin.conftest import csrf_token
from ult import accounts
from ult.queue import Queue

OFFICER_PASSWORD = "meja-layanan-7"


def text(response) -> str:
    return response.get_data(as_text=True)


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
    assert siti.get("/counter/live").get_data(as_text=True) == ""

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
