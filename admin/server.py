"""``ult admin``: the admin app under waitress, until SIGTERM or Ctrl+C.

waitress's settings are chosen for the board stream (PITFALLS, admin):

- ``threads`` from ``settings.admin.threads``: each open event stream holds one, and the
  settings keep at least 8 more than ``max_streams`` for pages and the API.
- ``channel_request_lookahead=1``: waitress keeps reading a connection while its request
  runs, so a board or browser that goes away is seen at once (``waitress.client_disconnected``
  in the environ, checked by the stream every second) instead of at the next failed write.
- ``connection_limit`` (:data:`CONNECTION_LIMIT`, within the open-file limit, which
  :func:`raise_open_files` lifts to its hard maximum): an idle connection costs waitress a
  socket and a few kilobytes, no thread, so one LAN client holding hundreds of connections
  open without a request must not make waitress stop accepting (PITFALLS; 300 idle
  sockets took every page down for 81 s with a limit of 100).
- ``channel_timeout`` and ``cleanup_interval``: a connection idle that long (no request
  yet, or between keep-alive requests) is closed, swept every ``cleanup_interval``; a
  running stream is a request in progress, which waitress never times out.
- ``backlog``: connections the kernel queues while the loop is busy accepting others.
- ``asyncore_use_poll``: ``select()`` stops at 1024 file descriptors.

More than :data:`CONNECTION_LIMIT` connections from one client is left to a reverse proxy
(nginx, §8 of issue 12), which can limit connections per address; waitress cannot.

Under systemd (``Type=notify``, see :mod:`ult.notify`) the serving loop sends ``READY=1``
once the server has answered its own ``/healthz``, and ``WATCHDOG=1`` only while such an
answer is recent: a :class:`SelfProbe` thread asks, the loop decides. So a loop that hangs
and worker threads that all hang (each answer needs one) both stop the pings, and so does
the board streams' poller stuck in a read (:data:`STREAM_STALL_S`); systemd then restarts
``ult admin``. A 503 is an answer: a full disk or a held lock is no reason to restart.

Shutdown: SIGTERM (``systemctl stop``) and SIGINT stop the loop, end every open stream (their
clients reconnect to the next server with their last event id), let the worker threads
finish for up to :data:`SHUTDOWN_GRACE_S` and close the sockets.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import resource
import signal
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from types import FrameType
from typing import Any

from flask import Flask
from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server

from admin.messages import ERRORS
from ult.logs import configure_stderr
from ult.messages import CLI
from ult.migrations import LATEST
from ult.notify import Notifier
from ult.settings import Settings
from ult.store import NotInitialised, SchemaTooNew, connect, schema_version

log = logging.getLogger(__name__)

CHANNEL_TIMEOUT_S = 30
"""Connections idle this many seconds (before a first request or between keep-alive
requests) are closed; running streams never are."""
CLEANUP_INTERVAL_S = 5
"""How often waitress looks for connections idle longer than :data:`CHANNEL_TIMEOUT_S`."""
CONNECTION_LIMIT = 2000
"""Open connections at most; each is a file descriptor, see :func:`connection_limit`."""
BACKLOG = 1024
"""The listening socket's queue of connections not yet accepted."""
FILES_RESERVED = 64
"""File descriptors kept for everything but connections: the database files of each
thread's connection (3 each, counted apart), logs, the journal, Python's own."""
PROBE_PATH = "/healthz"
"""What the watchdog's self-probe asks."""
PROBE_INTERVAL_S = 5.0
"""Seconds between self-probes (a shorter watchdog interval probes faster)."""
STREAM_STALL_S = 45.0
"""The streams' poller not turning for this long is stuck (its longest wait is 30 s)."""
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


