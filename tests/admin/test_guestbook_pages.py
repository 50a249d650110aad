"""The guest book on the staff side (issue 11 §1): a known document only pre-fills, a differing
name is confirmed before saving (counter, reception, API), and the guest-book page lists the
visits of a period, searchable, masked per role."""

from __future__ import annotations

import html
from datetime import timedelta

import sqlite_utils

from admin.actions import ACTION_ROLES
from tests.admin import test_api, test_pages
from tests.admin.test_api import assert_error
from tests.admin.test_pages import (
    MASKED_NIK,
    PHONE,
    VALID_NIK,
    act,
    flashes,
    follow,
    post,
    text,
    to_serving,
)
from ult import accounts
from ult.clock import FakeClock
from ult.queue import Queue

SIM = "123456789012"

desk = test_pages.desk
token_api = test_api.token_api


def known_budi(queue: Queue) -> int:
    """A finished-at-the-desk visit of Budi Santoso with his NIK, phone and institution."""
    first = to_serving(queue, "B")
    queue.identify(
        first,
        1,
        actor="test",
        name="Budi Santoso",
        nik=VALID_NIK,
        phone=PHONE,
        institution="SMAN 1 Medan",
        address="Jl. Mawar 1",
    )
    queue.cancel(first, actor="test", reason="selesai", counter=1)
    return first


