"""Reception's list of today's tickets (issue 14): search, cancel with a reason, transfer,
reprint, mark priority with its category; the issue form's category; the saved visitor."""

from __future__ import annotations

import html
import json
import re

import sqlite_utils

from admin.stream import event_data
from tests.admin.test_pages import flashes, follow, post, text
from ult import queries
from ult.queue import Queue

VALID_NIK = "1271011201900001"
MASKED_NIK = "1271**********01"


def today_part(page: str) -> str:
    """The "Tiket hari ini" section of the reception page."""
    start = page.index('id="tiket-hari-ini"')
    return page[start : page.index("</section>", start)]


def labels_in(part: str) -> list[str]:
    return re.findall(r'<tr id="tiket-\d+">\s*<td><a href="[^"]+"><strong>([^<]+)</strong>', part)


def state(db: sqlite_utils.Database) -> tuple:
    """What a refused action must leave alone: every ticket row and the event count."""
    return (
        db.execute("SELECT * FROM tickets ORDER BY id").fetchall(),
        db.execute("SELECT COUNT(*) FROM events").fetchone()[0],
    )


def test_each_row_links_the_read_only_case_view(as_role, queue: Queue) -> None:
    first = queue.issue("A", actor="kiosk").ticket
    second = queue.issue("B", actor="kiosk").ticket
    queue.cancel(second.id, actor="r", reason="Pengunjung pulang")
    client, _ = as_role("receptionist")
    part = today_part(text(client.get("/reception")))
    for ticket in (first, second):  # open or closed, each row has its history
        link = f'<a class="small" href="/kasus/{ticket.id}" aria-label="Riwayat {ticket.label}">'
        assert link + "Riwayat</a>" in part
    assert labels_in(part) == ["B-001", "A-001"]
    live = text(client.get("/reception/today/live"))
    assert f'href="/kasus/{first.id}"' in live
    opened = client.get(f"/kasus/{second.id}")
    assert opened.status_code == 200 and "Pengunjung pulang" in text(opened)


def test_today_list_shows_states_and_searches_label_and_name(
    as_role, queue: Queue, db: sqlite_utils.Database
) -> None:
    queue.issue("A", actor="kiosk")
    second = queue.issue("A", actor="kiosk").ticket
    queue.issue("B", actor="kiosk")
    queue.register_visitor(second.id, actor="r", name="Siti Aminah", nik=VALID_NIK)
    queue.call_next("Loket 1", actor="fo")
    client, _ = as_role("receptionist")
    part = today_part(text(client.get("/reception")))
    assert 'Tiket hari ini (<span id="today-total">3</span>)' in part
    assert labels_in(part) == ["B-001", "A-002", "A-001"]  # newest first
    assert "dipanggil (Loket 1)" in part and "Siti Aminah" in part
    assert VALID_NIK not in part and MASKED_NIK not in part  # the list names, never numbers
    for typed, found in (("a002", ["A-002"]), ("A-00", ["A-002", "A-001"]), ("siti", ["A-002"])):
        shown = today_part(text(client.get("/reception", query_string={"cari": typed})))
        assert labels_in(shown) == found, typed
    none = today_part(text(client.get("/reception", query_string={"cari": "Budi"})))
    assert labels_in(none) == [] and "Tidak ada tiket hari ini yang cocok" in none
    bad = client.get("/reception", query_string={"cari": "A\x01"})
    assert bad.status_code == 422
    assert "karakter kontrol" in today_part(text(bad))


def test_names_are_searched_only_for_roles_that_read_names(
    queue: Queue, db: sqlite_utils.Database
) -> None:
    ticket = queue.issue("A", actor="kiosk").ticket
    queue.register_visitor(ticket.id, actor="r", name="Siti Aminah", nik=VALID_NIK)
    day = queue.today()
    rows, total = queries.day_tickets(db, day, search="siti", names=True)
    assert (total, [r["name"] for r in rows]) == (1, ["Siti Aminah"])
    rows, total = queries.day_tickets(db, day, search="siti", names=False)
    assert (rows, total) == ([], 0)
    rows, _ = queries.day_tickets(db, day, names=False)
    assert [r["name"] for r in rows] == [None]


def test_the_list_is_capped_and_says_so(as_role, queue: Queue) -> None:
    for _ in range(52):
        queue.issue("C", actor="kiosk")
    client, _ = as_role("receptionist")
    part = today_part(text(client.get("/reception")))
    assert len(labels_in(part)) == 50 and labels_in(part)[0] == "C-052"
    assert "Menampilkan 50 tiket terbaru dari 52." in part


