"""``ult doctor``: what a technician checks at 7 a.m., each finding with its fix.

The core checks the settings, the database, the clock, the disk, the units and the versions.
The other packages add their own checks (the printer and the GPIO by ``kiosk``, the screen
and the sound by ``display``) through the :data:`DOCTOR_GROUP` entry-point group, the way
they add commands: the core imports none of them. A check is a callable taking the
:class:`~ult.settings.Settings` and returning :class:`Finding` objects; one that raises is
itself reported as a problem, so one broken check never hides the others.

The report carries no personal data: counts, times, versions and device states only.
"""

from __future__ import annotations

import io
import os
import platform
import re
import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial
from importlib.metadata import PackageNotFoundError, entry_points, version
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ult import system
from ult.backup import BACKUP_DIR_NAME, newest_usable
from ult.clock import from_stamp, utc_now
from ult.health import check_writable
from ult.messages import DOCTOR
from ult.migrations import LATEST
from ult.settings import Settings, SettingsError, load_settings, settings_paths
from ult.store import StoreMissing, StoreUnavailable, connect, schema_version
from ult.survey import BUILT_IN, load_instruments
from ult.system import UNITS, run_tool

if TYPE_CHECKING:
    import sqlite_utils

DOCTOR_GROUP: Final = "ult.doctor"
"""Entry-point group of the checks other packages add (``pyproject.toml``)."""
WAL_WARN_BYTES: Final = 64 * 1024 * 1024
"""A ``-wal`` this big means checkpoints are starved (PITFALLS, store)."""
DISK_PROBLEM_BYTES: Final = 200 * 1024 * 1024
DISK_WARN_BYTES: Final = 1024 * 1024 * 1024
JOURNAL_LINES: Final = 300
BUNDLE_MODE: Final = 0o644
"""The bundle holds no personal data, and the technician must be able to send it."""
_SECRET_KEY: Final = re.compile(r"secret|password|passwd|token|key\b|private", re.IGNORECASE)
_NUMBERS: Final = re.compile(r"\d{8,}|(?:\+62|(?<!\d)0)8[\d -]{6,14}\d")
"""A NIK or other long number, or an Indonesian mobile number (+62 8.. or 08..)."""


class Level(StrEnum):
    """How bad a finding is; only :attr:`PROBLEM` makes ``ult doctor`` exit non-zero."""

    OK = "ok"
    INFO = "info"
    WARNING = "peringatan"
    PROBLEM = "MASALAH"


@dataclass(frozen=True)
class Finding:
    """One line of the report: the area checked, how it is, what was found, and the fix."""

    area: str
    level: Level
    text: str
    fix: str = ""


Check = Callable[[Settings], Iterable[Finding]]


def diagnose(config: Path | None) -> tuple[list[Finding], Settings | None]:
    """Run every check; return the findings and the settings (``None`` when invalid).

    Invalid settings are one finding, not the end: the checks that need none of them still
    run, on the database the environment implies (see :func:`_without_settings`)."""
    try:
        settings = load_settings(config)
    except SettingsError as error:
        return _without_settings(config, error), None
    findings = [
        Finding("settings", Level.OK, DOCTOR["settings_ok"].format(source=_source(settings)))
    ]
    checks: list[tuple[str, Check]] = [
        ("database", database_checks),
        ("survey", survey_checks),
        ("clock", clock_checks),
        ("disk", disk_checks),
        ("units", unit_checks),
        ("versions", version_checks),
    ]
    checks += sorted(
        ((point.name, point.load()) for point in entry_points(group=DOCTOR_GROUP)),
        key=lambda pair: pair[0],
    )
    return findings + _run([(name, partial(check, settings)) for name, check in checks]), settings


def _without_settings(config: Path | None, error: SettingsError) -> list[Finding]:
    """The settings problem, then the checks that need no settings. The database is taken at
    its default place in the home the environment implies (``<home>/ult.db``): a file that
    cannot be read cannot be trusted to name another. The packages' checks (printer, GPIO,
    screen) need their settings and are left out."""
    home = settings_paths(config)[1]
    path = home / "ult.db"
    findings = [
        Finding("settings", Level.PROBLEM, str(error), DOCTOR["settings_fix"]),
        Finding("settings", Level.INFO, DOCTOR["settings_assumed"].format(path=path)),
    ]
    return findings + _run(
        [
            ("database", partial(_database_findings, path, home)),
            ("clock", partial(_clock_findings, path)),
            ("disk", partial(_disk_findings, path)),
            ("units", unit_checks),
            ("versions", version_checks),
        ]
    )


def _run(checks: list[tuple[str, Callable[[], Iterable[Finding]]]]) -> list[Finding]:
    findings: list[Finding] = []
    for name, check in checks:
        try:
            findings.extend(check())
        except Exception as error:  # one broken check must not hide the others
            findings.append(
                Finding(name, Level.PROBLEM, DOCTOR["check_crashed"].format(error=repr(error)))
            )
    return findings


