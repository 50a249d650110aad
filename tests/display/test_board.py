"""The caller board: screenshots of the main states, checked by pixels, layout and OCR.

States come from the real queue on a real SQLite file (``board_state`` after ``issue`` and
``call_next``). Text recognition uses the ``tesseract`` binary (Debian ``tesseract-ocr``)
through subprocess on crops of the screen, which keeps it fast; tests that need it are
skipped when it is missing.
"""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"  # before pygame is imported: no window, no device
os.environ["SDL_AUDIODRIVER"] = "dummy"

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pygame
import pytest

from display import board_messages as msg
from display.board import ATTENTION_SECONDS, BoardView, render_screenshot
from kiosk.catalog import apply_catalog
from kiosk.clock import FakeClock
from kiosk.queries import board_state, service_names
from kiosk.queue import Queue
from kiosk.store import connect
from tests.conftest import OPENING, make_settings

JAKARTA = ZoneInfo("Asia/Jakarta")
OFFICE = "ULT Kantor Kementerian Agama"
LONG_OFFICE = "Unit Layanan Terpadu Kantor Wilayah Kementerian Agama Provinsi Nusa Tenggara Timur"
SIZES = [(1280, 720), (1920, 1080)]
# 15:40:07 in Jakarta on Sunday 29 November 2026.
NOW = datetime(2026, 11, 29, 8, 40, 7, tzinfo=UTC)

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract-ocr is not installed"
)


def full_state(queue: Queue) -> dict:
    """``board_state`` plus the service names, as the board's feed will pass them."""
    return {**board_state(queue.db), "service_names": service_names(queue.db)}


def many_counters_queue(tmp_path: Path, names: list[str]) -> Queue:
    counters = "".join(
        f'[[counters]]\nname = "{name}"\nkind = "front_office"\nservices = ["A", "B", "C", "D"]\n'
        for name in names
    )
    settings = make_settings(tmp_path / "many", counters)
    database = connect(settings.store.database)
    apply_catalog(database, settings)
    return Queue(database, settings, clock=FakeClock(OPENING))


