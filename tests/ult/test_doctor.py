"""``ult doctor`` (issue 12, section 5): each injected fault gives its finding and fix, a
problem makes the exit code non-zero, and the support bundle carries no personal data."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import zipfile
from datetime import timedelta
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import hours_off_after_init, make_settings
from tests.ult.test_backup import without_privilege
from ult import doctor, system
from ult.cli import main
from ult.clock import utc_now
from ult.doctor import DOCTOR_GROUP, Level, clock_checks, database_checks, redact
from ult.migrations import LATEST
from ult.queue import Queue
from ult.store import connect

NAME = "Siti Rahmawati Kusumaningrum"
NIK = "3273014503900002"
PHONE = "081234567891"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("ULT_HOME", str(home))
    monkeypatch.delenv("ULT_CONFIG", raising=False)
    assert ult("init").exit_code == 0
    return home


def ult(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    hours_off_after_init(args)
    return result


def tool(folder: Path, name: str, script: str) -> None:
    """A stand-in for a system tool on PATH (a real process that prints what we say)."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def findings(home: Path) -> list[doctor.Finding]:
    return doctor.diagnose(home / "ult.toml")[0]


def about(found: list[doctor.Finding], area: str) -> list[tuple[Level, str, str]]:
    return [(f.level, f.text, f.fix) for f in found if f.area == area]


def test_kiosk_and_display_add_their_checks_through_the_entry_point_group() -> None:
    names = {point.name: point.value for point in entry_points(group=DOCTOR_GROUP)}
    assert names == {
        "printer": "kiosk.doctor:printer_checks",
        "gpio": "kiosk.doctor:gpio_checks",
        "board": "display.doctor:board_checks",
    }


def test_a_healthy_core_reports_ok_and_each_finding_has_a_fix(home: Path) -> None:
    found = findings(home)
    core = [f for f in found if f.area in {"settings", "database", "clock", "disk"}]
    assert all(f.level in (Level.OK, Level.INFO) for f in core), core
    assert all(f.fix for f in found if f.level is Level.PROBLEM)
    areas = {f.area for f in found}
    assert {"settings", "database", "clock", "disk", "units", "versions"} <= areas
    assert {"printer", "gpio", "display", "sound"} <= areas


def test_invalid_settings_are_a_problem_with_exit_1(home: Path) -> None:
    (home / "ult.toml").write_text("[queue]\npriority_interleave = 99\n")
    result = ult("doctor")
    assert result.exit_code == 1
    assert "MASALAH" in result.output and "queue.priority_interleave" in result.output


def test_a_missing_database_says_run_init(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "empty")
    [finding] = database_checks(settings)
    assert finding.level is Level.PROBLEM and finding.fix == "ult init"


def test_a_damaged_database_says_which_backup_to_restore(home: Path) -> None:
    path = home / "ult.db"
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 4] = b"\x13" * 4096
    path.write_bytes(bytes(data))
    found = about(findings(home), "database")
    assert any(level is Level.PROBLEM and "ult restore" in fix for level, _, fix in found)


def test_a_newer_database_names_the_backup_to_go_back_to(home: Path) -> None:
    ult("backup")
    with sqlite3.connect(home / "ult.db") as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    found = about(findings(home), "database")
    [(level, _text, fix)] = [f for f in found if "lebih baru" in f[1]]
    assert level is Level.PROBLEM and str(home / "backups" / "ult-") in fix


