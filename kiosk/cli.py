"""The ``ult`` command line: set up the appliance, work the queue, manage accounts.

Exit codes: 0 success; 1 the queue refused (the reason is printed); 2 usage or
configuration error (bad arguments, invalid settings file, unusable database).
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click
import sqlite_utils
from babel.dates import format_datetime

from kiosk import accounts, queries
from kiosk.catalog import init_catalog
from kiosk.clock import from_stamp
from kiosk.errors import QueueError
from kiosk.messages import CLI, STATES
from kiosk.queue import Queue
from kiosk.settings import Settings, SettingsError, load_settings, render_default_settings
from kiosk.store import NotInitialised, SchemaTooNew, connect, schema_version

EXIT_REFUSED = 1
EXIT_USAGE = 2
FOLLOW_POLL_SECONDS = 0.5

F = TypeVar("F", bound=Callable[..., Any])


class App:
    """What a command needs: the settings and the database, each opened on first use.

    Only ``ult init`` creates the database; every other command finds it or says to run
    ``ult init``, so a mistyped ``ULT_HOME`` never yields an empty queue.
    """

    def __init__(self, config: Path | None) -> None:
        self.config = config
        self.create_database = False
        self._settings: Settings | None = None
        self._db: sqlite_utils.Database | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config)
        return self._settings

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            path = self.settings.store.database
            try:
                self._db = connect(path, create=self.create_database)
            except NotInitialised as error:
                raise click.ClickException(CLI["database_empty"].format(path=path)) from error
            except FileNotFoundError as error:
                raise click.ClickException(CLI["database_missing"].format(path=path)) from error
            except SchemaTooNew as error:
                raise click.ClickException(
                    CLI["schema_newer"].format(
                        path=path, found=error.found, supported=error.supported
                    )
                ) from error
            except sqlite3.DatabaseError as error:
                if isinstance(error, sqlite3.OperationalError):
                    raise click.ClickException(
                        CLI["database_error"].format(path=path, error=error, directory=path.parent)
                    ) from error
                raise click.ClickException(CLI["database_failed"].format(error=error)) from error
            except OSError as error:
                raise click.ClickException(
                    CLI["database_error"].format(path=path, error=error, directory=path.parent)
                ) from error
        return self._db

    def close(self) -> None:
        """Close the database, if it was opened (when the command ends)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def queue(self) -> Queue:
        return Queue(self.db, self.settings)

    def local(self, stamp: Any) -> str:
        """A stored UTC time in the office zone, in Indonesian (``29 Nov 2026 13.56.46``)."""
        return format_datetime(
            stamp, "d MMM y HH.mm.ss", tzinfo=self.settings.office.tz, locale="id"
        )


