"""The kiosk's ``ult doctor`` checks (issue 12, sections 5 and 6): a printer without
permission, no libusb, a wrong printer id, an unreachable network printer, no GPIO; each
finding says what to do. There is no USB printer here: the USB lookups are replaced by the
fault under test."""

from __future__ import annotations

import fcntl
import socket
from pathlib import Path

import pytest

from kiosk import doctor
from kiosk.requests import owner_lock_path
from tests.conftest import make_settings
from ult.doctor import Level
from ult.settings import Settings

USB = '[printer]\nconnection = "usb"\nvendor_id = 0x04b8\nproduct_id = 0x0e15\n'


def usb_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home", USB)


def first(found):
    return found[0].level, found[0].text, found[0].fix


def test_no_libusb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor, "usb_backend", lambda: None)
    level, text, fix = first(doctor.printer_checks(usb_settings(tmp_path)))
    assert level is Level.PROBLEM and "libusb" in text
    assert "apt install libusb-1.0-0" in fix


def test_a_wrong_printer_id_lists_what_lsusb_would_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(doctor, "usb_backend", lambda: object())
    monkeypatch.setattr(
        doctor, "usb_devices", lambda backend: [(0x0416, 0x5011, "/dev/bus/usb/001/004")]
    )
    level, text, fix = first(doctor.printer_checks(usb_settings(tmp_path)))
    assert level is Level.PROBLEM
    assert "04b8:0e15" in text and "0416:5011" in text  # the hex lsusb prints
    assert "lsusb" in fix and "vendor_id = 0x" in fix and "udev-rule" in fix


def test_a_printer_without_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor, "usb_backend", lambda: object())
    monkeypatch.setattr(
        doctor, "usb_devices", lambda backend: [(0x04B8, 0x0E15, "/dev/bus/usb/001/007")]
    )
    monkeypatch.setattr(doctor, "can_use", lambda path: False)
    level, text, fix = first(doctor.printer_checks(usb_settings(tmp_path)))
    assert level is Level.PROBLEM and "/dev/bus/usb/001/007" in text
    assert "usermod -aG lp" in fix and "udev" in fix


def test_a_usable_usb_printer_and_its_owner(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(doctor, "usb_backend", lambda: object())
    monkeypatch.setattr(
        doctor, "usb_devices", lambda backend: [(0x04B8, 0x0E15, "/dev/bus/usb/001/007")]
    )
    monkeypatch.setattr(doctor, "can_use", lambda path: True)
    settings = usb_settings(tmp_path)
    found = doctor.printer_checks(settings)
    assert found[0].level is Level.OK
    assert found[1].level is Level.WARNING and "ult-kiosk" in found[1].fix  # not running
    with open(owner_lock_path(settings), "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert doctor.printer_checks(settings)[1].level is Level.OK


def test_a_missing_serial_device(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path / "home", f'[printer]\nconnection = "serial"\ndevice = "{tmp_path}/ttyUSB9"\n'
    )
    level, text, fix = first(doctor.printer_checks(settings))
    assert level is Level.PROBLEM and "ttyUSB9" in text and "kabel" in fix


def test_a_network_printer_reachable_or_not(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        text = (
            f'[printer]\nconnection = "network"\nhost = "127.0.0.1"\nport = {port}\n'
            "timeout_seconds = 0.5\n"
        )
        settings = make_settings(tmp_path / "home", text)
        found = doctor.printer_checks(settings)
        assert found[0].level is Level.OK
        # No ult kiosk here: the printer itself is asked; a silent one is "unknown".
        assert "Jawaban printer sekarang: Tidak diketahui" in found[2].text
    level, _text, fix = first(doctor.printer_checks(settings))  # closed now
    assert level is Level.PROBLEM and "ping 127.0.0.1" in fix


def test_no_gpio_says_to_simulate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "no-such-factory")
    [finding] = doctor.gpio_checks(make_settings(tmp_path / "home"))
    assert finding.level is Level.PROBLEM and "GPIO17" in finding.text
    assert "--simulate" in finding.fix and "gpio" in finding.fix


def test_gpio_with_a_working_factory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    [finding] = doctor.gpio_checks(make_settings(tmp_path / "home"))
    assert finding.level is Level.OK and "MockFactory" in finding.text


@pytest.mark.slow
def test_print_test_on_a_missing_usb_printer_says_the_cause_and_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real USB lookup: this machine has no printer with that id (section 6, wrong id).
    from click.testing import CliRunner

    from ult.cli import main

    home = tmp_path / "home"
    monkeypatch.setenv("ULT_HOME", str(home))
    monkeypatch.delenv("ULT_CONFIG", raising=False)
    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    (home / "ult.toml").write_text(USB)
    result = CliRunner().invoke(main, ["print-test"])
    assert result.exit_code == 1
    assert "Halaman uji gagal dicetak" in result.output
    assert "04b8:0e15 tidak terhubung" in result.output and "lsusb" in result.output
