"""Returned cases on the counter page, the call-back and the visitor's page (issue 14):
real Flask test clients on a real SQLite file, the domain driven through the queue."""

from __future__ import annotations

import re

import sqlite_utils
from flask import Flask

from display.calls import ANNOUNCE_MAX_AGE_SECONDS
from display.service import wav_maker
from display.voice import announcement_words
from tests.admin.test_desk_pages import officer, post, text, title
from tests.admin.test_pages import PHONE, VALID_NIK
from tests.display.test_app import write_pack
from ult import accounts, sop
from ult.clock import FakeClock
from ult.queue import Queue, Ticket
from ult.settings import Settings


def returned(queue: Queue) -> Ticket:
    """A case Loket 1 escalated and the back office answered: ``answer_ready``."""
    ticket = queue.issue("A", actor="kiosk").ticket
    queue.call_specific(1, ticket.id, actor="siti")
    queue.start(ticket.id, 1, actor="siti")
    queue.identify(ticket.id, 1, actor="siti", name="Budi Santoso", nik=VALID_NIK, phone=PHONE)
    queue.detail(ticket.id, 1, actor="siti", text="Tunjangan profesi belum cair")
    queue.escalate(ticket.id, 1, actor="siti", note="Perlu cek data SIMTUN")
    queue.take(ticket.id, 3, actor="bo")
    return queue.resolve(ticket.id, 3, actor="bo", text="Cair tanggal 20")


def top_card(page: str) -> str:
    found = re.search(r'<div class="returned-top".*?</section>', page, re.S)
    assert found, "no returned-cases card"
    return found.group(0)


def test_returned_cases_are_a_card_above_the_desk_with_a_badge_and_a_count(
    app: Flask, db: sqlite_utils.Database, queue: Queue
) -> None:
    siti, csrf = officer(app, db, "siti", "Siti Aminah")
    post(siti, csrf, "/counter/choose", counter="2")
    page = text(siti.get("/counter"))
    assert "(1) Loket" not in page and 'data-returned-count="0"' in page
    assert re.search(r"<a [^>]*data-returned-badge hidden", page)
    ticket = returned(queue)
    page = text(siti.get("/counter"))
    # Above the "at the desk" panel and the queue, in the page's title and heading.
    assert page.index('class="returned-top"') < page.index('class="desk"')
    assert page.index('class="returned-top"') < page.index('class="live"')
    assert re.search(r"<title>\(1\) Loket · Loket 2", page)
    assert re.search(r"<a [^>]*data-returned-badge>Jawaban siap: <span[^>]*>1</span>", page)
    card = top_card(page)
    assert 'data-returned-count="1"' in card and ticket.label in card
    assert "Cair tanggal 20" in card and "Tunjangan profesi belum cair" in card
    assert f'action="/counter/tickets/{ticket.id}/call-back"' in card
    assert "Panggil kembali ke loket ini" in card
    assert "Penjelasan diberikan (ambil ke loket ini)" in card  # the visitor already here
    # A small link to the case's read-only history (cases.view), which this role may open.
    history = f'<a class="small" href="/kasus/{ticket.id}" aria-label="Riwayat {ticket.label}">'
    assert history + "Riwayat</a>" in card
    opened = siti.get(f"/kasus/{ticket.id}")
    assert opened.status_code == 200 and "Perlu cek data SIMTUN" in text(opened)
    # The live fragment is the same card, and the queue's part no longer repeats it.
    live = text(siti.get("/counter/returned/live"))
    assert 'data-returned-count="1"' in live and "Panggil kembali ke loket ini" in live
    assert "Kasus kembali dari Back Office" not in text(siti.get("/counter/live"))