def _fail(message: str, code: int) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def handled(command: F) -> F:
    """Turn domain refusals and settings errors into a message and the documented code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except QueueError as error:
            _fail(error.message, EXIT_REFUSED)
        except SettingsError as error:
            _fail(CLI["settings_error"].format(error=error), EXIT_USAGE)
        except click.ClickException as error:
            _fail(error.format_message(), EXIT_USAGE)
        except click.Abort:
            _fail(CLI["aborted"], EXIT_REFUSED)
        except sqlite3.OperationalError as error:
            busy = "locked" in str(error) or "busy" in str(error)
            _fail(
                CLI["database_busy" if busy else "database_failed"].format(error=error), EXIT_USAGE
            )
        except sqlite3.Error as error:
            _fail(CLI["database_failed"].format(error=error), EXIT_USAGE)
        except BrokenPipeError:
            # The reader went away (`ult events | head`): nothing to tell anyone. Point stdout
            # at /dev/null so the interpreter's final flush does not raise again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except OSError as error:
            _fail(CLI["file_error"].format(error=error), EXIT_USAGE)

    return wrapper  # type: ignore[return-value]


def _default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


pass_app = click.make_pass_decorator(App)
actor_option = click.option(
    "--actor", default=_default_actor, show_default="cli:<login>", help="Who acts, for the record."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (default: $ULT_CONFIG, else $ULT_HOME/ult.toml; ULT_HOME defaults "
    "to ./var).",
)
@click.version_option(package_name="ult-kiosk")
@click.pass_context
def main(ctx: click.Context, config: Path | None) -> None:
    """ULT Kiosk: the queue appliance of the Unit Layanan Terpadu."""
    ctx.obj = App(config)
    ctx.call_on_close(ctx.obj.close)


@main.command()
@click.option(
    "--apply-catalog",
    "force_catalog",
    is_flag=True,
    help="Apply the file's services, topics, counters and main units even though a "
    "supervisor has edited them on the admin page (the file becomes the truth again).",
)
@pass_app
@handled
def init(app: App, force_catalog: bool) -> None:
    """Set up or update the appliance from its settings file.

    Writes a commented settings file when there is none, creates or upgrades the database,
    and applies the file's services, topics, counters and main units to it. Run it again
    after editing those: what the file no longer names is deactivated, never deleted.
    Once a supervisor edits the catalog on the admin page, the database is the truth and
    init leaves it alone (and says so) unless --apply-catalog is given.
    """
    target = app.config or _settings_path()
    if target.exists():
        click.echo(CLI["init_settings_kept"].format(path=target))
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_default_settings(), encoding="utf-8")
        click.echo(CLI["init_settings"].format(path=target))
    app.config = target
    app.create_database = True
    for change in init_catalog(app.db, app.settings, force=force_catalog, actor=_default_actor()):
        click.echo("  " + change)
    click.echo(
        CLI["init_database"].format(
            version=schema_version(app.db), path=app.settings.store.database
        )
    )
    if not accounts.list_users(app.db):
        click.echo(CLI["init_no_users"])


def _settings_path() -> Path:
    """Where ``ult init`` writes the settings file: ``$ULT_CONFIG``, else in ``$ULT_HOME``."""
    if os.environ.get("ULT_CONFIG"):
        return Path(os.environ["ULT_CONFIG"]).expanduser().resolve()
    return Path(os.environ.get("ULT_HOME") or "var").expanduser().resolve() / "ult.toml"


@main.command()
@click.argument("service")
@click.option("--priority", is_flag=True, help="Priority visitor (elderly, disabled, ...).")
@click.option("--topic", help="Topic of the service, e.g. Dapodik.")
@click.option("--key", "idempotency_key", help="Idempotency key: a retry issues no second ticket.")
@actor_option
@pass_app
@handled
def issue(
    app: App,
    service: str,
    priority: bool,
    topic: str | None,
    idempotency_key: str | None,
    actor: str,
) -> None:
    """Issue the next ticket of a SERVICE letter such as A."""
    queue = app.queue()
    issued = queue.issue(
        service,
        actor=actor,
        priority=priority,
        topic=topic,
        source="cli",
        idempotency_key=idempotency_key,
    )
    if issued.replayed:
        click.echo(CLI["issued_again"].format(label=issued.ticket.label))
        return
    click.echo(
        CLI["issued"].format(
            label=issued.ticket.label,
            service=queries.service_names(app.db).get(issued.ticket.service, ""),
            ahead=issued.waiting_ahead,
            minutes=issued.estimated_wait_minutes,
        )
    )


@main.command()
@click.argument("counter")
@actor_option
@pass_app
@handled
def call(app: App, counter: str, actor: str) -> None:
    """Call the next ticket for a COUNTER, by name ("Loket 1") or id."""
    queue = app.queue()
    desk = queue.counter(counter)
    ticket = queue.call_next(desk.id, actor=actor)
    if ticket is None:
        click.echo(CLI["nothing_waiting"].format(counter=desk.name))
    else:
        click.echo(CLI["called"].format(counter=desk.name, label=ticket.label))


@main.command()
@pass_app
@handled
def status(app: App) -> None:
    """Show today's tickets per service and what each counter is doing."""
    queue = app.queue()
    queue.roll_over()
    day = queue.today()
    click.echo(
        CLI["status_title"].format(
            office=app.settings.office.name,
            date=format_datetime(
                queue.clock(),
                "EEEE, d MMMM y  HH.mm zzz",
                tzinfo=app.settings.office.tz,
                locale="id",
            ),
        )
    )
    warning = queries.clock_warning(app.db, queue.business_day())
    if warning:
        click.echo(
            CLI["status_clock_behind"].format(newest=app.local(from_stamp(warning["newest_event"])))
        )
    click.echo(f"\n{CLI['status_services']}")
    for line in queries.day_summary(app.db, day):
        click.echo("  " + CLI["status_service_row"].format(**line))
    click.echo("  " + CLI["status_legend"])
    click.echo(f"\n{CLI['status_counters']}")
    for desk in queries.board_state(app.db)["counters"]:
        if desk["label"]:
            state = CLI["status_counter_holding"].format(
                label=desk["label"], state=_state_text(desk["state"])
            )
        elif desk["paused"]:
            state = CLI["status_counter_paused"]
        else:
            state = CLI["status_counter_idle"]
        click.echo("  " + CLI["status_counter_row"].format(name=desk["name"], state=state))
    click.echo("\n" + CLI["status_back_office"].format(count=queries.open_escalations(app.db)))