def test_cancel_needs_a_reason_and_records_who(
    as_role, queue: Queue, db: sqlite_utils.Database
) -> None:
    ticket = queue.issue("A", actor="kiosk").ticket
    client, csrf = as_role("receptionist")
    before = state(db)
    refused = post(client, csrf, f"/reception/tickets/{ticket.id}/cancel", reason="  ")
    assert refused.status_code == 422
    assert "Alasan wajib diisi." in flashes(text(refused), "error")
    assert state(db) == before
    done = post(client, csrf, f"/reception/tickets/{ticket.id}/cancel?cari=A", reason="Pulang")
    assert done.headers["Location"].endswith(f"/reception?tiket={ticket.id}&cari=A")
    assert "Tiket A-001 dibatalkan." in flashes(follow(client, done), "success")
    cancelled = queue.ticket(ticket.id)
    assert (cancelled.state, cancelled.cancel_reason) == ("cancelled", "Pulang")
    last = db.execute("SELECT kind, actor FROM events ORDER BY id DESC LIMIT 1").fetchone()
    assert tuple(last) == ("cancelled", "receptionist1")
    before = state(db)
    again = post(client, csrf, f"/reception/tickets/{ticket.id}/cancel", reason="Lagi")
    assert again.status_code == 409 and state(db) == before
    # A closed ticket shows why and offers no actions any more.
    part = today_part(text(client.get("/reception")))
    assert "dibatalkan: Pulang" in part and "Tindakan A-001" not in part


def test_transfer_keeps_number_and_place(as_role, queue: Queue, db: sqlite_utils.Database) -> None:
    ticket = queue.issue("A", actor="kiosk").ticket
    queue.issue("B", actor="kiosk")
    client, csrf = as_role("receptionist")
    path = f"/reception/tickets/{ticket.id}/transfer"
    before = state(db)
    for service, status, message in (
        ("", 422, "Pilih layanan terlebih dahulu."),
        ("Z", 422, "Layanan 'Z' tidak dikenal."),
        ("A", 409, "Tiket A-001 sudah berada di layanan A."),
    ):
        refused = post(client, csrf, path, service=service)
        assert refused.status_code == status, service
        assert [message] == [html.unescape(f) for f in flashes(text(refused), "error")]
        assert state(db) == before
    shown = follow(client, post(client, csrf, path, service="B"))
    assert "Tiket A-001 dipindahkan ke layanan Pengaduan" in shown
    moved = queue.ticket(ticket.id)
    assert (moved.label, moved.service, moved.queue_seq) == ("A-001", "B", ticket.queue_seq)
    # Still first in B's line: B-001 came after it.
    assert queue.call_next("Loket 1", actor="fo").label == "A-001"


def test_prioritize_from_the_list(as_role, queue: Queue, db: sqlite_utils.Database) -> None:
    queue.issue("A", actor="kiosk")
    ticket = queue.issue("A", actor="kiosk").ticket
    client, csrf = as_role("receptionist")
    assert "Jadikan prioritas" in today_part(text(client.get("/reception")))
    path = f"/reception/tickets/{ticket.id}/prioritize"
    before = state(db)
    for category, message in (("", "Pilih kategori prioritas"), ("vip", "Kategori prioritas")):
        refused = post(client, csrf, path, priority_category=category)
        assert refused.status_code == 422
        assert any(message in line for line in flashes(text(refused), "error"))
        assert state(db) == before
    # The categories by their Indonesian names only, not the codes (issue 14 review).
    refused = post(client, csrf, path, priority_category="vip")
    [line] = [html.unescape(f) for f in flashes(text(refused), "error")]
    assert "lansia" in line and "ibu hamil" in line
    for code in ("elderly", "disabled", "pregnant", "small_children"):
        assert code not in line
    shown = follow(client, post(client, csrf, path, priority_category="pregnant"))
    assert "Tiket A-002 kini prioritas (ibu hamil)" in html.unescape(shown)
    marked = queue.ticket(ticket.id)
    assert (marked.label, marked.queue_seq, marked.priority, marked.priority_category) == (
        "A-002",
        ticket.queue_seq,
        True,
        "pregnant",
    )
    kind, actor, payload = db.execute(
        "SELECT kind, actor, payload FROM events ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert (kind, actor, json.loads(payload)["priority_category"]) == (
        "prioritized",
        "receptionist1",
        "pregnant",
    )
    before = state(db)
    assert post(client, csrf, path, priority_category="elderly").status_code == 409
    assert state(db) == before
    assert queue.call_next("Loket 1", actor="fo").label == "A-002"


