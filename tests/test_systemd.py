"""The unit files: ``systemd-analyze verify`` finds nothing to warn about, each keeps the
settings PITFALLS ("Services") asks for, and ``systemd-analyze security --offline`` finds
no more exposure than when each was written.

``systemd-analyze`` comes from the Debian package ``systemd``. It checks that ExecStart's
binary exists, so the unit is verified from a copy whose ExecStart points at this checkout's
``ult``; every other line is the file as shipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SYSTEMD = Path(__file__).resolve().parent.parent / "systemd"
KIOSK_UNIT = SYSTEMD / "ult-kiosk.service"
DISPLAY_UNIT = SYSTEMD / "ult-display.service"
ADMIN_UNIT = SYSTEMD / "ult-admin.service"
ROLLOVER_UNIT = SYSTEMD / "ult-rollover.service"
BACKUP_UNIT = SYSTEMD / "ult-backup.service"
PURGE_UNIT = SYSTEMD / "ult-purge.service"
TARGET = SYSTEMD / "ult.target"
TIMERS = sorted(SYSTEMD.glob("*.timer"))
DAEMONS = [KIOSK_UNIT, DISPLAY_UNIT, ADMIN_UNIT]
SERVICES = sorted(SYSTEMD.glob("*.service"))
ALL_UNITS = [*SERVICES, *TIMERS, TARGET]
UNITS = pytest.mark.parametrize("unit", DAEMONS, ids=lambda unit: unit.stem)
EXPOSURE = {
    # `systemd-analyze security --offline` when each was written (systemd 252): never more.
    "ult-admin.service": 2.0,
    "ult-display.service": 2.2,
    "ult-kiosk.service": 2.2,
    "ult-rollover.service": 0.6,
    "ult-backup.service": 0.6,
    "ult-purge.service": 0.6,
}
ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(
    ANALYZE is None,
    reason="SKIPPED LOUDLY: systemd-analyze is missing; install the Debian package `systemd` "
    "(make apt-test-deps) or the unit files go unchecked",
)
# Devices the kiosk must see: GPIO chip, USB printer class, USB serial, raw USB (libusb).
KIOSK_DEVICES = ("/dev/gpiochip", "/dev/usb/lp", "/dev/ttyUSB", "/dev/bus/usb")
# What the board must see: DRM (screen and GPU), evdev input, ALSA, and ALSA's card list.
DISPLAY_DEVICES = ("/dev/dri", "/dev/input", "/dev/snd", "/proc/asound")


def unit_keys(text: str) -> dict[str, dict[str, list[str]]]:
    """``{section: {key: [values...]}}``; systemd allows a key more than once."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def runnable_copy(unit: Path, directory: Path) -> Path:
    """``unit`` copied into ``directory`` with ExecStart's ``ult`` replaced by this venv's
    (a timer or target, which has none, is copied as it is)."""
    ult = Path(sys.executable).with_name("ult")
    assert ult.exists(), f"{ult} missing: install the project (make test does)"
    text = unit.read_text(encoding="utf-8")
    text, count = re.subn(r"^ExecStart=\S+", f"ExecStart={ult}", text, flags=re.MULTILINE)
    assert count == (1 if unit.suffix == ".service" else 0)
    copy = directory / unit.name
    copy.write_text(text, encoding="utf-8")
    return copy


def words(values: list[str]) -> list[str]:
    """The space-separated items of every occurrence of a list key (After=, Conflicts=...)."""
    return [word for value in values for word in value.split()]


