"""Fuzz the API from its own OpenAPI document (schemathesis over the WSGI app): whatever
the body, path, query or headers, no request gets a 5xx, and every answer matches what the
document says (status, media type, schema).

Each operation is one test, on one database seeded with tickets in several states, so
generated ids (small integers come often) reach real tickets and real transitions, not
only 404s. Requests carry a supervisor's bearer token: the role allowed to do everything.
Positive (schema-valid) and negative (schema-violating) cases are both generated; the
event stream is left out (it never ends: tests/admin/test_stream.py covers it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from admin import create_app
from admin.openapi import document
from tests.conftest import OPENING, make_settings
from ult import accounts
from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.queue import Queue
from ult.store import connect

MAX_EXAMPLES = 20
"""Examples per operation: with ~30 operations the whole file stays under ~20 s."""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, dict[str, str]]]:
    """One app for every operation (an app per operation costs more than its fuzzing),
    over a database holding tickets in several states, and a supervisor's bearer header.
    The operations' changes accumulate, which only varies the states they meet."""
    settings = make_settings(tmp_path_factory.mktemp("fuzz") / "home")
    db = connect(settings.store.database)
    apply_catalog(db, settings)
    _seed(Queue(db, settings, clock=FakeClock(OPENING)))
    token = accounts.create_token(db, "fuzz", "supervisor")
    app = create_app(settings, clock=FakeClock(OPENING), config={"TESTING": True})
    yield app, {"Authorization": f"Bearer {token}"}
    db.close()


def _seed(queue: Queue) -> None:
    """Tickets 1..6: waiting, called, escalated, with the back office, waiting, called."""
    one, two = queue.counter("Loket 1").id, queue.counter("Loket 2").id
    back = queue.counter("Back Office").id
    for letter in "ABCDAB":
        queue.issue(letter, actor="seed")
    queue.call_specific(one, 2, actor="seed")
    queue.call_specific(two, 3, actor="seed")
    queue.start(3, two, actor="seed")
    queue.escalate(3, two, actor="seed", note="seed")
    queue.call_specific(two, 4, actor="seed")
    queue.start(4, two, actor="seed")
    queue.escalate(4, two, actor="seed", note="seed")
    queue.take(4, back, actor="seed")
    queue.call_specific(two, 6, actor="seed")


# The document as the app serves it (test_api checks the two are the same). Loaded from the
# dict at import: schemathesis' fixture-based loader does not work with pytest 9.
schema = schemathesis.openapi.from_dict(document()).exclude(path="/api/v1/board/events")
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=MAX_EXAMPLES
)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_server_error_and_answers_as_documented(
    case: schemathesis.Case, seeded: tuple[Flask, dict[str, str]]
) -> None:
    """No 5xx; and every answer is one the document lists, in its media type and schema
    (so the document describes what clients really get). Method variations schemathesis
    adds (405, and Flask's automatic OPTIONS) are not operations of the document."""
    app, supervisor = seeded
    response = case.call(headers=supervisor, app=app)
    assert response.status_code < 500, (
        case.method,
        case.formatted_path,
        case.body,
        response.text[:300],
    )
    if response.status_code == 405 or case.method == "OPTIONS":
        return
    case.validate_response(
        response,
        checks=[status_code_conformance, content_type_conformance, response_schema_conformance],
        headers=supervisor,
        transport_kwargs={"app": app},
    )