def test_calling_back_holds_the_case_at_the_desk_and_tells_the_visitor(
    app: Flask, db: sqlite_utils.Database, queue: Queue, clock: FakeClock
) -> None:
    siti, csrf = officer(app, db, "siti", "Siti Aminah")
    post(siti, csrf, "/counter/choose", counter="2")
    ticket = returned(queue)
    visitor = app.test_client()
    waiting = text(visitor.get(f"/t/{ticket.token}/live"))
    assert "Jawaban untuk permohonan Anda sudah siap. Tunggu panggilan; Anda akan dipanggil" in (
        waiting
    )
    called = post(siti, csrf, f"/counter/tickets/{ticket.id}/call-back", counter_id="2",
                  form="call_back")  # fmt: skip
    assert called.status_code == 303
    page = text(siti.get(called.headers["Location"]))
    assert f"{ticket.label} dipanggil kembali ke Loket 2: jawaban siap dijelaskan." in page
    held = queue.ticket(ticket.id)
    assert (held.state, held.counter_id) == (sop.ANSWER_READY, 2)
    # Not in the top card any more: at the desk, with the request, the answer, the explain
    # form and "Panggil ulang".
    assert 'data-returned-count="0"' in text(siti.get("/counter/returned/live"))
    desk = text(siti.get("/counter/current/live"))
    assert title(desk) == f"Di loket: {ticket.label}"
    assert "Dipanggil kembali" in desk and "Cair tanggal 20" in desk
    assert "Tunjangan profesi belum cair" in desk
    assert f'action="/counter/tickets/{ticket.id}/explain"' in desk
    assert f'action="/counter/tickets/{ticket.id}/call-back"' in desk and "Panggil ulang" in desk
    # The visitor's page sends them back, prominently (the call's look).
    status = text(visitor.get(f"/t/{ticket.token}/live"))
    assert 'data-state="called_back"' in status and "tone-call" in status
    assert "Silakan kembali ke Loket 2." in status
    # Calling again: refused inside the cooldown (409, nothing recorded), then counted.
    count = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    early = post(siti, csrf, f"/counter/tickets/{ticket.id}/call-back", counter_id="2",
                 form="call_back")  # fmt: skip
    assert early.status_code == 409 and "Tunggu" in text(early)
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == count
    clock.advance(seconds=20)
    again = post(siti, csrf, f"/counter/tickets/{ticket.id}/call-back", counter_id="2",
                 form="call_back")  # fmt: skip
    assert again.status_code == 303 and queue.ticket(ticket.id).recalls == 1
    # Explained at the desk: the panel moves on to step 16.
    done = post(siti, csrf, f"/counter/tickets/{ticket.id}/explain", counter_id="2",
                form="explain", mode="direct")  # fmt: skip
    assert done.status_code == 303 and queue.ticket(ticket.id).state == sop.EXPLAINED
    assert "Langkah 16" in text(siti.get("/counter/current/live"))


def test_a_call_back_is_refused_for_a_busy_counter_a_bad_form_or_another_role(
    app: Flask, db: sqlite_utils.Database, queue: Queue, as_role
) -> None:
    siti, csrf = officer(app, db, "siti", "Siti Aminah")
    post(siti, csrf, "/counter/choose", counter="2")
    ticket = returned(queue)
    other = queue.issue("B", actor="kiosk").ticket
    queue.call_specific(2, other.id, actor="siti")
    count = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    busy = post(siti, csrf, f"/counter/tickets/{ticket.id}/call-back", counter_id="2",
                form="call_back")  # fmt: skip
    assert busy.status_code == 409 and "Loket 2" in text(busy)
    card = top_card(text(siti.get("/counter")))
    assert re.search(r"<button [^>]*disabled[^>]*>Panggil kembali ke loket ini", card)
    wrong_counter = post(siti, csrf, f"/counter/tickets/{ticket.id}/call-back", counter_id="1",
                         form="call_back")  # fmt: skip
    assert wrong_counter.status_code == 409
    unknown = post(siti, csrf, "/counter/tickets/999999/call-back", counter_id="2")
    assert unknown.status_code == 404
    no_csrf = siti.post(f"/counter/tickets/{ticket.id}/call-back", data={"counter_id": "2"})
    assert no_csrf.status_code in (400, 403)
    reception, reception_csrf = as_role("receptionist")
    assert (
        post(reception, reception_csrf, f"/counter/tickets/{ticket.id}/call-back").status_code
        == 403
    )
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == count
    assert queue.ticket(ticket.id).counter_id is None


