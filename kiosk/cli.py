"""The kiosk's ``ult`` commands: ``ult kiosk``, ``ult reprint``, ``ult print-test``,
``ult ticket preview`` and ``ult udev-rule``. Registered in the ``ult.commands`` entry-point
group (``pyproject.toml``).

``ult reprint`` and ``ult print-test`` print at once, whether or not ``ult kiosk`` runs: they
hold the printer's job lock (:func:`kiosk.owner.printer_job`) for their job, as the owner does
for each of its own, so their bytes never mix with a ticket on the paper.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kiosk.messages import CLI
from ult.cli import EXIT_REFUSED, App, actor_option, fail, handled, pass_app


def _dispenser(app: App):
    """The issue-and-print path of the settings' printer.

    Imported here, not at the top: python-escpos takes ~0.4 s to import, which every other
    command would pay, and the core package otherwise stays free of the printer package.
    """
    from kiosk.dispense import Dispenser
    from printer.output import PrinterSetupError, TicketOutput

    try:
        output = TicketOutput.from_settings(app.settings.printer)
    except PrinterSetupError as error:
        raise click.ClickException(CLI["printer_setup"].format(error=error)) from error
    return Dispenser(app.queue(), output, app.settings)


@click.command()
@click.argument("ticket")
@actor_option
@pass_app
@handled
def reprint(app: App, ticket: str, actor: str) -> None:
    """Print TICKET again (a label of today such as A-007, or an id)."""
    result = _dispenser(app).reprint(ticket, actor=actor)
    label = result.issued.ticket.label
    if result.sent:
        click.echo(CLI["reprint_sent"].format(label=label))
        return
    if not result.printed:
        fail(CLI["reprint_failed"].format(label=label), EXIT_REFUSED)
    click.echo(CLI["reprinted"].format(label=label))
    if result.preview is not None:
        click.echo(str(result.preview))


@click.command("print-test")
@pass_app
@handled
def print_test(app: App) -> None:
    """Print a test page with the printer's settings and status."""
    from kiosk.owner import PrinterBusy, printer_job
    from printer.layout import layout_test_page
    from printer.messages import state_text
    from printer.output import PrintFailed

    dispenser = _dispenser(app)
    try:
        with printer_job(app.settings):
            check = dispenser.output.check()
    except PrinterBusy as error:
        fail(CLI["print_test_failed"].format(error=error), EXIT_REFUSED)
    text = state_text(check.state)
    click.echo(CLI["printer_state"].format(state=text, detail=check.detail or "-"))
    layout = layout_test_page(
        dispenser.output.capabilities,
        office_name=app.settings.office.name,
        state_text=text,
        printed_at=dispenser.queue.clock(),
        timezone=app.settings.office.tz,
        url=app.settings.admin.public_base_url,
    )
    try:
        with printer_job(app.settings):
            delivery = dispenser.output.deliver(layout, "uji-printer")
    except (PrintFailed, PrinterBusy) as failure:
        fail(
            CLI["print_test_failed"].format(error=failure) + "\n" + _printer_hint(app), EXIT_REFUSED
        )
    click.echo(CLI["print_test_done" if delivery.printed else "print_test_sent"])
    if delivery.preview is not None:
        click.echo(str(delivery.preview))


def _printer_hint(app: App) -> str:
    """What ``ult doctor`` finds wrong with the printer (no libusb, a wrong id, no
    permission, ...) and its fix; else where to look."""
    from kiosk.doctor import printer_checks
    from ult.doctor import Level

    for finding in printer_checks(app.settings):
        if finding.level is Level.PROBLEM:
            return CLI["printer_hint"].format(text=finding.text, fix=finding.fix)
    return CLI["printer_hint_doctor"]


@click.command("udev-rule")
@pass_app
@handled
def udev_rule(app: App) -> None:
    """Print the udev rule that lets the lp group use the configured USB printer.

    Only the printer's own vendor and product id, never all USB devices (PITFALLS,
    printer). Install it with: ult udev-rule | sudo tee /etc/udev/rules.d/99-ult-printer.rules
    """
    printer = app.settings.printer
    if printer.connection != "usb" or printer.vendor_id is None or printer.product_id is None:
        raise click.ClickException(CLI["udev_not_usb"])
    click.echo(
        f'SUBSYSTEM=="usb", ATTRS{{idVendor}}=="{printer.vendor_id:04x}", '
        f'ATTRS{{idProduct}}=="{printer.product_id:04x}", MODE="0660", GROUP="lp"'
    )


@click.group()
def ticket() -> None:
    """One ticket: its paper preview."""


@ticket.command("preview")
@click.argument("ticket_ref", metavar="TICKET")
@click.option(
    "--png",
    "png",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the PNG.",
)
@pass_app
@handled
def ticket_preview(app: App, ticket_ref: str, png: Path) -> None:
    """Write TICKET as the printer would print it, as a PNG at the paper's dot width."""
    from printer.preview import write_preview_png

    dispenser = _dispenser(app)
    # Worded as the print and a reprint word it now (Queue.standing): the closing parts too.
    issued = dispenser.queue.standing(ticket_ref)
    target = issued.ticket
    written = write_preview_png(dispenser.layout(issued), png)
    click.echo(CLI["preview_written"].format(label=target.label, path=written))


@click.command("kiosk")
@click.option(
    "--simulate", is_flag=True, help="Mock GPIO pins: press the buttons with keys 1..n, q to quit."
)
@pass_app
@handled
def kiosk_command(app: App, simulate: bool) -> None:
    """Run the ticket-button daemon: a press issues and prints a ticket."""
    from kiosk.button import run

    sys.exit(run(app.settings, simulate=simulate))
