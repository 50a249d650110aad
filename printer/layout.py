"""The ticket, described once as data and rendered by two backends.

:func:`layout_ticket` turns a :class:`TicketContent` into a :class:`TicketLayout`: a tuple of
small frozen blocks (text with size, alignment and emphasis; QR; blank lines; cut). Every text
line is already cleaned for the printer's character set and wrapped to the paper width at its
size, so :mod:`printer.escpos_render` and :mod:`printer.preview` print the same lines.

Units: sizes are multiples of the ESC/POS font A cell (12 × 24 dots); widths in dots or
characters of font A; paper in millimetres (58 mm = 384 dots = 32 characters, 80 mm = 576 dots =
48 characters).
"""

from __future__ import annotations

import textwrap
import unicodedata
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from babel.dates import format_date, format_time

from printer import messages
from printer.capabilities import Paper, PrinterCapabilities
from printer.qr import QR_BORDER_MODULES, qr_module_count
from ult.messages import WAIT_TEXT, wait_text


class Align(StrEnum):
    """Horizontal alignment of a text block (ESC a n: 0 left, 1 centre, 2 right)."""

    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class TextBlock:
    """Lines of text printed with one style.

    ``lines`` are already cleaned and wrapped: each holds at most ``columns // scale``
    characters. ``scale`` multiplies the font A cell both ways (GS ! n; 2 may also be ESC !
    double width + height). ``invert`` prints white on black (GS B), a mark that needs no colour.
    """

    lines: tuple[str, ...]
    scale: int = 1
    align: Align = Align.CENTER
    bold: bool = False
    invert: bool = False


@dataclass(frozen=True)
class QrBlock:
    """A QR code (model 2, level M) of ``data``, ``module_dots`` dots per module, centred."""

    data: str
    module_dots: int


@dataclass(frozen=True)
class FeedBlock:
    """``lines`` blank lines of the default line feed (about 30 dots each)."""

    lines: int = 1


@dataclass(frozen=True)
class CutBlock:
    """Feed the paper past the cutter and cut (GS V); tear-off position without a cutter."""


Block = TextBlock | QrBlock | FeedBlock | CutBlock


@dataclass(frozen=True)
class TicketLayout:
    """What to print, top to bottom, for one paper width."""

    paper: Paper
    blocks: tuple[Block, ...]

    def text_lines(self) -> Iterator[tuple[TextBlock, str]]:
        """Every printed text line with the block that styles it, top to bottom."""
        for block in self.blocks:
            if isinstance(block, TextBlock):
                for line in block.lines:
                    yield block, line


@dataclass(frozen=True)
class TicketContent:
    """What a ticket says; the layout decides where and how big.

    Attributes:
        office_name: the office, e.g. "Dinas Pendidikan Kabupaten Contoh" (wrapped if long).
        service_name: the service, e.g. "Layanan Informasi" (wrapped if long).
        label: the ticket label, e.g. "A-007", printed as large as the paper allows.
        priority: a priority visitor (elderly, disabled, pregnant, with small children).
        issued_at: when the ticket was issued; aware, shown in ``timezone``.
        timezone: the office's zone, e.g. ``ZoneInfo("Asia/Jakarta")``.
        waiting_ahead: tickets the counters will call before this one (≥ 0), from the queue.
        estimated_wait_minutes: estimated wait in minutes (≥ 0).
        url: the visitor's ticket page, encoded in the QR code.
        footer: a short closing text; line breaks are kept, long lines wrap.
        after_closing: today's closing (aware) when the estimated call falls after it; the
            estimate then says so instead of a number of minutes ([hours], ult.hours).
        closed_wait: while the counters do not serve (a ticket issued by override when
            closed), what the estimate says instead: closed and when service resumes
            (``ult.hours.closed_wait``).
    """

    office_name: str
    service_name: str
    label: str
    priority: bool
    issued_at: datetime
    timezone: zoneinfo.ZoneInfo
    waiting_ahead: int
    estimated_wait_minutes: int
    url: str
    footer: str
    after_closing: datetime | None = None
    closed_wait: str | None = None

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be an aware datetime")
        if not self.label.strip():
            raise ValueError("label must not be empty")
        if self.waiting_ahead < 0:
            raise ValueError(f"waiting_ahead must be >= 0, not {self.waiting_ahead}")
        if self.estimated_wait_minutes < 0:
            raise ValueError(
                f"estimated_wait_minutes must be >= 0, not {self.estimated_wait_minutes}"
            )


