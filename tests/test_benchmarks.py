"""Every benchmark runs once at its ``--smoke`` sizes, so none can rot unnoticed.

No figure is judged here (a smoke run's figures mean nothing): the benchmark must run every
part to its end and exit 0. Each runs as ``make bench`` runs it, a script in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.glob("bench_*.py"))


def test_every_benchmark_is_found() -> None:
    assert {path.name for path in SCRIPTS} >= {
        "bench_admin.py",
        "bench_display.py",
        "bench_kiosk.py",
        "bench_queue.py",
        "bench_reports.py",
    }


@pytest.mark.slow
@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_benchmark_smoke_run(script: Path, tmp_path: Path) -> None:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    env.pop("ULT_HOME", None)
    env.pop("ULT_CONFIG", None)
    result = subprocess.run(
        [sys.executable, str(script), "--smoke", "--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "total time" in result.stdout, output[-4000:]
    # The temporary directory under --dir is gone: nothing is left behind.
    assert not any(tmp_path.glob("ult-bench-*")), output[-4000:]
