"""A full disk on a staff request (issue 12, section 6): the answer says the storage is full,
in Indonesian, not that the database cannot be opened. A real full file system: a small
tmpfs (needs root to mount; skipped otherwise)."""

from __future__ import annotations

from pathlib import Path

from admin import create_app
from tests.conftest import fill, fresh_database, make_settings
from ult import accounts


def test_a_full_disk_is_named_on_the_api_and_the_pages(tiny_disk: Path) -> None:
    small = tiny_disk
    settings = make_settings(small / "home")
    db = fresh_database(settings)
    headers = {"Authorization": f"Bearer {accounts.create_token(db, 'tes', 'receptionist')}"}
    db.close()
    app = create_app(settings, config={"TESTING": True})
    client = app.test_client()
    assert client.post("/api/v1/tickets", json={"service": "A"}, headers=headers).status_code == 201
    fill(small)
    answers = [
        client.post("/api/v1/tickets", json={"service": "A"}, headers=headers)
        for _ in range(200)  # the WAL may take a few tickets before it needs a new page
    ]
    full = [a for a in answers if a.status_code != 201]
    assert full, "the disk never filled"
    assert full[0].status_code == 503 and full[0].json["error"] == "disk_full"
    assert "penuh" in full[0].json["message"] and "ult doctor" in full[0].json["message"]
