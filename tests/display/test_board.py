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

import logging
import shutil
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pygame
import pytest

from display import board_messages as msg
from display.board import (
    ATTENTION_SECONDS,
    BOLD_FONT,
    PANEL,
    TEXT,
    BoardView,
    _cut_middle,
)
from tests.conftest import OPENING, make_settings
from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.queries import board_state, service_names
from ult.queue import Queue
from ult.store import connect

JAKARTA = ZoneInfo("Asia/Jakarta")
OFFICE = "ULT Kantor Kementerian Agama"
LONG_OFFICE = "Unit Layanan Terpadu Kantor Wilayah Kementerian Agama Provinsi Nusa Tenggara Timur"
SIZES = [(1280, 720), (1920, 1080)]
# 15:40:07 in Jakarta on Sunday 29 November 2026.
NOW = datetime(2026, 11, 29, 8, 40, 7, tzinfo=UTC)

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract-ocr is not installed"
)


def render_screenshot(
    state: Mapping[str, Any],
    size: tuple[int, int],
    path: Path,
    *,
    office_name: str,
    timezone: ZoneInfo,
    now: datetime,
    offline: bool = False,
    running_text: str = "",
    font_path: Path | None = None,
    logo_path: Path | None = None,
) -> Path:
    """Draw the board once at ``size`` (pixels) on an off-screen surface; write it to
    ``path`` as PNG (folders are made)."""
    view = BoardView(
        size, office_name=office_name, timezone=timezone, font_path=font_path, logo_path=logo_path
    )
    view.update(state, now=now, offline=offline, running_text=running_text)
    path.parent.mkdir(parents=True, exist_ok=True)
    pygame.image.save(view.surface, str(path))
    return path


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
    # The office's name is whole, on two lines (review of issue 14: never "BPMP Provin…").
    office = [text for text, _, _ in view.text_boxes["office"]]
    assert " ".join(office) == LONG_OFFICE and len(office) == 2
    office_px = [px for _, _, px in view.text_boxes["office"]]
    assert min(office_px) >= min(size) // 40 and len(set(office_px)) == 1
    # A long counter name is shortened, not clipped: cut in the middle, its ends kept.
    assert any(
        text == names[2] or (text.startswith("Loket") and "…" in text and text.endswith(" 3"))
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
    assert msg.OFFLINE.upper() in ocr(offline.surface, region, tmp_path)
    assert msg.OFFLINE.upper() not in ocr(online.surface, region, tmp_path)
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


def call(event_id: int, label: str, counter: str, **extra: object) -> dict:
    return {"event_id": event_id, "label": label, "counter": counter, "recall": False, **extra}


def faulty_priority_state() -> dict:
    """A priority call while the printer is out of paper: "★" and "⚠" are both on screen."""
    return {
        "counters": [{"id": 1, "name": "Loket 1", "label": "B-001", "priority": True}],
        "last_calls": [call(3, "B-001", "Loket 1", priority=True), call(2, "A-001", "Loket 1")],
        "waiting": {"A": 2, "B": 0},
        "service_names": {"A": "Umum", "B": "Haji"},
        "printer": "paper_out",
    }


@pytest.mark.parametrize("kind", ["random bytes", "png"])
def test_unreadable_font_file_is_logged_once_and_the_default_font_used(
    tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    # SDL_ttf opens both of these; the first measurement used to fail with
    # "pygame.error: Passed a NULL pointer" and stop the board.
    bad = tmp_path / "font.ttf"
    if kind == "png":
        pygame.image.save(pygame.Surface((16, 16)), str(tmp_path / "image.png"))
        bad.write_bytes((tmp_path / "image.png").read_bytes())
    else:
        bad.write_bytes(os.urandom(4096))
    state = faulty_priority_state()
    with caplog.at_level(logging.WARNING, logger="display.board"):
        view = BoardView((1280, 720), office_name=OFFICE, timezone=JAKARTA, font_path=bad)
        view.update(state, now=NOW, offline=True, running_text="Selamat datang")
        view.update(state, now=NOW + timedelta(seconds=1), offline=True)
    assert [r for r in caplog.records if str(bad) in r.getMessage()] != []
    assert len(caplog.records) == 1
    assert_well_laid_out(view)
    plain = BoardView((1280, 720), office_name=OFFICE, timezone=JAKARTA)
    plain.update(state, now=NOW, offline=True, running_text="Selamat datang")
    plain.update(state, now=NOW + timedelta(seconds=1), offline=True)
    # Exactly the board without a configured font.
    assert pygame.image.tobytes(view.surface, "RGB") == pygame.image.tobytes(plain.surface, "RGB")


@pytest.mark.skipif(not BOLD_FONT.exists(), reason="DejaVu Sans is not installed")
def test_configured_font_keeps_bold_and_borrows_missing_symbols(tmp_path: Path) -> None:
    # pygame's bundled font: one file, one weight, and no "★" or "⚠".
    font_path = Path(pygame.__file__).parent / "freesansbold.ttf"
    view = BoardView((1280, 720), office_name=OFFICE, timezone=JAKARTA, font_path=font_path)
    view.update(faulty_priority_state(), now=NOW)
    assert_well_laid_out(view)
    boxes = {text: (box, px) for text, box, px in view.text_boxes["call"]}
    # Bold is synthesised from the single file: the label is wider than the plain face.
    box, px = boxes["B-001"]
    assert box.width > pygame.font.Font(str(font_path), px).size("B-001")[0]
    # The priority mark is drawn in DejaVu Sans Bold, pixel for pixel, not as ".notdef" boxes.
    box, px = boxes[msg.PRIORITY]
    expected = pygame.Surface(box.size)
    expected.fill(PANEL)
    expected.blit(pygame.font.Font(str(BOLD_FONT), px).render(msg.PRIORITY, True, TEXT), (0, 0))
    drawn = view.surface.subsurface(box)
    assert pygame.image.tobytes(drawn, "RGB") == pygame.image.tobytes(expected, "RGB")
    # Text the configured font has is drawn with it: it differs from DejaVu.
    box, px = boxes[msg.GO_TO]
    dejavu = pygame.font.Font(str(BOLD_FONT.with_name("DejaVuSans.ttf")), px)
    assert box.size != dejavu.size(msg.GO_TO)
    render_screenshot(
        faulty_priority_state(),
        (1280, 720),
        tmp_path / "font.png",
        office_name=OFFICE,
        timezone=JAKARTA,
        now=NOW,
        font_path=font_path,
    )


@pytest.mark.parametrize("size", [(720, 1280), (1080, 1920), (1280, 720), (1920, 1080)])
def test_overflow_row_only_when_something_is_hidden(size: tuple[int, int]) -> None:
    one_earlier = {
        "counters": [{"id": 1, "name": "Loket 1", "label": "A-002"}],
        "last_calls": [call(2, "A-002", "Loket 1"), call(1, "A-001", "Loket 1")],
        "waiting": {"A": 0},
    }
    view = draw(one_earlier, size)
    assert_well_laid_out(view)
    assert [t for t, _, _ in view.text_boxes["calls"]] == [msg.LAST_CALLS, "Loket 1", "A-001"]
    assert not any("lainnya" in t for t, _, _ in view.text_boxes["counters"])

    counters = [{"id": n, "name": f"Loket {n}", "label": f"A-{n:03d}"} for n in range(1, 41)]
    view = draw({"counters": counters, "last_calls": [], "waiting": {}}, size)
    assert_well_laid_out(view)
    rows = view.text_boxes["counters"][1:]  # after the title
    more_text, more_box, more_px = rows[-1]
    names = [t for t, _, _ in rows[:-1] if t.startswith("Loket")]
    assert more_text == msg.MORE.format(n=40 - len(names))
    assert all(more_px <= px for _, _, px in rows[:-1])
    assert all(more_box.height <= box.height for _, box, _ in rows[:-1])


def test_long_counter_and_service_names_stay_distinct() -> None:
    names = [f"Loket Pelayanan Terpadu Nomor {n}" for n in range(1, 15)]
    services = {
        letter: f"Pelayanan Administrasi Kepegawaian dan Umum Bagian {n}"
        for n, letter in enumerate("ABCD", 1)
    }
    state = {
        "counters": [
            {"id": n, "name": name, "label": f"A-{n:03d}"} for n, name in enumerate(names)
        ],
        "last_calls": [call(100 - n, f"A-{n:03d}", names[n - 1]) for n in range(14, 0, -1)],
        "waiting": dict.fromkeys(services, 3),
        "service_names": services,
    }
    view = draw(state, (1280, 720))
    assert_well_laid_out(view)
    for region in ("counters", "calls"):
        shown = [t for t, _, _ in view.text_boxes[region] if t.startswith("Loket")]
        assert len(shown) >= 3 and len(set(shown)) == len(shown), shown
        for text in shown:
            # One cut, in the middle: the head and the counter's number both survive.
            assert text.count("…") == 1 and text.startswith("Loket Pel"), text
            assert any(text.endswith(f"Nomor {n}") for n in range(1, 15)), text
    cells = [t for t, _, _ in view.text_boxes["waiting"] if "·" in t]
    assert len(cells) == 4 and len(set(cells)) == 4, cells
    for n, text in enumerate(cells, 1):
        assert "…" in text and text.endswith(f"Bagian {n}"), text


@pytest.mark.parametrize(
    "text", ["Loket Pelayanan Terpadu Nomor 12", "Pendidikan Madrasah dan Pesantren", "A-001"]
)
def test_middle_cut_keeps_head_and_tail(text: str) -> None:
    last_word = text.split()[-1]
    for visible in range(1, len(text)):
        cut = _cut_middle(text, visible)
        head, tail = cut.split("…")
        assert len(head) + len(tail) <= visible
        assert text.startswith(head) and text.endswith(tail)
        # The tail keeps the last word when there is room for a head besides it.
        if visible >= 2 * len(last_word):
            assert tail.endswith(last_word) and len(tail) >= len(last_word) and head


def test_last_calls_show_each_ticket_once(queue: Queue, clock: FakeClock) -> None:
    queue.issue("A", actor="reception")
    queue.issue("A", actor="reception")
    queue.call_next("Loket 1", actor="fo")
    queue.call_next("Loket 2", actor="fo")
    for _ in range(2):
        clock.advance(seconds=60)  # past the recall cool-down
        queue.recall("A-001", "Loket 1", actor="fo")
    state = full_state(queue)
    assert [c["label"] for c in state["last_calls"]] == ["A-001", "A-001", "A-002", "A-001"]
    view = draw(state, (1280, 720))
    # A-001 is the big call; the list holds A-002 only, once.
    assert [t for t, _, _ in view.text_boxes["calls"]] == [msg.LAST_CALLS, "Loket 2", "A-002"]


def test_offline_mark_is_indonesian() -> None:
    view = draw({"counters": [], "last_calls": [], "waiting": {}}, (1280, 720), offline=True)
    assert [t for t, _, _ in view.text_boxes["offline"]] == [f"● {msg.OFFLINE}"]
    assert msg.OFFLINE == "terputus"
