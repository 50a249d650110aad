"""Our log lines on stderr while a daemon runs (the journal under systemd).

Under systemd (``$JOURNAL_STREAM`` names our stderr) each line starts with its syslog
priority, ``<3>`` for an error, ``<4>`` for a warning (``sd-daemon(3)``): journald stores it
as the entry's priority and strips it, so ``journalctl -p warning -u 'ult-*'`` lists exactly
the problems. Elsewhere (a terminal, a test) lines stay as they were.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from typing import IO

LINE_FORMAT = "%(levelname)s %(name)s: %(message)s"
"""Our line (the journal adds the time, the unit and the process)."""

PRIORITIES = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}
"""Python's levels as syslog priorities (crit, err, warning, info, debug)."""


def priority(level: int) -> int:
    """The syslog priority of a Python level; a custom level takes the next standard one up."""
    for standard in sorted(PRIORITIES):
        if level <= standard:
            return PRIORITIES[standard]
    return PRIORITIES[logging.CRITICAL]


class JournalFormatter(logging.Formatter):
    """Prefixes every line of a record (a traceback too) with ``<priority>``."""

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{priority(record.levelno)}>"
        return "\n".join(prefix + line for line in super().format(record).splitlines())


def under_journal(environ: Mapping[str, str] | None = None, stream: IO[str] | None = None) -> bool:
    """Whether ``stream`` (default stderr) is the journal's stream named by
    ``$JOURNAL_STREAM`` (``device:inode``), not a file or terminal it was redirected to."""
    value = (os.environ if environ is None else environ).get("JOURNAL_STREAM", "")
    device, _, inode = value.partition(":")
    if not (device.isdecimal() and inode.isdecimal()):
        return False
    try:
        found = os.fstat((stream or sys.stderr).fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (found.st_dev, found.st_ino) == (int(device), int(inode))


def configure_stderr() -> None:
    """A stderr handler on the root logger (unless one exists) and, under the journal, the
    priority prefix on the root's stderr handlers.

    python-escpos calls ``logging.basicConfig()`` when imported, so a handler may be there
    already: it gets the prefix too, so its warnings also carry their priority.
    """
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(format=LINE_FORMAT)
    if not under_journal():
        return
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr:
            handler.setFormatter(JournalFormatter(LINE_FORMAT))


@contextlib.contextmanager
def logging_at(level: int, names: tuple[str, ...] = ("ult", "kiosk", "printer")) -> Iterator[None]:
    """Our log lines from ``level`` up reach stderr (the journal under systemd, which adds
    time stamps) while the daemon runs; the levels before are restored afterwards.

    python-escpos calls ``logging.basicConfig()`` when imported, so the root logger already
    has a stderr handler at WARNING: the levels are set on our own loggers instead of the
    root's, which also keeps python-escpos' per-job INFO lines on the root logger out.
    """
    configure_stderr()
    changed = []
    for name in names:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:  # leave a level someone chose alone
            logger.setLevel(level)
            changed.append(logger)
    try:
        yield
    finally:
        for logger in changed:
            logger.setLevel(logging.NOTSET)
