"""The ESC/POS bytes of a ticket, decoded command by command as a printer would read them.

The decoder below knows the commands the renderer may send (Epson ESC/POS names) and fails on
anything else, so a stray byte in the output is a failing test, not a silent garbage line.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from escpos.capabilities import get_profile
from escpos.magicencode import Encoder
from escpos.printer import Dummy
from PIL import Image

from printer.capabilities import PrinterCapabilities, capabilities_for
from printer.connections import open_file
from printer.escpos_render import print_layout, render_escpos
from printer.layout import TicketContent, TicketLayout, layout_ticket

ESC, GS, LF = 0x1B, 0x1D, 0x0A


@dataclass
class Line:
    """One printed text line with the character size it was printed at."""

    text: str
    width: int  # magnification, 1..8
    height: int
    bold: bool
    inverted: bool


@dataclass
class Job:
    """What a printer would do with a byte stream."""

    lines: list[Line] = field(default_factory=list)
    qr_data: list[bytes] = field(default_factory=list)
    qr_printed: int = 0
    raster_images: list[Image.Image] = field(default_factory=list)
    cuts: int = 0
    feeds: list[int] = field(default_factory=list)
    inits: int = 0
    events: list[tuple[str, object]] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]


def _code_page_tables(profile_name: str) -> dict[int, dict[int, str]]:
    """ESC t slot → {byte ≥ 0x80: character}, from the profile and python-escpos' tables."""
    profile = get_profile(profile_name)
    encoder = Encoder(profile.get_code_pages())
    tables: dict[int, dict[int, str]] = {}
    for slot, name in profile.codePages.items():
        try:
            char_map = encoder._get_codepage_char_map(name)
        except LookupError:
            continue
        tables[int(slot)] = {code: char for char, code in char_map.items()}
    return tables


def decode(stream: bytes, profile_name: str) -> Job:
    """Interpret ``stream`` like an ESC/POS printer with ``profile_name``'s code pages."""
    tables = _code_page_tables(profile_name)
    job = Job()
    page = 0
    width = height = 1
    esc_double_w = esc_double_h = False
    bold = inverted = False
    text: list[str] = []

    def size() -> tuple[int, int]:
        if esc_double_w or esc_double_h:
            return (2 if esc_double_w else 1, 2 if esc_double_h else 1)
        return width, height

    def end_line() -> None:
        w, h = size()
        job.lines.append(Line("".join(text), w, h, bold, inverted))
        job.events.append(("line", job.lines[-1]))
        text.clear()

    i = 0
    while i < len(stream):
        byte = stream[i]
        if byte == LF:
            end_line()
            i += 1
        elif byte == ESC:
            cmd = stream[i + 1]
            if cmd == ord("@"):  # ESC @ initialise: code page 0, 1x1, styles off
                job.inits += 1
                page, width, height = 0, 1, 1
                esc_double_w = esc_double_h = bold = inverted = False
                i += 2
            elif cmd == ord("t"):  # ESC t n select character code table
                page = stream[i + 2]
                assert page in tables, f"ESC t {page}: no such code page in {profile_name}"
                i += 3
            elif cmd == ord("!"):  # ESC ! n select print modes
                n = stream[i + 2]
                esc_double_h, esc_double_w, bold = bool(n & 0x10), bool(n & 0x20), bool(n & 0x08)
                width = height = 1
                i += 3
            elif cmd == ord("E"):  # ESC E n emphasised
                bold = bool(stream[i + 2] & 1)
                i += 3
            elif cmd in (ord("a"), ord("M"), ord("-")):  # justification, font, underline
                job.events.append((chr(cmd), stream[i + 2]))
                i += 3
            elif cmd == ord("d"):  # ESC d n print and feed n lines
                job.feeds.append(stream[i + 2])
                i += 3
            else:
                raise AssertionError(f"unexpected ESC {cmd:#04x} at {i}")
        elif byte == GS:
            cmd = stream[i + 1]
            if cmd == ord("!"):  # GS ! n select character size
                n = stream[i + 2]
                width, height = (n >> 4) + 1, (n & 0x0F) + 1
                esc_double_w = esc_double_h = False
                job.events.append(("size", (width, height)))
                i += 3
            elif cmd == ord("B"):  # GS B n white/black reverse
                inverted = bool(stream[i + 2] & 1)
                i += 3
            elif cmd == ord("V"):  # GS V m [n] cut
                job.cuts += 1
                job.events.append(("cut", stream[i + 2]))
                i += 4 if stream[i + 2] in (65, 66) else 3
            elif cmd == ord("(") and stream[i + 2] == ord("k"):  # GS ( k 2D code
                length = stream[i + 3] + 256 * stream[i + 4]
                body = stream[i + 5 : i + 5 + length]
                cn, fn = body[0], body[1]
                assert cn == ord("1"), "only QR (cn 49) is expected"
                if fn == 80:  # function 180: store data
                    job.qr_data.append(body[3:])
                elif fn == 81:  # function 181: print the symbol
                    job.qr_printed += 1
                    job.events.append(("qr", job.qr_data[-1]))
                i += 5 + length
            elif cmd == ord("v") and stream[i + 2] == ord("0"):  # GS v 0 raster bit image
                x_bytes = stream[i + 4] + 256 * stream[i + 5]
                rows = stream[i + 6] + 256 * stream[i + 7]
                data = stream[i + 8 : i + 8 + x_bytes * rows]
                # Raster data: 1 = black; Pillow's mode "1" raw: 1 = white.
                image = Image.frombytes("1", (x_bytes * 8, rows), bytes(b ^ 0xFF for b in data))
                job.raster_images.append(image)
                job.events.append(("image", image))
                i += 8 + x_bytes * rows
            else:
                raise AssertionError(f"unexpected GS {cmd:#04x} at {i}")
        elif byte < 0x20 or byte == 0x7F:
            raise AssertionError(f"unexpected control byte {byte:#04x} at {i}")
        elif byte < 0x80:
            text.append(chr(byte))
            i += 1
        else:
            assert byte in tables[page], f"byte {byte:#04x} undefined in code page slot {page}"
            text.append(tables[page][byte])
            i += 1
    assert not text, f"text left without a line feed: {''.join(text)!r}"
    return job


