"""ult.health.check_writable: the write check behind /healthz and the watchdog, on real file
systems (a tmpfs where mounting is allowed)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.conftest import fill, tmpfs
from ult import health
from ult.store import connect


def test_with_room_on_the_disk_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = connect(tmp_path / "ult.db")
    monkeypatch.setattr(health, "SCRATCH_BELOW_BYTES", 1)  # any free space is room

    def no_scratch(*args: object, **kwargs: object) -> None:
        raise AssertionError("a scratch file was written although the disk has room")

    monkeypatch.setattr(tempfile, "mkstemp", no_scratch)
    check = health.check_writable(db, tmp_path / "ult.db")
    db.close()
    assert check.ok and check.cause is None and check.free_bytes > 0


def test_a_nearly_full_disk_is_found_by_the_scratch_write(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "size=4m") as disk:
        db = connect(disk / "ult.db")
        assert health.check_writable(db, disk / "ult.db").ok  # 4 MiB free: scratch written
        filler = fill(disk)
        full = health.check_writable(db, disk / "ult.db")
        filler.unlink()
        db.close()
    assert full.cause == health.DISK_FULL
    assert not [p for p in disk.iterdir() if p.name.startswith(".ult-write")]


def test_a_read_only_file_system_is_named(tmp_path: Path) -> None:
    # The lock check runs on ``db``; the file-system checks on the folder of ``path``: a
    # database folder on a file system mounted read-only (an SD card gone bad).
    db = connect(tmp_path / "ult.db")
    with tmpfs(tmp_path / "disk", "ro") as disk:
        check = health.check_writable(db, disk / "ult.db")
    db.close()
    assert check.cause == health.READ_ONLY and not check.ok
