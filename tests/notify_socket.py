"""A stand-in for systemd's end of ``$NOTIFY_SOCKET``: a real unix datagram socket."""

from __future__ import annotations

import socket
import time
from pathlib import Path


class NotifySocket:
    """Bound at ``path``; :meth:`environ` is what a service gets from systemd (with a
    watchdog of ``watchdog_s`` seconds), :meth:`wait_for` reads datagrams until one holds a
    field."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.fields: list[tuple[float, str]] = []
        """Every field received so far, with its monotonic arrival time."""

    def environ(self, watchdog_s: float | None = None) -> dict[str, str]:
        env = {"NOTIFY_SOCKET": str(self.path)}
        if watchdog_s is not None:
            env["WATCHDOG_USEC"] = str(int(watchdog_s * 1_000_000))
        return env

    def receive(self, timeout_s: float) -> bool:
        """Read one datagram (False when none came within ``timeout_s``)."""
        self.sock.settimeout(max(timeout_s, 0.001))
        try:
            data = self.sock.recv(4096)
        except TimeoutError:
            return False
        now = time.monotonic()
        self.fields.extend((now, line) for line in data.decode().splitlines())
        return True

    def wait_for(self, field: str, timeout_s: float = 30.0) -> bool:
        """Read until ``field`` (e.g. ``"READY=1"``) arrives; False after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while not any(line == field for _, line in self.fields):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.receive(remaining)
        return True

    def count(self, field: str, since: float = float("-inf")) -> int:
        """How often ``field`` arrived after monotonic time ``since``."""
        return sum(1 for at, line in self.fields if line == field and at >= since)

    def drain(self, seconds: float) -> None:
        """Read everything that arrives during ``seconds``."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self.receive(remaining)

    def close(self) -> None:
        self.sock.close()
