"""Our log lines on stderr while a daemon runs (the journal under systemd)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator


@contextlib.contextmanager
def logging_at(level: int, names: tuple[str, ...] = ("ult", "kiosk", "printer")) -> Iterator[None]:
    """Our log lines from ``level`` up reach stderr (the journal under systemd, which adds
    time stamps) while the daemon runs; the levels before are restored afterwards.

    python-escpos calls ``logging.basicConfig()`` when imported, so the root logger already
    has a stderr handler at WARNING: the levels are set on our own loggers instead of the
    root's, which also keeps python-escpos' per-job INFO lines on the root logger out.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
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
