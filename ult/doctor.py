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
import platform
import re
import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, entry_points, version
from pathlib import Path
from typing import Final

from ult import system
from ult.backup import BACKUP_DIR_NAME, newest_usable
from ult.clock import from_stamp, utc_now
from ult.messages import DOCTOR
from ult.migrations import LATEST
from ult.settings import Settings, SettingsError, load_settings
from ult.store import StoreMissing, StoreUnavailable, connect, schema_version
from ult.system import UNITS, run_tool

DOCTOR_GROUP: Final = "ult.doctor"
"""Entry-point group of the checks other packages add (``pyproject.toml``)."""
WAL_WARN_BYTES: Final = 64 * 1024 * 1024
"""A ``-wal`` this big means checkpoints are starved (PITFALLS, store)."""
DISK_PROBLEM_BYTES: Final = 200 * 1024 * 1024
DISK_WARN_BYTES: Final = 1024 * 1024 * 1024
JOURNAL_LINES: Final = 300
_SECRET_KEY: Final = re.compile(r"secret|password|passwd|token|api_key|private", re.IGNORECASE)
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
    """Run every check; return the findings and the settings (``None`` when invalid)."""
    try:
        settings = load_settings(config)
    except SettingsError as error:
        return [Finding("settings", Level.PROBLEM, str(error), DOCTOR["settings_fix"])], None
    findings = [
        Finding("settings", Level.OK, DOCTOR["settings_ok"].format(source=_source(settings)))
    ]
    checks: list[tuple[str, Check]] = [
        ("database", database_checks),
        ("clock", clock_checks),
        ("disk", disk_checks),
        ("units", unit_checks),
        ("versions", version_checks),
    ]
    checks += sorted(
        ((point.name, point.load()) for point in entry_points(group=DOCTOR_GROUP)),
        key=lambda pair: pair[0],
    )
    for name, check in checks:
        try:
            findings.extend(check(settings))
        except Exception as error:  # one broken check must not hide the others
            findings.append(
                Finding(name, Level.PROBLEM, DOCTOR["check_crashed"].format(error=repr(error)))
            )
    return findings, settings


def _source(settings: Settings) -> str:
    return str(settings.source) if settings.source else DOCTOR["settings_defaults"]


def database_checks(settings: Settings) -> list[Finding]:
    """Integrity, schema version, WAL size and the newest event of the database."""
    path = settings.store.database
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
                DOCTOR["db_restore_fix"].format(folder=settings.home / BACKUP_DIR_NAME),
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
                    DOCTOR["db_restore_fix"].format(folder=settings.home / BACKUP_DIR_NAME),
                )
            )
        found.append(_schema_finding(settings, schema_version(db)))
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
        fix = DOCTOR["db_restore_fix"].format(folder=settings.home / BACKUP_DIR_NAME)
        found.append(Finding("database", Level.PROBLEM, text, fix))
    finally:
        db.close()
    return found


def _schema_finding(settings: Settings, current: int) -> Finding:
    if current == LATEST:
        return Finding("database", Level.OK, DOCTOR["schema_ok"].format(version=current))
    if current < LATEST:
        text = DOCTOR["schema_older"].format(found=current, supported=LATEST)
        return Finding("database", Level.WARNING, text, DOCTOR["schema_older_fix"])
    backup = newest_usable(
        (settings.home / BACKUP_DIR_NAME, settings.store.database.parent / BACKUP_DIR_NAME)
    )
    fix = (
        DOCTOR["schema_newer_fix"].format(backup=backup)
        if backup is not None
        else DOCTOR["schema_newer_no_backup"]
    )
    text = DOCTOR["schema_newer"].format(found=current, supported=LATEST)
    return Finding("database", Level.PROBLEM, text, fix)


def clock_checks(settings: Settings, *, now: Callable[[], datetime] = utc_now) -> list[Finding]:
    """The clock is not behind the newest event, and NTP has synchronised it."""
    found = []
    try:
        db = connect(settings.store.database, create=False, migrate_schema=False)
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
    folder = settings.store.database.parent
    while not folder.exists():
        folder = folder.parent
    free = shutil.disk_usage(folder).free
    text = DOCTOR["disk"].format(folder=folder, mb=free // 2**20)
    if free < DISK_PROBLEM_BYTES:
        return [Finding("disk", Level.PROBLEM, text, DOCTOR["disk_fix"])]
    if free < DISK_WARN_BYTES:
        return [Finding("disk", Level.WARNING, text, DOCTOR["disk_fix"])]
    return [Finding("disk", Level.OK, text)]


def unit_checks(settings: Settings) -> list[Finding]:
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


def version_checks(settings: Settings) -> list[Finding]:
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


def write_bundle(target: Path, findings: list[Finding], settings: Settings | None) -> None:
    """A zip for support: ``report.txt``, ``journal.txt`` (the units' recent lines, numbers
    that could be a NIK or a phone masked) and ``settings.toml`` with secret values removed.
    Nothing is read from the database but what the report says (no names, NIK or phones)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("report.txt", report(findings))
        bundle.writestr("journal.txt", _journal())
        if settings is not None and settings.source is not None and settings.source.is_file():
            bundle.writestr("settings.toml", redact(settings.source.read_text(encoding="utf-8")))


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