@main.command("correct-day")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@actor_option
@pass_app
@handled
def correct_day(app: App, yes: bool, actor: str) -> None:
    """Accept the clock's day after the system clock had been set wrongly ahead.

    Use only when the clock is right now: numbering moves back to the clock's day,
    without repeating a number of that day. The change is recorded in the event log.
    """
    queue = app.queue()
    ahead = queue.day_ahead()
    if ahead is None:
        click.echo(CLI["day_not_ahead"])
        return
    stored, clock_day, labels = ahead
    click.echo(CLI["day_ahead"].format(old=stored, new=clock_day))
    if labels:
        click.echo(CLI["day_ahead_tickets"].format(labels=", ".join(labels)))
    if not yes and not click.confirm(CLI["day_confirm"], default=False):
        _fail(CLI["day_unchanged"], EXIT_REFUSED)
    corrected = queue.correct_day(actor=actor)
    if corrected is None:
        click.echo(CLI["day_not_ahead"])
    else:
        click.echo(CLI["day_corrected"].format(old=corrected[0], new=corrected[1]))


def _state_text(state: str) -> str:
    return STATES.get(state, state)


@main.command()
@click.option(
    "--since",
    type=click.IntRange(min=0, max=2**63 - 1),
    default=0,
    help="Show events after this id.",
)
@click.option("--follow", "-f", is_flag=True, help="Keep printing new events as they happen.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_app
@handled
def events(app: App, since: int, follow: bool, as_json: bool) -> None:
    """Print the event log: every step, with who did it and when."""
    for event in _event_stream(app, since, follow):
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "id": event.id,
                        "at": event.at.isoformat(),
                        "kind": event.kind,
                        "ticket_id": event.ticket_id,
                        "counter_id": event.counter_id,
                        "sop_step": event.sop_step,
                        "actor": event.actor,
                        "payload": event.payload,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            step = f" [SOP {event.sop_step}]" if event.sop_step else ""
            label = event.payload.get("label", "")
            counter = event.payload.get("counter", "")
            shown = [
                f"{key}={event.payload[key]}" for key in _EVENT_DETAILS if key in event.payload
            ]
            detail = f"  ({', '.join(shown)})" if shown else ""
            click.echo(
                f"#{event.id:<6} {app.local(event.at)}  {event.kind:<15} {label:<7} "
                f"{counter:<12}{step}  {event.actor}{detail}".rstrip()
            )


# Payload fields worth a technician's eye in the text view (all of them are in --json).
_EVENT_DETAILS = ("state", "reason", "day", "from", "to", "expired", "unit", "mode", "outcome")


def _event_stream(app: App, since: int, follow: bool) -> Iterator[queries.Event]:
    last = since
    try:
        while True:
            batch = queries.events_after(app.db, last)
            yield from batch
            if batch:
                last = batch[-1].id
                continue
            if not follow:
                return
            time.sleep(FOLLOW_POLL_SECONDS)
    except KeyboardInterrupt:
        return


def _dispenser(app: App):
    """The issue-and-print path of the settings' printer.

    Imported here, not at the top: python-escpos takes ~0.4 s to import, which every other
    command would pay, and the core package otherwise stays free of the printer package.
    """
    from printer.dispense import Dispenser
    from printer.output import PrinterSetupError, TicketOutput

    try:
        output = TicketOutput.from_settings(app.settings.printer)
    except PrinterSetupError as error:
        raise click.ClickException(CLI["printer_setup"].format(error=error)) from error
    return Dispenser(app.queue(), output, app.settings)


@main.command()
@click.argument("ticket")
@actor_option
@pass_app
@handled
def reprint(app: App, ticket: str, actor: str) -> None:
    """Print TICKET again (a label of today such as A-007, or an id)."""
    result = _dispenser(app).reprint(ticket, actor=actor)
    label = result.issued.ticket.label
    if not result.printed:
        _fail(CLI["reprint_failed"].format(label=label), EXIT_REFUSED)
    click.echo(CLI["reprinted"].format(label=label))
    if result.preview is not None:
        click.echo(str(result.preview))


@main.command("print-test")
@pass_app
@handled
def print_test(app: App) -> None:
    """Print a test page with the printer's settings and status."""
    from printer.layout import layout_test_page
    from printer.output import PrintFailed, state_text

    dispenser = _dispenser(app)
    check = dispenser.output.check()
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
        preview = dispenser.output.deliver(layout, "uji-printer")
    except PrintFailed as failure:
        _fail(CLI["print_test_failed"].format(error=failure), EXIT_REFUSED)
    click.echo(CLI["print_test_done"])
    if preview is not None:
        click.echo(str(preview))


@main.command("kiosk")
@click.option(
    "--simulate", is_flag=True, help="Mock GPIO pins: press the buttons with keys 1..n, q to quit."
)
@pass_app
@handled
def kiosk_command(app: App, simulate: bool) -> None:
    """Run the ticket-button daemon: a press issues and prints a ticket."""
    from kiosk.button import run

    sys.exit(run(app.settings, simulate=simulate))


@main.command("admin")
@click.option("--host", help="Listen on this address instead of [admin] host (0.0.0.0: all).")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Listen on this TCP port instead of [admin] port (0: any free port, logged).",
)
@pass_app
@handled
def admin_command(app: App, host: str | None, port: int | None) -> None:
    """Serve the staff pages, the JSON API and the board stream (waitress) until
    SIGTERM or Ctrl+C. Logs one line with the URL once it listens."""
    # Opening the database as every command does: a missing one is refused with the usual
    # "run ult init" message (exit 2), and an older schema is upgraded before serving.
    app.db  # noqa: B018
    app.close()
    from admin.server import ServeError, serve

    try:
        serve(app.settings, host=host, port=port)
    except ServeError as error:
        _fail(str(error), EXIT_USAGE)


