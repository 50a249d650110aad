"""The database and the queue of one request (Flask's ``g``), closed at teardown."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

import sqlite_utils
from flask import Flask, current_app, g

from ult.queue import Queue
from ult.settings import AdminSettings, Settings
from ult.store import FollowedFile, StoreUnavailable

THREAD_CACHE_MIN_KIB = 256
"""The least page cache a server thread's connection keeps, however many threads share
``admin.cache_mb``: the everyday reads' index pages fit in it with room to spare."""


def thread_cache_kib(admin: AdminSettings) -> int:
    """The SQLite page cache (KiB, for ``PRAGMA cache_size = -n``) of one server thread's
    connection: its share of ``admin.cache_mb``, at least :data:`THREAD_CACHE_MIN_KIB`."""
    return max(THREAD_CACHE_MIN_KIB, admin.cache_mb * 1024 // admin.threads)


class DatabaseUnavailable(Exception):
    """The appliance database cannot be opened (missing, not initialised, too new)."""


def settings() -> Settings:
    """The appliance settings the app was created with."""
    return current_app.config["ULT_SETTINGS"]


def get_db() -> sqlite_utils.Database:
    """This request's connection to the appliance database.

    Each server thread keeps one connection across its requests: opening one per request
    cost 2-3 ms of cold cache and pragmas every time. It is reopened when the file was
    replaced (a restore) and never holds a transaction between requests (every write is
    one ``BEGIN IMMEDIATE`` block). Never creates or migrates: ``ult init`` owns the
    schema. Raises :class:`DatabaseUnavailable` when the file cannot be used.
    """
    if "db" not in g:
        g.db = _thread_connection(settings().store.database)
    return g.db


def _thread_connection(path: Path) -> sqlite_utils.Database:
    local = current_app.extensions.setdefault("ult_connections", threading.local())
    generation = current_app.extensions.get("ult_connection_generation", 0)
    if (
        getattr(local, "db", None) is not None
        and not local.followed.replaced()
        and local.generation == generation
    ):
        return local.db
    _drop(local)
    local.followed = FollowedFile(path)
    try:
        local.db = local.followed.open()
    except StoreUnavailable as exc:
        raise DatabaseUnavailable(str(exc)) from exc
    # Every thread keeps its connection and its cache: their sum is the setting, not
    # SQLite's 2 MB times the threads (PITFALLS).
    local.db.execute(f"PRAGMA cache_size = -{thread_cache_kib(settings().admin)}")
    local.generation = generation
    return local.db


def _drop(local: threading.local) -> None:
    db = getattr(local, "db", None)
    local.db = None
    if db is not None:
        with contextlib.suppress(sqlite3.Error):
            db.close()


def get_queue() -> Queue:
    """The queue domain over this request's connection, with the app's clock."""
    if "queue" not in g:
        g.queue = Queue(get_db(), settings(), clock=current_app.config["ULT_CLOCK"])
    return g.queue


def discard_db() -> None:
    """Drop this thread's connection after it failed (a file moved or damaged under it):
    the next request opens the database afresh instead of reusing a broken handle."""
    g.pop("db", None)
    g.pop("queue", None)
    # Every thread's handle to that file may share the broken state (SQLite keeps one
    # shared-memory index per file and process): each thread reopens at its next request.
    extensions = current_app.extensions
    extensions["ult_connection_generation"] = extensions.get("ult_connection_generation", 0) + 1
    local = extensions.get("ult_connections")
    if local is not None:
        _drop(local)


def close_db(_error: BaseException | None = None) -> None:
    """Teardown: forget this request's handles; the thread's connection stays open, with
    no transaction left behind (a failed request's is rolled back)."""
    db = g.pop("db", None)
    g.pop("queue", None)
    if db is not None and db.conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            db.conn.execute("ROLLBACK")


def init_app(app: Flask) -> None:
    """Register the teardown."""
    app.teardown_appcontext(close_db)
