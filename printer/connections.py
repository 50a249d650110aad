"""Printer connections whose every call is bounded in time, one factory per transport.

python-escpos' own classes can wait forever: ``Usb`` writes with timeout 0 (libusb: no limit),
``Serial`` sets only the read timeout (pyserial's ``write_timeout`` stays ``None``: a printer
holding DSR low blocks the write forever) and ``close()`` drains the output without limit,
``Network`` waits 60 s, and ``File`` blocks on ``/dev/usb/lp0`` while the printer is busy or out
of paper. Build printers with the factories here instead; each takes an explicit timeout and
returns an object with the usual ``Escpos`` API, so :func:`printer.escpos_render.render_escpos`
and :func:`printer.status.read_status` work on all of them.

Rules for callers (the print worker):

- Open lazily, print, close: python-escpos opens on first use; call ``close()`` in a
  ``finally`` after each ticket (:func:`printer.escpos_render.print_layout` does), so a printer
  that was power-cycled or accepts one TCP connection at a time keeps working. The classes
  here reopen on the next use after ``close()``, also after a failed open (python-escpos' own
  classes stay dead then); a fresh object per job is just as good.
- Catch ``Exception`` around a job: a vanished device raises ``DeviceNotFoundError``, a timeout
  raises ``TimeoutError``/``OSError``/``usb.core.USBError``/``serial.SerialException``.
- A job can take up to a few timeouts (open, each write); use a few seconds, on one worker
  thread, never on a GPIO callback or a web request thread.

USB needs the Debian package ``libusb-1.0-0`` (pyusb's backend) and a udev rule giving the
service's group access to the printer's vendor and product id.
"""

from __future__ import annotations

import logging
import math
import os
import select
import time
from typing import Any, ClassVar, Final

from escpos.capabilities import get_profile
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import File, Network, Serial, Usb

log = logging.getLogger(__name__)

DEFAULT_USB_IN_EP: Final = 0x82
"""python-escpos' default bulk IN endpoint, used when discovery finds none."""
DEFAULT_USB_OUT_EP: Final = 0x01
"""python-escpos' default bulk OUT endpoint, used when discovery finds none."""
_USB_CLASS_PRINTER: Final = 0x07
_STATUS_READ_SIZE: Final = 16


def _check_timeout(timeout_s: float) -> float:
    """``timeout_s`` as a positive finite float, or ``ValueError`` (0 means "forever" in USB)."""
    value = float(timeout_s)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"timeout_s must be a positive number of seconds, not {timeout_s!r}")
    return value


def _check_profile(profile: str | None) -> None:
    """``ValueError`` naming ``profile`` when python-escpos has no such profile."""
    try:
        get_profile(profile)
    except KeyError:
        raise ValueError(f"unknown printer profile {profile!r} (python-escpos profiles)") from None


class BoundedUsb(Usb):
    """python-escpos ``Usb`` with a write and read timeout and endpoint discovery.

    pyusb takes timeouts in milliseconds; python-escpos passes its ``timeout`` straight through,
    and 0 (its default) means no limit at all.
    """

    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        *,
        in_ep: int | None,
        out_ep: int | None,
        timeout_s: float,
        profile: str | None,
    ) -> None:
        timeout_ms = max(1, round(_check_timeout(timeout_s) * 1000))
        for name, value in (("vendor_id", vendor_id), ("product_id", product_id)):
            if not 0 < int(value) <= 0xFFFF:
                raise ValueError(f"{name} must be a USB id 0x0001..0xFFFF, not {value!r}")
        super().__init__(
            idVendor=int(vendor_id),
            idProduct=int(product_id),
            timeout=timeout_ms,
            in_ep=DEFAULT_USB_IN_EP if in_ep is None else in_ep,
            out_ep=DEFAULT_USB_OUT_EP if out_ep is None else out_ep,
            profile=profile,
        )
        self._discover_in = in_ep is None
        self._discover_out = out_ep is None
        self._back_channel = True

    @property
    def answers_status(self) -> bool:
        """Whether status can be read: false once discovery found no bulk IN endpoint."""
        return self._back_channel

    def open(self, raise_not_found: bool = True) -> None:
        """Find and claim the device; choose bulk endpoints the settings left open."""
        super().open(raise_not_found=raise_not_found)
        if self._device and (self._discover_in or self._discover_out):
            try:
                found_in, found_out = pick_usb_endpoints(self._device.get_active_configuration())
            except Exception:  # descriptor access differs between backends; keep defaults
                log.warning("USB endpoint discovery failed; using defaults", exc_info=True)
                return
            if self._discover_in and found_in is not None:
                self.in_ep = found_in
            elif self._discover_in and found_out is not None:
                # An OUT-only printer (no back channel): asking would only time out.
                self._back_channel = False
            if self._discover_out and found_out is not None:
                self.out_ep = found_out

    def close(self) -> None:
        """Release the device; the next use finds and opens it again."""
        try:
            super().close()
        finally:
            self._device = False

    def _read(self) -> bytes:
        """Read a status reply within our timeout (python-escpos leaves pyusb's 1 s default)."""
        assert self.device
        return bytes(self.device.read(self.in_ep, _STATUS_READ_SIZE, self.timeout))

    def discard_input(self) -> None:
        """Drop replies that arrived late for an earlier question (at most 16 reads)."""
        assert self.device
        for _ in range(16):
            try:
                if not self.device.read(self.in_ep, 64, 1):
                    return
            except Exception:  # usb.core.USBTimeoutError: nothing is waiting
                return