# Typographic characters that have a plain ASCII equivalent. They are replaced even when a
# code page could print them: fewer code page switches (ESC t) on the way, and a printer whose
# profile overstates its code pages still prints the text legibly.
_ASCII_EQUIVALENTS: Final[dict[str, str]] = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2026": "...",
    "\u2022": "*",
    "\u00a0": " ",  # no-break space
    "\u2007": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\t": " ",
}
# Used only when the printer cannot print the character itself.
_FALLBACKS: Final[dict[str, str]] = {
    "\u00b1": "+/-",  # plus-minus sign (in CP437, but not in every code page)
    "\u00d7": "x",  # multiplication sign
    "\u2713": "v",  # check mark
    # Letters with a stroke have no NFKD decomposition.
    "\u0141": "L",
    "\u0142": "l",
    "\u00d8": "O",
    "\u00f8": "o",
    "\u0110": "D",
    "\u0111": "d",
    "\u00df": "ss",
}
REPLACEMENT_CHAR: Final = "?"
"""Printed for a character that neither a code page nor transliteration can show."""


def printable_text(text: str, capabilities: PrinterCapabilities) -> str:
    """``text`` reduced to what the printer can print as itself, one line.

    Control characters (which would be read as ESC/POS commands) and line breaks are removed;
    typographic punctuation becomes ASCII (— → -, “ ” → "); a letter the profile's code pages
    cannot print loses its accent (NFKD: Ü → U, ﬁ → fi); anything left becomes "?".
    """
    out: list[str] = []
    for char in text:
        if char in _ASCII_EQUIVALENTS:
            out.append(_ASCII_EQUIVALENTS[char])
        elif unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}:
            continue
        elif capabilities.can_print_char(char):
            out.append(char)
        elif char in _FALLBACKS:
            out.append(_FALLBACKS[char])
        else:
            decomposed = [
                part
                for part in unicodedata.normalize("NFKD", char)
                if not unicodedata.combining(part) and capabilities.can_print_char(part)
            ]
            out.append("".join(decomposed) or REPLACEMENT_CHAR)
    return "".join(out)


def wrap(text: str, columns: int) -> tuple[str, ...]:
    """``text`` broken into lines of at most ``columns`` characters; nothing is dropped.

    Breaks at spaces and hyphens; a word longer than a line is split. Runs of spaces collapse.
    """
    if columns < 1:
        raise ValueError(f"columns must be >= 1, not {columns}")
    return tuple(
        textwrap.wrap(
            text,
            width=columns,
            break_long_words=True,
            break_on_hyphens=True,
        )
    )


