"""Staff pages: reception, counter and back office, through the Flask test client over a
real SQLite file, with the fake clock of tests/conftest.py."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlite_utils
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from admin import create_app
from admin.actions import ACTION_ROLES
from tests.admin.conftest import PASSWORD, USERS, csrf_token, login, outcome
from tests.conftest import make_settings
from ult import accounts, sop
from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.queue import Queue
from ult.settings import Settings
from ult.store import connect

VALID_NIK = "1271011201900001"  # Medan, born 12-01-1990, male, serial 0001
MASKED_NIK = "1271**********01"
PHONE = "081234567890"

FO = USERS["front_office"]
BO = USERS["back_office"]


# ------------------------------------------------------------------------------ helpers


NOWRAP = re.compile(r'<span class="nowrap">([^<]*)</span>')
"""A ticket label kept whole in a sentence (admin.labels; tests/admin/test_labels.py checks
the span itself): the tests of words read the sentence without it."""


def text(response) -> str:
    """The page's HTML, labels' nowrap spans left out (the sentences as staff read them)."""
    return NOWRAP.sub(r"\1", response.get_data(as_text=True))


def event_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def events_of(db: sqlite_utils.Database, ticket_id: int) -> list[dict]:
    return list(
        db.query(
            "SELECT kind, actor, sop_step FROM events WHERE ticket_id = ? ORDER BY id", [ticket_id]
        )
    )


def post(client: FlaskClient, csrf: str, path: str, **data: str):
    return client.post(path, data={"csrf_token": csrf, **data})


def follow(client: FlaskClient, response) -> str:
    """The page a redirect-after-post lands on."""
    assert response.status_code == 303, text(response)
    return text(client.get(response.headers["Location"]))


def timer_of(page: str, step: int) -> str:
    """The first timer of SOP step ``step`` on a page, as HTML."""
    found = re.search(rf'<span class="timer[^"]*"[^>]*>Langkah {step} .*?</strong></span>', page)
    assert found, f"no timer of step {step}"
    return found.group(0)


def flashes(page: str, category: str) -> list[str]:
    return re.findall(rf'<p class="flash {category}"[^>]*>([^<]*)</p>', NOWRAP.sub(r"\1", page))


@pytest.fixture
def desk(as_role) -> tuple[FlaskClient, str]:
    """A front-office client working at Loket 1 (counter id 1)."""
    client, csrf = as_role("front_office")
    assert post(client, csrf, "/counter/choose", counter="1").status_code == 303
    return client, csrf


def act(client: FlaskClient, csrf: str, ticket_id: int, action: str, **data: str):
    """A desk action on a ticket, for Loket 1."""
    return post(client, csrf, f"/counter/tickets/{ticket_id}/{action}", counter_id="1", **data)


def to_serving(queue: Queue, service: str = "A") -> int:
    """A ticket issued, called by Loket 1 and started; its id."""
    ticket = queue.issue(service, actor="test").ticket
    queue.call_specific(1, ticket.id, actor="test")
    queue.start(ticket.id, 1, actor="test")
    return ticket.id


def to_escalated(queue: Queue) -> int:
    ticket_id = to_serving(queue)
    queue.identify(ticket_id, 1, actor="test", name="Budi Santoso", nik=VALID_NIK, phone=PHONE)
    queue.detail(ticket_id, 1, actor="test", text="Tunjangan profesi belum cair")
    queue.escalate(ticket_id, 1, actor="test", note="Perlu cek data SIMTUN")
    return ticket_id


# ------------------------------------------------------------------------------ authorization


def page_routes(app: Flask) -> list[tuple[str, str, str]]:
    """Every route of the pages blueprint: (endpoint, method, path with ticket 1)."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("pages."):
            continue
        method = "POST" if "POST" in rule.methods else "GET"
        path = rule.rule.replace("<int:ticket_id>", "1")
        found.append((rule.endpoint, method, path))
    return sorted(found)


def test_every_pages_route_is_listed_in_the_authorization_matrix(app: Flask) -> None:
    endpoints = {endpoint for endpoint, _, _ in page_routes(app)}
    assert {"pages.reception.index", "pages.counter.index", "pages.back_office.index"} <= endpoints
    assert len(endpoints) >= 30
    for endpoint in endpoints:
        assert hasattr(app.view_functions[endpoint], "roles"), f"{endpoint} has no require()"


def test_every_route_as_allowed_forbidden_and_anonymous(app: Flask, as_role, queue: Queue) -> None:
    # Ticket 1 is an escalated case: every route has something to show for it.
    to_escalated(queue)
    clients = {}

    def client_of(role: str) -> tuple[FlaskClient, str]:
        if role not in clients:
            clients[role] = as_role(role)
        return clients[role]

    for endpoint, method, path in page_routes(app):
        roles = app.view_functions[endpoint].roles
        forbidden = next(r for r in accounts.ROLES if r not in roles)
        assert "technician" not in roles, endpoint

        anonymous = app.test_client()
        if method == "GET":
            response = anonymous.get(path)
        else:
            response = anonymous.post(path, data={"csrf_token": csrf_token(anonymous)})
        assert response.status_code == 302, (endpoint, response.status_code)
        assert "/login" in response.headers["Location"]

        client, csrf = client_of(forbidden)
        response = client.get(path) if method == "GET" else post(client, csrf, path)
        assert response.status_code == 403, (endpoint, forbidden, response.status_code)

        client, csrf = client_of(roles[0])
        response = client.get(path) if method == "GET" else post(client, csrf, path)
        if endpoint == "pages.counter.survey_qr":
            # Only for the ticket this session just finished (tests/admin/test_survey_pages).
            assert response.status_code == 404, endpoint
        elif method == "GET":
            assert response.status_code == 200, (endpoint, response.status_code)
        else:
            assert response.status_code not in (302, 400, 403, 500), (endpoint, response)


