"""The ``ult`` command line: set up the appliance, work the queue, manage accounts.

Exit codes: 0 success; 1 the queue refused (the reason is printed); 2 usage or
configuration error (bad arguments, invalid settings file, unusable database).
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import pwd
import sqlite3
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import wraps
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
import sqlite_utils
from babel.dates import format_datetime

from ult import accounts, chain, dates, exports, hours, privacy, queries, record, reports, sop
from ult.backup import (
    BACKUP_DIR_NAME,
    BackupInvalid,
    destination_problem,
    newest_usable,
    prune,
    verify_backup,
    write_backup,
)
from ult.catalog import init_catalog
from ult.clock import from_stamp
from ult.day import stored_day
from ult.doctor import Level, diagnose, report, write_bundle
from ult.errors import QueueError
from ult.health import PROBE_BYTES, free_bytes
from ult.messages import (
    CHAIN_TEXT,
    CLI,
    DOCTOR,
    IKM_TEXT,
    PRIVACY_TEXT,
    REPORT_TEXT,
    STATES,
    priority_choices,
)
from ult.migrations import CHAIN_VERSION
from ult.queue import Queue
from ult.report_request import (
    ALL,
    FORMATS,
    ReportRequestError,
    check_xlsx,
    ikm_body,
    ikm_tables,
    parse_period,
    parse_sections,
    parse_service,
)
from ult.restore import RestoreRefused, restore
from ult.settings import (
    Settings,
    SettingsError,
    load_settings,
    render_default_settings,
    settings_paths,
)
from ult.store import (
    NotInitialised,
    SchemaTooNew,
    StoreMissing,
    StoreOpenFailed,
    connect,
    schema_version,
)
from ult.survey import BUILT_IN, load_instruments

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
        self.migrate_database = True
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
                self._db = connect(
                    path, create=self.create_database, migrate_schema=self.migrate_database
                )
            except NotInitialised as error:
                raise click.ClickException(CLI["database_empty"].format(path=path)) from error
            except StoreMissing as error:
                raise click.ClickException(CLI["database_missing"].format(path=path)) from error
            except SchemaTooNew as error:
                message = CLI["schema_newer"].format(
                    path=path, found=error.found, supported=error.supported
                )
                found = newest_usable((self.backups, path.parent / BACKUP_DIR_NAME))
                if found is not None:
                    message += " " + CLI["schema_newer_backup"].format(backup=found)
                raise click.ClickException(message) from error
            except StoreOpenFailed as failed:
                error = failed.error
                if disk_full(error, path.parent):
                    raise click.ClickException(CLI["disk_full"].format(error=error)) from error
                if isinstance(error, sqlite3.Error) and not isinstance(
                    error, sqlite3.OperationalError
                ):
                    raise click.ClickException(
                        CLI["database_failed"].format(error=error)
                    ) from error
                raise click.ClickException(
                    CLI["database_error"].format(path=path, error=error, directory=path.parent)
                ) from error
        return self._db

    @property
    def backups(self) -> Path:
        """Where ``ult backup`` writes by default: ``$ULT_HOME/backups``."""
        return self.settings.home / BACKUP_DIR_NAME

    def close(self) -> None:
        """Close the database, if it was opened (when the command ends)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def queue(self) -> Queue:
        return Queue(self.db, self.settings)

    def local(self, stamp: Any) -> str:
        """A stored UTC time in the office zone, in Indonesian (``29 Nov 2026 13.56.46``)."""
        return dates.datetime_text(stamp, self.settings.office.tz, seconds=True)


def disk_full(error: BaseException, directory: Path | None = None) -> bool:
    """Whether ``error`` comes from a full disk: SQLite's ``SQLITE_FULL``, ``ENOSPC`` or
    ``EDQUOT``, or an SQLite I/O error while ``directory`` (the database's) has no room
    left (SQLite reports a ``-shm`` file it cannot grow as "disk I/O error"). It gets its
    own message, never "cannot be opened" nor "restore from a backup"."""
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code == sqlite3.SQLITE_FULL:
            return True
        io_error = code is not None and code & 0xFF == sqlite3.SQLITE_IOERR
        if not io_error or directory is None:
            return False
        free = free_bytes(directory)
        return free is not None and free < PROBE_BYTES
    return isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)


def fail(message: str, code: int) -> NoReturn:
    """Print ``message`` to stderr and exit with ``code`` (:data:`EXIT_REFUSED` or
    :data:`EXIT_USAGE`)."""
    click.echo(message, err=True)
    sys.exit(code)


FILE_REASONS = {
    errno.ENOENT: "file_reason_missing",
    errno.EACCES: "file_reason_denied",
    errno.EPERM: "file_reason_denied",
    errno.EISDIR: "file_reason_is_folder",
    errno.ENOTDIR: "file_reason_not_folder",
    errno.EROFS: "file_reason_read_only",
}
"""The file errors a technician meets (a mistyped folder, a file of another user, a
read-only flashdisk), each said in Indonesian instead of the C library's English."""


def file_problem(error: OSError) -> str:
    """An :class:`OSError` on a named file as ULT's Indonesian text: the path and the reason
    (for an errno ULT does not name, its symbol such as ``EIO``, never ``strerror``)."""
    key = FILE_REASONS.get(error.errno or 0, "file_reason_other")
    code = errno.errorcode.get(error.errno or 0, str(error.errno))
    reason = CLI[key].format(user=_user(), code=code)
    if error.filename is None:
        return CLI["file_error"].format(error=reason)
    return CLI["file_error_reason"].format(path=error.filename, reason=reason)


