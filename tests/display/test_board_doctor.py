"""The board's ``ult doctor`` checks (issue 12, sections 5 and 6): no screen, a screen the
service may not open, no sound device, an audio device that does not exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from display import doctor
from tests.conftest import make_settings
from ult.doctor import Level


@pytest.fixture
def dev(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "dev"
    folder.mkdir()
    monkeypatch.setattr(doctor, "DEV", folder)
    return folder


def test_no_screen_says_how_to_get_one_or_run_without(tmp_path: Path, dev: Path) -> None:
    screen, sound = doctor.board_checks(make_settings(tmp_path / "home"))
    assert screen.level is Level.PROBLEM and "/dev/dri" in screen.text
    assert "vc4-kms-v3d" in screen.fix and "--windowed" in screen.fix
    assert sound.level is Level.WARNING and "aplay -l" in sound.fix


def test_a_screen_and_sound_the_service_may_use(tmp_path: Path, dev: Path) -> None:
    (dev / "dri").mkdir()
    (dev / "dri" / "card1").touch()
    (dev / "snd").mkdir()
    (dev / "snd" / "pcmC0D0p").touch()
    screen, sound = doctor.board_checks(make_settings(tmp_path / "home"))
    assert (screen.level, sound.level) == (Level.OK, Level.OK)


def test_a_screen_without_permission(tmp_path: Path, dev: Path, monkeypatch) -> None:
    (dev / "dri").mkdir()
    (dev / "dri" / "card0").touch()
    monkeypatch.setattr(doctor.os, "access", lambda path, mode: False)
    screen = doctor.board_checks(make_settings(tmp_path / "home"))[0]
    assert screen.level is Level.PROBLEM and "video,render" in screen.fix


def test_sound_switched_off_is_only_noted(tmp_path: Path, dev: Path) -> None:
    sound = doctor.board_checks(make_settings(tmp_path / "home", "[display]\nsound = false\n"))[1]
    assert sound.level is Level.INFO


@pytest.mark.slow
def test_ult_display_by_hand_without_a_screen_says_what_to_do(tmp_path: Path) -> None:
    # Section 6: SDL used to fall back to a driver that draws nowhere, and the board "ran".
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env = {k: v for k, v in env.items() if not k.startswith("SDL_") and k != "INVOCATION_ID"}
    env["ULT_HOME"] = str(tmp_path / "home")
    ult = [str(Path(sys.executable).with_name("ult"))]
    subprocess.run([*ult, "init"], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [*ult, "display", "--silent"], env=env, capture_output=True, text=True, timeout=60
    )
    if "SDL fell back" not in done.stderr and done.returncode == 0:
        pytest.skip("this machine has a screen")
    assert done.returncode == 2
    assert "--windowed" in done.stderr and "--screenshot" in done.stderr
    assert "systemctl start ult-display" in done.stderr
