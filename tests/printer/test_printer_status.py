"""Printer status read honestly, and every transport bounded in time.

Scripted replies cover each kind of answer; the network and serial transports run for real
against a loopback socket and a pseudo-terminal, and the file transport against a FIFO.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import serial
import usb.core
from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Dummy

from printer import messages
from printer.capabilities import capabilities_for
from printer.connections import BoundedUsb, pick_usb_endpoints
from printer.escpos_render import print_layout, render_escpos
from printer.layout import TicketContent, layout_ticket
from printer.status import (
    open_file,
    open_network,
    open_serial,
    open_usb,
    parse_online_reply,
    parse_paper_reply,
    read_status,
    transport_can_answer,
)
from ult.kinds import PrinterState

ONLINE_Q = b"\x10\x04\x01"  # DLE EOT 1
PAPER_Q = b"\x10\x04\x04"  # DLE EOT 4


class ScriptedPrinter(Escpos):
    """An Escpos whose transport answers from a script (bytes, or an exception to raise)."""

    def __init__(self, *replies: bytes | BaseException) -> None:
        super().__init__(profile="default")
        self.replies = list(replies)
        self.sent: list[bytes] = []

    def _raw(self, msg: bytes) -> None:
        self.sent.append(msg)

    def _read(self) -> bytes:
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        return reply


@pytest.mark.parametrize(
    ("online", "paper", "state"),
    [
        (b"\x12", b"\x12", PrinterState.READY),
        (b"\x12", b"\x1e", PrinterState.PAPER_NEAR_END),
        (b"\x12", b"\x72", PrinterState.PAPER_OUT),
        # Out of paper makes the printer go offline: the cause is what staff need to know.
        (b"\x1a", b"\x72", PrinterState.PAPER_OUT),
        (b"\x1a", b"\x12", PrinterState.OFFLINE),
        (b"\x1a", b"", PrinterState.OFFLINE),
        # No reply at all: unknown, never "paper ok" (python-escpos' paper_status() says 2).
        (b"", b"", PrinterState.UNKNOWN),
        (b"\x12", b"", PrinterState.UNKNOWN),
        (b"", b"\x12", PrinterState.UNKNOWN),
        # Malformed: fixed bits wrong, two bytes, half of a two-bit flag.
        (b"\xff", b"\x12", PrinterState.UNKNOWN),
        (b"\x00", b"\x00", PrinterState.UNKNOWN),
        (b"\x12\x12", b"\x12", PrinterState.UNKNOWN),
        (b"\x12", b"\x16", PrinterState.UNKNOWN),
        (b"\x12", b"\x32", PrinterState.UNKNOWN),
        # The transport times out.
        (TimeoutError("timed out"), TimeoutError("timed out"), PrinterState.UNKNOWN),
        (b"\x12", usb.core.USBTimeoutError("Operation timed out"), PrinterState.UNKNOWN),
    ],
)
def test_status_mapping(
    online: bytes | BaseException, paper: bytes | BaseException, state: PrinterState
) -> None:
    printer = ScriptedPrinter(online, paper)
    report = read_status(printer)
    assert report.state is state, report
    assert printer.sent == [ONLINE_Q, PAPER_Q]
    assert report.detail


def test_reply_parsers() -> None:
    assert parse_online_reply(b"\x12") is True
    assert parse_online_reply(b"\x1a") is False
    assert parse_online_reply(b"") is None
    assert parse_online_reply(None) is None
    assert parse_paper_reply(b"\x12") is PrinterState.READY
    assert parse_paper_reply(b"\x7e") is PrinterState.PAPER_OUT
    assert parse_paper_reply(bytes([0x92])) is None  # bit 7 must be 0


def test_can_print_and_indonesian_descriptions() -> None:
    assert PrinterState.READY.can_print is True
    assert PrinterState.PAPER_NEAR_END.can_print is True
    assert PrinterState.PAPER_OUT.can_print is False
    assert PrinterState.OFFLINE.can_print is False
    assert PrinterState.UNKNOWN.can_print is None
    assert messages.state_text(PrinterState.PAPER_OUT) == "Kertas habis"
    assert {messages.state_text(state) for state in PrinterState} == set(
        messages.STATE_TEXT.values()
    )
    assert messages.state_text("no-such-state") == messages.state_text(None) == "Tidak diketahui"


def test_a_printer_that_cannot_be_opened_is_offline() -> None:
    class Gone(ScriptedPrinter):
        def open(self) -> None:
            raise DeviceNotFoundError("Unable to open USB printer")

    report = read_status(Gone())
    assert report.state is PrinterState.OFFLINE
    assert "Unable to open" in report.detail


def test_transports_that_cannot_answer_are_not_asked(tmp_path: Path) -> None:
    dummy = Dummy()
    assert not transport_can_answer(dummy)
    assert read_status(dummy).state is PrinterState.UNKNOWN
    assert dummy.output == b""  # no DLE EOT written

    sink = tmp_path / "sink.bin"
    file_printer = open_file(sink, profile="default")
    assert read_status(file_printer).state is PrinterState.UNKNOWN
    assert not sink.exists()  # not even opened


def test_factories_insist_on_a_finite_timeout_and_a_known_profile() -> None:
    for bad in (0, -1, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="timeout_s"):
            open_network("127.0.0.1", timeout_s=bad, profile="default")
        with pytest.raises(ValueError, match="timeout_s"):
            open_usb(0x0416, 0x5011, timeout_s=bad, profile="default")
        with pytest.raises(ValueError, match="timeout_s"):
            open_serial("/dev/ttyS0", baudrate=9600, timeout_s=bad, profile="default")
    with pytest.raises(ValueError, match="nope"):
        open_file("/tmp/x", profile="nope")
    with pytest.raises(ValueError, match="vendor_id"):
        open_usb(0, 0x5011, timeout_s=1, profile="default")


# --- USB -------------------------------------------------------------------------------------


def _endpoint(address: int, attributes: int = 0x02) -> SimpleNamespace:
    return SimpleNamespace(bEndpointAddress=address, bmAttributes=attributes)


class _Interface(list):
    def __init__(self, cls: int, endpoints: list[SimpleNamespace]) -> None:
        super().__init__(endpoints)
        self.bInterfaceClass = cls


def test_usb_endpoints_are_found_on_the_printer_interface() -> None:
    config = [
        _Interface(0x03, [_endpoint(0x83, 0x03)]),  # a HID interface with an interrupt IN
        _Interface(0x07, [_endpoint(0x81), _endpoint(0x03, 0x03), _endpoint(0x02)]),
    ]
    assert pick_usb_endpoints(config) == (0x81, 0x02)
    # A printer without a back channel: OUT only.
    assert pick_usb_endpoints([_Interface(0x07, [_endpoint(0x01)])]) == (None, 0x01)
    assert pick_usb_endpoints([]) == (None, None)


def test_usb_timeouts_are_milliseconds_and_a_missing_device_is_offline() -> None:
    printer = open_usb(0xFFFE, 0xFFFD, timeout_s=1.5, profile="default")
    assert isinstance(printer, BoundedUsb)
    assert printer.timeout == 1500  # pyusb takes ms; 0 would mean "forever"
    assert (printer.in_ep, printer.out_ep) == (0x82, 0x01)  # until discovery
    started = time.monotonic()
    report = read_status(printer)
    assert report.state is PrinterState.OFFLINE, report
    assert time.monotonic() - started < 5


class _FakeBackend:
    """Its module is not pyusb's libusb1 backend: python-escpos leaves the kernel driver be."""