def handled(command: F) -> F:
    """Turn domain refusals and settings errors into a message and the documented code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        def full(error: BaseException) -> bool:
            app = next((arg for arg in args if isinstance(arg, App)), None)
            loaded = app._settings if app is not None else None
            return disk_full(error, loaded.store.database.parent if loaded else None)

        try:
            return command(*args, **kwargs)
        except QueueError as error:
            fail(error.message, EXIT_REFUSED)
        except SettingsError as error:
            fail(CLI["settings_error"].format(error=error), EXIT_USAGE)
        except click.ClickException as error:
            # A command's own refusal: its message is already ULT's Indonesian text
            # (format_message would add click's English "Invalid value:").
            fail(error.message, EXIT_USAGE)
        except click.Abort:
            fail(CLI["aborted"], EXIT_REFUSED)
        except sqlite3.OperationalError as error:
            if full(error):
                fail(CLI["disk_full"].format(error=error), EXIT_USAGE)
            busy = "locked" in str(error) or "busy" in str(error)
            fail(
                CLI["database_busy" if busy else "database_failed"].format(error=error), EXIT_USAGE
            )
        except sqlite3.Error as error:
            fail(CLI["database_failed"].format(error=error), EXIT_USAGE)
        except BrokenPipeError:
            # The reader went away (`ult events | head`): nothing to tell anyone. Point stdout
            # at /dev/null so the interpreter's final flush does not raise again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except OSError as error:
            if full(error):
                fail(CLI["disk_full"].format(error=error), EXIT_USAGE)
            fail(file_problem(error), EXIT_USAGE)

    return wrapper  # type: ignore[return-value]


def _user() -> str:
    """The name of the user this process runs as (``ult`` under the installed wrapper)."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return str(os.geteuid())


def _readable(path: Path) -> None:
    """Refuse a file the technician named that this user cannot read, saying why: the
    installed wrapper runs ``ult`` as the user ``ult``, not as the technician."""
    try:
        with open(path, "rb"):
            pass
    except PermissionError as error:
        raise click.ClickException(
            CLI["path_denied"].format(path=path, user=_user(), error=error)
        ) from error
    except OSError:
        pass  # missing, a folder, ...: the check that follows names it


def default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


pass_app = click.make_pass_decorator(App)
actor_option = click.option(
    "--actor", default=default_actor, show_default="cli:<login>", help="Who acts, for the record."
)


COMMANDS_GROUP = "ult.commands"
"""Entry-point group through which the other packages add their commands to ``ult``
(``pyproject.toml``), the way Flask finds ``flask.commands``: the core names none of them."""


_CLICK_DIR = Path(click.__file__).parent


def _raiser(error: BaseException) -> tuple[str, dict[str, Any]]:
    """The function of click's own that raised ``error`` (``fail`` helpers skipped) and its
    local variables, or ``("", {})`` when ULT's code raised it. Click keeps some facts of
    a usage error only there, not on the exception: the value a type converter refused
    (``convert``), the extra arguments (``parse_args``)."""
    frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)]
    for frame in reversed(frames):
        code = frame.f_code
        if code.co_name != "fail":
            if Path(code.co_filename).parent != _CLICK_DIR:
                return "", {}
            return code.co_name, frame.f_locals
    return "", {}


def _context(error: click.UsageError) -> click.Context | None:
    """The context of the command being parsed when ``error`` arose: click's parser
    raises some errors (an option missing its value) without one."""
    if error.ctx is not None:
        return error.ctx
    found = None
    for frame, _ in traceback.walk_tb(error.__traceback__):
        ctx = frame.f_locals.get("ctx")
        if frame.f_code.co_name == "parse_args" and isinstance(ctx, click.Context):
            found = ctx
    return found


def _option(ctx: click.Context | None, name: str) -> click.Parameter | None:
    """The parameter of the command of ``ctx`` that ``name`` (``--output``) spells."""
    params = ctx.command.params if ctx is not None else []
    return next((param for param in params if name in param.opts), None)


def _param_name(param: click.Parameter | None, hint: Any = None) -> str:
    """How the technician typed ``param``: its long option (``--output``) or, for an
    argument, its metavar (``NUMBER``)."""
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    if param is not None:
        return param.human_readable_name
    if isinstance(hint, str):
        return hint
    return "/".join(hint or ())


def _date_format(format_: str) -> str:
    """``%Y-%m-%d`` as ``YYYY-MM-DD``: the form a technician types."""
    for code, shown in (("%Y", "YYYY"), ("%m", "MM"), ("%d", "DD"), ("%H", "hh")):
        format_ = format_.replace(code, shown)
    return format_.replace("%M", "mm").replace("%S", "ss")


def _path_reason(kind: click.Path, value: Any) -> str:
    """Why click's Path check refused ``value``, from the same checks click makes."""
    path = os.fsdecode(value)
    name = (
        "usage_folder"
        if not kind.file_okay
        else "usage_file"
        if not kind.dir_okay
        else "usage_file_or_folder"
    )
    if not os.path.exists(path):
        return CLI["usage_path_missing"].format(kind=CLI[name])
    if os.path.isfile(path) and not kind.file_okay:
        return CLI["usage_path_is_file"]
    if os.path.isdir(path) and not kind.dir_okay:
        return CLI["usage_path_is_folder"]
    return CLI["usage_path_denied"].format(user=_user())


