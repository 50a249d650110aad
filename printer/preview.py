"""Render a :class:`~printer.layout.TicketLayout` to a PNG the size of the paper.

The image is exactly as wide as the printable width in dots (384 for 58 mm, 576 for 80 mm; one
pixel per printer dot) and draws the same lines as :mod:`printer.escpos_render`: the layout has
already wrapped them. Text is DejaVu Sans Mono, sized so one character takes the 12-dot advance
of ESC/POS font A (the printer's font is fixed-pitch too, so line widths match the paper); a
block at scale n uses cells of 12n × 24n dots, as GS ! n does. The QR is the very image that a
printer without native QR receives.

Fonts come from Debian's ``fonts-dejavu-core``. Without it the preview falls back to Pillow's
built-in font and logs a warning: the lines are the same, their look is not.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Final

from PIL import Image, ImageDraw, ImageFont

from printer.capabilities import FONT_A_HEIGHT_DOTS, FONT_A_WIDTH_DOTS, LINE_DOTS
from printer.layout import Align, CutBlock, FeedBlock, QrBlock, TextBlock, TicketLayout
from printer.qr import qr_image

log = logging.getLogger(__name__)

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont

_FONT_DIRS: Final = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)
_REGULAR: Final = "DejaVuSansMono.ttf"
_BOLD: Final = "DejaVuSansMono-Bold.ttf"

TOP_MARGIN_DOTS: Final = 8
"""White above the first line, like the margin a printer leaves after the previous cut."""
CUT_MARGIN_DOTS: Final = 24
"""White between the last line and the dashed cut mark at the bottom of the preview."""
WHITE: Final = 255
BLACK: Final = 0


@lru_cache(maxsize=2)
def _find_font(bold: bool) -> Path | None:
    """The DejaVu Sans Mono file (regular or bold), or ``None`` when it is not installed."""
    name = _BOLD if bold else _REGULAR
    for folder in _FONT_DIRS:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    # Elsewhere (another distribution's layout): ask fontconfig, if present.
    if shutil.which("fc-match"):
        pattern = "DejaVu Sans Mono:bold" if bold else "DejaVu Sans Mono"
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{file}", pattern],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found.endswith(name) and Path(found).is_file():
            return Path(found)
    return None


@lru_cache(maxsize=32)
def _font(scale: int, bold: bool) -> FontType:
    """A font whose advance is 12 × ``scale`` dots per character (font A at GS ! n)."""
    path = _find_font(bold) or _find_font(False)
    if path is None:
        _warn_no_font()

    def load(size: float) -> FontType:
        if path is None:
            return ImageFont.load_default(size=size)
        return ImageFont.truetype(str(path), size)

    reference = load(100)
    advance_per_point = reference.getlength("0") / 100 or 0.6
    return load(FONT_A_WIDTH_DOTS * scale / advance_per_point)


@lru_cache(maxsize=1)
def _warn_no_font() -> None:
    log.warning(
        "DejaVu Sans Mono not found (Debian package fonts-dejavu-core): the ticket preview "
        "uses Pillow's default font and will not look like the paper"
    )


def _line_height(scale: int) -> int:
    """Paper advance of one text line at ``scale``: the line feed, or the cell if taller."""
    return max(LINE_DOTS, FONT_A_HEIGHT_DOTS * scale)


def render_preview(layout: TicketLayout) -> Image.Image:
    """The ticket as a greyscale image, one pixel per printer dot, white paper, black ink."""
    width = layout.paper.dots
    # QR images are the costly part: make each once, for the height and for drawing.
    symbols = {
        index: qr_image(block.data, block.module_dots, width)
        for index, block in enumerate(layout.blocks)
        if isinstance(block, QrBlock)
    }
    heights: list[int] = []
    for index, block in enumerate(layout.blocks):
        if isinstance(block, TextBlock):
            heights.append(_line_height(block.scale) * len(block.lines))
        elif isinstance(block, QrBlock):
            heights.append(symbols[index].height)
        elif isinstance(block, FeedBlock):
            heights.append(LINE_DOTS * block.lines)
        elif isinstance(block, CutBlock):
            heights.append(CUT_MARGIN_DOTS + 1)
        else:
            raise TypeError(f"unknown layout block {block!r}")
    image = Image.new("L", (width, TOP_MARGIN_DOTS + sum(heights)), WHITE)
    draw = ImageDraw.Draw(image)
    y = TOP_MARGIN_DOTS
    for index, block in enumerate(layout.blocks):
        if isinstance(block, TextBlock):
            _draw_text(image, draw, block, y, width)
        elif isinstance(block, QrBlock):
            image.paste(symbols[index].convert("L"), (0, y))
        elif isinstance(block, CutBlock):
            # The cut, drawn as a dashed line across the paper below a margin.
            cut_y = y + CUT_MARGIN_DOTS
            for x in range(0, width, 12):
                draw.line([(x, cut_y), (x + 5, cut_y)], fill=BLACK)
        y += heights[index]
    return image


def _draw_text(
    image: Image.Image, draw: ImageDraw.ImageDraw, block: TextBlock, y: int, width: int
) -> int:
    """Draw ``block`` with its first line at ``y``; return the ``y`` below its last line."""
    font = _font(block.scale, block.bold)
    cell_w = FONT_A_WIDTH_DOTS * block.scale
    cell_h = FONT_A_HEIGHT_DOTS * block.scale
    line_h = _line_height(block.scale)
    for line in block.lines:
        # Like the printer, align in whole character cells.
        text_w = min(len(line) * cell_w, width)
        if block.align is Align.CENTER:
            x = (width - text_w) // 2
        elif block.align is Align.RIGHT:
            x = width - text_w
        else:
            x = 0
        ink = BLACK
        if block.invert:
            draw.rectangle([x, y, x + text_w - 1, y + cell_h - 1], fill=BLACK)
            ink = WHITE
        # Centre the glyphs ("A" top to "g" bottom) vertically in the cell.
        _, top, _, bottom = font.getbbox("Ag", anchor="la")
        glyph_h = bottom - top
        text_y = y + max(0, (cell_h - glyph_h) // 2) - top
        drawn_w = font.getlength(line)
        if drawn_w > text_w + 1:
            # Only with the fallback font: squeeze rather than run off the paper.
            paper = BLACK if block.invert else WHITE
            squeezed = Image.new("L", (max(1, int(drawn_w)), cell_h), paper)
            ImageDraw.Draw(squeezed).text((0, text_y - y), line, font=font, fill=ink)
            fitted = squeezed.resize((max(1, text_w), cell_h))
            image.paste(fitted, (x, y))
        else:
            draw.text((x + (text_w - drawn_w) / 2, text_y), line, font=font, fill=ink, anchor="la")
        y += line_h
    return y


def write_preview_png(layout: TicketLayout, path: str | Path) -> Path:
    """Write the preview of ``layout`` as a PNG file at ``path`` (folders must exist)."""
    target = Path(path)
    render_preview(layout).save(target, format="PNG", optimize=True)
    return target
