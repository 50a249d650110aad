"""Checks the tests make of a store: the file's integrity, the log's agreement with the rows."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from ult import sop


def integrity_ok(db: sqlite_utils.Database) -> bool:
    """True when ``PRAGMA integrity_check`` reports ``ok``."""
    return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def replay_states(events: Iterable[tuple[int, str]]) -> dict[int, str]:
    """Rebuild every ticket's state from its events, in log order.

    ``events`` yields ``(ticket_id, kind)`` pairs; events of other kinds (counter pauses,
    day starts, warnings) carry no ticket and are skipped by the caller. Returns
    ``{ticket_id: state}``. Raises ``ValueError`` for a ticket event of unknown kind.
    """
    states: dict[int, str] = {}
    for ticket_id, kind in events:
        if kind not in sop.EVENT_TARGETS:
            raise ValueError(f"unknown ticket event kind {kind!r}")
        target = sop.EVENT_TARGETS[kind]
        if target is not None:
            states[ticket_id] = target
    return states
