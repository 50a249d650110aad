"""Backup, restore and the backup before a migration (issue 12, section 4): real SQLite files,
real writer processes, the ``ult`` commands as a technician runs them."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import fill, hours_off_after_init, tmpfs
from ult import system
from ult.backup import BackupInvalid, list_backups, prune, verify_backup, write_backup
from ult.cli import main
from ult.migrations import LATEST
from ult.store import OWNER_LOCK_NAME, connect, migrate

WRITER = textwrap.dedent(
    """
    import os, sys, time
    from ult.queue import Queue
    from ult.settings import load_settings
    from ult.store import connect
    settings = load_settings()
    db = connect(settings.store.database, create=False)
    queue = Queue(db, settings)
    count = int(sys.argv[1])
    for _ in range(count):
        queue.issue("A", actor="writer")
        time.sleep(0.02)  # a visitor a moment: backups taken meanwhile land mid-stream
    print("issued", flush=True)
    if len(sys.argv) > 2:  # stay open, holding the database, until killed
        time.sleep(600)
    """
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("ULT_HOME", str(home))
    monkeypatch.delenv("ULT_CONFIG", raising=False)
    assert ult("init").exit_code == 0
    return home


def ult(*args: str, stdin: str | None = None):
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    hours_off_after_init(args)
    return result


def without_privilege(*args: str) -> subprocess.CompletedProcess[str]:
    """``ult ARGS`` in a real process that obeys file modes as the user ``ult`` does: as
    root, with the capabilities that bypass them (DAC override) dropped."""
    command = [sys.executable, "-c", "from ult.cli import main; main()", *args]
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def labels(path: Path) -> list[str]:
    """Ticket labels in the database at ``path``, read without writing anything beside it."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT label FROM tickets ORDER BY id")]
    finally:
        conn.close()


def writer(home: Path, count: int, *, hold: bool = False) -> subprocess.Popen[str]:
    args = [sys.executable, "-c", WRITER, str(count), *(["hold"] if hold else [])]
    env = {**os.environ, "ULT_HOME": str(home)}
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)


def test_backup_is_one_verified_file_named_by_time_and_old_ones_are_pruned(home: Path) -> None:
    (home / "ult.toml").write_text(
        (home / "ult.toml").read_text().replace("backups_kept = 14", "backups_kept = 2")
    )
    ult("issue", "A")
    made = []
    for _ in range(3):
        result = ult("backup")
        assert result.exit_code == 0, result.output
        made.append(list_backups(home / "backups")[-1])
    kept = list_backups(home / "backups")
    assert kept == made[1:]  # the newest two, oldest first: names sort by time
    assert "Cadangan lama dihapus" in result.output
    for path in kept:
        assert path.read_bytes()[18:20] == b"\x01\x01"  # rollback journal: one file alone
        assert not Path(f"{path}-wal").exists()
        assert verify_backup(path).events == 2  # day_started, issued
    assert labels(kept[-1]) == ["A-001"]


def test_backup_to_a_usb_folder_needs_it_to_exist(home: Path, tmp_path: Path) -> None:
    stick = tmp_path / "media" / "usb"
    result = ult("backup", str(stick))
    assert result.exit_code == 2 and "tidak ada" in result.output and "lsblk" in result.output
    assert not stick.exists()  # never created: it would fill the SD card, not the stick
    stick.mkdir(parents=True)
    assert ult("backup", str(stick)).exit_code == 0
    assert len(list_backups(stick)) == 1


def test_a_backup_is_never_overwritten(tmp_path: Path, home: Path) -> None:
    db = connect(home / "ult.db", create=False)
    first = write_backup(db.conn, tmp_path / "b").path
    before = first.read_bytes()
    second = write_backup(db.conn, tmp_path / "b").path
    assert first != second and first.read_bytes() == before
    assert prune(tmp_path / "b", 5) == []
    db.close()


