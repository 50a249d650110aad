"""The host around the appliance: its systemd units and the system tools asked about them.

Every tool runs bounded (:data:`TOOL_TIMEOUT_SECONDS`) and a missing tool is an answer
(``None``), never a crash: ``ult doctor`` and ``ult restore`` also run on a laptop or in a
container without systemd.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Final

UNITS: Final = ("ult-kiosk.service", "ult-display.service", "ult-admin.service")
"""The appliance's services (``systemd/``): each opens the database."""
TOOL_TIMEOUT_SECONDS: Final = 10.0


@dataclass(frozen=True)
class ToolResult:
    """What a tool printed (stdout and stderr, stripped) and its exit code."""

    code: int
    out: str


def run_tool(*command: str, timeout: float = TOOL_TIMEOUT_SECONDS) -> ToolResult | None:
    """Run ``command``; ``None`` when it is not installed or did not finish in ``timeout``."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (FileNotFoundError, PermissionError, subprocess.TimeoutExpired):
        return None
    return ToolResult(done.returncode, (done.stdout + done.stderr).strip())


def systemd_running() -> bool:
    """Whether systemd is the init system here (sd_booted(3): ``/run/systemd/system`` exists)."""
    return Path("/run/systemd/system").is_dir()


def active_units() -> list[str]:
    """Those of :data:`UNITS` that systemd runs now; none without systemd."""
    if not systemd_running():
        return []
    found = []
    for unit in UNITS:
        result = run_tool("systemctl", "is-active", "--quiet", unit)
        if result is not None and result.code == 0:
            found.append(unit)
    return found


def stop_units(units: list[str]) -> ToolResult | None:
    """``systemctl stop`` the ``units``; the result says whether it worked."""
    return run_tool("systemctl", "stop", *units, timeout=90)


def start_units(units: list[str]) -> ToolResult | None:
    """``systemctl start`` the ``units`` again."""
    return run_tool("systemctl", "start", *units, timeout=90)