class FakeUsbDevice:
    """Just enough of a pyusb ``Device`` for python-escpos' ``Usb``: records every transfer."""

    def __init__(self, interfaces: list[_Interface], replies: list[bytes]) -> None:
        self.interfaces = interfaces
        self.replies = replies
        self.writes: list[tuple[int, bytes, int]] = []
        self.reads: list[tuple[int, int]] = []
        self.disposed = 0
        self.backend = _FakeBackend()
        self._ctx = SimpleNamespace(dispose=self._dispose)

    def _dispose(self, device: object) -> None:
        self.disposed += 1

    def set_configuration(self) -> None:
        pass

    def reset(self) -> None:
        pass

    def get_active_configuration(self) -> list[_Interface]:
        return self.interfaces

    def write(self, endpoint: int, data: bytes, timeout: int) -> int:
        self.writes.append((endpoint, bytes(data), timeout))
        return len(data)

    def read(self, endpoint: int, size: int, timeout: int) -> bytes:
        self.reads.append((endpoint, timeout))
        if timeout == 1:  # the stale-reply drain: nothing is waiting
            raise usb.core.USBTimeoutError("Operation timed out")
        return self.replies.pop(0)


def test_usb_printer_through_python_escpos_with_discovered_endpoints(
    monkeypatch: pytest.MonkeyPatch, content: Callable[..., TicketContent]
) -> None:
    device = FakeUsbDevice(
        [_Interface(0x07, [_endpoint(0x81), _endpoint(0x02)])], replies=[b"\x12", b"\x12"]
    )
    monkeypatch.setattr(usb.core, "find", lambda **match: device)
    printer = open_usb(0x0416, 0x5011, timeout_s=2, profile="default")
    report = read_status(printer)
    assert report.state is PrinterState.READY, report
    assert (printer.in_ep, printer.out_ep) == (0x81, 0x02)
    assert [w[:2] for w in device.writes] == [(0x02, ONLINE_Q), (0x02, PAPER_Q)]
    assert {w[2] for w in device.writes} == {2000}  # every write bounded, in ms
    assert (0x81, 2000) in device.reads
    printer.close()
    assert device.disposed == 1

    # A ticket goes out on the same endpoint, every write bounded, and the device is released.
    capabilities = capabilities_for("default", 58)
    layout = layout_ticket(content(), capabilities)
    device.writes.clear()
    print_layout(lambda: printer, layout, capabilities)
    expected = Dummy(profile="default")
    render_escpos(expected, layout, capabilities)
    assert b"".join(w[1] for w in device.writes) == expected.output
    assert {(w[0], w[2]) for w in device.writes} == {(0x02, 2000)}
    assert device.disposed == 2


