"""The case search in a real browser (issue 14): a front-office officer finds a finished case
by the visitor's name and opens it read-only, its history and step times on the page, the
identity number masked for the role. Chromium at the office PC's 1366x768.

The case itself is played through the real queue domain on the appliance's own database
file, as ``ult admin`` sees it (the browser only has to find and read it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.e2e.conftest import Appliance, Console, clear_counter, domain, log_in
from tests.e2e.sync_api import Page, expect
from tests.e2e.test_record_browser import shot

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NewPage = Callable[[], Page]
NIK = "1271016604920003"


def test_a_case_is_found_by_name_and_opened_read_only(
    new_page: NewPage, appliance: Appliance, console: Console
) -> None:
    clear_counter(appliance, "Loket 2")
    with domain(appliance) as queue:
        ticket = queue.issue("A", actor="e2e").ticket
        queue.take_counter("Loket 2", actor="e2e-kasus")
        queue.call_specific("Loket 2", ticket.id, actor="e2e-kasus")
        queue.start(ticket.id, "Loket 2", actor="e2e-kasus")
        queue.identify(
            ticket.id, "Loket 2", actor="e2e-kasus", name="Melati Harahap", nik=NIK,
            institution="SD Negeri 5 Binjai",
        )  # fmt: skip
        queue.detail(ticket.id, "Loket 2", actor="e2e-kasus", text="Mutasi guru antar kabupaten")
        queue.answer(
            ticket.id, "Loket 2", actor="e2e-kasus", kind="available",
            text="Berkas mutasi diajukan melalui dinas kabupaten asal.",
        )  # fmt: skip
        queue.explain(ticket.id, "Loket 2", actor="e2e-kasus", mode="direct")
        queue.finish(ticket.id, "Loket 2", actor="e2e-kasus")
        queue.leave_counter("Loket 2", actor="e2e-kasus")

    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, appliance, "front_office")
    page.get_by_role("link", name="Cari kasus").click()
    expect(page.locator("h1")).to_contain_text("Cari kasus")
    page.get_by_label("Nomor antrian, nama atau nomor identitas").fill("melati")
    page.get_by_role("button", name="Cari").click()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Melati Harahap")
    expect(rows.first).to_contain_text("1271**********03")  # masked for the front office
    expect(rows.first).not_to_contain_text(NIK)
    shot(page, "case-search")

    rows.first.get_by_role("link", name=ticket.label).click()
    expect(page).to_have_url(re.compile(rf"/kasus/{ticket.id}$"))
    expect(page.locator("h1")).to_contain_text(f"Kasus {ticket.label}")
    expect(page.locator("main")).to_contain_text("Mutasi guru antar kabupaten")
    history = page.locator("table.case-history tbody tr")
    expect(history.filter(has_text="dicatat identitasnya")).to_have_count(1)
    expect(history.filter(has_text="diselesaikan")).to_contain_text("Loket 2")
    expect(page.locator("table.case-steps")).to_contain_text("Verifikasi identitas")
    expect(page.locator("main form")).to_have_count(0)  # read-only
    shot(page, "case-view")
    assert console.problems == []