def test_nav_and_landing_pages_by_role(as_role) -> None:
    for role, page in (
        ("receptionist", "/reception"),
        ("front_office", "/counter"),
        ("back_office", "/back-office"),
        ("unit", "/back-office"),
    ):
        client, _ = as_role(role)
        assert client.get("/").headers["Location"].endswith(page)
    client, _ = as_role("supervisor")
    menu = text(client.get("/counter"))
    assert 'href="/reception"' in menu and 'href="/back-office"' in menu


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(
    as_role, db: sqlite_utils.Database
) -> None:
    client, _ = as_role("receptionist")
    before = event_count(db)
    response = client.post("/reception/issue", data={"pick": "A"})
    assert response.status_code == 400
    assert "Formulir kedaluwarsa" in text(response)
    assert event_count(db) == before
    assert db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 0


def test_pages_have_no_inline_script_or_style_and_one_stream(as_role, queue: Queue) -> None:
    to_escalated(queue)
    for role, path in (
        ("receptionist", "/reception"),
        ("front_office", "/counter"),
        ("back_office", "/back-office"),
        ("back_office", "/back-office/cases/1"),
    ):
        client, csrf = as_role(role)
        if role == "front_office":
            post(client, csrf, "/counter/choose", counter="1")
        page = text(client.get(path))
        assert "<script>" not in page and " style=" not in page and "onclick" not in page
        assert page.count("pages.js") == 1
        assert 'data-stream-url="/api/v1/board/events"' in page
        assert "called" in re.search(r'data-event-kinds="([^"]+)"', page).group(1).split()


# ------------------------------------------------------------------------------ reception


def last_request(db: sqlite_utils.Database, ticket_id: int) -> int:
    """The id of the ticket's newest print request."""
    return db.execute(
        "SELECT MAX(id) FROM events WHERE ticket_id = ? AND kind = 'print_requested'",
        [ticket_id],
    ).fetchone()[0]


def test_reception_issues_and_prints_in_one_click(
    as_role, db: sqlite_utils.Database, queue: Queue, settings, print_owner
) -> None:
    print_owner()  # ult kiosk: the printer's one owner prints the reception's requests
    queue.issue("A", actor="kiosk")  # one ahead
    client, csrf = as_role("receptionist")
    page = text(client.get("/reception"))
    for name in ("Dapodik", "Tunjangan Profesi", "Pengaduan", "Perizinan", "Pengurusan"):
        assert name in page
    key = re.search(r'name="request_key" value="([^"]+)"', page).group(1)

    response = post(
        client,
        csrf,
        "/reception/issue",
        pick="A|Dapodik",
        priority="1",
        priority_category="elderly",
        request_key=key,
    )
    shown = follow(client, response)
    ticket = queue.ticket("A-002")
    assert ticket.topic == "Dapodik" and ticket.priority and ticket.source == "reception"
    assert "Tiket A-002 diterbitkan; tiket sedang dicetak." in flashes(shown, "success")
    assert f'data-live-url="/reception/tickets/{ticket.id}/paper/live"' in shown
    # The owner's worker prints it; the page's live part shows the outcome.
    assert outcome(db, last_request(db, ticket.id)).printed
    assert queue.ticket("A-002").printed is True
    assert "Tiket tercetak." in text(client.get(f"/reception/tickets/{ticket.id}/paper/live"))
    assert 'class="big-label">A-002<' in shown
    assert "Prioritas" in shown and "Perkiraan waktu tunggu" in shown
    # The preview printer of the default settings wrote the ticket as a PNG in home/tickets.
    pngs = list(settings.printer.path.glob("*A-002.png"))
    assert len(pngs) == 1 and Image.open(pngs[0]).width > 0
    kinds = [(e["kind"], e["actor"]) for e in events_of(db, ticket.id)]
    assert kinds == [
        ("issued", USERS["receptionist"]),
        ("print_requested", USERS["receptionist"]),
        ("printed", USERS["receptionist"]),
    ]

    # A double click sends the same request key: still one ticket.
    again = follow(
        client,
        post(
            client,
            csrf,
            "/reception/issue",
            pick="A|Dapodik",
            priority="1",
            priority_category="elderly",
            request_key=key,
        ),
    )
    assert "sudah diterbitkan untuk permintaan ini" in again
    assert db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 2


def test_reception_says_nobody_is_ahead_in_words(as_role) -> None:
    client, csrf = as_role("receptionist")
    first = follow(client, post(client, csrf, "/reception/issue", pick="C"))
    assert "<strong>Tidak ada antrian di depan</strong>" in first and "0 orang" not in first
    assert "Perkiraan waktu tunggu: <strong>segera dipanggil</strong>" in first


def test_reception_shows_the_position_and_estimated_wait(as_role, queue: Queue) -> None:
    for _ in range(3):
        queue.issue("B", actor="kiosk")
    client, csrf = as_role("receptionist")
    shown = follow(client, post(client, csrf, "/reception/issue", pick="B"))
    assert "Menunggu di depan: <strong>3 orang</strong>" in shown
    assert "± 15 menit" in shown  # 3 ahead x 10 default minutes / 2 open counters


@pytest.mark.parametrize(
    ("pick", "message"),
    [
        ("Z", "Layanan &#39;Z&#39; tidak dikenal."),
        ("B|Dapodik", "Topik &#39;Dapodik&#39; tidak tersedia pada layanan B."),
        ("", "Pilih layanan terlebih dahulu."),
    ],
)
def test_reception_refuses_a_bad_pick_and_records_nothing(
    as_role, db: sqlite_utils.Database, pick: str, message: str
) -> None:
    client, csrf = as_role("receptionist")
    before = event_count(db)
    response = post(client, csrf, "/reception/issue", pick=pick)
    assert response.status_code == 422
    assert message in text(response)
    assert event_count(db) == before  # not even a printer check


