"""Render a :class:`~printer.layout.TicketLayout` onto a python-escpos printer object.

Works with every python-escpos printer class (``Dummy``, ``File``, ``Usb``, ``Serial``,
``Network``): they share the ``Escpos`` API. Commands used (ESC/POS names, Epson reference):

- ESC @ (initialise printer) once at the start, so no style of an earlier job leaks in;
- ESC t n (select character code table) through python-escpos' encoder (``MagicEncode``) and the
  printer profile's code pages;
- GS ! n (select character size) for sizes 1..8, or ESC ! n (select print modes) double
  width/height on printers without GS !; ESC E n (emphasised), GS B n (white/black reverse),
  ESC a n (justification), ESC M n (font A);
- GS ( k (QR code, functions 165, 167, 169, 180, 181) when the profile has ``qrCode``, else the
  same QR as a raster image (GS v 0, or GS ( L / ESC * as the profile allows);
- ESC d n (print and feed n lines) and GS V (cut), through ``Escpos.cut``.

This module does not open or close the connection: the caller does (see
:mod:`printer.connections` for bounded transports and :func:`print_layout` for open-print-close).
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Callable

from escpos.constants import QR_ECLEVEL_M, QR_MODEL_2
from escpos.escpos import Escpos

from printer.capabilities import PrinterCapabilities
from printer.layout import Block, CutBlock, FeedBlock, QrBlock, TextBlock, TicketLayout
from printer.qr import qr_image
from printer.status import StatusReport, read_status

log = logging.getLogger(__name__)


def render_escpos(printer: Escpos, layout: TicketLayout, capabilities: PrinterCapabilities) -> None:
    """Send ``layout`` to ``printer`` as ESC/POS commands.

    ``capabilities`` must describe the same profile as ``printer.profile`` and the paper of
    ``layout`` (build both with :func:`printer.capabilities.capabilities_for`). Exceptions of the
    transport (timeouts, a vanished device) propagate: the caller marks the ticket as not printed
    and reopens the connection for the next job.
    """
    if layout.paper != capabilities.paper:
        raise ValueError("layout and capabilities are for different paper widths")
    printer.hw("INIT")
    # ESC @ sets the printer back to code page 0, but python-escpos' encoder remembers the
    # page it selected last and would not send ESC t again on a reused printer object: the
    # next ticket's accented letters would print from the wrong table. Forget it.
    if not printer.magic.disabled:
        printer.magic.encoding = None
    for block in layout.blocks:
        _RENDERERS[type(block)](printer, block, capabilities)


def print_layout(
    open_printer: Callable[[], Escpos],
    layout: TicketLayout,
    capabilities: PrinterCapabilities,
    *,
    confirm: bool = False,
) -> StatusReport | None:
    """Open a printer, render ``layout``, and close it whatever happens.

    Open-print-close per job keeps a printer that was power-cycled, or that accepts only one
    TCP connection, working without a restart. ``open_printer`` is one of the factories of
    :mod:`printer.connections` with its settings bound (e.g. ``functools.partial``).

    With ``confirm``, the printer is asked for its real-time status (DLE EOT) on the same
    connection right after the job, and the report is returned: a write that succeeded is not
    a print (PITFALLS, learned on our own appliance). Without it, returns ``None``.
    """
    printer = open_printer()
    try:
        render_escpos(printer, layout, capabilities)
        return read_status(printer) if confirm else None
    finally:
        try:
            printer.close()
        except Exception:  # a close that fails must not hide the print error, if any
            log.warning("closing the printer failed", exc_info=True)


def _text(printer: Escpos, block: Block, capabilities: PrinterCapabilities) -> None:
    assert isinstance(block, TextBlock)
    _set_size(printer, block.scale, capabilities)
    printer.set(
        align=block.align.value,
        font="a",
        bold=block.bold,
        invert=block.invert,
    )
    for line in block.lines:
        printer.textln(line)
    if block.invert:
        # Reverse printing stays on until switched off; the following blank space must be white.
        printer.set(invert=False)


def _set_size(printer: Escpos, scale: int, capabilities: PrinterCapabilities) -> None:
    """Select a character size of ``scale`` × ``scale`` font A cells."""
    if not 1 <= scale <= capabilities.max_text_scale:
        raise ValueError(f"text scale {scale} is beyond this printer ({capabilities.profile_name})")
    if capabilities.custom_size:
        # GS ! n, also for 1x1: it resets a size left by an earlier GS ! explicitly.
        printer.set(custom_size=True, width=scale, height=scale)
    elif scale == 2:
        printer.set(double_width=True, double_height=True)
    else:
        printer.set(normal_textsize=True)


def _qr(printer: Escpos, block: Block, capabilities: PrinterCapabilities) -> None:
    assert isinstance(block, QrBlock)
    _set_size(printer, 1, capabilities)
    printer.set(align="center", bold=False, invert=False)
    if capabilities.native_qr:
        # GS ( k: the printer encodes the symbol itself; ESC a centres it.
        printer.qr(
            block.data, ec=QR_ECLEVEL_M, size=block.module_dots, model=QR_MODEL_2, native=True
        )
        # Function 181 prints the symbol; a line feed ends the line so the next text starts
        # below it on printers that keep the position on the symbol's line.
        printer.ln()
        return
    if capabilities.image_impl is None:
        raise ValueError(f"profile {capabilities.profile_name} prints neither QR codes nor images")
    # The same image the preview shows, padded to the full width so it is centred on paper.
    image = qr_image(block.data, block.module_dots, capabilities.paper.dots)
    pixels = printer.profile.profile_data.get("media", {}).get("width", {}).get("pixels")
    if isinstance(pixels, int):
        printer.image(image, impl=capabilities.image_impl, center=False)
    else:
        # python-escpos print()s a notice to stdout for profiles without a known pixel width;
        # stdout of the appliance belongs to the journal, so swallow it.
        with contextlib.redirect_stdout(io.StringIO()):
            printer.image(image, impl=capabilities.image_impl, center=False)


def _feed(printer: Escpos, block: Block, capabilities: PrinterCapabilities) -> None:
    assert isinstance(block, FeedBlock)
    # Blank lines at 1x1, so the feed does not grow with a large size left selected.
    _set_size(printer, 1, capabilities)
    printer.print_and_feed(block.lines)


def _cut(printer: Escpos, block: Block, capabilities: PrinterCapabilities) -> None:
    assert isinstance(block, CutBlock)
    _set_size(printer, 1, capabilities)
    printer.set(align="left", bold=False, invert=False)
    # Escpos.cut feeds 6 lines (ESC d 6) so the last line passes the cutter, then sends GS V
    # if the profile has a cutter; without one the feed alone brings the ticket to the tear bar.
    printer.cut()


_RENDERERS: dict[type, Callable[[Escpos, Block, PrinterCapabilities], None]] = {
    TextBlock: _text,
    QrBlock: _qr,
    FeedBlock: _feed,
    CutBlock: _cut,
}