def ocr(surface: pygame.Surface, rect: pygame.Rect, tmp_path: Path) -> str:
    """Text tesseract reads in ``rect`` of ``surface``, upper-cased, whitespace collapsed."""
    crop = surface.subsurface(rect).copy()
    # Tesseract reads dark text on light best; the board is light on dark.
    image = pygame.transform.invert(crop)
    path = tmp_path / f"crop_{rect.x}_{rect.y}_{rect.w}_{rect.h}.png"
    pygame.image.save(image, str(path))
    done = subprocess.run(
        ["tesseract", str(path), "-", "--psm", "6", "-l", "eng"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return " ".join(done.stdout.upper().split())


def colour_count(surface: pygame.Surface, rect: pygame.Rect, colour: tuple[int, int, int]) -> int:
    """Pixels of exactly ``colour`` in ``rect`` (sampled every 4 px: fast, still decisive)."""
    return sum(
        1
        for x in range(rect.left, rect.right, 4)
        for y in range(rect.top, rect.bottom, 4)
        if tuple(surface.get_at((x, y)))[:3] == colour
    )


def draw(state: dict, size: tuple[int, int], **kwargs) -> BoardView:
    office = kwargs.pop("office_name", OFFICE)
    view = BoardView(size, office_name=office, timezone=JAKARTA)
    view.update(state, now=kwargs.pop("now", NOW), **kwargs)
    return view


def assert_well_laid_out(view: BoardView) -> None:
    """Regions do not overlap, stay on screen, and every text stays inside its region."""
    screen = view.surface.get_rect()
    names = list(view.regions)
    for i, name in enumerate(names):
        assert screen.contains(view.regions[name]), name
        for other in names[i + 1 :]:
            assert not view.regions[name].colliderect(view.regions[other]), (name, other)
    for name, boxes in view.text_boxes.items():
        for text, box, _ in boxes:
            assert view.regions[name].contains(box), (name, text, box)


def assert_label_largest(view: BoardView, label: str) -> None:
    texts = [(text, box, px) for boxes in view.text_boxes.values() for text, box, px in boxes]
    label_boxes = [(box, px) for text, box, px in texts if text == label and box.h]
    assert label_boxes, f"{label} not drawn"
    box, px = max(label_boxes, key=lambda item: item[1])
    for text, other, other_px in texts:
        if other is box:
            continue
        assert other.h < box.h and other_px < px, f"{text!r} is as large as the label"


@pytest.mark.parametrize("size", SIZES)
def test_empty_day(queue: Queue, size: tuple[int, int], tmp_path: Path) -> None:
    path = render_screenshot(
        full_state(queue),
        size,
        tmp_path / "empty.png",
        office_name=OFFICE,
        timezone=JAKARTA,
        now=NOW,
    )
    image = pygame.image.load(str(path))
    assert image.get_size() == size
    view = draw(full_state(queue), size)
    assert_well_laid_out(view)
    drawn = {text for boxes in view.text_boxes.values() for text, _, _ in boxes}
    assert {msg.NO_CALL_YET, "Minggu, 29 November 2026", "15.40", OFFICE} <= drawn
    # The PNG is the view's surface, pixel for pixel (spot checks across the screen).
    for x, y in [(5, 5), (size[0] // 2, size[1] // 3), (size[0] - 3, size[1] - 3)]:
        assert image.get_at((x, y)) == view.surface.get_at((x, y))


@needs_tesseract
@pytest.mark.parametrize("size", SIZES)
def test_one_call_label_is_largest_and_readable(
    queue: Queue, size: tuple[int, int], tmp_path: Path
) -> None:
    queue.issue("A", actor="reception")
    queue.call_next("Loket 1", actor="fo")
    state = full_state(queue)
    view = draw(state, size)
    assert_well_laid_out(view)
    assert_label_largest(view, "A-001")
    seen = ocr(view.surface, view.regions["call"], tmp_path)
    assert "A-001" in seen and "LOKET 1" in seen
    assert "15.40" in ocr(view.surface, view.regions["clock"], tmp_path)
    render_screenshot(
        state, size, tmp_path / "one.png", office_name=OFFICE, timezone=JAKARTA, now=NOW
    )


@pytest.mark.parametrize("size", SIZES)
def test_many_counters_and_long_names(tmp_path: Path, size: tuple[int, int]) -> None:
    names = [f"Loket {n}" for n in range(1, 10)]
    # The longest name the settings allow (40 characters).
    names[2] = "Loket Pelayanan Perizinan Rumah Ibadah 3"
    assert len(names[2]) == 40
    queue = many_counters_queue(tmp_path, names)
    for _ in range(12):
        queue.issue("A", actor="reception")
        queue.issue("B", actor="reception")
    for name in names:
        queue.call_next(name, actor="fo")
    state = full_state(queue)
    view = draw(state, size, office_name=LONG_OFFICE)
    render_screenshot(
        state, size, tmp_path / "many.png", office_name=LONG_OFFICE, timezone=JAKARTA, now=NOW
    )
    assert_well_laid_out(view)
    newest = state["last_calls"][0]
    assert_label_largest(view, newest["label"])
    drawn = [text for boxes in view.text_boxes.values() for text, _, _ in boxes]
    # The long names were shortened, not clipped: they end with an ellipsis.
    assert any(text.startswith("Unit Layanan") and text.endswith("…") for text in drawn) or (
        LONG_OFFICE in drawn
    )
    assert any(
        text == names[2] or (text.startswith("Loket Pelayanan") and text.endswith("…"))
        for text in drawn
    )
    # Too many counters for the space: the rest are counted, not dropped silently.
    counters_drawn = [t for t, _, _ in view.text_boxes["counters"]]
    assert any(t.startswith("+") and t.endswith("lainnya") for t in counters_drawn) or all(
        any(t.startswith(n[:6]) for t in counters_drawn) for n in names
    )
    # The list of last calls shows the calls before the newest one.
    calls_drawn = [t for t, _, _ in view.text_boxes["calls"]]
    assert state["last_calls"][1]["label"] in calls_drawn


@needs_tesseract
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("printer", ["paper_out", "offline", "disabled", "ready", None])
def test_printer_banner_only_on_fault(
    queue: Queue, size: tuple[int, int], printer: str | None, tmp_path: Path
) -> None:
    if printer is not None:
        queue.record_printer_state(printer, actor="printer")
    state = full_state(queue)
    assert state["printer"] == printer
    view = draw(state, size)
    banner = view.regions["banner"]
    red = colour_count(view.surface, banner, (176, 0, 0))
    fault = printer in {"paper_out", "offline", "disabled"}
    if fault:
        assert red > 0
        seen = ocr(view.surface, banner, tmp_path)
        assert "MESIN TIKET" in seen and "RESEPSIONIS" in seen
    else:
        assert red == 0
        assert view.text_boxes.get("banner", []) == []
        # Nothing at all is drawn there: the band is plain background.
        assert colour_count(view.surface, banner, (0, 0, 0)) == len(
            range(banner.left, banner.right, 4)
        ) * len(range(banner.top, banner.bottom, 4))


@needs_tesseract
@pytest.mark.parametrize("size", SIZES)
def test_offline_mark_only_when_offline(queue: Queue, size: tuple[int, int], tmp_path: Path):
    state = full_state(queue)
    online = draw(state, size)
    offline = draw(state, size, offline=True)
    render_screenshot(
        state,
        size,
        tmp_path / "offline.png",
        office_name=OFFICE,
        timezone=JAKARTA,
        now=NOW,
        offline=True,
    )
    region = online.regions["offline"]
    assert colour_count(online.surface, region, (0, 0, 0)) > 0
    assert online.text_boxes.get("offline", []) == []
    assert "OFFLINE" in ocr(offline.surface, region, tmp_path)
    assert "OFFLINE" not in ocr(online.surface, region, tmp_path)
    # Only the mark differs between the two screens.
    for name, rect in online.regions.items():
        if name != "offline":
            assert colour_count(online.surface, rect, (70, 70, 70)) == colour_count(
                offline.surface, rect, (70, 70, 70)
            )


def test_dirty_rects(queue: Queue) -> None:
    queue.issue("A", actor="reception")
    state = full_state(queue)
    view = BoardView((1280, 720), office_name=OFFICE, timezone=JAKARTA)
    first = view.update(state, now=NOW, running_text="Selamat datang")
    assert len(first) == len(view.regions)
    assert (
        view.update(state, now=NOW + timedelta(milliseconds=400), running_text="Selamat datang")
        == []
    )
    later = view.update(state, now=NOW + timedelta(seconds=1), running_text="Selamat datang")
    assert later == [view.regions["clock"]]
    # A call repaints the call, the counters and the waiting counts; not the header.
    queue.call_next("Loket 1", actor="fo")
    changed = view.update(
        full_state(queue), now=NOW + timedelta(seconds=1), running_text="Selamat datang"
    )
    by_rect = {tuple(r) for r in changed}
    for name in ("call", "counters", "waiting"):
        assert tuple(view.regions[name]) in by_rect
    for name in ("office", "date", "clock", "banner", "running", "offline"):
        assert tuple(view.regions[name]) not in by_rect


def test_attention_blinks_after_a_call_then_stops(queue: Queue, clock: FakeClock) -> None:
    queue.issue("A", actor="reception")
    queue.issue("A", actor="reception")
    queue.call_next("Loket 1", actor="fo")
    view = BoardView((1280, 720), office_name=OFFICE, timezone=JAKARTA)
    view.update(full_state(queue), now=NOW)
    assert not view.animating  # the call already on screen at start-up does not flash
    call = view.regions["call"]
    inside = (call.x + 10, call.y + 10)
    plain = tuple(view.surface.get_at(inside))[:3]

    queue.call_next("Loket 2", actor="fo")
    state = full_state(queue)
    view.update(state, now=NOW)
    assert view.animating
    inverted = tuple(view.surface.get_at(inside))[:3]
    assert inverted != plain
    view.update(state, now=NOW + timedelta(seconds=0.6))
    assert tuple(view.surface.get_at(inside))[:3] == plain  # blinking, not just coloured
    view.update(state, now=NOW + timedelta(seconds=ATTENTION_SECONDS + 0.1))
    assert not view.animating
    assert tuple(view.surface.get_at(inside))[:3] == plain

    # A recall is a new event: the highlight starts again.
    clock.advance(seconds=60)  # past the recall cool-down
    queue.recall(state["last_calls"][0]["label"], "Loket 2", actor="fo")
    later = NOW + timedelta(seconds=30)
    view.update(full_state(queue), now=later)
    assert view.animating
    assert msg.RECALLING in [t for t, _, _ in view.text_boxes["call"]]


def test_priority_mark_when_present() -> None:
    # A priority ticket carries a mark in words, not only a colour.
    state = {
        "counters": [
            {"id": 1, "name": "Loket 1", "label": "B-001", "paused": False, "priority": True}
        ],
        "last_calls": [
            {
                "event_id": 3,
                "label": "B-001",
                "counter": "Loket 1",
                "recall": False,
                "priority": True,
            }
        ],
        "waiting": {"A": 0},
        "printer": None,
        "last_event_id": 3,
    }
    view = draw(state, (1280, 720))
    assert msg.PRIORITY in [t for t, _, _ in view.text_boxes["call"]]
    assert "B-001 (P)" in [t for t, _, _ in view.text_boxes["counters"]]


def test_long_running_text_scrolls_from_the_injected_clock() -> None:
    text = "Pengumuman: " + "layanan buka pukul 08.00 sampai 16.00 WIB. " * 6
    state = {"counters": [], "last_calls": [], "waiting": {}, "printer": None}
    view = BoardView((1280, 720), office_name=OFFICE, timezone=JAKARTA)
    view.update(state, now=NOW, running_text=text)
    assert view.animating
    moved = view.update(state, now=NOW + timedelta(milliseconds=500), running_text=text)
    assert view.regions["running"] in moved


def test_text_cache_stays_within_its_byte_budget_over_a_day_of_calls() -> None:
    from display.board import TEXT_CACHE_BYTES

    view = BoardView((1920, 1080), office_name=OFFICE, timezone=JAKARTA)
    for n in range(1, 121):
        call = {"event_id": n, "label": f"A-{n:03d}", "counter": f"Loket {n % 7}", "recall": False}
        state = {"counters": [], "last_calls": [call], "waiting": {}, "printer": None}
        for half in range(3):  # through the attention blink's colours
            view.update(state, now=NOW + timedelta(seconds=10 * n + half * 0.5))
    assert 0 < view._texts.weight <= TEXT_CACHE_BYTES
    total = sum(s.get_width() * s.get_height() * s.get_bytesize() for s in view._texts.values())
    assert total == view._texts.weight