def _source(settings: Settings) -> str:
    return str(settings.source) if settings.source else DOCTOR["settings_defaults"]


def survey_checks(settings: Settings) -> list[Finding]:
    """The survey instruments file ([survey] instruments_file, or the built-in SKM) reads
    and has the documented shape; ``ult admin`` refuses to start otherwise."""
    source = settings.survey.instruments_file or BUILT_IN
    try:
        found = load_instruments(settings)
    except SettingsError as error:
        return [Finding("survey", Level.PROBLEM, str(error), DOCTOR["survey_fix"])]
    names = ", ".join(found.instruments)
    return [
        Finding("survey", Level.OK, DOCTOR["survey_ok"].format(source=source, instruments=names))
    ]


def database_checks(settings: Settings) -> list[Finding]:
    """Integrity, writability, schema version, WAL size and the newest event of the database."""
    return _database_findings(settings.store.database, settings.home)


def _database_findings(path: Path, home: Path) -> list[Finding]:
    backups = home / BACKUP_DIR_NAME
    try:
        db = connect(path, create=False, migrate_schema=False)
    except StoreMissing:
        return [
            Finding("database", Level.PROBLEM, DOCTOR["db_missing"].format(path=path), "ult init")
        ]
    except StoreUnavailable as error:
        return [
            Finding(
                "database",
                Level.PROBLEM,
                DOCTOR["db_unusable"].format(path=path, error=error),
                DOCTOR["db_restore_fix"].format(folder=backups),
            )
        ]
    found = []
    try:
        checked = [row[0] for row in db.execute("PRAGMA integrity_check")]
        if checked == ["ok"]:
            found.append(Finding("database", Level.OK, DOCTOR["db_ok"].format(path=path)))
        else:
            found.append(
                Finding(
                    "database",
                    Level.PROBLEM,
                    DOCTOR["db_damaged"].format(path=path, detail="; ".join(checked[:3])),
                    DOCTOR["db_restore_fix"].format(folder=backups),
                )
            )
        found.append(_write_finding(db, path))
        found.append(_schema_finding(path, home, schema_version(db)))
        wal = Path(f"{path}-wal")
        size = wal.stat().st_size if wal.exists() else 0
        level = Level.WARNING if size > WAL_WARN_BYTES else Level.OK
        fix = DOCTOR["wal_fix"] if level is Level.WARNING else ""
        found.append(Finding("database", level, DOCTOR["wal"].format(mb=size / 2**20), fix))
        newest = db.execute("SELECT max(at) FROM events").fetchone()[0]
        text = DOCTOR["last_event"].format(at=newest or "-")
        found.append(Finding("database", Level.INFO, text))
    except sqlite3.Error as error:
        text = DOCTOR["db_unusable"].format(path=path, error=error)
        fix = DOCTOR["db_restore_fix"].format(folder=backups)
        found.append(Finding("database", Level.PROBLEM, text, fix))
    finally:
        db.close()
    return found


def _write_finding(db: sqlite_utils.Database, path: Path) -> Finding:
    """Opening and reading say nothing of writing (a held write lock, a full or read-only
    disk): try what a write needs, :func:`ult.health.check_writable`."""
    checked = check_writable(db, path)
    if checked.ok:
        return Finding("database", Level.OK, DOCTOR["writable"])
    text = DOCTOR["not_writable"].format(
        path=path, cause=DOCTOR[f"write_{checked.cause}"], detail=checked.detail
    )
    fix = DOCTOR[f"write_{checked.cause}_fix"].format(path=path, folder=path.parent)
    return Finding("database", Level.PROBLEM, text, fix)


def _schema_finding(path: Path, home: Path, current: int) -> Finding:
    if current == LATEST:
        return Finding("database", Level.OK, DOCTOR["schema_ok"].format(version=current))
    if current < LATEST:
        text = DOCTOR["schema_older"].format(found=current, supported=LATEST)
        return Finding("database", Level.WARNING, text, DOCTOR["schema_older_fix"])
    backup = newest_usable((home / BACKUP_DIR_NAME, path.parent / BACKUP_DIR_NAME))
    fix = (
        DOCTOR["schema_newer_fix"].format(backup=backup)
        if backup is not None
        else DOCTOR["schema_newer_no_backup"]
    )
    text = DOCTOR["schema_newer"].format(found=current, supported=LATEST)
    return Finding("database", Level.PROBLEM, text, fix)


def clock_checks(settings: Settings, *, now: Callable[[], datetime] = utc_now) -> list[Finding]:
    """The clock is not behind the newest event, and NTP has synchronised it."""
    return _clock_findings(settings.store.database, now=now)


