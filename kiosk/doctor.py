"""The kiosk's checks for ``ult doctor`` (entry-point group ``ult.doctor``): the printer and
the GPIO, each finding with its fix.

The printer is asked nothing while ``ult kiosk`` owns it: the checks look at what the system
shows (libusb, the USB device and its node, the serial device, a TCP connect to a network
printer) and at the state the owner last recorded. The hardware lookups are module
functions so that a test can put a fault in their place.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

from gpiozero.exc import BadPinFactory

from kiosk.button import _prepare_lgpio_directory, default_pin_factory
from kiosk.messages import DOCTOR
from kiosk.owner import printer_job
from kiosk.requests import last_printer_state, owner_running
from ult.doctor import Finding, Level
from ult.kinds import PrinterState
from ult.settings import Settings
from ult.store import StoreUnavailable, connect

AREA = "printer"


def usb_backend() -> Any:
    """pyusb's libusb 1.0 backend, or ``None`` when libusb is not installed."""
    import usb.backend.libusb1

    return usb.backend.libusb1.get_backend()


def usb_devices(backend: Any) -> list[tuple[int, int, str]]:
    """Each connected USB device as ``(vendor_id, product_id, device node)``."""
    import usb.core

    return [
        (d.idVendor, d.idProduct, f"/dev/bus/usb/{d.bus:03d}/{d.address:03d}")
        for d in usb.core.find(find_all=True, backend=backend)
    ]


def can_use(path: str) -> bool:
    """Whether this user may read and write the device node ``path``."""
    return os.access(path, os.R_OK | os.W_OK)


def printer_checks(settings: Settings) -> list[Finding]:
    """Whether the configured printer can be reached, and its last recorded state."""
    printer = settings.printer
    kind = printer.connection
    if kind == "none":
        return [Finding(AREA, Level.INFO, DOCTOR["printer_none"])]
    found = {
        "usb": _usb,
        "serial": _device,
        "file": _device,
        "network": _network,
        "preview": _preview,
    }[kind](settings)
    if kind != "preview":
        reachable = all(f.level is not Level.PROBLEM for f in found)
        found.extend(_owner(settings, ask=reachable))
    return found


def _usb(settings: Settings) -> list[Finding]:
    printer = settings.printer
    if printer.vendor_id is None or printer.product_id is None:
        return [Finding(AREA, Level.PROBLEM, DOCTOR["usb_no_id"], DOCTOR["usb_id_fix"])]
    wanted = f"{printer.vendor_id:04x}:{printer.product_id:04x}"
    backend = usb_backend()
    if backend is None:
        return [Finding(AREA, Level.PROBLEM, DOCTOR["no_libusb"], DOCTOR["no_libusb_fix"])]
    devices = usb_devices(backend)
    for vendor, product, node in devices:
        if (vendor, product) == (printer.vendor_id, printer.product_id):
            if not can_use(node):
                text = DOCTOR["usb_no_permission"].format(id=wanted, node=node)
                return [Finding(AREA, Level.PROBLEM, text, DOCTOR["usb_permission_fix"])]
            return [Finding(AREA, Level.OK, DOCTOR["usb_ok"].format(id=wanted, node=node))]
    seen = ", ".join(f"{v:04x}:{p:04x}" for v, p, _ in devices) or DOCTOR["usb_none_seen"]
    text = DOCTOR["usb_not_found"].format(id=wanted, seen=seen)
    return [Finding(AREA, Level.PROBLEM, text, DOCTOR["usb_id_fix"])]


