"""``systemd/ult.sh``, the technician's ``ult``, run as root with fake ``id``, ``systemctl`` and
``runuser`` on PATH that log their calls: ``sudo ult restore FILE --stop-services`` has root stop
the units, the restore run as ult without the option, and the units started again even when
the restore fails."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.packaging.paths import ROOT

WRAPPER = ROOT / "systemd/ult.sh"
SERVICES = "ult-kiosk ult-display ult-admin ult-rollover.timer ult-backup.timer ult-purge.timer"
PROGRAM = "/opt/ult/venv/bin/ult"


def run_as_root(tmp_path: Path, *args: str, restore_status: int = 0) -> tuple[int, list[str], str]:
    """The wrapper run with ``args`` as a fake root: its exit status, the calls the fakes logged
    (one line each, the command and its arguments), and its stderr."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls"
    fakes = {
        "id": 'if [ "$1" = -u ]; then echo 0; else echo root; fi',
        "systemctl": f'echo "systemctl $*" >>"{log}"',
        "runuser": f'echo "runuser $*" >>"{log}"; exit {restore_status}',
    }
    for name, body in fakes.items():
        fake = bin_dir / name
        fake.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        fake.chmod(0o755)
    done = subprocess.run(
        ["sh", str(WRAPPER), *args],
        env={**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return done.returncode, calls, done.stderr


@pytest.mark.parametrize("restore_status", [0, 3])
def test_restore_stop_services_stops_restores_as_ult_and_starts_again(
    tmp_path: Path, restore_status: int
) -> None:
    status, calls, stderr = run_as_root(
        tmp_path, "restore", "/tmp/b.db", "--stop-services", "--yes", restore_status=restore_status
    )
    assert status == restore_status
    assert calls == [
        f"systemctl stop {SERVICES}",
        f"runuser -u ult -- {PROGRAM} restore /tmp/b.db --yes",
        f"systemctl start {SERVICES}",
    ]
    assert f"stopping for the restore: {SERVICES}" in stderr
    assert f"started again: {SERVICES}" in stderr


def test_other_commands_only_run_as_ult(tmp_path: Path) -> None:
    status, calls, _ = run_as_root(tmp_path, "restore", "/tmp/b.db", "--yes")
    assert status == 0
    assert calls == [f"runuser -u ult -- {PROGRAM} restore /tmp/b.db --yes"]
