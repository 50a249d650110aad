"""A full disk on a staff request (issue 12, section 6): the answer says the storage is full,
in Indonesian, not that the database cannot be opened. A real full file system: a small
tmpfs (needs root to mount; skipped otherwise)."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from admin import create_app
from tests.conftest import fresh_database, make_settings
from ult import accounts


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "small"
    folder.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], check=False
        ).returncode
    ):
        pytest.skip("needs root to mount a small tmpfs")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder: Path) -> None:
    """Write until the file system says it is full."""
    with open(folder / "filler", "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC


def test_a_full_disk_is_named_on_the_api_and_the_pages(small: Path) -> None:
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
