"""The ``ult`` command line, through click's runner and as a real process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.conftest import hours_off, hours_off_after_init, make_settings
from ult import accounts
from ult.cli import CommandGroup, main
from ult.settings import load_settings
from ult.store import connect


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("ULT_HOME", str(home))
    monkeypatch.delenv("ULT_CONFIG", raising=False)
    return home


def ult(*args: str, stdin: str | None = None):
    result = CliRunner().invoke(
        main, list(args), input=stdin, catch_exceptions=False, prog_name="ult"
    )
    hours_off_after_init(args)
    return result


def test_every_command_has_help() -> None:
    for command in (
        [],
        ["init"],
        ["issue"],
        ["call"],
        ["status"],
        ["events"],
        ["user"],
        ["user", "add"],
        ["user", "list"],
        ["user", "disable"],
        ["token"],
        ["token", "create"],
        ["correct-day"],
        ["report"],
    ):
        result = ult(*command, "--help")
        assert result.exit_code == 0, command
        assert "Usage: " in result.output


def test_init_writes_settings_and_database_and_is_repeatable(home: Path) -> None:
    first = ult("init")
    assert first.exit_code == 0
    assert (home / "ult.toml").exists() and (home / "ult.db").exists()
    assert "ult user add" in first.output  # tells how to create the first supervisor
    settings = load_settings(home / "ult.toml")
    assert settings.office.timezone == "Asia/Jakarta"
    (home / "ult.toml").write_text('[office]\nname = "ULT BPMP Sumut"\n', encoding="utf-8")
    again = ult("init")
    assert again.exit_code == 0 and "tidak diubah" in again.output
    assert "ULT BPMP Sumut" in (home / "ult.toml").read_text(encoding="utf-8")
    db = connect(home / "ult.db")
    assert db.execute("SELECT COUNT(*) FROM counters").fetchone()[0] == 3


def test_issue_call_status_and_events(home: Path) -> None:
    ult("init")
    issued = ult("issue", "a", "--topic", "Dapodik", "--actor", "resepsionis")
    assert issued.exit_code == 0 and "A-001" in issued.output
    refused = ult("issue", "B", "--priority")
    # A priority ticket names its category (UU 25/2009 Pasal 29), in Indonesian.
    assert refused.exit_code == 2 and "--priority-category" in refused.output
    assert "elderly (lansia)" in refused.output and "ibu hamil" in refused.output
    assert ult("issue", "B", "--priority", "--priority-category", "pregnant").exit_code == 0
    called = ult("call", "Loket 2")
    assert called.exit_code == 0 and "Loket 2 memanggil B-001" in called.output
    status = ult("status")
    assert status.exit_code == 0
    assert "Loket 2        B-001 (dipanggil)" in status.output
    assert "Layanan Informasi" in status.output and "menunggu   1" in status.output
    assert "lainnya" in status.output
    events = ult("events", "--since", "1")
    lines = events.output.strip().splitlines()
    assert [line.split()[5] for line in lines] == ["issued", "issued", "called"]
    assert "resepsionis" in lines[0] and "[SOP 3]" in lines[0]
    as_json = ult("events", "--json")
    assert '"kind": "called"' in as_json.output


def test_idempotency_key_on_the_command_line(home: Path) -> None:
    ult("init")
    ult("issue", "A", "--key", "retry-7")
    again = ult("issue", "A", "--key", "retry-7")
    assert again.exit_code == 0
    assert again.output.strip().splitlines() == [
        "Tiket A-001 sudah diterbitkan untuk permintaan ini sebelumnya."
    ]


def test_commands_before_init_say_to_run_init_and_create_nothing(home: Path) -> None:
    for command in (["issue", "A"], ["status"], ["events"], ["user", "list"]):
        result = ult(*command)
        assert result.exit_code == 2, command
        assert "ult init" in result.output
    assert not home.exists()


def test_init_applies_edited_services_and_counters(home: Path) -> None:
    ult("init")
    text = (home / "ult.toml").read_text(encoding="utf-8")
    text = text.replace(
        'letter = "B"\nname = "Pengaduan"\ntopics = []\nactive = true',
        'letter = "B"\nname = "Pengaduan"\ntopics = []\nactive = false',
    )
    assert "active = false" in text
    (home / "ult.toml").write_text(text, encoding="utf-8")
    applied = ult("init")
    assert applied.exit_code == 0
    assert "Layanan B (Pengaduan) dinonaktifkan" in applied.output
    refused = ult("issue", "B")
    assert refused.exit_code == 1 and "tidak aktif" in refused.output
    assert "diperbarui" not in ult("init").output  # nothing left to apply


def test_database_problems_exit_2_without_traceback(home: Path) -> None:
    ult("init")
    (home / "ult.db").write_bytes(b"this is not a database" * 100)
    for name in ("ult.db-wal", "ult.db-shm"):
        (home / name).unlink(missing_ok=True)
    broken = ult("status")
    assert broken.exit_code == 2
    assert "Basis data" in broken.output and "Traceback" not in broken.output


def test_odd_numbers_and_digits_are_refused_cleanly(home: Path) -> None:
    ult("init")
    assert ult("events", "--since", str(10**20)).exit_code == 2
    odd = ult("call", "²")
    assert odd.exit_code == 1 and "tidak dikenal" in odd.output


def test_refusals_exit_1_with_the_reason(home: Path) -> None:
    ult("init")
    unknown = ult("issue", "Z")
    assert unknown.exit_code == 1 and "Layanan 'Z' tidak dikenal" in unknown.output
    assert ult("call", "Loket 9").exit_code == 1
    ult("issue", "A")
    ult("issue", "A")
    ult("call", "Loket 1")
    busy = ult("call", "Loket 1")
    assert busy.exit_code == 1 and "masih menangani A-001" in busy.output


def test_nothing_waiting_is_success(home: Path) -> None:
    ult("init")
    result = ult("call", "Loket 1")
    assert result.exit_code == 0 and "Tidak ada antrian" in result.output


def test_usage_and_settings_errors_exit_2(home: Path) -> None:
    assert ult("issue").exit_code == 2
    assert ult("events", "--since", "-4").exit_code == 2
    assert ult("user", "add", "siti", "--role", "boss").exit_code == 2
    home.mkdir(parents=True)
    (home / "ult.toml").write_text("[queue]\nrecall_cooldown_seconds = -5\n", encoding="utf-8")
    bad = ult("status")
    assert bad.exit_code == 2
    assert "queue.recall_cooldown_seconds" in bad.output and "-5" in bad.output


def test_user_add_list_disable(home: Path) -> None:
    ult("init")
    added = ult(
        "user", "add", "siti", "--role", "supervisor", "--password-stdin", stdin="rahasia-panjang\n"
    )
    assert added.exit_code == 0
    no_terminal = ult("user", "add", "budi", "--role", "front_office", stdin="katasandi1\n")
    assert no_terminal.exit_code == 2 and "--password-stdin" in no_terminal.output
    piped = ult(
        "user", "add", "budi", "--role", "front_office", "--password-stdin", stdin="katasandi1\n"
    )
    assert piped.exit_code == 0
    listing = ult("user", "list")
    assert "siti" in listing.output and "supervisor" in listing.output and "budi" in listing.output
    assert (
        ult(
            "user", "add", "siti", "--role", "unit", "--password-stdin", stdin="another-one\n"
        ).exit_code
        == 1
    )
    short = ult("user", "add", "ani", "--role", "unit", "--password-stdin", stdin="pendek\n")
    assert short.exit_code == 1 and "8 karakter" in short.output
    empty = ult("user", "add", "xavier", "--role", "unit", "--password-stdin", stdin="\n")
    assert empty.exit_code == 2
    assert ult("user", "add", "X Y", "--role", "unit").exit_code == 1  # refused before a prompt
    assert ult("user", "disable", "budi").exit_code == 0
    assert "nonaktif" in ult("user", "list").output
    assert ult("user", "disable", "nobody").exit_code == 1
    db = connect(home / "ult.db")
    hashes = [r[0] for r in db.execute("SELECT password_hash FROM users")]
    assert all("rahasia" not in h and "katasandi" not in h for h in hashes)


def test_token_is_shown_once_and_stored_hashed(home: Path) -> None:
    ult("init")
    result = ult("token", "create", "kiosk-pintu", "--role", "receptionist")
    assert result.exit_code == 0
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("ult_") and len(secret) > 40
    stored = connect(home / "ult.db").execute("SELECT token_hash, name FROM api_tokens").fetchall()
    assert len(stored) == 1 and secret not in stored[0][0]


@pytest.mark.slow
def test_console_script_runs_as_a_process(tmp_path: Path) -> None:
    """The installed ``ult`` entry point, with its exit codes, in a real process."""
    env = {**os.environ, "ULT_HOME": str(tmp_path / "h")}
    env.pop("ULT_CONFIG", None)
    ult_bin = Path(sys.executable).with_name("ult")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(ult_bin), *args], env=env, capture_output=True, text=True, timeout=60, check=False
        )

    assert run("init").returncode == 0
    hours_off(tmp_path / "h" / "ult.toml")
    assert run("issue", "C").returncode == 0
    refused = run("issue", "Q")
    assert refused.returncode == 1 and "tidak dikenal" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert run("nonsense").returncode == 2


def test_a_database_held_too_long_is_reported(home: Path, monkeypatch) -> None:
    ult("init")
    monkeypatch.setattr("ult.store.BUSY_TIMEOUT_SECONDS", 0.2)
    holder = sqlite3.connect(home / "ult.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = ult("issue", "A")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 2 and "sedang dipakai" in result.output
    assert ult("issue", "A").output.startswith("Tiket A-001")  # nothing was issued meanwhile


def test_correct_day_when_nothing_is_ahead(home: Path) -> None:
    ult("init")
    ult("issue", "A")
    result = ult("correct-day", "--yes", "--actor", "teknisi")
    assert result.exit_code == 0 and "tidak ada yang diubah" in result.output


def test_ticket_preview_reprint_and_print_test(home: Path, tmp_path: Path) -> None:
    from PIL import Image

    ult("init")
    sink = tmp_path / "lp0.bin"
    settings_text = (home / "ult.toml").read_text(encoding="utf-8")
    (home / "ult.toml").write_text(
        settings_text.replace('connection = "preview"', f'connection = "file"\npath = "{sink}"'),
        encoding="utf-8",
    )
    ult("issue", "B")
    png = tmp_path / "b.png"
    preview = ult("ticket", "preview", "B-001", "--png", str(png))
    assert preview.exit_code == 0 and png.exists()
    image = Image.open(png).convert("L")
    assert image.width == 384 and image.getextrema()[0] == 0  # real ink on a paper-wide image
    reprinted = ult("reprint", "B-001")
    assert reprinted.exit_code == 0 and b"B-001" in sink.read_bytes()
    before = sink.stat().st_size
    tested = ult("print-test")
    assert tested.exit_code == 0 and "Tidak diketahui" in tested.output  # a file cannot answer
    assert sink.stat().st_size > before
    assert ult("reprint", "B-404").exit_code == 1


def test_printer_settings_that_cannot_work_exit_2(home: Path) -> None:
    ult("init")
    text = (home / "ult.toml").read_text(encoding="utf-8")
    (home / "ult.toml").write_text(
        text.replace('profile = "default"', 'profile = "NoSuch-1"'), encoding="utf-8"
    )
    result = ult("print-test")
    assert result.exit_code == 2 and "printer.profile" in result.output


def test_an_empty_database_file_is_not_an_empty_queue(home: Path) -> None:
    ult("init")
    ult("issue", "A")
    (home / "ult.db").write_bytes(b"")
    for name in ("ult.db-wal", "ult.db-shm"):
        (home / name).unlink(missing_ok=True)
    result = ult("status")
    assert result.exit_code == 2 and "kosong atau bukan basis data ULT" in result.output
    assert (home / "ult.db").stat().st_size == 0  # nothing was written into it


def test_renaming_a_counter_by_case_keeps_it(home: Path) -> None:
    ult("init")
    text = (home / "ult.toml").read_text(encoding="utf-8")
    (home / "ult.toml").write_text(
        text.replace('name = "Loket 1"', 'name = "LOKET 1"'), encoding="utf-8"
    )
    assert "LOKET 1 diperbarui." in ult("init").output
    ult("issue", "A")
    called = ult("call", "loket 1")
    assert called.exit_code == 0 and "LOKET 1 memanggil A-001" in called.output
    db = connect(home / "ult.db")
    assert db.execute("SELECT COUNT(*) FROM counters").fetchone()[0] == 3


def test_udev_rule_names_only_the_configured_printer(home: Path) -> None:
    ult("init")
    assert ult("udev-rule").exit_code == 2  # the default preview printer is not USB
    text = (home / "ult.toml").read_text(encoding="utf-8")
    usb = 'connection = "usb"\nvendor_id = 0x0416\nproduct_id = 0x5011'
    (home / "ult.toml").write_text(text.replace('connection = "preview"', usb), encoding="utf-8")
    rule = ult("udev-rule").output.strip()
    assert rule == (
        'SUBSYSTEM=="usb", ATTRS{idVendor}=="0416", ATTRS{idProduct}=="5011", '
        'MODE="0660", GROUP="lp"'
    )


def test_voice_build_text_and_say(home: Path, tmp_path: Path) -> None:
    import wave

    ult("init")
    built = ult("voice", "build")
    assert built.exit_code == 0 and (home / "voice" / "default" / "nomor_antrian.wav").exists()
    text = ult("voice", "text", "A-123", "Loket 2")
    assert (
        text.output.strip() == "Nomor antrian, A, seratus dua puluh tiga, silakan menuju loket dua"
    )
    out = tmp_path / "a123.wav"
    said = ult("voice", "say", "A-123", "Loket 2", "--wav", str(out))
    assert said.exit_code == 0
    with wave.open(str(out)) as clip:
        assert clip.getnframes() / clip.getframerate() > 3.0  # chime and nine words
    assert ult("voice", "text", "A-99999", "Loket 2").exit_code == 2
    # A returned case's visitor called back (issue 14): its own phrase, in the built pack.
    back = ult("voice", "text", "A-003", "Loket 2", "--come-back")
    assert back.output.strip() == "Nomor antrian, A, tiga, silakan kembali ke loket dua"
    assert (home / "voice" / "default" / "silakan_kembali_ke.wav").exists()
    come_back = tmp_path / "a003.wav"
    said = ult("voice", "say", "A-003", "Loket 2", "--come-back", "--wav", str(come_back))
    assert said.exit_code == 0 and come_back.stat().st_size > 0


def test_display_screenshot_shows_the_call(home: Path, tmp_path: Path, monkeypatch) -> None:
    from PIL import Image

    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    ult("init")
    ult("issue", "C")
    ult("call", "Loket 2")
    png = tmp_path / "board.png"
    result = ult("display", "--screenshot", str(png), "--size", "1280x720")
    assert result.exit_code == 0
    image = Image.open(png).convert("RGB")
    assert image.size == (1280, 720)
    assert len(image.getcolors(1 << 20)) > 10  # drawn, not a blank screen
    assert ult("display", "--screenshot", str(png), "--size", "12x7").exit_code == 2


def test_init_leaves_a_catalog_edited_on_the_admin_page_until_apply_catalog(home: Path) -> None:
    from ult.catalog import catalog_source, save_service

    assert ult("init").exit_code == 0
    assert "--apply-catalog" in ult("init", "--help").output
    db = connect(home / "ult.db")
    save_service(db, letter="D", name="Pengurusan Berkas", topics=[], active=True, actor="siti")
    kept = ult("init")
    assert kept.exit_code == 0
    assert "dikelola supervisor di halaman admin" in kept.output and "siti" in kept.output
    assert db.execute("SELECT name FROM services WHERE letter = 'D'").fetchone()[0] == (
        "Pengurusan Berkas"
    )
    forced = ult("init", "--apply-catalog")
    assert forced.exit_code == 0 and "Layanan D (Pengurusan) diperbarui." in forced.output
    assert db.execute("SELECT name FROM services WHERE letter = 'D'").fetchone()[0] == "Pengurusan"
    assert catalog_source(db) == "settings"
    db.close()


def test_other_packages_commands_come_from_entry_points() -> None:
    """The core defines only its own commands; kiosk, display and admin add theirs through
    the ``ult.commands`` entry-point group, and ``ult --help`` lists them all."""
    from importlib.metadata import entry_points

    from ult.cli import COMMANDS_GROUP, main

    core = {"init", "issue", "call", "status", "events", "user", "token", "correct-day", "rollover"}
    core |= {"backup", "restore", "doctor", "record", "report"}
    core |= {"survey", "ikm", "purge", "privacy"}  # issue 13: the SKM, its index, personal data
    core |= {"verify"}  # issue 13: the event log's hash chain
    plugins = {point.name: point.value for point in entry_points(group=COMMANDS_GROUP)}
    assert set(main.commands) == core
    assert set(plugins) == {
        "kiosk",
        "reprint",
        "print-test",
        "ticket",
        "udev-rule",
        "display",
        "voice",
        "admin",
    }
    assert all(value.split(".")[0] in {"kiosk", "display", "admin"} for value in plugins.values())
    listed = CliRunner().invoke(main, ["--help"]).output
    for name in core | set(plugins):
        assert f"  {name} " in listed


def test_rollover_shows_the_new_day_empty_before_the_first_visitor(home: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from ult.clock import FakeClock
    from ult.queries import board_state, events_after
    from ult.queue import Queue

    assert ult("init").exit_code == 0
    settings = load_settings()
    db = connect(settings.store.database)
    # Yesterday, 10:00 in Jakarta: a ticket called and one still waiting at closing time.
    yesterday = datetime.now(UTC) - timedelta(days=1)
    clock = FakeClock(yesterday.replace(hour=3, minute=0, second=0, microsecond=0))
    queue = Queue(db, settings, clock=clock)
    queue.issue("A", actor="test")
    queue.issue("A", actor="test")
    queue.call_next(queue.counter("Loket 1").id, actor="test")
    before = board_state(db)
    assert before["last_calls"] and before["waiting"]["A"] == 1
    done = ult("rollover")
    assert done.exit_code == 0, done.output
    assert "Hari antrian baru" in done.output and "2 tiket" in done.output
    assert "WAL digabungkan" in done.output
    after = board_state(db)
    assert after["last_calls"] == []  # no call of yesterday on the morning board
    assert set(after["waiting"].values()) == {0}
    assert all(counter["label"] is None for counter in after["counters"])
    assert events_after(db, 0)[-1].kind == "day_started"
    again = ult("rollover")
    assert again.exit_code == 0 and "sudah berjalan" in again.output
    db.close()


def test_a_full_disk_is_named_as_such(tmp_path: Path, tiny_disk: Path, monkeypatch) -> None:
    from tests.conftest import fill

    monkeypatch.setenv("ULT_HOME", str(tiny_disk))
    monkeypatch.delenv("ULT_CONFIG", raising=False)
    assert ult("init").exit_code == 0
    filler = fill(tiny_disk)
    done = ult("issue", "A")
    assert done.exit_code == 2
    assert "Disk penyimpanan penuh" in done.output and "df -h" in done.output
    assert "cadangan" not in done.output and "tidak dapat dibuka" not in done.output
    filler.unlink()
    assert ult("issue", "A").exit_code == 0


def test_record_rebuild_recomputes_the_step_record(home: Path) -> None:
    ult("init")
    ult("issue", "A")
    ult("call", "Loket 1")
    db = connect(home / "ult.db")
    kept = db.execute("SELECT * FROM step_records").fetchall()
    assert len(kept) == 1  # the wait, closed by the call
    db.execute("DELETE FROM step_records")
    done = ult("record", "rebuild")
    assert done.exit_code == 0 and "1 baris" in done.output
    assert db.execute("SELECT * FROM step_records").fetchall() == kept


def test_user_officer_data_and_weak_passwords(home: Path) -> None:
    ult("init")
    weak = ult(
        "user", "add", "siti", "--role", "supervisor", "--password-stdin", stdin="password\n"
    )
    assert weak.exit_code == 1 and "mudah ditebak" in weak.output
    bad_nip = ult(
        "user", "add", "siti", "--role", "supervisor", "--nip", "123", "--password-stdin",
        stdin="rahasia-panjang\n",
    )  # fmt: skip
    assert bad_nip.exit_code == 1 and "NIP tidak valid" in bad_nip.output
    added = ult(
        "user", "add", "siti", "--role", "kepala", "--full-name", "Dr. Siti Aminah, M.Pd.",
        "--nip", "197001011995032001", "--position", "Kepala BPMP", "--password-stdin",
        stdin="rahasia-panjang\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    listing = ult("user", "list").output
    assert "Dr. Siti Aminah, M.Pd. (NIP 197001011995032001)" in listing and "kepala" in listing
    changed = ult("user", "set", "siti", "--position", "Kepala Balai")
    assert changed.exit_code == 0 and "Dr. Siti Aminah, M.Pd." in changed.output
    db = connect(home / "ult.db")
    user = accounts.get_user(db, "siti")
    assert (user.nip, user.position) == ("197001011995032001", "Kepala Balai")
    assert ult("user", "set", "siti", "--nip", "1").exit_code == 1
    assert accounts.get_user(db, "siti").nip == "197001011995032001"


def test_user_units_binds_a_main_unit_account(home: Path) -> None:
    ult("init")
    ult("user", "add", "humas", "--role", "unit", "--password-stdin", stdin="rahasia-panjang\n")
    bound = ult("user", "units", "humas", "--unit", "Bagian Umum", "--unit", "2")
    assert bound.exit_code == 0, bound.output
    assert "Bagian Umum, Tim Kerja Penjaminan Mutu" in bound.output
    unknown = ult("user", "units", "humas", "--unit", "Unit Hantu")
    assert unknown.exit_code == 1 and "Unit Hantu" in unknown.output
    db = connect(home / "ult.db")
    assert accounts.units_of(db, "humas") == (1, 2)
    assert ult("user", "units", "humas").exit_code == 0
    assert accounts.units_of(db, "humas") == ()


@pytest.mark.parametrize(
    ("args", "usage", "message"),
    [
        (
            ["privacy", "export", "3201010101010001"],
            "Usage: ult privacy export [OPTIONS] NUMBER",
            "Opsi --output wajib diberikan.",
        ),
        (
            ["privacy", "export"],
            "Usage: ult privacy export [OPTIONS] NUMBER",
            "Argumen NUMBER belum diberikan.",
        ),
        (
            ["ikm", "--from", "2026-13-01", "--to", "2026-12-31"],
            "Usage: ult ikm [OPTIONS]",
            "Nilai --from tidak valid: '2026-13-01' (tanggal YYYY-MM-DD).",
        ),
        (
            ["report", "summary", "--format", "pdf"],
            "Usage: ult report [OPTIONS]",
            "Nilai --format tidak valid: 'pdf' (pilihan: table, csv, json, xlsx).",
        ),
        (
            ["admin", "--port", "8o"],
            "Usage: ult admin [OPTIONS]",
            "Nilai --port tidak valid: '8o' (bilangan bulat 0 sampai 65535).",
        ),
        (
            ["admin", "--port", "70000"],
            "Usage: ult admin [OPTIONS]",
            "Nilai --port tidak valid: '70000' (bilangan bulat 0 sampai 65535).",
        ),
        (
            ["events", "--since", "-4"],
            "Usage: ult events [OPTIONS]",
            "Nilai --since tidak valid: '-4' (bilangan bulat ≥ 0).",
        ),
        (
            ["status", "--bogus"],
            "Usage: ult status [OPTIONS]",
            "Opsi --bogus tidak dikenal.",
        ),
        (
            ["kiosk", "--simulat"],
            "Usage: ult kiosk [OPTIONS]",
            "Opsi --simulat tidak dikenal. Mungkin maksudnya: --simulate?",
        ),
        (
            ["--bogus"],
            "Usage: ult [OPTIONS] COMMAND [ARGS]...",
            "Opsi --bogus tidak dikenal.",
        ),
        (
            ["statsu"],
            "Usage: ult [OPTIONS] COMMAND [ARGS]...",
            "Perintah 'statsu' tidak dikenal. Mungkin maksudnya: status?",
        ),
        (
            ["voice", "sya", "A-001", "Loket 1"],
            "Usage: ult voice [OPTIONS] COMMAND [ARGS]...",
            "Perintah 'sya' tidak dikenal. Mungkin maksudnya: say?",
        ),
        (
            ["issue", "A", "B", "C"],
            "Usage: ult issue [OPTIONS] SERVICE",
            "Argumen berlebih: B C.",
        ),
        (
            ["report", "summary", "--output"],
            "Usage: ult report [OPTIONS]",
            "Opsi --output memerlukan nilai.",
        ),
        (
            ["init", "--apply-catalog=yes"],
            "Usage: ult init [OPTIONS]",
            "Opsi --apply-catalog tidak menerima nilai.",
        ),
        (
            ["ticket", "preview"],
            "Usage: ult ticket preview [OPTIONS] TICKET",
            "Argumen TICKET belum diberikan.",
        ),
    ],
)
def test_usage_errors_are_indonesian_with_the_usage_line(
    home: Path, args: list[str], usage: str, message: str
) -> None:
    """Click's own usage errors, for the core's commands and the plugins' alike: the usage
    line, where the help is, then the problem in Indonesian; exit 2; no English."""
    result = ult(*args)
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(usage)
    assert f"Lihat '{usage.split(' [')[0][len('Usage: ') :]} --help' untuk bantuan." in lines
    assert lines[-1] == message
    for english in ("Error", "Invalid", "Missing", "No such", "Try ", "requires", "Got "):
        assert english not in result.output
    assert not (home / "ult.db").exists()  # refused before anything ran


def test_a_folder_where_a_file_belongs_is_named_in_indonesian(home: Path, tmp_path: Path) -> None:
    result = ult("restore", str(tmp_path))
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Nilai FILE tidak valid: '{tmp_path}' (ini folder, bukan berkas)."
    )
    config = ult("--config", str(tmp_path), "status")
    assert config.exit_code == 2
    assert config.output.splitlines()[-1] == (
        f"Nilai --config tidak valid: '{tmp_path}' (ini folder, bukan berkas)."
    )


def test_help_stays_click_english() -> None:
    result = ult("report", "--help")
    assert result.exit_code == 0 and "Usage: ult report" in result.output
    assert "Options:" in result.output and "Lihat" not in result.output


def test_an_unwritable_output_is_named_in_indonesian(home: Path, tmp_path: Path) -> None:
    ult("init")
    target = tmp_path / "tidak-ada" / "laporan.csv"
    result = ult("report", "summary", "--format", "csv", "--output", str(target))
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"Berkas {target} tidak dapat dibaca atau ditulis: folder atau berkas itu tidak ada."
    )
    assert not target.parent.exists()


def test_user_set_without_an_option_saves_nothing_and_says_so(home: Path) -> None:
    ult("init")
    ult(
        "user",
        "add",
        "siti",
        "--role",
        "front_office",
        "--password-stdin",
        stdin="Sangat-rahasia-123\n",
    )
    result = ult("user", "set", "siti")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Tidak ada yang diubah: berikan --full-name, --nip atau --position."
    )
    assert "disimpan" not in result.output


def test_a_commands_own_bad_parameter_keeps_its_text_without_english(home: Path) -> None:
    result = ult("display", "--windowed", "10x10")
    assert result.exit_code == 2
    assert "Invalid value" not in result.output and "10x10" in result.output


def test_a_missing_choice_option_lists_the_choices(home: Path) -> None:
    result = ult("user", "add", "siti")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Opsi --role wajib diberikan. Pilihan: receptionist, front_office, back_office, unit, "
        "supervisor, technician, kepala."
    )


def test_an_open_range_is_said_with_its_bounds() -> None:
    """A range without an upper bound (none in ult today, so a command made here)."""

    @click.command()
    @click.option("--days", type=click.IntRange(1, None))
    @click.option("--share", type=click.FloatRange(0, 1, max_open=True))
    def probe(days: int | None, share: float | None) -> None:
        """Probe."""

    group = CommandGroup(commands={"probe": probe})
    runner = CliRunner()
    days = runner.invoke(group, ["probe", "--days", "0"], prog_name="ult")
    assert days.exit_code == 2
    assert days.output.splitlines()[-1] == "Nilai --days tidak valid: '0' (bilangan bulat ≥ 1)."
    share = runner.invoke(group, ["probe", "--share", "1"], prog_name="ult")
    assert share.output.splitlines()[-1] == (
        "Nilai --share tidak valid: '1' (bilangan ≥ 0 dan < 1)."
    )


def test_the_quota_holds_with_the_hours_off_and_status_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``[hours] enabled = false`` lifts the hours, not the quota (issue 14 review)."""
    home = tmp_path / "quota"
    config = make_settings(home, "[hours]\nenabled = false\nquota = { C = 2, B = 5 }\n")
    monkeypatch.setenv("ULT_HOME", str(home))
    monkeypatch.setenv("ULT_CONFIG", str(config.source))
    assert ult("init").exit_code == 0
    for _ in range(2):
        assert ult("issue", "C").exit_code == 0
    refused = ult("issue", "C")
    assert refused.exit_code == 1
    assert "Kuota layanan C" in refused.output and "sudah habis" in refused.output
    assert ult("issue", "B").exit_code == 0
    shown = ult("status").output
    assert "Kuota hari ini B (" in shown and "1/5 terpakai, sisa 4" in shown
    assert "Kuota hari ini C (" in shown and "2/2 terpakai, habis" in shown
    assert "Kuota hari ini A" not in shown  # no quota, no line
    assert ult("issue", "C", "--override").exit_code == 0
    assert "3/2 terpakai, habis" in ult("status").output
