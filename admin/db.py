"""The database and the queue of one request (Flask's ``g``), closed at teardown."""

from __future__ import annotations

import sqlite3

import sqlite_utils
from flask import Flask, current_app, g

from kiosk.queue import Queue
from kiosk.settings import Settings
from kiosk.store import NotInitialised, SchemaTooNew, connect


class DatabaseUnavailable(Exception):
    """The appliance database cannot be opened (missing, not initialised, too new)."""


def settings() -> Settings:
    """The appliance settings the app was created with."""
    return current_app.config["ULT_SETTINGS"]


def get_db() -> sqlite_utils.Database:
    """This request's connection to the appliance database (opened on first use).

    Never creates or migrates: ``ult init`` owns the schema. Raises
    :class:`DatabaseUnavailable` when the file cannot be used.
    """
    if "db" not in g:
        try:
            g.db = connect(settings().store.database, create=False, migrate_schema=False)
        except (OSError, sqlite3.Error, NotInitialised, SchemaTooNew) as exc:
            raise DatabaseUnavailable(str(exc)) from exc
    return g.db


def get_queue() -> Queue:
    """The queue domain over this request's connection, with the app's clock."""
    if "queue" not in g:
        g.queue = Queue(get_db(), settings(), clock=current_app.config["ULT_CLOCK"])
    return g.queue


def close_db(_error: BaseException | None = None) -> None:
    """Teardown: close this request's connection."""
    db = g.pop("db", None)
    g.pop("queue", None)
    if db is not None:
        db.close()


def init_app(app: Flask) -> None:
    """Register the teardown."""
    app.teardown_appcontext(close_db)