def test_a_full_disk_says_what_to_do(home: Path, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "size=64k") as small:
        result = ult("backup", str(small))
    assert result.exit_code == 2, result.output
    assert f"Tujuan cadangan {small} penuh" in result.output
    assert "Data peralatan sendiri tidak terganggu" in result.output
    assert "Traceback" not in result.output


def test_an_unmounted_stick_folder_is_refused_not_filled(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    media = tmp_path / "media"
    stick = media / "usb"
    stick.mkdir(parents=True)
    monkeypatch.setattr("ult.backup.REMOVABLE_ROOTS", (media,))
    result = ult("backup", str(stick))
    assert result.exit_code == 2 and "flashdisk belum terpasang" in result.output
    assert list(stick.iterdir()) == []  # nothing landed on the SD card


def test_a_folder_the_user_cannot_write_names_the_folder_and_user(
    home: Path, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    if os.geteuid() == 0:
        # root writes anywhere except on a read-only mount (what a root-owned stick is to ult)
        with tmpfs(stick, "ro"):
            result = ult("backup", str(stick))
    else:
        stick.mkdir()
        stick.chmod(0o555)
        result = ult("backup", str(stick))
    assert result.exit_code == 2, result.output
    assert f"Folder tujuan {stick} tidak dapat ditulis oleh pengguna" in result.output
    assert "Basis data tidak bermasalah" in result.output and "chown" in result.output
    assert "pulihkan dari cadangan" not in result.output


def test_backups_are_0640_whatever_the_umask(home: Path, tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        db = connect(home / "ult.db", create=False)
        made = write_backup(db.conn, tmp_path / "b").path
        db.close()
    finally:
        os.umask(previous)
    assert made.stat().st_mode & 0o777 == 0o640


def test_prune_keeps_tagged_backups_and_foreign_files(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    db = connect(home / "ult.db", create=False)
    tagged = [
        write_backup(db.conn, folder, tag=tag).path for tag in ("before-v2", "before-restore")
    ]
    plain = [write_backup(db.conn, folder).path for _ in range(3)]
    db.close()
    foreign = folder / "ult-20260101T000000000000Z-photos.db"
    other = folder / "ult-notes.db"
    foreign.write_text("x")
    other.write_text("x")
    assert prune(folder, 2) == plain[:1]
    assert all(path.exists() for path in [*tagged, *plain[1:], foreign, other])


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not a database at all, just text" * 10, "not_sqlite"),
        (None, "missing"),
    ],
)
def test_restore_refuses_what_is_not_a_backup(
    home: Path, tmp_path: Path, content: bytes | None, reason: str
) -> None:
    bad = tmp_path / "bad.db"
    if content is not None:
        bad.write_bytes(content)
    ult("issue", "A")
    before = labels(home / "ult.db")
    result = ult("restore", str(bad), "--yes")
    assert result.exit_code == 1
    with pytest.raises(BackupInvalid) as caught:
        verify_backup(bad)
    assert caught.value.reason == reason
    assert labels(home / "ult.db") == before


def test_verify_finds_damage_foreign_files_and_newer_schemas(tmp_path: Path, home: Path) -> None:
    db = connect(home / "ult.db", create=False)
    good = write_backup(db.conn, tmp_path / "b").path
    db.close()
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    data[4096 * 2 : 4096 * 3] = b"\xff" * 4096  # a page of garbage
    damaged.write_bytes(bytes(data))
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE x (y)").connection.commit()
    newer = tmp_path / "newer.db"
    shutil.copy(good, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    for path, reason in ((damaged, "damaged"), (foreign, "not_ours"), (newer, "too_new")):
        with pytest.raises(BackupInvalid) as caught:
            verify_backup(path)
        assert caught.value.reason == reason, path
        result = ult("restore", str(path), "--yes")
        assert result.exit_code == 1 and "tidak ada yang diubah" in result.output.lower()


@pytest.mark.slow
def test_copying_over_a_live_database_kept_the_newer_wal_and_restore_does_not(
    home: Path, tmp_path: Path
) -> None:
    # The report: a writer killed (or still running) leaves its newer commits in
    # -wal; a backup copied over ult.db "restores" nothing, because the next open replays
    # that WAL onto the copied file.
    database = home / "ult.db"
    ult("issue", "A")
    assert ult("backup").exit_code == 0
    saved = list_backups(home / "backups")[-1]
    held = writer(home, 3, hold=True)
    assert held.stdout.readline().strip() == "issued"
    held.send_signal(signal.SIGKILL)  # no clean close: its commits stay in -wal
    held.wait()
    assert Path(f"{database}-wal").stat().st_size > 0

    naive = tmp_path / "naive"
    naive.mkdir()
    for suffix in ("", "-wal", "-shm"):
        shutil.copy(f"{database}{suffix}", naive / f"ult.db{suffix}")
    shutil.copy(saved, naive / "ult.db")  # what the technician did
    replayed = connect(naive / "ult.db", create=False)
    assert [r["label"] for r in replayed.query("SELECT label FROM tickets")] != ["A-001"]
    replayed.close()

    result = ult("restore", str(saved), "--yes")
    assert result.exit_code == 0, result.output
    assert labels(database) == ["A-001"]  # exactly the backup
    restored = connect(database, create=False)
    kinds = [r["kind"] for r in restored.query("SELECT kind FROM events ORDER BY id")]
    assert kinds == ["day_started", "issued", "restored"]
    restored.close()
    # The database it replaced is kept, with the writer's tickets in it.
    previous = list_backups(home / "backups")[-1]
    assert previous.name.endswith("-before-restore.db")
    assert labels(previous) == ["A-001", "A-002", "A-003", "A-004"]


@pytest.mark.slow
def test_restore_refuses_while_another_process_has_the_database_open(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ult("backup")
    saved = list_backups(home / "backups")[-1]
    held = writer(home, 1, hold=True)
    try:
        assert held.stdout.readline().strip() == "issued"
        result = ult("restore", str(saved), "--yes")
        assert result.exit_code == 1 and "sedang dipakai (connection)" in result.output
        assert "--stop-services" in result.output
        # Told to stop the services, but what holds it is no unit systemd runs here.
        monkeypatch.setattr(system, "systemd_running", lambda: False)
        result = ult("restore", str(saved), "--yes", "--stop-services")
        assert result.exit_code == 1 and "fuser" in result.output
    finally:
        held.kill()
        held.wait()
    assert labels(home / "ult.db") == ["A-001"]  # nothing changed


def test_restore_refuses_while_the_kiosk_holds_its_lock(home: Path) -> None:
    import fcntl

    ult("backup")
    saved = list_backups(home / "backups")[-1]
    with open(home / OWNER_LOCK_NAME, "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = ult("restore", str(saved), "--yes")
    assert result.exit_code == 1 and "(kiosk)" in result.output


@pytest.mark.slow
def test_round_trip_under_load_loses_nothing_the_backup_held(home: Path) -> None:
    database = home / "ult.db"
    settings = home / "ult.toml"
    settings.write_text(settings.read_text().replace("backups_kept = 14", "backups_kept = 1000"))
    writers = [writer(home, 60) for _ in range(2)]
    taken = []
    try:
        while any(w.poll() is None for w in writers) or len(taken) < 3:
            committed = set(labels(database))  # committed before the backup began
            result = ult("backup")
            assert result.exit_code == 0, result.output
            saved = list_backups(home / "backups")[-1]
            held = set(labels(saved))
            assert committed <= held, "a backup lost a committed ticket"
            taken.append((saved, held))
    finally:
        for w in writers:
            w.wait()
    assert all(w.returncode == 0 for w in writers)
    assert len(labels(database)) == 120
    during = [(path, held) for path, held in taken if 0 < len(held) < 120]
    assert during, "no backup was taken while the writers wrote"
    middle, held = during[len(during) // 2]
    result = ult("restore", str(middle), "--yes")
    assert result.exit_code == 0, result.output
    assert set(labels(database)) == held
    assert verify_backup(database).events == verify_backup(middle).events + 1


def test_a_migration_is_preceded_by_a_backup_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "ult.db"
    old = connect(path, migrate_schema=False)
    migrate(old, target=1)
    old.close()
    with caplog.at_level(logging.INFO, logger="ult.store"):
        db = connect(path)
    saved = list_backups(tmp_path / "backups")
    assert [p.name.endswith(f"-before-v{LATEST}.db") for p in saved] == [True]
    assert verify_backup(saved[0]).schema_version == 1
    text = caplog.text
    assert str(saved[0]) in text and f"migrated from schema 1 to {LATEST}" in text
    db.close()
    # A new, empty database has nothing to keep.
    connect(tmp_path / "new" / "ult.db").close()
    assert list_backups(tmp_path / "new" / "backups") == []


def test_a_newer_database_is_refused_naming_the_backup_to_go_back_to(home: Path) -> None:
    ult("backup")
    saved = list_backups(home / "backups")[-1]
    with sqlite3.connect(home / "ult.db") as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    result = ult("status")
    assert result.exit_code == 2
    assert "lebih baru" in result.output and f"ult restore {saved}" in result.output


def test_a_write_on_a_full_disk_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tmpfs(tmp_path / "small", "size=4m") as small:
        monkeypatch.setenv("ULT_HOME", str(small / "home"))
        assert ult("init").exit_code == 0
        fill(small)
        results = [ult("issue", "A") for _ in range(100)]
    failed = [r for r in results if r.exit_code != 0]
    assert failed and failed[0].exit_code == 2
    assert "Disk penyimpanan penuh" in failed[0].output and "df -h" in failed[0].output
    assert "pulihkan" not in failed[0].output.lower()  # never "restore from backup"


@pytest.mark.slow
def test_stop_services_stops_the_running_units_restores_and_starts_them_again(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ult("backup")
    saved = list_backups(home / "backups")[-1]
    held = writer(home, 2, hold=True)  # a "service" that has the database open
    assert held.stdout.readline().strip() == "issued"
    calls = tmp_path / "systemctl.log"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "systemctl"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {calls}\n'
        'case "$1" in\n'
        "  is-active) exit 0;;\n"
        f"  stop) kill {held.pid};;\n"
        "esac\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setattr(system, "systemd_running", lambda: True)
    try:
        result = ult("restore", str(saved), "--yes", "--stop-services")
    finally:
        held.kill()
        held.wait()
    assert result.exit_code == 0, result.output
    assert labels(home / "ult.db") == []  # the backup was taken before the writer's tickets
    assert labels(list_backups(home / "backups")[-1]) == ["A-001", "A-002"]  # kept
    log = calls.read_text().splitlines()
    units = " ".join(system.UNITS)
    assert log[-2:] == [f"stop {units}", f"start {units}"]
    assert "Layanan dijalankan lagi" in result.output


def test_a_backup_file_the_user_cannot_read_says_the_command_runs_as_another_user(
    home: Path, tmp_path: Path
) -> None:
    db = connect(home / "ult.db", create=False)
    made = write_backup(db.conn, tmp_path / "mine").path
    db.close()
    # Both as the technician meets them: a file with no read permission, and one in a home
    # folder closed to others (~/backup.db).
    shut = tmp_path / "shut"
    shut.mkdir()
    hidden = shut / made.name
    shutil.copy(made, hidden)
    shut.chmod(0o000)
    made.chmod(0o000)
    before = (home / "ult.db").read_bytes()
    for path in (made, hidden):
        result = without_privilege("restore", str(path), "--yes")
        assert result.returncode == 2, result.stderr
        assert f"{path}: izin ditolak" in result.stderr
        assert "berjalan sebagai pengguna" in result.stderr and "/tmp" in result.stderr
        assert "Traceback" not in result.stderr
    shut.chmod(0o700)
    assert (home / "ult.db").read_bytes() == before
