"""The supervisor's personal-data page (``/privasi``), the public privacy notice, and the
audit entries the staff pages and the API write when they show or export unmasked personal
data (UU 27/2022, issue 13 §3). Flask test client over a real SQLite file."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
import sqlite_utils

from admin.actions import ACTION_ROLES
from tests.admin import test_api, test_pages
from tests.admin.test_pages import PHONE, VALID_NIK, act, flashes, post, text, to_serving
from ult import accounts
from ult.queue import Queue

OTHER_NIK = "3273015205850002"

desk = test_pages.desk
token_api = test_api.token_api


def budi(queue: Queue) -> int:
    """A finished visit of Budi Santoso (NIK, phone, institution); its ticket id."""
    ticket_id = to_serving(queue, "B")
    queue.identify(
        ticket_id,
        1,
        actor="test",
        name="Budi Santoso",
        nik=VALID_NIK,
        phone=PHONE,
        institution="SMAN 1 Medan",
    )
    queue.cancel(ticket_id, actor="test", reason="selesai", counter=1)
    return ticket_id


def audit_events(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return [
        {**r, "payload": json.loads(r["payload"])}
        for r in db.query(
            "SELECT kind, actor, ticket_id, payload FROM events "
            "WHERE kind LIKE 'personal_data_%' OR kind = 'visits_purged' ORDER BY id"
        )
    ]


def no_personal_data(events: list[dict[str, Any]]) -> None:
    shown = json.dumps(events)
    for secret in ("Budi", VALID_NIK, PHONE, "SMAN"):
        assert secret not in shown


# ---------------------------------------------------------------------- roles


def test_only_the_supervisor_reaches_the_privacy_page(as_role, queue: Queue) -> None:
    assert ACTION_ROLES["privacy"] == ("supervisor",)
    budi(queue)
    for role in accounts.ROLES:
        client, csrf = as_role(role)
        page = client.get("/privasi")
        if role == "supervisor":
            assert page.status_code == 200 and "Data pribadi" in text(page)
            assert 'href="/privasi"' in text(page)  # the nav entry
        else:
            export = post(client, csrf, "/privasi/ekspor", nomor=VALID_NIK)
            erase = post(client, csrf, "/privasi/hapus", nomor=VALID_NIK, konfirmasi="1")
            assert (page.status_code, export.status_code, erase.status_code) == (403, 403, 403)
            assert 'href="/privasi"' not in text(client.get("/"))
    # Refused: nothing erased, nothing recorded.
    assert queue.db.execute("SELECT name FROM visits").fetchone()[0] == "Budi Santoso"
    assert audit_events(queue.db) == []
    anonymous = as_role("supervisor")[0].application.test_client()
    assert "/login" in anonymous.get("/privasi").headers["Location"]


def test_a_bad_or_unknown_number_gets_an_indonesian_message_and_changes_nothing(
    as_role, queue: Queue
) -> None:
    budi(queue)
    client, csrf = as_role("supervisor")
    before = queue.db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    for path in ("/privasi/ekspor", "/privasi/hapus"):
        empty = post(client, csrf, path, nomor=" ")
        assert empty.status_code == 422
        assert "Isi nomor identitas" in text(empty)
        impossible = post(client, csrf, path, nomor="1271011213900001")  # month 13
        assert impossible.status_code == 422 and "bulan" in text(impossible).lower()
        garbage = post(client, csrf, path, nomor="<script>")
        assert garbage.status_code == 422 and "Nomor identitas tidak valid" in text(garbage)
        unknown = post(client, csrf, path, nomor=OTHER_NIK)
        assert unknown.status_code == 404
        assert "Tidak ada kunjungan yang menyimpan nomor identitas ini" in text(unknown)
    assert queue.db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before
    refused = client.get("/privasi?dari=kemarin")
    assert refused.status_code == 422 and "tidak valid" in text(refused)
    assert client.get("/privasi?halaman=0").status_code == 422
    assert client.get("/privasi?jenis=issued").status_code == 422


# ---------------------------------------------------------------------- access and erasure


def test_the_supervisor_exports_one_identity_as_a_file(as_role, queue: Queue) -> None:
    ticket_id = budi(queue)
    client, csrf = as_role("supervisor")
    response = post(client, csrf, "/privasi/ekspor", nomor="1271 0112 0190 0001")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = json.loads(response.get_data())
    (visit,) = body["visits"]
    assert (visit["name"], visit["document_number"], visit["phone"]) == (
        "Budi Santoso",
        VALID_NIK,
        PHONE,
    )
    assert [e["kind"] for e in body["events"]] == [
        "issued",
        "called",
        "started",
        "identified",
        "cancelled",
    ]
    (event,) = audit_events(queue.db)
    assert event["kind"] == "personal_data_exported" and event["actor"] == "supervisor1"
    assert event["payload"] == {"what": "access_request", "visits": 1, "events": 5}
    no_personal_data([event])
    # The audit list shows it, without the number.
    page = text(client.get("/privasi"))
    assert "Permintaan akses (berkas JSON)" in page and "1 kunjungan" in page
    assert VALID_NIK not in page
    assert ticket_id


def erase_rows(page: str) -> list[list[str]]:
    """The cells of the erasure confirmation's visits, row by row."""
    table = re.search(r'<table class="guestbook-table erase-visits">(.*?)</table>', page, re.S)
    assert table is not None
    body = table.group(1).split("<tbody>")[1]
    return [
        [html.unescape(cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_erasure_asks_to_confirm_then_erases_and_keeps_the_figures(as_role, queue: Queue) -> None:
    db = queue.db
    budi(queue)
    ticket_id = to_serving(queue, "A")
    queue.identify(
        ticket_id, 1, actor="test", name="Budi S.", nik=VALID_NIK, confirm_name_change=True
    )
    queue.cancel(ticket_id, actor="test", reason="selesai", counter=1)
    steps = list(db.query("SELECT * FROM step_records ORDER BY rowid"))
    client, csrf = as_role("supervisor")
    ask = post(client, csrf, "/privasi/hapus", nomor=VALID_NIK)
    assert ask.status_code == 200
    page = text(ask)
    assert "Hapus identitas 2 kunjungan?" in page and "1271**********01" in page
    # The visits to check against the person: day (Wednesday 25 November 2026, the test
    # clock's business day), ticket, service, name, institution; oldest first.
    assert erase_rows(page) == [
        ["25 November 2026", "B-001", "B · Pengaduan", "Budi Santoso", "SMAN 1 Medan"],
        ["25 November 2026", "A-001", "A · Layanan Informasi", "Budi S.", "-"],
    ]
    assert VALID_NIK not in page.replace(f'value="{VALID_NIK}"', "")  # only the form's echo
    # The confirmation sent without its tick: said so in Indonesian, the visits again.
    unticked = post(client, csrf, "/privasi/hapus", nomor=VALID_NIK, langkah="konfirmasi")
    assert unticked.status_code == 422
    shown = text(unticked)
    assert "Belum ada yang dihapus" in html.unescape(shown)
    assert len(erase_rows(shown)) == 2
    assert [r[0] for r in db.execute("SELECT name FROM visits ORDER BY id")] == [
        "Budi Santoso",
        "Budi S.",
    ]
    assert audit_events(db) == []

    done = post(client, csrf, "/privasi/hapus", nomor=VALID_NIK, konfirmasi="1")
    assert done.status_code == 302
    landed = text(client.get(done.headers["Location"]))
    assert any("Identitas 2 kunjungan telah dihapus" in f for f in flashes(landed, "info"))
    rows = db.execute("SELECT name, document_number, phone, erased_at FROM visits").fetchall()
    assert [r[:3] for r in rows] == [("", "", None)] * 2 and all(r[3] for r in rows)
    assert list(db.query("SELECT * FROM step_records ORDER BY rowid")) == steps
    (event,) = audit_events(db)
    assert (event["kind"], event["payload"]) == (
        "personal_data_erased",
        {"what": "erasure_request", "count": 2},
    )
    assert "Dihapus atas permintaan" in landed
    # The audit list's time: the office's local time (09.00 WIB is 02.00 UTC), in Indonesian.
    assert '<td class="when">25 November 2026 09.00.00</td>' in landed
    assert "2026-11-25" not in landed.split('class="guestbook-table audit-table"')[1]


def test_an_erased_visit_reads_dihapus_in_the_guest_book(as_role, queue: Queue) -> None:
    budi(queue)
    kept = to_serving(queue, "A")
    queue.identify(kept, 1, actor="test", name="Siti Aminah", nik=OTHER_NIK)
    supervisor, csrf = as_role("supervisor")
    post(supervisor, csrf, "/privasi/hapus", nomor=VALID_NIK, konfirmasi="1")
    day = queue.today().isoformat()
    for role in ("front_office", "supervisor"):
        client, _ = as_role(role)
        page = text(client.get("/buku-tamu"))
        assert page.count("(dihapus)") == 2, role  # the name and the document number
        assert "*" * 16 not in page and "Budi" not in page
        assert "Siti Aminah" in page
    # The report's guest-book section, as exported: the same words in the same columns.
    csv_text = text(supervisor.get(f"/api/v1/reports/guestbook?format=csv&from={day}&to={day}"))
    erased = next(line for line in csv_text.splitlines() if "B-001" in line)
    assert erased.count("(dihapus)") == 2 and "SMAN" not in erased
    rows = supervisor.get(f"/api/v1/reports/guestbook?from={day}&to={day}").get_json()["rows"]
    (gone,) = [r for r in rows if r["label"] == "B-001"]
    assert (gone["name"], gone["document_number"], gone["phone"]) == (
        "(dihapus)",
        "(dihapus)",
        None,
    )


# ---------------------------------------------------------------------- audit hooks


def test_the_guest_book_records_one_view_per_page_for_the_supervisor_only(
    as_role, queue: Queue
) -> None:
    budi(queue)
    budi(queue)
    day = queue.today().isoformat()
    client, _ = as_role("front_office")
    assert client.get("/buku-tamu").status_code == 200
    assert audit_events(queue.db) == []  # masked: nothing to record
    client, _ = as_role("supervisor")
    assert VALID_NIK in text(client.get("/buku-tamu"))
    assert client.get("/buku-tamu?cari=budi").status_code == 200
    first, searched = audit_events(queue.db)
    assert first["kind"] == "personal_data_viewed" and first["actor"] == "supervisor1"
    assert first["payload"] == {
        "what": "guestbook_page",
        "period": [day, day],
        "search": False,
        "service": None,
        "rows": 2,
    }
    assert searched["payload"]["search"] is True
    no_personal_data([first, searched])


def test_report_exports_of_personal_sections_are_recorded(as_role, queue: Queue) -> None:
    budi(queue)
    day = queue.today().isoformat()
    client, _ = as_role("supervisor")
    for query in (f"format=csv&from={day}&to={day}", f"from={day}&to={day}"):
        assert client.get(f"/api/v1/reports/guestbook?{query}").status_code == 200
    assert client.get(f"/api/v1/reports/summary?from={day}&to={day}").status_code == 200
    assert client.get(f"/api/v1/reports/steps?format=xlsx&from={day}&to={day}").status_code == 200
    events = audit_events(queue.db)
    assert [(e["kind"], e["payload"]["what"], e["payload"]["format"]) for e in events] == [
        ("personal_data_exported", "report_export:guestbook", "csv"),
        ("personal_data_exported", "report_export:guestbook", "json"),
        ("personal_data_exported", "report_export:steps", "xlsx"),
    ]
    assert all(e["payload"]["period"] == [day, day] for e in events)
    no_personal_data(events)
    # The head of office reads the aggregate sections only: nothing personal, nothing recorded.
    kepala, _ = as_role("kepala")
    assert kepala.get(f"/api/v1/reports/all?from={day}&to={day}").status_code == 200
    assert len(audit_events(queue.db)) == 3


def test_the_prefill_api_and_form_record_whose_visit_was_shown(
    desk, token_api, queue: Queue
) -> None:
    known = budi(queue)
    api = token_api("front_office")
    found = api.client.get(
        f"/api/v1/visits/latest?document_number={VALID_NIK}", headers=api.headers
    )
    assert found.get_json()["visit"]["name"] == "Budi Santoso"
    none = api.client.get(f"/api/v1/visits/latest?document_number={OTHER_NIK}", headers=api.headers)
    assert none.get_json() == {"visit": None}
    client, csrf = desk
    serving = to_serving(queue)
    act(
        client,
        csrf,
        serving,
        "identify/prefill",
        form="identify",
        document_kind="ktp",
        document_number=VALID_NIK,
    )
    by_api, by_form = audit_events(queue.db)
    assert by_api["actor"] == "token:test-front_office"
    assert by_api["payload"] == {"what": "prefill_api", "ticket_id": known}
    assert by_form["payload"] == {
        "what": "prefill_page",
        "ticket_id": known,
        "for_ticket": serving,
    }
    no_personal_data([by_api, by_form])


def test_a_case_seen_from_outside_is_recorded_the_own_case_is_not(
    desk, as_role, queue: Queue
) -> None:
    client, csrf = desk
    serving = to_serving(queue)
    act(
        client,
        csrf,
        serving,
        "identify",
        form="identify",
        document_kind="ktp",
        document_number=VALID_NIK,
        name="Budi Santoso",
        phone=PHONE,
    )
    # The officer at Loket 1 serves the case: their own page and API view are not recorded.
    assert "Budi Santoso" in text(client.get("/counter"))
    assert client.get(f"/api/v1/tickets/{serving}").get_json()["personal_data"] == "full"
    assert audit_events(queue.db) == []
    # The supervisor reads the case from outside: recorded, with the ticket.
    supervisor, _ = as_role("supervisor")
    detail = supervisor.get(f"/api/v1/tickets/{serving}").get_json()
    assert detail["personal_data"] == "full"
    (event,) = audit_events(queue.db)
    assert event["actor"] == "supervisor1" and event["payload"] == {
        "what": "ticket_api",
        "ticket_id": serving,
    }
    # A ticket without a visit shows nothing personal: nothing recorded.
    other = queue.issue("A", actor="r").ticket
    supervisor.get(f"/api/v1/tickets/{other.id}")
    assert len(audit_events(queue.db)) == 1
    # The audit list filters by user and kind, and names the ticket.
    page = text(supervisor.get("/privasi?pengguna=supervisor1&jenis=personal_data_viewed"))
    assert "API detail tiket" in page and "A-001" in page
    assert "API detail tiket" not in text(supervisor.get("/privasi?pengguna=orang.lain"))


# ---------------------------------------------------------------------- the notice


@pytest.mark.parametrize("path", ["/privasi/pemberitahuan"])
def test_the_notice_is_public_and_says_what_the_law_asks(app, path: str) -> None:
    page = app.test_client().get(path)
    assert page.status_code == 200
    shown = text(page)
    settings = app.config["ULT_SETTINGS"].privacy
    for part in (
        settings.purpose,
        settings.protection_officer,
        f"{settings.retention_days} hari",
        "Pasal 20 ayat (2) huruf e",
        "pelayanan publik",
        "salinan",
        "penghapusan",
        "3×24 jam",
        # Who sees what, as ACTION_ROLES["guestbook"] and ["guestbook_personal"] decide.
        "Petugas yang melayani Anda",
        "kepala kantor melihat nama, instansi, pekerjaan dan pihak yang Anda wakili di buku tamu",
        "tampil tersamar bagi mereka",
        "tanpa samaran hanya dapat dilihat supervisor ULT",
        "catatan petugas tentang permohonan Anda",
    ):
        assert part in shown, part
    assert "hanya dilihat petugas yang menangani" not in shown
    assert "Set-Cookie" not in page.headers


def test_the_forms_and_the_ticket_page_carry_the_short_notice(desk, as_role, queue: Queue) -> None:
    client, _ = desk
    serving = to_serving(queue)
    counter = text(client.get("/counter"))
    assert "privacy-notice" in counter and 'href="/privasi/pemberitahuan"' in counter
    assert "Nama dan instansi tampil di buku tamu bagi petugas ULT" in counter
    reception, _ = as_role("receptionist")
    waiting = queue.issue("A", actor="r").ticket
    page = text(reception.get(f"/reception?tiket={waiting.id}"))
    assert "privacy-notice" in page and 'href="/privasi/pemberitahuan"' in page
    token = queue.ticket(serving).token
    ticket = text(reception.application.test_client().get(f"/t/{token}"))
    assert "UU 27/2022" in ticket and 'href="/privasi/pemberitahuan"' in ticket


def test_the_back_office_case_is_recorded_until_the_officer_takes_it(as_role, queue: Queue) -> None:
    ticket_id = to_serving(queue)
    queue.identify(ticket_id, 1, actor="test", name="Budi Santoso", nik=VALID_NIK, phone=PHONE)
    queue.escalate(ticket_id, 1, actor="test", note="Perlu cek SIMTUN")
    bo, bo_csrf = as_role("back_office")
    assert "Back Office" in text(bo.get("/back-office"))  # the only one: sits there
    # Escalated, not yet taken: read from outside the case.
    assert PHONE in text(bo.get(f"/back-office/cases/{ticket_id}"))
    (event,) = audit_events(queue.db)
    assert event["payload"] == {"what": "back_office_case", "ticket_id": ticket_id}
    assert event["actor"] == "backoffice1"
    # Taken: the officer's own case, no entry per view.
    taken = post(bo, bo_csrf, f"/back-office/cases/{ticket_id}/take")
    assert taken.status_code == 303
    assert PHONE in text(bo.get(taken.headers["Location"]))
    assert len(audit_events(queue.db)) == 1


def test_the_access_list_shows_days_as_staff_read_them_not_iso(as_role, queue: Queue) -> None:
    """Issue 14 review: /privasi showed "2026-12-01 s.d. 2026-12-06"."""
    from datetime import timedelta

    from ult import dates

    budi(queue)
    today = queue.today()
    start = today - timedelta(days=5)
    client, _ = as_role("supervisor")
    seen = f"/buku-tamu?dari={start.isoformat()}&sampai={today.isoformat()}"
    assert client.get(seen).status_code == 200
    assert client.get("/buku-tamu").status_code == 200
    page = text(client.get("/privasi"))
    table = page[page.index("<tbody>") : page.index("</tbody>")]
    zone = queue.settings.office.tz
    assert f"{dates.date_text(start, zone)} s.d. {dates.date_text(today, zone)}" in table
    assert not re.search(r"\d{4}-\d{2}-\d{2}", table), "an ISO date in the access list"