def render(
    content: TicketContent, profile: str, paper_mm: int
) -> tuple[Job, TicketLayout, PrinterCapabilities]:
    capabilities = capabilities_for(profile, paper_mm)
    layout = layout_ticket(content, capabilities)
    printer = Dummy(profile=profile)
    render_escpos(printer, layout, capabilities)
    return decode(printer.output, profile), layout, capabilities


PAPERS = [("default", 58, 384), ("default", 80, 576)]


@pytest.mark.parametrize(("profile", "paper_mm", "dots"), PAPERS)
def test_fixed_ticket_decodes_to_the_expected_print(
    content: Callable[..., TicketContent], profile: str, paper_mm: int, dots: int
) -> None:
    ticket = content()
    job, _, capabilities = render(ticket, profile, paper_mm)
    columns = dots // 12
    assert capabilities.paper.dots == dots

    # The label, alone on its line, at a large size that still fits the paper width.
    label_lines = [line for line in job.lines if line.text == "A-007"]
    assert len(label_lines) == 1
    label = label_lines[0]
    assert label.width == label.height
    assert label.width >= 6  # GS ! n with n >= 0x55
    assert len("A-007") * label.width <= columns < len("A-007") * (label.width + 1) or (
        label.width == 8
    )
    # ... and the command just before it selects that size (GS ! n, n > 0x11).
    label_index = job.events.index(("line", label))
    sizes_before = [value for kind, value in job.events[:label_index] if kind == "size"]
    assert sizes_before[-1] == (label.width, label.height)

    # The QR code carries the ticket URL and is printed (GS ( k functions 180 and 181).
    assert job.qr_data == [ticket.url.encode("ascii")]
    assert job.qr_printed == 1

    # Cut at the end (GS V), after the feed that brings the last line past the cutter.
    assert job.cuts == 1
    assert job.events[-1][0] == "cut"
    assert job.inits == 1

    # Every printed line fits the paper at its size.
    for line in job.lines:
        assert len(line.text) * line.width <= columns, line

    text = "\n".join(job.texts)
    assert "Rabu, 25 November 2026" in text
    assert "10.15 WIB" in text
    if paper_mm == 80:
        assert "Rabu, 25 November 2026  10.15 WIB" in job.texts
    assert "Menunggu di depan Anda: 3 orang" in job.texts
    assert "± 15 menit" in text
    assert "UNIT LAYANAN TERPADU" in job.texts
    assert "Dinas Pendidikan Kabupaten Contoh" in text.replace("\n", " ")
    assert "Layanan Informasi" in text.replace("\n", " ")
    assert "PRIORITAS" not in text
    # Top to bottom: office, unit, service, label, date, QR, footer, cut.
    order = [
        job.texts.index("UNIT LAYANAN TERPADU"),
        job.texts.index("A-007"),
        next(i for i, t in enumerate(job.texts) if "Menunggu" in t),
        next(i for i, t in enumerate(job.texts) if "Terima kasih" in t),
    ]
    assert order == sorted(order)


@pytest.mark.parametrize(("profile", "paper_mm", "dots"), PAPERS)
def test_priority_mark_only_on_priority_tickets(
    content: Callable[..., TicketContent], profile: str, paper_mm: int, dots: int
) -> None:
    plain, _, _ = render(content(priority=False), profile, paper_mm)
    priority, _, _ = render(content(priority=True), profile, paper_mm)
    assert not any("PRIORITAS" in line.text for line in plain.lines)
    marks = [line for line in priority.lines if "PRIORITAS" in line.text]
    assert len(marks) == 1
    # White on black and bold: a mark that needs no colour.
    assert marks[0].inverted and marks[0].bold
    # The mark comes right after the label.
    texts = priority.texts
    assert texts.index(marks[0].text) == texts.index("A-007") + 1
    # Nothing else is printed inverted.
    assert [line for line in priority.lines if line.inverted] == marks