def app_with_printer(tmp_path: Path, clock: FakeClock, printer_toml: str) -> Flask:
    """An app over its own home whose [printer] is ``printer_toml``."""
    settings = make_settings(tmp_path / "other", f"[printer]\n{printer_toml}\n")
    database = connect(settings.store.database)
    apply_catalog(database, settings)
    accounts.add_user(database, USERS["receptionist"], PASSWORD, "receptionist")
    database.close()
    return create_app(settings, clock=clock, config={"TESTING": True})


def test_a_failed_print_is_said_listed_and_reprinted(
    tmp_path: Path, clock: FakeClock, print_owner
) -> None:
    sink = tmp_path / "lp" / "lp0.bin"  # its folder is missing: the printer is "offline"
    app = app_with_printer(tmp_path, clock, f'connection = "file"\npath = "{sink}"')
    app_settings: Settings = app.config["ULT_SETTINGS"]
    print_owner(settings_=app_settings)  # its first check records "offline"
    db = connect(app_settings.store.database)
    client = app.test_client()
    csrf = login(client, "receptionist")

    shown = follow(client, post(client, csrf, "/reception/issue", pick="C"))
    assert "TIDAK tercetak (printer tidak siap)" in flashes(shown, "error")[0]
    assert "Cetak ulang C-001" in shown
    live = text(client.get("/reception/live"))
    assert "Printer tidak siap" in live
    assert "Tiket hari ini yang tidak tercetak (1)" in live and "Cetak ulang C-001" in live

    # Still broken: the reprint is asked, the owner's answer says so, and it stays listed.
    still = follow(client, post(client, csrf, "/reception/tickets/1/reprint"))
    assert "Tiket C-001 sedang dicetak ulang." in flashes(still, "success")
    assert outcome(db, last_request(db, 1)).kind == "print_failed"
    assert "TIDAK tercetak" in text(client.get("/reception/tickets/1/paper/live"))
    assert "Cetak ulang C-001" in text(client.get("/reception/live"))
    sink.parent.mkdir()
    fixed = follow(client, post(client, csrf, "/reception/tickets/1/reprint"))
    assert "Tiket C-001 sedang dicetak ulang." in flashes(fixed, "success")
    # A file cannot confirm the paper (issue 10): sent, said so, and still listed.
    assert outcome(db, last_request(db, 1)).kind == "print_unconfirmed"
    assert sink.stat().st_size > 0
    assert "tidak mengonfirmasi" in text(client.get("/reception/tickets/1/paper/live"))
    assert "Cetak ulang C-001" in text(client.get("/reception/live"))
    db.close()


def test_without_the_printer_owner_the_reception_issues_and_says_why_not(
    as_role, db: sqlite_utils.Database
) -> None:
    # No ult kiosk runs: the ticket is issued, listed for reprint, and the page says why.
    client, csrf = as_role("receptionist")
    shown = follow(client, post(client, csrf, "/reception/issue", pick="B"))
    assert (
        "TIDAK tercetak (layanan printer (ult-kiosk) tidak berjalan)" in flashes(shown, "error")[0]
    )
    assert flashes(shown, "success") == []  # no empty success box under the error
    live = text(client.get("/reception/live"))
    assert "tidak berjalan" in live and "Cetak ulang B-001" in live
    refused = post(client, csrf, "/reception/tickets/1/reprint")
    assert refused.status_code == 409 and "tidak berjalan" in text(refused)


def test_without_a_printer_the_reception_still_issues(tmp_path: Path, clock: FakeClock) -> None:
    app = app_with_printer(tmp_path, clock, 'connection = "none"')
    client = app.test_client()
    csrf = login(client, "receptionist")
    shown = follow(client, post(client, csrf, "/reception/issue", pick="D"))
    assert "Tidak ada printer tiket" in flashes(shown, "success")[0]
    assert "Tidak ada printer" in shown
    assert "Semua tiket hari ini tercetak." in shown  # nothing waits for a reprint


def test_reception_registers_the_visitor_masked_and_the_desk_sees_it_whole(
    as_role, desk, queue: Queue, db: sqlite_utils.Database
) -> None:
    ticket = queue.issue("A", actor="kiosk").ticket
    client, csrf = as_role("receptionist")
    bad = post(
        client,
        csrf,
        f"/reception/tickets/{ticket.id}/visitor",
        form="visitor",
        name="Siti",
        document_number="12345",
    )
    assert bad.status_code == 422
    assert "NIK harus 16 angka (terbaca 5 angka)." in text(bad)
    assert 'value="Siti"' in text(bad)  # what was typed is kept
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0

    fine = post(
        client, csrf, f"/reception/tickets/{ticket.id}/visitor",
        form="visitor", name="Siti Aminah", document_number=VALID_NIK, phone=PHONE,
    )  # fmt: skip
    shown = follow(client, fine)
    assert "Data pengunjung tiket A-001 disimpan." in shown
    assert MASKED_NIK in shown and VALID_NIK not in shown and PHONE not in shown
    registered = db.execute(
        "SELECT actor, sop_step, payload FROM events WHERE kind = 'visitor_registered'"
    ).fetchall()
    assert [(a, step) for a, step, _ in registered] == [("receptionist1", 3)]
    assert VALID_NIK not in registered[0][2] and "Siti" not in registered[0][2]

    fo, fo_csrf = desk
    post(fo, fo_csrf, "/counter/call-next", counter_id="1")
    act(fo, fo_csrf, ticket.id, "start")
    page = text(fo.get("/counter"))
    # The desk holding the case confirms the identity: prefilled, in full.
    assert 'value="Siti Aminah"' in page and f'value="{VALID_NIK}"' in page

    # Once called, the reception no longer edits it.
    late = post(
        client,
        csrf,
        f"/reception/tickets/{ticket.id}/visitor",
        form="visitor",
        name="X",
        document_number=VALID_NIK,
    )
    assert late.status_code == 409