def test_a_big_wal_is_a_warning(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    held = connect(home / "ult.db", create=False)
    held.execute("CREATE TEMP TABLE x (y)")  # keep a connection: the WAL stays
    ult("issue", "A")
    monkeypatch.setattr(doctor, "WAL_WARN_BYTES", 0)
    found = about(findings(home), "database")
    held.close()
    assert any(level is Level.WARNING and "-wal" in text for level, text, _ in found)


def test_a_clock_behind_the_newest_event_is_a_problem(home: Path) -> None:
    ult("issue", "A")
    settings = make_settings(home, (home / "ult.toml").read_text())
    found = clock_checks(settings, now=lambda: utc_now() - timedelta(days=2))
    assert found[0].level is Level.PROBLEM and "timedatectl" in found[0].fix


@pytest.mark.parametrize(("answer", "level"), [("yes", Level.OK), ("no", Level.WARNING)])
def test_ntp_is_asked_of_timedatectl(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str, level: Level
) -> None:
    tool(tmp_path / "bin", "timedatectl", f"echo {answer}")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    ntp = [f for f in about(findings(home), "clock") if "NTP" in f[1]]
    assert ntp[0][0] is level


def test_a_full_disk_is_a_problem(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor, "DISK_PROBLEM_BYTES", 2**62)
    [(level, _text, fix)] = about(findings(home), "disk")
    assert level is Level.PROBLEM and "df -h" in fix


def test_units_that_do_not_run_are_problems(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tool(
        tmp_path / "bin",
        "systemctl",
        'case "$2" in ult-admin.service) echo active;; *) echo failed; exit 3;; esac',
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    monkeypatch.setattr(system, "systemd_running", lambda: True)
    found = about(findings(home), "units")
    assert [level for level, _, _ in found] == [Level.PROBLEM, Level.PROBLEM, Level.OK]
    assert "journalctl -u ult-kiosk.service" in found[0][2]


def test_without_systemd_the_units_are_not_judged(home: Path, monkeypatch) -> None:
    monkeypatch.setattr(system, "systemd_running", lambda: False)
    [(level, text, _)] = about(findings(home), "units")
    assert level is Level.INFO and "systemd" in text


def test_a_check_that_crashes_is_reported_and_the_others_still_run(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(settings):
        raise RuntimeError("boom")

    monkeypatch.setattr(doctor, "disk_checks", broken)
    found = findings(home)
    assert ("disk", Level.PROBLEM) in {(f.area, f.level) for f in found}
    assert any(f.area == "versions" for f in found)


def test_the_bundle_holds_the_report_journal_and_settings_but_no_personal_data(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(home, (home / "ult.toml").read_text())
    db = connect(settings.store.database, create=False)
    queue = Queue(db, settings)
    ticket = queue.issue("A", actor="resepsionis").ticket
    queue.register_visitor(ticket.id, actor="resepsionis", name=NAME, nik=NIK, phone=PHONE)
    db.close()
    # A journal that (wrongly) carried a NIK and a phone number: they are masked.
    tool(tmp_path / "bin", "journalctl", f'echo "2026-12-06T07:00:01+0700 ult: {NIK} {PHONE}"')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    bundle = tmp_path / "support.zip"
    result = ult("doctor", "--bundle", str(bundle))
    assert "Paket dukungan ditulis" in result.output
    with zipfile.ZipFile(bundle) as opened:
        assert sorted(opened.namelist()) == ["journal.txt", "report.txt", "settings.toml"]
        everything = b"".join(opened.read(name) for name in opened.namelist()).decode()
    assert "[angka]" in everything and "2026-12-06T07:00:01" in everything
    for personal in (NAME, NIK, PHONE, "Siti", PHONE[1:]):
        assert personal not in everything


def test_secrets_are_removed_from_the_settings_copy() -> None:
    text = 'name = "ULT"\nsecret_key = "abc"\n# password = "x" stays a comment\napi_token = 5\n'
    assert redact(text) == (
        'name = "ULT"\nsecret_key = "[dihapus]"\n# password = "x" stays a comment\n'
        'api_token = "[dihapus]"\n'
    )


HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(60)
"""


def test_a_write_lock_held_by_another_process_is_a_problem_with_its_fix(home: Path) -> None:
    assert about(findings(home), "database")[1][1].startswith("Basis data dapat ditulis")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(home / "ult.db")], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        found = about(findings(home), "database")
    finally:
        holder.kill()
        holder.wait()
    assert (Level.OK, f"Basis data utuh (PRAGMA integrity_check): {home / 'ult.db'}", "") in found
    [(_, text, fix)] = [entry for entry in found if entry[0] is Level.PROBLEM]
    assert "kunci tulis dipegang proses lain" in text and "fuser -v" in fix


def test_invalid_settings_still_check_the_database_disk_units_and_versions(
    home: Path, tmp_path: Path
) -> None:
    (home / "ult.toml").write_text(
        '[queue]\npriority_interleave = 99\n[admin]\nsecret_key = "s3cr3t-value"\n'
    )
    found = findings(home)
    assert {"settings", "database", "clock", "disk", "units", "versions"} <= {f.area for f in found}
    assert any(f.area == "database" and f.text.startswith("Basis data utuh") for f in found)
    bundle = tmp_path / "support.zip"
    result = ult("doctor", "--bundle", str(bundle))
    assert result.exit_code == 1 and "Paket dukungan ditulis" in result.output
    with zipfile.ZipFile(bundle) as opened:
        settings_copy = opened.read("settings.toml").decode()
    assert "priority_interleave = 99" in settings_copy and "s3cr3t" not in settings_copy
    assert bundle.stat().st_mode & 0o777 == 0o644


def test_a_bundle_in_a_folder_the_user_cannot_write_says_where_to_write(
    home: Path, tmp_path: Path
) -> None:
    locked = tmp_path / "technician"
    locked.mkdir(mode=0o555)
    result = without_privilege("doctor", "--bundle", str(locked / "support.zip"))
    assert result.returncode == 2, result.stderr
    assert "izin ditolak" in result.stderr and "berjalan sebagai pengguna" in result.stderr
    assert "/tmp" in result.stderr and "Traceback" not in result.stderr
    assert list(locked.iterdir()) == []
