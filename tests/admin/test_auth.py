"""Login, sessions, throttling, CSRF, security headers and error shapes."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin.auth import (
    ACCOUNT_DELAYS,
    ADDRESS_DELAYS,
    FORGET_S,
    PASSWORD_CHECKS,
    Delays,
    GuessThrottle,
    PasswordChecks,
)
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


class SlowChecks:
    """``accounts.verify_password`` made slow (``seconds``, as scrypt on a Pi) and counting
    how many run at once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
        from ult import accounts

        self.running = self.most = 0
        self._lock = threading.Lock()
        real = accounts.verify_password

        def verify(*args: Any) -> Any:
            with self._lock:
                self.running += 1
                self.most = max(self.most, self.running)
            try:
                time.sleep(seconds)
                return real(*args)
            finally:
                with self._lock:
                    self.running -= 1

        monkeypatch.setattr(accounts, "verify_password", verify)


def _in_parallel(app: Flask, attempts: list[tuple[str, str, str]]) -> list[Any]:
    """POST every ``(address, role, password)`` login at once, one thread each."""
    clients = []
    for address, role, password in attempts:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        form = {"username": USERS[role], "password": password, "csrf_token": csrf_token(client)}
        clients.append((client, form))
    start = threading.Barrier(len(clients))
    answers: list[Any] = [None] * len(clients)

    def post(index: int) -> None:
        client, form = clients[index]
        start.wait()
        answers[index] = client.post("/login", data=form)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_parallel_logins_run_only_a_few_password_checks_at_once(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    Throttled(app)
    # Each scrypt check holds ~32 MB: 30 at once peaked `ult admin` at 1 GB on a 1 GB Pi.
    app.extensions["ult_password_checks"] = PasswordChecks(wait_s=30.0)
    checks = SlowChecks(monkeypatch, 0.1)
    answers = _in_parallel(app, [(f"10.2.0.{i}", "supervisor", f"tebakan-{i}") for i in range(12)])
    assert [answer.status_code for answer in answers] == [401] * 12
    assert checks.most == PASSWORD_CHECKS == 2


def test_a_login_that_finds_no_free_check_is_told_to_retry_and_not_charged(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    Throttled(app)
    busy = PasswordChecks(slots=1, wait_s=0.05)
    app.extensions["ult_password_checks"] = busy
    checks = SlowChecks(monkeypatch, 0.0)
    with busy.slot():
        for _ in range(ADDRESS_DELAYS.free + 3):
            refused = _login_from(app, "10.0.0.9", "supervisor", "tebakan")
            assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
            assert "percobaan masuk bersamaan" in refused.get_data(as_text=True)
    assert checks.most == 0
    # No password was tried, so neither the address nor the account was charged.
    assert app.extensions["ult_address_throttle"].delay("addr:10.0.0.9") == 0
    assert app.extensions["ult_login_throttle"].delay(f"user:{USERS['supervisor']}") == 0
    assert _login_from(app, "10.0.0.9", "supervisor", PASSWORD).status_code == 302


def test_parallel_guesses_from_one_address_meet_its_throttle(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    throttled = Throttled(app)
    app.extensions["ult_password_checks"] = PasswordChecks(wait_s=30.0)
    SlowChecks(monkeypatch, 0.05)
    guesses = [("10.0.0.66", "unit", f"tebakan-{i}") for i in range(20)]
    answers = sorted(answer.status_code for answer in _in_parallel(app, guesses))
    # The same as one by one: the free failures and the one that earns the first delay.
    tried = ADDRESS_DELAYS.free + 1
    assert answers == [401] * tried + [429] * (20 - tried)
    refused = _login_from(app, "10.0.0.66", "unit", PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    # Every attempt reached the account's count too: its pause grew as if one by one.
    assert sorted(throttled.slept) == [0.0] * 4 + [0.25, 0.5]


def test_a_right_password_takes_back_only_its_own_attempt() -> None:
    throttle = GuessThrottle(Delays(free=2, first=1.0, cap=5.0), clock=lambda: 0.0)
    assert [throttle.attempt("addr:1") for _ in range(3)] == [0, 0, 0]
    assert throttle.attempt("addr:1") == 1  # refused: counted nothing
    throttle.withdraw("addr:1")
    assert throttle.delay("addr:1") == 0 and throttle.attempt("addr:1") == 0
    assert [throttle.slow("user:a") for _ in range(5)] == [0, 0, 0, 1, 2]
    throttle.withdraw("user:a")
    assert throttle.delay("user:a") == 2
    throttle.withdraw("addr:2")  # never counted: nothing to take back
    assert throttle.delay("addr:2") == 0


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
        throttle.slow("addr:1")
        delays.append(throttle.delay("addr:1"))
    assert delays == [0, 0, 1, 2, 4, 5]
    assert throttle.wait("addr:1") == 5 and throttle.delay("addr:2") == 0
    now[0] = 3
    assert throttle.wait("addr:1") == 2
    now[0] = FORGET_S + 1
    assert throttle.delay("addr:1") == 0 and throttle.wait("addr:1") == 0
    throttle.slow("user:a")
    throttle.slow("user:a")
    throttle.slow("user:a")
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
    page = client.get("/login").get_data(as_text=True)
    # Ended by the logout in another tab, not by idling (issue 14).
    assert "Sesi Anda sudah berakhir karena Anda keluar (logout)" in page
    assert "tidak aktif" not in page


def test_a_tab_whose_live_part_reloads_after_logout_says_the_session_ended(
    client: FlaskClient,
) -> None:
    token = login(client, "front_office")
    client.post("/logout", data={"csrf_token": token})
    client.get("/login")  # the logging-out tab shows "Anda telah keluar." and is done
    # The other tab's page reloads itself (pages.js on a redirected live fetch).
    reloaded = client.get("/counter")
    assert reloaded.status_code == 302 and "/login" in reloaded.headers["Location"]
    page = client.get("/login").get_data(as_text=True)
    assert "Sesi Anda sudah berakhir karena Anda keluar (logout)" in page


def test_logging_in_again_forgets_the_logout(client: FlaskClient) -> None:
    token = login(client, "front_office")
    client.post("/logout", data={"csrf_token": token})
    assert client.get_cookie("ult_logged_out") is not None
    client.get("/login")
    token = login(client, "front_office")
    assert client.get_cookie("ult_logged_out") is None
    # Now the session ends by idling (its cookie expired): that is what the page says.
    client.delete_cookie("ult_session")
    stale = client.post("/counter/call-next", data={"csrf_token": token, "counter_id": "1"})
    assert stale.status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert "Sesi Anda berakhir karena tidak aktif" in page
    assert "keluar (logout)" not in page