def test_reception_puts_a_no_show_back_in_line(as_role, queue: Queue, clock: FakeClock) -> None:
    ticket = queue.issue("A", actor="kiosk").ticket
    queue.call_next(1, actor="fo")
    for _ in range(2):
        clock.advance(seconds=20)  # past the recall cooldown
        queue.recall(ticket.id, 1, actor="fo")
    queue.no_show(ticket.id, 1, actor="fo")
    client, csrf = as_role("receptionist")
    assert "Masukkan lagi ke antrian A-001" in text(client.get("/reception"))
    shown = follow(client, post(client, csrf, f"/reception/tickets/{ticket.id}/reactivate"))
    assert "Tiket A-001 kembali ke antrian" in shown
    assert queue.ticket(ticket.id).state == sop.WAITING


# ------------------------------------------------------------------------------ counter


def test_counter_asks_which_counter_first_and_refuses_a_foreign_one(
    as_role, db: sqlite_utils.Database
) -> None:
    client, csrf = as_role("front_office")
    page = text(client.get("/counter"))
    assert "Pilih loket Anda" in page and "Loket 1" in page and "Back Office" not in page
    refused = post(client, csrf, "/counter/call-next")
    assert refused.status_code == 409 and "Pilih loket Anda terlebih dahulu." in text(refused)
    back_office = post(client, csrf, "/counter/choose", form="choose", counter="3")
    assert back_office.status_code == 409
    assert "Back Office bukan loket Front Office." in text(back_office)
    unknown = post(client, csrf, "/counter/choose", form="choose", counter="99")
    assert unknown.status_code == 404 and "Loket &#39;99&#39; tidak dikenal." in text(unknown)
    missing = client.get("/halaman-yang-tidak-ada")
    assert missing.status_code == 404 and "<title>Kesalahan 404 · " in text(missing)
    chosen = follow(client, post(client, csrf, "/counter/choose", counter="2"))
    assert "Anda bertugas di Loket 2." in chosen and "<h1>Loket 2" in chosen


def test_counter_short_path_to_the_survey_qr(desk, queue: Queue, db: sqlite_utils.Database) -> None:
    client, csrf = desk
    ticket = queue.issue("A", actor="kiosk", topic="Dapodik").ticket
    live = text(client.get("/counter/live"))
    assert "A-001" in live and "<html" not in live and "Antrian Loket 1 (1 menunggu)" in live

    page = follow(client, post(client, csrf, "/counter/call-next", counter_id="1"))
    assert "Loket 1 memanggil A-001." in page
    assert 'Di loket: <strong class="label">A-001</strong>' in page
    follow(client, act(client, csrf, ticket.id, "start"))
    follow(
        client,
        act(
            client, csrf, ticket.id, "identify", form="identify", name="Budi Santoso",
            document_number=VALID_NIK, institution="SMA Negeri 1 Medan", phone=PHONE,
            acting_for="1", represents_name="Kepala SMAN 1", letter_type="surat_tugas",
            letter_number="800/123/2026", letter_date="2026-11-20",
        ),
    )  # fmt: skip
    follow(client, act(client, csrf, ticket.id, "detail", detail="Status tunjangan profesi"))
    follow(client, act(client, csrf, ticket.id, "answer", kind="available", answer="Sudah cair"))
    explained = follow(client, act(client, csrf, ticket.id, "explain", mode="direct"))
    assert "Selesai dan tampilkan kode QR survei</button>" in explained
    assert "&amp; tampilkan" not in explained
    done = follow(
        client, act(client, csrf, ticket.id, "finish", outcome="resolved", survey_invited="1")
    )
    assert "Layanan A-001 selesai." in done
    assert f"/counter/tickets/{ticket.id}/survey-qr.png" in done
    qr = client.get(f"/counter/tickets/{ticket.id}/survey-qr.png")
    assert qr.status_code == 200 and qr.mimetype == "image/png"
    assert Image.open(io.BytesIO(qr.data)).size[0] >= 100
    finished = queue.ticket(ticket.id)
    assert finished.state == sop.DONE
    visit = db.execute("SELECT letter_type, represents_name FROM visits").fetchone()
    assert tuple(visit) == ("surat_tugas", "Kepala SMAN 1")
    assert f"http://ult.local:8080/t/{finished.token}" in done

    steps = [(e["kind"], e["sop_step"]) for e in events_of(db, ticket.id)]
    assert steps == [
        ("issued", 3), ("called", 5), ("started", 6), ("identified", 7), ("detailed", 8),
        ("answered", 9), ("explained", 15), ("finished", 16),
    ]  # fmt: skip
    assert {e["actor"] for e in events_of(db, ticket.id)[1:]} == {FO}
    # The next call clears the survey card.
    queue.issue("A", actor="kiosk")
    assert "survey-qr.png" not in follow(
        client, post(client, csrf, "/counter/call-next", counter_id="1")
    )


def test_calling_a_specific_ticket_from_the_queue(desk, queue: Queue) -> None:
    client, csrf = desk
    queue.issue("A", actor="kiosk")
    second = queue.issue("B", actor="kiosk").ticket
    page = text(client.get("/counter"))
    assert "Panggil B-001" in page
    follow(client, post(client, csrf, f"/counter/tickets/{second.id}/call", counter_id="1"))
    assert queue.ticket(second.id).state == sop.CALLED