def _expected(kind: click.ParamType, value: Any) -> str | None:
    """What a value of ``kind`` looks like (``tanggal YYYY-MM-DD``), or ``None`` if ULT
    has no words for that type."""
    if isinstance(kind, click.DateTime):
        formats = [_date_format(format_) for format_ in kind.formats]
        key = "usage_datetime" if any(":" in format_ for format_ in formats) else "usage_date"
        return CLI[key].format(formats=CLI["usage_or"].join(formats))
    if isinstance(kind, click.Choice):
        return CLI["usage_choices"].format(choices=", ".join(map(str, kind.choices)))
    if isinstance(kind, click.Path):
        return _path_reason(kind, value)
    if isinstance(kind, click.types.BoolParamType):
        return CLI["usage_boolean"]
    integer = isinstance(kind, click.types.IntParamType)
    if not (integer or isinstance(kind, click.types.FloatParamType)):
        return None
    number = CLI["usage_integer" if integer else "usage_number"]
    if not isinstance(kind, (click.IntRange, click.FloatRange)):
        return number
    # SQLite's largest INTEGER bounds some options only to stay storable: no limit to a person.
    low, high = kind.min, None if kind.max == 2**63 - 1 else kind.max
    if low is not None and high is not None and not (kind.min_open or kind.max_open):
        return CLI["usage_range"].format(kind=number, low=low, high=high)
    bounds = [
        f"{sign} {bound}"
        for sign, bound in (
            (">" if kind.min_open else "≥", low),
            ("<" if kind.max_open else "≤", high),
        )
        if bound is not None
    ]
    return f"{number} {CLI['usage_and'].join(bounds)}"


def _did_you_mean(message: str, possibilities: list[str] | None) -> str:
    if not possibilities:
        return message
    return f"{message} {CLI['usage_did_you_mean'].format(names=', '.join(possibilities))}"


def _usage_text(error: click.UsageError) -> str:
    """The Indonesian text of one of click's usage errors, built from the exception's own
    fields (the parameter, the choices, the option typed); a usage error ULT raised itself
    is already Indonesian and keeps its message."""
    ctx = _context(error)
    raiser, facts = _raiser(error)
    if isinstance(error, click.MissingParameter):
        argument = isinstance(error.param, click.Argument) or error.param_type == "argument"
        key = "usage_missing_argument" if argument else "usage_missing_option"
        text = CLI[key].format(name=_param_name(error.param, error.param_hint))
        if error.param is not None and isinstance(error.param.type, click.Choice):
            choices = _expected(error.param.type, None) or ""
            text += f" {choices[:1].upper()}{choices[1:]}."
        return text
    if isinstance(error, click.BadParameter):
        name = _param_name(error.param, error.param_hint)
        kind = facts.get("self")
        if raiser != "convert" or not isinstance(kind, click.ParamType):
            return CLI["usage_bad_param"].format(name=name, message=error.message)
        value = facts.get("value")
        expected = _expected(kind, value)
        if expected is None:
            return CLI["usage_bad_value_plain"].format(name=name, value=repr(value))
        return CLI["usage_bad_value"].format(name=name, value=repr(value), expected=expected)
    if isinstance(error, click.NoSuchOption):
        text = CLI["usage_no_such_option"].format(option=error.option_name)
        return _did_you_mean(text, error.possibilities)
    if isinstance(error, click.NoSuchCommand):
        text = CLI["usage_no_such_command"].format(name=error.command_name)
        return _did_you_mean(text, error.possibilities)
    if isinstance(error, click.BadOptionUsage):
        option = _option(ctx, error.option_name)
        if isinstance(option, click.Option) and option.is_flag:
            return CLI["usage_option_takes_no_value"].format(option=error.option_name)
        if option is not None and option.nargs > 1:
            return CLI["usage_option_needs_values"].format(
                option=error.option_name, count=option.nargs
            )
        return CLI["usage_option_needs_value"].format(option=error.option_name)
    if isinstance(error, click.BadArgumentUsage) and raiser == "process":
        dest = getattr(facts.get("self"), "dest", None)
        params = ctx.command.params if ctx is not None else []
        argument = next((param for param in params if param.name == dest), None)
        return CLI["usage_argument_count"].format(
            name=_param_name(argument, dest), count=getattr(argument, "nargs", "")
        )
    if raiser == "parse_args" and facts.get("args"):
        return CLI["usage_extra_arguments"].format(args=" ".join(map(str, facts["args"])))
    if raiser == "invoke" and ctx is not None and isinstance(ctx.command, click.Group):
        commands = ", ".join(ctx.command.list_commands(ctx))
        return CLI["usage_missing_command"].format(commands=commands)
    return error.message


class UsageProblem(click.UsageError):
    """A usage error said in Indonesian: the usage line, where to find help, the problem.
    Exit code 2 as every usage error (module docstring)."""

    def show(self, file: Any = None) -> None:
        ctx = self.ctx
        color = ctx.color if ctx is not None else None
        if ctx is not None:
            hint = ""
            names = ctx.command.get_help_option_names(ctx)
            if ctx.command.get_help_option(ctx) is not None and names:
                command = f"{ctx.command_path} {max(names, key=len)}"
                hint = CLI["usage_hint"].format(command=command) + "\n"
            click.echo(f"{ctx.get_usage()}\n{hint}", file=file, err=True, color=color)
        click.echo(self.format_message(), file=file, err=True, color=color)


def indonesian(error: click.UsageError) -> click.UsageError:
    """``error`` as a :class:`UsageProblem` in Indonesian (texts in ``CLI["usage_*"]``).
    Click's "no arguments: show the help" passes unchanged: help stays English."""
    if isinstance(error, (UsageProblem, click.exceptions.NoArgsIsHelpError)):
        return error
    return UsageProblem(_usage_text(error), _context(error))


