"""Issue and print through the real queue, a real SQLite file and real printer transports."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from kiosk.dispense import Dispenser
from printer.capabilities import capabilities_for
from printer.layout import layout_test_page
from printer.output import PrinterSetupError, TicketOutput
from tests.conftest import make_settings
from tests.printer.test_printer_output import serial_printer
from ult.queries import events_after, printer_state, unprinted_tickets
from ult.queue import Queue
from ult.settings import Settings


def settings_with(tmp_path: Path, printer_toml: str) -> Settings:
    return make_settings(tmp_path / "home", f"[printer]\n{printer_toml}\n")


def dispenser(queue: Queue, settings: Settings) -> Dispenser:
    return Dispenser(
        Queue(queue.db, settings, clock=queue.clock),
        TicketOutput.from_settings(settings.printer),
        settings,
    )


def kinds(queue: Queue) -> list[str]:
    return [e.kind for e in events_after(queue.db, 0)]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_preview_output_writes_the_ticket_png(queue: Queue, tmp_path: Path) -> None:
    settings = settings_with(tmp_path, f'connection = "preview"\npath = "{tmp_path / "out"}"')
    result = dispenser(queue, settings).dispense("A", actor="kiosk:tombol")
    assert result.issued is not None and result.printed
    assert result.preview is not None and result.preview.parent == tmp_path / "out"
    assert Image.open(result.preview).width == 384
    assert queue.ticket(result.issued.ticket.id).printed is True
    assert kinds(queue) == ["day_started", "printer_state", "issued", "printed"]


def test_file_output_appends_the_exact_bytes(queue: Queue, tmp_path: Path) -> None:
    sink = tmp_path / "lp0.bin"
    settings = settings_with(tmp_path, f'connection = "file"\npath = "{sink}"')
    first = dispenser(queue, settings).dispense("A", actor="kiosk:tombol")
    size = sink.stat().st_size
    second = dispenser(queue, settings).dispense("B", actor="kiosk:tombol", priority=True)
    data = sink.read_bytes()
    # A file cannot confirm the paper (issue 10): sent, not printed, still reprintable.
    assert first.sent and second.sent and not first.printed and not second.printed
    assert len(data) > size > 0
    assert b"A-001" in data[:size] and b"B-001" in data[size:]
    token = second.issued.ticket.token.encode()
    assert b"http://ult.local:8080/t/" + token in data[size:]
    assert data.endswith(b"\x1dVA\x03") or b"\x1dV" in data[-16:]  # cut


def test_no_printer_consumes_no_number(queue: Queue, tmp_path: Path) -> None:
    settings = settings_with(tmp_path, 'connection = "none"')
    result = dispenser(queue, settings).dispense("A", actor="kiosk:tombol")
    assert result.issued is None and result.check.state == "disabled"
    assert queue.db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 0


def test_offline_printer_consumes_no_number_and_tells_the_board(
    queue: Queue, tmp_path: Path
) -> None:
    text = f'connection = "network"\nhost = "127.0.0.1"\nport = {closed_port()}\n'
    settings = settings_with(tmp_path, text + "timeout_seconds = 1")
    machine = dispenser(queue, settings)
    for _ in range(3):
        result = machine.dispense("A", actor="kiosk:tombol")
        assert result.issued is None and result.check.state == "offline"
    assert queue.db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 0
    assert kinds(queue).count("printer_state") == 1  # once per change, not per press
    # The printer comes back (here: the output is switched to a preview folder).
    back = settings_with(tmp_path, f'connection = "preview"\npath = "{tmp_path / "out"}"')
    assert dispenser(queue, back).dispense("A", actor="kiosk:tombol").printed
    states = [e.payload["state"] for e in events_after(queue.db, 0) if e.kind == "printer_state"]
    assert states == ["offline", "ready"]
    assert queue.ticket("A-001").label == "A-001"  # the first number was not consumed


def test_print_failing_after_issue_keeps_the_ticket_for_a_reprint(
    queue: Queue, tmp_path: Path, settings: Settings
) -> None:
    def broken():
        raise OSError("printer unplugged mid-print")

    capabilities = capabilities_for("default", 58)
    output = TicketOutput("usb", capabilities, open_printer=broken, status_checks=False)
    machine = Dispenser(queue, output, settings)
    result = machine.dispense("C", actor="kiosk:tombol")
    assert result.issued is not None and not result.printed
    ticket = queue.ticket(result.issued.ticket.id)
    assert (ticket.state, ticket.printed) == ("waiting", False)
    failed = [e for e in events_after(queue.db, 0) if e.kind == "print_failed"]
    assert failed[0].payload["reason"] == "error" and failed[0].ticket_id == ticket.id
    assert [t["label"] for t in unprinted_tickets(queue.db, ticket.day)] == ["C-001"]
    sink = tmp_path / "again.bin"
    fixed = settings_with(tmp_path, f'connection = "file"\npath = "{sink}"')
    again = dispenser(queue, fixed).reprint("C-001", actor="resepsionis")
    assert again.sent and b"C-001" in sink.read_bytes()
    # Sent to a file, unconfirmed: still listed; a print that is confirmed takes it off.
    assert [t["label"] for t in unprinted_tickets(queue.db, ticket.day)] == ["C-001"]
    confirmed = settings_with(tmp_path, f'connection = "preview"\npath = "{tmp_path / "out"}"')
    assert dispenser(queue, confirmed).reprint("C-001", actor="resepsionis").printed
    assert unprinted_tickets(queue.db, ticket.day) == []


def test_idempotent_retry_does_not_print_twice(queue: Queue, tmp_path: Path) -> None:
    sink = tmp_path / "lp0.bin"
    settings = settings_with(tmp_path, f'connection = "file"\npath = "{sink}"')
    machine = dispenser(queue, settings)
    machine.dispense("A", actor="resepsionis", source="reception", idempotency_key="klik-1")
    size = sink.stat().st_size
    again = machine.dispense("A", actor="resepsionis", source="reception", idempotency_key="klik-1")
    # The first print went out unconfirmed (a file): the retry does not send it again.
    assert again.issued.replayed and again.sent and sink.stat().st_size == size


def test_unknown_profile_is_reported_by_its_key(tmp_path: Path) -> None:
    settings = settings_with(tmp_path, 'profile = "NoSuchPrinter-9000"')
    with pytest.raises(PrinterSetupError) as caught:
        TicketOutput.from_settings(settings.printer)
    assert caught.value.key == "printer.profile"


def test_a_file_printer_that_is_gone_consumes_no_number(queue: Queue, tmp_path: Path) -> None:
    for missing in ("/dev/usb/lp-ult-test-missing", str(tmp_path / "no" / "such" / "dir" / "lp")):
        settings = settings_with(tmp_path, f'connection = "file"\npath = "{missing}"')
        result = dispenser(queue, settings).dispense("A", actor="kiosk:tombol")
        assert result.issued is None and result.check.state == "offline"
        assert missing.split("/")[-1] in result.check.detail or "folder" in result.check.detail
    assert queue.db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 0


def test_a_printer_that_never_answers_is_not_asked_before_each_press(tmp_path: Path) -> None:
    # Issue 10: no 10-minute pause any more. While the printer is silent the check before a
    # press is skipped (it would cost two timeouts); the confirmation after a job still asks.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    try:
        settings = settings_with(
            tmp_path,
            f'connection = "network"\nhost = "127.0.0.1"\nport = {port}\ntimeout_seconds = 0.5',
        )
        output = TicketOutput.from_settings(settings.printer)
        first = output.check()
        assert (first.state, first.can_issue) == ("unknown", True)
        began = time.monotonic()
        second = output.check()
        assert time.monotonic() - began < 0.2  # not asked: no timeouts waited again
        assert "not asked" in second.detail
        began = time.monotonic()
        layout = layout_test_page(
            output.capabilities,
            office_name="ULT",
            state_text="-",
            printed_at=datetime.now(UTC),
            timezone=settings.office.tz,
            url="http://ult.local",
        )
        delivery = output.deliver(layout, "uji")
        assert time.monotonic() - began >= 0.5  # the confirmation was asked, and waited for
        assert delivery.outcome == "unconfirmed" and not delivery.printed
    finally:
        silent.close()


@pytest.mark.parametrize(
    ("replies", "state"),
    [({1: b"\x12", 4: b"\x72"}, "paper_out"), ({1: b"\x1a", 4: b"\x12"}, "offline")],
)
def test_the_state_a_failed_job_revealed_is_recorded_at_once(
    queue: Queue, tmp_path: Path, replies: dict[int, bytes], state: str
) -> None:
    # Pages read the recorded state to offer issue-and-print: it must not say "ready" until
    # the next periodic check after the job's own confirmation said the printer cannot print.
    ticket = queue.issue("A", actor="resepsionis", source="reception").ticket
    queue.record_printer_state("ready", actor="kiosk")
    with serial_printer(replies) as (device, _):
        settings = settings_with(
            tmp_path,
            f'connection = "serial"\ndevice = "{device}"\nbaudrate = 9600\ntimeout_seconds = 0.5',
        )
        result = dispenser(queue, settings).reprint(ticket.id, actor="resepsionis")
    assert not result.printed and not result.sent
    events = events_after(queue.db, 0)
    assert [e.payload["reason"] for e in events if e.kind == "print_failed"] == [state]
    assert [e.payload["state"] for e in events if e.kind == "printer_state"] == ["ready", state]
    assert printer_state(queue.db) == state


def test_the_default_ticket_names_the_institution_then_the_unit_once(
    queue: Queue, settings: Settings
) -> None:
    # Every default: the office is the institution, the ticket adds the unit under it
    # (issue 14: "Unit Layanan Terpadu" was printed twice).
    assert settings.office.name == "BPMP Provinsi Sumatera Utara"
    issued = queue.issue("A", actor="kiosk")
    lines = [line for _, line in dispenser(queue, settings).layout(issued).text_lines()]
    assert lines[:2] == ["BPMP Provinsi Sumatera Utara", "UNIT LAYANAN TERPADU"]
    assert sum("layanan terpadu" in line.lower() for line in lines) == 1
