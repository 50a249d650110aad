"""The caller board: draws :func:`ult.queries.board_state` onto a pygame Surface.

The view only paints; it never waits, polls or opens a window, so the main loop
(:class:`display.app.BoardLoop`) owns timing and the tests can render with
``SDL_VIDEODRIVER=dummy``. Every size is derived
from the surface size in pixels, so one layout serves 1280x720 up to 3840x2160.

The screen is cut into fixed, non-overlapping regions (header, current call, lists, one band
for the printer fault or the priority mark's legend, the lower part with the waiting counts in
large type or a slide, running text, offline mark). Which call is shown and listed follows
:mod:`display.calls`, the browser board's rule too. Each region remembers the data it last
drew; :meth:`BoardView.update` repaints only regions whose data changed and returns their
rectangles, which the loop hands to ``pygame.display.update(rects)``.

One state key is used besides those of ``board_state`` (which carries the ``priority`` flag
of each call and counter): ``service_names`` (``{letter: name}``, from
:func:`ult.queries.service_names`, joined by :func:`display.snapshot.board_view_state`;
letters are shown without it).
"""

from __future__ import annotations

import logging
import math
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pygame
import pygame.freetype
from babel.dates import format_date, format_time

from display import board_messages as msg
from display.calls import BAND_CLOSED, BAND_FAULT, BAND_LEGEND, band, current_call, earlier_calls
from display.slides import slide_index

log = logging.getLogger(__name__)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
REGULAR_FONT = FONT_DIR / "DejaVuSans.ttf"
BOLD_FONT = FONT_DIR / "DejaVuSans-Bold.ttf"
FONT_SAMPLE = "A-001 Loket 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz"
"""What a configured font must measure and render: every ticket label, number and name uses
these characters, so a font without them is no better than a broken file."""

ATTENTION_SECONDS = 6.0
"""How long (seconds) the latest call stays highlighted after a call or recall."""
BLINK_SECONDS = 0.5
"""Half period (seconds) of the attention blink: colours invert every half second."""
MARQUEE_SPEED = 0.08
"""Running text speed, in screen widths per second, when the text is wider than its line."""

TEXT_CACHE_SIZE = 256
"""Rendered text surfaces kept; bounded so memory stays flat over a working day."""
TEXT_CACHE_BYTES = 16 * 1024 * 1024
"""Pixel bytes the rendered-text cache may hold: one huge call label is ~1 MB, so a bound
on entries alone let the cache grow to ~100 MB over a day of calls."""
FONT_CACHE_SIZE = 48
FIT_CACHE_SIZE = 512
GLYPH_CACHE_SIZE = 1024
SLIDE_CACHE_SIZE = 4
"""Scaled slides kept: the one shown and the next few, not a whole folder's pictures."""
TAIL_SHARE = 0.4
"""Share of the visible characters a middle cut keeps from the end of a text: the end is what
tells "Loket ... Nomor 1" from "Loket ... Nomor 12"."""

# High contrast on a dark background: white on black is ~21:1, the yellow ~15:1.
BACKGROUND = (0, 0, 0)
PANEL = (24, 28, 36)
TEXT = (255, 255, 255)
MUTED = (200, 204, 210)
ACCENT = (255, 212, 0)
BANNER_BG = (176, 0, 0)
OFFLINE_BG = (70, 70, 70)

Color = tuple[int, int, int]


class _LRU(OrderedDict):
    """A dict that forgets its least recently used entries beyond ``limit`` entries or,
    with ``weigh``, beyond ``budget`` total weight (e.g. bytes of pixels)."""

    def __init__(
        self,
        limit: int,
        *,
        weigh: Callable[[Any], int] | None = None,
        budget: int = 0,
    ) -> None:
        super().__init__()
        self.limit = limit
        self.weight = 0
        self._weigh = weigh
        self._budget = budget

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        if self._weigh is not None:
            self.weight += self._weigh(value)
        # The newest entry always stays, even when it alone is over the budget.
        while len(self) > 1 and (
            len(self) > self.limit or (self._weigh is not None and self.weight > self._budget)
        ):
            _, dropped = self.popitem(last=False)
            if self._weigh is not None:
                self.weight -= self._weigh(dropped)
        return value


def _surface_bytes(surface: pygame.Surface) -> int:
    return surface.get_width() * surface.get_height() * surface.get_bytesize()


def _local(now: datetime, timezone: ZoneInfo) -> datetime:
    # A naive ``now`` is taken as UTC, like every stamp the queue stores.
    if now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo("UTC"))
    return now.astimezone(timezone)


