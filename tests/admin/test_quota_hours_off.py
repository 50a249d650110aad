"""A daily quota is a limit of its own: it holds, and the reception sees it, while the
opening hours are not enforced (``[hours] enabled = false``; review of issue 14)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import make_settings
from ult.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home", "[hours]\nenabled = false\nquota = { C = 2 }\n")


def test_the_quota_holds_with_the_hours_off(app, as_role: Callable, bearer: Callable) -> None:
    api = app.test_client()
    for _ in range(2):
        issued = api.post("/api/v1/tickets", json={"service": "C"}, headers=bearer("receptionist"))
        assert issued.status_code == 201, issued.json
    refused = api.post("/api/v1/tickets", json={"service": "C"}, headers=bearer("receptionist"))
    assert refused.status_code == 409 and refused.json["error"] == "quota_reached"
    client, _ = as_role("receptionist")
    page = client.get("/reception").get_data(as_text=True)
    assert "kuota hari ini 2/2 (habis)" in page
    assert "kuota hari ini" not in page.split("kuota hari ini 2/2 (habis)", 1)[1]  # C only
