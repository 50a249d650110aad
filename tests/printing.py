"""Test helper: wait for the printer owner's answer to a print request."""

from __future__ import annotations

import time

import sqlite_utils

from kiosk.requests import PrintOutcome, print_outcome


def wait_for_outcome(
    db: sqlite_utils.Database, request: int, *, timeout: float, poll: float = 0.1
) -> PrintOutcome | None:
    """Wait up to ``timeout`` seconds for the answer to ``request``; ``None`` if none came.

    For commands run by hand, never for a web request thread (which shows the outcome from
    the live stream instead). Each poll is its own short read, so no transaction stays open.
    """
    deadline = time.monotonic() + timeout
    while True:
        found = print_outcome(db, request)
        if found is not None or time.monotonic() >= deadline:
            return found
        time.sleep(poll)
