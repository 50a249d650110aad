"""Admin app fixtures: the app over a real SQLite file, one account per role, logged-in
clients with their CSRF token."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlite_utils
from flask import Flask
from flask.testing import FlaskClient
from gpiozero.pins.mock import MockFactory

from admin import create_app
from kiosk.button import ButtonDaemon
from kiosk.requests import PrintOutcome
from tests.printing import wait_for_outcome
from ult import accounts
from ult.clock import FakeClock
from ult.queue import Queue
from ult.settings import Settings

PASSWORD = "rahasia-123"
"""Every test account's password."""

USERS = {role: f"{role.replace('_', '')}1" for role in accounts.ROLES}
"""One account per role: ``{role: username}``."""


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """One account per role per test with scrypt (~0.2 s each on this machine) would make
    the admin suite slow; these tests are about the app, the hash is tested in
    tests/ult/test_accounts.py."""
    from werkzeug.security import generate_password_hash

    monkeypatch.setattr(
        accounts,
        "generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"),
    )


@pytest.fixture
def app(settings: Settings, db: sqlite_utils.Database, clock: FakeClock) -> Iterator[Flask]:
    for role, username in USERS.items():
        accounts.add_user(db, username, PASSWORD, role)
    # The main-unit account belongs to every main unit (issue 11: an unbound one sees nothing).
    accounts.set_units(db, USERS["unit"], [r[0] for r in db.execute("SELECT id FROM main_units")])
    application = create_app(settings, clock=clock, config={"TESTING": True})
    yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page's meta tag."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def login(client: FlaskClient, role: str) -> str:
    """Log ``client`` in as the account of ``role``; return the session's CSRF token."""
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"username": USERS[role], "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return csrf_token(client, "/login")


@pytest.fixture
def as_role(app: Flask) -> Iterator:
    """``as_role(role)`` → a fresh client logged in as that role, and its CSRF token."""

    def make(role: str) -> tuple[FlaskClient, str]:
        client = app.test_client()
        return client, login(client, role)

    yield make


@pytest.fixture
def bearer(db: sqlite_utils.Database) -> Iterator:
    """``bearer(role)`` → headers carrying a fresh API token of that role."""

    def make(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {accounts.create_token(db, f'test-{role}', role)}"}

    yield make


@pytest.fixture
def app_queue(queue: Queue) -> Queue:
    """The queue over the same database the app uses (writes seen by both)."""
    return queue


@pytest.fixture
def print_owner(
    settings: Settings, clock: FakeClock, daemons: Callable[..., ButtonDaemon]
) -> Callable[..., ButtonDaemon]:
    """``print_owner(output=None, settings=None)``: the printer's owner (``ult kiosk``'s
    worker, on mock pins) run in this process for the app's print requests, with the test's
    clock; stopped at the end of the test."""

    def start(output: Any = None, settings_: Settings | None = None) -> ButtonDaemon:
        return daemons(
            settings_ or settings, pin_factory=MockFactory(), output=output, queue_clock=clock
        )

    return start


def outcome(db: sqlite_utils.Database, request: int) -> PrintOutcome:
    """The owner's answer to print request ``request`` (waits up to 10 s)."""
    found = wait_for_outcome(db, request, timeout=10)
    assert found is not None, f"print request {request} got no answer"
    return found