def _clock_findings(path: Path, *, now: Callable[[], datetime] = utc_now) -> list[Finding]:
    found = []
    try:
        db = connect(path, create=False, migrate_schema=False)
    except StoreUnavailable:
        newest = None
    else:
        try:
            newest = db.execute("SELECT max(at) FROM events").fetchone()[0]
        finally:
            db.close()
    moment = now()
    if newest is not None and moment < from_stamp(newest):
        text = DOCTOR["clock_behind"].format(now=moment.isoformat(), newest=newest)
        found.append(Finding("clock", Level.PROBLEM, text, DOCTOR["clock_fix"]))
    else:
        found.append(Finding("clock", Level.OK, DOCTOR["clock_ok"].format(now=moment.isoformat())))
    result = run_tool("timedatectl", "show", "--property=NTPSynchronized", "--value")
    if result is None or result.code != 0:
        found.append(Finding("clock", Level.INFO, DOCTOR["ntp_unknown"]))
    elif result.out == "yes":
        found.append(Finding("clock", Level.OK, DOCTOR["ntp_ok"]))
    else:
        found.append(Finding("clock", Level.WARNING, DOCTOR["ntp_no"], DOCTOR["ntp_fix"]))
    return found


def disk_checks(settings: Settings) -> list[Finding]:
    """Free space where the database (and its backups) are written."""
    return _disk_findings(settings.store.database)


def _disk_findings(path: Path) -> list[Finding]:
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    text = DOCTOR["disk"].format(folder=folder, mb=free // 2**20)
    if free < DISK_PROBLEM_BYTES:
        return [Finding("disk", Level.PROBLEM, text, DOCTOR["disk_fix"])]
    if free < DISK_WARN_BYTES:
        return [Finding("disk", Level.WARNING, text, DOCTOR["disk_fix"])]
    return [Finding("disk", Level.OK, text)]


def unit_checks(settings: Settings | None = None) -> list[Finding]:
    """``systemctl is-active`` of each unit, when systemd runs."""
    if not system.systemd_running():
        return [Finding("units", Level.INFO, DOCTOR["no_systemd"])]
    found = []
    for unit in UNITS:
        result = run_tool("systemctl", "is-active", unit)
        state = result.out if result is not None else "?"
        if state == "active":
            found.append(Finding("units", Level.OK, DOCTOR["unit"].format(unit=unit, state=state)))
        else:
            text = DOCTOR["unit"].format(unit=unit, state=state)
            found.append(
                Finding("units", Level.PROBLEM, text, DOCTOR["unit_fix"].format(unit=unit))
            )
    return found


def version_checks(settings: Settings | None = None) -> list[Finding]:
    """The program's, Python's, SQLite's and the system's versions."""
    try:
        ours = version("ult-kiosk")
    except PackageNotFoundError:
        ours = "?"
    text = DOCTOR["versions"].format(
        ours=ours,
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        system=f"{platform.system()} {platform.release()} {platform.machine()}",
    )
    return [Finding("versions", Level.INFO, text)]


def report(findings: Iterable[Finding]) -> str:
    """The findings as text, one per line, the fix indented under it."""
    lines = []
    for finding in findings:
        lines.append(f"[{finding.level:<10}] {finding.area:<9} {finding.text}")
        if finding.fix:
            lines.append(f"{'':<22}→ {finding.fix}")
    return "\n".join(lines) + "\n"


def write_bundle(target: Path, findings: list[Finding], config: Path | None) -> None:
    """A zip for support: ``report.txt``, ``journal.txt`` (the units' recent lines, numbers
    that could be a NIK or a phone masked) and ``settings.toml`` (the file ``config`` or the
    environment names, valid or not) with secret values removed, mode :data:`BUNDLE_MODE`.
    Nothing is read from the database but what the report says (no names, NIK or phones).
    Raises ``OSError`` (``PermissionError``: the folder of ``target``)."""
    source = settings_paths(config)[0]
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("report.txt", report(findings))
        bundle.writestr("journal.txt", _journal())
        if source.is_file():
            text = source.read_text(encoding="utf-8", errors="replace")
            bundle.writestr("settings.toml", redact(text))
    os.chmod(target, BUNDLE_MODE)


def _journal() -> str:
    units = [arg for unit in UNITS for arg in ("-u", unit)]
    result = run_tool(
        "journalctl", "--no-pager", "-o", "short-iso", "-n", str(JOURNAL_LINES), *units
    )
    if result is None or result.code != 0:
        return DOCTOR["journal_unavailable"] + "\n"
    return mask_numbers(result.out) + "\n"


def mask_numbers(text: str) -> str:
    """Replace what could be a NIK or a phone number by ``[angka]`` (dates and times stay)."""
    return _NUMBERS.sub("[angka]", text)


def redact(toml_text: str) -> str:
    """The settings file with the value of every key that names a secret removed."""
    out = io.StringIO()
    for line in toml_text.splitlines(keepends=True):
        key = line.split("=", 1)[0].strip()
        if "=" in line and not line.lstrip().startswith("#") and _SECRET_KEY.search(key):
            out.write(f'{key} = "[dihapus]"\n')
        else:
            out.write(line)
    return out.getvalue()
