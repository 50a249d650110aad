"""The SQLite store: one file shared by the appliance's processes.

Every connection, in every process, sets WAL, ``synchronous=FULL`` (a commit survives a
power cut, so a printed number is never issued again), ``foreign_keys=ON`` and a busy
timeout. Every transaction that may write starts with ``BEGIN IMMEDIATE``: sqlite-utils'
own ``atomic()`` opens a deferred ``BEGIN``, which fails at once with "database is locked"
when another process wrote between its read and its write (PITFALLS, store).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import sqlite_utils

from ult.backup import BACKUP_DIR_NAME, write_backup
from ult.migrations import LATEST, MIGRATIONS
from ult.queries import last_event_id
from ult.transaction import immediate

log = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    """The appliance database cannot be used now; callers catch this one name.

    Its children say why: :class:`StoreMissing`, :class:`NotInitialised`,
    :class:`SchemaTooNew`, :class:`StoreOpenFailed`. A reader reports it and tries again
    later. Each child also stays the built-in kind it was before the family existed
    (``FileNotFoundError``, ``RuntimeError``, ``OSError``), so older ``except`` clauses
    still catch it.
    """


class SchemaTooNew(StoreUnavailable, RuntimeError):
    """The database was made by a newer version of this program (``found`` > ``supported``)."""

    def __init__(self, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            f"database schema version {found} is newer than this program ({supported})"
        )


class NotInitialised(StoreUnavailable, FileNotFoundError):
    """The file exists but holds no appliance schema (empty, or another program's)."""


class StoreMissing(StoreUnavailable, FileNotFoundError):
    """There is no file at the path, and the caller asked not to create one."""


class StoreOpenFailed(StoreUnavailable, OSError):
    """The file cannot be opened or is not a database; the ``OSError`` or ``sqlite3.Error``
    met while opening it is ``error`` (and the ``__cause__``)."""

    def __init__(self, path: Path, error: OSError | sqlite3.Error) -> None:
        self.path = path
        self.error = error
        super().__init__(f"{path}: {type(error).__name__} {error}")


OWNER_LOCK_NAME = "kiosk.lock"
"""File beside the database that ``ult kiosk`` holds locked (flock) while it runs; named
here because ``ult restore`` must see it too."""

BUSY_TIMEOUT_SECONDS = 10.0
"""How long a writer waits for another process's transaction before giving up."""


def connect(
    path: Path | str, *, migrate_schema: bool = True, create: bool = True
) -> sqlite_utils.Database:
    """Open the appliance database at ``path`` with the store's pragmas.

    The directory must be writable, even for readers (WAL needs ``-wal`` and ``-shm``
    beside the file). With ``create`` a missing file (and its directory) is created and
    given the schema; without, a missing file raises :class:`StoreMissing` and a file
    without the schema (a zero-byte or foreign file, e.g. a truncated restore)
    :class:`NotInitialised`, rather than silently becoming an empty queue. With
    ``migrate_schema`` the schema is brought to the latest version. Raises
    :class:`StoreOpenFailed` when the file cannot be opened or is not a database,
    :class:`SchemaTooNew` when a newer program made it: all :class:`StoreUnavailable`.
    """
    try:
        return _connect(Path(path), migrate_schema=migrate_schema, create=create)
    except StoreUnavailable:
        raise
    except (OSError, sqlite3.Error) as exc:
        raise StoreOpenFailed(Path(path), exc) from exc


def _connect(path: Path, *, migrate_schema: bool, create: bool) -> sqlite_utils.Database:
    if not create and not path.is_file():
        raise StoreMissing(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path),
        timeout=BUSY_TIMEOUT_SECONDS,
        isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
        check_same_thread=False,
    )
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    # Before WAL is switched on, which would write a header into an empty file.
    try:
        if not create and int(conn.execute("PRAGMA user_version").fetchone()[0]) == 0:
            raise NotInitialised(path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = sqlite_utils.Database(conn, execute_plugins=False)
        if migrate_schema:
            migrate(db)
    except BaseException:
        conn.close()
        raise
    return db


def schema_version(db: sqlite_utils.Database) -> int:
    """The number of migrations applied to ``db``."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database, *, target: int = LATEST) -> int:
    """Apply the pending migrations up to ``target`` in one transaction; return the version.

    An existing database (schema version 1 or more) is first backed up beside it, in
    ``backups/`` (tag ``before-v<target>``), and the backup and the migration are logged:
    an upgrade that goes wrong can be undone with ``ult restore``. Safe to call from
    several processes at once: the version is read again under the write lock (two
    processes may then both write a backup; names never collide). Raises
    :class:`SchemaTooNew` when the database is newer than this program.
    """
    current = schema_version(db)
    if current == target:
        return target
    if current > LATEST:
        raise SchemaTooNew(current, LATEST)
    if current > 0:
        folder = _database_file(db).parent / BACKUP_DIR_NAME
        # Before BEGIN IMMEDIATE: the backup API waits forever on its own connection's
        # open transaction.
        saved = write_backup(db.conn, folder, tag=f"before-v{target}")
        log.info("database at schema %d backed up to %s before migrating", current, saved.path)
    with immediate(db):
        current = schema_version(db)
        if current > LATEST:
            raise SchemaTooNew(current, LATEST)
        for number in range(current, target):
            MIGRATIONS[number](db)
        db.execute(f"PRAGMA user_version = {max(current, target)}")
    if current < target:
        log.info("database %s migrated from schema %d to %d", _database_file(db), current, target)
    return schema_version(db)


def _database_file(db: sqlite_utils.Database) -> Path:
    """The file of the connection's main database."""
    return Path(db.execute("PRAGMA database_list").fetchone()[2])


def checkpoint(db: sqlite_utils.Database) -> None:
    """Fold the WAL into the database file and truncate it (done at each day reset).

    A reader that never lets go starves checkpoints; this keeps ``-wal`` from growing.
    """
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


FileIdentity = tuple[int, int]
"""``(device, inode)`` of a database file: what tells a replaced file from the same one."""


def file_identity(path: Path | str) -> FileIdentity | None:
    """The identity of the file at ``path``, or ``None`` when there is none."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


class FollowedFile:
    """A long-lived reader's hold on the database file, to follow it when it is replaced.

    A restore or a re-setup puts a new file at the path; a connection kept open would go on
    showing the old one forever. :meth:`open` notes which file it opened; :meth:`replaced`
    tells when the path now names another file (or none), and :meth:`went_back` when an
    id this reader already saw is beyond the newest event, i.e. another log was put in place
    while the reader was away. Either way, close and reopen, and read from the new log's
    newest event on. Used by the board's feed, the staff pages' connections and the stream.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.identity: FileIdentity | None = None

    def open(self) -> sqlite_utils.Database:
        """Connect as a reader (never creating nor migrating) and note the file's identity.

        Raises :class:`StoreUnavailable`.
        """
        # The identity first: a file replaced between the two is then seen as replaced.
        identity = file_identity(self.path)
        db = connect(self.path, create=False, migrate_schema=False)
        self.identity = identity
        return db

    def replaced(self) -> bool:
        """True when the path no longer names the file :meth:`open` opened."""
        return self.identity is None or file_identity(self.path) != self.identity

    @staticmethod
    def went_back(db: sqlite_utils.Database, seen_id: int) -> bool:
        """True when the newest event of ``db`` is older than ``seen_id``, an id already seen."""
        return last_event_id(db) < seen_id
