"""The ticket-button daemon through the real libraries.

gpiozero's MockFactory pins (a press is ``drive_low()`` then ``drive_high()``: the buttons use
the pull-up), python-escpos printers writing real ESC/POS bytes into a file or a TCP socket, and
a real SQLite file. Rate limits run on an injected clock, so no test sleeps for seconds.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from gpiozero import Button
from gpiozero.exc import BadPinFactory
from gpiozero.pins.mock import MockFactory, MockPin

from kiosk.button import (
    ACCEPTED,
    BOUNCE,
    BUSY,
    CAPPED,
    TOO_SOON,
    ButtonDaemon,
    default_pin_factory,
    run,
)
from kiosk.dispense import Dispenser
from printer.capabilities import capabilities_for
from printer.connections import AppendFile
from printer.output import TicketOutput
from tests.conftest import make_settings
from ult.catalog import apply_catalog
from ult.queries import events_after
from ult.queue import Queue
from ult.settings import Settings
from ult.store import connect

STATUS_OK = b"\x12"  # DLE EOT reply: fixed bits only, i.e. online and paper adequate
CUT = b"\x1dV"


class Ticker:
    """A monotonic clock (seconds) that moves only when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def build_settings(
    tmp_path: Path,
    *,
    printer: str | None = None,
    kiosk: str = "",
    buttons: tuple[tuple[int, str], ...] = ((17, "A"),),
    priority_pins: tuple[int, ...] = (),
) -> Settings:
    """Settings with a file printer (``tmp_path/lp0.bin``) unless ``printer`` is given, an LED
    on GPIO27 and a buzzer on GPIO23; the database is created. The buttons on
    ``priority_pins`` are marked for priority visitors."""
    if printer is None:
        printer = f'connection = "file"\npath = "{tmp_path / "lp0.bin"}"'
    blocks = "".join(
        f'[[kiosk.buttons]]\npin = {pin}\nservice = "{s}"\n'
        + ("priority = true\n" if pin in priority_pins else "")
        for pin, s in buttons
    )
    text = f"[printer]\n{printer}\n\n[kiosk]\nbuzzer_pin = 23\n{kiosk}\n{blocks}"
    settings = make_settings(tmp_path / "home", text)
    db = connect(settings.store.database)
    apply_catalog(db, settings)
    db.close()
    return settings


def tickets(settings: Settings) -> list[dict[str, Any]]:
    db = connect(settings.store.database)
    try:
        return list(
            db.query(
                "SELECT label, issued_service, printed, source, state FROM tickets ORDER BY id"
            )
        )
    finally:
        db.close()


def events(settings: Settings) -> list[Any]:
    db = connect(settings.store.database)
    try:
        return events_after(db, 0)
    finally:
        db.close()


def printer_states(settings: Settings) -> list[str]:
    return [e.payload["state"] for e in events(settings) if e.kind == "printer_state"]


def press(pin: MockPin) -> None:
    pin.drive_low()
    pin.drive_high()


def transitions(pin: MockPin, seconds: float) -> int:
    """How often ``pin`` changed during the next ``seconds`` (real time)."""
    pin.clear_states()
    time.sleep(seconds)
    return len(pin.states) - 1


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
def start_daemon(daemons: Callable[..., ButtonDaemon]) -> Callable[..., ButtonDaemon]:
    """``start_daemon(settings, **options)``: a started daemon on fresh mock pins, idle after
    its first printer check within 5 s; stopped at the end of the test."""

    def start(settings: Settings, **options: Any) -> ButtonDaemon:
        options.setdefault("pin_factory", MockFactory())
        return daemons(settings, idle_s=5, **options)

    return start


def pin_of(daemon: ButtonDaemon, index: int = 0) -> MockPin:
    button = daemon.buttons[index]
    assert button is not None
    return button.pin


def led_pin(daemon: ButtonDaemon) -> MockPin:
    assert daemon.led is not None
    return daemon.led.pin


