"""The board tells the truth (issue 14): the main panel shows a call only while its visitor
is still called, "Panggilan terakhir" names each ticket once, and only the counters visitors
go to are listed. Real queue on a real SQLite file, the state as both boards read it
(:func:`display.snapshot.board_view_state`), drawn with SDL's dummy driver."""

from __future__ import annotations

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"  # before pygame is imported: no window, no device
os.environ["SDL_AUDIODRIVER"] = "dummy"

from pathlib import Path

import pygame
import pytest

from display import board_messages as msg
from display.board import BoardView
from display.snapshot import board_view_state
from tests.display.test_board import JAKARTA, NOW, OFFICE, needs_tesseract, ocr
from ult.clock import FakeClock
from ult.queue import Queue

SHOTS = Path("/tmp/i14/shots")


def drawn(queue: Queue, size: tuple[int, int] = (1280, 720)) -> tuple[dict, BoardView]:
    state = board_view_state(queue.db)
    view = BoardView(size, office_name=OFFICE, timezone=JAKARTA)
    view.update(state, now=NOW)
    return state, view


def texts(view: BoardView, region: str) -> list[str]:
    return [text for text, _, _ in view.text_boxes.get(region, [])]


def shoot(view: BoardView, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pygame.image.save(view.surface, str(SHOTS / f"tv-{name}.png"))


def test_a_called_visitor_is_shown_large(queue: Queue) -> None:
    queue.issue("A", actor="resepsionis")
    queue.call_next("Loket 1", actor="fo")
    state, view = drawn(queue)
    assert state["current_call"]["label"] == "A-001"
    assert state["current_call"]["counter"] == "Loket 1"
    assert texts(view, "call") == [msg.NOW_CALLING, "A-001", msg.GO_TO, "Loket 1"]
    assert state["earlier_calls"] == []


@pytest.mark.parametrize("step", ["start", "no_show", "transfer"])
def test_the_main_panel_steps_back_once_the_visitor_is_not_called_any_more(
    queue: Queue, clock: FakeClock, step: str
) -> None:
    queue.issue("A", actor="resepsionis")
    ticket = queue.call_next("Loket 1", actor="fo")
    if step == "start":
        queue.start(ticket.id, "Loket 1", actor="fo")
    elif step == "no_show":
        for _ in range(2):  # recalls_before_no_show = 2, 15 s apart at least
            clock.advance(seconds=20)
            queue.recall(ticket.id, "Loket 1", actor="fo")
        queue.no_show(ticket.id, "Loket 1", actor="fo")
    else:
        queue.transfer(ticket.id, "B", actor="fo", counter="Loket 1")
    state, view = drawn(queue)
    assert state["current_call"] is None
    assert texts(view, "call") == [msg.NEXT_CALL]
    assert "A-001" not in texts(view, "call")
    # Still in the list of last calls, once, whatever its recalls.
    assert [c["label"] for c in state["earlier_calls"]] == ["A-001"]
    assert texts(view, "calls") == [msg.LAST_CALLS, "Loket 1", "A-001"]
    if step == "start":
        assert "A-001" in texts(view, "counters")  # served at Loket 1: shown there instead
        shoot(view, "served-steps-back")


def test_finishing_the_called_visitor_then_calling_the_next(queue: Queue) -> None:
    for _ in range(2):
        queue.issue("A", actor="resepsionis")
    first = queue.call_next("Loket 1", actor="fo")
    queue.start(first.id, "Loket 1", actor="fo")
    second = queue.call_next("Loket 2", actor="fo2")
    state, _ = drawn(queue)
    assert state["current_call"]["label"] == second.label == "A-002"
    queue.start(second.id, "Loket 2", actor="fo2")
    state, view = drawn(queue)
    assert state["current_call"] is None
    assert [c["label"] for c in state["earlier_calls"]] == ["A-002", "A-001"]
    assert texts(view, "counters") == [msg.SERVING_NOW, "Loket 1", "A-001", "Loket 2", "A-002"]


def test_last_calls_name_each_ticket_once_after_recalls_and_a_transfer(
    queue: Queue, clock: FakeClock
) -> None:
    for _ in range(3):
        queue.issue("A", actor="resepsionis")
    a1 = queue.call_next("Loket 1", actor="fo")
    clock.advance(seconds=20)
    queue.recall(a1.id, "Loket 1", actor="fo")
    clock.advance(seconds=20)
    queue.recall(a1.id, "Loket 1", actor="fo")
    # Sent to service B's line, then called again at Loket 2: one ticket, four calls.
    queue.transfer(a1.id, "B", actor="fo", counter="Loket 1")
    queue.call_specific("Loket 2", a1.id, actor="fo2")
    queue.start(a1.id, "Loket 2", actor="fo2")
    a2 = queue.call_next("Loket 1", actor="fo")
    clock.advance(seconds=20)
    queue.recall(a2.id, "Loket 1", actor="fo")
    state, view = drawn(queue)
    assert len(state["last_calls"]) == 6
    assert state["current_call"]["label"] == "A-002" and state["current_call"]["recall"]
    assert [(c["label"], c["counter"]) for c in state["earlier_calls"]] == [("A-001", "Loket 2")]
    assert texts(view, "calls") == [msg.LAST_CALLS, "Loket 2", "A-001"]
    shoot(view, "recall-distinct")


def test_the_lobby_board_lists_only_the_front_office(queue: Queue) -> None:
    state, view = drawn(queue)
    assert [c["name"] for c in state["counters"]] == ["Loket 1", "Loket 2"]
    assert "Back Office" not in texts(view, "counters")
    assert texts(view, "call") == [msg.NO_CALL_YET]


@needs_tesseract
def test_the_stepped_back_panel_reads_so(queue: Queue, tmp_path: Path) -> None:
    queue.issue("A", actor="resepsionis")
    ticket = queue.call_next("Loket 1", actor="fo")
    _, view = drawn(queue)
    assert "A-001" in ocr(view.surface, view.regions["call"], tmp_path)
    queue.start(ticket.id, "Loket 1", actor="fo")
    _, view = drawn(queue)
    seen = ocr(view.surface, view.regions["call"], tmp_path)
    assert "A-001" not in seen and "BERIKUTNYA" in seen


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080), (720, 1280)])
def test_the_priority_mark_is_explained_while_it_is_shown(
    queue: Queue, size: tuple[int, int]
) -> None:
    queue.issue("A", actor="resepsionis")
    queue.call_next("Loket 1", actor="fo")
    state, view = drawn(queue, size)
    assert not state["priority_shown"] and texts(view, "banner") == []
    queue.issue("B", actor="resepsionis", priority=True)
    queue.call_next("Loket 2", actor="fo2")
    state, view = drawn(queue, size)
    assert state["priority_shown"]
    assert msg.PRIORITY in texts(view, "call")
    assert texts(view, "banner") == [msg.PRIORITY_LEGEND]  # whole: never cut
    assert view.regions["banner"].contains(view.text_boxes["banner"][0][1])
    queue.record_printer_state("paper_out", actor="kiosk")
    _, faulty = drawn(queue, size)
    # The fault comes first; the "(P)" on screen stays explained on a line of its own.
    assert texts(faulty, "banner") == [f"⚠ {msg.PRINTER_FAULT}", msg.PRIORITY_LEGEND]
    fault_box, legend_box = (box for _, box, _ in faulty.text_boxes["banner"])
    assert fault_box.bottom <= legend_box.top
    assert all(faulty.regions["banner"].contains(b) for b in (fault_box, legend_box))
    shoot(view, f"priority-legend-{size[0]}x{size[1]}")


