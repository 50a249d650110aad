"""systemd's service notifications (``sd_notify(3)``): readiness and the watchdog.

A unit with ``Type=notify`` counts as started only once the service sends ``READY=1``; with
``WatchdogSec=`` systemd restarts it when no ``WATCHDOG=1`` came for that long. Each daemon
sends them from the loop that does its work (PITFALLS, services): a board, button or
serving loop that hangs stops pinging and is restarted, where a helper thread would have gone
on pinging for it.

Why our own few lines rather than a library: the protocol is one datagram of
``KEY=value`` lines to the unix socket named by ``$NOTIFY_SOCKET``. ``sdnotify`` (PyPI) does
the same but has seen no release since 2017; ``systemd-python`` compiles against
libsystemd's headers, a build step (and a Debian ``-dev`` package) on every install for one
``sendto``. Outside systemd (no ``$NOTIFY_SOCKET``) everything here does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

PINGS_PER_INTERVAL = 4
"""Watchdog pings per ``WatchdogSec`` at most (systemd advises at least two)."""


class Notifier:
    """Notifications to the service manager named in ``environ`` (default ``os.environ``).

    ``NOTIFY_SOCKET``: a filesystem path or, starting with ``@``, an abstract socket name.
    ``WATCHDOG_USEC`` (with ``WATCHDOG_PID``, when set, naming this process): the watchdog
    interval. Sending never raises: a manager that went away must not stop the service; the
    first failure is logged.
    """

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        self.address = "\0" + address[1:] if address.startswith("@") else address
        self.watchdog_s = _watchdog_seconds(env) if self.address else None
        self._clock = clock
        self._socket: socket.socket | None = None
        self._last_ping = float("-inf")
        self._failing = False
        self.ready_sent = False

    @property
    def enabled(self) -> bool:
        """Whether a service manager listens (``$NOTIFY_SOCKET`` is set)."""
        return bool(self.address)

    def send(self, *fields: str) -> bool:
        """Send ``fields`` (``"READY=1"``, ``"STATUS=..."``) as one datagram; True if sent."""
        if not self.address:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket.sendto("\n".join(fields).encode(), self.address)
        except OSError as exc:
            if not self._failing:
                log.warning("cannot notify systemd at %s: %s", self.address.lstrip("\0"), exc)
                self._failing = True
            return False
        self._failing = False
        return True

    def ready(self, status: str | None = None) -> None:
        """The service serves now (``READY=1``, once), with an optional status line."""
        if self.ready_sent:
            return
        fields = ["READY=1", *([f"STATUS={status}"] if status else [])]
        self.ready_sent = self.send(*fields)

    def status(self, text: str) -> None:
        """The one-line status ``systemctl status`` shows (no personal data)."""
        self.send(f"STATUS={text}")

    def ping(self) -> None:
        """The watchdog's ``WATCHDOG=1``; call it from every turn of the working loop.

        Sent at most :data:`PINGS_PER_INTERVAL` times per interval, however often the loop
        turns; nothing without a watchdog.
        """
        if self.watchdog_s is None:
            return
        now = self._clock()
        if now - self._last_ping < self.watchdog_s / PINGS_PER_INTERVAL:
            return
        if self.send("WATCHDOG=1"):
            self._last_ping = now

    def stopping(self) -> None:
        """The service is stopping on purpose (``STOPPING=1``)."""
        self.send("STOPPING=1")

    def close(self) -> None:
        """Release the socket (sending again opens a new one)."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def _watchdog_seconds(env: Mapping[str, str]) -> float | None:
    """The watchdog interval in seconds, or None when there is none for this process."""
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not usec.isdecimal() or int(usec) == 0:
        return None
    if pid and (not pid.isdecimal() or int(pid) != os.getpid()):
        return None  # meant for another process (a parent that ran us)
    return int(usec) / 1_000_000
