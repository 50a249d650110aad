"""Kiosk benchmark: from a button press to the last byte of its ticket in the printer sink.

Run with ``.venv/bin/python benchmarks/bench_kiosk.py`` (``--help`` lists the sizes).

Latency: a :class:`kiosk.button.ButtonDaemon` on gpiozero's mock pins with the ``file``
printer writing into a file in a fresh temporary directory, and a real SQLite database (the
store's pragmas: WAL, ``synchronous=FULL``). Each press is a mock pin edge (``drive_low`` then
``drive_high``), exactly what gpiozero's event thread delivers on a Pi; the rate limits are off
(no debounce, no minimum interval, no cap), so every press gives a ticket. Measured per press,
from just before the edge:

* ``edge handled``: until ``drive_high`` returns: the time gpiozero's thread spends in our
  callback (it must only hand the press over);
* ``press -> last byte``: until the file printer has written and closed the ticket (the
  worker's printer check, the issue transaction, layout and ESC/POS rendering, the write);
* ``press -> recorded``: until the worker is idle again, the ``printed`` event committed.

Presses are sequential (the next one after the worker is idle): a press while printing is
dropped by design, so there is no queueing to measure.

Memory: the resident set (``VmRSS``, and the peak ``VmHWM``, from ``/proc/<pid>/status``) of a
separate process running ``ult kiosk --simulate`` (or, before the command is wired into the
CLI, the same :func:`kiosk.button.run` through ``python -c``) after it printed ``--rss-presses``
tickets on the ``file`` printer, read from the outside while it waits for the next key.

Goals from the issue: p99 press -> last byte under 20 ms on the development machine; the daemon
under 60 MB resident.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gpiozero.pins.mock import MockFactory, MockPin

from kiosk.button import ButtonDaemon
from printer.output import Delivery, TicketOutput
from ult.catalog import apply_catalog
from ult.settings import ButtonSettings, KioskSettings, Settings, load_settings
from ult.store import connect

P99_GOAL_MS = 20.0
RSS_GOAL_MB = 60.0
SMOKE = {"presses": 3, "warmup": 1, "rss_presses": 1}
"""The sizes ``--smoke`` sets: every part runs once, quickly (CI); its figures mean nothing."""

_CHILD = (
    "import sys\n"
    "from kiosk.button import run\n"
    "from ult.settings import load_settings\n"
    "sys.exit(run(load_settings(), simulate=True))\n"
)


class TimedOutput(TicketOutput):
    """The configured output, noting when each ticket's last byte was written."""

    done_at = 0.0

    def deliver(self, layout: Any, name: str) -> Delivery:
        result = super().deliver(layout, name)
        self.done_at = time.perf_counter()
        return result


def _home(root: Path, sink: Path, *, fast_kiosk: bool) -> Settings:
    """A fresh appliance home with the file printer writing into ``sink``; database made."""
    root.mkdir(parents=True, exist_ok=True)
    # The service hours off: the benchmark presses the button at any hour.
    text = f'[hours]\nenabled = false\n[printer]\nconnection = "file"\npath = "{sink}"\n'
    if fast_kiosk:
        # The lowest limits the settings file allows (the cap's maximum is 120 per minute).
        text += "\n[kiosk]\ndebounce_ms = 0\nmin_interval_seconds = 0\nmax_per_minute = 120\n"
    config = root / "ult.toml"
    config.write_text(text, encoding="utf-8")
    settings = load_settings(config, environ={"ULT_HOME": str(root)})
    db = connect(settings.store.database)
    apply_catalog(db, settings)
    db.close()
    return settings


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure_latency(root: Path, presses: int, warmup: int) -> dict[str, list[float]]:
    """Milliseconds per press, by measure name (see the module docstring)."""
    sink = root / "lp0.bin"
    settings = _home(root, sink, fast_kiosk=False)
    # The rate limits off entirely: built directly, since the file allows at most 120/minute.
    kiosk = KioskSettings(
        buttons=(ButtonSettings(17, "A"),),
        led_pin=27,
        buzzer_pin=None,
        debounce_ms=0,
        min_interval_seconds=0.0,
        max_per_minute=10**9,
    )
    settings = dataclasses.replace(settings, kiosk=kiosk)
    output = TimedOutput.from_settings(settings.printer)
    daemon = ButtonDaemon(settings, pin_factory=MockFactory(), output=output)
    daemon.start()
    figures: dict[str, list[float]] = {"edge handled": [], "press -> last byte": []}
    figures["press -> recorded"] = []
    try:
        assert daemon.wait_idle(30)
        button = daemon.buttons[0]
        assert button is not None and isinstance(button.pin, MockPin)
        pin = button.pin
        for number in range(warmup + presses):
            size = sink.stat().st_size if sink.exists() else 0
            began = time.perf_counter()
            pin.drive_low()
            pin.drive_high()
            handled = time.perf_counter()
            if not daemon.wait_idle(30):
                raise RuntimeError("the worker did not finish a ticket within 30 s")
            idle = time.perf_counter()
            if sink.stat().st_size <= size or output.done_at < began:
                raise RuntimeError(f"press {number + 1} printed nothing")
            if number >= warmup:
                figures["edge handled"].append((handled - began) * 1000)
                figures["press -> last byte"].append((output.done_at - began) * 1000)
                figures["press -> recorded"].append((idle - began) * 1000)
    finally:
        daemon.stop()
    if daemon.issued != warmup + presses:
        raise RuntimeError(f"{daemon.issued} tickets for {warmup + presses} presses")
    return figures


