"""Login, sessions, throttling, CSRF, security headers and error shapes."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin.auth import ACCOUNT_DELAYS, ADDRESS_DELAYS, FORGET_S, Delays, GuessThrottle
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


class Throttled:
    """The app's login throttles on an injected clock (seconds), with the per-account pause
    recorded instead of slept."""

    def __init__(self, app: Flask) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        app.extensions["ult_login_throttle"] = GuessThrottle(ACCOUNT_DELAYS, clock=self.clock)
        app.extensions["ult_address_throttle"] = GuessThrottle(ADDRESS_DELAYS, clock=self.clock)
        app.extensions["ult_login_sleep"] = self.slept.append

    def clock(self) -> float:
        return self.now


def _login_from(app: Flask, address: str, role: str, password: str) -> Any:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf_token(client)
    form = {"username": USERS[role], "password": password, "csrf_token": token}
    return client.post("/login", data=form)


def test_wrong_password_then_throttled(app: Flask) -> None:
    throttled = Throttled(app)
    for _ in range(ADDRESS_DELAYS.free + 1):
        bad = _login_from(app, "10.0.0.9", "front_office", "x" * 9)
        assert bad.status_code == 401
        assert "Nama pengguna atau kata sandi salah." in bad.get_data(as_text=True)
    # Even the right password is refused from this address until its delay has passed...
    blocked = _login_from(app, "10.0.0.9", "front_office", PASSWORD)
    assert blocked.status_code == 429
    assert "Coba lagi dalam 1 detik" in blocked.get_data(as_text=True)
    # ...but not from the officer's own PC, and not here once the second has passed.
    assert _login_from(app, "10.0.0.5", "front_office", PASSWORD).status_code == 302
    throttled.now += 1
    assert _login_from(app, "10.0.0.9", "front_office", PASSWORD).status_code == 302


def test_a_stranger_cannot_lock_the_supervisor_out(app: Flask) -> None:
    throttled = Throttled(app)
    for attempt in range(200):
        # One guess per address (a LAN of spoofed addresses), or one address waiting out
        # every delay: both are only slowed.
        address = f"10.1.{attempt // 250}.{attempt % 250}"
        assert _login_from(app, address, "supervisor", f"tebakan-{attempt}").status_code == 401
    assert _login_from(app, "10.0.0.2", "supervisor", PASSWORD).status_code == 302
    # The account's pause grew from the fifth try and stayed small: never a refusal.
    free = ACCOUNT_DELAYS.free + 1  # the first try and the free failures
    assert throttled.slept[:free] == [0.0] * free
    assert throttled.slept[free : free + 5] == [
        0.25,
        0.5,
        1.0,
        2.0,
        2.0,
    ]
    assert max(throttled.slept) == ACCOUNT_DELAYS.cap
    # The right password forgot the account's failures: the next login is not slowed.
    _login_from(app, "10.0.0.2", "supervisor", PASSWORD)
    assert throttled.slept[-1] == 0.0


def test_one_address_guessing_waits_longer_and_longer(app: Flask) -> None:
    throttled = Throttled(app)
    waits = []
    for attempt in range(12):
        response = _login_from(app, "10.0.0.66", "unit", f"tebakan-{attempt}")
        assert response.status_code == 401
        wait = app.extensions["ult_address_throttle"].wait("addr:10.0.0.66")
        waits.append(wait)
        refused = _login_from(app, "10.0.0.66", "unit", PASSWORD)
        assert refused.status_code == (429 if wait else 302)
        if not wait:
            # Logged in: that proves nothing about guessing; start over as a guesser.
            continue
        throttled.now += wait
    assert waits == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 30, 30]


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
    for _ in range(ADDRESS_DELAYS.free):
        form = {"username": USERS["front_office"], "password": "x" * 9, "csrf_token": token}
        assert client.post("/login", data=form).status_code == 401
    colleague = {"username": USERS["receptionist"], "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=colleague).status_code == 302


def test_a_disabled_user_loses_the_session(app: Flask, client: FlaskClient, db) -> None:
    from ult import accounts

    login(client, "receptionist")
    accounts.disable_user(db, USERS["receptionist"])
    assert client.get("/").headers["Location"].endswith("/login")


def test_throttle_delays_double_up_to_the_cap_and_are_forgotten() -> None:
    now = [0.0]
    throttle = GuessThrottle(Delays(free=2, first=1.0, cap=5.0), clock=lambda: now[0])
    delays = []
    for _ in range(6):
        throttle.failed("addr:1")
        delays.append(throttle.delay("addr:1"))
    assert delays == [0, 0, 1, 2, 4, 5]
    assert throttle.wait("addr:1") == 5 and throttle.delay("addr:2") == 0
    now[0] = 3
    assert throttle.wait("addr:1") == 2
    now[0] = FORGET_S + 1
    assert throttle.delay("addr:1") == 0 and throttle.wait("addr:1") == 0
    throttle.failed("user:a")
    throttle.failed("user:a")
    throttle.failed("user:a")
    throttle.succeeded("user:a")
    assert throttle.delay("user:a") == 0


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
