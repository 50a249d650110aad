"""The board of an appliance database, rendered once (``ult display --screenshot``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils

from kiosk.clock import Clock, utc_now
from kiosk.queries import board_state, service_names
from kiosk.settings import Settings


def board_view_state(db: sqlite_utils.Database) -> dict[str, Any]:
    """What :class:`display.board.BoardView` draws: the board state plus service names."""
    return {**board_state(db), "service_names": service_names(db)}


def screenshot(
    settings: Settings,
    db: sqlite_utils.Database,
    path: Path,
    size: tuple[int, int],
    *,
    clock: Clock = utc_now,
) -> Path:
    """Render the current board at ``size`` (pixels) into the PNG ``path``; no window opens.

    Uses SDL's dummy video driver unless one is set, so it works on a headless Pi or a CI box.
    """
    from display.board import render_screenshot

    return render_screenshot(
        board_view_state(db),
        size,
        path,
        office_name=settings.office.name,
        timezone=settings.office.tz,
        now=clock(),
    )
