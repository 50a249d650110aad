"""The one way an event enters the log (``events``, the office's electronic record).

Every writer (the queue domain, the catalogue, the personal-data duties) appends through
:func:`append`, inside the caller's write transaction (``BEGIN IMMEDIATE``), so the event
lands with the change it records or not at all. Each event is sealed into the log's hash
chain (:mod:`ult.chain`) in that same transaction: its id is chosen here, under the write
lock, so that the hash covers it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from ult import chain
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
    (the board stream and the centre read it). Call inside a write transaction (raises
    ``RuntimeError`` otherwise). Costs one read of the newest row beside the insert
    (:func:`ult.chain.next_link`) and one SHA-256 of the event.
    """
    if not db.conn.in_transaction:
        # Outside BEGIN IMMEDIATE another process could take the id read below.
        raise RuntimeError("eventlog.append must run inside the caller's write transaction")
    event_id, prev_hash = chain.next_link(db)
    # The values exactly as SQLite will give them back, so that the hash verifies later.
    content = (
        event_id,
        to_stamp(at),
        str(kind),
        None if ticket_id is None else int(ticket_id),
        None if counter_id is None else int(counter_id),
        None if sop_step is None else int(sop_step),
        str(actor),
        json.dumps(payload, ensure_ascii=False, sort_keys=True),
    )
    db.execute(
        "INSERT INTO events (id, at, kind, ticket_id, counter_id, sop_step, actor, payload, "
        "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*content, prev_hash, chain.digest(prev_hash, content)),
    )
    return event_id