class CommandGroup(click.Group):
    """``ult``: the core's own commands plus those registered under :data:`COMMANDS_GROUP`.

    A plugin's module is imported only when its command runs or help lists it, so a
    command of the core never pays for pygame or python-escpos. Every usage error of the
    group, its subgroups and its plugins' commands passes through :meth:`make_context`
    (``ult`` itself) or :meth:`invoke` (everything below it) and comes out in Indonesian.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise indonesian(error) from error

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise indonesian(error) from error

    def _plugins(self) -> dict[str, Any]:
        return {point.name: point for point in entry_points(group=COMMANDS_GROUP)}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._plugins()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        point = self._plugins().get(cmd_name)
        if point is None:
            return None
        loaded = point.load()
        if not isinstance(loaded, click.Command):
            raise TypeError(f"entry point {point.value} is not a click command")
        return loaded


@click.group(cls=CommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file (default: $ULT_CONFIG, else /etc/ult/ult.toml on an installed "
    "appliance, else $ULT_HOME/ult.toml; ULT_HOME defaults to /var/lib/ult on the appliance, "
    "else ./var).",
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
    target = settings_paths(app.config)[0]
    if target.exists():
        click.echo(CLI["init_settings_kept"].format(path=target))
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_default_settings(), encoding="utf-8")
        click.echo(CLI["init_settings"].format(path=target))
    app.config = target
    # A bad survey instruments file is refused before the database is touched, as a bad
    # settings file is (ult.survey.parse_instruments raises SettingsError).
    load_instruments(app.settings)
    app.create_database = True
    for change in init_catalog(app.db, app.settings, force=force_catalog, actor=default_actor()):
        click.echo("  " + change)
    click.echo(
        CLI["init_database"].format(
            version=schema_version(app.db), path=app.settings.store.database
        )
    )
    if not accounts.list_users(app.db):
        click.echo(CLI["init_no_users"])


@main.command()
@click.argument("service")
@click.option("--priority", is_flag=True, help="Priority visitor; needs --priority-category.")
@click.option(
    "--priority-category",
    type=click.Choice(sop.PRIORITY_CATEGORIES),
    help="Why the visitor is priority (UU 25/2009 Pasal 29); required with --priority.",
)
@click.option("--topic", help="Topic of the service, e.g. Dapodik.")
@click.option("--key", "idempotency_key", help="Idempotency key: a retry issues no second ticket.")
@click.option(
    "--override",
    is_flag=True,
    help="Issue outside the service hours or past the daily quota; recorded with the actor.",
)
@actor_option
@pass_app
@handled
def issue(
    app: App,
    service: str,
    priority: bool,
    priority_category: str | None,
    topic: str | None,
    idempotency_key: str | None,
    override: bool,
    actor: str,
) -> None:
    """Issue the next ticket of a SERVICE letter such as A."""
    if priority and priority_category is None:
        raise click.UsageError(
            CLI["issue_category_required"].format(choices=priority_choices()),
        )
    queue = app.queue()
    issued = queue.issue(
        service,
        actor=actor,
        priority=priority,
        priority_category=priority_category,
        topic=topic,
        source="cli",
        idempotency_key=idempotency_key,
        override=override,
    )
    if issued.replayed:
        click.echo(CLI["issued_again"].format(label=issued.ticket.label))
        return
    click.echo(
        CLI["issued"].format(
            label=issued.ticket.label,
            service=queries.service_names(app.db).get(issued.ticket.service, ""),
            ahead=issued.waiting_ahead,
            wait=issued.wait_text,
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
    chosen = queue.counter(counter)
    ticket = queue.call_next(chosen.id, actor=actor)
    if ticket is None:
        click.echo(CLI["nothing_waiting"].format(counter=chosen.name))
    else:
        click.echo(CLI["called"].format(counter=chosen.name, label=ticket.label))


def _issuing_line(queue: Queue) -> str:
    """Whether the kiosk issues now ([hours]), for ``ult status``."""
    state = queue.issuing_state()
    if state.reason == "disabled":
        return CLI["status_hours_off"]
    if state.open and state.closes_at is not None:
        return CLI["status_issuing_open"].format(until=state.closes_at.strftime("%H.%M"))
    return CLI["status_issuing_closed"].format(notice=hours.notice(state, queue.clock()))


def _quota_lines(queue: Queue, day: date) -> list[str]:
    """For ``ult status``: each service with a daily quota (``[hours] quota``, applied
    whether or not the hours are enforced), its numbers used today and left."""
    lines = []
    for letter, name in sorted(queries.service_names(queue.db).items()):
        limit = queue.settings.hours.quota_of(letter)
        if limit is None:
            continue
        used = hours.issued_today(queue.db, letter, day)
        left = max(limit - used, 0)
        key = "status_quota_full" if left == 0 else "status_quota_row"
        lines.append(CLI[key].format(letter=letter, name=name, used=used, quota=limit, left=left))
    return lines


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
    click.echo(_issuing_line(queue))
    click.echo(f"\n{CLI['status_services']}")
    for line in queries.day_summary(app.db, day):
        click.echo("  " + CLI["status_service_row"].format(**line))
    click.echo("  " + CLI["status_legend"])
    for line in _quota_lines(queue, day):
        click.echo("  " + line)
    click.echo(f"\n{CLI['status_counters']}")
    for row in queries.board_state(app.db)["counters"]:
        if row["label"]:
            state = CLI["status_counter_holding"].format(
                label=row["label"], state=_state_text(row["state"])
            )
        elif row["paused"]:
            state = CLI["status_counter_paused"]
        else:
            state = CLI["status_counter_idle"]
        click.echo("  " + CLI["status_counter_row"].format(name=row["name"], state=state))
    click.echo("\n" + CLI["status_back_office"].format(count=queries.open_escalations(app.db)))


@main.command()
@pass_app
@handled
def rollover(app: App) -> None:
    """Start the new business day if the clock has reached it, then fold the WAL into
    the database. Run by ult-rollover.timer at [queue] day_reset, so the board and the
    pages show the new day's empty queue before the first visitor; safe to run anytime.
    Tickets of earlier days still waiting or at a counter close as expired."""
    before = stored_day(app.db)
    expired = app.queue().roll_over(actor="system:rollover")
    after = stored_day(app.db)
    day = after.isoformat() if after is not None else "-"
    if after == before:
        click.echo(CLI["rollover_same_day"].format(day=day))
    else:
        click.echo(CLI["rollover_started"].format(day=day, expired=expired))
    busy, _, pages = app.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        click.echo(CLI["checkpoint_busy"])
        return
    wal = Path(f"{app.settings.store.database}-wal")
    size = wal.stat().st_size // 1024 if wal.exists() else 0
    click.echo(CLI["checkpoint_done"].format(pages=max(pages, 0), size=size))


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
        fail(CLI["day_unchanged"], EXIT_REFUSED)
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
            click.echo(json.dumps(event.record(event.at.isoformat()), ensure_ascii=False))
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


@main.group("record")
def record_group() -> None:
    """The step record: every SOP step of every case, derived from the event log."""


@record_group.command("rebuild")
@pass_app
@handled
def record_rebuild(app: App) -> None:
    """Recompute the step record from the event log in one transaction (after a restore
    or a change of the step definitions); the pages and reports read it at once."""
    count = record.rebuild(app.db)
    click.echo(CLI["record_rebuilt"].format(count=count))


@main.group()
def user() -> None:
    """Staff accounts."""


@user.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(accounts.ROLES))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--full-name", help="The officer's full name (reports name people).")
@click.option("--nip", help="The officer's 18-digit NIP (civil servants only).")
@click.option("--position", help="The officer's position (jabatan).")
@pass_app
@handled
def user_add(
    app: App,
    username: str,
    role: str,
    password_stdin: bool,
    full_name: str | None,
    nip: str | None,
    position: str | None,
) -> None:
    """Create the account USERNAME with a role (password from a prompt or stdin)."""
    accounts.check_username(username)
    # Checked before the password is asked for: a typo in the NIP costs no retyping.
    accounts.check_nip(nip)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.UsageError(CLI["password_stdin_empty"])
    elif not sys.stdin.isatty():
        raise click.UsageError(CLI["password_no_terminal"])
    else:
        password = click.prompt(CLI["password_prompt"], hide_input=True, confirmation_prompt=True)
    created = accounts.add_user(
        app.db, username, password, role, full_name=full_name, nip=nip, position=position
    )
    click.echo(CLI["user_added"].format(username=created.username, role=created.role))


@user.command("set")
@click.argument("username")
@click.option("--full-name", help="The officer's full name; an empty value clears it.")
@click.option("--nip", help="The 18-digit NIP; an empty value clears it.")
@click.option("--position", help="The position (jabatan); an empty value clears it.")
@pass_app
@handled
def user_set(
    app: App, username: str, full_name: str | None, nip: str | None, position: str | None
) -> None:
    """Record the officer data of USERNAME (options left out keep their value)."""
    if full_name is None and nip is None and position is None:
        raise click.UsageError(CLI["user_set_nothing"])
    current = accounts.get_user(app.db, username)
    updated = accounts.set_profile(
        app.db,
        username,
        full_name=current.full_name if full_name is None else full_name,
        nip=current.nip if nip is None else nip,
        position=current.position if position is None else position,
    )
    click.echo(CLI["user_set"].format(username=updated.username, name=updated.display_name))


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
        officer = account.full_name or ""
        if account.nip:
            officer += f" (NIP {account.nip})"
        click.echo(f"{account.username:<20} {account.role:<14} {officer}{flag}".rstrip())


@user.command("units")
@click.argument("username")
@click.option(
    "--unit", "units", multiple=True, help="A main unit (id or name); repeat for several."
)
@pass_app
@handled
def user_units(app: App, username: str, units: tuple[str, ...]) -> None:
    """Bind the main-unit account USERNAME to its units (no --unit: to none)."""
    names = accounts.set_units(app.db, username, units)
    click.echo(CLI["user_units"].format(username=username, units=", ".join(names) or "-"))


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


@main.command()
@click.argument("dest", required=False, type=click.Path(path_type=Path))
@pass_app
@handled
def backup(app: App, dest: Path | None) -> None:
    """Back the database up into DEST (a folder, e.g. a USB stick; default
    $ULT_HOME/backups), while the services run.

    Uses SQLite's online backup API, checks the copy (PRAGMA integrity_check), never
    overwrites a backup and keeps the newest [store] backups_kept in the folder.
    """
    if dest is not None and not dest.exists():
        # Never create it: an unmounted stick's mount point would fill the SD card instead.
        raise click.ClickException(CLI["backup_dest_missing"].format(path=dest))
    if dest is not None and not dest.is_dir():
        raise click.ClickException(CLI["backup_dest_not_dir"].format(path=dest))
    folder = (dest or app.backups).resolve()
    app.migrate_database = False  # a backup copies what is there; it never upgrades it
    conn = app.db.conn
    if dest is not None:
        problem = destination_problem(folder, app.settings.store.database)
        if problem is not None:
            raise click.ClickException(
                CLI[f"backup_dest_{problem}"].format(path=folder, user=_user())
            )
    try:
        saved = write_backup(conn, folder)
    except (OSError, sqlite3.Error) as error:
        # A full stick is not a full appliance: say whose disk is full.
        database = app.settings.store.database.resolve()
        elsewhere = folder.stat().st_dev != database.parent.stat().st_dev
        if dest is not None and elsewhere and disk_full(error, folder):
            raise click.ClickException(
                CLI["backup_dest_full"].format(path=folder, error=error)
            ) from error
        raise
    click.echo(
        CLI["backup_written"].format(
            path=saved.path,
            version=saved.schema_version,
            events=saved.events,
            size=max(1, saved.path.stat().st_size // 1024),
        )
    )
    for gone in prune(folder, app.settings.store.backups_kept):
        click.echo(CLI["backup_pruned"].format(kept=app.settings.store.backups_kept, path=gone))


@main.command("restore")
# readable=False: an unreadable FILE gets our message (which user runs the command), not click's.
@click.argument("file", type=click.Path(dir_okay=False, readable=False, path_type=Path))
@click.option(
    "--stop-services",
    is_flag=True,
    help="Stop the appliance's running services for the restore and start them again after.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@actor_option
@pass_app
@handled
def restore_command(app: App, file: Path, stop_services: bool, yes: bool, actor: str) -> None:
    """Replace the database by the backup FILE, exactly as the backup was.

    Checks FILE first; refuses while a service has the database open unless
    --stop-services. The database it replaces is kept as a backup, and the restore is
    recorded in the event log.
    """
    _readable(file)
    try:
        info = verify_backup(file)
        if not yes and not click.confirm(
            CLI["restore_confirm"].format(
                path=app.settings.store.database,
                backup=file,
                version=info.schema_version,
                events=info.events,
            ),
            default=False,
        ):
            fail(CLI["day_unchanged"], EXIT_REFUSED)
        done = restore(
            file, app.settings, actor=actor, backups=app.backups, stop_services=stop_services
        )
    except BackupInvalid as invalid:
        fail(
            CLI[f"backup_{invalid.reason}"].format(
                path=invalid.path, detail=invalid.detail, folder=invalid.path.parent
            ),
            EXIT_REFUSED,
        )
    except RestoreRefused as refused:
        fail(CLI[refused.reason].format(**refused.values), EXIT_REFUSED)
    if done.previous is not None:
        click.echo(CLI["restore_previous"].format(path=done.previous))
    click.echo(CLI["restored"].format(backup=file, event=done.event_id))
    if done.units:
        click.echo(CLI["restore_units"].format(units=" ".join(done.units)))


@main.command()
@click.option(
    "--bundle",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a support bundle (zip: report, recent journal, settings without "
    "secrets; no personal data) to this file.",
)
@pass_app
@handled
def doctor(app: App, bundle: Path | None) -> None:
    """Check the appliance: settings, database, clock, disk, services, printer, GPIO,
    screen and sound; each finding with its fix. Exits 1 when a problem is found."""
    findings, _ = diagnose(app.config)
    click.echo(report(findings), nl=False)
    if bundle is not None:
        try:
            write_bundle(bundle, findings, app.config)
        except PermissionError as error:
            raise click.ClickException(
                CLI["path_denied"].format(path=bundle, user=_user(), error=error)
            ) from error
        click.echo(DOCTOR["bundle_written"].format(path=bundle))
    if any(finding.level is Level.PROBLEM for finding in findings):
        sys.exit(EXIT_REFUSED)


# ------------------------------------------------------------------------------ reports


@main.command("report")
@click.argument("section", type=click.Choice([*reports.SECTIONS, ALL], case_sensitive=False))
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day YYYY-MM-DD.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day YYYY-MM-DD.")
@click.option(
    "--period",
    "kind",
    type=click.Choice(reports.PERIOD_KINDS),
    help="Instead of --from/--to: the day, week (Monday first), month, quarter, semester or "
    "year holding --date (default: day, when no --from/--to is given).",
)
@click.option(
    "--date",
    "anchor",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The day the --period holds (default: today's business day).",
)
@click.option("--service", help="Only this service letter, e.g. A.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table: for a terminal; csv: UTF-8 with BOM for Excel, local times; json: rows with "
    "UTC times as the API; xlsx: a workbook (needs --output or a redirected stdout).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@pass_app
@handled
def report_command(
    app: App,
    section: str,
    start: datetime | None,
    end: datetime | None,
    kind: str | None,
    anchor: datetime | None,
    service: str | None,
    output_format: str,
    output: Path | None,
) -> None:
    """Print the report SECTION for a period (all: every section without personal data).

    The same table as the report pages and GET /api/v1/reports/SECTION. The command line
    is for the appliance's administrators: the guest book and the step record (steps) by
    name. XLSX holds at most a few thousand rows; a bigger table goes to CSV.
    """
    if output_format == "xlsx" and output is None and sys.stdout.isatty():
        fail(REPORT_TEXT["xlsx_terminal"], EXIT_USAGE)
    try:
        sections = parse_sections(section)
        if output_format == "csv" and len(sections) > 1:
            raise ReportRequestError("csv_one_section")
        period = parse_period(
            start=start.date().isoformat() if start else None,
            end=end.date().isoformat() if end else None,
            # Neither a range nor a period: the day of --date (or today), as the page does.
            kind=kind or (None if start or end else "day"),
            anchor=anchor.date().isoformat() if anchor else None,
            today=app.queue().today(),
        )
        letter = parse_service(app.db, service)
    except ReportRequestError as refused:
        fail(refused.message, EXIT_USAGE)
    tables = [
        reports.report(app.db, name, period, service=letter, settings=app.settings)
        for name in sections
    ]
    if output_format == "xlsx":
        try:
            check_xlsx(tables)
        except ReportRequestError as refused:
            fail(refused.message, EXIT_USAGE)
    personal = sorted(set(sections) & reports.PERSONAL_SECTIONS)
    if personal:
        # UU 27/2022: every view or export of unmasked personal data is recorded.
        privacy.record_access(
            app.db,
            at=app.queue().clock(),
            actor=default_actor(),
            what="cli_report:" + ",".join(personal),
            exported=output_format != "table",
            period=(period.start, period.end),
            format=output_format,
        )
    tz = app.settings.office.tz
    data: str | bytes
    if output_format == "csv":
        data = exports.to_csv(tables[0], tz)
    elif output_format == "xlsx":
        data = exports.to_xlsx(
            tables, tz, title=exports.workbook_title(tables, period.start, period.end)
        )
    elif output_format == "json":
        body = exports.report_json(tables, period.start, period.end, letter)
        data = json.dumps(body, ensure_ascii=False, indent=1) + "\n"
    else:
        data = "\n".join(exports.text_table(t, tz) for t in tables)
        if period.start == period.end:
            data += _anchor_lines(app, period.start)
    if output is None:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            click.echo(data, nl=False)
        return
    output.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    click.echo(
        REPORT_TEXT["written"].format(
            path=output,
            rows=sum(len(t.rows) for t in tables),
            start=period.start.isoformat(),
            end=period.end.isoformat(),
        ),
        err=True,
    )


# ------------------------------------------------------------------------------ survey


@main.group("survey")
def survey_group() -> None:
    """The satisfaction survey (SKM) and its instruments."""


@survey_group.command("instruments")
@click.option(
    "--check",
    is_flag=True,
    help="Check the instruments file the settings name ([survey] instruments_file) instead "
    "of printing the built-in one.",
)
@pass_app
@handled
def survey_instruments(app: App, check: bool) -> None:
    """Print the built-in instruments file (the SKM of PermenPANRB 14/2017) for an office
    to copy, edit and name in [survey] instruments_file; --check reads the named one."""
    if check:
        found = load_instruments(app.settings)
        source = app.settings.survey.instruments_file or BUILT_IN
        click.echo(
            CLI["survey_instruments_ok"].format(
                path=source, instruments=", ".join(found.instruments)
            )
        )
        return
    click.echo(BUILT_IN.read_text(encoding="utf-8"), nl=False)


# ------------------------------------------------------------------ personal data (UU 27/2022)


@main.command("purge")
@click.option("--dry-run", is_flag=True, help="Only say what would be erased; change nothing.")
@actor_option
@pass_app
@handled
def purge_command(app: App, dry_run: bool, actor: str) -> None:
    """Erase the visitor identity of visits past retention ([privacy] retention_days).

    Keeps each visit's row (ticket, service, day, document kind, step, officer), so counts
    and step times stay; records one visits_purged event. Run daily by ult-purge.timer.
    """
    days = app.settings.privacy.retention_days
    queue = app.queue()
    today = queue.today()
    plan = privacy.purge_plan(app.db, today, days)
    if not dry_run and plan.count:
        plan = privacy.purge(
            app.db, today=today, retention_days=days, at=queue.clock(), actor=actor
        )
    if plan.count == 0:
        click.echo(PRIVACY_TEXT["purge_nothing"].format(days=days, up_to=plan.up_to))
        return
    text = PRIVACY_TEXT["purge_would" if dry_run else "purged"]
    click.echo(text.format(count=plan.count, oldest=plan.oldest, up_to=plan.up_to, days=days))


@main.group("privacy")
def privacy_group() -> None:
    """A visitor's request about their personal data: access (export) and erasure."""


