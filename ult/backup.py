"""Backups of the appliance database: written with SQLite's online backup API, verified, kept.

A backup is one self-contained SQLite file (rollback journal, no ``-wal`` beside it) named
``ult-YYYYMMDDTHHMMSSffffffZ[-tag].db`` (UTC, so names sort by time), written under a
temporary name, checked with ``PRAGMA integrity_check`` and only then given its name, which
is reserved with ``O_EXCL``: a backup is never overwritten. The online backup API reads one
consistent snapshot while the services keep writing (WAL readers never block writers), which
copying the file does not: a copy misses what still sits in ``-wal``.

A leaf of the core (it imports no store code), so :mod:`ult.store` can back up before a
migration and :mod:`ult.restore` can check a file before putting it in place.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from ult.migrations import LATEST

BACKUP_DIR_NAME: Final = "backups"
"""The folder of backups, inside ``ULT_HOME`` (``ult backup``) or beside the database (the
backup written before a migration)."""
REMOVABLE_ROOTS: tuple[Path, ...] = (Path("/media"), Path("/mnt"))
"""Where a USB stick is mounted (udisks: /media/USER/LABEL; by hand: /mnt/usb)."""
SQLITE_HEADER: Final = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file (sqlite.org/fileformat.html, 1.3)."""
_NAME: Final = re.compile(r"ult-(\d{8}T\d{12}Z)(?:-[a-z0-9-]+)?\.db")
_UNTAGGED: Final = re.compile(r"ult-\d{8}T\d{12}Z\.db")
"""A backup ``ult backup`` made: the only ones :func:`prune` deletes (a tagged one, e.g.
``before-v3``, is kept until removed by hand; other files on a shared stick are never touched)."""
_TAG: Final = re.compile(r"[a-z0-9-]{1,40}")
BACKUP_MODE: Final = 0o640
"""Backups hold personal data (names, NIK): owner and group only, whatever the umask."""
_REQUIRED_TABLES: Final = ("events", "tickets", "services", "counters", "meta")


class BackupInvalid(Exception):
    """A file is not a usable backup; ``reason`` is a :data:`ult.messages.BACKUP` code
    (``missing``, ``not_sqlite``, ``damaged``, ``not_ours``, ``too_new``) and ``detail``
    what was found."""

    def __init__(self, path: Path, reason: str, detail: str = "") -> None:
        self.path = path
        self.reason = reason
        self.detail = detail
        super().__init__(f"{path}: {reason} {detail}".rstrip())


@dataclass(frozen=True)
class BackupInfo:
    """What a verified backup holds: its schema version, event count and newest event id."""

    path: Path
    schema_version: int
    events: int
    last_event_id: int


