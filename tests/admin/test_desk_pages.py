"""The counter page with several people at work (issue 14, "Front office and back office"):
the "at the desk" panel as a live fragment, recorded details kept in view, the paused
counter, long waits, the counter switch. Flask test client over a real SQLite file."""

from __future__ import annotations

import re

import sqlite_utils
from flask import Flask
from flask.testing import FlaskClient

from tests.admin.conftest import csrf_token
from tests.admin.test_pages import NOWRAP, PHONE, VALID_NIK
from ult import accounts
from ult.queue import Queue

OFFICER_PASSWORD = "meja-layanan-7"


def text(response) -> str:
    """The page's HTML, labels' nowrap spans left out (the sentences as staff read them)."""
    return NOWRAP.sub(r"\1", response.get_data(as_text=True))


def officer(app: Flask, db: sqlite_utils.Database, username: str, full_name: str):
    """A new front-office account logged in on its own client: ``(client, csrf)``."""
    if db["users"].count_where("username = ?", [username]) == 0:
        accounts.add_user(db, username, OFFICER_PASSWORD, "front_office", full_name=full_name)
    client = app.test_client()
    login = {"username": username, "password": OFFICER_PASSWORD, "csrf_token": csrf_token(client)}
    assert client.post("/login", data=login).status_code == 302
    return client, csrf_token(client, "/login")


def post(client: FlaskClient, csrf: str, path: str, **data: str):
    return client.post(path, data={"csrf_token": csrf, **data})


def version(fragment: str) -> str:
    found = re.search(r'data-version="([^"]+)"', fragment)
    assert found, "the desk panel carries no data-version"
    return found.group(1)


def title(fragment: str) -> str:
    found = re.search(r'<h2 id="current-title">(.*?)</h2>', fragment, re.S)
    assert found, "no desk panel title"
    return re.sub(r"<[^>]+>", "", found.group(1))


# ------------------------------------------------------------------------------ live desk


def test_the_desk_panel_follows_another_page_of_the_counter_and_the_domain(
    app: Flask, db: sqlite_utils.Database, queue: Queue
) -> None:
    # One officer, two PCs (or two tabs): both sit at Loket 1.
    first, first_csrf = officer(app, db, "siti", "Siti Aminah")
    second, second_csrf = officer(app, db, "siti", "Siti Aminah")
    assert post(first, first_csrf, "/counter/choose", counter="1").status_code == 303
    assert post(second, second_csrf, "/counter/choose", counter="1").status_code == 303
    ready = text(second.get("/counter/current/live"))
    assert title(ready) == "Loket siap" and "<html" not in ready
    assert version(ready) == "1:-"

    ticket = queue.issue("A", actor="kiosk").ticket
    # Issuing a ticket does not change the panel: same version, nothing to re-render.
    assert version(text(second.get("/counter/current/live"))) == "1:-"

    # The first page calls: the second page's panel now shows the visitor at the desk.
    assert post(first, first_csrf, "/counter/call-next", counter_id="1").status_code == 303
    called = text(second.get("/counter/current/live"))
    assert title(called) == "Di loket: A-001"
    assert "Mulai melayani (S)" in called
    called_event = db.execute(
        "SELECT MAX(id) FROM events WHERE ticket_id = ?", [ticket.id]
    ).fetchone()[0]
    assert version(called) == f"1:{ticket.id}:{called_event}"

    # The first page starts the service: the panel changes again (the identity form shows).
    post(first, first_csrf, f"/counter/tickets/{ticket.id}/start", counter_id="1")
    serving = text(second.get("/counter/current/live"))
    assert version(serving) != version(called)
    assert "Mulai melayani (S)" not in serving and "Simpan identitas" in serving

    # The domain acts on it (the reception cancels the ticket): the panel is free again.
    queue.cancel(ticket.id, actor="resepsionis", reason="Pengunjung pulang")
    assert title(text(second.get("/counter/current/live"))) == "Loket siap"


def test_the_desk_panel_of_an_officer_taken_over_says_so(
    app: Flask, db: sqlite_utils.Database, queue: Queue
) -> None:
    siti, siti_csrf = officer(app, db, "siti", "Siti Aminah")
    rina, rina_csrf = officer(app, db, "rina", "Rina Sari")
    post(siti, siti_csrf, "/counter/choose", counter="1")
    queue.issue("A", actor="kiosk")
    post(siti, siti_csrf, "/counter/call-next", counter_id="1")
    took = post(
        rina, rina_csrf, "/counter/choose", form="choose", counter="1", takeover="1",
        reason="Siti sakit",
    )  # fmt: skip
    assert took.status_code == 303
    assert title(text(rina.get("/counter/current/live"))) == "Di loket: A-001"
    # Siti's panel offers no forms any more; her live part says why (once, not twice).
    left = text(siti.get("/counter/current/live"))
    assert title(left) == "Anda tidak lagi bertugas di loket ini"
    assert "<form" not in left and "A-001" not in left and 'role="alert"' not in left
    assert "Loket 1 telah diambil alih oleh Rina Sari" in text(siti.get("/counter/live"))


# ------------------------------------------------------------------------------ recorded