def test_bad_identity_values_get_indonesian_messages_and_change_nothing(
    desk, queue: Queue, db: sqlite_utils.Database
) -> None:
    client, csrf = desk
    ticket_id = to_serving(queue)
    before = event_count(db)
    cases = [
        ({"name": "Budi", "document_number": "12345"}, "NIK harus 16 angka (terbaca 5 angka)."),
        (
            {"name": "Budi", "document_number": "1271 0112 0190 000X"},
            "NIK hanya boleh berisi angka",
        ),
        ({"name": "", "document_number": VALID_NIK}, "Nama wajib diisi."),
        (
            {"name": "Budi", "document_number": VALID_NIK, "phone": "08-abc"},
            "Nomor telepon tidak valid",
        ),
        (
            {"name": "Budi", "document_number": VALID_NIK, "acting_for": "1"},
            "isi nama orang atau lembaga yang diwakili",
        ),
        (
            {
                "name": "Budi",
                "document_number": VALID_NIK,
                "acting_for": "1",
                "represents_name": "Pak Hasan",
            },
            "wajib menunjukkan surat kuasa",
        ),
        (
            {"name": "Budi", "document_number": VALID_NIK, "letter_type": "surat_kuasa"},
            "hanya diisi bila pengunjung mewakili",
        ),
        (
            {"name": "Budi", "document_kind": "paspor", "document_number": "12"},
            "Nomor Paspor tidak valid",
        ),
        (
            {"name": "Budi", "document_kind": "kartu_sakti", "document_number": "12"},
            "Jenis kartu identitas harus salah satu dari",
        ),
    ]
    for fields, message in cases:
        response = act(client, csrf, ticket_id, "identify", form="identify", **fields)
        assert response.status_code == 422, fields
        page = text(response)
        assert message in page, (fields, flashes(page, "error"))
        if fields["name"]:
            assert f'value="{fields["name"]}"' in page  # the form keeps what was typed
    empty = act(client, csrf, ticket_id, "detail", form="detail", detail="  ")
    assert empty.status_code == 422 and "Rincian permohonan wajib diisi." in text(empty)
    no_kind = act(client, csrf, ticket_id, "answer", form="answer", answer="x")
    assert no_kind.status_code == 422 and "Jenis jawaban harus salah satu dari" in text(no_kind)
    no_note = act(client, csrf, ticket_id, "escalate", form="escalate", note="")
    assert no_note.status_code == 422 and "Catatan wajib diisi." in text(no_note)
    assert event_count(db) == before
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0


def test_a_counter_cannot_act_on_another_counters_ticket(
    as_role, desk, queue: Queue, db: sqlite_utils.Database
) -> None:
    client, csrf = desk  # Loket 1
    ticket = queue.issue("A", actor="kiosk").ticket
    queue.call_next(2, actor="other")  # Loket 2 holds it
    before = event_count(db)
    response = act(client, csrf, ticket.id, "start")
    assert response.status_code == 409
    assert "Tiket A-001 tidak sedang ditangani oleh Loket 1." in text(response)
    # A form rendered for Loket 2 (another tab) is not run as Loket 1.
    mismatch = post(client, csrf, f"/counter/tickets/{ticket.id}/start", counter_id="2")
    assert mismatch.status_code == 409
    assert "Formulir ini untuk Loket 2, tetapi Anda sekarang bertugas di Loket 1." in text(mismatch)
    unknown = act(client, csrf, 999, "start")
    assert unknown.status_code == 404 and "Tiket &#39;999&#39; tidak ditemukan." in text(unknown)
    assert event_count(db) == before
    assert queue.ticket(ticket.id).state == sop.CALLED


def test_recall_cooldown_and_no_show_after_the_required_recalls(
    desk, queue: Queue, clock: FakeClock, db: sqlite_utils.Database
) -> None:
    client, csrf = desk
    ticket = queue.issue("A", actor="kiosk").ticket
    follow(client, post(client, csrf, "/counter/call-next", counter_id="1"))
    page = text(client.get("/counter"))
    assert 'dalam <span class="seconds">15</span> detik' in page
    assert re.search(r"<button type=\"submit\" disabled[^>]*>Tidak hadir</button>", page)
    assert "Perlu 2 kali panggil ulang sebelum tidak hadir (baru 0)." in page
    # Issue 14's words: no "0 kali", a whole verb on the start button.
    assert "Belum dipanggil ulang." in page and "dipanggil ulang 0 kali" not in page
    assert "Mulai melayani (S)</button>" in page

    before = event_count(db)
    early = act(client, csrf, ticket.id, "recall")
    assert early.status_code == 409 and "Tunggu 15 detik lagi" in text(early)
    too_soon = act(client, csrf, ticket.id, "no-show")
    assert too_soon.status_code == 409 and "perlu 2 kali panggilan ulang" in text(too_soon)
    assert event_count(db) == before

    for count in (1, 2):
        clock.advance(seconds=16)
        shown = follow(client, act(client, csrf, ticket.id, "recall"))
        assert f"A-001 dipanggil ulang ({count} kali)." in shown
        assert f"Sudah dipanggil ulang {count} kali." in shown
    page = text(client.get("/counter"))
    assert re.search(r"<button type=\"submit\">Tidak hadir</button>", page)
    assert "A-001 dinyatakan tidak hadir." in follow(
        client, act(client, csrf, ticket.id, "no-show")
    )
    assert queue.ticket(ticket.id).state == sop.NO_SHOW


