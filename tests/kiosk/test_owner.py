"""The printer's one owner (issue 10), through the real libraries.

A serial printer played on a pseudo-terminal (``os.openpty``: the test reads every byte the
printer would get and answers its status questions), python-escpos, gpiozero mock pins, real
SQLite files, and other processes (``ult reprint``, a script that asks for prints).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from gpiozero.pins.mock import MockFactory

from kiosk.button import ButtonDaemon, run
from kiosk.dispense import Dispenser
from kiosk.owner import (
    REQUEST_MAX_AGE_SECONDS,
    OwnerRunning,
    PrintRequest,
    RequestServer,
    hold_owner,
)
from kiosk.requests import last_printer_state, owner_running, print_outcome, request_print
from printer.output import TicketOutput
from tests.conftest import make_settings
from tests.printing import wait_for_outcome as wait_outcome
from ult.catalog import apply_catalog
from ult.clock import utc_now
from ult.queries import events_after, unprinted_tickets
from ult.queue import Queue
from ult.settings import Settings
from ult.store import connect

ONLINE = b"\x12"  # DLE EOT 1 and 4: fixed bits only = online, paper adequate
PAPER_OUT = b"\x72"  # DLE EOT 4: paper end sensor (bits 5 and 6)
STATUS_Q = re.compile(rb"\x10\x04[\x01\x04]")
LABEL = re.compile(rb"[A-D]-\d{3}")
ROOT = Path(__file__).parents[2]


class PtyPrinter:
    """Plays a serial printer on the master side of a pseudo-terminal.

    Keeps every byte it receives and answers each DLE EOT n with ``answer(n)`` (``None``:
    stays silent). ``reading=False`` never reads: a printer that hangs.
    """

    def __init__(self, answer: Callable[[int], bytes | None] = lambda n: ONLINE) -> None:
        self.master, self._slave = os.openpty()
        self.device = os.ttyname(self._slave)
        self.answer = answer
        self.received = bytearray()
        self._thread: threading.Thread | None = None

    def start(self) -> PtyPrinter:
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        os.close(self.master)
        os.close(self._slave)

    def _serve(self) -> None:
        pending = b""
        with contextlib.suppress(OSError):
            while True:
                data = os.read(self.master, 4096)
                self.received += data
                pending += data
                while (found := pending.find(b"\x10\x04")) != -1 and len(pending) > found + 2:
                    reply = self.answer(pending[found + 2])
                    pending = pending[found + 3 :]
                    if reply is not None:
                        os.write(self.master, reply)
                pending = pending[-2:]

    def jobs(self) -> list[bytes]:
        """The stream cut into jobs (ESC @ ... GS V n); fails on any byte between jobs that
        is not a status question, or a job that holds another job's start or a question."""
        data = bytes(self.received)
        jobs: list[bytes] = []
        at = 0
        while at < len(data):
            if match := STATUS_Q.match(data, at):
                at = match.end()
                continue
            assert data.startswith(b"\x1b@", at), f"foreign bytes between jobs at {at}"
            cut = data.find(b"\x1dV", at)
            assert cut != -1, "a job without its cut"
            end = cut + 3
            jobs.append(data[at:end])
            at = end
        return jobs


def assert_whole(job: bytes) -> bytes:
    """One job decodes whole: one start, one ticket label, no question inside; the label."""
    assert job.count(b"\x1b@") == 1 and job.count(b"\x1dV") == 1, job
    assert not STATUS_Q.search(job), "a status question inside a job"
    labels = set(LABEL.findall(job))
    assert len(labels) == 1, f"labels {labels} in one job"
    return labels.pop()


@pytest.fixture
def pty_printer() -> Iterator[PtyPrinter]:
    printer = PtyPrinter()
    yield printer
    printer.close()


def owner_settings(tmp_path: Path, printer: str, kiosk: str = "") -> Settings:
    # Without [[kiosk.buttons]] blocks: no button at all, ult kiosk only owns the printer.
    no_buttons = "" if "[[kiosk.buttons]]" in kiosk else "buttons = []\n"
    text = f"[printer]\n{printer}\n\n[kiosk]\nled_pin = false\n{no_buttons}{kiosk}\n"
    settings = make_settings(tmp_path / "home", text)
    db = connect(settings.store.database)
    apply_catalog(db, settings)
    db.close()
    return settings


