"""The write transaction every writer uses: ``BEGIN IMMEDIATE`` behind a per-process lock.

A leaf module (it imports nothing of ours), so both the store and the modules the
migrations use (the step record's rebuild) can open one; :mod:`ult.store` re-exports it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils

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
