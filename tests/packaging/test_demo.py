"""`make demo`, the README's first command, runs to its end on a fresh home (the second
review of issue 14 found it stopping at a priority ticket issued without its category)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_runs_to_its_end(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ULT_CONFIG", "ULT_HOME")}
    env["SDL_VIDEODRIVER"] = "dummy"
    env["SDL_AUDIODRIVER"] = "dummy"
    done = subprocess.run(
        ["sh", "scripts/demo", str(tmp_path / "demo")],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,  # no terminal: one press, one call, then stop
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "Traceback" not in output, output[-4000:]
    assert "PRIORITAS" in output or "prioritas" in output, output[-4000:]
    assert "ult verify" in output  # the closing banner was reached