class FakeNetworkPrinter:
    """A raw TCP (port 9100 style) printer on localhost.

    Bound but not listening, a connect is refused: the printer is off. ``power_on()`` starts
    listening; it answers every DLE EOT status request with ``status`` and keeps all bytes.
    """

    def __init__(self) -> None:
        self._server = socket.socket()
        self._server.bind(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.status = STATUS_OK
        self.received = bytearray()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def power_on(self) -> None:
        self._server.listen()
        self._server.settimeout(0.1)
        self._thread.start()

    def close(self) -> None:
        self._closed.set()
        if self._thread.is_alive():
            self._thread.join(2)
        self._server.close()

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(0.1)
                buffer = bytearray()
                scanned = 0
                while not self._closed.is_set():
                    try:
                        data = conn.recv(4096)
                    except TimeoutError:
                        continue
                    if not data:
                        break
                    buffer += data
                    self.received += data
                    while (found := buffer.find(b"\x10\x04", scanned)) != -1:
                        if found + 2 >= len(buffer):
                            break  # the request's n byte has not arrived yet
                        conn.sendall(self.status)
                        scanned = found + 3


@pytest.fixture
def network_printer() -> Iterator[FakeNetworkPrinter]:
    printer = FakeNetworkPrinter()
    yield printer
    printer.close()


# --- presses -----------------------------------------------------------------------------------


def test_one_press_prints_one_ticket_with_its_bytes(
    tmp_path: Path, start_daemon: Callable[..., ButtonDaemon]
) -> None:
    settings = build_settings(tmp_path)
    daemon = start_daemon(settings)
    assert daemon.light == "ready" and led_pin(daemon).state  # steady = ready
    assert daemon.buzzer is not None
    daemon.buzzer.pin.clear_states()
    press(pin_of(daemon))
    assert daemon.wait_idle(5)
    [ticket] = tickets(settings)
    # A file printer cannot confirm the paper (issue 10): the ticket is sent, not printed,
    # and stays on the reprint list.
    assert ticket == {
        "label": "A-001",
        "issued_service": "A",
        "printed": 0,
        "source": "kiosk",
        "state": "waiting",
    }
    [sent] = [e for e in events(settings) if e.kind == "print_unconfirmed"]
    assert sent.payload["reason"] == "unconfirmed"
    assert not [e for e in events(settings) if e.kind in ("printed", "print_failed")]
    issued = next(e for e in events(settings) if e.kind == "issued")
    assert issued.actor == "kiosk:tombol1"
    data = (tmp_path / "lp0.bin").read_bytes()
    assert data.count(b"A-001") >= 1
    token = connect(settings.store.database).execute("SELECT token FROM tickets").fetchone()[0]
    assert b"http://ult.local:8080/t/" + token.encode() in data  # the QR carries the URL
    assert CUT in data[-16:]
    assert daemon.light == "ready" and transitions(led_pin(daemon), 0.15) == 0
    assert daemon.issued == 1
    buzzer = daemon.buzzer.pin
    assert wait_for(lambda: len(buzzer.states) >= 3)
    assert [s.state for s in buzzer.states[1:]] == [True, False]  # one beep: a ticket


def test_fifty_edges_within_100_ms_give_one_ticket(
    tmp_path: Path, start_daemon: Callable[..., ButtonDaemon], ticker: Ticker
) -> None:
    # No minimum interval: the debounce alone must swallow the chatter.
    settings = build_settings(tmp_path, kiosk="min_interval_seconds = 0\nmax_per_minute = 120")
    daemon = start_daemon(settings, clock=ticker)
    pin = pin_of(daemon)
    for _ in range(50):  # 50 presses and releases, one every 2 ms
        pin.drive_low()
        ticker.advance(0.001)
        pin.drive_high()
        ticker.advance(0.001)
    assert daemon.wait_idle(5)
    assert [t["label"] for t in tickets(settings)] == ["A-001"]
    assert daemon.gate.counts()[ACCEPTED] == 1 and daemon.gate.counts()[BOUNCE] == 49


def test_a_held_button_gives_one_ticket(
    tmp_path: Path, start_daemon: Callable[..., ButtonDaemon], ticker: Ticker
) -> None:
    settings = build_settings(tmp_path)
    daemon = start_daemon(settings, clock=ticker)
    pin = pin_of(daemon)
    pin.drive_low()
    ticker.advance(120)  # longer than the minimum interval and the cap's minute
    time.sleep(1.1)  # past gpiozero's hold_time (1 s): nothing may fire on a hold
    assert daemon.wait_idle(5)
    pin.drive_high()
    assert daemon.wait_idle(5)
    assert [t["label"] for t in tickets(settings)] == ["A-001"]


def test_two_buttons_give_tickets_of_their_own_services(
    tmp_path: Path, start_daemon: Callable[..., ButtonDaemon], ticker: Ticker
) -> None:
    settings = build_settings(tmp_path, buttons=((17, "A"), (22, "B")))
    daemon = start_daemon(settings, clock=ticker)
    press(pin_of(daemon, 1))
    assert daemon.wait_idle(5)
    ticker.advance(0.5)
    press(pin_of(daemon, 0))
    assert daemon.wait_idle(5)
    ticker.advance(3)  # the minimum interval is per button: B's is over now
    press(pin_of(daemon, 1))
    assert daemon.wait_idle(5)
    assert [t["label"] for t in tickets(settings)] == ["B-001", "A-001", "B-002"]
    actors = [e.actor for e in events(settings) if e.kind == "issued"]
    assert actors == ["kiosk:tombol2", "kiosk:tombol1", "kiosk:tombol2"]
    data = (tmp_path / "lp0.bin").read_bytes()
    assert data.index(b"B-001") < data.index(b"A-001") < data.index(b"B-002")


def test_a_priority_button_issues_priority_tickets(
    tmp_path: Path, start_daemon: Callable[..., ButtonDaemon], ticker: Ticker
) -> None:
    settings = build_settings(tmp_path, buttons=((17, "A"), (22, "A")), priority_pins=(22,))
    daemon = start_daemon(settings, clock=ticker)
    press(pin_of(daemon, 0))
    assert daemon.wait_idle(5)
    press(pin_of(daemon, 1))
    assert daemon.wait_idle(5)
    db = connect(settings.store.database)
    try:
        rows = db.execute(
            "SELECT label, priority, priority_category FROM tickets ORDER BY id"
        ).fetchall()
    finally:
        db.close()
    assert [tuple(r) for r in rows] == [("A-001", 0, None), ("A-002", 1, None)]
    data = (tmp_path / "lp0.bin").read_bytes()
    assert data.count(b"PRIORITAS") == 1 and data.index(b"A-001") < data.index(b"PRIORITAS")


def test_minimum_interval_and_cap_per_minute_hold(
    tmp_path: Path,
    start_daemon: Callable[..., ButtonDaemon],
    ticker: Ticker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.button")
    settings = build_settings(tmp_path, kiosk="min_interval_seconds = 3\nmax_per_minute = 5")
    daemon = start_daemon(settings, clock=ticker)
    verdicts = []
    # Seconds since the first press; the cap allows 5 in any 60 s.
    for at in (0, 1, 2.9, 3, 6, 9, 12, 15, 30, 59.9, 60, 61):
        ticker.now = 1000.0 + at
        verdicts.append(daemon.press(0))
        assert daemon.wait_idle(5)
    assert verdicts == [
        ACCEPTED,  # 0
        TOO_SOON,  # 1
        TOO_SOON,  # 2.9
        ACCEPTED,  # 3
        ACCEPTED,  # 6
        ACCEPTED,  # 9
        ACCEPTED,  # 12: the fifth within a minute
        CAPPED,  # 15
        CAPPED,  # 30
        CAPPED,  # 59.9
        ACCEPTED,  # 60: the press at 0 has left the window
        TOO_SOON,  # 61
    ]
    assert len(tickets(settings)) == 6
    cap_warnings = [r for r in caplog.records if "cap of 5 tickets per minute" in r.message]
    assert len(cap_warnings) == 1  # once per run of refusals, not per press


def test_presses_while_printing_are_dropped_and_counted(
    tmp_path: Path,
    start_daemon: Callable[..., ButtonDaemon],
    ticker: Ticker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.button")
    settings = build_settings(tmp_path, buttons=((17, "A"), (22, "B")))

    class SlowOutput(TicketOutput):
        """The file printer, held in the middle of a ticket until released."""

        def deliver(self, layout: Any, name: str) -> Path | None:
            entered.set()
            assert release.wait(5)
            return super().deliver(layout, name)

    entered, release = threading.Event(), threading.Event()
    output = SlowOutput.from_settings(settings.printer)
    daemon = start_daemon(settings, clock=ticker, output=output)
    press(pin_of(daemon, 0))
    assert entered.wait(5)
    assert daemon.light == "printing"
    assert 1 <= transitions(led_pin(daemon), 0.6) <= 2  # slow blink: 0.5 s on, 0.5 s off
    ticker.advance(10)  # past the minimum interval: only the printing can refuse these
    press(pin_of(daemon, 1))
    press(pin_of(daemon, 0))
    release.set()
    assert daemon.wait_idle(5)
    assert [t["label"] for t in tickets(settings)] == ["A-001"]
    assert daemon.dropped_while_printing == 2 and daemon.gate.counts()[BUSY] == 2
    assert "2 presses dropped while a ticket was printing" in caplog.text
    assert daemon.light == "ready"
    ticker.advance(10)
    press(pin_of(daemon, 1))  # after printing, presses count again
    assert daemon.wait_idle(5)
    assert [t["label"] for t in tickets(settings)] == ["A-001", "B-001"]


# --- the printer -------------------------------------------------------------------------------


def network(port: int) -> str:
    return f'connection = "network"\nhost = "127.0.0.1"\nport = {port}\ntimeout_seconds = 1'


def test_printer_offline_before_issue_gives_no_ticket_and_blinks_fast(
    tmp_path: Path,
    start_daemon: Callable[..., ButtonDaemon],
    network_printer: FakeNetworkPrinter,
) -> None:
    settings = build_settings(tmp_path, printer=network(network_printer.port))
    daemon = start_daemon(settings)
    assert daemon.printer_state == "offline" and daemon.light == "fault"
    assert daemon.buzzer is not None
    daemon.buzzer.pin.clear_states()
    press(pin_of(daemon))
    assert daemon.wait_idle(5)
    assert tickets(settings) == []  # no number consumed
    assert printer_states(settings) == ["offline"]  # once per change, not per press
    assert transitions(led_pin(daemon), 0.5) >= 3  # fast blink: 0.1 s on, 0.1 s off
    assert daemon.issued == 0
    buzzer = daemon.buzzer.pin
    assert wait_for(lambda: len(buzzer.states) >= 7)
    assert [s.state for s in buzzer.states[1:]] == [True, False] * 3  # three beeps: no ticket


def test_printer_coming_back_turns_the_light_steady_by_itself(
    tmp_path: Path,
    start_daemon: Callable[..., ButtonDaemon],
    network_printer: FakeNetworkPrinter,
) -> None:
    settings = build_settings(tmp_path, printer=network(network_printer.port))
    daemon = start_daemon(settings, fault_recheck_seconds=0.1)
    assert daemon.light == "fault"
    network_printer.power_on()
    assert wait_for(lambda: daemon.light == "ready")  # no press needed
    assert transitions(led_pin(daemon), 0.15) == 0 and led_pin(daemon).state
    assert printer_states(settings) == ["offline", "ready"]
    press(pin_of(daemon))
    assert daemon.wait_idle(5)
    assert [(t["label"], t["printed"]) for t in tickets(settings)] == [("A-001", 1)]
    assert b"A-001" in network_printer.received and CUT in network_printer.received


def test_printer_raising_mid_print_keeps_the_ticket_marked(
    tmp_path: Path, start_daemon: Callable[..., ButtonDaemon]
) -> None:
    settings = build_settings(tmp_path)
    sink = tmp_path / "lp0.bin"

    class Unplugged(AppendFile):
        """A printer whose cable is pulled after the first write."""

        def _raw(self, msg: bytes) -> None:
            if sink.exists() and sink.stat().st_size:
                raise OSError(errno.ENODEV, "No such device")
            super()._raw(msg)

    def unplugged() -> Unplugged:
        return Unplugged(sink, timeout_s=1, profile="default")

    output = TicketOutput("file", capabilities_for("default", 58), open_printer=unplugged)
    daemon = start_daemon(settings, output=output, fault_recheck_seconds=0.3)
    press(pin_of(daemon))
    assert daemon.wait_idle(5)
    assert sink.stat().st_size > 0  # part of the ticket came out
    assert tickets(settings) == [
        {
            "label": "A-001",
            "issued_service": "A",
            "printed": 0,
            "source": "kiosk",
            "state": "waiting",
        }
    ]
    failed = [e for e in events(settings) if e.kind == "print_failed"]
    assert len(failed) == 1 and failed[0].payload["reason"] == "error"
    assert daemon.light == "fault"
    # The next check finds nothing wrong it can see (a file printer cannot answer): ready.
    assert wait_for(lambda: daemon.light == "ready")
    # The reception reprints it.
    db = connect(settings.store.database)
    again = Dispenser(Queue(db, settings), TicketOutput.from_settings(settings.printer), settings)
    sink.unlink()
    result = again.reprint("A-001", actor="resepsionis")
    assert result.sent and not result.printed  # a file printer cannot confirm (issue 10)
    db.close()
    assert b"A-001" in sink.read_bytes()


# --- devices and life cycle --------------------------------------------------------------------


def test_a_button_that_cannot_be_claimed_is_retried_without_crashing(
    tmp_path: Path,
    start_daemon: Callable[..., ButtonDaemon],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.button")
    settings = build_settings(tmp_path)
    factory = MockFactory()
    squatter = Button(17, pin_factory=factory)  # another device holds the pin
    daemon = start_daemon(settings, pin_factory=factory, device_retry_seconds=0.1)
    assert daemon.buttons == [None] and daemon.light == "ready"
    time.sleep(0.3)
    assert caplog.text.count("button 1 (GPIO17) cannot be used") == 1  # once, not per retry
    squatter.close()
    assert wait_for(lambda: daemon.buttons[0] is not None)
    assert "button 1 (GPIO17) is back" in caplog.text
    press(pin_of(daemon))
    assert daemon.wait_idle(5)
    assert [t["label"] for t in tickets(settings)] == ["A-001"]


def test_stop_turns_the_light_off_and_releases_the_pins(
    tmp_path: Path, start_daemon: Callable[..., ButtonDaemon]
) -> None:
    settings = build_settings(tmp_path, printer='connection = "none"')
    factory = MockFactory()
    daemon = start_daemon(settings, pin_factory=factory)
    assert daemon.light == "fault"  # no printer: it cannot print
    led = led_pin(daemon)
    daemon.stop()
    assert daemon.light == "off" and not led.state
    assert transitions(led, 0.25) == 0  # the blink thread is gone
    Button(17, pin_factory=factory).close()  # the pin is free again
    daemon.stop()  # twice is harmless


def test_default_pin_factory_honours_the_environment() -> None:
    assert isinstance(default_pin_factory({"GPIOZERO_PIN_FACTORY": "mock"}), MockFactory)
    with pytest.raises(BadPinFactory):
        default_pin_factory({"GPIOZERO_PIN_FACTORY": "no-such-factory"})


# --- the command -------------------------------------------------------------------------------


def test_run_simulate_reads_keys_from_a_pipe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = build_settings(
        tmp_path, printer=f'connection = "preview"\npath = "{tmp_path / "png"}"'
    )
    read, write = os.pipe()
    os.write(write, b"1\n7\nq\n")
    os.close(write)
    with os.fdopen(read, "rb") as stdin:
        assert run(settings, simulate=True, stdin=stdin) == 0
    out = capsys.readouterr().out
    assert "1 = tombol 1 (GPIO17): layanan A - Layanan Informasi" in out
    assert "Tiket A-001 tercetak" in out and "Tombol '7' tidak dikenal" in out
    assert len(list((tmp_path / "png").glob("*A-001.png"))) == 1
    assert [t["label"] for t in tickets(settings)] == ["A-001"]


def test_run_reports_configuration_errors_in_indonesian(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path / "empty")  # no `ult init`: no database
    assert run(settings, simulate=True, stdin=open(os.devnull, "rb")) == 2  # noqa: SIM115
    assert "Jalankan dulu: ult init" in capsys.readouterr().err
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "no-such-factory")
    assert run(build_settings(tmp_path), simulate=False) == 2
    assert "ult kiosk --simulate" in capsys.readouterr().err


def test_sigterm_stops_the_daemon_cleanly(tmp_path: Path) -> None:
    settings = build_settings(tmp_path)
    code = (
        "import sys\n"
        "from kiosk.button import run\n"
        "from ult.settings import load_settings\n"
        "sys.exit(run(load_settings(), simulate=True))\n"
    )
    env = {**os.environ, "ULT_HOME": str(settings.home), "ULT_CONFIG": str(settings.source)}
    child = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert child.stdout is not None
        for line in child.stdout:  # ready once the first printer check is done
            if line.startswith("Printer:"):
                break
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=10)
    finally:
        child.kill()
    # Killed by the signal the code would be -15: 0 means the handler stopped it cleanly.
    assert child.returncode == 0, err
    assert "Tombol tiket berhenti. Tiket diterbitkan: 0." in out


def test_a_button_for_a_service_the_store_lacks_stops_the_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path / "home", "")
    db = connect(settings.store.database)
    apply_catalog(db, settings)
    db.execute("UPDATE services SET active = 0 WHERE letter = 'A'")  # edited, init not re-run
    db.close()
    code = run(settings, simulate=True, stdin=io.StringIO(""), stdout=io.StringIO())
    assert code == 2
    assert "kiosk.buttons[0].service = A" in capsys.readouterr().err


def test_a_failing_printer_check_is_logged_once_per_change(
    tmp_path: Path, start_daemon, caplog: pytest.LogCaptureFixture
) -> None:
    settings = build_settings(tmp_path)
    calls = []

    def broken() -> None:
        calls.append(time.monotonic())
        raise OSError("USB transfer timed out")

    caplog.set_level(logging.INFO, logger="kiosk")
    daemon = start_daemon(settings, fault_recheck_seconds=0.05, ready_recheck_seconds=0.05)
    daemon.output.check = broken  # type: ignore[method-assign]
    assert wait_for(lambda: len(calls) >= 5)
    failed = [r for r in caplog.records if "printer check failed" in r.getMessage()]
    assert len(failed) == 1 and failed[0].levelname == "WARNING"
    assert daemon.light == "fault"