def test_pause_blocks_calls_until_resumed(desk, queue: Queue, db: sqlite_utils.Database) -> None:
    client, csrf = desk
    queue.issue("A", actor="kiosk")
    paused = follow(client, post(client, csrf, "/counter/pause", counter_id="1"))
    assert "Loket 1 dijeda" in paused and "JEDA" in paused
    assert "Loket sedang jeda." in paused and "Lanjutkan melayani" in paused
    before = event_count(db)
    refused = post(client, csrf, "/counter/call-next", counter_id="1")
    assert refused.status_code == 409 and "Loket 1 sedang jeda." in text(refused)
    assert event_count(db) == before
    follow(client, post(client, csrf, "/counter/resume", counter_id="1"))
    assert "Loket 1 memanggil A-001." in follow(
        client, post(client, csrf, "/counter/call-next", counter_id="1")
    )


def test_transfer_and_cancel_at_the_desk(desk, queue: Queue) -> None:
    client, csrf = desk
    first = to_serving(queue)
    moved = follow(client, act(client, csrf, first, "transfer", service="B"))
    assert "A-001 dipindahkan ke layanan B." in moved
    assert queue.ticket(first).state == sop.WAITING and queue.ticket(first).service == "B"
    queue.call_specific(1, first, actor="test")
    empty = act(client, csrf, first, "cancel", form="cancel", reason="")
    assert empty.status_code == 422 and "Alasan wajib diisi." in text(empty)
    gone = follow(client, act(client, csrf, first, "cancel", reason="Pengunjung pulang"))
    assert "Tiket A-001 dibatalkan." in gone and queue.ticket(first).state == sop.CANCELLED


def test_keyboard_shortcuts_have_buttons_and_a_legend(desk, queue: Queue) -> None:
    client, csrf = desk
    queue.issue("A", actor="kiosk")
    page = text(client.get("/counter"))
    assert "<kbd>N</kbd> panggil berikutnya" in page and "<kbd>R</kbd> panggil ulang" in page
    assert 'data-shortcut="n"' in page
    page = follow(client, post(client, csrf, "/counter/call-next", counter_id="1"))
    assert 'data-shortcut="r"' in page and 'data-shortcut="s"' in page


def test_steps_are_marked_overdue_against_the_sop_standard(
    desk, queue: Queue, clock: FakeClock
) -> None:
    client, csrf = desk
    queue.issue("A", actor="kiosk")
    follow(client, post(client, csrf, "/counter/call-next", counter_id="1"))
    clock.advance(minutes=2)
    page = text(client.get("/counter"))
    timer = timer_of(page, 6)
    assert "overdue" not in timer.split(">")[0] and "02:00</span> dari standar 3 menit" in timer
    assert '<strong class="overdue-word" hidden>' in timer
    clock.advance(minutes=2)
    page = text(client.get("/counter"))
    timer = timer_of(page, 6)
    assert timer.startswith('<span class="timer overdue"')
    assert "04:00" in timer and "MELEWATI STANDAR" in timer and " hidden" not in timer

    # Serving: the open step moves 7 -> 8 as the identity is recorded.
    follow(client, act(client, csrf, 1, "start"))
    assert 'Langkah 7 · Verifikasi identitas: <span class="elapsed">00:00' in text(
        client.get("/counter")
    )
    queue.identify(1, 1, actor="test", name="Budi", nik=VALID_NIK)
    clock.advance(minutes=5)
    page = text(client.get("/counter"))
    assert re.search(r'class="timer overdue"[^>]*>Langkah 8 · Rincian permohonan', page)


def test_consulting_the_back_office_times_step_10_at_the_desk(
    desk, queue: Queue, db: sqlite_utils.Database, clock: FakeClock
) -> None:
    client, csrf = desk
    ticket_id = to_serving(queue)
    assert "Catat konsultasi ke Back Office" in text(client.get("/counter"))
    page = follow(client, act(client, csrf, ticket_id, "consult"))
    assert "Konsultasi A-001 ke Back Office dicatat" in page
    assert queue.ticket(ticket_id).state == sop.SERVING  # the desk keeps the case
    assert events_of(db, ticket_id)[-1] == {"kind": "consulted", "actor": FO, "sop_step": 9}
    clock.advance(minutes=6)
    timer = timer_of(text(client.get("/counter")), 10)
    assert timer.startswith('<span class="timer overdue"') and "dari standar 5 menit" in timer
    follow(client, act(client, csrf, ticket_id, "escalate", note="Perlu Back Office"))
    steps = db.execute(
        "SELECT step, seconds, officer FROM step_records WHERE ticket_id = ? AND waiting = 0",
        (ticket_id,),
    ).fetchall()
    assert steps[-2:] == [(9, 0, FO), (10, 360, FO)]


# ------------------------------------------------------------------------------ back office