@privacy_group.command("export")
@click.argument("number")
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The JSON file to write (the visits and the processing history of NUMBER).",
)
@actor_option
@pass_app
@handled
def privacy_export(app: App, number: str, output: Path, actor: str) -> None:
    """Write everything held about the identity NUMBER (NIK or another document's number)
    to a JSON file, and record the export (never the number)."""
    clean = privacy.identity_number(number)
    data, visits = privacy.export_identity(
        app.db, clean, at=app.queue().clock(), actor=actor, office=app.settings.office.name
    )
    output.write_bytes(data)
    click.echo(PRIVACY_TEXT["exported"].format(visits=visits, path=output))


@privacy_group.command("erase")
@click.argument("number")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@actor_option
@pass_app
@handled
def privacy_erase(app: App, number: str, yes: bool, actor: str) -> None:
    """Erase the identity of every visit of NUMBER (statistics stay), and record it."""
    clean = privacy.identity_number(number)
    count = privacy.held_count(app.db, clean)
    if (
        count
        and not yes
        and not click.confirm(PRIVACY_TEXT["erase_confirm"].format(count=count), default=False)
    ):
        fail(PRIVACY_TEXT["unchanged"], EXIT_REFUSED)
    erased = privacy.erase_identity(app.db, clean, at=app.queue().clock(), actor=actor)
    click.echo(PRIVACY_TEXT["erased"].format(count=erased))


