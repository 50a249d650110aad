"""Slides for the lower part of both boards (``[display] lower = "slides"``).

The folder's PNG and JPEG files are shown as they are; each PDF's pages are rendered once to
PNG with ``pdftoppm`` (Debian poppler-utils) into a cache folder, again only when the PDF
changes (its size and modification time name the pages). Slides follow the file names'
order, each shown ``slide_seconds`` seconds; which one shows is a function of the clock, so
the TV and every browser board show the same slide at the same time.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from ult.settings import Settings

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
PDF_SUFFIX = ".pdf"
PDF_WIDTH_PX = 1920
"""Width (pixels) a PDF page is rendered at: a full-HD TV's width, scaled down to fit."""
PDF_TIMEOUT_S = 120
MAX_SLIDES = 100
"""At most this many slides (pages) are shown: a thick report dropped in by mistake must
not fill the disk with pictures."""


def prepare_slides(folder: Path | None, cache: Path) -> list[Path]:
    """The slides of ``folder`` in name order: its images, and each PDF's pages rendered to
    PNG under ``cache`` (made when missing). A missing folder, a PDF that cannot be
    rendered or a missing ``pdftoppm`` is logged and left out: the board shows the waiting
    numbers rather than nothing."""
    if folder is None or not folder.is_dir():
        if folder is not None:
            log.warning("slides folder %s not found; the board shows the waiting numbers", folder)
        return []
    slides: list[Path] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
        suffix = path.suffix.lower()
        if not path.is_file() or path.name.startswith("."):
            continue
        if suffix in IMAGE_SUFFIXES:
            slides.append(path)
        elif suffix == PDF_SUFFIX:
            slides += _pdf_pages(path, cache)
        if len(slides) >= MAX_SLIDES:
            break
    return slides[:MAX_SLIDES]


def _pdf_pages(pdf: Path, cache: Path) -> list[Path]:
    """The rendered pages of ``pdf`` (rendered now when this version was never rendered)."""
    stat = pdf.stat()
    key = hashlib.sha256(f"{pdf.name}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()
    target = cache / f"{pdf.stem}-{key[:16]}"
    done = target / "done"
    if not done.exists():
        tool = shutil.which("pdftoppm")
        if tool is None:
            log.warning("cannot show %s: pdftoppm (poppler-utils) is not installed", pdf)
            return []
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(
                [
                    tool,
                    "-png",
                    *("-scale-to-x", str(PDF_WIDTH_PX), "-scale-to-y", "-1"),
                    *("-l", str(MAX_SLIDES), str(pdf), str(target / "page")),
                ],
                check=True,
                capture_output=True,
                timeout=PDF_TIMEOUT_S,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("cannot render the slides of %s: %s", pdf, exc)
            shutil.rmtree(target, ignore_errors=True)
            return []
        done.write_text(pdf.name, encoding="utf-8")
    # pdftoppm pads page numbers to the same width, so names sort in page order.
    return sorted(target.glob("page-*.png"))


def slide_index(count: int, now: datetime, seconds: int) -> int | None:
    """Which of ``count`` slides shows at ``now`` (each ``seconds`` long); None: none."""
    if count <= 0:
        return None
    return int(now.timestamp() // max(1, seconds)) % count


def board_slides(settings: Settings) -> list[Path]:
    """The slides both boards show under these settings: none unless ``[display] lower`` is
    "slides"; PDF pages are cached under ``<home>/slides``."""
    if settings.display.lower != "slides":
        return []
    return prepare_slides(settings.display.slides, settings.home / "slides")


def board_announcements(settings: Settings) -> tuple[str, ...]:
    """The announcements both boards show in the lower part: none unless ``[display] lower``
    is "announcements"."""
    if settings.display.lower != "announcements":
        return ()
    return settings.display.announcements
