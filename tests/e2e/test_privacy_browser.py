"""The supervisor's personal-data page in a real browser (UU 27/2022): an access request
downloads the visitor's JSON, an erasure asks to confirm and then erases, and the audit list
shows both; the privacy notice opens without a login. Screenshots stay in the test's
temporary folder (``--basetemp`` to keep them)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    Appliance,
    Console,
    domain,
    fresh_appliance,
    log_in,
    running_admin,
)
from tests.e2e.sync_api import Page, expect
from tests.reports_day import NIK, START, simulate_day
from ult.clock import FakeClock

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def privacy_appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    """A fresh appliance holding the reports' simulated day (Budi Santoso's two visits)."""
    appliance = fresh_appliance(tmp_path_factory.mktemp("e2e-privacy"))
    with domain(appliance, FakeClock(START)) as queue:
        simulate_day(queue, queue.clock)
    with running_admin(appliance):
        yield appliance


def test_the_supervisor_exports_erases_and_reviews(
    new_page: Callable[[], Page],
    privacy_appliance: Appliance,
    console: Console,
    tmp_path: Path,
) -> None:
    appliance = privacy_appliance
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, appliance, "supervisor")
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Data pribadi").click()
    expect(page).to_have_url(re.compile(r"/privasi$"))
    expect(page.locator("h1")).to_contain_text("Data pribadi pengunjung")

    # A bad number: the reason in Indonesian, on the page.
    page.get_by_label("Nomor identitas").fill("1271011213900001")
    page.get_by_role("button", name="Ekspor data (JSON)").click()
    expect(page.locator(".flash.error")).to_contain_text("bulan")

    # The access request: a JSON file with Budi's visits.
    page.get_by_label("Nomor identitas").fill(NIK)
    with page.expect_download() as download:
        page.get_by_role("button", name="Ekspor data (JSON)").click()
    saved = tmp_path / "data.json"
    download.value.save_as(saved)
    body = json.loads(saved.read_text(encoding="utf-8"))
    assert {v["name"] for v in body["visits"]} == {"Budi Santoso"} and len(body["visits"]) == 2
    # With what the officers wrote for each visit (the copy owed to the person).
    assert [v["case"]["request_detail"] for v in body["visits"]] == [
        "Tunjangan profesi belum cair"
    ] * 2

    # The erasure: asked, then confirmed.
    page.goto(appliance.url("/privasi"))
    page.get_by_label("Nomor identitas").fill(NIK)
    page.get_by_role("button", name="Hapus identitas…").click()
    expect(page.locator("#konfirmasi")).to_contain_text("Hapus identitas 2 kunjungan?")
    # The visits to check against the person before the irreversible erasure.
    visits = page.locator("#konfirmasi table.erase-visits tbody tr")
    expect(visits).to_have_count(2)
    expect(visits.nth(0)).to_contain_text("25 November 2026")
    expect(visits.nth(0)).to_contain_text("A-001")
    expect(visits.nth(0)).to_contain_text("Budi Santoso")
    expect(visits.nth(1)).to_contain_text("B-001")
    page.screenshot(path=str(tmp_path / "privacy-confirm.png"), full_page=True)
    page.get_by_label("Saya memastikan pemilik data meminta penghapusan ini").check()
    page.get_by_role("button", name="Hapus identitas", exact=True).click()
    expect(page.locator(".flash.info")).to_contain_text("Identitas 2 kunjungan telah dihapus")
    audit = page.locator(".audit-table")
    expect(audit).to_contain_text("Dihapus atas permintaan")
    expect(audit).to_contain_text("Permintaan akses (berkas JSON)")
    expect(page.locator("body")).not_to_contain_text(NIK)
    # Times in the office's local time, as Indonesians write them (the one date format of
    # every page, issue 14: "6 Desember 2026 18.17.05"); the filter on one row.
    expect(audit.locator("td.when").first).to_have_text(
        re.compile(r"^\d{1,2} [A-Z][a-z]+ \d{4} \d{2}\.\d{2}\.\d{2}$")
    )
    since, until = (page.get_by_label(name).bounding_box() for name in ("Dari", "Sampai"))
    assert since and until and since["y"] == until["y"] and since["x"] < until["x"]
    page.screenshot(path=str(tmp_path / "privacy-page.png"), full_page=True)

    # The guest book says the identity is gone, for the supervisor and a masked role alike.
    for role in ("supervisor", "front_office"):
        if role != "supervisor":
            page = new_page()
            page.set_viewport_size({"width": 1366, "height": 900})
            log_in(page, appliance, role)
        page.goto(appliance.url("/buku-tamu?dari=2026-11-25&sampai=2026-11-25"))
        rows = page.locator(".guestbook-table tbody tr")
        expect(rows).to_have_count(2)
        # The day as people read it, in the heading and the table; ISO only in the inputs.
        expect(page.locator("h1")).to_contain_text("Buku tamu · 25 November 2026")
        expect(rows.first.locator("td").first).to_have_text("25 November 2026")
        expect(rows.first).to_contain_text("(dihapus)")
        expect(page.locator("body")).not_to_contain_text("*" * 16)
        page.screenshot(path=str(tmp_path / f"guestbook-erased-{role}.png"), full_page=True)

    # The notice, for anyone.
    visitor = new_page()
    visitor.set_viewport_size({"width": 390, "height": 844})
    visitor.goto(appliance.url("/privasi/pemberitahuan"))
    expect(visitor.locator("h1")).to_have_text("Pemberitahuan privasi")
    expect(visitor.locator("body")).to_contain_text("Pasal 20 ayat (2) huruf e")
    visitor.screenshot(path=str(tmp_path / "privacy-notice.png"), full_page=True)
    # Meant: the refused number's 422, and the download ending the export's navigation.
    meant = [
        p
        for p in console.problems
        if "/privasi/ekspor" in p and ("status of 422" in p or "net::ERR_ABORTED" in p)
    ]
    assert len(meant) == 2 and [p for p in console.problems if p not in meant] == []
