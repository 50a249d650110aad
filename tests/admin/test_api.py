"""The JSON API /api/v1: every route, the authorization matrix, CSRF, bad input that changes
nothing, the OpenAPI document, and tickets walked through the SOP's longest and shortest paths.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlite_utils
from flask import Flask
from flask.testing import FlaskClient

from admin.actions import ACTION_ROLES, TICKET_ACTIONS
from admin.api import mask_name, mask_phone
from admin.messages import API, AUTH, ERRORS, ROLE_NAMES
from printer.output import Check, Delivery, PrintFailed
from tests.admin.conftest import USERS, outcome
from ult import accounts
from ult.clock import FakeClock
from ult.errors import QueueError
from ult.messages import ERRORS as QUEUE_ERRORS
from ult.queue import Queue

VALID_NIK = "1271011201900001"  # Medan, born 12-01-1990, male, serial 0001
PHONE = "081234567890"
TEMPLATES = {**QUEUE_ERRORS, **ERRORS, **API, **AUTH}
"""Every Indonesian message template an API error can carry, by code."""


# ---------------------------------------------------------------------- helpers


class Api:
    """A test client acting as one principal: a role's session (with its CSRF header) or
    bearer token, or anonymous."""

    def __init__(
        self, client: FlaskClient, headers: dict[str, str] | None = None, actor: str = ""
    ) -> None:
        self.client = client
        self.headers = headers or {}
        self.actor = actor

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, body: Any = None, *, headers: dict[str, str] | None = None) -> Any:
        data = None if body is None else json.dumps(body)
        return self.client.post(
            path,
            data=data,
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )


@pytest.fixture
def session_api(as_role: Callable) -> Callable[[str], Api]:
    def make(role: str) -> Api:
        client, csrf = as_role(role)
        return Api(client, {"X-CSRFToken": csrf}, USERS[role])

    return make


@pytest.fixture
def token_api(app: Flask, db: sqlite_utils.Database) -> Callable[[str], Api]:
    def make(role: str) -> Api:
        token = accounts.create_token(db, f"test-{role}", role)
        return Api(app.test_client(), {"Authorization": f"Bearer {token}"}, f"token:test-{role}")

    return make


def events(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM events").fetchone()[0]


def snapshot(db: sqlite_utils.Database) -> tuple[int, list[tuple]]:
    """The event count and every ticket row: what "nothing changed" compares."""
    return events(db), db.execute("SELECT * FROM tickets ORDER BY id").fetchall()


def assert_error(response: Any, status: int, code: str) -> None:
    """The JSON error shape, with the Indonesian text of ``code``'s template."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == code, body
    template = TEMPLATES.get(code) or ERRORS["bad_request"]
    pattern = ".*".join(re.escape(part) for part in re.split(r"\{[a-z_]+\}", template))
    assert re.fullmatch(pattern, body["message"], re.DOTALL), body["message"]


def counter_id(queue: Queue, name: str) -> int:
    return queue.counter(name).id


class FakeOutput:
    """A ticket printer that answers ``state`` and fails every print when ``fail``."""

    kind = "fake"

    def __init__(self, state: str = "ready", *, fail: bool = False) -> None:
        from printer.capabilities import capabilities_for

        self.capabilities = capabilities_for("default", 58)
        self.state = state
        self.fail = fail
        self.printed: list[str] = []

    def check(self) -> Check:
        return Check(self.state, self.state not in ("offline", "paper_out", "disabled"))

    def deliver(self, layout: Any, name: str) -> Delivery:
        if self.fail:
            raise PrintFailed("timeout", "no answer")
        self.printed.append(name)
        return Delivery("printed", "confirmed")


# ---------------------------------------------------------------------- masking


def test_mask_helpers_hide_what_other_roles_must_not_see() -> None:
    assert mask_phone(PHONE) == "*********890"
    assert mask_phone("+6281234567") == "********567"
    assert mask_phone("123") == "***" and mask_phone(None) is None
    assert mask_name("Budi  Santoso") == "B*** S***" and mask_name(None) is None


# ---------------------------------------------------------------------- issue and print


def test_issue_prints_and_answers_201_with_the_ticket(
    app: Flask, token_api: Callable, db: sqlite_utils.Database, settings, print_owner: Callable
) -> None:
    print_owner()  # ult kiosk: the printer's one owner prints what the API asks for
    reception = token_api("receptionist")
    response = reception.post(
        "/api/v1/tickets", {"service": "A", "priority": False, "topic": None, "print": True}
    )
    assert response.status_code == 201, response.json
    ticket = response.json
    for key in ("id", "label", "service", "number", "state", "issued_at"):
        assert ticket[key] is not None
    assert (ticket["label"], ticket["service"], ticket["number"]) == ("A-001", "A", 1)
    assert ticket["state"] == "waiting" and ticket["waiting_ahead"] == 0
    # The answer says the print was requested; the owner's outcome follows on the log.
    assert ticket["estimated_wait_minutes"] == 0 and isinstance(ticket["print_request"], int)
    assert ticket["source"] == "api" and ticket["replayed"] is False
    assert ticket["visitor_url"].startswith(settings.admin.public_base_url + "/t/")
    assert outcome(db, ticket["print_request"]).printed
    assert list((settings.home / "tickets").glob("*A-001.png"))  # the preview printer's paper
    detail = reception.get(f"/api/v1/tickets/{ticket['id']}").json
    assert detail["printed"] is True
    history = detail["events"]
    assert [(e["kind"], e["sop_step"], e["actor"]) for e in history] == [
        ("issued", 3, "token:test-receptionist"),
        ("print_requested", None, "token:test-receptionist"),
        ("printed", None, "token:test-receptionist"),
    ]
    assert history[2]["payload"]["request"] == ticket["print_request"] == history[1]["id"]
    second = reception.post(
        "/api/v1/tickets", {"service": "a", "priority": True, "priority_category": "elderly"}
    ).json
    assert second["label"] == "A-002" and second["priority"] and second["printed"] is False
    assert second["print_request"] is None
    assert second["waiting_ahead"] == 0  # priority goes first
    third = reception.post("/api/v1/tickets", {"service": "A", "topic": "dapodik"}).json
    assert third["topic"] == "Dapodik" and third["waiting_ahead"] == 2
    assert third["estimated_wait_minutes"] > 0


def test_issue_from_a_session_is_from_reception(session_api: Callable) -> None:
    response = session_api("receptionist").post("/api/v1/tickets", {"service": "B"})
    assert response.status_code == 201 and response.json["source"] == "reception"