def zone_abbreviation(timezone: zoneinfo.ZoneInfo, moment: datetime) -> str:
    """WIB, WITA or WIT for Indonesia's zones; otherwise "UTC+7"-style from the offset."""
    known = messages.ZONE_ABBREVIATIONS.get(timezone.key)
    if known:
        return known
    offset = moment.astimezone(timezone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def issued_at_parts(issued_at: datetime, timezone: zoneinfo.ZoneInfo) -> tuple[str, str]:
    """The issue date and time in Indonesian: ("Rabu, 25 November 2026", "10.15 WIB")."""
    local = issued_at.astimezone(timezone)
    day = format_date(local, messages.DATE_PATTERN, locale=messages.BABEL_LOCALE)
    clock = format_time(local, messages.TIME_PATTERN, locale=messages.BABEL_LOCALE)
    zone = zone_abbreviation(timezone, issued_at)
    return day, messages.TIME_TEMPLATE.format(time=clock, zone=zone)


def issued_at_text(issued_at: datetime, timezone: zoneinfo.ZoneInfo) -> str:
    """The issue date and time on one line: "Rabu, 25 November 2026  10.15 WIB"."""
    day, clock = issued_at_parts(issued_at, timezone)
    return messages.DATETIME_TEMPLATE.format(date=day, time=clock)


def issued_at_lines(
    issued_at: datetime, timezone: zoneinfo.ZoneInfo, columns: int
) -> tuple[str, ...]:
    """The issue date and time on one line when it fits (80 mm), else date and time each on a
    line of their own (58 mm: "Minggu, 27 September 2026  10.15 WITA" is 37 characters)."""
    one_line = issued_at_text(issued_at, timezone)
    if len(one_line) <= columns:
        return (one_line,)
    day, clock = issued_at_parts(issued_at, timezone)
    return wrap(day, columns) + wrap(clock, columns)


def largest_scale(text: str, columns: int, max_scale: int) -> int:
    """The largest magnification (1..``max_scale``) at which ``text`` fits one line."""
    for scale in range(max_scale, 1, -1):
        if len(text) * scale <= columns:
            return scale
    return 1


def qr_module_dots(data: str, paper: Paper) -> int:
    """Dots per QR module so the symbol takes at most 60 % of the paper width (3..8 dots).

    At 203 dpi, 3 dots (0.375 mm) is the smallest module phones read reliably from paper; 8 is
    plenty and keeps the ticket short.
    """
    modules = qr_module_count(data) + 2 * QR_BORDER_MODULES
    return max(3, min(8, (paper.dots * 6 // 10) // modules))


def layout_ticket(content: TicketContent, capabilities: PrinterCapabilities) -> TicketLayout:
    """The ticket for ``content`` on the printer described by ``capabilities``.

    Top to bottom: office name, "UNIT LAYANAN TERPADU", service name, the label as large as
    the paper width allows, the priority mark (priority tickets only), issue date and time,
    people waiting ahead, estimated wait, the QR code of ``url``, the footer, the cut.
    """
    paper = capabilities.paper
    columns = paper.columns

    def clean(text: str) -> str:
        return printable_text(text, capabilities)

    rule = TextBlock(("-" * columns,))
    blocks: list[Block] = [
        TextBlock(wrap(clean(content.office_name), columns), bold=True),
        TextBlock(wrap(clean(messages.UNIT_NAME), columns)),
        rule,
    ]

    service = clean(content.service_name)
    service_scale = _service_scale(service, columns, capabilities.max_text_scale)
    blocks.append(
        TextBlock(wrap(service, columns // service_scale), scale=service_scale, bold=True)
    )

    blocks.append(FeedBlock(1))
    blocks.append(TextBlock(wrap(clean(messages.LABEL_CAPTION), columns)))
    label = clean(content.label).strip()
    label_scale = largest_scale(label, columns, capabilities.max_text_scale)
    blocks.append(TextBlock(wrap(label, columns // label_scale), scale=label_scale, bold=True))

    if content.priority:
        mark = f" {clean(messages.PRIORITY_MARK)} "
        mark_scale = largest_scale(mark, columns, min(2, capabilities.max_text_scale))
        mark_lines = (mark,) if len(mark) * mark_scale <= columns else wrap(mark, columns)
        blocks.append(TextBlock(mark_lines, scale=mark_scale, bold=True, invert=True))
    blocks.append(FeedBlock(1))
    blocks.append(rule)

    blocks.append(TextBlock(issued_at_lines(content.issued_at, content.timezone, columns)))

    if content.waiting_ahead:
        ahead = _label_value(
            WAIT_TEXT["ahead_label"],
            WAIT_TEXT["ahead_value"].format(count=content.waiting_ahead),
            columns,
            capabilities,
        )
    else:  # "0 orang" reads as a fault; say it in words (issue 14)
        ahead = wrap(clean(WAIT_TEXT["nobody_ahead"]), columns)
    blocks.append(TextBlock(ahead))
    blocks.append(
        TextBlock(
            _label_value(
                WAIT_TEXT["wait_label"],
                wait_text(
                    content.estimated_wait_minutes,
                    closing=(
                        content.after_closing.astimezone(content.timezone).strftime("%H.%M")
                        if content.after_closing is not None
                        else None
                    ),
                    closed=content.closed_wait,
                ),
                columns,
                capabilities,
            )
        )
    )
    blocks.append(FeedBlock(1))

    if capabilities.can_print_qr:
        blocks.append(TextBlock(wrap(clean(messages.QR_CAPTION), columns)))
        # Blank lines around the code keep its quiet zone (4 modules, ISO/IEC 18004) free of
        # text, so phone cameras find it at once.
        blocks.append(FeedBlock(1))
        blocks.append(QrBlock(content.url, qr_module_dots(content.url, paper)))
        blocks.append(FeedBlock(1))
    else:
        # No QR at all on this printer: the address itself, so the visitor can still type it.
        blocks.append(TextBlock(wrap(clean(content.url), columns)))
        blocks.append(FeedBlock(1))

    footer_lines: list[str] = []
    for paragraph in content.footer.splitlines():
        footer_lines.extend(wrap(clean(paragraph), columns) or ("",))
    while footer_lines and not footer_lines[-1]:
        footer_lines.pop()
    if footer_lines:
        blocks.append(TextBlock(tuple(footer_lines)))
    blocks.append(CutBlock())
    return TicketLayout(paper=paper, blocks=tuple(blocks))


def layout_test_page(
    capabilities: PrinterCapabilities,
    *,
    office_name: str,
    state_text: str,
    printed_at: datetime,
    timezone: zoneinfo.ZoneInfo,
    url: str | None = None,
) -> TicketLayout:
    """A test page for ``ult print-test``: settings, status, characters, largest label, QR.

    ``state_text`` is the printer state as told to staff (see ``printer.messages.state_text``).
    """
    paper = capabilities.paper
    columns = paper.columns

    def lines(text: str) -> tuple[str, ...]:
        return wrap(printable_text(text, capabilities), columns)

    title_scale = 2 if len(messages.TEST_PAGE_TITLE) * 2 <= columns else 1
    title_scale = min(title_scale, capabilities.max_text_scale)
    if capabilities.native_qr:
        qr_kind = messages.TEST_PAGE_QR_NATIVE
    elif capabilities.image_impl:
        qr_kind = messages.TEST_PAGE_QR_IMAGE
    else:
        qr_kind = messages.TEST_PAGE_QR_NONE
    sample_label = "A-000"
    label_scale = largest_scale(sample_label, columns, capabilities.max_text_scale)
    blocks: list[Block] = [
        TextBlock(
            wrap(messages.TEST_PAGE_TITLE, columns // title_scale), scale=title_scale, bold=True
        ),
        TextBlock(lines(office_name)),
        TextBlock(issued_at_lines(printed_at, timezone, columns)),
        TextBlock(("-" * columns,)),
        TextBlock(
            lines(messages.TEST_PAGE_PROFILE.format(profile=capabilities.profile_name))
            + lines(
                messages.TEST_PAGE_PAPER.format(
                    width_mm=paper.width_mm, dots=paper.dots, columns=columns
                )
            )
            + lines(messages.TEST_PAGE_STATUS.format(state=state_text))
            + lines(messages.TEST_PAGE_QR.format(kind=qr_kind))
            + lines(messages.TEST_PAGE_LARGEST.format(scale=label_scale)),
            align=Align.LEFT,
        ),
        TextBlock(
            lines(messages.TEST_PAGE_CHARACTERS) + lines("ÀÉÜ àéü ñ ± — “ok”"),
            align=Align.LEFT,
        ),
        TextBlock((sample_label,), scale=label_scale, bold=True),
    ]
    if url and capabilities.can_print_qr:
        blocks.append(FeedBlock(1))
        blocks.append(QrBlock(url, qr_module_dots(url, paper)))
    blocks.append(CutBlock())
    return TicketLayout(paper=paper, blocks=tuple(blocks))


def _service_scale(service: str, columns: int, max_scale: int) -> int:
    """2x when the service name then takes at most two lines, else 1x (never cut off)."""
    if max_scale >= 2 and service and len(wrap(service, columns // 2)) <= 2:
        return 2
    return 1


def _label_value(
    label: str, value: str, columns: int, capabilities: PrinterCapabilities
) -> tuple[str, ...]:
    """ "Label: value" on one line when it fits, else the label and the value on lines of their
    own, so a number never ends up alone at the start of a wrapped line."""
    label = printable_text(label, capabilities)
    value = printable_text(value, capabilities)
    joined = f"{label} {value}"
    if len(joined) <= columns:
        return (joined,)
    return wrap(label, columns) + wrap(value, columns)
