"""The wait estimate a visitor reads on the ticket: how many go first and for how long.

Only reads; the queue computes it inside the transaction that issued the ticket, so the
number printed matches the line at that moment.
"""

from __future__ import annotations

import math
import statistics

import sqlite_utils

from ult import sop
from ult.clock import from_stamp
from ult.settings import FRONT_OFFICE

SAMPLES = 20
"""How many recently released tickets the counter time is the median of."""
SAMPLE_BOUNDS_SECONDS = (30.0, 2 * 3600.0)
"""Each sample is bounded to this range, so one stuck case cannot skew the median."""
MAX_MINUTES = 8 * 60
"""The longest wait ever promised (a working day)."""


def wait(
    db: sqlite_utils.Database,
    *,
    service: str,
    priority: bool,
    queue_seq: int,
    default_service_minutes: float,
) -> tuple[int, int]:
    """``(waiting_ahead, estimated_wait_minutes)`` of a waiting ticket of ``service``.

    The counters that can call the ticket are the open (active, not paused) front-office
    counters serving its service; they call first come, first served across all the
    services they serve, so every waiting ticket of those services that goes first
    counts as ahead (higher priority, or same priority and earlier in line, by
    ``queue_seq``). The wait is the number ahead times the median recent counter time
    (from the last call to the counter's release, last :data:`SAMPLES` tickets served, that
    is started at the desk: a no-show or a ticket sent elsewhere before it started is none;
    each bounded to :data:`SAMPLE_BOUNDS_SECONDS`; ``default_service_minutes`` before any),
    divided by those counters; bounded to 0-:data:`MAX_MINUTES` so it never goes
    negative or absurd.
    """
    counters = db.execute(
        "SELECT DISTINCT c.id FROM counters c JOIN counter_services cs "
        "ON cs.counter_id = c.id WHERE cs.service = ? AND c.kind = ? AND c.active = 1 "
        "AND c.paused = 0",
        (service, FRONT_OFFICE),
    ).fetchall()
    pool = {service} | {
        r[0]
        for r in db.execute(
            "SELECT DISTINCT service FROM counter_services WHERE counter_id IN "
            f"({', '.join('?' * len(counters))})",
            [c[0] for c in counters],
        )
    }
    marks = ", ".join("?" * len(pool))
    ahead = db.execute(
        # Two index ranges of tickets_waiting; an OR here would scan the whole line.
        f"SELECT (SELECT COUNT(*) FROM tickets WHERE state = ? AND service IN ({marks}) "
        f"AND priority > ?) + (SELECT COUNT(*) FROM tickets WHERE state = ? AND service "
        f"IN ({marks}) AND priority = ? AND queue_seq < ?)",
        (sop.WAITING, *pool, int(priority), sop.WAITING, *pool, int(priority), queue_seq),
    ).fetchone()[0]
    if ahead == 0:
        return 0, 0
    samples = [
        (from_stamp(r[1]) - from_stamp(r[0])).total_seconds()
        for r in db.execute(
            # Only visits that were served: a no-show's call-to-release time (recalls, then
            # "tidak hadir"), also after it was put back in line, is no service time.
            "SELECT called_at, released_at FROM tickets WHERE released_at IS NOT NULL "
            "AND called_at IS NOT NULL AND started_at IS NOT NULL "
            "ORDER BY released_at DESC LIMIT ?",
            (SAMPLES,),
        ).fetchall()
    ]
    low, high = SAMPLE_BOUNDS_SECONDS
    if samples:
        counter_minutes = statistics.median(min(max(s, low), high) for s in samples) / 60
    else:
        counter_minutes = default_service_minutes
    minutes = math.ceil(ahead * counter_minutes / max(len(counters), 1))
    return ahead, min(max(minutes, 0), MAX_MINUTES)
