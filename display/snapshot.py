"""The board of an appliance database, rendered once (``ult display --screenshot``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from display.calls import band, current_call, earlier_calls, priority_shown
from ult import hours
from ult.clock import Clock, to_stamp, utc_now
from ult.queries import board_state, service_names
from ult.settings import FRONT_OFFICE, Settings


def board_view_state(
    db: sqlite_utils.Database,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """What both boards draw: the board state plus ``service_names``, ``current_call``
    (:func:`current_call`), ``earlier_calls`` (:func:`earlier_calls`) and
    ``priority_shown`` (:func:`priority_shown`: the mark's legend is due) and ``band``
    (:func:`band`: the lines of the band under the call, top first), so the browser
    board follows the same rules as the TV without repeating them. ``counters`` holds only
    the front office's: the lobby board lists the counters a visitor is sent to, and the
    back office receives no visitor (SOP).

    ``closed_notice`` is :func:`ult.hours.closed_notice` of ``settings`` at ``now`` (aware;
    default: the wall clock), what both boards show while taking a number is closed, and
    ``closed_notice_until`` the stamp (:func:`ult.clock.to_stamp`) of the moment it may
    change (:func:`ult.hours.board_notice`), when a board reads its state again; both None
    without ``settings`` or when the hours are off."""
    state = board_state(db)
    text, until = (None, None)
    if settings is not None:
        text, until = hours.board_notice(settings, now or utc_now())
    state["closed_notice"] = text
    state["closed_notice_until"] = to_stamp(until) if until is not None else None
    state["counters"] = [c for c in state["counters"] if c["kind"] == FRONT_OFFICE]
    state["service_names"] = service_names(db)
    state["current_call"] = current_call(state)
    state["earlier_calls"] = earlier_calls(state)
    state["priority_shown"] = priority_shown(state)
    state["band"] = band(state)
    return state


def screenshot(
    settings: Settings,
    db: sqlite_utils.Database,
    path: Path,
    size: tuple[int, int],
    *,
    clock: Clock = utc_now,
) -> Path:
    """Render the current board at ``size`` (pixels) into the PNG ``path``; no window opens.

    Drawn as ``ult display`` draws it: the ``[display]`` font, logo and orientation (a
    portrait board on a landscape size is turned a quarter, as on the TV) and the running
    text. Uses SDL's dummy video driver unless one is set, so it works on a headless Pi or
    a CI box.

    Raises:
        OSError: the PNG cannot be written.
    """
    import pygame

    from display.board import BoardView
    from display.slides import board_announcements, board_slides

    state = board_view_state(db, settings, clock())
    width, height = size
    portrait = settings.display.orientation == "portrait" and width > height
    view = BoardView(
        (height, width) if portrait else (width, height),
        office_name=settings.office.name,
        timezone=settings.office.tz,
        font_path=settings.display.font,
        logo_path=settings.display.logo,
        slides=board_slides(settings),
        slide_seconds=settings.display.slide_seconds,
        announcements=board_announcements(settings),
    )
    view.update(state, now=clock(), running_text=str(state.get("running_text") or ""))
    picture = pygame.transform.rotate(view.surface, 90) if portrait else view.surface
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(picture, str(path))
    except pygame.error as exc:
        raise OSError(str(exc)) from exc
    return path
