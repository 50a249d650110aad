"""Printer status, interpreted honestly: only a well-formed reply is believed.

The question is ESC/POS DLE EOT n (transmit real-time status): n = 1 printer status (bit 3:
offline), n = 4 paper roll sensor status (bits 2-3: near end, bits 5-6: paper end). The reply
is one byte whose bits 1 and 4 are always 1 and bits 0 and 7 always 0; anything else (no byte,
several bytes, fixed bits wrong, half of a two-bit flag) is not an answer and gives
:attr:`PrinterState.UNKNOWN` — never "paper ok".

python-escpos' own ``is_online()`` and ``paper_status()`` are not used for the answer: with no
reply ``paper_status()`` returns 2 ("paper adequate") and ``is_online()`` returns ``False``, and
neither checks the fixed bits. :func:`read_status` asks the same questions through
``Escpos.query_status`` (which both are built on) and checks the bytes itself.

Bounded in time: each question waits at most the transport's timeout, so build printers with
the factories of :mod:`printer.connections` (re-exported here), which always set one. A
transport that cannot answer (``File``, ``Dummy``: nothing to read from) is not asked at all:
asking would only write DLE EOT bytes into the file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER
from escpos.escpos import Escpos

from printer.connections import (
    AppendFile,
    BoundedNetwork,
    BoundedSerial,
    BoundedUsb,
    open_file,
    open_network,
    open_serial,
    open_usb,
)
from ult.kinds import PrinterState

__all__ = [
    "AppendFile",
    "BoundedNetwork",
    "BoundedSerial",
    "BoundedUsb",
    "StatusReport",
    "open_file",
    "open_network",
    "open_serial",
    "open_usb",
    "parse_online_reply",
    "parse_paper_reply",
    "read_status",
    "transport_can_answer",
]

log = logging.getLogger(__name__)

# Fixed bits of every DLE EOT reply (Epson ESC/POS reference, "DLE EOT"): bits 1 and 4 are 1,
# bits 0 and 7 are 0.
_FIXED_MASK: Final = 0b1001_0011
_FIXED_VALUE: Final = 0b0001_0010
_OFFLINE_BIT: Final = 0b0000_1000  # DLE EOT 1, bit 3
_NEAR_END_BITS: Final = 0b0000_1100  # DLE EOT 4, bits 2 and 3
_PAPER_END_BITS: Final = 0b0110_0000  # DLE EOT 4, bits 5 and 6


@dataclass(frozen=True)
class StatusReport:
    """The interpreted state, and for the log what was asked and what came back.

    ``online_reply``/``paper_reply`` are the raw replies (``None`` when not asked or failed);
    ``detail`` says in English why the state is what it is; ``asked`` is false when the
    transport has no back channel, so no question was sent.
    """

    state: PrinterState
    detail: str
    online_reply: bytes | None = None
    paper_reply: bytes | None = None
    asked: bool = True


def transport_can_answer(printer: Any) -> bool:
    """Whether ``printer``'s transport can read a reply (USB, serial, network; not file/dummy).

    Our connection classes say so themselves (``answers_status``; a USB printer found to have
    no bulk IN endpoint says no once opened); for other python-escpos
    objects, a transport can answer when its class overrides ``Escpos._read``, which only
    refuses (file and dummy transports keep it).
    """
    declared = getattr(printer, "answers_status", None)
    if isinstance(declared, bool):
        return declared
    read = getattr(type(printer), "_read", None)
    return read is not None and read is not Escpos._read


def parse_online_reply(reply: bytes | None) -> bool | None:
    """DLE EOT 1 reply → ``True`` online, ``False`` offline, ``None`` not a valid reply."""
    byte = _single_status_byte(reply)
    if byte is None:
        return None
    return not byte & _OFFLINE_BIT


def parse_paper_reply(reply: bytes | None) -> PrinterState | None:
    """DLE EOT 4 reply → READY, PAPER_NEAR_END or PAPER_OUT; ``None`` if not a valid reply.

    Each condition is reported on two bits that are both 0 or both 1; one of the two alone is
    not something the reference defines, so it is not believed.
    """
    byte = _single_status_byte(reply)
    if byte is None:
        return None
    end = byte & _PAPER_END_BITS
    near = byte & _NEAR_END_BITS
    if end not in (0, _PAPER_END_BITS) or near not in (0, _NEAR_END_BITS):
        return None
    if end:
        return PrinterState.PAPER_OUT
    if near:
        return PrinterState.PAPER_NEAR_END
    return PrinterState.READY


def _single_status_byte(reply: bytes | None) -> int | None:
    """The one status byte of ``reply`` if it is exactly one byte with the fixed bits right."""
    if reply is None or len(reply) != 1:
        return None
    byte = reply[0]
    if byte & _FIXED_MASK != _FIXED_VALUE:
        return None
    return byte


def read_status(printer: Escpos) -> StatusReport:
    """Ask ``printer`` whether it can print, where its transport can answer.

    - Transport cannot answer (file, dummy): UNKNOWN, and nothing is sent.
    - The connection cannot be opened (device gone, host unreachable): OFFLINE — whatever the
      cause, nothing could be printed now.
    - Either question unanswered, failed (timeout) or malformed: UNKNOWN.
    - Paper end reported: PAPER_OUT (even when the printer also says offline, which paper end
      causes); offline: OFFLINE; near end: PAPER_NEAR_END; else READY.

    Takes at most the open timeout plus two write-and-read timeouts of the transport. The
    connection stays open; the caller closes it (see :mod:`printer.connections`).
    """
    if not transport_can_answer(printer):
        return StatusReport(
            PrinterState.UNKNOWN, "transport cannot answer status requests", asked=False
        )
    # python-escpos keeps the connection in ``_device``: False = never opened, None = the last
    # open failed (its lazy ``device`` property would not try again), else the connection.
    if not getattr(printer, "_device", None):
        try:
            printer.open()
        except Exception as error:
            return StatusReport(PrinterState.OFFLINE, f"cannot connect: {_describe_error(error)}")
        if not transport_can_answer(printer):  # learnt on opening (USB without an IN endpoint)
            return StatusReport(
                PrinterState.UNKNOWN, "printer has no back channel for status", asked=False
            )

    discard = getattr(printer, "discard_input", None)
    if callable(discard):
        # A reply that came late for an earlier question would be read as this one's.
        try:
            discard()
        except Exception:
            log.debug("discarding stale status bytes failed", exc_info=True)
    online_reply, online_error = _ask(printer, RT_STATUS_ONLINE)
    paper_reply, paper_error = _ask(printer, RT_STATUS_PAPER)
    online = parse_online_reply(online_reply)
    paper = parse_paper_reply(paper_reply)

    def report(state: PrinterState, detail: str) -> StatusReport:
        return StatusReport(state, detail, online_reply, paper_reply)

    if paper is PrinterState.PAPER_OUT:
        return report(PrinterState.PAPER_OUT, f"paper end reported ({paper_reply!r})")
    if online is False:
        return report(PrinterState.OFFLINE, f"offline reported ({online_reply!r})")
    if online is None:
        reason = online_error or f"malformed or missing reply {online_reply!r}"
        return report(PrinterState.UNKNOWN, f"printer status (DLE EOT 1): {reason}")
    if paper is None:
        reason = paper_error or f"malformed or missing reply {paper_reply!r}"
        return report(PrinterState.UNKNOWN, f"paper status (DLE EOT 4): {reason}")
    if paper is PrinterState.PAPER_NEAR_END:
        return report(PrinterState.PAPER_NEAR_END, f"paper near end reported ({paper_reply!r})")
    return report(PrinterState.READY, "online, paper adequate")


def _ask(printer: Escpos, question: bytes) -> tuple[bytes | None, str | None]:
    """Send one DLE EOT ``question``; the raw reply, or ``None`` and why there is none."""
    try:
        reply = printer.query_status(question)
    except Exception as error:  # a timeout or a vanished device: no answer, not a crash
        log.debug("status request %r failed", question, exc_info=True)
        return None, f"no reply ({_describe_error(error)})"
    if reply is None:
        return None, "no reply"
    return bytes(reply), None


def _describe_error(error: BaseException) -> str:
    text = str(error).strip().replace("\n", " ")
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