def test_the_api_calls_back_too(app: Flask, db: sqlite_utils.Database, queue: Queue) -> None:
    ticket = returned(queue)
    api = app.test_client()
    token = accounts.create_token(db, "test-fo", "front_office")
    auth = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/tickets/{ticket.id}/call-back"
    answer = api.post(path, json={"counter": 2}, headers=auth)
    assert answer.status_code == 200, answer.json
    assert (answer.json["state"], answer.json["counter_id"]) == ("answer_ready", 2)
    refused = api.post(path, json={"counter": 1}, headers=auth)
    assert refused.status_code == 409 and refused.json["error"] == "not_at_counter"
    receptionist = accounts.create_token(db, "test-r", "receptionist")
    forbidden = api.post(
        path, json={"counter": 2}, headers={"Authorization": f"Bearer {receptionist}"}
    )
    assert forbidden.status_code == 403
    spec = api.get("/api/v1/openapi.json").json
    assert any(p.endswith("/call-back") for p in spec["paths"])


def test_the_browser_board_says_come_back(app: Flask, queue: Queue, settings: Settings) -> None:
    ticket = returned(queue)
    words = announcement_words(ticket.label, "Loket 2", come_back=True)
    write_pack(settings.home / "voice" / "default", words)
    queue.call_back(ticket.id, 2, actor="siti")
    board = app.test_client()
    page = text(board.get("/board"))
    assert re.search(r'id="call-goto"[^>]*>Silakan kembali ke</p>', page)
    assert re.search(r'id="call-counter">Loket 2<', page)
    state = board.get("/api/v1/board").json
    assert state["current_call"]["call_back"] is True
    # The announcement: only a call-back standing now, and only with back=1.
    asked = {"label": ticket.label, "counter": "Loket 2"}
    plain = board.get("/board/announcement.wav", query_string=asked)
    assert plain.status_code == 404
    bad = board.get("/board/announcement.wav", query_string={**asked, "back": "x"})
    assert bad.status_code == 422
    elsewhere = board.get(
        "/board/announcement.wav", query_string={**asked, "counter": "Loket 1", "back": "1"}
    )
    assert elsewhere.status_code == 404 and elsewhere.json["error"] == "announcement_unknown"
    # The TV's own WAV: "... silakan kembali ke, loket, dua".
    spoken = board.get("/board/announcement.wav", query_string={**asked, "back": "1"})
    assert spoken.status_code == 200 and spoken.mimetype == "audio/wav"
    assert spoken.data == wav_maker(settings.home)(ticket.label, "Loket 2", come_back=True)
    # A board fetching the words just after the officer explained still gets them (within
    # ANNOUNCE_MAX_AGE_SECONDS of the call-back), not a 404.
    queue.explain(ticket.id, 2, actor="siti", mode="direct")
    late = board.get("/board/announcement.wav", query_string={**asked, "back": "1"})
    assert late.status_code == 200
    queue.clock.advance(seconds=ANNOUNCE_MAX_AGE_SECONDS + 1)
    stale = board.get("/board/announcement.wav", query_string={**asked, "back": "1"})
    assert stale.status_code == 404


def test_a_case_called_back_to_another_counter_is_a_quiet_line_not_an_alarm(
    app: Flask, db: sqlite_utils.Database, queue: Queue
) -> None:
    budi, csrf = officer(app, db, "budi", "Budi Hartono")
    post(budi, csrf, "/counter/choose", counter="2")
    ticket = returned(queue)
    second = returned(queue)
    queue.call_back(ticket.id, 1, actor="siti")
    # The card lists the case not yet called back; its heading counts it as the badge does.
    card = top_card(text(budi.get("/counter")))
    assert 'data-returned-count="1"' in card
    assert '<span class="badge alert" aria-hidden="true">1</span>' in card
    assert "Kasus kembali dari Back Office: jawaban siap (1)" in card
    assert second.label in card and f"{ticket.label} ·" not in card
    # Budi calls the second back to his own desk: no red card, no badge, no count in the
    # title at Loket 2, only a quiet line for the case Loket 1 holds.
    queue.call_back(second.id, 2, actor="budi")
    page = text(budi.get("/counter"))
    assert 'class="card returned-alert"' not in page and "jawaban siap (" not in page
    assert 'data-returned-count="0"' in page
    assert re.search(r"<a [^>]*data-returned-badge hidden", page)
    assert not re.search(r"<title>\(\d+\)", page)
    line = re.search(r'<ul class="cases returned-elsewhere".*?</ul>', page, re.S)
    assert line, "no quiet line for the case called back elsewhere"
    assert f"{ticket.label} dipanggil kembali ke Loket 1." in line.group(0)
    assert "<button" not in line.group(0) and second.label not in line.group(0)
