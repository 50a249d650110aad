"""``ult admin``: the admin app under waitress, until SIGTERM or Ctrl+C.

waitress's settings are chosen for the board stream (PITFALLS, admin):

- ``threads`` from ``settings.admin.threads``: each open event stream holds one, and the
  settings keep at least 8 more than ``max_streams`` for pages and the API.
- ``channel_request_lookahead=1``: waitress keeps reading a connection while its request
  runs, so a board or browser that goes away is seen at once (``waitress.client_disconnected``
  in the environ, checked by the stream every second) instead of at the next failed write.
- ``connection_limit`` well above threads + streams: idle keep-alive connections of staff
  browsers must not make waitress stop accepting.
- ``channel_timeout``: idle keep-alive connections close after it; a running stream is a
  request in progress, which waitress never times out.
- ``asyncore_use_poll``: ``select()`` stops at 1024 file descriptors.

Shutdown: SIGTERM (``systemctl stop``) and SIGINT stop the loop, end every open stream (their
clients reconnect to the next server with their last event id), let the worker threads
finish for up to :data:`SHUTDOWN_GRACE_S` and close the sockets.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import signal
import sqlite3
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from flask import Flask
from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server

from admin.messages import ERRORS
from ult.messages import CLI
from ult.migrations import LATEST
from ult.settings import Settings
from ult.store import NotInitialised, SchemaTooNew, connect, schema_version

log = logging.getLogger(__name__)

CHANNEL_TIMEOUT_S = 60
"""Idle keep-alive connections close after this many seconds (running streams never do)."""
SHUTDOWN_GRACE_S = 5.0
"""How long requests in progress may take to finish after a stop signal."""
LOOP_TIMEOUT_S = 1.0
"""The event loop's poll timeout; a stop request also wakes it at once."""


class ServeError(Exception):
    """The server cannot start; ``str()`` is the Indonesian message for the technician."""


def check_database(settings: Settings) -> None:
    """Refuse a database ``ult admin`` cannot serve: missing or empty (``ult init`` first),
    unreadable, made by a newer program, or older than this one (``ult init`` upgrades it).

    Raises :class:`ServeError`.
    """
    path = settings.store.database
    try:
        db = connect(path, create=False, migrate_schema=False)
    except (FileNotFoundError, NotInitialised) as exc:
        raise ServeError(ERRORS["admin_database_missing"].format(path=path)) from exc
    except (OSError, sqlite3.Error, SchemaTooNew) as exc:
        raise ServeError(ERRORS["admin_database_error"].format(path=path, error=exc)) from exc
    try:
        version = schema_version(db)
    finally:
        db.close()
    if version < LATEST:
        raise ServeError(ERRORS["admin_database_old"].format(path=path))
    if version > LATEST:
        raise ServeError(CLI["schema_newer"].format(path=path, found=version, supported=LATEST))


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


class AdminServer:
    """The admin app on a waitress server bound to ``host:port`` (port 0: any free one).

    :meth:`run` serves in the calling thread until :meth:`stop` (from any thread or a
    signal handler). Binding happens in the constructor, so a taken port fails there:
    raises :class:`ServeError` with the Indonesian reason. ``adjustments`` override
    waitress settings chosen here (tests and benchmarks).
    """

    def __init__(
        self, app: Flask, settings: Settings, *, host: str, port: int, **adjustments: Any
    ) -> None:
        self.app = app
        self._database = settings.store.database
        self._map: dict[int, Any] = {}
        self._stop = threading.Event()
        admin = settings.admin
        chosen: dict[str, Any] = {
            "host": host,
            "port": port,
            "threads": admin.threads,
            "channel_timeout": CHANNEL_TIMEOUT_S,
            "channel_request_lookahead": 1,
            "connection_limit": max(100, 2 * admin.threads + admin.max_streams),
            "asyncore_use_poll": True,
            "ident": "ult",
        }
        chosen.update(adjustments)
        try:
            self.wsgi = create_server(app, map=self._map, **chosen)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                message = ERRORS["admin_port_taken"].format(host=host, port=port)
            else:
                message = ERRORS["admin_listen_failed"].format(host=host, port=port, error=exc)
            raise ServeError(message) from exc
        except ValueError as exc:  # waitress: a host name that does not resolve
            message = ERRORS["admin_listen_failed"].format(host=host, port=port, error=exc)
            raise ServeError(message) from exc
        # A name such as "localhost" can give one listening socket per address family:
        # waitress then returns a MultiSocketServer, which has the first one's address.
        listening = getattr(self.wsgi, "effective_listen", None)
        first = listening[0] if listening else (self.wsgi.effective_host, self.wsgi.effective_port)
        self.host = str(first[0])
        self.port = int(first[1])

    @property
    def url(self) -> str:
        """Where the server listens, e.g. ``http://0.0.0.0:8080/``."""
        return _url(self.host, self.port)

    def run(self) -> None:
        """Serve until :meth:`stop`; then end the streams and close everything."""
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=LOOP_TIMEOUT_S, map=self._map, use_poll=True, count=1)
        finally:
            self._shutdown()

    def stop(self) -> None:
        """Ask :meth:`run` to return. Safe from a signal handler and from other threads."""
        self._stop.set()
        for dispatcher in list(self._map.values()):
            if isinstance(dispatcher, BaseWSGIServer):
                with contextlib.suppress(OSError):
                    dispatcher.pull_trigger()  # wakes the loop's poll() now
                break

    def _shutdown(self) -> None:
        from admin.stream import close_streams

        # Streams first: each holds a worker thread the dispatcher would wait for.
        close_streams(self.app)
        self.wsgi.task_dispatcher.shutdown(cancel_pending=True, timeout=SHUTDOWN_GRACE_S)
        wasyncore.close_all(self._map, ignore_all=True)


@contextlib.contextmanager
def _stop_on_signals(server: AdminServer) -> Iterator[None]:
    """SIGTERM and SIGINT stop ``server`` cleanly (main thread only; restored after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping", signum)
        server.stop()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _logging() -> None:
    """Our INFO lines reach stderr (the journal under systemd adds the time)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
    for name in ("admin", "kiosk"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)


def serve(settings: Settings, *, host: str | None = None, port: int | None = None) -> None:
    """Run the admin app under waitress until SIGTERM/SIGINT; ``host``/``port`` override
    ``settings.admin`` (port 0: any free port, logged).

    Logs one line with the URL when it listens. Raises :class:`ServeError` (Indonesian
    message) when the database is not ready or the address cannot be bound.
    """
    from admin import create_app

    _logging()
    check_database(settings)
    host = settings.admin.host if host is None else host
    port = settings.admin.port if port is None else port
    app = create_app(settings)
    server = AdminServer(app, settings, host=host, port=port)
    log.info(
        "admin app listening on %s (%d threads, at most %d board streams)",
        server.url,
        settings.admin.threads,
        settings.admin.max_streams,
    )
    with _stop_on_signals(server):
        server.run()
    log.info("admin app stopped")