def pick_usb_endpoints(configuration: Any) -> tuple[int | None, int | None]:
    """The (bulk IN, bulk OUT) endpoint addresses of a USB configuration descriptor.

    Prefers an interface of the printer class (7); either may be ``None`` (a printer without
    a back channel has no IN endpoint: it cannot answer status requests).
    """
    interfaces = list(configuration)
    interfaces.sort(key=lambda intf: intf.bInterfaceClass != _USB_CLASS_PRINTER)
    for interface in interfaces:
        found_in: int | None = None
        found_out: int | None = None
        for endpoint in interface:
            if endpoint.bmAttributes & 0x03 != 0x02:  # transfer type bits: 2 = bulk
                continue
            if endpoint.bEndpointAddress & 0x80:  # direction bit: 1 = IN (device to host)
                found_in = found_in if found_in is not None else endpoint.bEndpointAddress
            else:
                found_out = found_out if found_out is not None else endpoint.bEndpointAddress
        if found_out is not None:
            return found_in, found_out
    return None, None


class BoundedSerial(Serial):
    """python-escpos ``Serial`` with pyserial's ``write_timeout`` and a bounded close.

    Reads return as soon as the printer's one-byte status reply is in (pyserial's
    ``read(16)`` would wait the whole timeout for 16 bytes that never come).
    """

    answers_status: ClassVar[bool] = True

    def __init__(self, device: str, *, baudrate: int, timeout_s: float, profile: str | None):
        self.timeout_s = _check_timeout(timeout_s)
        if int(baudrate) <= 0:
            raise ValueError(f"baudrate must be positive, not {baudrate!r}")
        super().__init__(
            devfile=device, baudrate=int(baudrate), timeout=self.timeout_s, profile=profile
        )

    def open(self, raise_not_found: bool = True) -> None:
        """Open the port with the read and the write timeout set."""
        super().open(raise_not_found=raise_not_found)
        if self._device:
            self._device.write_timeout = self.timeout_s

    def _read(self) -> bytes:
        """Read a status reply: the first byte within the timeout, then what else is there."""
        assert self.device
        first = self.device.read(1)
        if not first:
            return b""
        waiting = self.device.in_waiting
        return bytes(first) + (bytes(self.device.read(waiting)) if waiting else b"")

    def discard_input(self) -> None:
        """Drop replies that arrived late for an earlier question."""
        assert self.device
        self.device.reset_input_buffer()

    def close(self) -> None:
        """Close the port, giving buffered output at most the timeout to leave.

        pyserial's ``flush()`` (tcdrain) waits without limit while flow control holds the line.
        """
        port = self._device
        if not port:
            self._device = False  # a failed open leaves None: the next use must open again
            return
        try:
            if port.is_open:
                deadline = time.monotonic() + self.timeout_s
                while port.out_waiting and time.monotonic() < deadline:
                    time.sleep(0.01)
                if port.out_waiting:
                    # Only what the time limit left behind is dropped: on a pseudo-terminal a
                    # reset also throws away bytes the other side has not read yet.
                    port.reset_output_buffer()
                port.close()
        finally:
            self._device = False


class BoundedNetwork(Network):
    """python-escpos ``Network`` whose ``close()`` always allows a fresh connect next time.

    python-escpos leaves a failed connect as ``None``, which ``close()`` keeps and the lazy
    ``device`` property never retries: the object would stay dead after one refused connect.
    """

    answers_status: ClassVar[bool] = True

    def discard_input(self) -> None:
        """Drop replies that arrived late for an earlier question."""
        sock = self.device
        assert sock
        sock.setblocking(False)
        try:
            for _ in range(64):
                if not sock.recv(4096):
                    return  # the printer closed the connection; the next write will say so
        except (BlockingIOError, InterruptedError):
            pass
        finally:
            sock.settimeout(self.timeout)

    def close(self) -> None:
        """Close the socket (if any); the next use connects again."""
        try:
            super().close()
        finally:
            self._device = False


