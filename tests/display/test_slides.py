"""Slides in the lower part of both boards (issue 14): images and PDF pages from a folder,
PDF pages rendered once with the real pdftoppm, cycling by the clock; the TV board drawn with
SDL's dummy driver, the browser board through the Flask test client."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"

import html
import json
import shutil
from datetime import timedelta
from pathlib import Path

import pygame
import pytest

from display.board import BoardView
from display.slides import prepare_slides, slide_index
from tests.conftest import OPENING, make_settings
from tests.display.test_board import JAKARTA, NOW, OFFICE
from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.store import connect

needs_pdftoppm = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed"
)
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)
SHOTS = Path("/tmp/i14/shots")


def write_pdf(path: Path, colours: list[tuple[int, int, int]]) -> Path:
    """A PDF with one page (400 x 100 pt) per colour, each filled with it."""
    objects: list[bytes] = []
    pages = len(colours)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    for i, (r, g, b) in enumerate(colours):
        content = f"{r / 255} {g / 255} {b / 255} rg 0 0 400 100 re f".encode()
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 100] /Contents %d 0 R >>"
            % (4 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def write_png(path: Path, colour: tuple[int, int, int]) -> Path:
    surface = pygame.Surface((400, 100))
    surface.fill(colour)
    pygame.image.save(surface, str(path))
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    slides = tmp_path / "slides"
    slides.mkdir()
    write_pdf(slides / "a-pengumuman.pdf", [RED, GREEN])
    write_png(slides / "b-jadwal.png", BLUE)
    (slides / "catatan.txt").write_text("not a slide")
    return slides


def centre_colour(path: Path) -> tuple[int, int, int]:
    image = pygame.image.load(str(path))
    return tuple(image.get_at((image.get_width() // 2, image.get_height() // 2)))[:3]


@needs_pdftoppm
def test_pdf_pages_are_rendered_once_and_shown_in_name_order(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    slides = prepare_slides(folder, cache)
    assert [centre_colour(p) for p in slides] == [RED, GREEN, BLUE]
    assert slides[2] == folder / "b-jadwal.png"
    assert all(p.is_relative_to(cache) for p in slides[:2])
    assert pygame.image.load(str(slides[0])).get_width() == 1920  # a TV's width
    # Rendered once: a second look needs no pdftoppm and finds the same files.
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert prepare_slides(folder, cache) == slides


def test_no_folder_no_slides(tmp_path: Path) -> None:
    assert prepare_slides(tmp_path / "missing", tmp_path / "cache") == []
    assert prepare_slides(None, tmp_path / "cache") == []
    assert slide_index(0, NOW, 10) is None


@needs_pdftoppm
def test_the_tv_board_cycles_the_slides_by_the_clock(folder: Path, tmp_path: Path) -> None:
    slides = prepare_slides(folder, tmp_path / "cache")
    view = BoardView(
        (1280, 720), office_name=OFFICE, timezone=JAKARTA, slides=slides, slide_seconds=10
    )
    start = NOW.replace(second=0)  # 15:40:00: a whole multiple of 10 s since the epoch
    region = view.regions["waiting"]
    seen = []
    for step in range(4):
        view.update({}, now=start + timedelta(seconds=10 * step + 3))
        pixel = tuple(view.surface.get_at(region.center))[:3]
        # Scaling may round a channel by a step or two: the nearest of the three colours.
        seen.append(
            min(
                (RED, GREEN, BLUE),
                key=lambda c: sum(abs(a - b) for a, b in zip(c, pixel, strict=True)),
            )
        )
        assert sum(abs(a - b) for a, b in zip(seen[-1], pixel, strict=True)) < 12
    first = slide_index(3, start, 10)
    order = [RED, GREEN, BLUE]
    assert seen == [order[(first + k) % 3] for k in range(4)]
    assert view.text_boxes["waiting"] == []  # the slide replaces the numbers
    SHOTS.mkdir(parents=True, exist_ok=True)
    pygame.image.save(view.surface, str(SHOTS / "tv-slides.png"))


@needs_pdftoppm
def test_the_browser_board_shows_the_same_slide(folder: Path, tmp_path: Path) -> None:
    from admin import create_app

    settings = make_settings(
        tmp_path / "home", f'[display]\nlower = "slides"\nslides = "{folder}"\nslide_seconds = 10\n'
    )
    database = connect(settings.store.database)
    apply_catalog(database, settings)
    clock = FakeClock(OPENING)
    board = create_app(settings, clock=clock, config={"TESTING": True}).test_client()
    page = board.get("/board").get_data(as_text=True)
    shown = slide_index(3, OPENING, 10)
    assert f'id="board-slide" class="slide" alt="" src="/board/slides/{shown}?v=' in page
    assert '<ul id="board-waiting" hidden>' in page
    config = json.loads(html.unescape(page.split("data-config='")[1].split("'")[0]))
    assert len(config["slides"]) == 3 and config["slideSeconds"] == 10
    colours = []
    for url in config["slides"]:
        response = board.get(url)
        assert response.status_code == 200 and response.mimetype == "image/png"
        picture = tmp_path / "got.png"
        picture.write_bytes(response.data)
        colours.append(centre_colour(picture))
    assert colours == [RED, GREEN, BLUE]
    assert board.get("/board/slides/3").status_code == 404
    assert board.get("/board/slides/-1").status_code == 404


LONG = (
    "Mulai 1 Desember 2026 layanan legalisir ijazah hanya melayani berkas yang lengkap: "
    "fotokopi ijazah, KTP, dan surat kuasa bila diwakilkan"
)


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280)])
def test_the_tv_board_shows_the_announcements_whole_in_large_type(
    size: tuple[int, int],
) -> None:
    notes = ["Layanan istirahat pukul 12.00-13.00 WIB", LONG]
    view = BoardView(
        size, office_name=OFFICE, timezone=JAKARTA, announcements=notes, slide_seconds=10
    )
    start = NOW.replace(second=0)
    first = slide_index(2, start, 10)
    for step in range(2):
        view.update({"waiting": {"A": 3}}, now=start + timedelta(seconds=10 * step + 1))
        lines = [text for text, _, _ in view.text_boxes["waiting"]]
        # Every word, in order, on whole lines: nothing cut, no "…".
        assert " ".join(lines) == notes[(first + step) % 2]
        region = view.regions["waiting"]
        assert all(region.contains(box) for _, box, _ in view.text_boxes["waiting"])
        sizes = {px for _, _, px in view.text_boxes["waiting"]}
        assert len(sizes) == 1 and sizes.pop() >= min(size) // 30
    SHOTS.mkdir(parents=True, exist_ok=True)
    pygame.image.save(view.surface, str(SHOTS / f"tv-announcement-{size[0]}x{size[1]}.png"))


def test_the_browser_board_shows_the_announcement_due(tmp_path: Path) -> None:
    from admin import create_app

    settings = make_settings(
        tmp_path / "home",
        '[display]\nlower = "announcements"\nslide_seconds = 10\n'
        f'announcements = ["Layanan istirahat pukul 12.00-13.00 WIB", "{LONG}"]\n',
    )
    assert settings.display.announcements[1] == LONG
    database = connect(settings.store.database)
    apply_catalog(database, settings)
    board = create_app(settings, clock=FakeClock(OPENING), config={"TESTING": True}).test_client()
    page = board.get("/board").get_data(as_text=True)
    due = list(settings.display.announcements)[slide_index(2, OPENING, 10)]
    assert f'<p id="board-announcement" class="announcement">{due}</p>' in page
    assert '<ul id="board-waiting" hidden>' in page
    config = json.loads(html.unescape(page.split("data-config='")[1].split("'")[0]))
    assert config["announcements"] == list(settings.display.announcements)


def test_a_slide_fits_the_lower_part_while_the_band_holds_two_lines(tmp_path: Path) -> None:
    """Review of issue 14: the band grows (closed notice and priority legend) and the lower
    part shrinks; the slide is scaled to the new size, never drawn over the band."""
    slides = tmp_path / "slides"
    slides.mkdir()
    write_png(slides / "tall.png", BLUE)
    view = BoardView(
        (1280, 720),
        office_name=OFFICE,
        timezone=JAKARTA,
        slides=prepare_slides(slides, tmp_path / "cache"),
        slide_seconds=10,
    )
    view.update({}, now=NOW)
    tall = view.regions["waiting"].height
    two = {
        "closed_notice": "Pengambilan nomor antrian hari ini sudah ditutup",
        "last_calls": [{"event_id": 1, "label": "A-001", "counter": "Loket 1", "priority": True}],
    }
    view.update(two, now=NOW)
    region = view.regions["waiting"]
    assert region.height < tall
    above = (region.centerx, region.top - 2)  # the band's last row of pixels
    assert tuple(view.surface.get_at(above))[:3] != BLUE
    assert tuple(view.surface.get_at(region.center))[:3] == BLUE
    image = view._slide(slide_index(1, NOW, 10) or 0)
    assert image is not None and image.get_height() <= region.height