def serial_settings(tmp_path: Path, device: str, kiosk: str = "", timeout: float = 2.0) -> Settings:
    printer = f'connection = "serial"\ndevice = "{device}"\ntimeout_seconds = {timeout}'
    return owner_settings(tmp_path, printer, kiosk)


def issue(settings: Settings, service: str = "A", source: str = "reception") -> tuple[int, str]:
    db = connect(settings.store.database)
    try:
        ticket = Queue(db, settings).issue(service, actor="resepsionis", source=source).ticket
        return ticket.id, ticket.label
    finally:
        db.close()


def ask(settings: Settings, ticket: int, source: str = "reception") -> int:
    db = connect(settings.store.database)
    try:
        return request_print(Queue(db, settings), ticket, actor="resepsionis", source=source)
    finally:
        db.close()


def outcome_of(settings: Settings, request: int, timeout: float = 20.0) -> Any:
    db = connect(settings.store.database)
    try:
        return wait_outcome(db, request, timeout=timeout)
    finally:
        db.close()


def kinds(settings: Settings) -> list[str]:
    db = connect(settings.store.database)
    try:
        return [e.kind for e in events_after(db, 0)]
    finally:
        db.close()


def listed_for_reprint(settings: Settings) -> list[str]:
    db = connect(settings.store.database)
    try:
        return [t["label"] for t in unprinted_tickets(db, Queue(db, settings).today())]
    finally:
        db.close()


@pytest.fixture
def owners(daemons: Callable[..., ButtonDaemon]) -> Callable[..., ButtonDaemon]:
    """``owners(settings, **options)``: started printer owners, stopped at the end."""
    return daemons


def child_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "ULT_HOME": str(settings.home),
        "PYTHONPATH": str(ROOT),
    }


# --- bytes of two jobs never interleave --------------------------------------------------------

REQUESTER = """
import sys
from ult.settings import load_settings
from ult.store import connect
from ult.queue import Queue
from kiosk.requests import request_print
settings = load_settings()
db = connect(settings.store.database)
queue = Queue(db, settings)
for _ in range(int(sys.argv[1])):
    ticket = queue.issue("C", actor="api-script", source="api").ticket
    print(request_print(queue, ticket.id, actor="api-script", source="api"))
"""


