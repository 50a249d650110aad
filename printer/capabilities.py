"""What a printer can do, as plain data: paper width, text sizes, QR, cutter, characters.

Built once from a python-escpos capabilities profile (escpos-printer-db) and the paper width in
the settings; both backends (ESC/POS and the PNG preview) and the layout read only this, so a
preview shows what the paper will show.

Units: widths in dots (1 dot = 1/8 mm on the usual 203 dpi thermal head), paper in millimetres.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from escpos.capabilities import BaseProfile, get_profile
from escpos.magicencode import Encoder

log = logging.getLogger(__name__)

FONT_A_WIDTH_DOTS: Final = 12
"""Width of one character cell of ESC/POS font A at size 1x1 (ESC M 0), in dots."""
FONT_A_HEIGHT_DOTS: Final = 24
"""Height of one character cell of ESC/POS font A at size 1x1, in dots."""
LINE_DOTS: Final = 30
"""Default line feed (ESC 2, about 1/6 inch, 3.75 mm), in dots; the preview uses the same."""
MAX_CUSTOM_SCALE: Final = 8
"""Largest character magnification of GS ! n (select character size): 1..8 each way."""
MAX_DOUBLE_SCALE: Final = 2
"""Largest magnification with ESC ! n (select print mode: double width/height) only."""

# Profiles of printers known not to take GS ! (custom character size); they get ESC ! doubles.
# "simple" is python-escpos' lowest-common-denominator profile, so it is treated the same way.
_NO_CUSTOM_SIZE_PROFILES: Final = frozenset({"simple"})

# Image commands in order of preference: GS v 0 (raster bit image) is the most widely supported.
_IMAGE_IMPLS: Final = ("bitImageRaster", "graphics", "bitImageColumn")


@dataclass(frozen=True)
class Paper:
    """A roll width and the printable width the layout may use.

    ``dots`` is the printable width in dots; ``columns`` how many font A characters (12 dots)
    fit on one line at size 1x1.
    """

    width_mm: int
    dots: int

    @property
    def columns(self) -> int:
        """Characters of font A per line at 1x1 (58 mm: 32, 80 mm: 48)."""
        return self.dots // FONT_A_WIDTH_DOTS


PAPER_58: Final = Paper(width_mm=58, dots=384)
"""58 mm roll: 48 mm printable at 203 dpi = 384 dots = 32 characters of font A."""
PAPER_80: Final = Paper(width_mm=80, dots=576)
"""80 mm roll: 72 mm printable at 203 dpi = 576 dots = 48 characters of font A."""

PAPERS: Final[dict[int, Paper]] = {58: PAPER_58, 80: PAPER_80}


def paper_for_width(width_mm: int) -> Paper:
    """The paper for a roll width in millimetres (58 or 80); ``ValueError`` otherwise."""
    try:
        return PAPERS[int(width_mm)]
    except (KeyError, TypeError, ValueError):
        raise ValueError(
            f"paper_width_mm must be one of {sorted(PAPERS)}, not {width_mm!r}"
        ) from None


@dataclass(frozen=True)
class PrinterCapabilities:
    """What one printer model can do with one paper roll, as data.

    Attributes:
        profile_name: the python-escpos profile it was built from (``"default"``, ``"TM-T20II"``).
        paper: printable width (dots) and characters per line (font A).
        max_text_scale: largest character magnification, width and height alike: 8 when the
            printer takes GS ! n (custom size), 2 when it only has ESC ! double width/height.
        custom_size: GS ! n (select character size) is available.
        native_qr: the printer draws QR codes itself (GS ( k, function 165-181; profile
            feature ``qrCode``).
        image_impl: python-escpos image method for the image QR fallback
            (``bitImageRaster`` = GS v 0, ``graphics`` = GS ( L, ``bitImageColumn`` = ESC *),
            or ``None`` when the profile prints no images.
        cutter: the printer has a cutter (GS V); without one the paper is fed out to tear off.
        extra_chars: the non-ASCII characters the profile's code pages can print (ESC t n);
            any other character is transliterated or replaced before it reaches the printer.
    """

    profile_name: str
    paper: Paper
    max_text_scale: int
    custom_size: bool
    native_qr: bool
    image_impl: str | None
    cutter: bool
    extra_chars: frozenset[str]

    @property
    def can_print_qr(self) -> bool:
        """A QR code can be printed, natively or as an image."""
        return self.native_qr or self.image_impl is not None

    def can_print_char(self, char: str) -> bool:
        """``char`` prints as itself: printable ASCII or in one of the profile's code pages."""
        return " " <= char <= "~" or char in self.extra_chars


def capabilities_for(
    profile: str | BaseProfile | None,
    paper_width_mm: int,
    *,
    custom_size: bool | None = None,
) -> PrinterCapabilities:
    """Capabilities of a python-escpos profile on a roll of ``paper_width_mm`` (58 or 80).

    ``profile`` is a profile name of python-escpos' capabilities database (``None`` means
    ``"default"``) or a profile object. ``custom_size`` overrides whether GS ! n works (the
    database does not say; most ESC/POS printers take it). Raises ``ValueError`` for an unknown
    profile or paper width, naming the setting.

    The printable width is the paper's (384 or 576 dots) unless the profile states a narrower
    one (an 80 mm printer at 180 dpi prints 512 dots): the layout then uses the narrower width,
    so nothing is cut off.
    """
    paper = paper_for_width(paper_width_mm)
    try:
        profile_obj = get_profile(profile)
    except KeyError:
        raise ValueError(f"unknown printer profile {profile!r} (python-escpos profiles)") from None
    name = str(profile_obj.profile_data.get("name", profile or "default"))
    profile_key = profile if isinstance(profile, str) else name

    profile_dots = _profile_dots(profile_obj)
    if profile_dots is not None and profile_dots < paper.dots:
        log.info(
            "profile %s prints %d dots, narrower than %d mm paper (%d dots): using %d",
            profile_key,
            profile_dots,
            paper.width_mm,
            paper.dots,
            profile_dots,
        )
        paper = Paper(width_mm=paper.width_mm, dots=profile_dots)

    if custom_size is None:
        custom_size = profile_key not in _NO_CUSTOM_SIZE_PROFILES
    features = profile_obj.features
    image_impl = next((impl for impl in _IMAGE_IMPLS if features.get(impl)), None)
    return PrinterCapabilities(
        profile_name=profile_key,
        paper=paper,
        max_text_scale=MAX_CUSTOM_SCALE if custom_size else MAX_DOUBLE_SCALE,
        custom_size=custom_size,
        native_qr=bool(features.get("qrCode")),
        image_impl=image_impl,
        cutter=bool(features.get("paperFullCut") or features.get("paperPartCut")),
        extra_chars=_extra_chars(tuple(sorted(profile_obj.get_code_pages()))),
    )


def _profile_dots(profile: BaseProfile) -> int | None:
    """The printable width the profile states, in dots, or ``None`` when it says "Unknown"."""
    try:
        pixels = profile.profile_data["media"]["width"]["pixels"]
        return int(pixels)
    except (KeyError, TypeError, ValueError):
        return None


@lru_cache(maxsize=64)
def _extra_chars(code_pages: tuple[str, ...]) -> frozenset[str]:
    """Every non-ASCII character that one of ``code_pages`` can encode (escpos' own tables)."""
    encoder = Encoder({page: 0 for page in code_pages})
    chars: set[str] = set()
    for page in code_pages:
        try:
            table = encoder._get_codepage_char_map(page)
        except LookupError:
            # "Unknown" slots of a profile have no table: nothing can be printed through them.
            continue
        chars.update(char for char in table if len(char) == 1 and ord(char) >= 0xA0)
    return frozenset(chars)
