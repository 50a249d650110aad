"""Supervisor pages: who may open them, the catalog editor, accounts and tokens, the
running text and the day overview (Flask test client over a real SQLite file)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlite_utils
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from kiosk.owner import hold_owner
from tests.admin.conftest import PASSWORD, USERS, csrf_token
from ult import accounts, catalog, queries
from ult.cli import main as ult
from ult.queue import Queue
from ult.settings import Settings

GET_ROUTES = ["/supervisor/catalog", "/supervisor/accounts"]
"""Pages only the supervisor may open."""
OVERVIEW_ROUTES = ["/supervisor/", "/supervisor/overview/live"]
"""Pages the supervisor, the technician and the head of office may open."""
POST_ROUTES: list[tuple[str, dict[str, Any]]] = [
    ("/supervisor/running-text", {"text": "Selamat datang"}),
    ("/supervisor/catalog/services", {"letter": "E", "name": "Legalisir"}),
    ("/supervisor/catalog/services/B", {"name": "Aduan", "active": "1"}),
    ("/supervisor/catalog/counters", {"name": "Loket 9", "kind": "front_office", "services": "A"}),
    ("/supervisor/catalog/counters/1", {"name": "Loket Satu", "kind": "front_office",
                                        "services": ["A", "B", "C", "D"], "active": "1"}),
    ("/supervisor/catalog/units", {"name": "Tim Humas", "active": "1"}),
    ("/supervisor/catalog/units/1", {"name": "Bagian Umum dan Humas", "active": "1"}),
    ("/supervisor/accounts/users", {"username": "baru1", "role": "unit",
                                    "password": "sandi-baru-1", "password_again": "sandi-baru-1"}),
    ("/supervisor/accounts/users/unit1/units", {"units": ["1", "2"]}),
    ("/supervisor/accounts/users/unit1/disable", {}),
    ("/supervisor/accounts/users/unit1/enable", {}),
    ("/supervisor/accounts/users/unit1/role", {"role": "back_office"}),
    ("/supervisor/accounts/users/unit1/password", {"password": "sandi-baru-1",
                                                   "password_again": "sandi-baru-1"}),
    ("/supervisor/accounts/users/unit1/profile", {"full_name": "Rudi Hartono",
                                                  "nip": "198203152006041002", "position": "Kasi"}),
    ("/supervisor/accounts/tokens", {"name": "tablet lobi", "role": "receptionist"}),
    ("/supervisor/accounts/tokens/1/revoke", {}),
]  # fmt: skip
"""Every change a supervisor can make, with a valid form."""


def snapshot(db: sqlite_utils.Database) -> dict[str, list]:
    """Everything a supervisor page can change."""
    tables = (
        "services",
        "topics",
        "counters",
        "counter_services",
        "main_units",
        "users",
        "user_units",
        "api_tokens",
        "meta",
        "events",
    )
    return {t: [tuple(r) for r in db.execute(f"SELECT * FROM {t} ORDER BY 1, 2")] for t in tables}


def post(client: FlaskClient, token: str, path: str, data: dict[str, Any] | None = None):
    return client.post(path, data={"csrf_token": token, **(data or {})})


def text(response) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------------------ who may


@pytest.mark.parametrize("path", GET_ROUTES + OVERVIEW_ROUTES)
def test_supervisor_opens_every_page(as_role, path: str) -> None:
    client, _ = as_role("supervisor")
    response = client.get(path)
    assert response.status_code == 200, text(response)
    assert "<script>" not in text(response) and " style=" not in text(response)


@pytest.mark.parametrize("role", [r for r in USERS if r != "supervisor"])
def test_other_roles_get_403_and_change_nothing(as_role, db, role: str) -> None:
    accounts.create_token(db, "papan", "technician")
    client, token = as_role(role)
    for path in GET_ROUTES:
        assert client.get(path).status_code == 403, (role, path)
    for path in OVERVIEW_ROUTES:
        # The head of office (issue 11) reads the overview too, and changes nothing.
        expected = 200 if role in ("technician", "kepala") else 403
        assert client.get(path).status_code == expected, (role, path)
    before = snapshot(db)
    for path, data in POST_ROUTES:
        response = post(client, token, path, data)
        assert response.status_code == 403, (role, path, response.status_code)
        assert "tidak berwenang" in text(response)
    assert snapshot(db) == before


def test_anonymous_is_sent_to_the_login_page(app: Flask, db) -> None:
    client = app.test_client()
    for path in GET_ROUTES + OVERVIEW_ROUTES:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    token = csrf_token(client)  # a session, but no login
    before = snapshot(db)
    for path, data in POST_ROUTES:
        response = post(client, token, path, data)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    assert snapshot(db) == before


def test_every_change_works_for_the_supervisor(as_role, db) -> None:
    accounts.create_token(db, "papan", "technician")
    client, token = as_role("supervisor")
    for path, data in POST_ROUTES:
        response = post(client, token, path, data)
        assert response.status_code in (200, 303), (path, response.status_code, text(response))


def test_a_post_without_csrf_token_is_refused(as_role, db) -> None:
    client, _ = as_role("supervisor")
    before = snapshot(db)
    response = client.post("/supervisor/running-text", data={"text": "x"})
    assert response.status_code == 400 and "Formulir kedaluwarsa" in text(response)
    assert snapshot(db) == before


def test_navigation_shows_the_supervisor_pages(as_role) -> None:
    client, _ = as_role("supervisor")
    page = text(client.get("/supervisor/"))
    for label in ("Ringkasan hari ini", "Layanan dan loket", "Akun dan token"):
        assert label in page
    technician, _ = as_role("technician")
    page = text(technician.get("/supervisor/"))
    assert "Ringkasan hari ini" in page and "Akun dan token" not in page
    assert "Teks berjalan" not in page  # the running text form is the supervisor's


# ------------------------------------------------------------------------------ overview


def test_overview_counts_per_service_and_counter(as_role, app_queue: Queue) -> None:
    for letter in "AAB":
        app_queue.issue(letter, actor="resepsionis")
    app_queue.call_next("Loket 1", actor="fo")
    client, _ = as_role("technician")
    live = text(client.get("/supervisor/overview/live"))
    row_a = re.search(r"A · Layanan Informasi</th>(.*?)</tr>", live, re.S).group(1)
    assert re.findall(r'class="num">(\d+)<', row_a) == ["1", "1", "0", "0"]
    loket = re.search(r"Loket 1</th>(.*?)</tr>", live, re.S).group(1)
    assert "A-001" in loket and "dipanggil" in loket
    assert re.findall(r'class="num">(\d+)<', loket) == ["2", "0"]  # A-002 and B-001 wait
    page = text(client.get("/supervisor/"))
    assert 'id="overview-live"' in page and "/api/v1/board/events" in page
    assert "supervisor.js" in page and "live.js" in page


def test_overview_says_nobody_prints_while_the_kiosk_is_stopped(
    as_role, app_queue: Queue, settings: Settings
) -> None:
    """The printer line tells the truth: the recorded state means nothing while no
    ``ult kiosk`` (the printer's owner) runs."""
    app_queue.record_printer_state("ready", actor="kiosk")
    client, _ = as_role("supervisor")
    printer_line = re.compile(r"Printer tiket: <strong class=\"([^\"]*)\">([^<]*)<")
    stopped = printer_line.search(text(client.get("/supervisor/overview/live")))
    assert stopped.groups() == ("bad", "layanan printer (ult-kiosk) tidak berjalan")
    with hold_owner(settings):
        running = printer_line.search(text(client.get("/supervisor/overview/live")))
    assert running.groups() == ("", "Siap mencetak")


# ------------------------------------------------------------------------------ running text


def test_running_text_reaches_the_board_as_the_supervisors(as_role, db, app: Flask) -> None:
    client, token = as_role("supervisor")
    response = post(client, token, "/supervisor/running-text", {"text": "  Istirahat 12.00  "})
    assert response.status_code == 303
    assert queries.board_state(db)["running_text"] == "Istirahat 12.00"
    event = queries.events_after(db, 0)[-1]
    assert (event.kind, event.actor) == ("running_text", USERS["supervisor"])
    assert "Istirahat 12.00" in text(app.test_client().get("/board"))
    assert "Teks berjalan papan panggilan diperbarui." in text(client.get("/supervisor/"))
    before = snapshot(db)
    data = {"form": "running_text", "text": "x" * 201}
    refused = post(client, token, "/supervisor/running-text", data)
    assert refused.status_code == 422 and "paling banyak 200 karakter" in text(refused)
    assert 'value="' + "x" * 201 in text(refused)  # what was typed is kept
    assert snapshot(db) == before
    cleared = post(client, token, "/supervisor/running-text", {"text": ""})
    assert cleared.status_code == 303 and queries.running_text(db) == ""


# ------------------------------------------------------------------------------ catalog


def test_catalog_edits_change_the_store_and_record_who(as_role, db) -> None:
    client, token = as_role("supervisor")
    assert catalog.catalog_source(db) == catalog.SOURCE_SETTINGS
    page = text(client.get("/supervisor/catalog"))
    assert "mengikuti berkas pengaturan" in page
    ids = dict(db.execute("SELECT name, id FROM counters").fetchall())
    form = {"letter": "e", "name": "Legalisir Ijazah", "topics": "SD\r\nSMP\r\n\r\nSMA"}
    form |= {"active": "1", "counters": str(ids["Loket 1"])}
    response = post(client, token, "/supervisor/catalog/services", form)
    assert response.status_code == 303
    assert queries.service_names(db)["E"] == "Legalisir Ijazah"
    topics = [r[0] for r in db.execute("SELECT name FROM topics WHERE service = 'E' ORDER BY id")]
    assert topics == ["SD", "SMP", "SMA"]
    assert catalog.catalog_source(db) == catalog.SOURCE_ADMIN
    event = queries.events_after(db, 0)[-1]
    assert event.kind == "catalog_changed" and event.actor == USERS["supervisor"]
    assert event.payload["changes"] == [
        "Layanan E (Legalisir Ijazah) ditambahkan.",
        "Topik 'SD' pada layanan E ditambahkan.",
        "Topik 'SMP' pada layanan E ditambahkan.",
        "Topik 'SMA' pada layanan E ditambahkan.",
        "Loket 1 sekarang melayani: A, B, C, D, E.",
    ]
    # Loket 2 now takes only A and E; B..D stay with Loket 1.
    data = {"name": "Loket 2", "kind": "front_office", "services": ["A", "E"], "active": "1"}
    response = post(client, token, f"/supervisor/catalog/counters/{ids['Loket 2']}", data)
    assert response.status_code == 303
    served = db.execute(
        "SELECT service FROM counter_services WHERE counter_id = ? ORDER BY service",
        (ids["Loket 2"],),
    ).fetchall()
    assert [r[0] for r in served] == ["A", "E"]
    page = text(client.get("/supervisor/catalog"))
    assert "Katalog dikelola di halaman ini" in page and USERS["supervisor"] in page
    assert "Loket 2 sekarang melayani: A, E." in page  # the flash of the last change
    # The counter page of the front office offers the new service at once.
    assert queries.counter_queue(db, ids["Loket 2"]) == []


def test_an_active_service_without_a_counter_is_refused(as_role, db) -> None:
    client, token = as_role("supervisor")
    before = snapshot(db)
    response = post(
        client,
        token,
        "/supervisor/catalog/services",
        {"letter": "E", "name": "Legalisir", "active": "1"},
    )
    assert response.status_code == 409
    assert "Layanan E tidak akan dilayani loket Front Office" in text(response)
    assert snapshot(db) == before
    # Inactive, it may wait for its counter.
    response = post(
        client, token, "/supervisor/catalog/services", {"letter": "E", "name": "Legalisir"}
    )
    assert response.status_code == 303


SERVICES = "/supervisor/catalog/services"
COUNTERS = "/supervisor/catalog/counters"
UNITS = "/supervisor/catalog/units"
ON = {"active": "1"}
FO = {"kind": "front_office"}
BAD_CATALOG = [
    (SERVICES, {"letter": "AB", "name": "X"}, 422, "satu huruf A sampai Z"),
    (SERVICES, {"letter": "5", "name": "X"}, 422, "satu huruf A sampai Z"),
    (SERVICES, {"letter": "A", "name": "X"}, 409, "sudah dipakai layanan"),
    (SERVICES, {"letter": "E", "name": ""}, 422, "Nama layanan wajib diisi"),
    (SERVICES + "/A", {"name": "x" * 61, **ON}, 422, "paling banyak 60"),
    (SERVICES + "/A", {"name": "Dua\nbaris", **ON}, 422, "karakter kontrol"),
    (SERVICES + "/A", {"name": "I", "topics": "Dapodik\ndapodik", **ON}, 422, "lebih dari sekali"),
    (SERVICES + "/A", {"name": "I", "topics": "t" * 61, **ON}, 422, "Topik paling banyak 60"),
    (SERVICES + "/Z", {"name": "Info", **ON}, 404, "tidak dikenal"),
    (COUNTERS, {"name": "loket 1", **FO, "services": "A"}, 409, "sudah ada"),
    (COUNTERS, {"name": "Loket 9", **FO}, 422, "paling sedikit satu layanan"),
    (COUNTERS, {"name": "Loket 9", "kind": "kasir", "services": "A"}, 422, "Jenis loket"),
    (
        COUNTERS,
        {"name": "Loket 9", **FO, "services": "Q"},
        422,
        "Layanan &#39;Q&#39; tidak dikenal",
    ),
    (COUNTERS, {"name": "L" * 41, "kind": "back_office"}, 422, "paling banyak 40"),
    (COUNTERS + "/99", {"name": "Loket 9", "kind": "back_office"}, 404, "tidak dikenal"),
    (UNITS, {"name": "bagian umum", **ON}, 409, "sudah ada"),
    (UNITS, {"name": "u" * 81, **ON}, 422, "paling banyak 80"),
]
"""Catalog forms the supervisor gets wrong: path, form, status, part of the message."""


@pytest.mark.parametrize(("path", "data", "status", "message"), BAD_CATALOG)
def test_bad_catalog_input_is_refused_in_indonesian_and_changes_nothing(
    as_role, db, path: str, data: dict, status: int, message: str
) -> None:
    client, token = as_role("supervisor")
    before = snapshot(db)
    response = post(client, token, path, data)
    assert response.status_code == status, text(response)
    assert message in text(response)
    assert snapshot(db) == before


def test_the_last_counter_of_a_service_cannot_be_disabled(as_role, db) -> None:
    client, token = as_role("supervisor")
    # Loket 2 alone serves A..D after Loket 1 is disabled; then Loket 2 cannot go.
    ids = dict(db.execute("SELECT name, id FROM counters").fetchall())
    every = ["A", "B", "C", "D"]
    data = {"name": "Loket 1", "kind": "front_office", "services": every}
    assert (
        post(client, token, f"/supervisor/catalog/counters/{ids['Loket 1']}", data).status_code
        == 303
    )
    before = snapshot(db)
    data = {"name": "Loket 2", "kind": "front_office", "services": every}
    response = post(client, token, f"/supervisor/catalog/counters/{ids['Loket 2']}", data)
    assert response.status_code == 409 and "tidak akan dilayani" in text(response)
    assert snapshot(db) == before


def test_a_counter_holding_a_ticket_keeps_its_kind_and_stays_active(
    as_role, db, app_queue: Queue
) -> None:
    app_queue.issue("A", actor="resepsionis")
    app_queue.call_next("Loket 1", actor="fo")
    client, token = as_role("supervisor")
    loket1 = db.execute("SELECT id FROM counters WHERE name = 'Loket 1'").fetchone()[0]
    before = snapshot(db)
    for data in (
        {"name": "Loket 1", "kind": "front_office", "services": ["A", "B", "C", "D"]},
        {"name": "Loket 1", "kind": "back_office", "active": "1"},
    ):
        response = post(client, token, f"/supervisor/catalog/counters/{loket1}", data)
        assert response.status_code == 409 and "sedang menangani A-001" in text(response)
    assert snapshot(db) == before


def test_main_units_are_added_renamed_and_disabled(as_role, db) -> None:
    client, token = as_role("supervisor")
    assert (
        post(
            client, token, "/supervisor/catalog/units", {"name": "Tim Humas", "active": "1"}
        ).status_code
        == 303
    )
    unit = db.execute("SELECT id FROM main_units WHERE name = 'Tim Humas'").fetchone()[0]
    response = post(
        client, token, f"/supervisor/catalog/units/{unit}", {"name": "Tim Hubungan Masyarakat"}
    )
    assert response.status_code == 303
    assert db.execute("SELECT name, active FROM main_units WHERE id = ?", (unit,)).fetchone() == (
        "Tim Hubungan Masyarakat",
        0,
    )


def test_saving_an_unchanged_entry_records_nothing(as_role, db) -> None:
    client, token = as_role("supervisor")
    before = snapshot(db)
    data = {"name": "Pengaduan", "active": "1"}
    response = post(client, token, "/supervisor/catalog/services/B", data)
    assert response.status_code == 303
    assert "Tidak ada yang berubah." in text(client.get("/supervisor/catalog"))
    assert snapshot(db) == before


def _init(settings: Settings, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setenv("ULT_HOME", str(settings.home))
    monkeypatch.delenv("ULT_CONFIG", raising=False)
    result = CliRunner().invoke(ult, ["--config", str(settings.source), "init", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_ult_init_keeps_the_supervisors_catalog_until_apply_catalog(
    as_role, db, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, token = as_role("supervisor")
    response = post(
        client, token, "/supervisor/catalog/services/B", {"name": "Aduan Masyarakat", "active": "1"}
    )
    assert response.status_code == 303
    output = _init(settings, monkeypatch)
    assert "dikelola supervisor di halaman admin" in output and "--apply-catalog" in output
    assert USERS["supervisor"] in output
    assert queries.service_names(db)["B"] == "Aduan Masyarakat"
    assert catalog.catalog_source(db) == catalog.SOURCE_ADMIN
    output = _init(settings, monkeypatch, "--apply-catalog")
    assert "Layanan B (Pengaduan) diperbarui." in output
    assert queries.service_names(db)["B"] == "Pengaduan"
    assert catalog.catalog_source(db) == catalog.SOURCE_SETTINGS
    event = queries.events_after(db, 0)[-1]
    assert event.kind == "catalog_changed" and event.payload["source"] == "settings"
    assert event.actor.startswith("cli")
    # The file is the truth again: a plain init applies it, and says nothing of the page.
    assert "dikelola supervisor" not in _init(settings, monkeypatch)


# ------------------------------------------------------------------------------ accounts


def test_users_are_added_disabled_enabled_and_their_password_reset(as_role, app: Flask, db) -> None:
    client, token = as_role("supervisor")
    response = post(
        client,
        token,
        "/supervisor/accounts/users",
        {
            "username": "rina",
            "role": "front_office",
            "password": "sandi-rina-1",
            "password_again": "sandi-rina-1",
        },
    )
    assert response.status_code == 303
    assert accounts.verify_password(db, "rina", "sandi-rina-1").role == "front_office"
    assert "Akun &#39;rina&#39; (Front Office) dibuat." in text(client.get("/supervisor/accounts"))

    # Rina logs in; disabling her ends her session at its next request.
    rina = app.test_client()
    login_token = csrf_token(rina)
    rina.post(
        "/login", data={"username": "rina", "password": "sandi-rina-1", "csrf_token": login_token}
    )
    assert rina.get("/").status_code == 302 and "/login" not in rina.get("/").headers["Location"]
    assert post(client, token, "/supervisor/accounts/users/rina/disable").status_code == 303
    assert accounts.get_user(db, "rina").active is False
    assert "/login" in rina.get("/").headers["Location"]
    assert accounts.verify_password(db, "rina", "sandi-rina-1") is None

    assert post(client, token, "/supervisor/accounts/users/rina/enable").status_code == 303
    data = {"password": "sandi-baru-99", "password_again": "sandi-baru-99"}
    assert post(client, token, "/supervisor/accounts/users/rina/password", data).status_code == 303
    assert accounts.verify_password(db, "rina", "sandi-rina-1") is None
    assert accounts.verify_password(db, "rina", "sandi-baru-99") is not None
    response = post(client, token, "/supervisor/accounts/users/rina/role", {"role": "back_office"})
    assert response.status_code == 303 and accounts.get_user(db, "rina").role == "back_office"


USERS_PATH = "/supervisor/accounts/users"
TOKENS = "/supervisor/accounts/tokens"


def _new_user(username: str, role: str, password: str, again: str | None = None) -> dict:
    return {
        "username": username,
        "role": role,
        "password": password,
        "password_again": again or password,
    }


BAD_ACCOUNTS = [
    (USERS_PATH, _new_user("Rina Sari", "unit", "sandi-rina-1"), 422, "Nama pengguna harus"),
    (USERS_PATH, _new_user("rina", "unit", "pendek"), 422, "paling sedikit 8"),
    (USERS_PATH, _new_user("rina", "unit", "sandi-rina-1", "sandi-rina-2"), 422, "tidak sama"),
    (USERS_PATH, _new_user("rina", "raja", "sandi-rina-1"), 422, "Peran &#39;raja&#39;"),
    (USERS_PATH, _new_user("unit1", "unit", "sandi-rina-1"), 409, "sudah dipakai"),
    (USERS_PATH + "/supervisor1/disable", {}, 409, "akun Anda sendiri"),
    (USERS_PATH + "/supervisor1/role", {"role": "unit"}, 409, "akun Anda sendiri"),
    (USERS_PATH + "/siapa/disable", {}, 404, "tidak ditemukan"),
    (USERS_PATH + "/unit1/password", {"password": "pendek", "password_again": "pendek"}, 422,
     "paling sedikit 8"),
    (USERS_PATH, _new_user("rina", "supervisor", "password"), 422, "mudah ditebak"),
    (USERS_PATH + "/unit1/password", {"password": "password", "password_again": "password"}, 422,
     "10 kata sandi paling umum"),
    (USERS_PATH, {**_new_user("rina", "unit", "sandi-rina-1"), "nip": "12345"}, 422, "NIP tidak"),
    (USERS_PATH + "/unit1/profile", {"full_name": "Rudi", "nip": "198213152006041002"}, 422,
     "NIP tidak valid"),
    (USERS_PATH + "/siapa/profile", {"full_name": "Rudi"}, 404, "tidak ditemukan"),
    (TOKENS, {"name": "", "role": "unit"}, 422, "Nama token"),
    (TOKENS, {"name": "papan", "role": "root"}, 422, "tidak dikenal"),
    (TOKENS + "/77/revoke", {}, 404, "tidak ditemukan"),
]  # fmt: skip
"""Account forms the supervisor gets wrong: path, form, status, part of the message."""


@pytest.mark.parametrize(("path", "data", "status", "message"), BAD_ACCOUNTS)
def test_bad_account_input_is_refused_and_changes_nothing(
    as_role, db, path: str, data: dict, status: int, message: str
) -> None:
    client, token = as_role("supervisor")
    before = snapshot(db)
    response = post(client, token, path, data)
    assert response.status_code == status, text(response)
    assert message in text(response)
    assert snapshot(db) == before


def test_a_token_is_shown_once_and_a_revoked_one_gets_401(as_role, app: Flask, db) -> None:
    client, token = as_role("supervisor")
    response = post(
        client,
        token,
        "/supervisor/accounts/tokens",
        {"name": "tablet lobi", "role": "receptionist"},
    )
    assert response.status_code == 200
    secret = re.search(r'value="(ult_[A-Za-z0-9_-]+)"', text(response)).group(1)
    assert "Set-Cookie" not in response.headers or secret not in response.headers["Set-Cookie"]
    assert accounts.token_role(db, secret) == ("tablet lobi", "receptionist")
    listing = text(client.get("/supervisor/accounts"))
    assert "tablet lobi" in listing and secret not in listing
    device = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert device.get("/api/v1/tickets/1", headers=headers).status_code != 401
    token_id = accounts.list_tokens(db)[0].id
    response = post(client, token, f"/supervisor/accounts/tokens/{token_id}/revoke")
    assert response.status_code == 303
    assert accounts.token_role(db, secret) is None
    refused = device.get("/api/v1/tickets/1", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["error"] == "login_required"
    again = post(client, token, f"/supervisor/accounts/tokens/{token_id}/revoke")
    assert again.status_code == 409 and "sudah dicabut" in text(again)


def test_account_changes_are_written_to_the_audit_log(as_role, caplog) -> None:
    client, token = as_role("supervisor")
    with caplog.at_level("INFO", logger="admin.audit"):
        post(client, token, "/supervisor/accounts/users/unit1/disable")
    assert f"{USERS['supervisor']} disabled user unit1" in caplog.text


def test_no_password_is_ever_echoed(as_role) -> None:
    client, token = as_role("supervisor")
    data = {
        "username": "rina",
        "role": "unit",
        "password": "rahasia-sekali",
        "password_again": "beda-sekali",
    }
    response = post(client, token, "/supervisor/accounts/users", data)
    assert response.status_code == 422
    assert "rahasia-sekali" not in text(response) and PASSWORD not in text(response)


def test_officer_data_is_recorded_and_shown(as_role, db) -> None:
    client, token = as_role("supervisor")
    data = {**_new_user("rina", "front_office", "sandi-rina-1"), "full_name": "Rina Sari, S.E.",
            "nip": "19900101 201503 2 004", "position": "Pengadministrasi Umum"}  # fmt: skip
    assert post(client, token, USERS_PATH, data).status_code == 303
    rina = accounts.get_user(db, "rina")
    assert (rina.full_name, rina.nip, rina.position) == (
        "Rina Sari, S.E.",
        "199001012015032004",
        "Pengadministrasi Umum",
    )
    page = text(client.get("/supervisor/accounts"))
    assert "Rina Sari, S.E." in page and "NIP 199001012015032004" in page
    profile = {"full_name": "Rina Sari", "nip": "", "position": "Front Office"}
    response = post(client, token, USERS_PATH + "/rina/profile", profile)
    assert response.status_code == 303
    assert "Data petugas &#39;rina&#39; disimpan: Rina Sari." in text(
        client.get("/supervisor/accounts")
    )
    assert accounts.get_user(db, "rina").nip is None
    assert accounts.officer_names(db)["rina"] == "Rina Sari"


def test_the_head_of_office_lands_on_the_reports_and_acts_on_nothing(as_role) -> None:
    client, token = as_role("kepala")
    assert client.get("/").headers["Location"].endswith("/reports/")
    assert client.get("/supervisor/").status_code == 200
    for path in ("/supervisor/accounts", "/supervisor/catalog", "/counter", "/reception"):
        assert client.get(path).status_code == 403, path
    assert post(client, token, "/supervisor/running-text", {"text": "x"}).status_code == 403