def backup_name(now: datetime, tag: str | None = None) -> str:
    """``ult-20261206T061000123456Z.db`` (UTC, microseconds), or ``...Z-<tag>.db``."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    if tag is not None and not _TAG.fullmatch(tag):
        raise ValueError(f"backup tag {tag!r}: lower-case letters, digits and '-' only")
    return f"ult-{stamp}{'-' + tag if tag else ''}.db"


def list_backups(folder: Path) -> list[Path]:
    """The backups in ``folder`` (by their name only), oldest first; none when no folder."""
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.is_file()]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [folder / name for name in sorted(names) if _NAME.fullmatch(name)]


def destination_problem(folder: Path, database: Path) -> str | None:
    """Why the existing folder ``folder`` (``ult backup DEST``) cannot take a backup of the
    database at ``database``: ``not_mounted`` (under :data:`REMOVABLE_ROOTS` yet on the
    database's own file system: the stick is not mounted, the copy would fill the SD card),
    ``not_writable`` (this user may not create files there), or ``None``."""
    removable = any(folder.is_relative_to(root) for root in REMOVABLE_ROOTS)
    if removable and folder.stat().st_dev == database.resolve().parent.stat().st_dev:
        return "not_mounted"
    if not os.access(folder, os.W_OK | os.X_OK):
        return "not_writable"
    return None


def write_backup(
    source: sqlite3.Connection,
    folder: Path,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    tag: str | None = None,
) -> BackupInfo:
    """Copy the database of ``source`` into a new verified backup in ``folder``.

    ``source`` must not be inside a transaction (the backup API would wait on it forever).
    The folder is created (e.g. on a USB stick's mount point). Raises ``OSError`` (full
    disk, read-only medium) or :class:`BackupInvalid` when the copy fails its check; in
    either case no file is left under a backup's name.
    """
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{backup_name(now(), tag)}.partial"
    # Created here, not by SQLite, so its mode is set before any data is in it: the mode
    # goes with the file to its final name, and a umask of 022 would make it world-readable.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, BACKUP_MODE)
    except OSError:
        pass  # vfat (a USB stick) has no modes: its mount options (uid=, fmask=) decide
    finally:
        os.close(descriptor)
    try:
        copy = sqlite3.connect(str(partial), isolation_level=None)
        try:
            source.backup(copy)
            # The copy carries the source's WAL flag; a backup is one file, readable alone.
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
        info = verify_backup(partial)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        final = _reserve(folder, tag, now)
        os.replace(partial, final)
        _fsync_dir(folder)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupInfo(final, info.schema_version, info.events, info.last_event_id)


def _reserve(folder: Path, tag: str | None, now: Callable[[], datetime]) -> Path:
    """Create an empty file under a fresh backup name (``O_EXCL``): never overwrite one."""
    while True:
        path = folder / backup_name(now(), tag)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640))
        except FileExistsError:
            time.sleep(0.001)  # another backup took this microsecond; the clock moves on
            continue
        return path


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems (vfat on a USB stick) refuse fsync on a directory
    finally:
        os.close(descriptor)


def verify_backup(path: Path) -> BackupInfo:
    """Check that ``path`` is a whole appliance database this program can use.

    In order: a regular file with the SQLite header, ``PRAGMA integrity_check`` ok, our
    tables and a schema version from 1 to :data:`~ult.migrations.LATEST`. Opened read-only
    and ``immutable`` (nothing is written beside it, not even ``-shm``). Raises
    :class:`BackupInvalid`.
    """
    if not path.is_file():
        raise BackupInvalid(path, "missing")
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupInvalid(path, "missing", str(error)) from error
    if header != SQLITE_HEADER:
        raise BackupInvalid(path, "not_sqlite")
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as error:
        raise BackupInvalid(path, "damaged", str(error)) from error
    try:
        checked = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if checked != ["ok"]:
            raise BackupInvalid(path, "damaged", "; ".join(checked[:3]))
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version == 0 or not tables.issuperset(_REQUIRED_TABLES):
            raise BackupInvalid(path, "not_ours")
        if version > LATEST:
            raise BackupInvalid(path, "too_new", f"{version} > {LATEST}")
        count, last = conn.execute("SELECT count(*), coalesce(max(id), 0) FROM events").fetchone()
    except sqlite3.Error as error:
        raise BackupInvalid(path, "damaged", str(error)) from error
    finally:
        conn.close()
    return BackupInfo(path, version, int(count), int(last))


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` untagged backups in ``folder`` (those ``ult backup``
    writes, by exact name); return those deleted. Tagged backups do not count and stay."""
    found = [path for path in list_backups(folder) if _UNTAGGED.fullmatch(path.name)]
    doomed = found[: max(len(found) - keep, 0)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def newest_usable(folders: Iterable[Path]) -> Path | None:
    """The newest backup in ``folders`` that passes :func:`verify_backup` (this program can
    open it), or ``None``: the one to go back to when the database is newer than the program."""
    found = sorted({p for folder in folders for p in list_backups(folder)}, key=lambda p: p.name)
    for path in reversed(found):
        try:
            verify_backup(path)
        except BackupInvalid:
            continue
        return path
    return None