class BoardView:
    """The caller board drawn onto :attr:`surface` (size in pixels, landscape or portrait).

    ``font_path`` replaces DejaVu Sans for all text (bold is then synthesised from its one
    weight); a text with a character the font lacks (e.g. "★") is drawn in DejaVu Sans instead.
    Without it and without DejaVu installed, pygame's bundled font is used. ``logo_path`` (PNG
    or JPEG) is drawn at the left of the office name, scaled to the header's height. A font or
    logo that cannot be read is logged and left out: the board must come up whatever the
    settings point at. ``slides`` (from :func:`display.slides.prepare_slides`) replace the
    waiting counts in the lower part, each shown ``slide_seconds`` seconds by the clock.
    """

    def __init__(
        self,
        size: tuple[int, int],
        *,
        office_name: str,
        timezone: ZoneInfo,
        font_path: Path | None = None,
        logo_path: Path | None = None,
        slides: Sequence[Path] = (),
        slide_seconds: int = 10,
        announcements: Sequence[str] = (),
    ) -> None:
        if not pygame.font.get_init():
            pygame.font.init()
        self.size = (int(size[0]), int(size[1]))
        self.office_name = office_name
        self.timezone = timezone
        self.surface = pygame.Surface(self.size)
        self.surface.fill(BACKGROUND)
        self._font_path = _usable_font(font_path)
        self._glyph_probe = _glyph_probe(self._font_path)
        self._glyphs = _LRU(GLYPH_CACHE_SIZE)
        self._fonts = _LRU(FONT_CACHE_SIZE)
        self._texts = _LRU(TEXT_CACHE_SIZE, weigh=_surface_bytes, budget=TEXT_CACHE_BYTES)
        self._fits = _LRU(FIT_CACHE_SIZE)
        self.regions: dict[str, pygame.Rect] = _layout(*self.size)
        """Region name -> rectangle (pixels); regions never overlap."""
        self._two_line_band = False
        self.text_boxes: dict[str, list[tuple[str, pygame.Rect, int]]] = {}
        """Region name -> ``(text, rect, font px)`` of each text drawn there last time."""
        self._keys: dict[str, Hashable] = {}
        # One height (pixels) for every section title, so titles look alike across regions.
        self._title_h = max(12, min(self.size) // 22)
        self._seen_call: int | None = None
        self._attention_from: datetime | None = None
        self._attention_until: datetime | None = None
        self._marquee = False
        self._logo = _scaled_logo(logo_path, self.regions["office"].height)
        self.slides = list(slides)
        self.slide_seconds = slide_seconds
        self.announcements = [a for a in announcements if a.strip()]
        self._slide_images = _LRU(SLIDE_CACHE_SIZE)

    # -- public -----------------------------------------------------------------------------

    @property
    def animating(self) -> bool:
        """True while something moves (attention blink, scrolling text): the loop should then
        update several times a second instead of once."""
        return self._attention_until is not None or self._marquee

    def update(
        self,
        state: Mapping[str, Any],
        *,
        now: datetime,
        offline: bool = False,
        running_text: str = "",
        attention: bool = False,
    ) -> list[pygame.Rect]:
        """Draw what changed since the last call and return the repainted rectangles.

        ``now`` drives the clock, the blink and the scrolling (an injected clock, so tests
        and benchmarks control time). A new newest call (call or recall: each is a new event
        id) starts the attention effect for :data:`ATTENTION_SECONDS`; ``attention=True``
        (re)starts it explicitly. The first update only records the newest call, so a board
        that starts up does not flash an old call.
        """
        local = _local(now, self.timezone)
        lines = tuple(band(state))
        closed = str(state.get("closed_notice") or "")
        if (len(lines) > 1) != self._two_line_band:
            # A notice and the legend at once: the band grows into the lower part (both
            # repainted; together they cover the same rectangle as before).
            self._two_line_band = len(lines) > 1
            stale = self.regions["banner"].union(self.regions["waiting"])
            self.regions = _layout(*self.size, two_line_band=self._two_line_band)
            for name in ("banner", "waiting"):
                self._keys.pop(name, None)
            self.surface.fill(BACKGROUND, stale)  # the gap between them moved too
            relaid = [stale]
        else:
            relaid = []
        self._track_attention(state, now, attention)
        painters: list[tuple[str, Hashable, Callable[[pygame.Rect], None]]] = [
            ("office", self.office_name, self._paint_office),
            ("date", local.date(), lambda r: self._paint_date(r, local)),
            ("clock", local.replace(microsecond=0), lambda r: self._paint_clock(r, local)),
            *self._call_painters(state, now),
            ("counters", _counters_key(state), lambda r: self._paint_counters(r, state)),
            ("calls", _calls_key(state), lambda r: self._paint_calls(r, state)),
            self._lower_painter(state, now),
            (
                "banner",
                (closed, lines),
                lambda r: self._paint_banner(r, lines, closed),
            ),
            *self._running_painters(running_text, now),
            ("offline", bool(offline), lambda r: self._paint_offline(r, offline)),
        ]
        dirty: list[pygame.Rect] = relaid
        for name, key, paint in painters:
            if self._keys.get(name, _UNSET) == key:
                continue
            rect = self.regions[name]
            self.text_boxes[name] = []
            self.surface.fill(BACKGROUND, rect)
            self.surface.set_clip(rect)  # a safety net: a region can never paint outside itself
            paint(rect)
            self.surface.set_clip(None)
            self._keys[name] = key
            dirty.append(rect.copy())
        return dirty

    # -- attention ----------------------------------------------------------------------------

    def _track_attention(self, state: Mapping[str, Any], now: datetime, attention: bool) -> None:
        shown = current_call(state)
        newest = shown.get("event_id") if shown is not None else None
        first = not self._keys
        if (not first and newest is not None and newest != self._seen_call) or attention:
            self._attention_from = now
            self._attention_until = now + timedelta(seconds=ATTENTION_SECONDS)
        self._seen_call = newest
        # A visitor no longer called is not highlighted either (they reached the counter).
        if newest is None or (self._attention_until is not None and now >= self._attention_until):
            self._attention_from = self._attention_until = None

    def _call_painters(self, state: Mapping[str, Any], now: datetime) -> list:
        latest = current_call(state)
        called_today = bool(state.get("last_calls"))
        inverted = False
        if self._attention_from is not None:
            phase = int((now - self._attention_from).total_seconds() / BLINK_SECONDS)
            inverted = phase % 2 == 0
        active = self._attention_until is not None
        key = (_call_key(latest), called_today, active, inverted)
        return [
            (
                "call",
                key,
                lambda r: self._paint_call(r, latest, active, inverted, called_today),
            )
        ]

    # -- fonts and text -----------------------------------------------------------------------

    def _font(self, px: int, bold: bool, face: Path | None = None) -> pygame.font.Font:
        """The font at ``px`` pixels: ``face`` (the configured file) or, when None, DejaVu Sans
        (pygame's own font where DejaVu is not installed)."""

        def make() -> pygame.font.Font:
            if face is not None:
                font = pygame.font.Font(str(face), px)
                # One configured file has one weight: embolden it so bold keeps its emphasis.
                font.bold = bold
                return font
            path = BOLD_FONT if bold else REGULAR_FONT
            if path.exists():
                return pygame.font.Font(str(path), px)
            font = pygame.font.Font(None, px)  # pygame's own font: no DejaVu on this machine
            font.bold = bold
            return font

        return self._fonts.get_or_make((px, bold, face), make)

    def _face(self, text: str) -> Path | None:
        """The configured font for ``text``, or None (the default font) when the configured
        font lacks one of its characters: a missing glyph would show as an empty box."""
        if self._font_path is None or self._glyph_probe is None:
            return self._font_path
        probe = self._glyph_probe
        for ch in set(text):
            if ch.isspace():
                continue
            # pygame.font's metrics() gives the ".notdef" box's metrics for a missing glyph;
            # pygame.freetype's get_metrics() gives None, so it is the one asked.
            if not self._glyphs.get_or_make(ch, lambda c=ch: probe.get_metrics(c)[0] is not None):
                return None
        return self._font_path

    def _fit(
        self,
        text: str,
        width: int,
        height: int,
        *,
        bold: bool,
        max_px: int | None = None,
        min_px: int | None = None,
    ) -> tuple[int, str, Path | None]:
        """The largest font size (px) at which ``text`` fits ``width`` x ``height`` pixels, the
        text to draw (cut in the middle when even ``min_px`` is too wide) and the font face to
        draw it with (see :meth:`_face`). ``min_px`` defaults to the smallest size readable
        across a room; a higher one keeps a row's cells alike."""

        def compute() -> tuple[int, str, Path | None]:
            face = self._face(text)
            floor = max(8, min(self.size) // 60)  # below this a TV across the room is useless
            low_px = max(floor, min(min_px or 0, height))
            px = max(low_px, min(max_px or height, height))
            for _ in range(12):
                font = self._font(px, bold, face)
                w, h = font.size(text)
                # Some fonts (pygame's own, URW) render a line taller than size() says.
                h = max(h, font.get_linesize())
                if (w <= width and h <= height) or px <= low_px:
                    break
                # Scale by the worse overflow, always shrinking by at least one pixel.
                ratio = min(width / max(w, 1), height / max(h, 1))
                px = max(low_px, min(px - 1, int(px * ratio)))
            if self._font(px, bold, face).size(text)[0] <= width:
                return px, text, face
            face = self._face(text + "…")  # the cut text adds the ellipsis
            font = self._font(px, bold, face)
            low, high = 0, len(text) - 1
            while low < high:  # most characters that still fit around the ellipsis
                mid = (low + high + 1) // 2
                if font.size(_cut_middle(text, mid))[0] <= width:
                    low = mid
                else:
                    high = mid - 1
            return px, _cut_middle(text, low), face

        return self._fits.get_or_make((text, width, height, bold, max_px, min_px), compute)

    def _render(
        self, text: str, px: int, bold: bool, color: Color, face: Path | None
    ) -> pygame.Surface:
        return self._texts.get_or_make(
            (text, px, bold, color, face),
            lambda: self._font(px, bold, face).render(text, True, color),
        )

    def _text(
        self,
        region: str,
        text: str,
        box: pygame.Rect,
        *,
        bold: bool = False,
        color: Color = TEXT,
        align: str = "left",
        max_px: int | None = None,
        min_px: int | None = None,
    ) -> pygame.Rect:
        """Draw ``text`` as large as fits ``box`` (pixels); return where it landed."""
        if not text or box.width <= 0 or box.height <= 0:
            return pygame.Rect(box.x, box.y, 0, 0)
        px, shown, face = self._fit(
            text, box.width, box.height, bold=bold, max_px=max_px, min_px=min_px
        )
        image = self._render(shown, px, bold, color, face)
        place = image.get_rect()
        place.centery = box.centery
        if align == "center":
            place.centerx = box.centerx
        elif align == "right":
            place.right = box.right
        else:
            place.left = box.left
        self.surface.blit(image, place)
        self.text_boxes.setdefault(region, []).append((shown, place, px))
        return place

    # -- painters -----------------------------------------------------------------------------

    def _paint_office(self, rect: pygame.Rect) -> None:
        if self._logo is not None:
            place = self._logo.get_rect(midleft=rect.midleft)
            self.surface.blit(self._logo, place)
            gap = rect.height // 4
            rect = pygame.Rect(
                place.right + gap, rect.y, rect.right - place.right - gap, rect.height
            )
        # A long name goes on two lines rather than being shrunk out of legibility or cut.
        self._whole_text(
            "office",
            self.office_name,
            rect,
            color=TEXT,
            bold=True,
            align="left",
            wrap_below=rect.height * 2 // 5,
        )

    def _paint_date(self, rect: pygame.Rect, local: datetime) -> None:
        text = format_date(local.date(), msg.DATE_PATTERN, locale=msg.LOCALE)
        self._text("date", text, rect, color=MUTED, align="right", max_px=rect.height // 2)

    def _paint_clock(self, rect: pygame.Rect, local: datetime) -> None:
        # Seconds in a smaller size: staff can see at a glance that the board is alive.
        seconds_w = rect.width // 4
        main = pygame.Rect(rect.x, rect.y, rect.width - seconds_w, rect.height)
        sec = pygame.Rect(main.right, rect.y + rect.height // 3, seconds_w, rect.height * 2 // 3)
        self._text(
            "clock",
            format_time(local, msg.CLOCK_PATTERN, locale=msg.LOCALE),
            main,
            bold=True,
            align="right",
        )
        self._text("clock", f".{local.second:02d}", sec, color=MUTED)

    def _paint_call(
        self,
        rect: pygame.Rect,
        latest: Mapping[str, Any] | None,
        active: bool,
        inverted: bool,
        called_today: bool = False,
    ) -> None:
        background, fore, accent = (
            (ACCENT, BACKGROUND, BACKGROUND) if inverted else (PANEL, TEXT, ACCENT)
        )
        self.surface.fill(background, rect)
        if active:
            # A thick frame during the whole attention time: the highlight is not colour alone.
            pygame.draw.rect(self.surface, fore, rect, width=max(4, rect.height // 60))
        pad = max(4, rect.height // 30)
        inner = rect.inflate(-2 * pad, -2 * pad)
        rows = _split(inner, (0.12, 0.50, 0.09, 0.09, 0.20))
        if latest is None:
            self._text(
                "call",
                msg.NEXT_CALL if called_today else msg.NO_CALL_YET,
                rows[1],
                color=MUTED,
                align="center",
                max_px=rows[1].height // 3,
            )
            return
        caption = msg.RECALLING if latest.get("recall") else msg.NOW_CALLING
        self._text("call", caption, rows[0], color=fore, align="center")
        self._text(
            "call", str(latest.get("label", "")), rows[1], bold=True, color=accent, align="center"
        )
        if latest.get("priority"):
            self._text("call", msg.PRIORITY, rows[2], bold=True, color=fore, align="center")
        go = msg.COME_BACK if latest.get("call_back") else msg.GO_TO
        self._text("call", go, rows[3], color=fore, align="center")
        # Capped below the label so the ticket number stays the largest text on screen.
        label_px = max((px for _, _, px in self.text_boxes.get("call", [])), default=rows[1].height)
        self._text(
            "call",
            str(latest.get("counter", "")),
            rows[4],
            bold=True,
            color=fore,
            align="center",
            max_px=int(label_px * 0.6),
        )

    def _list(
        self, region: str, rect: pygame.Rect, title: str, items: list[tuple[str, str, Color]]
    ) -> None:
        """A titled two-column list; rows shrink to fit, then the overflow is counted."""
        title_h = min(rect.height // 4, self._title_h)
        self._text(region, title, pygame.Rect(rect.x, rect.y, rect.width, title_h), color=MUTED)
        body = pygame.Rect(rect.x, rect.y + title_h, rect.width, rect.height - title_h)
        min_row = max(14, self.size[1] // 26)
        # Rows of every list share one height while they fit, so "Panggilan terakhir" is as
        # large as "Sedang dilayani", as on the browser board (board.css: one font size);
        # only a list too long for it shrinks, down to a readable height, then counts the rest.
        max_row = min(self.size) // 16  # the browser board: one size in vmin
        row_h = max(min_row, min(max_row, body.height // max(1, len(items))))
        fit = max(1, body.height // min_row)  # rows that fit at the smallest readable height
        more: str | None = None
        shown = items
        if len(items) > fit:
            # Only when something is really hidden: "+0 lainnya" would count nothing.
            shown = items[: fit - 1]
            more = msg.MORE.format(n=len(items) - len(shown))
            row_h = min(max_row, body.height // fit)
        gap = max(2, row_h // 8)
        cell_h = row_h - gap
        # A long name is cut rather than shrunk: every row keeps one size.
        low = cell_h * 3 // 4
        left_w = rect.width * 11 // 20
        first_row = len(self.text_boxes.get(region, []))  # entries after the title's
        for i, (left, right, color) in enumerate(shown):
            y = body.y + i * row_h
            left_box = pygame.Rect(body.x, y, left_w - gap, cell_h)
            self._text(region, left, left_box, color=color, min_px=low)
            right_box = pygame.Rect(body.x + left_w, y, body.width - left_w, cell_h)
            self._text(region, right, right_box, bold=True, color=color, align="right", min_px=low)
        if more is not None:
            row_px = [px for _, _, px in self.text_boxes.get(region, [])[first_row:]]
            # The count is a footnote: never larger than the rows it stands for.
            box = pygame.Rect(body.x, body.y + len(shown) * row_h, body.width, cell_h)
            self._text(region, more, box, color=MUTED, max_px=min(row_px, default=None))

    def _paint_counters(self, rect: pygame.Rect, state: Mapping[str, Any]) -> None:
        items = []
        for counter in state.get("counters") or []:
            if counter.get("paused"):
                serving = msg.PAUSED
            elif counter.get("label"):
                serving = counter["label"] + (
                    f" {msg.PRIORITY_SHORT}" if counter.get("priority") else ""
                )
            else:
                serving = msg.IDLE
            items.append((str(counter.get("name", "")), serving, TEXT))
        self._list("counters", rect, msg.SERVING_NOW, items)

    def _paint_calls(self, rect: pygame.Rect, state: Mapping[str, Any]) -> None:
        items = []
        for call in earlier_calls(state):
            label = str(call.get("label", ""))
            if call.get("priority"):
                label += f" {msg.PRIORITY_SHORT}"
            items.append((str(call.get("counter", "")), label, MUTED))
        self._list("calls", rect, msg.LAST_CALLS, items)

    def _paint_waiting(self, rect: pygame.Rect, state: Mapping[str, Any]) -> None:
        waiting: Mapping[str, int] = state.get("waiting") or {}
        names: Mapping[str, str] = state.get("service_names") or {}
        title_w = rect.width // 7
        self._text(
            "waiting",
            msg.WAITING,
            pygame.Rect(rect.x, rect.y, title_w, min(rect.height, self._title_h)),
            color=MUTED,
        )
        if not waiting:
            return
        cells_x = rect.x + title_w
        cell_w = (rect.right - cells_x) // len(waiting)
        gap = max(4, cell_w // 20)
        for i, (letter, count) in enumerate(waiting.items()):
            cell = pygame.Rect(cells_x + i * cell_w, rect.y, cell_w - gap, rect.height)
            pygame.draw.rect(self.surface, PANEL, cell)
            pad = max(2, cell.height // 12)
            inner = cell.inflate(-2 * pad, -2 * pad)
            top, bottom = _split(inner, (0.3, 0.7))
            name = f"{letter} · {names[letter]}" if letter in names else letter
            self._text("waiting", name, top, color=MUTED, align="center")
            self._text("waiting", str(count), bottom, bold=True, align="center")

    def _lower_painter(self, state: Mapping[str, Any], now: datetime) -> tuple:
        """The lower part: the slide due at ``now`` when there are slides (one that cannot
        be read falls back to the waiting numbers), else the waiting numbers."""
        index = slide_index(len(self.slides), now, self.slide_seconds)
        if index is not None:
            image = self._slide(index)
            if image is not None:
                return ("waiting", ("slide", index), lambda r: self._paint_slide(r, image))
        index = slide_index(len(self.announcements), now, self.slide_seconds)
        if index is not None:
            text = self.announcements[index]
            return ("waiting", ("announcement", text), lambda r: self._paint_announcement(r, text))
        return ("waiting", _waiting_key(state), lambda r: self._paint_waiting(r, state))

    def _slide(self, index: int) -> pygame.Surface | None:
        rect = self.regions["waiting"]
        # By size too: the lower part is shorter while the band holds two lines.
        return self._slide_images.get_or_make(
            (index, rect.width, rect.height),
            lambda: _scaled_image(self.slides[index], rect.width, rect.height),
        )

    def _paint_announcement(self, rect: pygame.Rect, text: str) -> None:
        """One announcement, wrapped on words at the largest size whose lines fit: never cut."""
        pygame.draw.rect(self.surface, PANEL, rect)
        pad = max(2, rect.height // 12)
        box = rect.inflate(-4 * pad, -2 * pad)
        words = text.split()
        face = self._face(text)
        floor = max(8, min(self.size) // 60)
        px = max(floor, box.height // 2)
        while True:
            font = self._font(px, True, face)
            lines = _wrap(words, font, box.width)
            line_h = font.get_linesize()
            if px <= floor or (
                line_h * len(lines) <= box.height
                and all(font.size(line)[0] <= box.width for line in lines)
            ):
                break
            px = max(floor, px * 9 // 10)
        y = box.y + max(0, box.height - line_h * len(lines)) // 2
        for line in lines:
            self._text(
                "waiting",
                line,
                pygame.Rect(box.x, y, box.width, line_h),
                bold=True,
                align="center",
                max_px=px,
                min_px=px,
            )
            y += line_h

    def _paint_slide(self, rect: pygame.Rect, image: pygame.Surface) -> None:
        place = image.get_rect(center=rect.center)
        self.surface.blit(image, place)

    def _paint_banner(self, rect: pygame.Rect, lines: tuple[str, ...], closed: str = "") -> None:
        """The band's ``lines`` (:func:`display.calls.band`), top first: the notice that
        taking a number is closed (``closed``, service hours) or the printer fault, and the
        priority mark's legend (UU 25/2009 Pasal 29). With both, the band holds two lines:
        the notice above, the legend below, each as large as its half allows."""
        if not lines:
            return
        boxes = [rect] if len(lines) == 1 else _split(rect, (0.55, 0.45))
        for line, box in zip(lines, boxes, strict=False):
            if line == BAND_LEGEND:
                inner = box.inflate(0, -box.height // 4) if len(lines) == 1 else box
                self._text("banner", msg.PRIORITY_LEGEND, inner, color=MUTED, align="center")
                continue
            pad = max(2, box.height // 8)
            inner = box.inflate(-4 * pad, -2 * pad)
            if line == BAND_CLOSED:
                self.surface.fill(PANEL, box)
                self._whole_text("banner", closed, inner, color=ACCENT, bold=True)
            elif line == BAND_FAULT:
                self.surface.fill(BANNER_BG, box)
                # The warning sign makes the banner recognisable without relying on its red.
                self._text("banner", f"⚠ {msg.PRINTER_FAULT}", inner, bold=True, align="center")

    def _whole_text(
        self,
        region: str,
        text: str,
        box: pygame.Rect,
        *,
        color: Color,
        bold: bool,
        align: str = "center",
        wrap_below: int | None = None,
    ) -> None:
        """``text`` in ``box`` on one line, or on two of one size (split after a "·", else
        where the longer line is shortest) when one line would have to be cut or, with
        ``wrap_below``, be smaller than that many pixels: a notice or a name is never cut."""
        words = text.split(" ")
        px, shown, _ = self._fit(text, box.width, box.height, bold=bold)
        if len(words) < 2 or (shown == text and px >= (wrap_below or 0)):
            self._text(region, text, box, bold=bold, color=color, align=align)
            return
        if "·" in words[1:-1]:
            cut = words.index("·", 1) + 1
        else:
            font = self._font(20, bold, self._face(text))
            cut = min(
                range(1, len(words)),
                key=lambda k: max(
                    font.size(" ".join(words[:k]))[0], font.size(" ".join(words[k:]))[0]
                ),
            )
        lines = (" ".join(words[:cut]), " ".join(words[cut:]))
        pairs = list(zip(lines, _split(box, (0.5, 0.5)), strict=True))
        px = min(self._fit(t, h.width, h.height, bold=bold)[0] for t, h in pairs)
        for line, half in pairs:
            self._text(region, line, half, bold=bold, color=color, align=align, max_px=px)

    def _running_painters(self, running_text: str, now: datetime) -> list:
        rect = self.regions["running"]
        self._marquee = False
        if not running_text:
            return [("running", "", lambda r: None)]
        px, _, face = self._fit(running_text, 10**6, self._running_px(rect), bold=False)
        width = self._font(px, False, face).size(running_text)[0]
        if width <= rect.width:
            return [("running", running_text, lambda r: self._paint_running(r, running_text, 0))]
        # Too wide: scroll it, positioned from ``now`` so the speed is independent of frame rate.
        self._marquee = True
        span = width + rect.width // 3
        offset = int(now.timestamp() * MARQUEE_SPEED * self.size[0]) % span
        key = (running_text, offset)
        return [
            ("running", key, lambda r: self._paint_running(r, running_text, offset, px, span, face))
        ]

    def _running_px(self, rect: pygame.Rect) -> int:
        # Readable but not shouting: the running text is secondary to the call.
        return min(rect.height * 3 // 4, min(self.size) // 16)

    def _paint_running(
        self,
        rect: pygame.Rect,
        text: str,
        offset: int,
        px: int = 0,
        span: int = 0,
        face: Path | None = None,
    ) -> None:
        if not span:
            self._text("running", text, rect, max_px=self._running_px(rect))
            return
        image = self._render(text, px, False, TEXT, face)
        y = rect.centery - image.get_height() // 2
        for x in (rect.x - offset, rect.x - offset + span):
            self.surface.blit(image, (x, y))
        self.text_boxes.setdefault("running", []).append((text, rect.copy(), px))

    def _paint_offline(self, rect: pygame.Rect, offline: bool) -> None:
        if not offline:
            return
        # Small and grey: staff should notice it, visitors should not be alarmed by it.
        box = pygame.Rect(0, 0, rect.width, rect.height * 6 // 10)
        box.center = rect.center
        pygame.draw.rect(self.surface, OFFLINE_BG, box, border_radius=box.height // 4)
        inner = box.inflate(-box.height // 2, -box.height // 4)
        self._text("offline", f"● {msg.OFFLINE}", inner, color=TEXT, align="center")


_UNSET = object()


def _usable_font(path: Path | None) -> Path | None:
    """``path`` when pygame can draw text with it, else None (logged once, here).

    Opening alone proves little: SDL_ttf opens random bytes or a PNG and only fails at the
    first measurement ("Passed a NULL pointer"), which would stop the board mid-day. So the
    font must measure and render :data:`FONT_SAMPLE`, plain and bold, and have its glyphs.
    """
    if path is None:
        return None
    try:
        font = pygame.font.Font(str(path), 24)
        for bold in (False, True):
            font.bold = bold
            width, height = font.size(FONT_SAMPLE)
            image = font.render(FONT_SAMPLE, True, TEXT)
            if width <= 0 or height <= 0 or image.get_width() <= 0:
                raise ValueError("it draws nothing")
        probe = _glyph_probe(path)
        if probe is not None and None in probe.get_metrics(FONT_SAMPLE.replace(" ", "")):
            raise ValueError("it lacks letters or digits")
    except (OSError, pygame.error, ValueError) as exc:
        log.warning("font %s cannot be used (%s); using the default font", path, exc)
        return None
    return path


def _glyph_probe(path: Path | None) -> pygame.freetype.Font | None:
    """A FreeType handle on ``path`` to ask which characters it has, or None (no check)."""
    if path is None:
        return None
    try:
        if not pygame.freetype.get_init():
            pygame.freetype.init()
        return pygame.freetype.Font(str(path), 12)
    except (OSError, pygame.error, ValueError):
        return None


def _cut_middle(text: str, visible: int) -> str:
    """``text`` with ``visible`` of its characters kept around one "…" in the middle.

    Names often differ only at their end ("... Nomor 12"), so the tail keeps at least the last
    word and about :data:`TAIL_SHARE` of the characters, starting at a word where one starts
    near that share.
    """
    text = text.strip()
    visible = min(visible, len(text))
    if visible <= 0:
        return "…"
    last = len(text.split()[-1])
    # At most the other share for the tail, so a long last word still leaves a head.
    most = math.ceil(visible * (1 - TAIL_SHARE))
    target = min(most, max(math.ceil(visible * TAIL_SHARE), last))
    starts = [
        k
        for k in range(min(last, most), most + 1)
        if k == len(text) or (text[-k - 1].isspace() and not text[-k].isspace())
    ]
    tail = min(starts, key=lambda k: abs(k - target)) if starts else target
    return text[: visible - tail].rstrip() + "…" + text[-tail:].lstrip()


def _loaded(path: Path, failure: str) -> pygame.Surface | None:
    """The picture at ``path``, or None when it cannot be read: logged as a warning,
    ``failure`` a %-format of the path and the reason."""
    try:
        return pygame.image.load(str(path))
    except (OSError, pygame.error, FileNotFoundError) as exc:
        log.warning(failure, path, exc)
        return None


def _resized(image: pygame.Surface, scale: float) -> pygame.Surface:
    """``image`` scaled by ``scale`` (at least 1x1 pixel)."""
    w, h = image.get_size()
    target = (max(1, int(w * scale)), max(1, int(h * scale)))
    try:
        return pygame.transform.smoothscale(image, target)
    except ValueError:  # smoothscale needs 24 or 32 bits; a palette PNG is scaled plainly
        return pygame.transform.scale(image, target)


def _scaled_logo(path: Path | None, height: int) -> pygame.Surface | None:
    """The logo scaled to ``height`` pixels (aspect kept, at most 3x as wide), or None."""
    if path is None or height <= 0:
        return None
    image = _loaded(path, "logo %s cannot be shown (%s); the board runs without it")
    if image is None:
        return None
    w, h = image.get_size()
    return _resized(image, min(height / max(h, 1), 3 * height / max(w, 1)))


def _scaled_image(path: Path, width: int, height: int) -> pygame.Surface | None:
    """The picture at ``path`` scaled to fit ``width`` x ``height`` pixels (aspect kept), or
    None when it cannot be read (logged)."""
    image = _loaded(path, "slide %s cannot be shown (%s)")
    if image is None:
        return None
    w, h = image.get_size()
    return _resized(image, min(width / max(w, 1), height / max(h, 1)))


def _wrap(words: list[str], font: pygame.font.Font, width: int) -> list[str]:
    """``words`` in lines no wider than ``width`` pixels where possible (a single word wider
    than that gets a line of its own)."""
    lines: list[str] = []
    for word in words:
        if lines and font.size(f"{lines[-1]} {word}")[0] <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _split(rect: pygame.Rect, shares: tuple[float, ...]) -> list[pygame.Rect]:
    """Cut ``rect`` into horizontal bands with these height shares (summing to 1)."""
    bands, y = [], rect.y
    for i, share in enumerate(shares):
        h = rect.bottom - y if i == len(shares) - 1 else int(rect.height * share)
        bands.append(pygame.Rect(rect.x, y, rect.width, h))
        y += h
    return bands


def _layout(width: int, height: int, *, two_line_band: bool = False) -> dict[str, pygame.Rect]:
    """Region rectangles (pixels) for a screen of this size; all derived from the size. With
    ``two_line_band`` the band under the call is taller (a notice and the priority legend,
    :func:`display.calls.band`) and the lower part shorter by as much, as on the browser
    board."""
    m = max(4, min(width, height) // 50)  # outer margin and gutter
    R = pygame.Rect
    if width >= height:
        header_h = height * 11 // 100
        # The lower part holds the waiting numbers in large type (issue 14: it stood empty).
        main_top, main_bottom = header_h, height * 63 // 100
        banner_bottom = height * (74 if two_line_band else 70) // 100
        waiting_bottom = height * 90 // 100
        split_x = width * 58 // 100
        side_x = split_x + m
        side_w = width - m - side_x
        main_h = main_bottom - main_top - m
        counters_h = main_h * 55 // 100
        regions = {
            "office": R(m, m // 2, width * 50 // 100 - m, header_h - m),
            "date": R(width * 50 // 100 + m, m // 2, width * 30 // 100 - 2 * m, header_h - m),
            "clock": R(width * 80 // 100, m // 2, width * 20 // 100 - m, header_h - m),
            "call": R(m, main_top, split_x - m, main_h),
            "counters": R(side_x, main_top, side_w, counters_h - m // 2),
            "calls": R(
                side_x, main_top + counters_h + m // 2, side_w, main_h - counters_h - m // 2
            ),
        }
    else:
        # Portrait: the call on top at full width, the lists stacked below it.
        header_h = height * 8 // 100
        call_bottom = height * 42 // 100
        counters_bottom = height * 60 // 100
        main_bottom = height * 72 // 100
        banner_bottom = height * (80 if two_line_band else 77) // 100
        waiting_bottom = height * 91 // 100
        regions = {
            "office": R(m, m // 2, width - 2 * m, header_h // 2 - m // 2),
            "date": R(m, header_h // 2, width * 60 // 100 - m, header_h // 2 - m // 2),
            "clock": R(
                width * 60 // 100, header_h // 2, width * 40 // 100 - m, header_h // 2 - m // 2
            ),
            "call": R(m, header_h, width - 2 * m, call_bottom - header_h - m),
            "counters": R(m, call_bottom, width - 2 * m, counters_bottom - call_bottom - m),
            "calls": R(m, counters_bottom, width - 2 * m, main_bottom - counters_bottom - m),
        }
    offline_w = width * (12 if width >= height else 24) // 100
    footer_top = waiting_bottom + m // 2
    footer_h = height - footer_top - m // 2
    regions.update(
        {
            # One band for the closed notice or the printer fault, and the priority legend.
            "banner": R(m, main_bottom, width - 2 * m, banner_bottom - main_bottom - m // 2),
            "waiting": R(m, banner_bottom, width - 2 * m, waiting_bottom - banner_bottom - m // 2),
            "running": R(m, footer_top, width - 3 * m - offline_w, footer_h),
            "offline": R(width - m - offline_w, footer_top, offline_w, footer_h),
        }
    )
    return regions


def _call_key(call: Mapping[str, Any] | None) -> Hashable:
    if call is None:
        return None
    return (
        call.get("event_id"),
        call.get("label"),
        call.get("counter"),
        bool(call.get("recall")),
        bool(call.get("call_back")),
        bool(call.get("priority")),
    )


def _counters_key(state: Mapping[str, Any]) -> Hashable:
    return tuple(
        (c.get("name"), c.get("label"), bool(c.get("paused")), bool(c.get("priority")))
        for c in state.get("counters") or []
    )


def _calls_key(state: Mapping[str, Any]) -> Hashable:
    return tuple(_call_key(c) for c in earlier_calls(state))


def _waiting_key(state: Mapping[str, Any]) -> Hashable:
    names = state.get("service_names") or {}
    return tuple((k, v, names.get(k)) for k, v in (state.get("waiting") or {}).items())
