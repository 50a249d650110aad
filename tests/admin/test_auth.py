"""Login, sessions, throttling, CSRF, security headers and error shapes."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin.auth import LOGIN_MAX_FAILURES, LoginThrottle
from admin.security import CONTENT_SECURITY_POLICY
from tests.admin.conftest import PASSWORD, USERS, csrf_token, login


def test_login_page_is_indonesian_and_secure(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nama pengguna" in page and "Kata sandi" in page
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in page and " style=" not in page  # nothing inline for the CSP


def test_fresh_install_login_page_says_how_to_make_the_first_supervisor(settings, tmp_path) -> None:
    from admin import create_app
    from ult.catalog import apply_catalog
    from ult.store import connect

    database = connect(settings.store.database)
    apply_catalog(database, settings)
    database.close()
    page = create_app(settings).test_client().get("/login").get_data(as_text=True)
    assert "ult user add NAMA --role supervisor" in page


def test_login_sets_an_httponly_samesite_cookie_and_logout_ends_it(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = client.post(
        "/login", data={"username": USERS["supervisor"], "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    token = csrf_token(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").headers["Location"].endswith("/login")


def test_wrong_password_then_throttled(client: FlaskClient) -> None:
    token = csrf_token(client)
    for _ in range(LOGIN_MAX_FAILURES):
        bad = client.post(
            "/login",
            data={"username": USERS["front_office"], "password": "x" * 9, "csrf_token": token},
        )
        assert bad.status_code == 401
        assert "Nama pengguna atau kata sandi salah." in bad.get_data(as_text=True)
    # Even the right password is refused while throttled.
    blocked = client.post(
        "/login",
        data={"username": USERS["front_office"], "password": PASSWORD, "csrf_token": token},
    )
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan masuk" in blocked.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client: FlaskClient) -> None:
    response = client.post("/login", data={"username": USERS["supervisor"], "password": PASSWORD})
    assert response.status_code == 400
    assert "Formulir kedaluwarsa" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "/\t/evil.example", "/\n/evil.example", "/\\evil.example", "http://e.x/"],
)
def test_next_only_goes_to_a_local_path(app: Flask, target: str) -> None:
    client = app.test_client()
    token = csrf_token(client)
    form = {"username": USERS["supervisor"], "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data={**form, "next": target})
    assert response.headers["Location"] == "/"
    again = app.test_client()
    token = csrf_token(again)
    kept = again.post("/login", data={**form, "csrf_token": token, "next": "/counter?x=1"})
    assert kept.headers["Location"] == "/counter?x=1"


def test_one_persons_typos_do_not_lock_the_shared_pc(client: FlaskClient) -> None:
    token = csrf_token(client)
    for _ in range(LOGIN_MAX_FAILURES):
        form = {"username": USERS["front_office"], "password": "x" * 9, "csrf_token": token}
        assert client.post("/login", data=form).status_code == 401
    colleague = {"username": USERS["receptionist"], "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=colleague).status_code == 302


def test_a_disabled_user_loses_the_session(app: Flask, client: FlaskClient, db) -> None:
    from ult import accounts

    login(client, "receptionist")
    accounts.disable_user(db, USERS["receptionist"])
    assert client.get("/").headers["Location"].endswith("/login")


def test_throttle_window_slides() -> None:
    now = [0.0]
    throttle = LoginThrottle(window_s=60, limit=2, clock=lambda: now[0])
    throttle.failed("user:a", "addr:1")
    throttle.failed("user:a", "addr:1")
    assert throttle.blocked_for("user:a") == 60
    assert throttle.blocked_for("user:b", "addr:1") == 60  # same address, other name
    now[0] = 61
    assert throttle.blocked_for("user:a", "addr:1") == 0


def test_unknown_api_path_is_json_and_unknown_page_is_html(client: FlaskClient) -> None:
    api = client.get("/api/v1/nothing")
    assert api.status_code == 404 and api.json["error"] == "not_found" and api.json["message"]
    page = client.get("/nothing")
    assert page.status_code == 404 and "tidak ditemukan" in page.get_data(as_text=True)


def test_logout_makes_a_copied_session_cookie_useless(app: Flask) -> None:
    client = app.test_client()
    login(client, "front_office")
    stolen = client.get_cookie("ult_session").value
    token = csrf_token(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    other = app.test_client()
    other.set_cookie("ult_session", stolen)
    assert other.get("/").headers["Location"].endswith("/login")
    login(other, "front_office")  # logging in again works
    assert not other.get("/").headers["Location"].endswith("/login")


def test_a_form_from_a_tab_left_open_after_logout_leads_to_the_login(client: FlaskClient) -> None:
    token = login(client, "front_office")
    client.post("/logout", data={"csrf_token": token})
    stale = client.post("/counter/call-next", data={"csrf_token": token, "counter_id": "1"})
    assert stale.status_code == 302 and stale.headers["Location"].endswith("/login")
    assert "Sesi Anda berakhir" in client.get("/login").get_data(as_text=True)
