"""Where tickets go, as the settings say: one ESC/POS transport, a folder of PNGs, or nowhere.

Built once at start from ``[printer]`` so a wrong setting is reported by its key before the
first press; each ticket then opens, prints and closes its connection (PITFALLS, printer).
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from escpos.escpos import Escpos
from serial import SerialTimeoutException

from printer.capabilities import PrinterCapabilities, capabilities_for
from printer.connections import open_file, open_network, open_serial, open_usb
from printer.escpos_render import print_layout
from printer.layout import TicketLayout
from printer.preview import write_preview_png
from printer.status import StatusReport, read_status
from ult.kinds import PrinterState
from ult.settings import PrinterSettings

log = logging.getLogger(__name__)

PRINTED = "printed"
"""Outcome: the printer confirmed after the job that it can print (or a preview was written)."""
UNCONFIRMED = "unconfirmed"
"""Outcome: the bytes left, but the printer could not or did not confirm; keep it reprintable."""


class PrinterSetupError(ValueError):
    """A ``[printer]`` setting cannot work; ``key`` names it (e.g. ``printer.profile``)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


class PrintFailed(RuntimeError):
    """The ticket did not come out; ``reason`` is a short code for the event log, ``state``
    the printer state its answer after the job revealed (``None`` when it did not answer)."""

    def __init__(self, reason: str, detail: str, *, state: str | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.state = state


@dataclass(frozen=True)
class Delivery:
    """What :meth:`TicketOutput.deliver` achieved: ``outcome`` is :data:`PRINTED` or
    :data:`UNCONFIRMED`; ``detail`` says why (English, for the log); ``preview`` is the PNG a
    preview output wrote; ``state`` the printer state the confirmation revealed (``None``
    when there was no well-formed answer)."""

    outcome: str
    detail: str = ""
    preview: Path | None = None
    state: str | None = None

    @property
    def printed(self) -> bool:
        """Whether the ticket counts as printed."""
        return self.outcome == PRINTED


@dataclass(frozen=True)
class Check:
    """A printer state and whether a ticket may be issued now.

    ``can_issue`` is false only for a state that certainly cannot print (offline, paper
    out, no printer): an unknown state still issues, since the ticket stays in the queue
    and is marked when its print fails.
    """

    state: str
    can_issue: bool
    detail: str = ""


class TicketOutput:
    """The configured output: ``check()`` before issuing, ``deliver(layout, name)`` after.

    Build it with :meth:`from_settings`. ``kind`` is the ``printer.connection`` value.
    """

    def __init__(
        self,
        kind: str,
        capabilities: PrinterCapabilities,
        *,
        open_printer: Callable[[], Escpos] | None = None,
        folder: Path | None = None,
        path: Path | None = None,
        status_checks: bool = True,
    ) -> None:
        self.kind = kind
        self.capabilities = capabilities
        self._open_printer = open_printer
        self._folder = folder
        self._path = path
        self._status_checks = status_checks
        self._silent = False

    @classmethod
    def from_settings(cls, printer: PrinterSettings) -> TicketOutput:
        """The output ``[printer]`` describes. Raises :class:`PrinterSetupError` naming the
        key when the profile is unknown or the preview folder cannot be created."""
        try:
            capabilities = capabilities_for(printer.profile, printer.paper_width_mm)
        except Exception as error:  # python-escpos raises its own types for unknown profiles
            raise PrinterSetupError("printer.profile", str(error)) from error
        profile = printer.profile
        timeout = printer.timeout_seconds
        openers: dict[str, Callable[[], Escpos]] = {}
        if printer.connection == "usb":
            assert printer.vendor_id is not None and printer.product_id is not None
            openers["usb"] = functools.partial(
                open_usb,
                printer.vendor_id,
                printer.product_id,
                in_ep=printer.in_ep,
                out_ep=printer.out_ep,
                timeout_s=timeout,
                profile=profile,
            )
        elif printer.connection == "serial":
            openers["serial"] = functools.partial(
                open_serial,
                printer.device,
                baudrate=printer.baudrate,
                timeout_s=timeout,
                profile=profile,
            )
        elif printer.connection == "network":
            assert printer.host is not None
            openers["network"] = functools.partial(
                open_network, printer.host, port=printer.port, timeout_s=timeout, profile=profile
            )
        elif printer.connection == "file":
            assert printer.path is not None
            openers["file"] = functools.partial(
                open_file, printer.path, timeout_s=timeout, profile=profile
            )
        folder = None
        if printer.connection == "preview":
            folder = printer.path
            assert folder is not None
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise PrinterSetupError("printer.path", str(error)) from error
        return cls(
            printer.connection,
            capabilities,
            open_printer=openers.get(printer.connection),
            folder=folder,
            path=printer.path if printer.connection == "file" else None,
            status_checks=printer.status_checks,
        )

    def check(self) -> Check:
        """Ask the printer, where it can answer, whether a ticket can come out now.

        Bounded by the transport's timeout; run it on the print worker, never on a GPIO
        callback or a web request thread.
        """
        if self.kind == "none":
            return Check(PrinterState.DISABLED, False)
        if self.kind == "preview":
            return Check(PrinterState.READY, True)
        if self._path is not None:
            # A file cannot answer status questions, but a device node that is gone or a
            # path that cannot be written certainly cannot print.
            problem = _unwritable(self._path)
            return (
                Check(PrinterState.OFFLINE, False, problem)
                if problem
                else Check(PrinterState.UNKNOWN, True)
            )
        if not self._status_checks or self._open_printer is None:
            return Check(PrinterState.UNKNOWN, True)
        if self._silent:
            # A printer that left the last question unanswered would cost every press two
            # full timeouts. The confirmation after the next job asks again, and any answer
            # there ends the silence: one silence never blinds the appliance for long.
            return Check(
                PrinterState.UNKNOWN, True, "status not asked: the printer stopped answering"
            )
        printer = self._open_printer()
        try:
            report = read_status(printer)
        finally:
            _close(printer)
        self._note_answer(report)
        return Check(str(report.state), report.state.can_print is not False, report.detail)

    def _note_answer(self, report: StatusReport) -> None:
        """Remember whether the printer answered the last status question."""
        silent = (
            report.asked and report.state is PrinterState.UNKNOWN and report.online_reply is None
        )
        if silent and not self._silent:
            log.warning(
                "the printer did not answer status questions (%s); asking again after the "
                "next job. If this model never answers, set status_checks = false in [printer]",
                report.detail,
            )
        self._silent = silent

    def deliver(self, layout: TicketLayout, name: str) -> Delivery:
        """Print ``layout`` (or write it as ``<name>.png`` in the preview folder).

        A ticket counts as printed only when the printer confirmed it (PITFALLS, learned on
        our own appliance): after the job the printer is asked its real-time status on the
        same connection; ready or paper-near-end is :data:`PRINTED`; no well-formed answer
        (a file, a network printer that never reads, status checks off) is
        :data:`UNCONFIRMED`. Raises :class:`PrintFailed` with a reason code when nothing (or
        not all) came out: a transport error or timeout, or the printer saying after the job
        that it is out of paper (``paper_out``) or offline (``offline``).
        """
        if self.kind == "none":
            raise PrintFailed(PrinterState.DISABLED, "no printer configured")
        if self._folder is not None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            try:
                preview = write_preview_png(layout, self._folder / f"{stamp}-{name}.png")
            except OSError as error:
                raise PrintFailed("write_failed", str(error)) from error
            return Delivery(PRINTED, "preview written", preview)
        assert self._open_printer is not None
        # A file (a device node such as /dev/usb/lp0, or a plain file) has no back channel.
        confirm = self._status_checks and self._path is None
        try:
            report = print_layout(self._open_printer, layout, self.capabilities, confirm=confirm)
        except (TimeoutError, SerialTimeoutException) as error:
            # pyserial's write timeout is no TimeoutError, yet means the same.
            raise PrintFailed("timeout", str(error)) from error
        except Exception as error:
            # Every transport raises its own types (USBError, SerialException, OSError,
            # escpos' DeviceNotFoundError): all mean the same to the visitor.
            raise PrintFailed("error", f"{type(error).__name__}: {error}") from error
        if report is None:
            why = "status checks are off" if self._path is None else "a file cannot answer"
            return Delivery(UNCONFIRMED, why)
        self._note_answer(report)
        if report.state.can_print is False:
            raise PrintFailed(str(report.state), report.detail, state=str(report.state))
        if report.state.can_print is None:
            return Delivery(UNCONFIRMED, report.detail)
        return Delivery(PRINTED, report.detail, state=str(report.state))


def _unwritable(path: Path) -> str | None:
    """Why ``path`` cannot take a ticket's bytes now, or ``None`` when it can."""
    if path.exists():
        return None if os.access(path, os.W_OK) else f"{path}: no write permission"
    if path.parts[:2] == ("/", "dev"):
        return f"{path}: device not present (printer unplugged or off?)"
    parent = path.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        return f"{parent}: folder missing or not writable"
    return None


def _close(printer: Escpos) -> None:
    try:
        printer.close()
    except Exception:
        log.debug("closing the printer after a status check failed", exc_info=True)