# ------------------------------------------------------------------------------ the IKM


@main.command("ikm")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day YYYY-MM-DD.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day YYYY-MM-DD.")
@click.option(
    "--period",
    "kind",
    type=click.Choice(reports.PERIOD_KINDS),
    help="Instead of --from/--to: the month, quarter, semester or year (...) holding --date.",
)
@click.option(
    "--date",
    "anchor",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The day the --period holds (default: today's business day).",
)
@click.option("--service", help="Only this service letter, e.g. A.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("table", "json", "csv")),
    default="table",
    show_default=True,
    help="table: for a terminal; json: as GET /api/v1/reports/ikm; csv: the elements' table "
    "(UTF-8 with BOM for Excel).",
)
@pass_app
@handled
def ikm_command(
    app: App,
    start: datetime | None,
    end: datetime | None,
    kind: str | None,
    anchor: datetime | None,
    service: str | None,
    output_format: str,
) -> None:
    """Print the satisfaction index (IKM, PermenPANRB 14/2017) of the SKM for a period.

    Each element's NRR, converted value and grade, the weakest marked; the IKM (mean of the
    nine NRRs x 25, rounded once) and its grade; respondents against the Krejcie-Morgan
    sample for the period's finished visitors; the same per service (a service with fewer
    than [survey] min_group respondents is not shown). The same figures as the report page
    and GET /api/v1/reports/ikm.
    """
    try:
        if not (start or end or kind):
            raise ReportRequestError("range_missing")
        period = parse_period(
            start=start.date().isoformat() if start else None,
            end=end.date().isoformat() if end else None,
            kind=kind,
            anchor=anchor.date().isoformat() if anchor else None,
            today=app.queue().today(),
        )
        letter = parse_service(app.db, service)
    except ReportRequestError as refused:
        fail(refused.message, EXIT_USAGE)
    index, tables = ikm_tables(app.db, app.settings, period, letter)
    tz = app.settings.office.tz
    if output_format == "json":
        body = ikm_body(index, tables, period, letter)
        click.echo(json.dumps(body, ensure_ascii=False, indent=1))
        return
    if output_format == "csv":
        sys.stdout.buffer.write(exports.to_csv(tables[0], tz))
        sys.stdout.buffer.flush()
        return
    if index.ikm is None:
        headline = IKM_TEXT["headline_none"].format(reason=index.refused)
    else:
        headline = IKM_TEXT["headline"].format(
            ikm=str(index.ikm).replace(".", ","), grade=index.grade, grade_name=index.grade_name
        )
    lines = [
        f"{period.start.isoformat()} s.d. {period.end.isoformat()}"
        + (f" · {letter}" if letter else ""),
        headline,
        IKM_TEXT["respondents"].format(
            respondents="-" if index.count_withheld else index.respondents,
            target=index.sample_target,
            visitors=index.visitors,
        ),
    ]
    if not index.count_withheld and index.respondents and index.below_sample:
        lines.append(
            IKM_TEXT["below_sample"].format(
                respondents=index.respondents, target=index.sample_target
            )
        )
    click.echo("\n".join(lines) + "\n")
    click.echo("\n".join(exports.text_table(t, tz) for t in tables), nl=False)


# ------------------------------------------------------------------------------ the chain


@main.command("verify")
@click.option(
    "--anchor",
    metavar="HASH",
    help="A hash printed on the report book (64 hexadecimal characters): also check that "
    "the chain still holds it and that every event up to it is unchanged.",
)
@pass_app
@handled
def verify_command(app: App, anchor: str | None) -> None:
    """Check the event log's hash chain (docs/RECORD.md).

    Exit 0: every event still matches its hash and follows the one before it (and the
    anchor, when given, is in the chain). Exit 1: names the first event altered, removed or
    reordered, or says the anchor is not in the chain. Exit 2: a malformed anchor or an
    unusable database. Reads only: the database is not upgraded nor changed.
    """
    wanted: str | None = None
    if anchor is not None:
        try:
            wanted = chain.parse_anchor(anchor)
        except ValueError:
            fail(CHAIN_TEXT["anchor_invalid"].format(anchor=anchor), EXIT_USAGE)
    app.migrate_database = False  # a check reads the file as it is
    found = schema_version(app.db)
    if found < CHAIN_VERSION:
        fail(
            CHAIN_TEXT["verify_not_chained"].format(
                path=app.settings.store.database, found=found, needed=CHAIN_VERSION
            ),
            EXIT_USAGE,
        )
    verdict = chain.verify(app.db, wanted)
    if verdict.fault is None:
        if verdict.events:
            click.echo(
                CHAIN_TEXT["verify_ok"].format(
                    events=verdict.events, last_id=verdict.last_id, hash=verdict.last_hash
                )
            )
        else:
            click.echo(CHAIN_TEXT["verify_empty"])
    else:
        click.echo(
            CHAIN_TEXT["verify_broken"].format(events=verdict.events, last_id=verdict.last_id)
        )
        click.echo(_fault_text(verdict.fault))
    if wanted is not None:
        click.echo(_anchor_text(verdict, wanted))
    if verdict.fault is not None:
        click.echo(CHAIN_TEXT["verify_advice"])
    if verdict.fault is not None or (wanted is not None and verdict.anchor_id is None):
        sys.exit(EXIT_REFUSED)


def _fault_text(fault: chain.Fault) -> str:
    """One line naming the first fault: its event id(s) and what was done to it."""
    last = fault.until if fault.until is not None else fault.event_id
    ids = CHAIN_TEXT["ids_one" if last == fault.event_id else "ids_run"].format(
        first=fault.event_id, last=last
    )
    return CHAIN_TEXT[f"fault_{fault.reason}"].format(
        event=fault.event_id,
        kind=CHAIN_TEXT[f"kind_{fault.kind}"],
        ids=ids,
        witness=fault.witness,
        until=fault.until,
        before=fault.event_id - 1,
        after=last + 1,
    )


def _anchor_text(verdict: chain.Verdict, anchor: str) -> str:
    """What became of the anchor asked for."""
    if verdict.anchor_id is None:
        return CHAIN_TEXT["anchor_missing"].format(anchor=anchor)
    if verdict.fault is None:
        return CHAIN_TEXT["anchor_ok"].format(event=verdict.anchor_id)
    key = "anchor_before_fault" if verdict.anchor_holds() else "anchor_after_fault"
    return CHAIN_TEXT[key].format(event=verdict.anchor_id)


def _anchor_lines(app: App, day: date) -> str:
    """The report book's anchor as text, after a day's tables (``ult report``): the day's
    last event hash (:func:`ult.chain.day_anchor`) and how to check it."""
    found = chain.day_anchor(app.db, day, app.settings.office.tz, app.settings.queue.day_reset)
    if found is None:
        return "\n" + CHAIN_TEXT["book_anchor_none"].format(day=day.isoformat()) + "\n"
    so_far = CHAIN_TEXT["book_anchor_so_far"] if day >= app.queue().today() else ""
    lines = (
        CHAIN_TEXT["book_anchor"].format(
            day=day.isoformat(), event=found[0], so_far=so_far, hash=found[1]
        ),
        CHAIN_TEXT["book_anchor_check"].format(hash=found[1]),
    )
    return "\n" + "\n".join(lines) + "\n"