@main.command("udev-rule")
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


def _size(text: str) -> tuple[int, int]:
    """``"1920x1080"`` as ``(1920, 1080)``; 320..7680 pixels each side."""
    width, _, height = text.lower().partition("x")
    if not (width.isdecimal() and height.isdecimal()):
        raise click.BadParameter(CLI["size_invalid"].format(size=text[:20]))
    size = (int(width), int(height))
    if not all(320 <= side <= 7680 for side in size):
        raise click.BadParameter(CLI["size_invalid"].format(size=text[:20]))
    return size


@main.command("display")
@click.option(
    "--windowed",
    metavar="WxH",
    help="Run in a window of this size (pixels) on a desktop instead of full screen.",
)
@click.option(
    "--hub",
    metavar="URL",
    help="Follow the admin app at URL (http://host:port) instead of the local database.",
)
@click.option(
    "--screenshot",
    "screenshot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Render the board into this PNG and exit (with --follow: keep it up to date).",
)
@click.option(
    "--follow",
    is_flag=True,
    help="With --screenshot: run the live board without a screen, rewriting the PNG.",
)
@click.option(
    "--size",
    help="Screenshot size in pixels, WIDTHxHEIGHT (default 1920x1080).",
)
@click.option("--silent", is_flag=True, help="Do not speak the calls.")
@pass_app
@handled
def display_command(
    app: App,
    windowed: str | None,
    hub: str | None,
    screenshot_path: Path | None,
    follow: bool,
    size: str | None,
    silent: bool,
) -> None:
    """The caller board: full screen (KMS/DRM on a Pi), a window, or a screenshot."""
    if follow and screenshot_path is None:
        raise click.UsageError(CLI["display_follow_needs_file"])
    if windowed is not None and (screenshot_path is not None or size is not None):
        raise click.UsageError(CLI["display_options_clash"])
    if size is not None and screenshot_path is None:
        raise click.UsageError(CLI["display_size_needs_file"])
    if hub is not None and screenshot_path is not None and not follow:
        raise click.UsageError(CLI["display_hub_needs_follow"])
    window = _size(windowed) if windowed is not None else None
    shot_size = _size(size or "1920x1080")
    if hub is not None:
        parts = urlsplit(hub)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.BadParameter(CLI["display_hub_invalid"].format(hub=hub[:80]))
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    if screenshot_path is not None and not follow:
        os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
        from display.snapshot import screenshot

        try:
            written = screenshot(app.settings, app.db, screenshot_path, shot_size)
        except OSError as error:
            _fail(CLI["screenshot_failed"].format(path=screenshot_path, error=error), EXIT_USAGE)
        click.echo(CLI["screenshot_written"].format(path=written))
        return
    from display.service import DisplayError, run_display
    from kiosk.button import logging_at

    names = [] if hub is not None else [c.name for c in app.queue().counters()]
    if follow:
        click.echo(CLI["display_following"].format(path=screenshot_path))
    with logging_at(logging.INFO, ("display", "kiosk")):
        try:
            run_display(
                app.settings,
                counter_names=names,
                hub=hub,
                windowed=window,
                follow_png=screenshot_path if follow else None,
                size=shot_size,
                silent=silent,
            )
        except DisplayError as error:
            _fail(CLI["display_failed"].format(error=error), EXIT_USAGE)


