"""Tests for ult.kinds and the SOP table driving the queue: one word per fact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import OPENING
from ult import privacy, sop
from ult.catalog import save_unit
from ult.clock import FakeClock
from ult.kinds import PRINTER_FAULTS, EventKind, PrinterState
from ult.queue import Queue

VALID_NIK = "1271011201900001"
OTHER_NIK = "3273015205850002"


def test_printer_faults_are_the_states_that_certainly_cannot_print() -> None:
    # DLE EOT's answers (ESC/POS) plus "no printer": only ready and near end print for sure.
    assert [s.value for s in PrinterState] == [
        "ready",
        "paper_near_end",
        "paper_out",
        "offline",
        "unknown",
        "disabled",
    ]
    assert {s for s in PrinterState if s.can_print} == {"ready", "paper_near_end"}
    assert {"paper_out", "offline", "disabled"} == PRINTER_FAULTS
    assert PrinterState.UNKNOWN.can_print is None


def _every_kind(queue: Queue, clock: FakeClock) -> None:
    """Run the appliance through every kind of event it records."""
    # Step 3-5, no-show and reactivation.
    gone = queue.issue("A", actor="r").ticket
    queue.call_next("Loket 1", actor="fo")
    for _ in range(queue.settings.queue.recalls_before_no_show):
        clock.advance(seconds=queue.settings.queue.recall_cooldown_seconds)
        queue.recall(gone.id, "Loket 1", actor="fo")
    queue.no_show(gone.id, "Loket 1", actor="fo")
    queue.reactivate(gone.id, actor="r")
    # The escalation path, steps 6-16.
    queue.register_visitor(gone.id, actor="r", name="Siti", nik=VALID_NIK)
    case = queue.call_next("Loket 1", actor="fo")
    queue.start(case.id, "Loket 1", actor="fo")
    queue.identify(case.id, "Loket 1", actor="fo", name="Siti", nik=VALID_NIK)
    queue.detail(case.id, "Loket 1", actor="fo", text="Tunjangan")
    queue.consult(case.id, "Loket 1", actor="fo")
    queue.escalate(case.id, "Loket 1", actor="fo", note="Perlu back office")
    queue.take(case.id, "Back Office", actor="bo")
    queue.forward(case.id, "Back Office", actor="bo", unit="Bagian Umum")
    queue.disposition(case.id, actor="unit", text="Lengkapi berkas")
    queue.relay(case.id, "Back Office", actor="bo")
    queue.explain(case.id, "Loket 1", actor="fo", mode="direct")
    queue.finish(case.id, "Loket 1", actor="fo")
    # Answered at the counter; transferred; cancelled; printed and not.
    other = queue.issue("B", actor="r").ticket
    queue.record_print(other.id, actor="kiosk", printed=True)
    queue.record_print(other.id, actor="kiosk", printed=False, reason="offline")
    request = queue.request_print(other.id, actor="resepsionis", source="reception")
    queue.record_print(other.id, actor="kiosk", printed=False, unconfirmed=True, request=request)
    queue.transfer(other.id, "C", actor="r")
    answered = queue.call_next("Loket 2", actor="fo2")
    queue.start(answered.id, "Loket 2", actor="fo2")
    queue.identify(answered.id, "Loket 2", actor="fo2", name="Budi", nik=OTHER_NIK)
    # A complaint (B) is no information request: excepted without a Pasal 17 ground.
    queue.answer(answered.id, "Loket 2", actor="fo2", kind="excepted", text="Dikecualikan")
    cancelled = queue.issue("D", actor="r").ticket
    queue.prioritize(cancelled.id, "pregnant", actor="r")
    queue.cancel(cancelled.id, actor="r", reason="Pulang")
    resolved = queue.issue("A", actor="r").ticket
    queue.call_next("Loket 1", actor="fo")
    queue.start(resolved.id, "Loket 1", actor="fo")
    queue.escalate(resolved.id, "Loket 1", actor="fo", note="Catatan")
    queue.take(resolved.id, "Back Office", actor="bo")
    queue.resolve(resolved.id, "Back Office", actor="bo", text="Jawaban")
    # The returned case's visitor is called back to a counter (SOP 15).
    queue.call_back(resolved.id, "Loket 1", actor="fo")
    # Counters, printer, board, catalog.
    queue.take_counter("Loket 2", actor="fo2")
    queue.leave_counter("Loket 2", actor="fo2")
    queue.pause("Loket 2", actor="fo2")
    queue.resume("Loket 2", actor="fo2")
    queue.record_printer_state(PrinterState.PAPER_OUT, actor="kiosk")
    queue.set_running_text("Selamat datang", actor="admin")
    save_unit(queue.db, unit_id=None, name="Unit Baru", active=True, actor="admin", clock=clock)
    # The day: left waiting overnight (expired), a clock behind, a clock wrongly ahead.
    queue.issue("B", actor="r")
    clock.advance(days=1)
    queue.roll_over()
    clock.set(OPENING - timedelta(days=400))
    Queue(queue.db, queue.settings, clock=clock).issue("A", actor="r")
    clock.set(OPENING + timedelta(days=400))
    queue.issue("A", actor="r")
    clock.set(datetime(2026, 11, 27, 2, 0, tzinfo=UTC))
    queue.correct_day(actor="teknisi")
    # A restore (ult.restore records it in the database it put in place).
    queue.record_restore("ult-20261127T020000000000Z.db", events=3, actor="cli:teknisi")
    # Personal data (UU 27/2022): a view and an export, one identity erased on request, and
    # the retention purge of the other visit a year later.
    day = queue.today()
    privacy.record_access(
        queue.db, at=clock(), actor="spv", what="guestbook_page", period=(day, day)
    )
    privacy.record_access(
        queue.db, at=clock(), actor="spv", what="report_export:guestbook", exported=True
    )
    privacy.erase_identity(queue.db, VALID_NIK, at=clock(), actor="spv")
    clock.advance(days=400)
    privacy.purge(
        queue.db, today=queue.today(), retention_days=30, at=clock(), actor="system:purge"
    )


def test_every_event_kind_is_recorded_and_no_other(queue: Queue, clock: FakeClock) -> None:
    _every_kind(queue, clock)
    stored = {r[0] for r in queue.db.execute("SELECT DISTINCT kind FROM events")}
    assert stored == {str(kind) for kind in EventKind}


def test_each_ticket_event_carries_its_transitions_step(queue: Queue, clock: FakeClock) -> None:
    _every_kind(queue, clock)
    by_event = {t.event: t for t in sop.TRANSITIONS.values()}
    for kind, step in queue.db.execute("SELECT kind, sop_step FROM events"):
        if kind in by_event:
            assert step == by_event[kind].step, kind
    # And the state each ticket ends in is the target of its last state-changing event.
    for ticket_id, state in queue.db.execute("SELECT id, state FROM tickets"):
        kinds = [
            r[0]
            for r in queue.db.execute(
                "SELECT kind FROM events WHERE ticket_id = ? ORDER BY id", (ticket_id,)
            )
        ]
        targets = [sop.EVENT_TARGETS[k] for k in kinds if sop.EVENT_TARGETS[k] is not None]
        assert targets[-1] == state


def test_the_disposition_keeps_its_stored_kind(queue: Queue) -> None:
    # The word list says "disposition"; the log keeps the kind it has always stored.
    assert sop.TRANSITIONS["disposition"].event == "directions"
    assert EventKind.DISPOSITION == "directions"
