"""A simulated office day with known step durations, walked through the real queue domain
under a :class:`ult.clock.FakeClock`, for the report tests (API, CLI, pages, browser).

From 09:00 WIB (02:00 UTC) on Wednesday 25 November 2026:

- A-001 (issued 09:00): Loket 1, officer ``fo1``: waits 4 min, steps 6-9, 15, 16 take
  1, 2, 2, 5, 3, 2 min. Step 9 (standard 3 min) runs 2 min over: the day's one overrun.
- B-001 (issued 09:01): Loket 2, officer ``fo2``, called when A-001 is done (waits 18 min,
  over the wait's 6-minute standard, which is nobody's overrun); every step within standard.
- A-002 (issued 09:02): cancelled by reception at 09:40.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from ult.clock import FakeClock
from ult.queue import Queue

DAY = date(2026, 11, 25)
START = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
NIK = "1271014501900001"

OVERRUN = {"label": "A-001", "step": 9, "officer": "fo1", "overrun_seconds": 120}
"""The day's one overrun."""
WAITS = (240, 1080)
"""The queue waits of A-001 and B-001, seconds."""
SERVICE_SECONDS = {"A-001": 120 + 120 + 300 + 180 + 120, "B-001": 60 + 60 + 60 + 60 + 60}
"""Start at the desk to finish (steps 7-9, 15, 16; step 6 ends with the start)."""


def _serve(
    queue: Queue, clock: FakeClock, counter: str, actor: str, minutes: dict[int, float]
) -> str:
    """Call the next ticket at ``counter`` and take it through steps 6-9, 15, 16 with the
    given durations (minutes per step); its label."""
    ticket = queue.call_next(counter, actor=actor)
    assert ticket is not None
    clock.advance(minutes=minutes[6])
    queue.start(ticket.id, counter, actor=actor)
    clock.advance(minutes=minutes[7])
    queue.identify(ticket.id, counter, actor=actor, name="Budi Santoso", nik=NIK)
    clock.advance(minutes=minutes[8])
    queue.detail(ticket.id, counter, actor=actor, text="Tunjangan profesi belum cair")
    clock.advance(minutes=minutes[9])
    queue.answer(ticket.id, counter, actor=actor, kind="available", text="Sudah diproses")
    clock.advance(minutes=minutes[15])
    queue.explain(ticket.id, counter, actor=actor, mode="direct")
    clock.advance(minutes=minutes[16])
    queue.finish(ticket.id, counter, actor=actor)
    return ticket.label


def simulate_day(queue: Queue, clock: FakeClock) -> None:
    """Walk the day described in the module docstring (the clock ends at 09:40 WIB)."""
    clock.set(START)
    queue.issue("A", actor="reception1")
    clock.advance(minutes=1)
    queue.issue("B", actor="reception1")
    clock.advance(minutes=1)
    later = queue.issue("A", actor="reception1")
    clock.advance(minutes=2)  # 09:04: A-001 has waited 4 minutes
    _serve(queue, clock, "Loket 1", "fo1", {6: 1, 7: 2, 8: 2, 9: 5, 15: 3, 16: 2})
    # 09:19: Loket 2 takes B-001, the longest waiting (18 minutes).
    _serve(queue, clock, "Loket 2", "fo2", {6: 0.5, 7: 1, 8: 1, 9: 1, 15: 1, 16: 1})
    clock.set(datetime(2026, 11, 25, 2, 40, tzinfo=UTC))
    queue.cancel(later.ticket.id, actor="reception1", reason="Pengunjung pulang")
