"""Power-cut style crashes: a process killed mid-work never corrupts or renumbers the queue.

A child process issues and calls tickets in a loop on one database file and prints each ticket
only after :meth:`ult.queue.Queue.issue` returned (after its commit). The test kills it with
SIGKILL at random moments, 20 times, restarting it on the same file each time. After every kill:
``PRAGMA integrity_check`` is ``ok`` for Python's sqlite3 and for the ``sqlite3`` command-line
program, every service's numbers of a day run 1..N with no gap or repeat, and every ticket the
child printed is in the database with the same label.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest

import ult
from tests.conftest import NO_HOURS
from ult.catalog import apply_catalog
from ult.settings import load_settings
from ult.store import connect

KILLS = 20
DELAY_SECONDS = (0.05, 0.4)
SEED = 20261125
READY_TIMEOUT_SECONDS = 30.0

CHILD = r"""
import json, random, sys
from pathlib import Path

from ult.queue import Queue
from ult.settings import load_settings
from ult.store import connect

config, home, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
settings = load_settings(Path(config), environ={"ULT_HOME": home})
db = connect(settings.store.database)
queue = Queue(db, settings)
rng = random.Random(seed)
actor = "crash-test"
# A run killed between a call and its release leaves a ticket at the desk: release it.
for (held,) in db.execute("SELECT id FROM tickets WHERE counter_id IS NOT NULL").fetchall():
    queue.cancel(held, actor=actor, reason="restart", counter="Loket 1")
print("ready", flush=True)
while True:
    ticket = queue.issue(rng.choice("ABCD"), actor=actor, source="kiosk").ticket
    # Printed only now, after issue() returned: the ticket's row is committed.
    print(json.dumps({"id": ticket.id, "label": ticket.label, "service": ticket.issued_service,
                      "number": ticket.number, "day": ticket.day.isoformat()}), flush=True)
    if rng.random() < 0.5:
        called = queue.call_next("Loket 1", actor=actor)
        if called is not None:
            queue.cancel(called.id, actor=actor, reason="crash test", counter="Loket 1")
"""


class _Child:
    """The child process and the complete lines it printed."""

    def __init__(self, args: list[str], stderr_path: Path) -> None:
        self.stderr = stderr_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD, *args],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd=Path(ult.__file__).resolve().parent.parent,
        )
        self.ready = threading.Event()
        self.lines: list[bytes] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if not line.endswith(b"\n"):
                continue  # cut short by the kill: never counted as printed
            if line == b"ready\n":
                self.ready.set()
            else:
                self.lines.append(line)
        self.ready.set()  # EOF: never leave the waiter hanging

    def kill(self) -> int:
        self.process.send_signal(signal.SIGKILL)
        code = self.process.wait(timeout=30)
        self.reader.join(timeout=30)
        self.stderr.close()
        return code


def _integrity_python(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    finally:
        conn.close()


def _integrity_cli(sqlite_cli: str, path: Path) -> str:
    done = subprocess.run(
        [sqlite_cli, str(path), "PRAGMA integrity_check;"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return (done.stdout + done.stderr).strip()


def _check_store(path: Path, printed: dict[int, dict]) -> int:
    """The checks after one kill; returns the number of tickets in the store."""
    conn = sqlite3.connect(path)
    try:
        numbers: dict[tuple[str, str], list[int]] = defaultdict(list)
        stored = {}
        for ticket_id, service, day, number, label in conn.execute(
            "SELECT id, issued_service, day, number, label FROM tickets "
            "ORDER BY issued_service, day, number"
        ):
            numbers[service, day].append(number)
            stored[ticket_id] = {"label": label, "service": service, "number": number, "day": day}
        for (service, day), found in numbers.items():
            assert found == list(range(1, len(found) + 1)), (service, day, found)
        for ticket_id, seen in printed.items():
            assert ticket_id in stored, f"printed ticket {seen} is not in the store"
            assert stored[ticket_id] == {k: seen[k] for k in stored[ticket_id]}, ticket_id
        # Ticket and event land together: one "issued" event per ticket, no orphan event.
        unmatched = conn.execute(
            "SELECT COUNT(*) FROM tickets t WHERE (SELECT COUNT(*) FROM events e "
            "WHERE e.ticket_id = t.id AND e.kind = 'issued') != 1"
        ).fetchone()[0]
        assert unmatched == 0
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # A called ticket has its "called" event; at most one ticket sits at the desk.
        uncalled = conn.execute(
            "SELECT COUNT(*) FROM tickets t WHERE t.called_at IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM events e WHERE e.ticket_id = t.id AND e.kind = 'called')"
        ).fetchone()[0]
        assert uncalled == 0
        held = conn.execute("SELECT COUNT(*) FROM tickets WHERE counter_id IS NOT NULL")
        assert held.fetchone()[0] <= 1
        return len(stored)
    finally:
        conn.close()


@pytest.mark.slow
def test_killed_child_leaves_a_sound_store(tmp_path: Path) -> None:
    sqlite_cli = shutil.which("sqlite3")
    if sqlite_cli is None:
        pytest.fail("the sqlite3 command-line program is missing: run `make test` (apt sqlite3)")
    home = tmp_path / "home"
    home.mkdir()
    config = home / "ult.toml"
    config.write_text(NO_HOURS, encoding="utf-8")
    settings = load_settings(config, environ={"ULT_HOME": str(home)})
    db = connect(settings.store.database)
    apply_catalog(db, settings)
    db.close()
    path = settings.store.database

    rng = random.Random(SEED)
    printed: dict[int, dict] = {}
    runs_with_tickets = 0
    started = time.monotonic()
    for run in range(KILLS):
        child = _Child([str(config), str(home), str(run)], tmp_path / f"child-{run}.err")
        try:
            assert child.ready.wait(READY_TIMEOUT_SECONDS), "the child never became ready"
            time.sleep(rng.uniform(*DELAY_SECONDS))
            assert child.process.poll() is None, "the child stopped by itself"
        finally:
            code = child.kill()
        errors = (tmp_path / f"child-{run}.err").read_text(errors="replace")
        assert code == -signal.SIGKILL, f"child exited with {code}: {errors}"
        lines = [json.loads(line) for line in child.lines]
        runs_with_tickets += bool(lines)
        for seen in lines:
            assert seen["id"] not in printed, f"ticket id {seen['id']} printed twice"
            printed[seen["id"]] = seen

        assert _integrity_python(path) == ["ok"], f"after kill {run + 1}"
        assert _integrity_cli(sqlite_cli, path) == "ok", f"after kill {run + 1}"
        stored = _check_store(path, printed)
        assert stored >= len(printed)
    elapsed = time.monotonic() - started
    print(f"{KILLS} kills, {len(printed)} tickets printed, {stored} stored: {elapsed:.1f} s")
    # The kills must have landed while the child was working, not before it started.
    assert runs_with_tickets >= KILLS // 2
    assert len(printed) >= 10 * KILLS