def test_reprint_is_offered_for_open_tickets(as_role, queue: Queue) -> None:
    ticket = queue.issue("A", actor="kiosk").ticket
    client, csrf = as_role("receptionist")
    part = today_part(text(client.get("/reception")))
    assert f'action="/reception/tickets/{ticket.id}/reprint"' in part
    # Without the printer's owner running nothing is printed, and the page says why.
    refused = post(client, csrf, f"/reception/tickets/{ticket.id}/reprint")
    assert refused.status_code == 409


def test_issue_form_takes_the_category_and_refuses_priority_without_it(
    as_role, queue: Queue, db: sqlite_utils.Database
) -> None:
    client, csrf = as_role("receptionist")
    before = state(db)
    refused = post(client, csrf, "/reception/issue", pick="B", priority="1")
    assert refused.status_code == 422
    assert any("Pilih kategori prioritas" in f for f in flashes(text(refused), "error"))
    assert state(db) == before
    bad = post(client, csrf, "/reception/issue", pick="B", priority_category="vip")
    assert bad.status_code == 422 and state(db) == before
    follow(client, post(client, csrf, "/reception/issue", pick="B", priority_category="disabled"))
    issued = queue.ticket("B-001")
    assert (issued.priority, issued.priority_category) == (True, "disabled")
    follow(client, post(client, csrf, "/reception/issue", pick="B"))
    assert queue.ticket("B-002").priority is False


def test_registration_shows_what_was_saved(as_role, queue: Queue) -> None:
    ticket = queue.issue("A", actor="kiosk").ticket
    client, csrf = as_role("receptionist")
    saved = post(
        client, csrf, f"/reception/tickets/{ticket.id}/visitor",
        form="visitor", name="Siti Aminah", document_number=VALID_NIK,
        institution="SMP Negeri 1 Medan", phone="081234567890",
    )  # fmt: skip
    page = follow(client, saved)
    summary = page[page.index("Data pengunjung tersimpan") : page.index('<details class="visitor"')]
    for shown in ("Siti Aminah", MASKED_NIK, "SMP Negeri 1 Medan", "KTP"):
        assert shown in summary, shown
    assert VALID_NIK not in page and "081234567890" not in summary
    assert "Ubah data pengunjung" in page


def test_the_public_stream_carries_priority_but_not_its_category(
    queue: Queue, db: sqlite_utils.Database
) -> None:
    queue.issue("A", actor="r", priority=True, priority_category="disabled")
    queue.prioritize(queue.issue("A", actor="r").ticket.id, "pregnant", actor="r")
    shown = {e.kind: event_data(e) for e in queries.events_after(db, 0)}
    assert shown["issued"]["priority"] is False  # the second, normal when issued
    assert shown["prioritized"]["label"] == "A-002"
    for data in shown.values():
        assert "priority_category" not in data


def test_the_category_of_a_kiosk_priority_ticket_is_recorded_from_the_list(
    as_role, queue: Queue, db: sqlite_utils.Database
) -> None:
    kiosk = queue.issue("A", actor="kiosk:button1", priority=True, source="kiosk").ticket
    named = queue.issue("A", actor="r", priority=True, priority_category="elderly").ticket
    client, csrf = as_role("receptionist")
    part = today_part(text(client.get("/reception")))
    # Offered for the ticket without a category only.
    assert part.count("Catat kategori prioritas") == 1
    assert f"/reception/tickets/{kiosk.id}/prioritize" in part
    assert f"/reception/tickets/{named.id}/prioritize" not in part
    path = f"/reception/tickets/{kiosk.id}/prioritize"
    shown = follow(client, post(client, csrf, path, priority_category="disabled"))
    assert "Kategori prioritas tiket A-001 dicatat (penyandang disabilitas)" in html.unescape(shown)
    ticket = queue.ticket(kiosk.id)
    assert (ticket.label, ticket.queue_seq, ticket.priority, ticket.priority_category) == (
        "A-001",
        kiosk.queue_seq,
        True,
        "disabled",
    )
    assert "Catat kategori prioritas" not in today_part(text(client.get("/reception")))
    before = state(db)
    assert post(client, csrf, path, priority_category="elderly").status_code == 409
    assert state(db) == before


