"""The SQLite store: one file shared by the appliance's processes.

Every connection, in every process, sets WAL, ``synchronous=FULL`` (a commit survives a
power cut, so a printed number is never issued again), ``foreign_keys=ON`` and a busy
timeout. Every transaction that may write starts with ``BEGIN IMMEDIATE``: sqlite-utils'
own ``atomic()`` opens a deferred ``BEGIN``, which fails at once with "database is locked"
when another process wrote between its read and its write (PITFALLS, store).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from ult.migrations import LATEST, MIGRATIONS


class SchemaTooNew(RuntimeError):
    """The database was made by a newer version of this program (``found`` > ``supported``)."""

    def __init__(self, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            f"database schema version {found} is newer than this program ({supported})"
        )


class NotInitialised(FileNotFoundError):
    """The file exists but holds no appliance schema (empty, or another program's)."""


BUSY_TIMEOUT_SECONDS = 10.0
"""How long a writer waits for another process's transaction before giving up."""


def connect(
    path: Path | str, *, migrate_schema: bool = True, create: bool = True
) -> sqlite_utils.Database:
    """Open the appliance database at ``path`` with the store's pragmas.

    The directory must be writable, even for readers (WAL needs ``-wal`` and ``-shm``
    beside the file). With ``create`` a missing file (and its directory) is created and
    given the schema; without, a missing file raises ``FileNotFoundError`` and a file without
    the schema (a zero-byte or foreign file, e.g. a truncated restore) :class:`NotInitialised`,
    rather than silently becoming an empty queue. With ``migrate_schema`` the schema is
    brought to the latest version. Raises ``sqlite3.Error`` when the file cannot be opened or
    is not a database, :class:`SchemaTooNew` when a newer program made it.
    """
    path = Path(path)
    if not create and not path.is_file():
        raise FileNotFoundError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path),
        timeout=BUSY_TIMEOUT_SECONDS,
        isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
        check_same_thread=False,
    )
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    # Before WAL is switched on, which would write a header into an empty file.
    if not create and int(conn.execute("PRAGMA user_version").fetchone()[0]) == 0:
        conn.close()
        raise NotInitialised(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    db = sqlite_utils.Database(conn, execute_plugins=False)
    if migrate_schema:
        migrate(db)
    return db


_WRITERS = threading.RLock()
"""Serialises this process's write transactions (re-entrant: a write may nest helpers)."""


@contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock at its start (``BEGIN IMMEDIATE``).

    Commits when the block ends normally, rolls back on any exception and re-raises it.
    Threads of one process (the web server's) queue on :data:`_WRITERS` first: SQLite's
    busy handler makes a writer that finds the lock taken sleep in steps of up to 100 ms,
    which turned eight counters calling at once into half-second waits. Other processes
    still meet at SQLite's own lock.
    """
    with _WRITERS:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise


def schema_version(db: sqlite_utils.Database) -> int:
    """The number of migrations applied to ``db``."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database, *, target: int = LATEST) -> int:
    """Apply the pending migrations up to ``target`` in one transaction; return the version.

    Safe to call from several processes at once: the version is read under the write lock.
    Raises :class:`SchemaTooNew` when the database is newer than this program.
    """
    if schema_version(db) == target:
        return target
    with immediate(db):
        current = schema_version(db)
        if current > LATEST:
            raise SchemaTooNew(current, LATEST)
        for number in range(current, target):
            MIGRATIONS[number](db)
        db.execute(f"PRAGMA user_version = {max(current, target)}")
    return schema_version(db)


def checkpoint(db: sqlite_utils.Database) -> None:
    """Fold the WAL into the database file and truncate it (done at each day reset).

    A reader that never lets go starves checkpoints; this keeps ``-wal`` from growing.
    """
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def row(db: sqlite_utils.Database, sql: str, params: Any = ()) -> dict[str, Any] | None:
    """The first row of ``sql`` as a dict, or ``None``."""
    cursor = db.execute(sql, params)
    found = cursor.fetchone()
    if found is None:
        return None
    return dict(zip([c[0] for c in cursor.description], found, strict=True))


def rows(db: sqlite_utils.Database, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    """All rows of ``sql`` as dicts."""
    cursor = db.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, found, strict=True)) for found in cursor.fetchall()]


def integrity_ok(db: sqlite_utils.Database) -> bool:
    """True when ``PRAGMA integrity_check`` reports ``ok``."""
    return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
