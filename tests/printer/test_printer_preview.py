"""The PNG preview: paper width in dots, and the pixels show the label and a readable QR."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

import printer.preview as preview
from printer.capabilities import capabilities_for
from printer.layout import TicketContent, TicketLayout, layout_ticket
from printer.preview import render_preview, write_preview_png

DARK = 128  # a pixel darker than this is ink


def preview_png_bytes(layout: TicketLayout) -> bytes:
    """The preview of ``layout`` as PNG bytes, saved as :func:`write_preview_png` saves it."""
    buffer = io.BytesIO()
    render_preview(layout).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def dark_bands(image: Image.Image) -> list[tuple[int, int, int, int]]:
    """Runs of rows holding ink, as (top, bottom, left, right) boxes, top to bottom."""
    width, height = image.size
    pixels = image.load()
    bands: list[tuple[int, int, int, int]] = []
    top = None
    left, right = width, -1
    for y in range(height + 1):
        xs = [x for x in range(width) if pixels[x, y] < DARK] if y < height else []
        if xs:
            if top is None:
                top, left, right = y, width, -1
            left, right = min(left, xs[0]), max(right, xs[-1])
        elif top is not None:
            bands.append((top, y - 1, left, right))
            top = None
    return bands


def longest_vertical_run(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """The longest unbroken vertical stroke of ink inside ``box``, in dots."""
    top, bottom, left, right = box
    pixels = image.load()
    best = 0
    for x in range(left, right + 1):
        run = 0
        for y in range(top, bottom + 1):
            run = run + 1 if pixels[x, y] < DARK else 0
            best = max(best, run)
    return best


def ink_fraction(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """Share of ink pixels in ``box`` (top, bottom, left, right) of a greyscale image."""
    top, bottom, left, right = box
    data = image.crop((left, top, right + 1, bottom + 1)).tobytes()
    return sum(1 for value in data if value < DARK) / len(data)


def zbar(path: Path) -> str | None:
    """The QR text zbarimg reads in ``path``; ``None`` without zbarimg (zbar-tools)."""
    if shutil.which("zbarimg") is None:
        return None
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(path)],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(("paper_mm", "dots", "scale"), [(58, 384, 6), (80, 576, 8)])
def test_preview_is_paper_wide_and_shows_the_label_large(
    content: Callable[..., TicketContent], tmp_path: Path, paper_mm: int, dots: int, scale: int
) -> None:
    ticket = content(priority=True)
    layout = layout_ticket(ticket, capabilities_for("default", paper_mm))
    path = write_preview_png(layout, tmp_path / "ticket.png")
    image = Image.open(path)
    assert image.width == dots
    assert image.height > image.width  # a ticket, not a banner
    gray = image.convert("L")
    assert gray.getpixel((0, 0)) == 255  # white paper

    bands = dark_bands(gray)
    # The QR is the one roughly square band; everything else is text.
    qr_bands = [b for b in bands if 0.8 < (b[3] - b[2] + 1) / (b[1] - b[0] + 1) < 1.25]
    qr_bands = [b for b in qr_bands if b[1] - b[0] > 100]
    assert len(qr_bands) == 1
    text_bands = [b for b in bands if b not in qr_bands]
    # Black on white text (the priority mark, white on black, is checked below).
    dark_on_light = [b for b in text_bands if ink_fraction(gray, b) < 0.6]

    # The label: the band with the tallest unbroken strokes (the stems of A, 0, 7) ...
    runs = {band: longest_vertical_run(gray, band) for band in dark_on_light}
    label = max(dark_on_light, key=runs.__getitem__)
    # ... as tall as font A's capitals at that size (cap height ~ 0.6 of the 24-dot cell) ...
    assert runs[label] >= 0.55 * 24 * scale
    # ... far taller than any other text (the service name, 2x, comes next) ...
    others = sorted(runs[band] for band in dark_on_light if band != label)
    assert runs[label] >= 2.5 * others[-1]
    # ... as wide as five characters of 12 x scale dots, centred on the paper ...
    label_width = label[3] - label[2] + 1
    assert 0.8 * 5 * 12 * scale <= label_width <= dots
    assert abs((label[2] + label[3]) / 2 - dots / 2) < 12 * scale
    # ... and above the QR, below the office and service names.
    assert text_bands.index(label) >= 3
    assert label[1] < qr_bands[0][0]

    # The priority mark: a solid black bar (white-on-black text) right below the label.
    after = [b for b in text_bands if b[0] > label[1]]
    assert ink_fraction(gray, after[0]) > 0.6
    assert after[0][1] - after[0][0] + 1 >= 2 * 24 - 2  # 2x cell height

    decoded = zbar(path)
    if decoded is not None:
        assert decoded == ticket.url


def test_preview_without_priority_has_no_black_bar(
    content: Callable[..., TicketContent],
) -> None:
    image = render_preview(layout_ticket(content(), capabilities_for("default", 58)))
    for band in dark_bands(image):
        top, bottom, left, right = band
        width, height = right - left + 1, bottom - top + 1
        square = 0.8 < width / height < 1.25 and height > 100
        # A band shorter than a text cell is the dot of an "i" alone on its row (the QR
        # caption wraps on 58 mm), never a bar: the priority bar is two cells tall.
        dot = height < 24
        assert square or dot or ink_fraction(image, band) < 0.6  # only the QR is that dark


def test_preview_shows_every_line_of_long_names(long_content: TicketContent) -> None:
    short = render_preview(
        layout_ticket(
            TicketContent(**{**long_content.__dict__, "office_name": "X", "service_name": "Y"}),
            capabilities_for("default", 58),
        )
    )
    long = render_preview(layout_ticket(long_content, capabilities_for("default", 58)))
    assert long.width == short.width == 384
    # Wrapped lines make the ticket longer; none is dropped or drawn off the paper.
    assert long.height >= short.height + 4 * 30
    assert len(dark_bands(long)) >= len(dark_bands(short)) + 4


def test_png_bytes_are_a_png_of_the_paper_width(content: Callable[..., TicketContent]) -> None:
    data = preview_png_bytes(layout_ticket(content(), capabilities_for("default", 80)))
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(data)).width == 576


def test_missing_font_falls_back_with_a_warning(
    content: Callable[..., TicketContent],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(preview, "_find_font", lambda bold: None)
    preview._font.cache_clear()
    preview._warn_no_font.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="printer.preview"):
            image = render_preview(layout_ticket(content(), capabilities_for("default", 58)))
    finally:
        preview._font.cache_clear()
        preview._warn_no_font.cache_clear()
    assert image.width == 384
    assert "fonts-dejavu-core" in caplog.text
    # Still the same lines, drawn inside the paper.
    assert len(dark_bands(image)) > 10


def test_dejavu_is_installed_for_the_real_preview() -> None:
    # Debian package fonts-dejavu-core; without it previews do not look like the paper.
    assert preview._find_font(False) is not None
    assert preview._find_font(True) is not None