def test_escalation_handled_on_the_back_office_page(
    as_role, desk, queue: Queue, db: sqlite_utils.Database, clock: FakeClock
) -> None:
    fo, fo_csrf = desk
    ticket_id = to_serving(queue)
    queue.identify(ticket_id, 1, actor="test", name="Budi Santoso", nik=VALID_NIK, phone=PHONE)
    queue.detail(ticket_id, 1, actor="test", text="Tunjangan profesi belum cair")
    freed = follow(fo, act(fo, fo_csrf, ticket_id, "escalate", note="Perlu cek SIMTUN"))
    assert "A-001 diteruskan ke Back Office. Loket kembali siap." in freed
    assert "Kasus dari loket ini di Back Office" in freed

    bo, bo_csrf = as_role("back_office")
    inbox = text(bo.get("/back-office"))
    assert "Kotak masuk: diteruskan Front Office (1)" in inbox and "Perlu cek SIMTUN" in inbox
    assert "Bertugas di <strong>Back Office</strong>" in inbox  # the only one: chosen for you
    clock.advance(minutes=4)
    assert re.search(r'class="timer overdue"[^>]*>Langkah 11', text(bo.get("/back-office/live")))

    case = follow(bo, post(bo, bo_csrf, f"/back-office/cases/{ticket_id}/take"))
    assert "Kasus A-001 diambil oleh Back Office." in case
    # The case's issue time in the one date format (the test clock: 25 Nov 2026, 09.00 WIB).
    assert "<dt>Diterbitkan</dt><dd>25 November 2026 09.00</dd>" in case
    assert "Langkah 12 · Kajian Back Office: kembalikan jawaban" in case
    empty = post(bo, bo_csrf, f"/back-office/cases/{ticket_id}/resolve", form="resolve", answer="")
    assert empty.status_code == 422 and "Jawaban wajib diisi." in text(empty)
    back = follow(
        bo, post(bo, bo_csrf, f"/back-office/cases/{ticket_id}/resolve", answer="Cair bulan depan")
    )
    assert "Jawaban kasus A-001 dikembalikan ke Front Office." in back
    assert "Jawaban siap, menunggu Front Office (1)" in back

    # The card at the top of the counter page (issue 14).
    returned = text(fo.get("/counter/returned/live"))
    assert "Kasus kembali dari Back Office: jawaban siap (1)" in returned
    assert "Cair bulan depan" in returned
    follow(fo, act(fo, fo_csrf, ticket_id, "explain", mode="indirect"))
    follow(fo, act(fo, fo_csrf, ticket_id, "finish", outcome="resolved", survey_invited="1"))
    steps = [(e["kind"], e["sop_step"], e["actor"]) for e in events_of(db, ticket_id)][5:]
    assert steps == [
        ("escalated", 10, FO), ("taken", 11, BO), ("resolved", 12, BO),
        ("explained", 15, FO), ("finished", 16, FO),
    ]  # fmt: skip


def test_forward_to_a_main_unit_and_its_disposition(
    as_role, desk, queue: Queue, db: sqlite_utils.Database
) -> None:
    ticket_id = to_escalated(queue)
    bo, bo_csrf = as_role("back_office")
    post(bo, bo_csrf, f"/back-office/cases/{ticket_id}/take")
    before = event_count(db)
    bad = post(
        bo, bo_csrf, f"/back-office/cases/{ticket_id}/forward", form="forward", unit="", note="x"
    )
    assert bad.status_code == 422 and "Unit utama &#39;&#39; tidak dikenal." in text(bad)
    assert event_count(db) == before
    sent = follow(
        bo,
        post(bo, bo_csrf, f"/back-office/cases/{ticket_id}/forward", unit="2", note="Mohon arahan"),
    )
    assert "Kasus A-001 diteruskan ke Tim Kerja Penjaminan Mutu." in sent

    unit, unit_csrf = as_role("unit")
    listing = text(unit.get("/back-office"))
    assert "Unit utama: kasus yang diteruskan" in listing and "Kotak masuk" not in listing
    assert "Catat disposisi A-001" in listing
    case = text(unit.get(f"/back-office/cases/{ticket_id}"))
    assert (
        "Mohon arahan" in case
        and "Langkah 13 · Koordinasi dengan unit utama: catat disposisi" in case
    )
    done = follow(
        unit,
        post(
            unit,
            unit_csrf,
            f"/back-office/cases/{ticket_id}/directions",
            disposition="Proses ulang",
        ),
    )
    assert "Disposisi kasus A-001 dicatat" in done
    ticket = queue.ticket(ticket_id)
    assert ticket.state == sop.DISPOSITION_RECEIVED and ticket.disposition == "Proses ulang"
    assert events_of(db, ticket_id)[-1] == {
        "kind": "directions", "actor": USERS["unit"], "sop_step": 14,
    }  # fmt: skip
    # The case left the unit: the unit no longer opens it.
    assert unit.get(f"/back-office/cases/{ticket_id}").status_code == 403
    # SOP 14: the back office passes it on to the front office, timed as step 14.
    case = text(bo.get(f"/back-office/cases/{ticket_id}"))
    assert "Sampaikan ke Front Office" in case and "Langkah 14 · Disposisi diteruskan" in case
    relayed = follow(
        bo, post(bo, bo_csrf, f"/back-office/cases/{ticket_id}/relay", note="Sudah dicek")
    )
    assert "Disposisi kasus A-001 disampaikan" in relayed
    ticket = queue.ticket(ticket_id)
    assert (ticket.state, ticket.relay_note) == (sop.ANSWER_READY, "Sudah dicek")
    assert events_of(db, ticket_id)[-1] == {
        "kind": "relayed", "actor": USERS["back_office"], "sop_step": 14,
    }  # fmt: skip


def test_the_back_office_only_opens_escalated_cases(as_role, queue: Queue) -> None:
    ticket = queue.issue("A", actor="kiosk").ticket
    bo, _ = as_role("back_office")
    assert bo.get(f"/back-office/cases/{ticket.id}").status_code == 404
    assert bo.get("/back-office/cases/999").status_code == 404


# ------------------------------------------------------------------------------ masking