@pytest.mark.slow
def test_jobs_from_buttons_requests_and_reprints_never_interleave(
    tmp_path: Path, pty_printer: PtyPrinter, owners: Callable[..., ButtonDaemon]
) -> None:
    pty_printer.start()
    kiosk = (
        "min_interval_seconds = 0\nmax_per_minute = 120\ndebounce_ms = 0\n"
        '[[kiosk.buttons]]\npin = 17\nservice = "A"\n[[kiosk.buttons]]\npin = 22\nservice = "B"\n'
    )
    settings = serial_settings(tmp_path, pty_printer.device, kiosk)
    reprinted = [issue(settings, "D", source="cli") for _ in range(8)]
    daemon = owners(settings, pin_factory=MockFactory())
    requests: list[int] = []
    guard = threading.Lock()
    go = threading.Event()

    def press_buttons() -> None:
        go.wait()
        for round_ in range(12):
            button = daemon.buttons[round_ % 2]
            assert button is not None
            button.pin.drive_low()
            button.pin.drive_high()
            time.sleep(0.03)

    def reception(service: str) -> None:
        # The reception page and the API: issue, then ask the owner (another thread, its
        # own connection, as a web server thread has).
        go.wait()
        for _ in range(4):
            ticket, _ = issue(settings, service)
            request = ask(settings, ticket)
            with guard:
                requests.append(request)

    def by_hand(ticket: int) -> None:
        # What `ult reprint` does, from a thread of this process beside the owner's worker.
        go.wait()
        db = connect(settings.store.database)
        try:
            output = TicketOutput.from_settings(settings.printer)
            Dispenser(Queue(db, settings), output, settings).reprint(ticket, actor="teknisi")
        finally:
            db.close()

    threads = [threading.Thread(target=press_buttons)]
    threads += [threading.Thread(target=reception, args=(s,)) for s in "AB"]
    threads += [threading.Thread(target=by_hand, args=(t,)) for t, _ in reprinted[:4]]
    for thread in threads:
        thread.start()
    env = child_env(settings)
    children = [
        subprocess.Popen(
            [sys.executable, "-c", REQUESTER, "3"], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    children += [
        subprocess.Popen(
            [sys.executable, "-c", "from ult.cli import main; main()", "reprint", label],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _, label in reprinted[4:]
    ]
    go.set()
    for thread in threads:
        thread.join(60)
    for child in children:
        out, _ = child.communicate(timeout=60)
        assert child.returncode == 0, out
        if "-c" in child.args and child.args[2] == REQUESTER:
            requests += [int(line) for line in out.split()]
    assert daemon.wait_idle(30)
    assert len(requests) == 14
    found = [outcome_of(settings, request) for request in requests]
    time.sleep(0.3)  # the last bytes reach the pty reader
    # First the paper: every job whole (on the old code path, 2 outputs without one lock,
    # jobs come out mixed here).
    jobs = pty_printer.jobs()
    labels = [assert_whole(job) for job in jobs]
    # Then the record: every job confirmed, each request answered.
    assert all(outcome is not None and outcome.printed for outcome in found), found
    done = kinds(settings)
    assert "print_failed" not in done and "print_unconfirmed" not in done
    # Presses that come while a ticket prints are dropped (the gate), so count the issued.
    db = connect(settings.store.database)
    pressed = db.execute("SELECT COUNT(*) FROM tickets WHERE source = 'kiosk'").fetchone()[0]
    db.close()
    assert pressed >= 1
    assert len(jobs) == done.count("printed") == 14 + 8 + pressed
    for _, label in reprinted:
        assert label.encode() in labels


# --- a print counts only when the printer took it ----------------------------------------------


@pytest.mark.slow
def test_network_printer_that_never_reads_never_gets_printed(
    tmp_path: Path, owners: Callable[..., ButtonDaemon]
) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_never_read() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=accept_and_never_read, daemon=True)
    thread.start()
    try:
        port = server.getsockname()[1]
        printer = (
            f'connection = "network"\nhost = "127.0.0.1"\nport = {port}\ntimeout_seconds = 0.5'
        )
        kiosk = '[[kiosk.buttons]]\npin = 17\nservice = "A"\n'
        settings = owner_settings(tmp_path, printer, kiosk)
        daemon = owners(settings, pin_factory=MockFactory())
        button = daemon.buttons[0]
        assert button is not None
        button.pin.drive_low()
        button.pin.drive_high()
        assert daemon.wait_idle(10)
        ticket, label = issue(settings, "B")
        found = outcome_of(settings, ask(settings, ticket, source="api"))
        assert found is not None and found.kind == "print_unconfirmed"
        assert "printed" not in kinds(settings)
        assert listed_for_reprint(settings) == ["A-001", label]
    finally:
        stop.set()
        thread.join(2)
        for conn in accepted:
            conn.close()
        server.close()


@pytest.mark.slow
def test_serial_printer_that_hangs_never_gets_printed(
    tmp_path: Path, owners: Callable[..., ButtonDaemon]
) -> None:
    # Never started: nobody answers. (Writes that block for good are bounded by pyserial's
    # write_timeout: tests/printer/test_printer_status.py.)
    hung = PtyPrinter()
    try:
        settings = serial_settings(tmp_path, hung.device, timeout=0.5)
        daemon = owners(settings)  # no button: only the printer's owner
        assert daemon.buttons == []
        for _ in range(2):
            ticket, _ = issue(settings, "A")
            started = time.monotonic()
            found = outcome_of(settings, ask(settings, ticket))
            # Bounded: the job's writes, then two unanswered questions of 0.5 s each.
            assert found.kind == "print_unconfirmed" and time.monotonic() - started < 8
        assert "printed" not in kinds(settings)
        assert listed_for_reprint(settings) == ["A-001", "A-002"]
    finally:
        hung.close()


def test_a_silent_answer_then_paper_out_is_not_printed(tmp_path: Path) -> None:
    answers: list[bytes | None] = [None, None]  # the first status question goes unanswered

    def answer(question: int) -> bytes | None:
        if answers:
            return answers.pop(0)
        return PAPER_OUT if question == 4 else ONLINE

    printer = PtyPrinter(answer).start()
    try:
        settings = serial_settings(tmp_path, printer.device, timeout=0.5)
        db = connect(settings.store.database)
        output = TicketOutput.from_settings(settings.printer)
        machine = Dispenser(Queue(db, settings), output, settings)
        result = machine.dispense("A", actor="kiosk:tombol1")
        assert result.check.state == "unknown" and result.issued is not None
        assert not result.printed and not result.sent  # paper out after the job: failed
        assert kinds(settings)[-1] == "print_failed"
        assert events_after(db, 0)[-1].payload["reason"] == "paper_out"
        # The printer answered: it is asked again at once, and no number is consumed now.
        again = machine.dispense("A", actor="kiosk:tombol1")
        assert again.issued is None and again.check.state == "paper_out"
        assert listed_for_reprint(settings) == ["A-001"]
        db.close()
    finally:
        printer.close()


# --- the web side does no printer I/O ----------------------------------------------------------


def test_requesting_a_print_returns_at_once_whatever_the_printer_does(tmp_path: Path) -> None:
    hung = PtyPrinter()  # a printer whose writes would hang
    try:
        settings = serial_settings(tmp_path, hung.device, timeout=5)
        ticket, _ = issue(settings)
        db = connect(settings.store.database)
        started = time.perf_counter()
        request = request_print(Queue(db, settings), ticket, actor="resepsionis", source="api")
        view = last_printer_state(db)
        assert time.perf_counter() - started < 0.5  # the printer timeout is 5 s
        assert print_outcome(db, request) is None  # nobody printed it: no owner runs
        assert view.state is None and view.can_issue
        assert not owner_running(settings)
        db.close()
    finally:
        hung.close()
    # Importing the seam does not load python-escpos: a web process never gets a printer.
    code = "import sys, kiosk.requests; assert 'escpos' not in sys.modules, 'escpos loaded'"
    subprocess.run(
        [sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )


# --- durable requests, one owner ---------------------------------------------------------------


def test_requests_survive_a_restart_and_old_ones_are_not_printed_late(
    tmp_path: Path, owners: Callable[..., ButtonDaemon]
) -> None:
    settings = owner_settings(tmp_path, f'connection = "preview"\npath = "{tmp_path / "png"}"')
    old_ticket, old_label = issue(settings)
    fresh_ticket, _ = issue(settings)
    db = connect(settings.store.database)
    then = utc_now() - timedelta(seconds=REQUEST_MAX_AGE_SECONDS + 60)
    old = request_print(
        Queue(db, settings, clock=lambda: then), old_ticket, actor="resepsionis", source="api"
    )
    db.close()
    fresh = ask(settings, fresh_ticket)  # asked while no owner ran
    assert not owner_running(settings)
    daemon = owners(settings)
    assert owner_running(settings)
    with pytest.raises(OwnerRunning):
        ButtonDaemon(settings).start()  # a second owner refuses
    stale = outcome_of(settings, old)
    assert stale.kind == "print_failed" and stale.reason == "expired"
    assert outcome_of(settings, fresh).printed
    assert listed_for_reprint(settings) == [old_label]  # stays reprintable
    daemon.stop()
    assert not owner_running(settings)
    # A restart finds nothing left to do: each request was answered once.
    before = kinds(settings)
    owners(settings)
    time.sleep(0.5)
    assert kinds(settings) == before


def test_a_second_ult_kiosk_says_who_owns_the_printer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = owner_settings(tmp_path, 'connection = "none"')
    held = hold_owner(settings)  # the running service
    try:
        assert run(settings, simulate=True, stdin=io.StringIO("q\n"), stdout=io.StringIO()) == 2
        assert "sudah dipegang oleh ult kiosk lain" in capsys.readouterr().err
    finally:
        held.close()


def test_a_probe_of_the_owner_never_makes_a_start_refuse(tmp_path: Path) -> None:
    # owner_running() holds kiosk.lock shared for an instant: a start meeting it used to exit
    # 2 "sudah dipegang" with no kiosk running (297 of 2000 starts).
    settings = owner_settings(tmp_path, 'connection = "none"')
    probing = threading.Event()
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            owner_running(settings)
            probing.set()

    prober = threading.Thread(target=probe, daemon=True)
    prober.start()
    refused = 0
    try:
        assert probing.wait(5)
        for _ in range(300):
            try:
                hold_owner(settings).close()
            except OwnerRunning:
                refused += 1
    finally:
        done.set()
        prober.join(5)
    assert refused == 0
    held = hold_owner(settings)  # a real owner is still refused, after the short wait
    try:
        began = time.monotonic()
        with pytest.raises(OwnerRunning):
            hold_owner(settings)
        assert 0.5 < time.monotonic() - began < 5
    finally:
        held.close()


def test_a_kiosk_without_buttons_needs_no_gpio(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, owners: Callable[..., ButtonDaemon]
) -> None:
    # led_pin keeps its default (GPIO27): without a button it belongs to nobody.
    printer = f'connection = "preview"\npath = "{tmp_path / "png"}"'
    settings = make_settings(tmp_path / "home", f"[printer]\n{printer}\n\n[kiosk]\nbuttons = []\n")
    assert settings.kiosk.led_pin is not None
    db = connect(settings.store.database)
    apply_catalog(db, settings)
    db.close()
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "no-such-factory")  # no GPIO can be loaded
    daemon = owners(settings)
    assert daemon.led is None and daemon.buzzer is None
    ticket, _ = issue(settings)
    assert outcome_of(settings, ask(settings, ticket), timeout=10).printed


def test_a_request_for_a_ticket_closed_meanwhile_is_not_printed(
    tmp_path: Path, owners: Callable[..., ButtonDaemon]
) -> None:
    folder = tmp_path / "png"
    settings = owner_settings(tmp_path, f'connection = "preview"\npath = "{folder}"')
    ticket, label = issue(settings)
    request = ask(settings, ticket)  # asked while no owner ran ...
    db = connect(settings.store.database)
    Queue(db, settings).cancel(ticket, actor="resepsionis", reason="pengunjung pulang")
    db.close()  # ... and the visitor left before it printed
    owners(settings)
    answer = outcome_of(settings, request, timeout=10)
    assert answer.kind == "print_failed" and answer.reason == "ticket_closed"
    assert not any(folder.glob(f"*{label}*"))


def test_a_request_whose_serving_failed_is_served_again(tmp_path: Path) -> None:
    settings = owner_settings(tmp_path, 'connection = "none"')
    ticket, _ = issue(settings)
    first = ask(settings, ticket)
    second = ask(settings, ticket)
    db = connect(settings.store.database)
    queue = Queue(db, settings)
    served: list[int] = []
    failures = [sqlite3.OperationalError("database is locked")]

    def serve(request: PrintRequest, expired: bool) -> None:
        if failures:
            raise failures.pop()  # e.g. recording the outcome met a busy database
        served.append(request.id)
        queue.record_print(request.ticket_id, actor="kiosk", printed=True, request=request.id)

    server = RequestServer(db, serve, utc_now)
    try:
        with pytest.raises(sqlite3.OperationalError):
            server.poll()
        assert server.poll() == 2 and served == [first, second]  # retried, in order
        assert server.poll() == 0
        # An outcome recorded before serving raised is not served twice.
        third = ask(settings, ticket)
        queue.record_print(ticket, actor="kiosk", printed=True, request=third)
        assert server.poll() == 0 and served == [first, second]
    finally:
        db.close()


def test_the_owner_follows_a_replaced_database(
    tmp_path: Path, owners: Callable[..., ButtonDaemon]
) -> None:
    folder = tmp_path / "png"
    settings = owner_settings(
        tmp_path,
        f'connection = "preview"\npath = "{folder}"',
        '[[kiosk.buttons]]\npin = 17\nservice = "A"\n',
    )
    path = settings.store.database
    daemon = owners(settings, pin_factory=MockFactory())
    old_ticket, _ = issue(settings)
    assert outcome_of(settings, ask(settings, old_ticket), timeout=10).printed
    # A restore: another file, with one request answered and one not, is moved in place.
    restored = connect(tmp_path / "restored.db")
    apply_catalog(restored, settings)
    queue = Queue(restored, settings)
    answered_ticket = queue.issue("B", actor="resepsionis", source="reception").ticket.id
    answered = queue.request_print(answered_ticket, actor="resepsionis", source="api")
    queue.record_print(answered_ticket, actor="kiosk", printed=True, request=answered)
    waiting_ticket = queue.issue("B", actor="resepsionis", source="reception").ticket.id
    waiting = queue.request_print(waiting_ticket, actor="resepsionis", source="api")
    restored.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    restored.close()
    old = connect(path)
    old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    old.close()
    os.link(path, tmp_path / "old.db")  # keeps the replaced file readable
    os.replace(tmp_path / "restored.db", path)
    assert outcome_of(settings, waiting, timeout=10).printed
    assert kinds(settings).count("printed") == 2  # the answered request was not served again
    assert daemon.press(0) == "accepted" and daemon.wait_idle(10)
    live = connect(path)
    old = connect(tmp_path / "old.db")
    try:
        assert [r["label"] for r in live.query("SELECT label FROM tickets ORDER BY id")] == [
            "B-001",
            "B-002",
            "A-001",
        ]
        assert old.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 1  # untouched
    finally:
        live.close()
        old.close()
