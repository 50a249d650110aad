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