def test_the_waiting_numbers_fill_the_lower_part_in_large_type(queue: Queue) -> None:
    for letter in "AAB":
        queue.issue(letter, actor="resepsionis")
    _, view = drawn(queue, (1280, 720))
    region = view.regions["waiting"]
    assert region.top <= 720 * 70 // 100 and region.height >= 720 // 6  # the lower part
    numbers = {text: px for text, _, px in view.text_boxes["waiting"] if text.isdigit()}
    assert set(numbers) == {"2", "1", "0"}
    call_caption_px = next(px for t, _, px in view.text_boxes["call"] if t == msg.NO_CALL_YET)
    rows_px = [px for _, _, px in view.text_boxes["counters"]]
    # Larger than any list row, readable across the room (a twelfth of the screen's height).
    assert min(numbers.values()) >= 720 // 12
    assert min(numbers.values()) > max(rows_px) and min(numbers.values()) > call_caption_px


def test_a_call_back_shows_come_back_while_the_case_waits_at_that_counter(
    queue: Queue,
) -> None:
    """Issue 14: the front office calls a returned case's visitor back to a counter."""
    ticket = queue.issue("A", actor="resepsionis").ticket
    queue.call_next("Loket 1", actor="fo")
    queue.start(ticket.id, "Loket 1", actor="fo")
    queue.escalate(ticket.id, "Loket 1", actor="fo", note="?")
    queue.take(ticket.id, "Back Office", actor="bo")
    queue.resolve(ticket.id, "Back Office", actor="bo", text="Jawaban")
    queue.call_back(ticket.id, "Loket 2", actor="fo2")
    state, view = drawn(queue)
    assert state["current_call"]["call_back"] is True
    assert texts(view, "call") == [msg.NOW_CALLING, "A-001", msg.COME_BACK, "Loket 2"]
    assert msg.COME_BACK == "Silakan kembali ke"
    shoot(view, "call-back")
    queue.explain(ticket.id, "Loket 2", actor="fo2", mode="direct")
    state, view = drawn(queue)
    assert state["current_call"] is None and "A-001" not in texts(view, "call")


