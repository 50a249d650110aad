"""Can the appliance write? The check behind ``/healthz`` (and anyone who must know).

Opening the database says nothing about writing: a write lock held by another process, a
full disk or a file system gone read-only let every read succeed while every ticket fails
(PITFALLS, learned on our own appliance). So the check does what a write needs:

- the write lock: ``BEGIN IMMEDIATE`` with a short busy timeout, then ``ROLLBACK`` (nothing
  is written);
- the file system: not mounted read-only, the directory writable by us (``statvfs``,
  ``access``: nothing written);
- room on the disk: the free space ``statvfs`` reports, and only when that is below
  :data:`SCRATCH_BELOW_BYTES`, :data:`PROBE_BYTES` written to a scratch file beside the
  database and removed at once (never synced: ``write()`` fails with ``ENOSPC`` as soon as
  the blocks cannot be reserved, exactly as SQLite's own write would). The watchdog asks
  every few seconds: a scratch file each time would cost the SD card a journal commit each
  time for nothing while the disk has room.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

LOCK_WAIT_S = 0.5
"""How long the check waits for another writer (a normal write takes milliseconds)."""
PROBE_BYTES = 64 * 1024
"""What the disk must still take: a few pages of WAL."""
SCRATCH_BELOW_BYTES = 64 * 1024 * 1024
"""Free space under which the scratch write runs (reserved blocks and quotas make the
reported figure approximate near the end)."""

DISK_FULL = "disk_full"
READ_ONLY = "read_only"
NO_PERMISSION = "no_permission"
LOCKED = "database_locked"
WRITE_FAILED = "write_failed"
CAUSES = (DISK_FULL, READ_ONLY, NO_PERMISSION, LOCKED, WRITE_FAILED)
"""Why writing fails, one code each (the API's ``error`` codes)."""


@dataclass(frozen=True)
class WriteCheck:
    """``cause`` is None when the appliance can write, else one of :data:`CAUSES`;
    ``detail`` the system's own words (for logs); ``free_bytes`` what an unprivileged
    process may still write on the database's file system (None: unknown)."""

    cause: str | None
    detail: str
    free_bytes: int | None

    @property
    def ok(self) -> bool:
        return self.cause is None


def free_bytes(directory: Path) -> int | None:
    """Bytes an unprivileged process may still write under ``directory`` (``f_bavail``:
    root's reserve does not count, since the services do not run as root)."""
    try:
        found = os.statvfs(directory)
    except OSError:
        return None
    return found.f_bavail * found.f_frsize


def check_writable(db: sqlite_utils.Database, path: Path) -> WriteCheck:
    """Whether ``db`` (the appliance database at ``path``) can be written now; takes at
    most about :data:`LOCK_WAIT_S` seconds. Leaves nothing behind."""
    free = free_bytes(path.parent)
    disk = _disk_problem(path.parent, free)
    if disk is not None:
        return WriteCheck(disk[0], disk[1], free)
    lock = _lock_problem(db)
    if lock is not None:
        return WriteCheck(lock[0], lock[1], free)
    return WriteCheck(None, "", free)


def _disk_problem(directory: Path, free: int | None) -> tuple[str, str] | None:
    try:
        if os.statvfs(directory).f_flag & os.ST_RDONLY:
            return READ_ONLY, f"{directory}: read-only file system"
    except OSError as exc:
        return _cause(exc), str(exc)
    if not os.access(directory, os.W_OK):
        return NO_PERMISSION, f"{directory}: no write permission"
    if free is not None and free >= SCRATCH_BELOW_BYTES:
        return None
    try:
        handle, name = tempfile.mkstemp(prefix=".ult-write-check-", dir=directory)
    except OSError as exc:
        return _cause(exc), str(exc)
    try:
        left = memoryview(bytes(PROBE_BYTES))
        while left:  # a nearly full disk takes part of a write, then refuses the rest
            left = left[os.write(handle, left) :]
    except OSError as exc:
        return _cause(exc), str(exc)
    finally:
        os.close(handle)
        with contextlib.suppress(OSError):
            os.unlink(name)
    return None


def _cause(exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DISK_FULL
    if exc.errno == errno.EROFS:
        return READ_ONLY
    if exc.errno in (errno.EACCES, errno.EPERM):
        return NO_PERMISSION
    return WRITE_FAILED


def _lock_problem(db: sqlite_utils.Database) -> tuple[str, str] | None:
    conn = db.conn
    previous = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    conn.execute(f"PRAGMA busy_timeout = {int(LOCK_WAIT_S * 1000)}")
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        text = str(exc)
        if "locked" in text or "busy" in text:
            return LOCKED, text
        return (READ_ONLY if "readonly" in text else WRITE_FAILED), text
    finally:
        conn.execute(f"PRAGMA busy_timeout = {previous}")
    return None