@main.group()
def voice() -> None:
    """The spoken announcements: build the voice pack, show or write an announcement.

    The default pack lives in $ULT_HOME/voice/default; an office's own recordings go in
    $ULT_HOME/voice/custom (one WAV per word, same names), and missing words fall back.
    """


def _voice_packs(app: App) -> tuple[Path, Path]:
    """``(pack, default_pack)``: the office's own recordings when present, else the default."""
    from display.service import voice_packs

    return voice_packs(app.settings.home)


@voice.command("build")
@pass_app
@handled
def voice_build(app: App) -> None:
    """Create the default voice pack with espeak-ng's Indonesian voice (one WAV per word)."""
    from display.voice import VoiceError, build_default_pack, default_vocabulary

    names = [counter.name for counter in app.queue().counters()]
    _, default = _voice_packs(app)
    try:
        written = build_default_pack(default, words=default_vocabulary(names))
    except (VoiceError, ValueError) as error:
        _fail(CLI["voice_failed"].format(error=error), EXIT_USAGE)
    click.echo(CLI["voice_built"].format(count=len(written), path=default))


@voice.command("text")
@click.argument("label")
@click.argument("counter")
def voice_text(label: str, counter: str) -> None:
    """Print the words announced for LABEL at COUNTER (e.g. A-123 "Loket 2")."""
    from display.voice import announcement_text

    try:
        click.echo(announcement_text(label, counter))
    except ValueError as error:
        _fail(CLI["voice_refused"].format(error=error), EXIT_USAGE)


@voice.command("say")
@click.argument("label")
@click.argument("counter")
@click.option(
    "--wav",
    "wav",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the announcement.",
)
@pass_app
@handled
def voice_say(app: App, label: str, counter: str, wav: Path) -> None:
    """Write the whole announcement (chime, then the words) as one WAV, as the board plays it."""
    from display.service import chime_file
    from display.voice import VoiceError, announcement_words, write_announcement

    pack, default = _voice_packs(app)
    chime = chime_file(pack, default)
    try:
        words = announcement_words(label, counter)
        write_announcement(wav, words, pack=pack, default_pack=default, chime=chime)
    except (VoiceError, ValueError) as error:
        _fail(CLI["voice_refused"].format(error=error), EXIT_REFUSED)
    click.echo(CLI["voice_written"].format(path=wav))


@main.group()
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
    from kiosk.queue import Issued
    from printer.preview import write_preview_png

    dispenser = _dispenser(app)
    target = dispenser.queue.ticket(ticket_ref)
    ahead, minutes = dispenser.queue.position(target.id)
    written = write_preview_png(dispenser.layout(Issued(target, ahead, minutes)), png)
    click.echo(CLI["preview_written"].format(label=target.label, path=written))


@main.group()
def user() -> None:
    """Staff accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(accounts.ROLES))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_app
@handled
def user_add(app: App, username: str, role: str, password_stdin: bool) -> None:
    """Create the account USERNAME with a role (password from a prompt or stdin)."""
    accounts.check_username(username)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.UsageError(CLI["password_stdin_empty"])
    elif not sys.stdin.isatty():
        raise click.UsageError(CLI["password_no_terminal"])
    else:
        password = click.prompt(CLI["password_prompt"], hide_input=True, confirmation_prompt=True)
    created = accounts.add_user(app.db, username, password, role)
    click.echo(CLI["user_added"].format(username=created.username, role=created.role))


@user.command("list")
@pass_app
@handled
def user_list(app: App) -> None:
    """List the accounts."""
    found = accounts.list_users(app.db)
    if not found:
        click.echo(CLI["no_users"])
    for account in found:
        flag = "" if account.active else "  (nonaktif)"
        click.echo(f"{account.username:<20} {account.role:<14}{flag}")


@user.command("disable")
@click.argument("username")
@pass_app
@handled
def user_disable(app: App, username: str) -> None:
    """Disable the account USERNAME; its past actions stay on record."""
    accounts.disable_user(app.db, username)
    click.echo(CLI["user_disabled"].format(username=username))


@main.group()
def token() -> None:
    """API tokens for devices and scripts."""


@token.command("create")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(accounts.ROLES))
@pass_app
@handled
def token_create(app: App, name: str, role: str) -> None:
    """Create a token NAME with a role; it is shown once, only its hash is kept."""
    secret = accounts.create_token(app.db, name, role)
    click.echo(CLI["token_created"].format(name=name, role=role))
    click.echo(secret)