def test_nik_and_phone_are_masked_outside_the_case_view(as_role, desk, queue: Queue) -> None:
    ticket_id = to_escalated(queue)
    bo, _ = as_role("back_office")
    listing = text(bo.get("/back-office"))
    assert MASKED_NIK in listing and VALID_NIK not in listing and PHONE not in listing
    case = text(bo.get(f"/back-office/cases/{ticket_id}"))
    assert VALID_NIK in case and PHONE in case  # the case view of a role handling it

    # Another front-office counter sees a returned case of Loket 1 masked; Loket 1 whole.
    queue.take(ticket_id, 3, actor="test")
    queue.resolve(ticket_id, 3, actor="test", text="Jawaban")
    other, other_csrf = as_role("front_office")
    post(other, other_csrf, "/counter/choose", counter="2")
    # The returned cases' card at the top of the counter page (issue 14).
    foreign = text(other.get("/counter/returned/live"))
    assert "A-001" in foreign and PHONE not in foreign and "*********890" in foreign
    fo, _ = desk
    assert PHONE in text(fo.get("/counter/returned/live"))

    # The receptionist never sees it whole.
    reception, _ = as_role("receptionist")
    shown = text(reception.get(f"/reception?tiket={ticket_id}"))
    assert VALID_NIK not in shown and PHONE not in shown

    # The unit sees a case in full only while it is with a unit.
    unit, _ = as_role("unit")
    assert unit.get(f"/back-office/cases/{ticket_id}").status_code == 403
    listing = text(unit.get("/back-office/live"))
    assert VALID_NIK not in listing


# ------------------------------------------------------------------------------ roles matrix


def test_action_roles_drive_the_page_permissions(app: Flask) -> None:
    """The pages read the one table of who may do what (admin.actions.ACTION_ROLES)."""
    roles = {endpoint: app.view_functions[endpoint].roles for endpoint, _, _ in page_routes(app)}
    assert roles["pages.reception.issue"] == ACTION_ROLES["issue"]
    assert roles["pages.counter.call_next"] == ACTION_ROLES["call"]
    assert roles["pages.back_office.take"] == ACTION_ROLES["take"]
    assert roles["pages.back_office.disposition"] == ACTION_ROLES["disposition"]


def test_finishing_without_the_survey_shows_no_qr(desk, queue: Queue) -> None:
    client, csrf = desk
    ticket_id = to_serving(queue)
    queue.answer(
        ticket_id, 1, actor="test", kind="excepted", text="Informasi dikecualikan", exemption="h"
    )
    follow(client, act(client, csrf, ticket_id, "explain", mode="direct"))
    done = follow(
        client,
        act(
            client,
            csrf,
            ticket_id,
            "finish",
            outcome="unresolved",
            incomplete_reason="no_identity_document",
        ),
    )
    assert "Layanan A-001 selesai." in done and "survey-qr.png" not in done
    finished = queue.ticket(ticket_id)
    assert finished.state == sop.DONE and finished.outcome == "unresolved"


def test_the_printer_check_reads_the_owners_record_not_the_device(
    as_role, db: sqlite_utils.Database, print_owner
) -> None:
    client, csrf = as_role("receptionist")
    refused = post(client, csrf, "/reception/printer-check")
    assert refused.status_code == 409 and "tidak berjalan" in text(refused)  # no owner yet
    print_owner()  # its first check records the (preview) printer ready
    shown = follow(client, post(client, csrf, "/reception/printer-check"))
    assert "Keadaan printer: Siap mencetak." in flashes(shown, "success")


def test_every_timed_step_has_one_name_for_timers_and_headings() -> None:
    """The forms' headings and the live timers read the same names (admin/messages.py),
    one per timed step of ult.steps.STEP_TABLE; a heading names the step its action closes."""
    from admin.messages import PAGES
    from admin.pages.common import step_title
    from ult.steps import STEP_TABLE

    for step in STEP_TABLE:
        if not step.waiting:
            assert PAGES[f"step_{step.number}"], step.number
    assert step_title(13, "catat disposisi unit utama") == (
        "Langkah 13 · Koordinasi dengan unit utama: catat disposisi unit utama"
    )
    assert step_title(10, "teruskan ke Back Office", "9b–10").startswith("Langkah 9b–10 · ")


def test_only_an_information_request_asks_purpose_and_pasal_17(desk, queue: Queue, db) -> None:
    """UU 14/2008 applies to information requests (service A): a complaint's counter page
    has no purpose-of-use field and no Pasal 17 ground, and the queue refuses them."""
    client, csrf = desk
    complaint = to_serving(queue, "B")
    page = text(client.get("/counter"))
    assert "Tujuan penggunaan informasi" not in page and "Pasal 17" not in page
    before = event_count(db)
    for action, data, message in (
        ("detail", {"detail": "Aduan", "purpose": "Penelitian"}, "Tujuan penggunaan informasi"),
        ("answer", {"kind": "excepted", "answer": "Tidak", "exemption": "h"}, "Dasar pengecuali"),
    ):
        refused = act(client, csrf, complaint, action, **data)
        assert refused.status_code == 422 and message in text(refused), action
        assert "hanya untuk permohonan informasi publik (layanan A)" in text(refused)
    assert event_count(db) == before
    # An excepted answer to a complaint needs no ground (9a applies to every service).
    follow(client, act(client, csrf, complaint, "answer", kind="excepted", answer="Ditolak"))
    answered = queue.ticket(complaint)
    assert (answered.answer_kind, answered.exemption_ground) == ("excepted", None)
    queue.explain(complaint, 1, actor="test", mode="direct")
    queue.finish(
        complaint, 1, actor="test", outcome="unresolved", incomplete_reason="no_identity_document"
    )

    request = to_serving(queue, "A")
    page = text(client.get("/counter"))
    assert "Tujuan penggunaan informasi" in page and "Pasal 17 huruf" in page
    no_ground = act(client, csrf, request, "answer", kind="excepted", answer="Tidak")
    assert no_ground.status_code == 422 and "wajib disertai dasar" in text(no_ground)
    follow(client, act(client, csrf, request, "answer", kind="excepted", answer="Tidak",
                       exemption="h"))  # fmt: skip
    assert queue.ticket(request).exemption_ground == "h"