def recorded(fragment: str) -> str:
    """The panel's read-only "Sudah dicatat" block, tags stripped, spaces collapsed."""
    found = re.search(r'<section class="recorded".*?</section>', fragment, re.S)
    assert found, "the desk panel shows nothing recorded"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split())


def test_recorded_details_stay_in_view_through_the_later_steps(
    app: Flask, db: sqlite_utils.Database, queue: Queue
) -> None:
    siti, csrf = officer(app, db, "siti", "Siti Aminah")
    post(siti, csrf, "/counter/choose", counter="1")
    ticket = queue.issue("A", actor="kiosk").ticket
    post(siti, csrf, "/counter/call-next", counter_id="1")
    post(siti, csrf, f"/counter/tickets/{ticket.id}/start", counter_id="1")
    assert 'class="recorded"' not in text(siti.get("/counter/current/live"))  # nothing yet

    queue.identify(ticket.id, 1, actor="siti", name="Budi Santoso", nik=VALID_NIK, phone=PHONE)
    post(siti, csrf, f"/counter/tickets/{ticket.id}/detail", counter_id="1",
         detail="Status tunjangan profesi")  # fmt: skip
    answered = post(
        siti, csrf, f"/counter/tickets/{ticket.id}/answer", counter_id="1",
        kind="available", answer="Sudah cair bulan ini",
    )  # fmt: skip
    assert answered.status_code == 303
    after_answer = recorded(text(siti.get("/counter/current/live")))
    # The front office handles the case at its counter: the identity in full (may_reveal).
    assert "Budi Santoso" in after_answer and VALID_NIK in after_answer and PHONE in after_answer
    assert "Rincian permohonan Status tunjangan profesi" in after_answer
    assert "Jawaban (tersedia) Sudah cair bulan ini" in after_answer

    post(siti, csrf, f"/counter/tickets/{ticket.id}/explain", counter_id="1", mode="direct",
         note="Dijelaskan dengan slip")  # fmt: skip
    after_explain = recorded(text(siti.get("/counter/current/live")))
    assert "Rincian permohonan Status tunjangan profesi" in after_explain
    assert "Jawaban (tersedia) Sudah cair bulan ini" in after_explain
    assert "Penjelasan langsung · Dijelaskan dengan slip" in after_explain


def test_a_case_back_from_the_back_office_shows_what_was_recorded_on_the_way(
    app: Flask, db: sqlite_utils.Database, queue: Queue
) -> None:
    siti, csrf = officer(app, db, "siti", "Siti Aminah")
    post(siti, csrf, "/counter/choose", counter="1")
    ticket = queue.issue("A", actor="kiosk").ticket
    queue.call_specific(1, ticket.id, actor="siti")
    queue.start(ticket.id, 1, actor="siti")
    queue.identify(ticket.id, 1, actor="siti", name="Budi Santoso", nik=VALID_NIK, phone=PHONE)
    queue.detail(ticket.id, 1, actor="siti", text="Tunjangan profesi belum cair")
    queue.escalate(ticket.id, 1, actor="siti", note="Perlu cek data SIMTUN")
    queue.take(ticket.id, 3, actor="bo")
    queue.resolve(ticket.id, 3, actor="bo", text="Cair tanggal 20")
    taken = post(siti, csrf, f"/counter/tickets/{ticket.id}/explain", counter_id="1",
                 form="explain_returned", mode="direct")  # fmt: skip
    assert taken.status_code == 303
    shown = recorded(text(siti.get("/counter/current/live")))
    assert "Rincian permohonan Tunjangan profesi belum cair" in shown
    assert "Catatan untuk Back Office Perlu cek data SIMTUN" in shown
    assert "Cair tanggal 20" in shown and "Budi Santoso" in shown


# ------------------------------------------------------------------------ pause, waits, switch


def test_a_paused_counter_says_so_where_the_call_button_is_and_offers_resume(
    app: Flask, db: sqlite_utils.Database, queue: Queue
) -> None:
    siti, csrf = officer(app, db, "siti", "Siti Aminah")
    post(siti, csrf, "/counter/choose", counter="1")
    queue.issue("A", actor="kiosk")
    assert "Loket sedang jeda." not in text(siti.get("/counter/live"))
    # The toolbar's control is a live part too: "Jeda loket" before, JEDA and resume after.
    page = text(siti.get("/counter"))
    assert 'data-live-url="/counter/pause/live"' in page
    control = text(siti.get("/counter/pause/live"))
    assert 'action="/counter/pause"' in control and "Jeda loket" in control
    assert "JEDA" not in control
    queue.pause(1, actor="siti")  # from another page of this counter
    control = text(siti.get("/counter/pause/live"))
    assert ">JEDA</span>" in control and 'action="/counter/resume"' in control
    assert "Jeda loket" not in control
    live = text(siti.get("/counter/live"))
    call = re.search(r'<button[^>]*data-shortcut="n"[^>]*>', live)
    assert call and " disabled" in call.group(0)
    note = re.search(r'<div class="paused-note".*?</div>', live, re.S)
    assert note, "no paused note beside the call button"
    assert "Loket sedang jeda." in note.group(0)
    assert 'action="/counter/resume"' in note.group(0) and "Lanjutkan melayani" in note.group(0)
    resumed = post(siti, csrf, "/counter/resume", counter_id="1", form="resume")
    assert resumed.status_code == 303
    assert not queue.counter(1).paused
    assert "paused-note" not in text(siti.get("/counter/live"))