def _device(settings: Settings) -> list[Finding]:
    printer = settings.printer
    path = printer.device if printer.connection == "serial" else str(printer.path)
    if printer.connection == "file" and (printer.path is None or not path.startswith("/dev/")):
        return [Finding(AREA, Level.INFO, DOCTOR["file_target"].format(path=path))]
    if not Path(path).exists():
        text = DOCTOR["device_missing"].format(path=path)
        return [Finding(AREA, Level.PROBLEM, text, DOCTOR["device_missing_fix"])]
    if not can_use(path):
        text = DOCTOR["device_no_permission"].format(path=path)
        return [Finding(AREA, Level.PROBLEM, text, DOCTOR["device_permission_fix"])]
    return [Finding(AREA, Level.OK, DOCTOR["device_ok"].format(path=path))]


def _network(settings: Settings) -> list[Finding]:
    printer = settings.printer
    where = f"{printer.host}:{printer.port}"
    try:
        with socket.create_connection(
            (printer.host or "", printer.port), timeout=printer.timeout_seconds
        ):
            pass
    except OSError as error:
        text = DOCTOR["network_unreachable"].format(where=where, error=error)
        fix = DOCTOR["network_fix"].format(host=printer.host)
        return [Finding(AREA, Level.PROBLEM, text, fix)]
    return [Finding(AREA, Level.OK, DOCTOR["network_ok"].format(where=where))]


def _preview(settings: Settings) -> list[Finding]:
    folder = settings.printer.path or settings.home / "tickets"
    return [Finding(AREA, Level.INFO, DOCTOR["preview"].format(path=folder))]


def _owner(settings: Settings, *, ask: bool) -> list[Finding]:
    """Whether ``ult kiosk`` runs, and the printer state it last recorded; when it does not
    run and the device was found (``ask``), the printer's own answer, asked once (bounded by
    ``[printer] timeout_seconds``, under the per-job lock)."""
    found = []
    if owner_running(settings):
        found.append(Finding(AREA, Level.OK, DOCTOR["owner_running"]))
    else:
        found.append(
            Finding(AREA, Level.WARNING, DOCTOR["owner_stopped"], DOCTOR["owner_stopped_fix"])
        )
        if ask:
            found.append(_asked(settings))
    try:
        db = connect(settings.store.database, create=False, migrate_schema=False)
    except StoreUnavailable:
        return found  # the core's database check says why
    try:
        view = last_printer_state(db)
    finally:
        db.close()
    level = Level.OK if view.can_issue and view.state is not None else Level.WARNING
    found.append(Finding(AREA, level, DOCTOR["printer_state"].format(state=view.text)))
    return found


def _asked(settings: Settings) -> Finding:
    """The printer's answer to a status question (DLE EOT), as ``ult print-test`` asks it."""
    from printer.messages import state_text
    from printer.output import TicketOutput

    with printer_job(settings):
        check = TicketOutput.from_settings(settings.printer).check()
    level = Level.OK if check.state == PrinterState.READY else Level.WARNING
    text = DOCTOR["printer_answer"].format(
        state=state_text(check.state), detail=check.detail or "-"
    )
    return Finding(AREA, level, text)


def gpio_checks(settings: Settings) -> list[Finding]:
    """The GPIO pin factory and the configured pins."""
    kiosk = settings.kiosk
    pins = [f"GPIO{b.pin} → {b.service}" for b in kiosk.buttons]
    pins += [f"LED GPIO{kiosk.led_pin}"] if kiosk.led_pin is not None else []
    pins += [f"buzzer GPIO{kiosk.buzzer_pin}"] if kiosk.buzzer_pin is not None else []
    if not pins:
        return [Finding("gpio", Level.INFO, DOCTOR["gpio_none"])]
    _prepare_lgpio_directory(settings.home)
    try:
        factory = default_pin_factory()
    except BadPinFactory as error:
        text = DOCTOR["gpio_no_factory"].format(error=error, pins=", ".join(pins))
        return [Finding("gpio", Level.PROBLEM, text, DOCTOR["gpio_fix"])]
    name = type(factory).__name__
    factory.close()
    return [Finding("gpio", Level.OK, DOCTOR["gpio_ok"].format(factory=name, pins=", ".join(pins)))]