def names(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT name FROM visits ORDER BY id")]


# ---------------------------------------------------------------------- counter page


def test_counter_prefills_from_the_last_visit_and_saves_nothing(
    desk, queue: Queue, db: sqlite_utils.Database
) -> None:
    client, csrf = desk
    known_budi(queue)
    ticket_id = to_serving(queue)
    before = db.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    page = act(
        client,
        csrf,
        ticket_id,
        "identify/prefill",
        form="identify",
        document_kind="ktp",
        document_number="1271-0112-0190-0001",
    )
    assert page.status_code == 200
    shown = text(page)
    assert 'value="Budi Santoso"' in shown and 'value="SMAN 1 Medan"' in shown
    assert f'value="{VALID_NIK}"' in shown and f'value="{PHONE}"' in shown
    assert any(
        "Formulir diisi dari kunjungan terakhir (25 November 2026, " in f
        for f in flashes(shown, "info")
    )
    assert names(db) == ["Budi Santoso"]  # nothing saved
    # Nothing but the audit entry of Budi's earlier visit shown (UU 27/2022, issue 13).
    after = list(db.query("SELECT kind, ticket_id, payload FROM events WHERE id > ?", (before,)))
    assert [(e["kind"], e["ticket_id"]) for e in after] == [("personal_data_viewed", None)]
    assert "Budi" not in after[0]["payload"] and VALID_NIK not in after[0]["payload"]

    unknown = text(
        act(client, csrf, ticket_id, "identify/prefill", form="identify",
            document_kind="sim", document_number=SIM)
    )  # fmt: skip
    assert "belum pernah tercatat" in unknown
    bad = text(
        act(client, csrf, ticket_id, "identify/prefill", form="identify",
            document_kind="ktp", document_number="12")
    )  # fmt: skip
    assert "NIK harus 16 angka" in bad
    empty = text(
        act(client, csrf, ticket_id, "identify/prefill", form="identify",
            document_kind="ktp", document_number="  ")
    )  # fmt: skip
    assert "NIK wajib diisi." in empty


def test_counter_warns_when_the_name_differs_and_saves_once_confirmed(
    desk, queue: Queue, db: sqlite_utils.Database
) -> None:
    client, csrf = desk
    first = known_budi(queue)
    ticket_id = to_serving(queue)
    typed = {"form": "identify", "name": "Ahmad Lubis", "document_number": VALID_NIK}
    refused = act(client, csrf, ticket_id, "identify", **typed)
    assert refused.status_code == 409
    page = text(refused)
    assert 'id="name-differs"' in page and "<strong>Budi Santoso</strong>" in page
    assert 'name="confirm_name_change"' in page and 'value="Ahmad Lubis"' in page
    assert names(db) == ["Budi Santoso"]
    # Without the warning the box is not offered.
    assert 'name="confirm_name_change"' not in text(client.get("/counter"))
    done = follow(
        client, act(client, csrf, ticket_id, "identify", confirm_name_change="1", **typed)
    )
    assert "Identitas pengunjung A-001 dicatat." in done
    assert names(db) == ["Budi Santoso", "Ahmad Lubis"]
    earlier = db.execute("SELECT name, phone FROM visits WHERE ticket_id = ?", (first,))
    assert tuple(earlier.fetchone()) == ("Budi Santoso", PHONE)


def test_counter_records_information_request_fields(
    desk, queue: Queue, db: sqlite_utils.Database
) -> None:
    client, csrf = desk
    ticket_id = to_serving(queue)
    follow(
        client,
        act(client, csrf, ticket_id, "identify", form="identify", name="Sari",
            document_kind="paspor", document_number="c 1234567", address="Jl. Melati 2",
            occupation="Peneliti", acting_for="1", represents_name="Universitas X",
            letter_type="surat_tugas", letter_number="55/UX/2026", letter_date="2026-11-20"),
    )  # fmt: skip
    visit = db.execute(
        "SELECT document_kind, document_number, address, occupation, represents_name, "
        "letter_date FROM visits"
    ).fetchone()
    assert tuple(visit) == (
        "paspor",
        "C1234567",
        "Jl. Melati 2",
        "Peneliti",
        "Universitas X",
        "2026-11-20",
    )
    # The letter's day as people read it in the guest book (its number masked here).
    book = text(client.get("/buku-tamu"))
    assert " · 20 November 2026</span>" in book and "2026-11-20" not in book
    follow(client, act(client, csrf, ticket_id, "detail", detail="Data guru", purpose="Riset"))
    no_ground = act(client, csrf, ticket_id, "answer", form="answer", kind="excepted",
                    answer="Tidak dapat diberikan")  # fmt: skip
    assert no_ground.status_code == 422
    assert "wajib disertai dasar pengecualiannya" in text(no_ground)
    assert "h. mengungkap rahasia pribadi" in text(no_ground)
    follow(
        client,
        act(client, csrf, ticket_id, "answer", form="answer", kind="excepted",
            answer="Tidak dapat diberikan", exemption="h", exemption_note="Data pribadi"),
    )  # fmt: skip
    ticket = queue.ticket(ticket_id)
    assert (ticket.information_purpose, ticket.exemption_ground, ticket.exemption_note) == (
        "Riset",
        "h",
        "Data pribadi",
    )


# ---------------------------------------------------------------------- reception page


def test_reception_warns_when_the_name_differs(as_role, queue: Queue, db) -> None:
    known_budi(queue)
    ticket = queue.issue("A", actor="kiosk").ticket
    client, csrf = as_role("receptionist")
    path = f"/reception/tickets/{ticket.id}/visitor"
    prefilled = text(post(client, csrf, f"{path}/prefill", form="visitor",
                          document_kind="ktp", document_number=VALID_NIK))  # fmt: skip
    assert 'value="Budi Santoso"' in prefilled and 'value="Jl. Mawar 1"' in prefilled
    typed = {"form": "visitor", "name": "Ahmad Lubis", "document_number": VALID_NIK}
    refused = post(client, csrf, path, **typed)
    assert refused.status_code == 409 and "<strong>Budi Santoso</strong>" in text(refused)
    assert names(db) == ["Budi Santoso"]
    done = follow(client, post(client, csrf, path, confirm_name_change="1", **typed))
    assert "Data pengunjung tiket A-001 disimpan." in done
    assert names(db) == ["Budi Santoso", "Ahmad Lubis"]


# ---------------------------------------------------------------------- API


def test_api_name_differs_is_a_conflict_with_the_stored_name(token_api, queue: Queue, db) -> None:
    known_budi(queue)
    ticket_id = to_serving(queue)
    api = token_api("front_office")
    body = {"counter": 1, "name": "Ahmad Lubis", "nik": "1271 0112 0190 0001"}
    refused = api.post(f"/api/v1/tickets/{ticket_id}/identify", body)
    assert_error(refused, 409, "name_differs")
    assert "Budi Santoso" in refused.json["message"]
    assert names(db) == ["Budi Santoso"]
    saved = api.post(f"/api/v1/tickets/{ticket_id}/identify", {**body, "confirm_name_change": True})
    assert saved.status_code == 200, saved.json
    assert saved.json["visitor"]["name"] == "Ahmad Lubis"
    assert saved.json["visitor"]["nik"] == VALID_NIK
    assert names(db) == ["Budi Santoso", "Ahmad Lubis"]
    wrong_flag = api.post(
        f"/api/v1/tickets/{ticket_id}/identify", {**body, "confirm_name_change": "ya"}
    )
    assert wrong_flag.status_code == 422


def test_api_latest_visit_prefills(token_api, queue: Queue) -> None:
    known_budi(queue)
    api = token_api("receptionist")
    found = api.get(f"/api/v1/visits/latest?document_number={VALID_NIK[:4]}.{VALID_NIK[4:]}")
    assert found.status_code == 200
    visit = found.json["visit"]
    assert (visit["name"], visit["phone"], visit["label"]) == ("Budi Santoso", PHONE, "B-001")
    none = api.get(f"/api/v1/visits/latest?document_kind=sim&document_number={SIM}")
    assert none.status_code == 200 and none.json == {"visit": None}
    assert_error(api.get("/api/v1/visits/latest?document_number=12"), 422, "nik_invalid")
    assert_error(
        api.get("/api/v1/visits/latest?document_kind=x&document_number=12"),
        422,
        "document_kind_invalid",
    )
    assert token_api("back_office").get("/api/v1/visits/latest?document_number=1").status_code == (
        403
    )


# ---------------------------------------------------------------------- the guest-book page


def _visits_over_days(queue: Queue, clock: FakeClock) -> list[str]:
    days = []
    people = [("Budi Santoso", VALID_NIK, "SMAN 1 Medan"), ("Sari Dewi", None, "Dinas Kota")]
    for name, nik, institution in people:
        days.append(queue.today().isoformat())
        ticket_id = to_serving(queue)
        if nik:
            queue.identify(ticket_id, 1, actor="test", name=name, nik=nik, phone=PHONE,
                           institution=institution, address="Jl. Mawar 1")  # fmt: skip
        else:
            queue.identify(ticket_id, 1, actor="test", name=name, document_kind="sim",
                           document_number=SIM, institution=institution)  # fmt: skip
        queue.cancel(ticket_id, actor="test", reason="x", counter=1)
        clock.advance(days=1)
    return days


def test_guestbook_page_lists_searches_and_masks_per_role(
    as_role, queue: Queue, clock: FakeClock
) -> None:
    days = _visits_over_days(queue, clock)
    period = f"/buku-tamu?dari={days[0]}&sampai={days[1]}"
    supervisor, _ = as_role("supervisor")
    page = text(supervisor.get(period))
    assert page.index("Sari Dewi") < page.index("Budi Santoso")  # newest first
    # Days in the one date format (issue 14): the test clock's 25 and 26 November 2026.
    assert days == ["2026-11-25", "2026-11-26"]
    assert 'Buku tamu <span class="muted">· 25 November 2026 s.d. 26 November 2026' in page
    assert "<td>25 November 2026</td>" in page and "<td>26 November 2026</td>" in page
    table = page.split("<table", 1)[1]
    assert "2026-11-2" not in table  # no ISO day where people read
    assert 'value="2026-11-25"' in page  # the date inputs keep their machine format
    assert VALID_NIK in page and PHONE in page and "Jl. Mawar 1" in page and SIM in page
    assert "Buku tamu" in text(supervisor.get("/buku-tamu"))
    only = text(supervisor.get(f"{period}&cari=dinas"))
    assert "Sari Dewi" in only and "Budi Santoso" not in only
    by_number = text(supervisor.get(f"{period}&cari=1271.0112"))
    assert "Budi Santoso" in by_number and "Sari Dewi" not in by_number
    first_day = text(supervisor.get(f"/buku-tamu?dari={days[0]}"))
    assert "Budi Santoso" in first_day and "Sari Dewi" not in first_day

    for role in ("front_office", "back_office", "receptionist"):
        client, _ = as_role(role)
        masked = text(client.get(period))
        assert "Budi Santoso" in masked and MASKED_NIK in masked, role
        assert VALID_NIK not in masked and PHONE not in masked and "Jl. Mawar" not in masked
        assert SIM not in masked and "disamarkan" in masked
        # A masked reader finds a visit by its whole number only (no digit-guessing oracle).
        whole = text(client.get(f"{period}&cari={VALID_NIK[:4]}.{VALID_NIK[4:]}"))
        assert "Budi Santoso" in whole and "Sari Dewi" not in whole, role
        for part in ("1271.0112", VALID_NIK[:-1]):
            assert "Budi Santoso" not in text(client.get(f"{period}&cari={part}")), (role, part)
    for role in set(accounts.ROLES) - set(ACTION_ROLES["guestbook"]):
        client, _ = as_role(role)
        assert client.get(period).status_code == 403, role


def test_guestbook_page_refuses_bad_queries_in_indonesian(as_role, queue: Queue) -> None:
    client, _ = as_role("supervisor")
    today = queue.today()
    cases = {
        "?dari=kemarin": "Tanggal 'kemarin' tidak valid",
        f"?dari={today}&sampai={today - timedelta(days=1)}": "sesudah tanggal akhir",
        f"?dari={today - timedelta(days=800)}&sampai={today}": "Rentang paling panjang",
        "?layanan=Z": "Layanan 'Z' tidak dikenal",
        "?cari=" + "x" * 101: "paling banyak 100 karakter",
    }
    for query, message in cases.items():
        response = client.get(f"/buku-tamu{query}")
        assert response.status_code == 422, query
        assert message in html.unescape(text(response)), query


def test_guestbook_is_in_the_navigation_of_its_roles(as_role) -> None:
    supervisor, _ = as_role("supervisor")
    assert 'href="/buku-tamu"' in text(supervisor.get("/buku-tamu"))
    technician, _ = as_role("technician")
    assert 'href="/buku-tamu"' not in text(technician.get("/"))