def wait_rows(live: str) -> dict[str, bool]:
    """``{label: marked as a long wait}`` of the waiting list."""
    rows = re.findall(r"<tr( class=\"long-wait\")?>\s*<td><strong>([A-Z]-\d{3})</strong>", live)
    return {label: bool(marked) for marked, label in rows}


def test_long_waits_stand_out_against_the_sop_standard_for_the_wait(
    app: Flask, db: sqlite_utils.Database, queue: Queue, clock
) -> None:
    siti, csrf = officer(app, db, "siti", "Siti Aminah")
    post(siti, csrf, "/counter/choose", counter="1")
    queue.issue("A", actor="kiosk")
    clock.advance(seconds=120)
    queue.issue("A", actor="kiosk")
    clock.advance(seconds=240)  # A-001 has waited 6:00 exactly, A-002 4:00
    live = text(siti.get("/counter/live"))
    assert "Menunggu (standar 6 menit)" in live
    assert wait_rows(live) == {"A-001": False, "A-002": False}
    clock.advance(seconds=1)  # 6:01: over the standard of steps 4-5 (3 + 3 minutes)
    live = text(siti.get("/counter/live"))
    assert wait_rows(live) == {"A-001": True, "A-002": False}
    assert '06:01</span><strong class="overdue-word"> · menunggu lama' in live
    assert 'data-standard-seconds="360"' in live


def test_switching_counters_while_holding_a_visitor_asks_first(
    app: Flask, db: sqlite_utils.Database, queue: Queue
) -> None:
    siti, csrf = officer(app, db, "siti", "Siti Aminah")
    post(siti, csrf, "/counter/choose", counter="1")
    # Holding nobody: switching is one step.
    assert post(siti, csrf, "/counter/choose", form="choose", counter="2").status_code == 303
    post(siti, csrf, "/counter/choose", form="choose", counter="1")
    ticket = queue.issue("A", actor="kiosk").ticket
    post(siti, csrf, "/counter/call-next", counter_id="1")
    page = text(siti.get("/counter"))
    assert "Anda masih menangani A-001 di Loket 1: pindah loket meminta konfirmasi." in page

    events = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    refused = post(siti, csrf, "/counter/choose", form="choose", counter="2")
    assert refused.status_code == 409
    shown = text(refused)
    assert "Anda masih menangani A-001 di Loket 1. Bila pindah loket" in shown
    assert 'name="confirm_switch"' in shown and '<details class="switch" open>' in shown
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == events  # nothing done
    assert "<h1>Loket 1" in text(siti.get("/counter"))

    moved = post(siti, csrf, "/counter/choose", form="choose", counter="2", confirm_switch="1")
    assert moved.status_code == 303
    assert "<h1>Loket 2" in text(siti.get("/counter"))
    assert queue.ticket(ticket.id).counter_id == 1  # the ticket stays where it was called


# ------------------------------------------------------------------------------ back office


def test_the_back_office_case_view_follows_the_case_live(
    app: Flask, db: sqlite_utils.Database, queue: Queue, as_role
) -> None:
    ticket = queue.issue("A", actor="kiosk").ticket
    queue.call_specific(1, ticket.id, actor="fo")
    queue.start(ticket.id, 1, actor="fo")
    queue.identify(ticket.id, 1, actor="fo", name="Budi Santoso", nik=VALID_NIK, phone=PHONE)
    queue.escalate(ticket.id, 1, actor="fo", note="Perlu cek data SIMTUN")
    bo, _ = as_role("back_office")
    assert "Back Office" in text(bo.get("/back-office"))  # the only one: sits there
    page = text(bo.get(f"/back-office/cases/{ticket.id}"))
    assert f'data-live-url="/back-office/cases/{ticket.id}/live"' in page
    views = db.execute("SELECT COUNT(*) FROM events WHERE kind = 'personal_data_viewed'")
    viewed = views.fetchone()[0]
    assert viewed == 1  # escalated, not yet taken: read from outside the case, recorded
    live = text(bo.get(f"/back-office/cases/{ticket.id}/live"))
    assert "<html" not in live and "Perlu cek data SIMTUN" in live and PHONE in live
    before = version(live)
    # A live refresh is not another view to record: the page load recorded it.
    again = db.execute("SELECT COUNT(*) FROM events WHERE kind = 'personal_data_viewed'")
    assert again.fetchone()[0] == viewed

    # Another back-office officer (here: the domain) takes and answers it: the view follows.
    queue.take(ticket.id, 3, actor="bo2")
    queue.resolve(ticket.id, 3, actor="bo2", text="Cair tanggal 20")
    after = text(bo.get(f"/back-office/cases/{ticket.id}/live"))
    assert version(after) != before
    assert "Cair tanggal 20" in after and "menunggu Front Office menjelaskannya" in after