def test_idempotency_key_issues_one_ticket(token_api: Callable, db: sqlite_utils.Database) -> None:
    reception = token_api("receptionist")
    key = {"Idempotency-Key": "button1-000042"}
    first = reception.post("/api/v1/tickets", {"service": "A"}, headers=key)
    again = reception.post("/api/v1/tickets", {"service": "A"}, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"] and again.json["replayed"] is True
    before = snapshot(db)
    other = reception.post("/api/v1/tickets", {"service": "B"}, headers=key)
    assert_error(other, 422, "idempotency_conflict")
    bad = reception.post("/api/v1/tickets", {"service": "B"}, headers={"Idempotency-Key": "a b"})
    assert_error(bad, 422, "idempotency_key_invalid")
    assert snapshot(db) == before


def test_a_failed_print_still_issues_and_reprint_prints(
    token_api: Callable, db: sqlite_utils.Database, print_owner: Callable
) -> None:
    output = FakeOutput(fail=True)
    print_owner(output)
    reception = token_api("receptionist")
    response = reception.post("/api/v1/tickets", {"service": "C", "print": True})
    assert response.status_code == 201 and response.json["printed"] is False
    failed = outcome(db, response.json["print_request"])
    assert failed.kind == "print_failed" and failed.reason == "timeout"
    ticket_id = response.json["id"]
    detail = reception.get(f"/api/v1/tickets/{ticket_id}").json
    assert detail["printed"] is False
    assert [e["kind"] for e in detail["events"]] == ["issued", "print_requested", "print_failed"]
    assert detail["events"][2]["payload"]["reason"] == "timeout"
    again = reception.post(f"/api/v1/tickets/{ticket_id}/reprint")
    assert again.status_code == 200 and again.json["printed"] is False
    assert not outcome(db, again.json["print_request"]).printed
    output.fail = False
    again = reception.post(f"/api/v1/tickets/{ticket_id}/reprint")
    assert again.status_code == 200
    assert again.json["label"] == "C-001" and again.json["state"] == "waiting"
    assert outcome(db, again.json["print_request"]).printed
    assert reception.get(f"/api/v1/tickets/{ticket_id}").json["printed"] is True
    kinds = [e["kind"] for e in reception.get(f"/api/v1/tickets/{ticket_id}").json["events"]]
    assert kinds == ["issued"] + ["print_requested", "print_failed"] * 2 + [
        "print_requested",
        "printed",
    ]


def test_an_unexpected_printer_error_is_a_failed_print_not_a_500(
    token_api: Callable, db: sqlite_utils.Database, print_owner: Callable
) -> None:
    output = FakeOutput()
    output.deliver = lambda layout, name: (_ for _ in ()).throw(RuntimeError("driver bug"))
    print_owner(output)
    response = token_api("receptionist").post("/api/v1/tickets", {"service": "A", "print": True})
    assert response.status_code == 201 and response.json["printed"] is False
    failed = outcome(db, response.json["print_request"])
    assert failed.kind == "print_failed" and failed.reason == "error"


def test_a_printer_that_cannot_print_issues_nothing(
    token_api: Callable, db: sqlite_utils.Database, print_owner: Callable
) -> None:
    print_owner(FakeOutput("paper_out"))  # the owner records paper_out; the API reads it
    reception = token_api("receptionist")
    tickets = db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    response = reception.post("/api/v1/tickets", {"service": "A", "print": True})
    assert_error(response, 409, "printer_unavailable")
    assert db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == tickets
    # The receptionist may still issue without paper and tell the visitor the number.
    assert reception.post("/api/v1/tickets", {"service": "A"}).status_code == 201


def test_without_the_printer_owner_a_print_issues_nothing_and_a_reprint_is_listed(
    token_api: Callable, db: sqlite_utils.Database, app_queue: Queue
) -> None:
    # No ult kiosk runs: nobody would print, so the API says so instead of waiting.
    reception = token_api("receptionist")
    response = reception.post("/api/v1/tickets", {"service": "A", "print": True})
    assert_error(response, 409, "printer_unavailable")
    assert "ult-kiosk" in response.json["message"]
    issued = app_queue.issue("B", actor="test")
    again = reception.post(f"/api/v1/tickets/{issued.ticket.id}/reprint")
    assert again.status_code == 200 and again.json["print_request"] is None
    last = reception.get(f"/api/v1/tickets/{issued.ticket.id}").json["events"][-1]
    assert (last["kind"], last["payload"]["reason"]) == ("print_failed", "no_owner")


def test_a_retried_request_gets_its_ticket_even_when_the_printer_failed_since(
    token_api: Callable, db: sqlite_utils.Database, print_owner: Callable
) -> None:
    output = FakeOutput()
    print_owner(output)
    device = token_api("receptionist")
    key = {"Idempotency-Key": "tablet-7"}
    first = device.post("/api/v1/tickets", {"service": "A", "print": True}, headers=key)
    assert outcome(db, first.json["print_request"]).printed
    output.state = "offline"
    again = device.post("/api/v1/tickets", {"service": "A", "print": True}, headers=key)
    assert again.status_code == 201 and again.json["replayed"] is True
    assert again.json["id"] == first.json["id"] and again.json["printed"] is True
    assert again.json["print_request"] is None
    assert output.printed == ["A-001"]  # one paper for one visitor


def test_reprint_of_a_closed_ticket_is_refused(token_api: Callable, app_queue: Queue) -> None:
    issued = app_queue.issue("A", actor="test")
    app_queue.cancel(issued.ticket.id, actor="test", reason="salah layanan")
    response = token_api("receptionist").post(f"/api/v1/tickets/{issued.ticket.id}/reprint")
    assert_error(response, 409, "reprint_closed")


# ---------------------------------------------------------------------- reading


def test_ticket_personal_data_only_for_case_roles(
    token_api: Callable, app_queue: Queue, clock: FakeClock
) -> None:
    ticket = app_queue.issue("A", actor="test").ticket
    loket = counter_id(app_queue, "Loket 1")
    app_queue.call_next(loket, actor="test")
    app_queue.start(ticket.id, loket, actor="test")
    app_queue.identify(
        ticket.id, loket, actor="test", name="Budi Santoso", nik=VALID_NIK, phone=PHONE
    )
    app_queue.detail(ticket.id, loket, actor="test", text="Tunjangan profesi belum cair")
    # At the front-office desk: the desk and the supervisor handle the case; the back office
    # and the unit do not (yet), nor do the other roles.
    handling = {"front_office", "supervisor"}
    for role in accounts.ROLES:
        read = token_api(role).get(f"/api/v1/tickets/{ticket.id}")
        if role == "unit":  # a unit reads only its units' cases; a token is bound to none
            assert read.status_code == 403 and read.json["error"] == "unit_unbound"
            continue
        body = read.json
        if role in handling:
            assert body["personal_data"] == "full"
            visitor = body["visitor"]
            assert {k: visitor[k] for k in ("name", "nik", "institution", "phone")} == {
                "name": "Budi Santoso",
                "nik": VALID_NIK,
                "institution": None,
                "phone": PHONE,
            }
            assert (visitor["document_kind"], visitor["document_number"]) == ("ktp", VALID_NIK)
            assert body["request_detail"] == "Tunjangan profesi belum cair"
        else:
            assert body["personal_data"] == "masked"
            visitor = body["visitor"]
            assert {k: visitor[k] for k in ("name", "nik", "institution", "phone")} == {
                "name": "B*** S***",
                "nik": "1271**********01",
                "institution": None,
                "phone": "*********890",
            }
            assert visitor["document_number"] == "1271**********01"
            assert body["request_detail"] is None
            assert VALID_NIK not in json.dumps(body) and PHONE not in json.dumps(body)
    app_queue.escalate(ticket.id, loket, actor="test", note="Perlu data kepegawaian")
    for role in set(accounts.ROLES) - {"unit"}:
        body = token_api(role).get(f"/api/v1/tickets/{ticket.id}").json
        expected = "full" if role in {"back_office", "supervisor"} else "masked"
        assert body["personal_data"] == expected, role


def test_unknown_ticket_and_counter_are_404(token_api: Callable) -> None:
    supervisor = token_api("supervisor")
    assert_error(supervisor.get("/api/v1/tickets/999"), 404, "ticket_unknown")
    assert_error(
        supervisor.post("/api/v1/tickets/999/start", {"counter": 1}), 404, "ticket_unknown"
    )
    assert_error(supervisor.get("/api/v1/counters/999/queue"), 404, "counter_unknown")
    assert_error(supervisor.post("/api/v1/counters/999/call-next"), 404, "counter_unknown")
    assert_error(supervisor.get("/api/v1/tickets/abc"), 404, "not_found")
    assert_error(supervisor.post("/api/v1/tickets/1/dance"), 404, "not_found")
    assert_error(supervisor.get("/api/v1/tickets/1/start"), 405, "method_not_allowed")


def test_counters_their_lines_call_next_pause_resume(
    session_api: Callable, app_queue: Queue, db: sqlite_utils.Database
) -> None:
    desk = session_api("front_office")
    loket, back = counter_id(app_queue, "Loket 1"), counter_id(app_queue, "Back Office")
    assert desk.post(f"/api/v1/counters/{loket}/call-next").status_code == 204
    normal = app_queue.issue("A", actor="test").ticket
    urgent = app_queue.issue("B", actor="test", priority=True).ticket
    counters = desk.get("/api/v1/counters").json["counters"]
    assert [c["name"] for c in counters] == ["Loket 1", "Loket 2", "Back Office"]
    assert counters[0]["waiting"] == 2 and counters[0]["ticket"] is None
    line = desk.get(f"/api/v1/counters/{loket}/queue").json
    assert [t["label"] for t in line["tickets"]] == [urgent.label, normal.label]
    assert line["tickets"][0]["priority"] is True and line["counter"]["id"] == loket
    assert desk.get(f"/api/v1/counters/{back}/queue").json["tickets"] == []

    called = desk.post(f"/api/v1/counters/{loket}/call-next")
    assert called.status_code == 200 and called.json["label"] == urgent.label
    assert called.json["state"] == "called" and called.json["counter_id"] == loket
    assert_error(desk.post(f"/api/v1/counters/{loket}/call-next"), 409, "counter_busy")
    held = desk.get("/api/v1/counters").json["counters"][0]["ticket"]
    assert held == {"id": urgent.id, "label": urgent.label, "state": "called", "priority": True}

    second = counter_id(app_queue, "Loket 2")
    paused = desk.post(f"/api/v1/counters/{second}/pause")
    assert paused.status_code == 200 and paused.json["paused"] is True
    assert_error(desk.post(f"/api/v1/counters/{second}/pause"), 409, "counter_already_paused")
    assert_error(desk.post(f"/api/v1/counters/{second}/call-next"), 409, "counter_paused")
    resumed = desk.post(f"/api/v1/counters/{second}/resume")
    assert resumed.status_code == 200 and resumed.json["paused"] is False
    assert_error(desk.post(f"/api/v1/counters/{second}/resume"), 409, "counter_not_paused")
    assert_error(desk.post(f"/api/v1/counters/{back}/call-next"), 409, "counter_not_front_office")
    kinds = db.execute(
        "SELECT kind, actor FROM events WHERE kind LIKE 'counter_%' ORDER BY id"
    ).fetchall()
    assert kinds == [("counter_paused", "frontoffice1"), ("counter_resumed", "frontoffice1")]


# ---------------------------------------------------------------------- authorization


ENDPOINT_ACTIONS = {
    "api.issue_ticket": "issue",
    "api.get_ticket": "view",
    "api.reprint_ticket": "reprint",
    "api.list_counters": "view",
    "api.counter_queue": "view",
    "api.call_next": "call",
    "api.pause_counter": "pause",
    "api.resume_counter": "resume",
    "api.latest_visit": "prefill",
    **{f"api.ticket_{name.replace('-', '_')}": name for name in TICKET_ACTIONS},
}
"""Each API endpoint and the ACTION_ROLES entry that must guard it."""

PUBLIC = {"api.openapi_document"}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    """``(endpoint, method, path)`` of every /api/v1 route, path arguments filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        method = "POST" if "POST" in rule.methods else "GET"
        path = rule.rule.replace("<int:ticket_id>", "1").replace("<int:counter_id>", "1")
        found.append((rule.endpoint, method, path))
    return sorted(found)


def test_every_api_endpoint_is_guarded_by_its_action(app: Flask) -> None:
    endpoints = {endpoint for endpoint, _, _ in _routes(app)}
    assert endpoints == set(ENDPOINT_ACTIONS) | PUBLIC
    for endpoint, action in ENDPOINT_ACTIONS.items():
        assert app.view_functions[endpoint].roles == ACTION_ROLES[action], endpoint


@pytest.mark.parametrize("via", ["session", "token"])
def test_authorization_matrix(
    app: Flask,
    via: str,
    session_api: Callable,
    token_api: Callable,
    app_queue: Queue,
    db: sqlite_utils.Database,
) -> None:
    """Every role × every endpoint: its ACTION_ROLES decide 403 or not; anonymous is 401.

    An allowed request may still be refused by the queue (409/422 for this ticket's state or
    the empty body), but never with 401/403, and never with a 5xx.
    """
    app_queue.issue("A", actor="test")
    routes = _routes(app)
    anonymous = Api(app.test_client())
    for endpoint, method, path in routes:
        response = anonymous.get(path) if method == "GET" else anonymous.post(path, {})
        if endpoint in PUBLIC:
            assert response.status_code == 200
        else:
            assert_error(response, 401, "login_required")
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    for role in accounts.ROLES:
        api = session_api(role) if via == "session" else token_api(role)
        for endpoint, method, path in routes:
            response = api.get(path) if method == "GET" else api.post(path, {})
            assert response.status_code < 500, (role, path, response.json)
            if endpoint in PUBLIC:
                continue
            role_allowed = role in ACTION_ROLES[ENDPOINT_ACTIONS[endpoint]]
            if role == "unit" and response.status_code == 403 and role_allowed:
                # Allowed by role, but a unit reads only its units' cases: this ticket is
                # with none (a token is bound to no unit).
                assert response.json["error"] in ("case_not_for_unit", "unit_unbound"), path
            elif role_allowed:
                assert response.status_code not in (401, 403), (role, path, response.json)
            else:
                assert response.status_code == 403, (role, path, response.json)
                assert response.json["error"] == "forbidden"
                assert response.json["message"] == (
                    f"Peran Anda ({ROLE_NAMES[role]}) tidak berwenang untuk tindakan ini."
                )


def test_a_revoked_or_wrong_token_is_401(app: Flask, db: sqlite_utils.Database) -> None:
    client = app.test_client()
    for header in ("Bearer nope", "Bearer ", "Basic abc", "bearer"):
        response = client.get("/api/v1/counters", headers={"Authorization": header})
        assert_error(response, 401, "login_required")


# ---------------------------------------------------------------------- CSRF


def test_csrf_for_cookie_requests_only(
    as_role: Callable, token_api: Callable, app_queue: Queue, db: sqlite_utils.Database
) -> None:
    ticket = app_queue.issue("A", actor="test").ticket
    loket = counter_id(app_queue, "Loket 1")
    client, csrf = as_role("front_office")
    before = snapshot(db)
    refused = client.post(f"/api/v1/counters/{loket}/call-next")
    assert_error(refused, 400, "csrf_failed")
    refused = client.post(f"/api/v1/counters/{loket}/call-next", headers={"X-CSRFToken": "forged"})
    assert_error(refused, 400, "csrf_failed")
    assert snapshot(db) == before
    assert app_queue.ticket(ticket.id).state == "waiting"
    called = client.post(f"/api/v1/counters/{loket}/call-next", headers={"X-CSRFToken": csrf})
    assert called.status_code == 200 and called.json["id"] == ticket.id
    # A bearer token carries no ambient cookie: no CSRF token needed.
    desk = token_api("front_office")
    recalled_too_soon = desk.post(f"/api/v1/tickets/{ticket.id}/recall", {"counter": loket})
    assert_error(recalled_too_soon, 409, "recall_cooldown")
    started = desk.post(f"/api/v1/tickets/{ticket.id}/start", {"counter": loket})
    assert started.status_code == 200 and started.json["state"] == "serving"


# ---------------------------------------------------------------------- bad input


def _serving(queue: Queue) -> tuple[int, int]:
    """A ticket serving at Loket 1: ``(ticket_id, counter_id)``."""
    loket = counter_id(queue, "Loket 1")
    ticket = queue.issue("A", actor="test").ticket
    queue.call_next(loket, actor="test")
    queue.start(ticket.id, loket, actor="test")
    return ticket.id, loket


BAD_BODIES: list[tuple[str, str, Any, int, str]] = [
    # (action, id, raw body or JSON value, status, code); "T" the serving ticket, "C" its counter
    ("detail", "raw", b"[]", 422, "body_invalid"),
    ("detail", "raw", b"1", 422, "body_invalid"),
    ("detail", "raw", b'"detail"', 422, "body_invalid"),
    ("detail", "raw", b"null", 422, "body_invalid"),
    ("detail", "raw", b"{", 422, "body_invalid"),
    ("detail", "raw", b"\xff{}", 422, "body_invalid"),
    ("detail", "raw", b"[" * 30000 + b"]" * 30000, 422, "body_invalid"),
    ("detail", "raw", b'{"counter": C, "text": "\\ud800"}', 422, "field_invalid"),
    ("detail", "raw", b'{"counter": C, "text": NaN}', 422, "field_invalid"),
    ("detail", "json", {"counter": "C", "text": "x", "extra": 1}, 422, "field_unknown"),
    ("detail", "json", {"text": "x"}, 422, "field_required"),
    ("detail", "json", {"counter": "C"}, 422, "field_required"),
    ("detail", "json", {"counter": "C", "text": None}, 422, "field_required"),
    ("detail", "json", {"counter": "Loket 1", "text": "x"}, 422, "field_invalid"),
    ("detail", "json", {"counter": True, "text": "x"}, 422, "field_invalid"),
    ("detail", "json", {"counter": 0, "text": "x"}, 422, "field_invalid"),
    ("detail", "json", {"counter": -1, "text": "x"}, 422, "field_invalid"),
    ("detail", "json", {"counter": 2**70, "text": "x"}, 422, "field_invalid"),
    ("detail", "json", {"counter": 1.5, "text": "x"}, 422, "field_invalid"),
    ("detail", "json", {"counter": "C", "text": 5}, 422, "field_invalid"),
    ("detail", "json", {"counter": "C", "text": ["x"]}, 422, "field_invalid"),
    ("detail", "json", {"counter": "C", "text": "   "}, 422, "text_required"),
    ("detail", "json", {"counter": "C", "text": "x" * 2001}, 422, "text_too_long"),
    ("detail", "json", {"counter": "C", "text": "a\x00b"}, 422, "text_unprintable"),
    ("detail", "json", {"counter": 999, "text": "x"}, 404, "counter_unknown"),
    ("detail", "json", {"counter": 2, "text": "x"}, 409, "not_at_counter"),
    ("detail", "json", {"counter": 3, "text": "x"}, 409, "counter_not_front_office"),
    ("identify", "json", {"counter": "C", "name": "Budi", "nik": "123"}, 422, "nik_invalid"),
    (
        "identify",
        "json",
        {"counter": "C", "name": "Budi", "nik": 1271011201900001},
        422,
        "field_invalid",
    ),
    ("identify", "json", {"counter": "C", "name": "", "nik": VALID_NIK}, 422, "text_required"),
    (
        "identify",
        "json",
        {"counter": "C", "name": "B", "nik": VALID_NIK, "phone": "abc"},
        422,
        "phone_invalid",
    ),
    (
        "identify",
        "json",
        {"counter": "C", "name": "B", "nik": VALID_NIK, "acting_for": "ya"},
        422,
        "field_invalid",
    ),
    (
        "identify",
        "json",
        {"counter": "C", "name": "B", "nik": VALID_NIK, "acting_for": True},
        422,
        "represented_required",
    ),
    (
        "identify",
        "json",
        {
            "counter": "C",
            "name": "B",
            "nik": VALID_NIK,
            "acting_for": True,
            "represents_name": "Pak Hasan",
            "letter_type": "surat_cinta",
            "letter_number": "1",
            "letter_date": "2026-11-20",
        },
        422,
        "choice_invalid",
    ),
    (
        "identify",
        "json",
        {"counter": "C", "name": "B", "nik": VALID_NIK, "letter_number": "12/2026"},
        422,
        "letter_without_acting",
    ),
    ("answer", "json", {"counter": "C", "kind": "maybe", "text": "x"}, 422, "choice_invalid"),
    ("answer", "json", {"counter": "C", "kind": None, "text": "x"}, 422, "field_required"),
    ("finish", "json", {"counter": "C", "outcome": None}, 422, "field_invalid"),
    ("finish", "json", {"counter": "C"}, 409, "wrong_state"),
    ("explain", "json", {"counter": "C", "mode": "telepati"}, 422, "choice_invalid"),
    ("transfer", "json", {"service": "Z", "counter": "C"}, 422, "service_unknown"),
    ("transfer", "json", {"service": "A", "counter": "C"}, 409, "transfer_same_service"),
    ("transfer", "json", {"service": "B", "counter": 2}, 409, "not_at_counter"),
    ("transfer", "json", {"service": 2, "counter": "C"}, 422, "field_invalid"),
    ("cancel", "json", {"reason": ""}, 422, "text_required"),
    ("cancel", "json", {"reason": "x" * 301}, 422, "text_too_long"),
    ("cancel", "json", {"reason": "x", "counter": 2}, 409, "not_at_counter"),
    ("take", "json", {"counter": "C"}, 409, "counter_not_back_office"),
    ("forward", "json", {"counter": 3, "unit": 2.5}, 422, "field_invalid"),
    ("forward", "json", {"counter": 3, "unit": "Bagian Umum"}, 409, "wrong_state"),
    ("disposition", "json", {"text": "x", "counter": "C"}, 409, "counter_not_back_office"),
    ("reactivate", "json", {"counter": "C"}, 422, "field_unknown"),
    ("recall", "json", {"counter": "C"}, 409, "wrong_state"),
    ("no-show", "json", {"counter": "C"}, 409, "wrong_state"),
    ("call", "json", {"counter": "C"}, 409, "counter_busy"),
    ("call", "json", {"counter": 2}, 409, "wrong_state"),
]


@pytest.mark.parametrize(("action", "form", "body", "status", "code"), BAD_BODIES)
def test_bad_bodies_and_values_change_nothing(
    token_api: Callable,
    app_queue: Queue,
    db: sqlite_utils.Database,
    action: str,
    form: str,
    body: Any,
    status: int,
    code: str,
) -> None:
    ticket_id, loket = _serving(app_queue)
    supervisor = token_api("supervisor")
    path = f"/api/v1/tickets/{ticket_id}/{action}"
    before = snapshot(db)
    if form == "raw":
        response = supervisor.client.post(
            path,
            data=body.replace(b"C", str(loket).encode()),
            content_type="application/json",
            headers=supervisor.headers,
        )
    else:
        payload = {k: (loket if v == "C" else v) for k, v in body.items()}
        response = supervisor.post(path, payload)
    assert_error(response, status, code)
    assert snapshot(db) == before


BAD_ISSUES: list[tuple[Any, int, str]] = [
    ({}, 422, "field_required"),
    ({"service": "Z"}, 422, "service_unknown"),
    ({"service": ""}, 422, "service_unknown"),
    ({"service": 1}, 422, "field_invalid"),
    ({"service": "A", "priority": "no"}, 422, "field_invalid"),
    ({"service": "A", "priority": None}, 422, "field_invalid"),
    ({"service": "A", "print": 1}, 422, "field_invalid"),
    ({"service": "A", "topic": "Sepak Bola"}, 422, "topic_unknown"),
    ({"service": "A", "topic": 7}, 422, "field_invalid"),
    ({"service": "A", "counter": 1}, 422, "field_unknown"),
    (["A"], 422, "body_invalid"),
]


@pytest.mark.parametrize(("body", "status", "code"), BAD_ISSUES)
def test_bad_issue_requests_change_nothing(
    token_api: Callable,
    app_queue: Queue,
    db: sqlite_utils.Database,
    body: Any,
    status: int,
    code: str,
) -> None:
    app_queue.roll_over()  # the day's first write appends day_started: not the request's doing
    before = snapshot(db)
    assert_error(token_api("receptionist").post("/api/v1/tickets", body), status, code)
    assert snapshot(db) == before


def test_a_body_over_64_kib_is_413(
    token_api: Callable, app_queue: Queue, db: sqlite_utils.Database
) -> None:
    app_queue.roll_over()
    before = snapshot(db)
    response = token_api("receptionist").post("/api/v1/tickets", {"service": "A" * 70_000})
    assert_error(response, 413, "too_large")
    assert snapshot(db) == before


def test_a_long_token_name_is_still_a_valid_actor(app: Flask, db: sqlite_utils.Database) -> None:
    token = accounts.create_token(db, "x" * 60, "receptionist")
    response = app.test_client().post(
        "/api/v1/tickets", json={"service": "A"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201
    actor = db.execute("SELECT actor FROM events WHERE kind = 'issued'").fetchone()[0]
    assert actor == ("token:" + "x" * 60)[:64]


# ---------------------------------------------------------------------- SOP walks


def _step(api: Api, ticket_id: int, kind: str, step: int | None, state: str) -> dict:
    """The ticket's newest event is ``kind`` at SOP ``step`` by ``api``'s principal."""
    detail = api.get(f"/api/v1/tickets/{ticket_id}").json
    newest = detail["events"][-1]
    assert (newest["kind"], newest["sop_step"], newest["actor"]) == (kind, step, api.actor)
    assert detail["state"] == state
    return detail


def test_longest_sop_path_via_the_api(
    session_api: Callable, token_api: Callable, app_queue: Queue, clock: FakeClock
) -> None:
    """issue → call → recall → start → identify (acting for someone, surat kuasa) → detail
    → consult → escalate → take → forward → disposition → relay → explain → finish: SOP 3,
    5, 5, 6, 7, 8, 9, 10, 11, 13, 14, 14, 15, 16. (``resolve`` is the back office's other
    way to the answer, step 12: after the disposition it is refused.)"""
    reception = token_api("receptionist")
    desk = session_api("front_office")
    back = token_api("back_office")
    unit = session_api("unit")
    loket, bo = counter_id(app_queue, "Loket 2"), counter_id(app_queue, "Back Office")

    issued = reception.post("/api/v1/tickets", {"service": "A", "topic": "Tunjangan Profesi"})
    assert issued.status_code == 201
    tid = issued.json["id"]
    _step(reception, tid, "issued", 3, "waiting")

    def act(api: Api, action: str, body: dict[str, Any], kind: str, step: int, state: str):
        response = api.post(f"/api/v1/tickets/{tid}/{action}", body)
        assert response.status_code == 200, (action, response.json)
        assert response.json["state"] == state
        return _step(api, tid, kind, step, state), response.json

    act(desk, "call", {"counter": loket}, "called", 5, "called")
    clock.advance(seconds=16)
    _, recalled = act(desk, "recall", {"counter": loket}, "recalled", 5, "called")
    assert recalled["recalls"] == 1
    act(desk, "start", {"counter": loket}, "started", 6, "serving")
    identity = {
        "counter": loket,
        "name": "Siti Aminah",
        "nik": VALID_NIK,
        "institution": "SMA Negeri 1 Medan",
        "phone": PHONE,
        "acting_for": True,
        "represents_name": "Drs. Hasan",
        "letter_type": "surat_kuasa",
        "letter_number": "021/SK/2026",
        "letter_date": "2026-11-20",
    }
    detail, identified = act(desk, "identify", identity, "identified", 7, "serving")
    assert identified["warnings"] == [] and identified["acting_for"] is True
    assert detail["events"][-1]["payload"]["letter_type"] == "surat_kuasa"
    assert VALID_NIK not in json.dumps(detail["events"])  # events carry no personal data
    act(desk, "detail", {"counter": loket, "text": "TPG triwulan 3"}, "detailed", 8, "serving")
    act(desk, "consult", {"counter": loket}, "consulted", 9, "serving")
    escalate = {"counter": loket, "note": "Perlu data SIMTUN"}
    _, escalated = act(desk, "escalate", escalate, "escalated", 10, "escalated")
    assert escalated["counter_id"] is None  # the desk is free for the next visitor
    act(back, "take", {"counter": bo}, "taken", 11, "back_office")
    forward = {"counter": bo, "unit": "Tim Kerja Penjaminan Mutu", "note": "Mohon arahan"}
    detail, _ = act(back, "forward", forward, "forwarded", 13, "with_unit")
    assert detail["events"][-1]["payload"]["unit"] == "Tim Kerja Penjaminan Mutu"
    disposition = {"text": "Cairkan setelah validasi"}
    act(unit, "disposition", disposition, "directions", 14, "disposition_received")
    assert_error(
        back.post(f"/api/v1/tickets/{tid}/resolve", {"counter": bo, "text": "x"}),
        409,
        "wrong_state",
    )
    # SOP 14: the back office passes the disposition on to the front office.
    assert_error(unit.post(f"/api/v1/tickets/{tid}/relay", {"counter": bo}), 403, "forbidden")
    relay = {"counter": bo, "note": "Sudah divalidasi"}
    act(back, "relay", relay, "relayed", 14, "answer_ready")
    explain = {"counter": loket, "mode": "indirect", "note": "Dikirim lewat surel"}
    act(desk, "explain", explain, "explained", 15, "explained")
    finish = {"counter": loket, "outcome": "resolved", "survey_invited": True}
    detail, finished = act(desk, "finish", finish, "finished", 16, "done")
    # Closed: the desk no longer handles the case, so its free text comes back masked.
    assert finished["counter_id"] is None and finished["disposition"] is None
    assert [(e["kind"], e["sop_step"]) for e in detail["events"]] == [
        ("issued", 3),
        ("called", 5),
        ("recalled", 5),
        ("started", 6),
        ("identified", 7),
        ("detailed", 8),
        ("consulted", 9),
        ("escalated", 10),
        ("taken", 11),
        ("forwarded", 13),
        ("directions", 14),
        ("relayed", 14),
        ("explained", 15),
        ("finished", 16),
    ]
    assert detail["visitor"]["name"] == "S*** A***"  # closed: the desk sees it masked
    record = token_api("supervisor").get(f"/api/v1/tickets/{tid}").json
    assert record["visitor"]["name"] == "Siti Aminah"  # the supervisor sees the record
    assert record["letter_number"] == "021/SK/2026"
    assert record["disposition"] == "Cairkan setelah validasi"


def test_shortest_sop_path_via_the_api(
    session_api: Callable, token_api: Callable, app_queue: Queue
) -> None:
    """issue → call-next → start → identify → detail → answer → explain → finish: the
    answer given at the desk (SOP 9a), every step the procedure asks for."""
    reception = session_api("receptionist")
    desk = token_api("front_office")
    loket = counter_id(app_queue, "Loket 1")
    tid = reception.post("/api/v1/tickets", {"service": "B"}).json["id"]
    _step(reception, tid, "issued", 3, "waiting")
    called = desk.post(f"/api/v1/counters/{loket}/call-next")
    assert called.status_code == 200 and called.json["id"] == tid
    _step(desk, tid, "called", 5, "called")
    steps = [
        ("start", {}, "started", 6, "serving"),
        ("identify", {"name": "Andi", "nik": VALID_NIK}, "identified", 7, "serving"),
        ("detail", {"text": "Cara mengisi Dapodik"}, "detailed", 8, "serving"),
        ("answer", {"kind": "available", "text": "Lihat panduan"}, "answered", 9, "answered"),
        ("explain", {"mode": "direct"}, "explained", 15, "explained"),
        ("finish", {}, "finished", 16, "done"),
    ]
    for action, body, kind, step, state in steps:
        response = desk.post(f"/api/v1/tickets/{tid}/{action}", {"counter": loket, **body})
        assert response.status_code == 200, (action, response.json)
        _step(desk, tid, kind, step, state)
    done = desk.get(f"/api/v1/tickets/{tid}").json
    assert done["outcome"] == "resolved" and done["answer_kind"] == "available"
    assert desk.post(f"/api/v1/counters/{loket}/call-next").status_code == 204


def test_no_show_reactivate_resolve_cancel_and_transfer(
    session_api: Callable, token_api: Callable, app_queue: Queue, clock: FakeClock
) -> None:
    """The other branches: no-show after the recalls and back in line (SOP 5, 4), the back
    office resolving a case explained by another counter (SOP 12, 15), transfer, cancel."""
    desk = token_api("front_office")
    reception = session_api("receptionist")
    back = token_api("back_office")
    one, two = counter_id(app_queue, "Loket 1"), counter_id(app_queue, "Loket 2")
    bo = counter_id(app_queue, "Back Office")
    tid = app_queue.issue("A", actor="test").ticket.id

    def post(api: Api, action: str, body: dict[str, Any] | None = None) -> Any:
        return api.post(f"/api/v1/tickets/{tid}/{action}", body or {})

    assert post(desk, "call", {"counter": one}).status_code == 200
    assert_error(post(desk, "no-show", {"counter": one}), 409, "no_show_too_early")
    for _ in range(2):
        clock.advance(seconds=16)
        assert post(desk, "recall", {"counter": one}).status_code == 200
    assert post(desk, "no-show", {"counter": one}).json["state"] == "no_show"
    _step(desk, tid, "no_show", 5, "no_show")
    assert post(reception, "reactivate").json["state"] == "waiting"
    _step(reception, tid, "reactivated", 4, "waiting")

    moved = post(desk, "transfer", {"service": "C"})
    assert moved.status_code == 200 and moved.json["service"] == "C"
    assert moved.json["label"].startswith("A-")
    _step(desk, tid, "transferred", None, "waiting")

    assert post(desk, "call", {"counter": one}).status_code == 200
    assert post(desk, "start", {"counter": one}).status_code == 200
    assert post(desk, "escalate", {"counter": one, "note": "Cek berkas"}).status_code == 200
    assert post(back, "take", {"counter": bo}).status_code == 200
    assert post(back, "resolve", {"counter": bo, "text": "Berkas lengkap"}).status_code == 200
    _step(back, tid, "resolved", 12, "answer_ready")
    # The case returns to any free front-office counter (SOP: an absent officer's task
    # passes to another).
    assert post(desk, "explain", {"counter": two, "mode": "direct"}).json["counter_id"] == two
    finish = {"counter": two, "outcome": "unresolved", "survey_invited": False}
    # Neither identity nor detail was recorded: finishing needs the reason (issue 11, SOP 16).
    assert_error(post(desk, "finish", finish), 409, "case_incomplete")
    finish["incomplete_reason"] = "anonymous_complaint"
    assert post(desk, "finish", finish).json["outcome"] == "unresolved"
    assert app_queue.ticket(tid).incomplete_reason == "anonymous_complaint"
    _step(desk, tid, "finished", 16, "done")

    other = app_queue.issue("D", actor="test").ticket.id
    cancelled = reception.post(f"/api/v1/tickets/{other}/cancel", {"reason": "Salah ambil"})
    assert cancelled.status_code == 200 and cancelled.json["state"] == "cancelled"
    _step(reception, other, "cancelled", None, "cancelled")
    assert_error(
        reception.post(f"/api/v1/tickets/{other}/cancel", {"reason": "lagi"}), 409, "wrong_state"
    )


# ---------------------------------------------------------------------- OpenAPI


def test_openapi_document_describes_every_route(app: Flask, client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"] == "3.1.0"
    assert set(doc["components"]["securitySchemes"]) == {"bearerAuth", "cookieAuth"}
    assert doc["components"]["schemas"]["Error"]["required"] == ["error", "message"]
    documented = {(path, method.upper()) for path, item in doc["paths"].items() for method in item}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served <= documented
    for path in ("/api/v1/board", "/api/v1/board/events", "/healthz", "/api/v1/openapi.json"):
        assert doc["paths"][path]["get"]["security"] == []
    for name, action in TICKET_ACTIONS.items():
        operation = doc["paths"][f"/api/v1/tickets/{{ticket_id}}/{name}"]["post"]
        assert operation["x-roles"] == list(ACTION_ROLES[name])
        if action.fields:
            schema_name = operation["requestBody"]["content"]["application/json"]["schema"]
            schema = doc["components"]["schemas"][schema_name["$ref"].rsplit("/", 1)[1]]
            assert set(schema["properties"]) == set(action.fields)
            assert schema["additionalProperties"] is False
    refs = set(re.findall(r'"#/components/(\w+)/(\w+)"', json.dumps(doc)))
    for section, name in refs:
        assert name in doc["components"][section], name


def test_the_served_document_is_valid_and_the_one_fuzzed(client: FlaskClient) -> None:
    import schemathesis

    from admin.openapi import document

    served = client.get("/api/v1/openapi.json").json
    assert served == document()
    schemathesis.openapi.from_dict(served).validate()  # against the OpenAPI 3.1 meta-schema


def test_responses_carry_exactly_the_keys_their_shapes_document(
    app: Flask, client: FlaskClient, token_api: Callable
) -> None:
    """The schemas are generated from admin.shapes: each answer has every documented key
    and no undocumented one (the fuzz test checks the values; extra keys it allows)."""
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]

    def keys(name: str) -> tuple[set[str], set[str]]:
        return set(schemas[name]["required"]), set(schemas[name]["properties"])

    def assert_shape(data: dict[str, Any], name: str) -> None:
        required, documented = keys(name)
        assert required <= set(data) <= documented, name

    api = token_api("supervisor")
    issued = api.post("/api/v1/tickets", {"service": "A"})
    assert issued.status_code == 201
    assert_shape(issued.json, "IssuedTicket")
    assert keys("IssuedTicket")[0] == keys("IssuedTicket")[1]  # all of them, always
    ticket_id = issued.json["id"]
    detail = api.get(f"/api/v1/tickets/{ticket_id}").json
    assert_shape(detail, "TicketDetail")
    assert_shape(detail["events"][0], "Event")
    assert set(keys("Ticket")[1]) - keys("Ticket")[0] == {"warnings"}
    listing = api.get("/api/v1/counters").json
    assert_shape(listing, "CounterList")
    assert_shape(listing["counters"][0], "Counter")
    lined_up = api.get(f"/api/v1/counters/{listing['counters'][0]['id']}/queue").json
    assert_shape(lined_up, "CounterQueue")
    assert_shape(lined_up["tickets"][0], "QueueItem")
    assert_shape(client.get("/api/v1/board").json, "BoardState")
    assert_shape(client.get("/healthz").json, "Health")
    assert_shape(api.get("/api/v1/tickets/999").json, "Error")


def test_a_hung_printer_never_slows_the_api(
    token_api: Callable, db: sqlite_utils.Database, print_owner: Callable
) -> None:
    # Issue 10: the web thread only appends the request; the owner's worker is the one stuck.
    release = threading.Event()
    output = FakeOutput()

    def hang(layout: Any, name: str) -> Delivery:
        release.wait(10)
        return Delivery("unconfirmed", "the printer never answered")

    output.deliver = hang
    print_owner(output)
    reception = token_api("receptionist")
    first = reception.post("/api/v1/tickets", {"service": "A", "print": True})
    for _ in range(3):  # the owner's worker is stuck in the first job meanwhile
        started = time.perf_counter()
        response = reception.post("/api/v1/tickets", {"service": "B", "print": True})
        assert response.status_code == 201 and time.perf_counter() - started < 1.0
    release.set()
    assert outcome(db, first.json["print_request"]).kind == "print_unconfirmed"
    assert outcome(db, response.json["print_request"]).kind == "print_unconfirmed"


def test_directions_is_a_deprecated_alias_of_disposition(
    client: FlaskClient, token_api: Callable, app_queue: Queue, db: sqlite_utils.Database
) -> None:
    """``/disposition`` is the documented path (DESIGN.md's word list); ``/directions``, its
    path before, still works the same for existing clients and is marked deprecated."""
    paths = client.get("/api/v1/openapi.json").json["paths"]
    current = paths["/api/v1/tickets/{ticket_id}/disposition"]["post"]
    old = paths["/api/v1/tickets/{ticket_id}/directions"]["post"]
    assert "deprecated" not in current and old["deprecated"] is True
    assert old["requestBody"] == current["requestBody"] and old["x-roles"] == current["x-roles"]
    assert old["operationId"] != current["operationId"]

    back = token_api("back_office")
    bo = counter_id(app_queue, "Back Office")
    cases, loket = [], 0
    for _ in range(2):  # escalating frees the counter for the next one
        ticket_id, loket = _serving(app_queue)
        app_queue.escalate(ticket_id, loket, actor="test", note="Perlu arahan")
        app_queue.take(ticket_id, bo, actor="test")
        app_queue.forward(ticket_id, bo, actor="test", unit="Tim Kerja Penjaminan Mutu")
        cases.append(ticket_id)
    # The same refusal through either path, and nothing changed.
    before = snapshot(db)
    for segment in ("disposition", "directions"):
        refused = back.post(
            f"/api/v1/tickets/{cases[0]}/{segment}", {"text": "x", "counter": loket}
        )
        assert_error(refused, 409, "counter_not_back_office")
    assert snapshot(db) == before
    # The same action through either path: the disposition is with the back office, SOP
    # step 14 recorded.
    for ticket_id, segment in zip(cases, ("disposition", "directions"), strict=True):
        done = back.post(
            f"/api/v1/tickets/{ticket_id}/{segment}", {"text": "Proses", "counter": bo}
        )
        assert done.status_code == 200 and done.json["state"] == "disposition_received"
        _step(back, ticket_id, "directions", 14, "disposition_received")


# ---------------------------------------------------------------------- priority (Pasal 29)


def test_issue_takes_the_category_and_returns_it(session_api: Callable, db) -> None:
    reception = session_api("receptionist")
    answer = reception.post(
        "/api/v1/tickets", {"service": "A", "priority": True, "priority_category": "pregnant"}
    )
    assert answer.status_code == 201, answer.json
    assert (answer.json["priority"], answer.json["priority_category"]) == (True, "pregnant")
    before = snapshot(db)
    assert_error(
        reception.post("/api/v1/tickets", {"service": "A", "priority_category": "pregnant"}),
        422,
        "priority_category_without_priority",
    )
    assert_error(
        reception.post(
            "/api/v1/tickets", {"service": "A", "priority": True, "priority_category": "vip"}
        ),
        422,
        "priority_category_invalid",
    )
    assert snapshot(db) == before


def test_prioritize_marks_a_waiting_ticket(
    session_api: Callable,
    token_api: Callable,
    app_queue: Queue,
    db: sqlite_utils.Database,
) -> None:
    first = app_queue.issue("A", actor="test").ticket
    second = app_queue.issue("A", actor="test").ticket
    reception = session_api("receptionist")
    path = f"/api/v1/tickets/{second.id}/prioritize"
    before = snapshot(db)
    assert_error(reception.post(path, {}), 422, "field_required")
    # One word per thing: priority_category, as when issuing; the old "category" is unknown.
    assert reception.post(path, {"category": "elderly"}).status_code == 422
    assert_error(
        reception.post(path, {"priority_category": "vip"}), 422, "priority_category_invalid"
    )
    # The front office does not mark priority: reception does, when the visitor arrives.
    assert token_api("front_office").post(path, {"priority_category": "elderly"}).status_code == 403
    assert snapshot(db) == before
    marked = reception.post(path, {"priority_category": "elderly"})
    assert marked.status_code == 200, marked.json
    assert (marked.json["label"], marked.json["priority"], marked.json["priority_category"]) == (
        "A-002",
        True,
        "elderly",
    )
    row = db.execute(
        "SELECT kind, actor, payload FROM events WHERE ticket_id = ? ORDER BY id DESC LIMIT 1",
        (second.id,),
    ).fetchone()
    assert row[:2] == ("prioritized", reception.actor)
    assert json.loads(row[2])["priority_category"] == "elderly"
    assert_error(reception.post(path, {"priority_category": "pregnant"}), 409, "already_priority")
    assert app_queue.call_next("Loket 1", actor="fo").id == second.id
    assert app_queue.ticket(first.id).priority is False


def test_a_priority_ticket_names_its_category(
    session_api: Callable, token_api: Callable, app_queue: Queue, db: sqlite_utils.Database
) -> None:
    """UU 25/2009 Pasal 29: the API (a session or a token) issues priority only with its
    category, in Indonesian naming the codes; only the kiosk's button issues without one."""
    before = snapshot(db)
    for caller in (session_api("receptionist"), token_api("receptionist")):
        refused = caller.post("/api/v1/tickets", {"service": "A", "priority": True})
        assert_error(refused, 422, "priority_category_missing")
        message = refused.json["message"]
        assert "elderly (lansia)" in message and "small_children (membawa anak kecil)" in message
    assert snapshot(db) == before
    issued = token_api("receptionist").post(
        "/api/v1/tickets", {"service": "A", "priority": True, "priority_category": "disabled"}
    )
    assert issued.status_code == 201 and issued.json["priority_category"] == "disabled"
    # The queue refuses it for the API and the command line too; the kiosk button issues.
    with pytest.raises(QueueError) as raised:
        app_queue.issue("A", actor="t", priority=True, source="api")
    assert raised.value.code == "priority_category_missing"
    with pytest.raises(QueueError):
        app_queue.issue("A", actor="t", priority=True, source="cli")
    kiosk = app_queue.issue("A", actor="kiosk:tombol2", priority=True, source="kiosk")
    assert kiosk.ticket.priority and kiosk.ticket.priority_category is None