def test_the_last_calls_are_as_large_as_the_counters(queue: Queue) -> None:
    """Review of issue 14 (16b): "Panggilan terakhir" in the same size as "Sedang dilayani",
    as on the browser board."""
    for _ in range(3):
        queue.issue("A", actor="resepsionis")
    first = queue.call_next("Loket 1", actor="fo")
    assert first is not None
    queue.cancel(first.id, actor="fo", reason="uji")
    queue.call_next("Loket 2", actor="fo2")
    queue.call_next("Loket 1", actor="fo")
    for size in ((1366, 768), (1024, 768), (1920, 1080), (1080, 1920)):
        _, view = drawn(queue, size)
        calls = [px for text, _, px in view.text_boxes["calls"] if text.startswith("Loket")]
        counters = [px for text, _, px in view.text_boxes["counters"] if text.startswith("Loket")]
        assert len(calls) == 2 and len(counters) == 2, size
        assert set(calls) == set(counters), size
        shoot(view, f"last-calls-{size[0]}x{size[1]}")


LONG_NAME = "Balai Penjaminan Mutu Pendidikan Provinsi Sumatera Utara"


@pytest.mark.parametrize("size", [(1024, 768), (1366, 768), (1920, 1080), (1080, 1920)])
def test_a_long_office_name_is_shown_whole(queue: Queue, size: tuple[int, int]) -> None:
    """Review of issue 14 (16c): never "BPMP Provin…": one line while it fits at a readable
    size, else two lines of one size, inside the header."""
    for name in ("BPMP Provinsi Sumatera Utara", LONG_NAME):
        view = BoardView(size, office_name=name, timezone=JAKARTA)
        view.update(board_view_state(queue.db), now=NOW)
        shown = view.text_boxes["office"]
        assert " ".join(text for text, _, _ in shown) == name, shown
        assert all(view.regions["office"].contains(box) for _, box, _ in shown)
        assert min(px for _, _, px in shown) >= min(size) // 40
        shoot(view, f"office-{len(name)}-{size[0]}x{size[1]}")