@needs_analyze
@pytest.mark.parametrize("unit", ALL_UNITS, ids=lambda unit: unit.name)
def test_unit_passes_systemd_analyze_verify_without_warnings(unit: Path, tmp_path: Path) -> None:
    assert ANALYZE is not None
    # Every unit beside it: a timer names its service, the services name the target.
    for other in ALL_UNITS:
        runnable_copy(other, tmp_path)
    copy = tmp_path / unit.name
    result = subprocess.run(
        [ANALYZE, "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == ""


@needs_analyze
@pytest.mark.parametrize("unit", SERVICES, ids=lambda unit: unit.stem)
def test_unit_is_hardened(unit: Path, tmp_path: Path) -> None:
    assert ANALYZE is not None
    copy = runnable_copy(unit, tmp_path)
    result = subprocess.run(
        [ANALYZE, "security", "--offline=yes", "--no-pager", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout + result.stderr)
    assert found is not None, result.stdout + result.stderr
    # 10 would be a root service with no hardening at all.
    assert float(found[1]) <= EXPOSURE[unit.name]


def test_kiosk_unit_keeps_the_devices_and_restarts_for_ever() -> None:
    keys = unit_keys(KIOSK_UNIT.read_text(encoding="utf-8"))
    unit, service = keys["Unit"], keys["Service"]
    assert service["ExecStart"][0].split()[1:] == ["kiosk"]
    assert service["User"] not in (["root"], ["0"])
    assert set(service["SupplementaryGroups"][0].split()) >= {"gpio", "lp", "dialout"}
    assert service["Restart"] == ["always"]
    assert unit["StartLimitIntervalSec"] == ["0"]  # the start limit never leaves it dead
    environment = dict(v.split("=", 1) for v in service["Environment"])
    assert environment["ULT_HOME"] == "/var/lib/ult"
    assert environment["ESCPOS_CAPABILITIES_PICKLE_DIR"] == "/var/cache/ult"
    assert service["CacheDirectory"] == ["ult"]  # systemd creates the pickle directory
    assert service["WorkingDirectory"] == ["/var/lib/ult"] == [environment["LG_WD"]]
    assert service["StateDirectory"] == ["ult"]  # the working directory is writable
    # Nothing that hides or filters devices: no private /dev, no device allow list.
    for hiding in ("PrivateDevices", "DevicePolicy", "DeviceAllow", "ProtectClock", "ProcSubset"):
        assert hiding not in service, hiding
    for key in ("InaccessiblePaths", "TemporaryFileSystem", "BindPaths"):
        for value in service.get(key, []):
            assert not any(device.startswith(value) for device in KIOSK_DEVICES), value


def test_display_unit_runs_the_board_as_the_kiosk_user_with_the_device_groups() -> None:
    kiosk = unit_keys(KIOSK_UNIT.read_text(encoding="utf-8"))["Service"]
    service = unit_keys(DISPLAY_UNIT.read_text(encoding="utf-8"))["Service"]
    program, *arguments = service["ExecStart"][0].split()
    assert arguments == ["display"]
    assert program == kiosk["ExecStart"][0].split()[0]  # the same installed ``ult``
    assert service["User"] == kiosk["User"] == ["ult"]
    assert service["Group"] == kiosk["Group"]
    assert service["User"] not in (["root"], ["0"])
    assert "DynamicUser" not in service  # a fixed user, so the groups and the home are its own
    # DRM card and render node, evdev input, ALSA.
    assert set(words(service["SupplementaryGroups"])) >= {"video", "render", "input", "audio"}
    assert service["NoNewPrivileges"] == ["yes"]
    assert service["CapabilityBoundingSet"] == [""]


def test_display_unit_drives_the_tv_through_kms_and_plays_through_alsa() -> None:
    kiosk = unit_keys(KIOSK_UNIT.read_text(encoding="utf-8"))["Service"]
    service = unit_keys(DISPLAY_UNIT.read_text(encoding="utf-8"))["Service"]
    environment = dict(v.split("=", 1) for v in service["Environment"])
    kiosk_environment = dict(v.split("=", 1) for v in kiosk["Environment"])
    assert environment["SDL_VIDEODRIVER"] == "kmsdrm"
    assert environment["SDL_AUDIODRIVER"] == "alsa"
    assert environment["PYGAME_HIDE_SUPPORT_PROMPT"] == "1"
    assert environment["ULT_HOME"] == kiosk_environment["ULT_HOME"] == "/var/lib/ult"
    assert service["StateDirectory"] == kiosk["StateDirectory"] == ["ult"]
    assert service["WorkingDirectory"] == ["/var/lib/ult"]
    # Mesa's shader cache in a directory systemd creates, not the hidden home.
    assert service["CacheDirectory"] == ["ult"]
    assert environment["XDG_CACHE_HOME"] == "/var/cache/ult"


def test_display_unit_restarts_for_ever_and_takes_tty1_from_the_getty() -> None:
    keys = unit_keys(DISPLAY_UNIT.read_text(encoding="utf-8"))
    unit, service, install = keys["Unit"], keys["Service"], keys["Install"]
    assert service["Restart"] == ["on-failure"]
    assert 1 <= int(service["RestartSec"][0]) <= 30
    assert unit["StartLimitIntervalSec"] == ["0"]  # the start limit never leaves the TV dark
    assert "getty@tty1.service" in words(unit["Conflicts"])
    after = words(unit["After"])
    for before in ("getty@tty1.service", "systemd-user-sessions.service", "sound.target"):
        assert before in after, before
    assert install["WantedBy"] == ["ult.target"]


def test_display_unit_keeps_the_screen_input_and_sound_devices() -> None:
    service = unit_keys(DISPLAY_UNIT.read_text(encoding="utf-8"))["Service"]
    assert service.get("PrivateDevices", ["no"]) == ["no"]  # yes would hide /dev/dri
    # No device allow list (resolved once at start, before the DRM and sound modules may be
    # loaded), no /proc subset (hides /proc/asound), no user namespace (hides the groups).
    for hiding in ("DevicePolicy", "DeviceAllow", "ProtectClock", "ProcSubset", "PrivateUsers"):
        assert hiding not in service, hiding
    for key in ("InaccessiblePaths", "TemporaryFileSystem", "BindPaths", "ReadOnlyPaths"):
        for value in service.get(key, []):
            assert not any(device.startswith(value) for device in DISPLAY_DEVICES), value


@pytest.mark.parametrize("unit", SERVICES, ids=lambda unit: unit.stem)
def test_unit_runs_an_existing_ult_command(unit: Path) -> None:
    import click

    from ult.cli import main

    command = unit_keys(unit.read_text(encoding="utf-8"))["Service"]["ExecStart"][0].split()[1]
    with click.Context(main) as ctx:
        found = main.get_command(ctx, command)
    if found is None and command == "backup":
        pytest.skip("`ult backup` comes with the backup work of issue 12 (branch ops-backup)")
    assert found is not None, command


def test_admin_unit_serves_as_the_appliance_user_and_restarts_for_ever() -> None:
    keys = unit_keys(ADMIN_UNIT.read_text(encoding="utf-8"))
    unit, service = keys["Unit"], keys["Service"]
    assert service["ExecStart"][0].split()[1:] == ["admin"]
    assert service["User"] == ["ult"] and service["Restart"] == ["always"]
    assert unit["StartLimitIntervalSec"] == ["0"]
    assert "ULT_HOME=/var/lib/ult" in service["Environment"]


# ----------------------------------------------------------------------------- issue 12, §3


def test_the_target_starts_and_stops_the_appliance_as_one() -> None:
    assert unit_keys(TARGET.read_text(encoding="utf-8"))["Install"]["WantedBy"] == [
        "multi-user.target"
    ]
    for unit in [*SERVICES, *TIMERS]:
        keys = unit_keys(unit.read_text(encoding="utf-8"))
        assert "ult.target" in words(keys["Unit"].get("PartOf", [])), unit.name
    # Enabled with the target: the daemons and the timers; the oneshots come from a timer.
    for unit in [*DAEMONS, *TIMERS]:
        keys = unit_keys(unit.read_text(encoding="utf-8"))
        assert keys["Install"]["WantedBy"] == ["ult.target"], unit.name
    for oneshot in (ROLLOVER_UNIT, BACKUP_UNIT, PURGE_UNIT):
        keys = unit_keys(oneshot.read_text(encoding="utf-8"))
        assert keys["Service"]["Type"] == ["oneshot"] and "Install" not in keys
        assert (SYSTEMD / f"{oneshot.stem}.timer").exists()


@UNITS
def test_daemons_are_notify_services_with_a_watchdog(unit: Path) -> None:
    service = unit_keys(unit.read_text(encoding="utf-8"))["Service"]
    assert service["Type"] == ["notify"] and service["NotifyAccess"] == ["main"]
    watchdog = int(service["WatchdogSec"][0])
    # Long enough for the slowest legitimate turn of each loop (the kiosk: one ticket with
    # the longest printer timeouts, which also bounds its stop), short enough to matter.
    assert 10 <= watchdog <= 150
    if unit == KIOSK_UNIT:
        assert watchdog >= int(service["TimeoutStopSec"][0])


@pytest.mark.parametrize("unit", [ADMIN_UNIT, KIOSK_UNIT, ROLLOVER_UNIT], ids=lambda u: u.stem)
def test_units_that_read_the_clock_start_after_time_sync(unit: Path) -> None:
    keys = unit_keys(unit.read_text(encoding="utf-8"))
    assert "time-sync.target" in words(keys["Unit"]["After"])
    # Ordered after it, never waiting for it: an office without internet still starts.
    assert "time-sync.target" not in words(keys["Unit"].get("Wants", []))
    assert "time-sync.target" not in words(keys["Unit"].get("Requires", []))


def test_rollover_timer_fires_at_the_default_reset_time_in_the_office_zone() -> None:
    from ult.settings import OfficeSettings, QueueSettings

    office, queue = OfficeSettings(), QueueSettings()
    timer = unit_keys((SYSTEMD / "ult-rollover.timer").read_text(encoding="utf-8"))["Timer"]
    (calendar,) = timer["OnCalendar"]
    day, clock, zone = calendar.split()
    assert day == "*-*-*" and zone == office.timezone
    hours, minutes, _ = clock.split(":")
    assert (int(hours), int(minutes)) == (queue.day_reset.hour, queue.day_reset.minute)
    assert timer["Persistent"] == ["true"]  # a Pi off at the reset rolls over at boot


@needs_analyze
def test_timers_calendars_are_understood_by_systemd() -> None:
    assert ANALYZE is not None
    for timer in TIMERS:
        keys = unit_keys(timer.read_text(encoding="utf-8"))["Timer"]
        for calendar in keys["OnCalendar"]:
            result = subprocess.run(
                [ANALYZE, "calendar", calendar], capture_output=True, text=True, timeout=30
            )
            assert result.returncode == 0 and "Next elapse" in result.stdout, result.stderr
