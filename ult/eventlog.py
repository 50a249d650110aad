"""The one way an event enters the log (``events``, the office's electronic record).

Every writer (the queue domain, the catalogue, the personal-data duties) appends through
:func:`append`, inside the caller's write transaction (``BEGIN IMMEDIATE``), so the event
lands with the change it records or not at all.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from ult.clock import to_stamp
from ult.kinds import EventKind


def append(
    db: sqlite_utils.Database,
    *,
    at: datetime,
    kind: EventKind,
    actor: str,
    payload: dict[str, Any],
    ticket_id: int | None = None,
    counter_id: int | None = None,
    sop_step: int | None = None,
) -> int:
    """Append one event and return its id.

    ``at`` is an aware time (stored as a UTC stamp); ``actor`` is already checked by the
    caller; ``payload`` is stored as JSON with sorted keys and must hold no personal data
    (the board stream and the centre read it). Call inside a write transaction.
    """
    cursor = db.execute(
        "INSERT INTO events (at, kind, ticket_id, counter_id, sop_step, actor, payload) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            to_stamp(at),
            str(kind),
            ticket_id,
            counter_id,
            sop_step,
            actor,
            json.dumps(payload, ensure_ascii=False, sort_keys=True),
        ),
    )
    return int(cursor.lastrowid or 0)