def raise_open_files() -> int:
    """Lift this process's soft limit of open files to its hard limit; return the soft
    limit now in force. systemd gives services 1024 (soft) and far more (hard): a server
    that holds connections asks for what it may have, as ``sd_notify``'s own advice goes."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        wanted = CONNECTION_LIMIT * 2 if hard == resource.RLIM_INFINITY else hard
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def connection_limit(threads: int, open_files: int) -> int:
    """Connections waitress may hold: :data:`CONNECTION_LIMIT`, less when the open-file
    limit ``open_files`` cannot hold them besides ``threads`` database connections."""
    room = open_files - FILES_RESERVED - 3 * threads
    return max(threads, min(CONNECTION_LIMIT, room))


class SelfProbe:
    """Asks ``url`` every ``interval_s`` seconds in a thread; :meth:`answered_within` tells
    whether an HTTP answer (any status) came recently. Connection errors and timeouts are no
    answer. Started by :meth:`start`, ended by :meth:`stop`."""

    def __init__(self, url: str, *, interval_s: float = PROBE_INTERVAL_S) -> None:
        self.url = url
        self.interval_s = interval_s
        self.last_answer = float("-inf")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ult-admin-probe", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def answered_within(self, seconds: float) -> bool:
        return time.monotonic() - self.last_answer <= seconds

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._ask():
                self.last_answer = time.monotonic()
            self._stop.wait(self.interval_s)

    def _ask(self) -> bool:
        try:
            with _DIRECT.open(self.url, timeout=self.interval_s) as response:
                response.read()
        except urllib.error.HTTPError as answer:
            answer.close()  # 503: it answers; what is wrong is said in the body
        except OSError:
            return False
        return True


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""The self-probe goes straight to the server, whatever ``http_proxy`` says."""


def _probe_host(host: str) -> str:
    """The address to reach a server listening on ``host``: loopback for a wildcard."""
    return {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)


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
        self.stream_stall_s = STREAM_STALL_S
        self._stall_logged = False
        self._database = settings.store.database
        self._map: dict[int, Any] = {}
        self._stop = threading.Event()
        admin = settings.admin
        chosen: dict[str, Any] = {
            "host": host,
            "port": port,
            "threads": admin.threads,
            "channel_timeout": CHANNEL_TIMEOUT_S,
            "cleanup_interval": CLEANUP_INTERVAL_S,
            "channel_request_lookahead": 1,
            "connection_limit": connection_limit(
                admin.threads, resource.getrlimit(resource.RLIMIT_NOFILE)[0]
            ),
            "backlog": BACKLOG,
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

    def run(self, notifier: Notifier | None = None) -> None:
        """Serve until :meth:`stop`; then end the streams and close everything.

        With an enabled ``notifier`` (systemd), ``READY=1`` follows the first answer to the
        self-probe and ``WATCHDOG=1`` each turn of the loop while answers are recent (see
        the module docstring).
        """
        probe = None
        if notifier is not None and notifier.enabled:
            interval = PROBE_INTERVAL_S
            if notifier.watchdog_s is not None:
                interval = min(interval, notifier.watchdog_s / 4)
            url = _url(_probe_host(self.host), self.port) + PROBE_PATH.lstrip("/")
            probe = SelfProbe(url, interval_s=interval)
            probe.start()
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=LOOP_TIMEOUT_S, map=self._map, use_poll=True, count=1)
                if probe is not None and notifier is not None:
                    self._notify(probe, notifier)
        finally:
            if probe is not None and notifier is not None:
                probe.stop()
                notifier.stopping()
            self._shutdown()

    def _notify(self, probe: SelfProbe, notifier: Notifier) -> None:
        from admin.stream import streams_stalled

        # Recent: within two probe intervals, so one slow answer is not yet a hang.
        if not probe.answered_within(2 * probe.interval_s + LOOP_TIMEOUT_S):
            return
        if streams_stalled(self.app, self.stream_stall_s):
            if not self._stall_logged:
                log.error(
                    "board stream poller stuck for over %.0f s: watchdog pings stop (restart)",
                    self.stream_stall_s,
                )
                self._stall_logged = True
            return
        self._stall_logged = False
        notifier.ready("serving")
        notifier.ping()

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
    """Our INFO lines reach stderr (the journal under systemd adds the time and takes
    each line's priority, see :func:`ult.logs.configure_stderr`)."""
    configure_stderr()
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
    raise_open_files()
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
        server.run(Notifier())
    log.info("admin app stopped")
