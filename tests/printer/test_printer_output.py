"""What :meth:`printer.output.TicketOutput.deliver` counts as printed (issue 10): only the
printer's own confirmation after the job, on a serial printer played on a pseudo-terminal."""

from __future__ import annotations

import contextlib
import functools
import os
import termios
import threading
import time
from collections.abc import Iterator

import pytest

from printer.capabilities import capabilities_for
from printer.connections import open_serial
from printer.layout import layout_ticket
from printer.output import PRINTED, UNCONFIRMED, PrintFailed, TicketOutput
from tests.printer.conftest import make_content

QUESTION = b"\x10\x04"


@contextlib.contextmanager
def serial_printer(replies: dict[int, bytes] | None) -> Iterator[tuple[str, bytearray]]:
    """A pty printer answering DLE EOT n with ``replies[n]`` (``None``: never answers); yields
    the device path and every byte received."""
    master, slave = os.openpty()
    received = bytearray()

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                received.extend(os.read(master, 4096))
                while replies is not None and (at := received.find(QUESTION)) != -1:
                    if len(received) <= at + 2:
                        break
                    os.write(master, replies[received[at + 2]])
                    received[at : at + 3] = b"?!?"  # answered: not found again

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield os.ttyname(slave), received
    finally:
        os.close(master)
        os.close(slave)


def arrived(received: bytearray, wanted: bytes) -> bool:
    """Whether ``wanted`` reached the printer within a second (the reader runs apart)."""
    deadline = time.monotonic() + 1
    while wanted not in received and time.monotonic() < deadline:
        time.sleep(0.01)
    return wanted in received


def output_for(device: str, *, status_checks: bool = True, timeout_s: float = 3.0) -> TicketOutput:
    """A serial ticket output on ``device``. ``timeout_s`` is generous by default: on a
    loaded machine the pty's reader thread can lag half a second, and closing drops what
    the printer has not read by then (as it must for a hung printer), which would look like
    a lost ticket; the tests of a silent or stopped printer pass a short one."""
    opener = functools.partial(
        open_serial, device, baudrate=9600, timeout_s=timeout_s, profile="default"
    )
    return TicketOutput(
        "serial",
        capabilities_for("default", 58),
        open_printer=opener,
        status_checks=status_checks,
    )


@pytest.fixture
def layout():
    return layout_ticket(make_content(), capabilities_for("default", 58))


@pytest.mark.parametrize("paper", [b"\x12", b"\x1e"])  # adequate, near end
def test_a_confirmed_job_is_printed(layout, paper: bytes) -> None:
    with serial_printer({1: b"\x12", 4: paper}) as (device, received):
        delivery = output_for(device).deliver(layout, "A-007")
        assert arrived(received, b"A-007")
    assert delivery.outcome == PRINTED and delivery.printed
    # The confirmation is a status answer: the owner records it as the printer's state.
    assert delivery.state == ("ready" if paper == b"\x12" else "paper_near_end")


def test_a_job_nobody_confirms_is_only_sent(layout) -> None:
    with serial_printer(None) as (device, received):
        delivery = output_for(device, timeout_s=0.5).deliver(layout, "A-007")
        assert arrived(received, b"A-007")
    assert delivery.outcome == UNCONFIRMED and not delivery.printed
    assert delivery.state is None  # no answer: nothing learnt about the printer


def test_paper_out_or_offline_after_the_job_is_a_failure(layout) -> None:
    for replies, reason in (
        ({1: b"\x12", 4: b"\x72"}, "paper_out"),
        ({1: b"\x1a", 4: b"\x12"}, "offline"),
    ):
        with serial_printer(replies) as (device, _), pytest.raises(PrintFailed) as caught:
            output_for(device).deliver(layout, "A-007")
        assert caught.value.reason == reason and caught.value.state == reason


def test_with_status_checks_off_nothing_is_asked_and_nothing_confirmed(layout) -> None:
    with serial_printer({1: b"\x12", 4: b"\x12"}) as (device, received):
        delivery = output_for(device, status_checks=False).deliver(layout, "A-007")
        assert arrived(received, b"A-007") and QUESTION not in received
    assert delivery.outcome == UNCONFIRMED


def test_a_serial_write_timeout_is_recorded_as_a_timeout(layout) -> None:
    # pyserial's SerialTimeoutException is no TimeoutError: it used to be filed as "error".
    with serial_printer(None) as (device, _), open(device, "rb", buffering=0) as tty:
        termios.tcflow(tty.fileno(), termios.TCOOFF)  # the printer stops taking bytes
        try:
            with pytest.raises(PrintFailed) as caught:
                output_for(device, timeout_s=0.5).deliver(layout, "A-007")
        finally:
            # Let the stuck bytes go: a stopped terminal must not outlive the test.
            termios.tcflow(tty.fileno(), termios.TCOON)
    assert caught.value.reason == "timeout" and caught.value.state is None
