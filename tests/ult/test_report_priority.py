"""The report's priority section (UU 25/2009 Pasal 29): priority visitors and their queue
waits per category, worked out by hand from a short morning under the fake clock."""

from __future__ import annotations

from ult import reports
from ult.clock import FakeClock
from ult.queue import Queue
from ult.reports import Period


def test_priority_section_counts_visitors_and_waits_per_category(
    queue: Queue, clock: FakeClock
) -> None:
    normal = queue.issue("A", actor="r").ticket
    elderly = queue.issue("A", actor="r", priority=True, priority_category="elderly").ticket
    later = queue.issue("A", actor="r").ticket  # A-003, found pregnant at reception
    queue.issue("A", actor="kiosk:button1", priority=True, source="kiosk")  # A-004, no category
    clock.advance(seconds=30)
    queue.prioritize(later.id, "pregnant", actor="r")
    # Called one after another at Loket 1 and sent away (cancelled frees the counter):
    # waits 60 s, 180 s, 300 s; A-004 never called.
    for at, ticket in ((30, elderly), (120, later), (120, normal)):
        clock.advance(seconds=at)
        queue.call_specific("Loket 1", ticket.id, actor="fo")
        queue.cancel(ticket.id, actor="fo", reason="Uji")
    queue.cancel("A-004", actor="r", reason="Pulang")

    table = reports.report(queue.db, "priority", Period(queue.today(), queue.today()))
    assert table.title == "Pengunjung prioritas"
    assert [c.title for c in table.columns[:3]] == [
        "Kategori prioritas",
        "Pengunjung",
        "Tunggu (median)",
    ]
    got = [
        (r["priority_category"], r["visitors"], r["wait_median"], r["wait_p90"], r["cancelled"])
        for r in table.rows
    ]
    assert got == [
        ("Lansia", 1, 60, 60, 1),
        ("Penyandang disabilitas", 0, None, None, 0),
        ("Ibu hamil", 1, 180, 180, 1),
        ("Membawa anak kecil", 0, None, None, 0),
        ("Prioritas, kategori tidak tercatat", 1, None, None, 1),
        # Waits 60 and 180: the median is their mean, p90 the nearest rank (the larger).
        ("Semua pengunjung prioritas", 3, 120, 180, 3),
        ("Pengunjung biasa (pembanding)", 1, 300, 300, 1),
    ]
    assert table.rows[5]["wait_max"] == 180
    # One service's report: service B has none of them.
    only_b = reports.report(queue.db, "priority", Period(queue.today(), queue.today()), service="B")
    assert [r["visitors"] for r in only_b.rows] == [0, 0, 0, 0, 0, 0]


def test_the_summary_still_counts_priority_and_its_median_wait(
    queue: Queue, clock: FakeClock
) -> None:
    queue.issue("A", actor="r")
    marked = queue.issue("A", actor="r").ticket
    queue.prioritize(marked.id, "small_children", actor="r")
    clock.advance(seconds=90)
    queue.call_specific("Loket 1", marked.id, actor="fo")
    row = reports.report(queue.db, "summary", Period(queue.today(), queue.today())).rows[0]
    assert (row["priority"], row["wait_priority_median"]) == (1, 90)
