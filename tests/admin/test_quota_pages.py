"""The daily quota of a service the supervisor adds in the catalogue at runtime
(``[hours] quota = { default = N }``): the reception page shows it, the API refuses past it
in Indonesian, and the reception's override still issues (issue 14, service hours).

The clock reads Wednesday 25 November 2026, 09:00 in Jakarta: the office is open.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from tests.conftest import make_settings
from ult.catalog import save_service
from ult.clock import FakeClock
from ult.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home", "[hours]\nquota = { default = 1, A = 0 }\n")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")))


def test_a_new_service_gets_the_default_quota(
    app, as_role: Callable, bearer: Callable, db: sqlite_utils.Database
) -> None:
    counter = db.execute("SELECT id FROM counters WHERE kind = 'front_office'").fetchone()[0]
    save_service(
        db,
        letter="E",
        name="Legalisir",
        topics=[],
        active=True,
        actor="supervisor",
        create=True,
        counter_ids=[counter],
    )
    client, _ = as_role("receptionist")
    page = client.get("/reception").get_data(as_text=True)
    assert 'E · Legalisir · <span class="muted">kuota hari ini 0/1</span>' in page
    assert "A · Layanan Informasi · <span" not in page  # A = 0: exempt from the default
    api = app.test_client()
    first = api.post("/api/v1/tickets", json={"service": "E"}, headers=bearer("receptionist"))
    assert first.status_code == 201, first.json
    refused = api.post("/api/v1/tickets", json={"service": "E"}, headers=bearer("receptionist"))
    assert refused.status_code == 409
    assert refused.json["error"] == "quota_reached"
    assert refused.json["message"].startswith(
        "Kuota layanan E (Legalisir) hari ini (1 tiket) sudah habis."
    )
    page = client.get("/reception").get_data(as_text=True)
    assert "kuota hari ini 1/1 (habis)" in page
    again = api.post(
        "/api/v1/tickets", json={"service": "E", "override": True}, headers=bearer("receptionist")
    )
    assert again.status_code == 201 and again.json["label"] == "E-002"
    # A: no quota at all.
    for _ in range(3):
        ok = api.post("/api/v1/tickets", json={"service": "A"}, headers=bearer("receptionist"))
        assert ok.status_code == 201
