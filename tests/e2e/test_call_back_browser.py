"""A case back from the back office, called back through the board (issue 14): the back
office answers in one browser context; the front office's counter page in another shows it at
the top within a second, without a reload, with a badge, a count in the title and a beep; the
officer calls the visitor back, the board says "Silakan kembali ke Loket 2" and the
visitor's page tells them to come back."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest

from tests.e2e.conftest import PASSWORD, Appliance, Console, domain
from tests.e2e.sync_api import Page, expect
from tests.e2e.test_desk_browser import PANEL_MS, SHOTS, clear_loket_2, sit_at_loket_2

pytestmark = pytest.mark.e2e

NewPage = Callable[[], Page]
BACK_OFFICE_USER = "bo-callback-e2e"


def returned_count(page: Page) -> int:
    return int(page.locator("[data-returned-count]").get_attribute("data-returned-count"))


def test_a_returned_case_is_seen_at_once_and_its_visitor_called_back(
    new_page: NewPage, appliance: Appliance, console: Console
) -> None:
    clear_loket_2(appliance)
    with domain(appliance) as queue:
        if queue.db["users"].count_where("username = ?", [BACK_OFFICE_USER]) == 0:
            known = False
        else:
            known = True
    if not known:
        appliance.ult(
            "user", "add", BACK_OFFICE_USER, "--role", "back_office", "--password-stdin",
            stdin=PASSWORD,
        )  # fmt: skip
    with domain(appliance) as queue:
        ticket = queue.issue("A", actor="e2e").ticket
        loket1 = next(c for c in queue.counters() if c.name == "Loket 1").id
        for (held,) in queue.db.execute(
            "SELECT id FROM tickets WHERE counter_id = ?", [loket1]
        ).fetchall():
            queue.cancel(held, actor="e2e", reason="Dibersihkan untuk uji berikutnya")
        queue.call_specific(loket1, ticket.id, actor="e2e")
        queue.start(ticket.id, loket1, actor="e2e")
        queue.detail(ticket.id, loket1, actor="e2e", text="Tunjangan profesi belum cair")
        queue.escalate(ticket.id, loket1, actor="e2e", note="Perlu cek data SIMTUN")

    # The front office at Loket 2 (the office PC: 1366x768), the board, the visitor.
    desk = new_page()
    sit_at_loket_2(desk, appliance)
    before = returned_count(desk)
    desk.evaluate("window.e2eNotReloaded = true")
    board = new_page()
    board.set_viewport_size({"width": 1280, "height": 720})
    board.goto(appliance.url("/board"))
    visitor = new_page()
    visitor.set_viewport_size({"width": 390, "height": 844})
    visitor.goto(appliance.url(f"/t/{ticket.token}"))

    # The back office takes the case and answers it, in its own browser context.
    office = new_page()
    office.goto(appliance.url("/login"))
    office.get_by_label("Nama pengguna").fill(BACK_OFFICE_USER)
    office.get_by_label("Kata sandi").fill(PASSWORD)
    with office.expect_navigation():
        office.get_by_role("button", name="Masuk").click()
    office.goto(appliance.url(f"/back-office/cases/{ticket.id}"))
    office.get_by_role("button", name=re.compile(r"^Ambil kasus")).click()
    office.get_by_label("Jawaban").fill("Cair tanggal 20")
    office.get_by_role("button", name="Kirim jawaban ke Front Office").click()
    started = time.monotonic()

    # Within a second, without a reload: the card at the top, the badge, the title, a beep.
    card = desk.locator(".returned-alert")
    case = card.locator("li", has_text=ticket.label)
    expect(case).to_be_visible(timeout=PANEL_MS)
    assert time.monotonic() - started < PANEL_MS / 1000 + 0.5
    assert desk.evaluate("window.e2eNotReloaded") is True, "the counter page was reloaded"
    assert returned_count(desk) == before + 1
    expect(desk.locator("[data-returned-badge]")).to_be_visible()
    expect(desk.locator("[data-returned-number]")).to_have_text(str(before + 1))
    assert desk.title().startswith(f"({before + 1}) Loket")
    assert desk.locator("#pages-root").get_attribute("data-returned-beeps") == "1"
    # Above the fold at 1366x768, above the desk panel and the queue.
    box = card.bounding_box()
    assert box is not None and box["y"] < 768 - 120, box
    call_back = case.get_by_role("button", name="Panggil kembali ke loket ini")
    button = call_back.bounding_box()
    assert button is not None and button["y"] + button["height"] <= 768, button
    assert box["y"] < desk.locator(".desk").bounding_box()["y"]
    desk.screenshot(path=f"{SHOTS}/counter-returned-card.png")
    # The visitor's phone polls (visitor.js, every 10 s: no stream slot per phone).
    expect(visitor.locator(".status")).to_contain_text(
        "Jawaban untuk permohonan Anda sudah siap. Tunggu panggilan; Anda akan dipanggil kembali.",
        timeout=12_000,
    )

    # The officer calls the visitor back: the desk holds the case, the board and the visitor's
    # page say come back.
    call_back.click()
    expect(desk.locator("#current-title")).to_have_text(f"Di loket: {ticket.label}")
    expect(desk.locator(".desk")).to_contain_text("Cair tanggal 20")
    expect(desk.get_by_role("button", name=re.compile(r"^Panggil ulang"))).to_be_visible()
    desk.screenshot(path=f"{SHOTS}/counter-called-back-desk.png")
    expect(board.locator("#call-label")).to_have_text(ticket.label, timeout=PANEL_MS)
    expect(board.locator("#call-goto")).to_have_text("Silakan kembali ke")
    expect(board.locator("#call-counter")).to_have_text("Loket 2")
    board.screenshot(path=f"{SHOTS}/board-call-back.png")
    expect(visitor.locator(".status")).to_contain_text(
        "Silakan kembali ke Loket 2.", timeout=12_000
    )
    expect(visitor.locator(".status.tone-call")).to_be_visible()
    visitor.screenshot(path=f"{SHOTS}/visitor-call-back.png")

    # The case left the card: the count is back; the page loaded after the form does not
    # beep at its first look (only a rise seen live does).
    expect(desk.locator("[data-returned-number]")).to_have_text(str(before))
    if before == 0:
        expect(desk.locator("[data-returned-badge]")).to_be_hidden()
    assert desk.locator("#pages-root").get_attribute("data-returned-beeps") is None
    # Explained at the desk: the board's main panel steps back.
    desk.get_by_role("button", name="Penjelasan diberikan", exact=True).click()
    expect(board.locator("#call-label")).not_to_have_text(ticket.label, timeout=PANEL_MS)
    assert console.problems == []


def test_a_long_waiting_list_fits_the_page_and_an_answer_is_seen_while_scrolled_down(
    new_page: NewPage, appliance: Appliance, console: Console
) -> None:
    """Issue 14 review: at 1366x768 (and 1280) the waiting list with priority badges, long
    topics and long-wait marks stays inside the page (no horizontal scroll); an officer
    scrolled down to it sees a banner on top within a second of an answer coming back."""
    from datetime import timedelta

    from ult import sop
    from ult.clock import FakeClock, utc_now

    clear_loket_2(appliance)
    issued: list[int] = []
    with domain(appliance, FakeClock(utc_now() - timedelta(minutes=12))) as queue:
        # Each service's longest configured topic (the last one of the ordered rows wins).
        topics = {
            r["service"]: r["name"]
            for r in queue.db.query(
                "SELECT service, name FROM topics WHERE active = 1 ORDER BY length(name)"
            )
        }
        for service in "ABCDABCD":  # waiting long: the long-wait mark
            issued.append(queue.issue(service, actor="e2e", topic=topics.get(service)).ticket.id)
    with domain(appliance) as queue:
        for service in "ABCD":  # priority, with a category
            issued.append(
                queue.issue(
                    service,
                    actor="e2e",
                    priority=True,
                    priority_category="elderly",
                    topic=topics.get(service),
                ).ticket.id
            )
        case = queue.issue("A", actor="e2e").ticket
        loket1 = next(c for c in queue.counters() if c.name == "Loket 1").id
        office = next(c for c in queue.counters() if c.kind == "back_office").id
        for (held,) in queue.db.execute(
            "SELECT id FROM tickets WHERE counter_id = ?", [loket1]
        ).fetchall():
            queue.cancel(held, actor="e2e", reason="Dibersihkan untuk uji berikutnya")
        queue.call_specific(loket1, case.id, actor="e2e")
        queue.start(case.id, loket1, actor="e2e")
        queue.detail(case.id, loket1, actor="e2e", text="Tunjangan profesi belum cair")
        queue.escalate(case.id, loket1, actor="e2e", note="Perlu cek data SIMTUN")
        queue.take(case.id, office, actor="e2e")
    try:
        desk = new_page()
        sit_at_loket_2(desk, appliance)
        rows = desk.locator(".live tbody tr")
        expect(rows.first).to_be_visible()
        assert rows.count() >= 12
        expect(desk.locator("tr.long-wait").first).to_be_visible()
        for width in (1366, 1280):
            desk.set_viewport_size({"width": width, "height": 768})
            sizes = desk.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            assert sizes[0] <= sizes[1], f"the page is wider than the window at {width}: {sizes}"
            # Every call button inside its card.
            crossing = desk.evaluate(
                """() => {
                  const card = document.querySelector('.live section.card').getBoundingClientRect();
                  return Array.from(document.querySelectorAll('.live tbody button'))
                    .map(b => b.getBoundingClientRect())
                    .filter(r => r.right > card.right || r.left < card.left).length;
                }"""
            )
            assert crossing == 0, f"{crossing} call buttons cross the card at {width}"
        desk.set_viewport_size({"width": 1366, "height": 768})
        desk.locator("tr.long-wait").last.scroll_into_view_if_needed()
        desk.screenshot(path=f"{SHOTS}/counter-long-list-1366.png")

        # Scrolled down to the list: the back office answers; the banner is in view at once.
        desk.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        banner = desk.locator("[data-returned-banner] a")
        expect(banner).to_be_hidden()
        with domain(appliance) as queue:
            queue.resolve(case.id, office, actor="e2e", text="Cair tanggal 20")
        started = time.monotonic()
        expect(banner).to_be_visible(timeout=PANEL_MS)
        assert time.monotonic() - started < PANEL_MS / 1000 + 0.5
        expect(banner).to_contain_text(f"Jawaban siap: {case.label}")
        assert desk.locator("[data-returned-banner]").get_attribute("role") == "status"
        box = banner.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, box
        desk.screenshot(path=f"{SHOTS}/counter-returned-banner.png")
        # Following it brings the card into view, and the banner steps back.
        banner.click()
        expect(desk.locator(".returned-alert li", has_text=case.label)).to_be_in_viewport()
        expect(banner).to_be_hidden(timeout=PANEL_MS)
        assert console.problems == []
    finally:
        with domain(appliance) as queue:
            for ticket_id in [*issued, case.id]:
                if queue.ticket(ticket_id).state not in sop.FINAL_STATES:
                    queue.cancel(ticket_id, actor="e2e", reason="Dibersihkan untuk uji berikutnya")