def _ult_kiosk_command() -> list[str] | None:
    """``ult kiosk --simulate`` if this checkout's ``ult`` has the command yet."""
    ult = Path(sys.executable).with_name("ult")
    if not ult.exists():
        return None
    probe = subprocess.run(
        [str(ult), "kiosk", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    return [str(ult), "kiosk", "--simulate"] if probe.returncode == 0 else None


def _status_kb(pid: int) -> dict[str, int]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def measure_rss(root: Path, presses: int) -> tuple[dict[str, int], str]:
    """kB resident of a running ``ult kiosk --simulate`` after ``presses`` tickets, and the
    command that ran."""
    settings = _home(root, root / "lp0.bin", fast_kiosk=True)
    command = _ult_kiosk_command()
    shown = "ult kiosk --simulate"
    if command is None:
        command = [sys.executable, "-c", _CHILD]
        shown = "python -c 'kiosk.button.run(settings, simulate=True)' (ult kiosk not wired yet)"
    env = {**os.environ, "ULT_HOME": str(root), "ULT_CONFIG": str(settings.source)}
    child = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=root,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        printed = 0
        for line in child.stdout:
            if line.startswith("Printer:"):  # the first check is done: ready for keys
                break
        while printed < presses:
            child.stdin.write("1\n")
            child.stdin.flush()
            for line in child.stdout:
                if line.startswith("Tiket "):
                    printed += 1
                    break
            else:
                raise RuntimeError("ult kiosk --simulate ended early")
        time.sleep(0.5)  # let it settle into waiting for the next key
        figures = _status_kb(child.pid)
        child.stdin.write("q\n")
        child.stdin.flush()
        child.wait(30)
    finally:
        child.kill()
    if child.returncode != 0:
        raise RuntimeError(f"ult kiosk --simulate exited with {child.returncode}")
    return figures, shown


def _table(figures: dict[str, list[float]]) -> str:
    lines = [f"{'measure':<22}{'presses':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"]
    for name, values in figures.items():
        lines.append(
            f"{name:<22}{len(values):>8}{_percentile(values, 0.5):>9.2f}"
            f"{_percentile(values, 0.99):>9.2f}{max(values):>9.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presses", type=int, default=1000, help="recorded presses")
    parser.add_argument("--warmup", type=int, default=20, help="presses run but not recorded")
    parser.add_argument(
        "--rss-presses", type=int, default=20, help="tickets before reading the daemon's RSS"
    )
    parser.add_argument("--dir", type=Path, default=None, help="where the temporary dir goes")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: check that it runs (figures mean nothing)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        vars(args).update(SMOKE)

    print(
        f"machine: {platform.system()} {platform.release()} {platform.machine()}, "
        f"nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}",
        flush=True,
    )
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ult-bench-kiosk-", dir=args.dir) as tmp:
        figures = measure_latency(Path(tmp) / "latency", args.presses, args.warmup)
        shutil.rmtree(Path(tmp) / "latency")
        memory, command = measure_rss(Path(tmp) / "rss", args.rss_presses)
    print()
    print(_table(figures))
    rss_mb, peak_mb = memory["VmRSS"] / 1024, memory["VmHWM"] / 1024
    print()
    print(f"daemon: {command}, after {args.rss_presses} tickets")
    print(f"resident (VmRSS) {rss_mb:.1f} MB, peak (VmHWM) {peak_mb:.1f} MB")
    print()
    p99 = _percentile(figures["press -> last byte"], 0.99)
    latency_met = p99 < P99_GOAL_MS
    memory_met = rss_mb < RSS_GOAL_MB
    print(
        f"press -> last byte p99 {p99:.2f} ms (goal < {P99_GOAL_MS:g} ms): "
        f"{'MET' if latency_met else 'NOT MET'}"
    )
    print(
        f"ult kiosk resident {rss_mb:.1f} MB (goal < {RSS_GOAL_MB:g} MB): "
        f"{'MET' if memory_met else 'NOT MET'}"
    )
    print(f"total time {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
