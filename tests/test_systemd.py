"""The unit files: ``systemd-analyze verify`` finds nothing to warn about, and each keeps the
settings PITFALLS ("Services") asks for.

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
UNITS = pytest.mark.parametrize(
    "unit", [KIOSK_UNIT, DISPLAY_UNIT, ADMIN_UNIT], ids=lambda unit: unit.stem
)
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
    """``unit`` copied into ``directory`` with ExecStart's ``ult`` replaced by this venv's."""
    ult = Path(sys.executable).with_name("ult")
    assert ult.exists(), f"{ult} missing: install the project (make test does)"
    text = unit.read_text(encoding="utf-8")
    text, count = re.subn(r"^ExecStart=\S+", f"ExecStart={ult}", text, flags=re.MULTILINE)
    assert count == 1
    copy = directory / unit.name
    copy.write_text(text, encoding="utf-8")
    return copy


def words(values: list[str]) -> list[str]:
    """The space-separated items of every occurrence of a list key (After=, Conflicts=...)."""
    return [word for value in values for word in value.split()]


@needs_analyze
@UNITS
def test_unit_passes_systemd_analyze_verify_without_warnings(unit: Path, tmp_path: Path) -> None:
    assert ANALYZE is not None
    copy = runnable_copy(unit, tmp_path)
    result = subprocess.run(
        [ANALYZE, "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == ""


@needs_analyze
@UNITS
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
    # 2.2 for both when written ("OK"); 10 is a root service with no hardening at all.
    assert float(found[1]) <= 3.0


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
    assert install["WantedBy"] == ["multi-user.target"]


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


@UNITS
def test_unit_runs_an_existing_ult_command(unit: Path) -> None:
    import click

    from ult.cli import main

    command = unit_keys(unit.read_text(encoding="utf-8"))["Service"]["ExecStart"][0].split()[1]
    with click.Context(main) as ctx:
        assert main.get_command(ctx, command) is not None, command


def test_admin_unit_serves_as_the_appliance_user_and_restarts_for_ever() -> None:
    keys = unit_keys(ADMIN_UNIT.read_text(encoding="utf-8"))
    unit, service = keys["Unit"], keys["Service"]
    assert service["ExecStart"][0].split()[1:] == ["admin"]
    assert service["User"] == ["ult"] and service["Restart"] == ["always"]
    assert unit["StartLimitIntervalSec"] == ["0"]
    assert "ULT_HOME=/var/lib/ult" in service["Environment"]