def test_the_list_is_a_live_part_that_keeps_the_search(
    as_role, queue: Queue, db: sqlite_utils.Database
) -> None:
    queue.issue("A", actor="kiosk")
    client, _ = as_role("receptionist")
    part = today_part(text(client.get("/reception", query_string={"cari": "A-00"})))
    # The search box sits outside the live part; the live part's URL carries the search.
    assert 'data-live-url="/reception/today/live?cari=A-00"' in part
    assert part.index('name="cari"') < part.index("data-live-url")
    queue.issue("A", actor="kiosk")
    queue.issue("B", actor="kiosk")
    live = text(client.get("/reception/today/live", query_string={"cari": "A-00"}))
    assert labels_in(live) == ["A-002", "A-001"]
    assert '<span hidden data-live-mirror="today-total">2</span>' in live
    everything = text(client.get("/reception/today/live"))
    assert labels_in(everything) == ["B-001", "A-002", "A-001"]
    bad = client.get("/reception/today/live", query_string={"cari": "A\x01"})
    assert bad.status_code == 422 and "karakter kontrol" in text(bad)
    officer, _ = as_role("front_office")
    assert officer.get("/reception/today/live").status_code in (302, 403)


def test_reception_transfers_a_ticket_called_at_a_counter_and_the_desk_says_so(
    as_role, app, queue: Queue, db: sqlite_utils.Database
) -> None:
    """docs/QUEUE.md: a called or served ticket is transferred by reception or the holding
    counter (issue 14 review: "Tiket A-001 tidak sedang ditangani oleh Loket 2." was
    refused). The counter's desk panel then says who moved its visitor, until it calls."""
    from tests.admin.test_desk_pages import officer, title
    from tests.admin.test_desk_pages import post as officer_post

    budi, budi_csrf = officer(app, db, "budi", "Budi Hartono")
    officer_post(budi, budi_csrf, "/counter/choose", counter="2")
    ticket = queue.issue("A", actor="kiosk").ticket
    queue.call_specific(2, ticket.id, actor="budi")
    client, csrf = as_role("receptionist")
    # The list offers it for the called ticket.
    part = today_part(text(client.get("/reception")))
    assert f'action="/reception/tickets/{ticket.id}/transfer' in part
    shown = follow(client, post(client, csrf, f"/reception/tickets/{ticket.id}/transfer",
                                service="B"))  # fmt: skip
    assert "Tiket A-001 dipindahkan ke layanan Pengaduan" in shown
    moved = queue.ticket(ticket.id)
    assert (moved.service, moved.state, moved.counter_id) == ("B", "waiting", None)
    desk = text(budi.get("/counter/current/live"))
    assert title(desk) == "Loket siap"
    assert "A-001 dipindahkan ke layanan Pengaduan oleh Resepsionis." in desk
    # Called again (by Loket 2 itself): the note has done its work.
    queue.call_specific(2, ticket.id, actor="budi")
    assert "oleh Resepsionis" not in text(budi.get("/counter/current/live"))


def test_a_reception_cancel_of_a_visitor_being_served_is_explained_at_the_desk(
    as_role, app, queue: Queue, db: sqlite_utils.Database
) -> None:
    from tests.admin.test_desk_pages import officer, title, version
    from tests.admin.test_desk_pages import post as officer_post

    budi, budi_csrf = officer(app, db, "budi", "Budi Hartono")
    officer_post(budi, budi_csrf, "/counter/choose", counter="2")
    ticket = queue.issue("A", actor="kiosk").ticket
    queue.issue("A", actor="kiosk")
    queue.call_specific(2, ticket.id, actor="budi")
    queue.start(ticket.id, 2, actor="budi")
    serving = version(text(budi.get("/counter/current/live")))
    client, csrf = as_role("receptionist")
    cancelled = post(client, csrf, f"/reception/tickets/{ticket.id}/cancel",
                     reason="Pengunjung harus pulang mendadak")  # fmt: skip
    assert cancelled.status_code == 303
    desk = text(budi.get("/counter/current/live"))
    assert title(desk) == "Loket siap" and version(desk) != serving
    assert "A-001 dibatalkan oleh Resepsionis: Pengunjung harus pulang mendadak" in desk
    assert "A-001 dibatalkan" in text(budi.get("/counter"))
    # The officer's own cancel needs no note (the flash said it): none after the next one.
    nxt = officer_post(budi, budi_csrf, "/counter/call-next", counter_id="2", form="call_next")
    assert nxt.status_code == 303
    held = queue.ticket("A-002")
    assert held.counter_id == 2
    assert "dibatalkan oleh" not in text(budi.get("/counter/current/live"))
    officer_post(budi, budi_csrf, f"/counter/tickets/{held.id}/cancel", counter_id="2",
                 form="cancel", reason="Salah ambil nomor")  # fmt: skip
    assert queue.ticket(held.id).state == "cancelled"
    assert "dibatalkan oleh" not in text(budi.get("/counter/current/live"))