def test_usb_printer_without_back_channel_is_not_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    device = FakeUsbDevice([_Interface(0x07, [_endpoint(0x01)])], replies=[])
    monkeypatch.setattr(usb.core, "find", lambda **match: device)
    printer = open_usb(0x0416, 0x5011, timeout_s=2, profile="default")
    report = read_status(printer)
    assert report.state is PrinterState.UNKNOWN
    assert "back channel" in report.detail
    assert device.writes == []


# --- network, for real, on loopback ----------------------------------------------------------


@contextlib.contextmanager
def status_server(reply: bytes | None) -> Iterator[int]:
    """A TCP "printer" on 127.0.0.1: answers each DLE EOT with ``reply`` (None: never)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)
    port = server.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = server.accept()
            conn.settimeout(0.05)
            with conn:
                buffer = b""
                while not stop.is_set():
                    try:
                        data = conn.recv(64)
                    except TimeoutError:
                        continue
                    if not data:
                        return
                    buffer += data
                    while len(buffer) >= 3 and b"\x10\x04" in buffer:
                        start = buffer.index(b"\x10\x04")
                        buffer = buffer[start + 3 :]
                        if reply is not None:
                            conn.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        server.close()
        thread.join(timeout=2)


def test_network_printer_that_answers_is_ready() -> None:
    with status_server(b"\x12") as port:
        printer = open_network("127.0.0.1", port=port, timeout_s=1, profile="default")
        try:
            assert read_status(printer).state is PrinterState.READY
        finally:
            printer.close()


def test_network_printer_that_stays_silent_is_unknown_within_the_timeout() -> None:
    with status_server(None) as port:
        printer = open_network("127.0.0.1", port=port, timeout_s=0.2, profile="default")
        started = time.monotonic()
        try:
            report = read_status(printer)
        finally:
            printer.close()
        assert report.state is PrinterState.UNKNOWN
        assert time.monotonic() - started < 1.5  # two questions, 0.2 s each


def test_network_printer_that_refuses_is_offline_and_is_retried_after_close() -> None:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connection refused
    printer = open_network("127.0.0.1", port=port, timeout_s=0.5, profile="default")
    assert read_status(printer).state is PrinterState.OFFLINE
    printer.close()
    # python-escpos' own Network would stay dead here; ours connects again.
    with contextlib.closing(socket.create_server(("127.0.0.1", port))) as again:
        again.settimeout(2)
        accepted: list[socket.socket] = []

        def accept_one() -> None:
            with contextlib.suppress(OSError):
                accepted.append(again.accept()[0])

        thread = threading.Thread(target=accept_one, daemon=True)
        thread.start()
        assert printer.device is not None
        thread.join(timeout=2)
        printer.close()
        assert accepted
        accepted[0].close()


# --- serial, for real, on a pseudo-terminal --------------------------------------------------


@pytest.fixture
def pty() -> Iterator[tuple[int, str]]:
    """A pseudo-terminal: (master fd the test plays the printer on, slave device path)."""
    master, slave = os.openpty()
    try:
        yield master, os.ttyname(slave)
    finally:
        os.close(master)
        os.close(slave)


def answer_on_pty(master: int, replies: dict[int, bytes]) -> threading.Thread:
    """Play the printer on ``master``: answer DLE EOT n with ``replies[n]``, until closed."""

    def serve() -> None:
        buffer = b""
        with contextlib.suppress(OSError):
            while True:
                buffer += os.read(master, 64)
                while b"\x10\x04" in buffer and len(buffer) >= buffer.index(b"\x10\x04") + 3:
                    start = buffer.index(b"\x10\x04")
                    question = buffer[start + 2]
                    buffer = buffer[start + 3 :]
                    os.write(master, replies[question])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def test_serial_printer_silent_then_answering(pty: tuple[int, str]) -> None:
    master, device = pty
    printer = open_serial(device, baudrate=9600, timeout_s=0.2, profile="default")
    try:
        started = time.monotonic()
        assert read_status(printer).state is PrinterState.UNKNOWN
        assert time.monotonic() - started < 1.5  # two questions, 0.2 s each
        assert os.read(master, 64) == ONLINE_Q + PAPER_Q  # asked, never answered
        # Replies that come late must not be taken for the answers to the next questions.
        os.write(master, b"\x72\x1a")
        time.sleep(0.05)
        answer_on_pty(master, {1: b"\x12", 4: b"\x1e"})
        report = read_status(printer)
        assert report.state is PrinterState.PAPER_NEAR_END, report
    finally:
        printer.close()


def test_serial_write_is_bounded_when_the_printer_takes_nothing(pty: tuple[int, str]) -> None:
    _, device = pty
    printer = open_serial(device, baudrate=9600, timeout_s=0.2, profile="default")
    started = time.monotonic()
    with pytest.raises(serial.SerialTimeoutException):
        printer.text("x" * 1_000_000)  # nobody reads the other end: the buffer fills
    printer.close()
    assert time.monotonic() - started < 3


# --- file ------------------------------------------------------------------------------------


def test_file_write_is_bounded_when_the_device_takes_nothing(tmp_path: Path) -> None:
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # open, but never read: like a jam
    try:
        printer = open_file(fifo, profile="default", timeout_s=0.2)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            printer.text("x" * 1_000_000)
        printer.close()
        assert time.monotonic() - started < 3
    finally:
        os.close(reader)


def test_a_missing_device_file_is_not_created() -> None:
    path = "/dev/ult-kiosk-test-no-such-printer"
    printer = open_file(path, profile="default")
    with pytest.raises(DeviceNotFoundError):
        printer.text("x\n")
    printer.close()
    assert not os.path.exists(path)