class AppendFile(File):
    """python-escpos ``File`` that appends and never blocks longer than the timeout.

    For an ordinary file the exact bytes the printer would get are appended. For a device
    (``/dev/usb/lp0``) writes are non-blocking and wait for the device with ``select``: the
    kernel's printer driver blocks a plain write for as long as the printer is busy or out of
    paper. Device paths under ``/dev`` are never created: a missing printer is an error, not a
    new regular file that would shadow the device when it returns.
    """

    answers_status: ClassVar[bool] = False

    def __init__(self, path: str | os.PathLike[str], *, timeout_s: float, profile: str | None):
        self.timeout_s = _check_timeout(timeout_s)
        super().__init__(devfile=os.fspath(path), auto_flush=True, profile=profile)

    def open(self, raise_not_found: bool = True) -> None:
        """Open the file for appending (created if it is not under ``/dev``)."""
        if self._device:
            self.close()
        flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        if not os.path.abspath(self.devfile).startswith("/dev/"):
            flags |= os.O_CREAT
        try:
            fd = os.open(self.devfile, flags, 0o644)
        except OSError as error:
            self.device = None
            if raise_not_found:
                raise DeviceNotFoundError(
                    f"Could not open the specified file {self.devfile}:\n{error}"
                ) from error
            log.error("file printer %s not found", self.devfile)
            return
        self.device = os.fdopen(fd, "wb", buffering=0)

    def _raw(self, msg: bytes) -> None:
        """Write all of ``msg`` within the timeout, or raise ``TimeoutError``."""
        stream = self.device
        assert stream
        view = memoryview(msg)
        deadline = time.monotonic() + self.timeout_s
        while view:
            written = stream.write(view)
            if written:
                view = view[written:]
                continue
            # None: the device would block (EAGAIN). Wait until it takes more, or give up.
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"printer {self.devfile} took no data for {self.timeout_s} s")
            select.select([], [stream], [], remaining)

    def flush(self) -> None:
        """Nothing to flush: the file is unbuffered."""

    def close(self) -> None:
        """Close the file."""
        if not self._device:
            self._device = False  # a failed open leaves None: the next use must open again
            return
        try:
            self._device.close()
        finally:
            self._device = False


def open_usb(
    vendor_id: int,
    product_id: int,
    *,
    in_ep: int | None = None,
    out_ep: int | None = None,
    timeout_s: float,
    profile: str | None,
) -> BoundedUsb:
    """A USB printer (opened on first use); endpoints found from the descriptor if ``None``.

    ``timeout_s`` bounds each USB write and status read. Raises ``ValueError`` for bad ids, a
    bad timeout or an unknown profile.
    """
    _check_profile(profile)
    return BoundedUsb(
        vendor_id, product_id, in_ep=in_ep, out_ep=out_ep, timeout_s=timeout_s, profile=profile
    )


def open_serial(
    device: str, *, baudrate: int, timeout_s: float, profile: str | None
) -> BoundedSerial:
    """A serial printer on ``device`` (e.g. ``/dev/ttyUSB0``), opened on first use.

    ``timeout_s`` is pyserial's read timeout and write timeout, and bounds ``close()``.
    """
    _check_profile(profile)
    return BoundedSerial(device, baudrate=baudrate, timeout_s=timeout_s, profile=profile)


def open_network(
    host: str, *, port: int = 9100, timeout_s: float, profile: str | None
) -> BoundedNetwork:
    """A network printer (raw TCP, port 9100), connected on first use.

    ``timeout_s`` is the socket timeout: it bounds the connect, each send and each status read.
    Close it after every ticket.
    """
    _check_profile(profile)
    if not host:
        raise ValueError("host must not be empty")
    if not 0 < int(port) <= 0xFFFF:
        raise ValueError(f"port must be 1..65535, not {port!r}")
    return BoundedNetwork(
        host=host, port=int(port), timeout=_check_timeout(timeout_s), profile=profile
    )


def open_file(
    path: str | os.PathLike[str], *, profile: str | None, timeout_s: float = 5.0
) -> AppendFile:
    """A printer that is a file: ``/dev/usb/lp0``, or an ordinary file the bytes append to.

    It cannot answer status requests (the status is always unknown). ``timeout_s`` bounds each
    write to a device that stops taking data.
    """
    _check_profile(profile)
    return AppendFile(path, timeout_s=timeout_s, profile=profile)