@pytest.mark.parametrize(("profile", "paper_mm", "dots"), PAPERS)
def test_long_names_wrap_and_nothing_is_cut_off(
    long_content: TicketContent, profile: str, paper_mm: int, dots: int
) -> None:
    job, _, _ = render(long_content, profile, paper_mm)
    columns = dots // 12
    for line in job.lines:
        assert len(line.text) * line.width <= columns, line
    words = " ".join(job.texts).split()
    # Every word of both names is printed, in order (wrapping splits lines, not words here).
    for name in (long_content.office_name, long_content.service_name):
        name_words = name.split()
        start = words.index(name_words[0])
        assert words[start : start + len(name_words)] == name_words
    office_lines = [t for t in job.texts if t and t.split()[0] in long_content.office_name.split()]
    assert len(office_lines) >= 2


def test_text_goes_through_the_code_pages_and_never_prints_garbage(
    content: Callable[..., TicketContent],
) -> None:
    ticket = content(
        service_name="Pelayanan Ümum — “ok”",
        office_name="Kantor 漢字 Łódź\x1b@\x07",
        footer="Tab\there…",
    )
    job, _, _ = render(ticket, "default", 80)
    text = "\n".join(job.texts)
    # Ü from a code page; dash and quotes in plain ASCII; no stray bytes at all.
    assert 'Pelayanan Ümum - "ok"' in text
    # The CJK characters become "?" (python-escpos would send GB18030 bytes for the whole
    # text); Ł comes from a code page that has it; the control bytes are gone.
    assert "Kantor ?? Łódź" in text
    assert "Tab here..." in text
    assert "\x1b" not in text and "\x07" not in text


def test_a_reused_printer_object_selects_the_code_page_again(
    content: Callable[..., TicketContent],
) -> None:
    capabilities = capabilities_for("default", 58)
    layout = layout_ticket(content(service_name="Łódź"), capabilities)
    printer = Dummy(profile="default")
    render_escpos(printer, layout, capabilities)
    first = printer.output
    printer.clear()
    render_escpos(printer, layout, capabilities)
    # ESC @ resets the printer to code page 0; the second job must switch again by itself.
    second = decode(printer.output, "default")
    assert "Łódź" in second.texts
    assert decode(first, "default").texts == second.texts


def test_double_sizes_only_on_a_profile_without_custom_size(
    content: Callable[..., TicketContent],
) -> None:
    job, _, capabilities = render(content(), "simple", 58)
    assert capabilities.max_text_scale == 2
    label = next(line for line in job.lines if line.text == "A-007")
    assert (label.width, label.height) == (2, 2)
    assert not [event for event in job.events if event[0] == "size"]  # no GS ! at all


def _zbarimg(image: Image.Image, tmp_path: Path) -> str | None:
    if shutil.which("zbarimg") is None:
        return None
    path = tmp_path / "qr.png"
    # Thermal dots are square; scale up a little as a phone camera would see it.
    image.convert("L").save(path)
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(path)],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return result.stdout.strip()


def test_image_qr_and_tear_off_on_a_printer_without_native_qr_or_cutter(
    content: Callable[..., TicketContent], tmp_path: Path
) -> None:
    ticket = content()
    job, _, capabilities = render(ticket, "POS-5890", 58)
    assert not capabilities.native_qr and not capabilities.cutter
    assert job.qr_data == []
    assert len(job.raster_images) == 1
    image = job.raster_images[0]
    assert image.width <= 384
    decoded = _zbarimg(image, tmp_path)
    if decoded is None:
        # No zbarimg (Debian zbar-tools): at least a dark square in the middle of the image.
        dark = sum(1 for pixel in image.getdata() if pixel == 0)
        assert dark > image.width * image.height // 10
    else:
        assert decoded == ticket.url
    # No cutter: no GS V, but the 6-line feed brings the ticket to the tear bar.
    assert job.cuts == 0
    assert 6 in job.feeds
    for line in job.lines:
        assert len(line.text) * line.width <= 32


def test_file_printer_appends_the_exact_bytes_of_each_ticket(
    content: Callable[..., TicketContent], tmp_path: Path
) -> None:
    capabilities = capabilities_for("default", 58)
    layout = layout_ticket(content(), capabilities)
    dummy = Dummy(profile="default")
    render_escpos(dummy, layout, capabilities)
    sink = tmp_path / "printer.bin"
    sink.write_bytes(b"earlier")
    opener = lambda: open_file(sink, profile="default")  # noqa: E731
    print_layout(opener, layout, capabilities)
    print_layout(opener, layout, capabilities)
    assert sink.read_bytes() == b"earlier" + dummy.output * 2


def test_layout_for_other_paper_is_refused(content: Callable[..., TicketContent]) -> None:
    layout = layout_ticket(content(), capabilities_for("default", 80))
    with pytest.raises(ValueError, match="paper"):
        render_escpos(Dummy(), layout, capabilities_for("default", 58))
