"""The ticket layout as data: sizes, wrapping, Indonesian texts, character clean-up."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from printer import messages
from printer.capabilities import (
    PAPER_58,
    PAPER_80,
    capabilities_for,
    paper_for_width,
)
from printer.layout import (
    CutBlock,
    QrBlock,
    TextBlock,
    TicketContent,
    issued_at_text,
    largest_scale,
    layout_test_page,
    layout_ticket,
    printable_text,
    wrap,
)
from ult.kinds import PrinterState
from ult.messages import wait_text


def test_papers_in_dots_and_characters() -> None:
    assert (PAPER_58.dots, PAPER_58.columns) == (384, 32)
    assert (PAPER_80.dots, PAPER_80.columns) == (576, 48)
    assert paper_for_width(58) is PAPER_58
    with pytest.raises(ValueError, match="paper_width_mm"):
        paper_for_width(57)


def test_capabilities_come_from_the_profile() -> None:
    default = capabilities_for("default", 80)
    assert default.native_qr and default.cutter and default.custom_size
    assert default.max_text_scale == 8
    assert "Ü" in default.extra_chars
    cheap = capabilities_for("POS-5890", 58)
    assert not cheap.native_qr and cheap.image_impl == "bitImageRaster" and not cheap.cutter
    # An 80 mm printer at 180 dpi prints 512 dots: the layout uses 512, not 576.
    assert capabilities_for("TM-T88V", 80).paper.dots == 512
    with pytest.raises(ValueError, match="no-such-printer"):
        capabilities_for("no-such-printer", 58)


@pytest.mark.parametrize(("paper_mm", "scale"), [(58, 6), (80, 8)])
def test_label_takes_the_largest_size_that_fits(
    content: Callable[..., TicketContent], paper_mm: int, scale: int
) -> None:
    layout = layout_ticket(content(), capabilities_for("default", paper_mm))
    label = next(block for block, line in layout.text_lines() if line == "A-007")
    assert label.scale == scale
    assert max(block.scale for block, _ in layout.text_lines()) == scale
    assert largest_scale("A-1234", 32, 8) == 5  # a longer label gets smaller, never cut


@pytest.mark.parametrize("paper_mm", [58, 80])
def test_every_line_fits_and_long_names_wrap_whole(long_content: TicketContent, paper_mm: int):
    capabilities = capabilities_for("default", paper_mm)
    layout = layout_ticket(long_content, capabilities)
    columns = capabilities.paper.columns
    for block, line in layout.text_lines():
        assert len(line) * block.scale <= columns, (line, block.scale)
    joined = " ".join(line for _, line in layout.text_lines())
    assert long_content.office_name in joined
    assert long_content.service_name in joined
    assert isinstance(layout.blocks[-1], CutBlock)
    qr = [block for block in layout.blocks if isinstance(block, QrBlock)]
    assert [block.data for block in qr] == [long_content.url]
    # The QR takes at most the paper width, at least 3 dots a module.
    assert 3 <= qr[0].module_dots <= 8


def test_a_word_longer_than_the_line_is_split_not_dropped() -> None:
    assert wrap("A" * 70, 32) == ("A" * 32, "A" * 32, "A" * 6)
    assert wrap("   ", 32) == ()


def test_content_order_top_to_bottom(content: Callable[..., TicketContent]) -> None:
    layout = layout_ticket(content(priority=True), capabilities_for("default", 80))
    lines = [line for _, line in layout.text_lines()]
    expected = [
        "Dinas Pendidikan Kabupaten Contoh",
        messages.UNIT_NAME,
        "Layanan Informasi",
        "A-007",
        f" {messages.PRIORITY_MARK} ",
        "Rabu, 25 November 2026  10.15 WIB",
        "Menunggu di depan Anda: 3 orang",
        "Perkiraan waktu tunggu: ± 15 menit",
        messages.QR_CAPTION,
        "Terima kasih atas kunjungan Anda.",
    ]
    positions = [lines.index(text) for text in expected]
    assert positions == sorted(positions)
    blocks = list(layout.blocks)
    caption = next(
        i
        for i, b in enumerate(blocks)
        if isinstance(b, TextBlock) and messages.QR_CAPTION in b.lines
    )
    footer = next(
        i for i, b in enumerate(blocks) if isinstance(b, TextBlock) and "Terima" in b.lines[0]
    )
    qr = next(i for i, b in enumerate(blocks) if isinstance(b, QrBlock))
    assert caption < qr < footer
    assert isinstance(blocks[-1], CutBlock)


def test_priority_mark_only_for_priority(content: Callable[..., TicketContent]) -> None:
    capabilities = capabilities_for("default", 58)
    plain = [line for _, line in layout_ticket(content(), capabilities).text_lines()]
    marked = layout_ticket(content(priority=True), capabilities)
    assert not any(messages.PRIORITY_MARK in line for line in plain)
    marks = [b for b, line in marked.text_lines() if messages.PRIORITY_MARK in line]
    assert len(marks) == 1 and marks[0].invert and marks[0].bold


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Jakarta", "Rabu, 25 November 2026  10.15 WIB"),
        ("Asia/Pontianak", "Rabu, 25 November 2026  10.15 WIB"),
        ("Asia/Makassar", "Rabu, 25 November 2026  11.15 WITA"),
        ("Asia/Jayapura", "Rabu, 25 November 2026  12.15 WIT"),
        ("Asia/Kolkata", "Rabu, 25 November 2026  08.45 UTC+5:30"),
        ("UTC", "Rabu, 25 November 2026  03.15 UTC+0"),
    ],
)
def test_date_and_time_in_indonesian_with_zone(zone: str, expected: str) -> None:
    moment = datetime(2026, 11, 25, 3, 15, tzinfo=UTC)
    assert issued_at_text(moment, ZoneInfo(zone)) == expected


def test_date_on_58_mm_takes_two_lines(content: Callable[..., TicketContent]) -> None:
    # "Minggu, 27 September 2026  10.15 WITA" is 37 characters: longer than 32.
    ticket = content(
        issued_at=datetime(2026, 9, 27, 2, 15, tzinfo=UTC), timezone=ZoneInfo("Asia/Makassar")
    )
    lines = [
        line for _, line in layout_ticket(ticket, capabilities_for("default", 58)).text_lines()
    ]
    assert "Minggu, 27 September 2026" in lines
    assert "10.15 WITA" in lines


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0, "segera dipanggil"), (15, "± 15 menit"), (60, "± 1 jam"), (95, "± 1 jam 35 menit")],
)
def test_estimated_wait_wording(minutes: int, text: str) -> None:
    assert wait_text(minutes) == text


def test_nobody_ahead_is_said_in_words(content: Callable[..., TicketContent]) -> None:
    layout = layout_ticket(
        content(waiting_ahead=0, estimated_wait_minutes=0), capabilities_for("default", 80)
    )
    lines = [line for _, line in layout.text_lines()]
    assert "Tidak ada antrian di depan Anda" in lines
    assert "Perkiraan waktu tunggu: segera dipanggil" in lines
    assert not any("0 orang" in line or "&" in line for line in lines)
    assert "Pindai: status antrian dan survei" in lines


def test_content_refuses_what_cannot_be_printed_truthfully(
    content: Callable[..., TicketContent],
) -> None:
    with pytest.raises(ValueError, match="aware"):
        content(issued_at=datetime(2026, 11, 25, 10, 15))
    with pytest.raises(ValueError, match="waiting_ahead"):
        content(waiting_ahead=-1)
    with pytest.raises(ValueError, match="estimated_wait_minutes"):
        content(estimated_wait_minutes=-5)
    with pytest.raises(ValueError, match="label"):
        content(label=" ")


def test_printable_text_per_profile() -> None:
    default = capabilities_for("default", 58)
    simple = capabilities_for("simple", 58)  # CP437 only
    assert printable_text("Pelayanan Ümum — “ok”", default) == 'Pelayanan Ümum - "ok"'
    assert printable_text("Pelayanan Ümum — “ok”", simple) == 'Pelayanan Ümum - "ok"'
    # Not in CP437: the accent goes, the letter stays; no letter at all: "?".
    assert printable_text("Łódź Ş", simple) == "Lódz S"  # ó is in CP437
    assert printable_text("漢", default) == "?"
    # Control characters would be printer commands: gone.
    assert printable_text("A\x1b@B\x00C\nD", default) == "A@BCD"
    assert printable_text("±", simple) == "±"
    no_plus_minus = dataclasses.replace(simple, extra_chars=frozenset())
    assert printable_text("± 15", no_plus_minus) == "+/- 15"


def test_without_any_qr_the_address_is_printed(content: Callable[..., TicketContent]) -> None:
    capabilities = dataclasses.replace(
        capabilities_for("default", 58), native_qr=False, image_impl=None
    )
    layout = layout_ticket(content(), capabilities)
    assert not [block for block in layout.blocks if isinstance(block, QrBlock)]
    joined = "".join(line for _, line in layout.text_lines())
    assert content().url in joined


def test_test_page_layout(content: Callable[..., TicketContent]) -> None:
    capabilities = capabilities_for("POS-5890", 58)
    layout = layout_test_page(
        capabilities,
        office_name="Dinas Pendidikan Kabupaten Contoh",
        state_text=messages.STATE_TEXT[PrinterState.UNKNOWN],
        printed_at=datetime(2026, 11, 25, 3, 15, tzinfo=UTC),
        timezone=ZoneInfo("Asia/Jakarta"),
        url=content().url,
    )
    lines = [line for _, line in layout.text_lines()]
    assert any("POS-5890" in line for line in lines)
    assert any(messages.STATE_TEXT[PrinterState.UNKNOWN].split()[0] in line for line in lines)
    for block, line in layout.text_lines():
        assert isinstance(block, TextBlock)
        assert len(line) * block.scale <= 32
    assert isinstance(layout.blocks[-1], CutBlock)
