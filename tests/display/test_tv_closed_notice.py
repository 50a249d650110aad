"""Both boards say when taking a number is closed (issue 14, service hours), and stop saying
it when issuing opens, at the right minute with no event and no restart: the state carries
the notice and the moment it may change (:func:`ult.hours.board_notice`), and the TV loop
reads the state again then. Real SQLite file, the real loop on SDL's dummy display.

Moments are local (WIB). 2026-11-27 is a Friday (break 11:30-13:30), 29 a Sunday.
"""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"  # before pygame is imported: no window, no device
os.environ["SDL_AUDIODRIVER"] = "dummy"

import itertools
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pygame
import pytest

from display import board_messages as msg
from display.app import LocalState
from display.board import BoardView
from display.snapshot import board_view_state
from tests.conftest import fresh_database, make_settings
from tests.display.test_app import local_feed, make_loop, step_until
from ult import hours
from ult.clock import FakeClock, from_stamp
from ult.settings import Settings

WIB = ZoneInfo("Asia/Jakarta")
CLOSED_SUNDAY = (
    "Pengambilan nomor antrian hari ini sudah ditutup · Dibuka kembali Senin, 30 November 2026 "
    "pukul 08.00"
)
FRIDAY_BREAK = "Pengambilan nomor antrian dibuka kembali pukul 13.30"


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=WIB)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home", "[hours]\n")  # the default hours, enforced


@pytest.fixture
def display() -> Iterator[pygame.Surface]:
    pygame.display.init()
    yield pygame.display.set_mode((1280, 720))
    pygame.display.quit()


def banner(view: BoardView) -> list[str]:
    return [text for text, _, _ in view.text_boxes.get("banner", [])]


@pytest.mark.parametrize(
    ("moment", "text", "until"),
    [
        (at(25, 10), None, at(25, 15, 30)),  # open: changes when the last issue time passes
        (at(27, 12), FRIDAY_BREAK, at(27, 13, 30)),  # the Friday break
        (at(25, 15, 30), "Pengambilan nomor antrian hari ini sudah ditutup", None),
        (at(29, 10), CLOSED_SUNDAY, at(30, 0)),  # a later day's opening: re-read at midnight
        (at(30, 7), "Pengambilan nomor antrian dibuka pukul 08.00", at(30, 8)),
    ],
)
def test_the_notice_and_when_it_changes(
    settings: Settings, moment: datetime, text: str | None, until: datetime | None
) -> None:
    notice, changes_at = hours.board_notice(settings, moment)
    if text is not None and text.endswith("ditutup"):
        assert notice is not None and notice.startswith(text + " · Dibuka kembali Kamis")
        assert changes_at == at(26, 0)
        return
    assert notice == text
    assert changes_at == until


def test_no_notice_and_no_change_while_the_hours_are_off(tmp_path: Path) -> None:
    off = make_settings(tmp_path / "off")
    assert hours.board_notice(off, at(29, 10)) == (None, None)


def test_the_tv_shows_the_notice_in_the_band_before_the_printer_fault(
    settings: Settings, display: pygame.Surface
) -> None:
    db = fresh_database(settings)
    state = board_view_state(db, settings, at(29, 10))
    assert state["closed_notice"] == CLOSED_SUNDAY
    assert from_stamp(state["closed_notice_until"]) == at(30, 0)
    state["printer"] = "paper_out"
    view = BoardView((1280, 720), office_name="ULT", timezone=WIB)
    view.update(state, now=at(29, 10))
    assert banner(view) == [CLOSED_SUNDAY]
    # Open again: no notice; the printer fault has the band back.
    state = board_view_state(db, settings, at(30, 9))
    assert state["closed_notice"] is None
    state["printer"] = "paper_out"
    view.update(state, now=at(30, 9))
    assert banner(view) == [f"⚠ {msg.PRINTER_FAULT}"]


def test_the_tv_loop_shows_and_drops_the_notice_at_the_right_minute(
    settings: Settings, display: pygame.Surface
) -> None:
    db = fresh_database(settings)
    db.close()
    clock = FakeClock(at(27, 11, 29, 58))  # Friday, two seconds before the break
    source = LocalState(settings.store.database, settings=settings, now=clock)
    loop, _ = make_loop(display, source, local_feed(settings), now=clock)
    assert step_until(loop, lambda: loop.feed is not None)
    loop.step()
    assert banner(loop.view) == []
    clock.advance(seconds=3)  # 11:30:01: no event came, the loop reads the state again
    loop.step()
    assert banner(loop.view) == [FRIDAY_BREAK]
    clock.set(at(27, 13, 30, 0))
    loop.step()
    assert banner(loop.view) == []
    clock.set(at(27, 15, 59, 59))  # the Friday's last issue time is 16:00 (16:30 - 30 min)
    loop.step()
    assert banner(loop.view) == []
    clock.advance(seconds=2)
    loop.step()
    assert banner(loop.view)[0].startswith("Pengambilan nomor antrian hari ini sudah ditutup")
    assert "Senin, 30 November 2026 pukul 08.00" in banner(loop.view)[0]
    loop.stop()


def test_a_board_without_settings_has_no_notice(settings: Settings) -> None:
    db = fresh_database(settings)
    state = board_view_state(db)
    assert state["closed_notice"] is None and state["closed_notice_until"] is None


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768), (1920, 1080), (1080, 1920)])
def test_the_notice_and_the_priority_legend_are_both_shown(
    settings: Settings, size: tuple[int, int]
) -> None:
    """Review of issue 14: while closed, a "(P)" on screen is still explained: the band holds
    two lines (the notice above, the legend below), grown into the lower part."""
    from tests.display.test_board_truth import shoot
    from ult.queue import Queue

    db = fresh_database(settings)
    queue = Queue(db, settings, clock=FakeClock(at(29, 10)))
    queue.issue("A", actor="resepsionis", priority=True, override=True)
    called = queue.call_next("Loket 1", actor="fo")
    assert called is not None
    queue.start(called.id, "Loket 1", actor="fo")
    state = board_view_state(db, settings, at(29, 10))
    assert state["closed_notice"] == CLOSED_SUNDAY and state["priority_shown"]
    assert state["band"] == ["closed", "legend"]
    view = BoardView(size, office_name="ULT", timezone=WIB)
    alone = view.regions["banner"].height
    view.update(state, now=at(29, 10))
    # Both whole, never cut (the notice on two lines of its own where one would be cut).
    shown = banner(view)
    assert " ".join(shown) == f"{CLOSED_SUNDAY} {msg.PRIORITY_LEGEND}" and "…" not in "".join(shown)
    assert shown[-1] == msg.PRIORITY_LEGEND
    boxes = [box for _, box, _ in view.text_boxes["banner"]]
    region = view.regions["banner"]
    assert region.height > alone and not region.colliderect(view.regions["waiting"])
    assert all(region.contains(b) for b in boxes)
    assert all(a.bottom <= b.top for a, b in itertools.pairwise(boxes))
    floor = min(size) // 60  # the smallest type readable across the room (display.board)
    assert min(px for _, _, px in view.text_boxes["banner"]) > floor
    shoot(view, f"closed-and-legend-{size[0]}x{size[1]}")
    # Open again: the legend alone, the band back to its own height.
    view.update(board_view_state(db, settings, at(30, 9)), now=at(30, 9))
    assert banner(view) == [msg.PRIORITY_LEGEND] and view.regions["banner"].height == alone
