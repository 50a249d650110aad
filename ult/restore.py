"""Putting a backup back in place of the appliance database (``ult restore``).

The backup is copied *into* the live database through SQLite's online backup API, not over
its file: SQLite then handles ``-wal`` and ``-shm`` itself. Copying a file over a database
whose ``-wal`` still holds newer commits (a service that was killed, or still running) is
undone at the next open, which replays that WAL onto the copied file: the "restore" keeps
the newer data and restores nothing. Through the API, the live database is opened first
(its WAL recovered), then every page is replaced in one write transaction, so what is
restored is exactly the backup.

Refused while another process has the database open: the kiosk daemon (its ``kiosk.lock``)
or any other connection, seen on the WAL-index's "dead man switch" lock that every SQLite
connection in WAL mode holds shared while it is open (sqlite.org/walformat.html, 2.3.2).
A service writing after the restore would be harmless for SQLite, but a board or a page that
read the old log would go on from event ids the backup never had.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from ult.backup import BackupInfo, verify_backup, write_backup
from ult.queue import Queue
from ult.settings import Settings
from ult.store import OWNER_LOCK_NAME, StoreUnavailable, checkpoint, connect, migrate
from ult.system import active_units, start_units, stop_units

_SHM_DMS_OFFSET: Final = 128
"""Byte of ``-shm`` that each open WAL connection locks shared: 120 + 8 lock slots."""
STOP_WAIT_SECONDS: Final = 15.0
"""How long after ``systemctl stop`` the last connection may take to close."""


class RestoreRefused(Exception):
    """The restore was not done; nothing was changed. ``reason`` is a ``CLI`` message code
    (``restore_in_use``, ``restore_no_units``, ``restore_stop_failed``,
    ``restore_still_in_use``, ``restore_same``)."""

    def __init__(self, reason: str, **values: object) -> None:
        self.reason = reason
        self.values = values
        super().__init__(reason)


@dataclass(frozen=True)
class Restored:
    """What :func:`restore` did: the backup put in place, the copy of the database it
    replaced (``None`` when there was none to keep), and the units it stopped and started."""

    backup: BackupInfo
    previous: Path | None
    event_id: int
    units: list[str] = field(default_factory=list)


def users(database: Path) -> list[str]:
    """Who has ``database`` open besides this process: ``"kiosk"`` (``ult kiosk`` holds its
    lock) and/or ``"connection"`` (another process's SQLite connection).

    POSIX record locks belong to the process, and closing any descriptor of a file drops them
    all: call this before this process opens the database, never while it has it open.
    """
    found = []
    if _flock_held(database.parent / OWNER_LOCK_NAME):
        found.append("kiosk")
    try:
        descriptor = os.open(f"{database}-shm", os.O_RDWR)
    except FileNotFoundError:
        return found  # no WAL index: nobody has the database open
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_OFFSET)
    except OSError:
        found.append("connection")
    finally:
        os.close(descriptor)
    return found


def _flock_held(path: Path) -> bool:
    try:
        handle = path.open("rb")
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


def restore(
    source: Path, settings: Settings, *, actor: str, backups: Path, stop_services: bool
) -> Restored:
    """Replace the database of ``settings`` by the backup ``source``.

    Verifies ``source`` first (:func:`~ult.backup.verify_backup`, raises
    :class:`~ult.backup.BackupInvalid`). While another process has the database open,
    refuses (:class:`RestoreRefused`) unless ``stop_services``: then stops the appliance's
    running units, restores, and starts them again. Keeps the replaced database as a backup
    in ``backups`` (tag ``before-restore``), brings an older backup's schema up to date
    (with its own backup first) and appends a ``restored`` event.
    """
    database = settings.store.database
    info = verify_backup(source)
    if database.exists() and source.resolve() == database.resolve():
        raise RestoreRefused("restore_same", path=database)
    stopped: list[str] = []
    busy = users(database)
    if busy:
        if not stop_services:
            raise RestoreRefused("restore_in_use", path=database, who=", ".join(busy))
        stopped = active_units()
        if not stopped:
            raise RestoreRefused("restore_no_units", path=database, who=", ".join(busy))
        result = stop_units(stopped)
        if result is None or result.code != 0:
            start_units(stopped)
            detail = result.out if result is not None else "systemctl"
            raise RestoreRefused("restore_stop_failed", units=" ".join(stopped), error=detail)
    try:
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while stopped and (busy := users(database)) and time.monotonic() < deadline:
            time.sleep(0.2)
        if stopped and busy:
            raise RestoreRefused("restore_still_in_use", path=database, who=", ".join(busy))
        previous = _keep_previous(database, backups)
        event_id = _put_in_place(source, info, settings, actor)
    finally:
        if stopped:
            start_units(stopped)
    return Restored(info, previous, event_id, stopped)


def _keep_previous(database: Path, backups: Path) -> Path | None:
    """A backup of the database about to be replaced, when it is one (a damaged or empty
    file is what a restore is for: nothing to keep then)."""
    try:
        db = connect(database, create=False, migrate_schema=False)
    except StoreUnavailable:
        return None
    try:
        return write_backup(db.conn, backups, tag="before-restore").path
    except sqlite3.DatabaseError:
        return None
    finally:
        db.close()


def _put_in_place(source: Path, info: BackupInfo, settings: Settings, actor: str) -> int:
    """Copy every page of ``source`` into the database, migrate, record, checkpoint."""
    db = connect(settings.store.database, create=True, migrate_schema=False)
    try:
        backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            backup.backup(db.conn)
        finally:
            backup.close()
        migrate(db)
        event_id = Queue(db, settings).record_restore(source.name, events=info.events, actor=actor)
        checkpoint(db)
    finally:
        db.close()
    return event_id
