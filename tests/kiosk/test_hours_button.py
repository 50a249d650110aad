"""The ticket button outside the service hours and at the daily quota: gpiozero mock pins, a
file printer and a real SQLite file; the queue's clock is a FakeClock in office time (WIB).

2026-11-27 is a Friday: issuing stops for the prayers at 11:30 and resumes at 13:30.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from gpiozero.pins.mock import MockFactory

from kiosk.button import ButtonDaemon
from tests.conftest import make_settings
from tests.kiosk.test_button import (
    Ticker,
    events,
    led_pin,
    pin_of,
    press,
    tickets,
    transitions,
    wait_for,
)
from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.settings import Settings
from ult.store import connect

WIB = ZoneInfo("Asia/Jakarta")


def friday(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 11, 27, hour, minute, tzinfo=WIB)


def hours_settings(tmp_path: Path, hours: str = "", services: tuple[str, ...] = ("A",)) -> Settings:
    """A file printer, an LED on GPIO27 and a buzzer on GPIO23, one button per service
    (GPIO17, 22, ...), the default service hours plus ``hours``; the database is created."""
    pins = (17, 22, 5, 6)
    blocks = "".join(
        f'[[kiosk.buttons]]\npin = {pins[i]}\nservice = "{s}"\n' for i, s in enumerate(services)
    )
    text = (
        f'[printer]\nconnection = "file"\npath = "{tmp_path / "lp0.bin"}"\n\n'
        f"[kiosk]\nbuzzer_pin = 23\n{blocks}\n[hours]\n{hours}\n"
    )
    settings = make_settings(tmp_path / "home", text)
    db = connect(settings.store.database)
    apply_catalog(db, settings)
    db.close()
    return settings


@pytest.fixture
def start(daemons: Callable[..., ButtonDaemon]) -> Callable[..., ButtonDaemon]:
    def started(
        settings: Settings, clock: FakeClock, lines: list[str], ticker: Ticker
    ) -> ButtonDaemon:
        return daemons(
            settings,
            idle_s=5,
            pin_factory=MockFactory(),
            clock=ticker,
            queue_clock=clock,
            echo=lines.append,
            ready_recheck_seconds=5,
            fault_recheck_seconds=5,
        )

    return started


def test_the_button_issues_nothing_during_the_friday_break(
    tmp_path: Path, start: Callable[..., ButtonDaemon]
) -> None:
    settings = hours_settings(tmp_path)
    clock = FakeClock(friday(12))
    lines: list[str] = []
    ticker = Ticker()
    daemon = start(settings, clock, lines, ticker)
    # Closed before anyone presses: the LED flashes briefly, not a blink of either kind.
    assert daemon.light == "closed"
    led = led_pin(daemon)
    assert wait_for(lambda: led.state)  # the first flash
    assert transitions(led, 0.6) <= 1  # 0.2 s on, 2.8 s off: at most the flash ending
    buzzer = daemon.buzzer
    assert buzzer is not None
    buzzer.pin.clear_states()
    press(pin_of(daemon))
    assert daemon.wait_idle(5)
    assert tickets(settings) == []
    assert not [e for e in events(settings) if e.kind == "issued"]
    # Refused before the printer was asked for a ticket: nothing went to the paper.
    sink = tmp_path / "lp0.bin"
    assert not sink.exists() or b"A-001" not in sink.read_bytes()
    assert lines[-1] == (
        "Tombol 1: tiket tidak diterbitkan. Pengambilan nomor antrian dibuka kembali pukul "
        "13.30. Tiket hanya dapat diterbitkan oleh resepsionis dengan pengecualian jam layanan."
    )
    assert daemon.light == "closed"
    assert wait_for(lambda: len(buzzer.pin.states) >= 5)
    assert [s.state for s in buzzer.pin.states[1:]] == [True, False] * 2  # two beeps: closed
    # 13:30: the next check turns the light steady by itself, and a press prints.
    clock.set(friday(13, 30))
    ticker.advance(10)  # the next check, and past the minimum interval between two tickets
    assert wait_for(lambda: daemon.light == "ready")
    press(pin_of(daemon))
    assert daemon.wait_idle(5)
    assert [t["label"] for t in tickets(settings)] == ["A-001"]


def test_the_last_issue_time_closes_the_button(
    tmp_path: Path, start: Callable[..., ButtonDaemon]
) -> None:
    settings = hours_settings(tmp_path)
    clock = FakeClock(friday(15, 59))
    lines: list[str] = []
    ticker = Ticker()
    daemon = start(settings, clock, lines, ticker)
    assert daemon.light == "ready"
    press(pin_of(daemon))
    assert daemon.wait_idle(5)
    clock.set(friday(16, 0))  # closing 16:30, last ticket 30 minutes before
    ticker.advance(10)
    assert wait_for(lambda: daemon.light == "closed")
    press(pin_of(daemon))
    assert daemon.wait_idle(5)
    assert [t["label"] for t in tickets(settings)] == ["A-001"]
    assert lines[-1].startswith(
        "Tombol 1: tiket tidak diterbitkan. Pengambilan nomor antrian hari ini sudah ditutup · "
        "Dibuka kembali Senin, 30 November 2026 pukul 08.00."
    )


def test_a_quota_closes_only_its_own_button(
    tmp_path: Path, start: Callable[..., ButtonDaemon]
) -> None:
    settings = hours_settings(tmp_path, "quota = { A = 1 }", services=("A", "B"))
    clock = FakeClock(friday(9))
    lines: list[str] = []
    ticker = Ticker()
    daemon = start(settings, clock, lines, ticker)
    press(pin_of(daemon, 0))
    assert daemon.wait_idle(5)
    ticker.advance(3.5)  # past the minimum interval, before the next check
    press(pin_of(daemon, 0))
    assert daemon.wait_idle(5)
    assert [t["label"] for t in tickets(settings)] == ["A-001"]
    assert lines[-1].startswith("Tombol 1: tiket tidak diterbitkan. Kuota layanan A (")
    assert "hari ini (1 tiket) sudah habis" in lines[-1]
    # Button B can still issue: the closed flash gives way to steady at the next check.
    assert daemon.light == "closed"
    ticker.advance(10)
    assert wait_for(lambda: daemon.light == "ready")
    press(pin_of(daemon, 1))
    assert daemon.wait_idle(5)
    assert [t["label"] for t in tickets(settings)] == ["A-001", "B-001"]
