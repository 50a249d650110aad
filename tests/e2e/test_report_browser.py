"""The report pages in a real browser: a supervisor reads a simulated day, switches the
period, sees the charts and the tables, downloads CSV and XLSX (read back and compared with
the JSON API), opens the report book and prints it to an A4 PDF.

The appliance here is its own (not the session's): its day is walked through the queue
domain with a FakeClock before ``ult admin`` starts, so the numbers are known.
Screenshots and the PDF stay in the test's temporary folder (``--basetemp`` to keep them).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import (
    PASSWORD,
    USERS,
    Appliance,
    Console,
    aborted_live_poll,
    domain,
    fresh_appliance,
    log_in,
    running_admin,
)
from tests.e2e.sync_api import Page, expect
from tests.reports_day import DAY, NIK, START, simulate_day
from ult.clock import FakeClock

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NewPage = Callable[[], Page]

HEAD = "kepala-e2e"
"""The head of office's account (role ``kepala``) on the reports appliance."""


@pytest.fixture(scope="module")
def reports_appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    """A fresh appliance holding the simulated day, with ``ult admin`` serving it."""
    appliance = fresh_appliance(
        tmp_path_factory.mktemp("e2e-reports"), users={**USERS, "kepala": HEAD}
    )
    with domain(appliance, FakeClock(START)) as queue:
        simulate_day(queue, queue.clock)
    with running_admin(appliance):
        yield appliance


def _wait_for_chart(page: Page, chart_id: str) -> None:
    """Until Chart.js has drawn the chart ``chart_id`` (the page's scripts run after its
    HTML is shown); a chart never drawn fails on the page's timeout."""
    page.wait_for_function(
        "id => { const c = document.getElementById('chart-' + id);"
        " return !!(c && window.Chart && Chart.getChart(c) && c.width > 0); }",
        arg=chart_id,
    )


def test_only_navigation_aborts_of_live_parts_are_ignored() -> None:
    base = "http://127.0.0.1:5000"
    assert aborted_live_poll(f"{base}/supervisor/overview/live", "net::ERR_ABORTED")
    assert aborted_live_poll(f"{base}/counter/live?counter=1", "net::ERR_ABORTED")
    assert not aborted_live_poll(f"{base}/supervisor/overview/live", "net::ERR_FAILED")
    assert not aborted_live_poll(f"{base}/reports/", "net::ERR_ABORTED")
    assert not aborted_live_poll(f"{base}/static/live.js", "net::ERR_ABORTED")


def test_supervisor_reads_switches_downloads_and_prints(
    new_page: NewPage,
    reports_appliance: Appliance,
    console: Console,
    tmp_path: Path,
) -> None:
    appliance = reports_appliance
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, appliance, "supervisor")
    # The landing page (the overview) loads its scripts first: leaving it mid-load would
    # abort them, which the console watch counts as a failure.
    expect(page).to_have_url(re.compile(r"/supervisor/$"))
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Laporan").click()
    expect(page).to_have_url(re.compile(r"/reports/$"))

    # The simulated day, through the picker.
    page.get_by_label("Tanggal dalam periode").fill(DAY.isoformat())
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.locator("h1")).to_contain_text("Rabu, 25 November 2026")
    overruns = page.locator("#section-overruns")
    expect(overruns).to_contain_text("A-001")
    expect(overruns).to_contain_text("fo1")
    expect(overruns).not_to_contain_text("fo2")
    for chart in ("daily", "times", "compliance", "step_times", "officers"):
        _wait_for_chart(page, chart)
    page.screenshot(path=str(tmp_path / "reports-day.png"), full_page=True)

    # A range shows its two dates, a named period hides them.
    picker = page.locator("form.picker")
    expect(page.get_by_label("Dari tanggal")).to_be_hidden()
    page.locator("#period-kind").select_option("range")
    expect(page.get_by_label("Dari tanggal")).to_be_visible()
    page.locator("#period-kind").select_option("month")
    expect(picker.get_by_label("Tanggal dalam periode")).to_be_visible()
    page.get_by_role("button", name="Tampilkan").click()
    expect(page).to_have_url(re.compile(r"period=month"))
    expect(page.locator("h1")).to_contain_text("1 November 2026 – 30 November 2026")
    expect(page.locator("#section-summary")).to_be_visible()
    _wait_for_chart(page, "daily")
    page.screenshot(path=str(tmp_path / "reports-month.png"), full_page=True)

    # Downloads: read back and compared with the JSON the API gives for the same period.
    month = "from=2026-11-01&to=2026-11-30"
    api = page.request.get(appliance.url(f"/api/v1/reports/overruns?{month}")).json()
    with page.expect_download() as csv_download:
        overruns.get_by_role("link", name="CSV").click()
    data = Path(csv_download.value.path()).read_bytes()
    assert csv_download.value.suggested_filename == "laporan-overruns-2026-11-01_2026-11-30.csv"
    assert data.startswith(b"\xef\xbb\xbf")
    header, *lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(header) == len(api["columns"])
    assert len(lines) == len(api["rows"]) == 1
    row = dict(zip([c["key"] for c in api["columns"]], lines[0], strict=True))
    assert (row["label"], row["officer"], row["overrun_seconds"]) == ("A-001", "fo1", "120")
    assert row["began_at"] == "2026-11-25 09:09:00"  # local time in the file, UTC in JSON
    assert api["rows"][0]["began_at"].startswith("2026-11-25T02:09:00")

    summary = page.request.get(appliance.url(f"/api/v1/reports/summary?{month}")).json()
    with page.expect_download() as xlsx_download:
        page.locator("#section-summary").get_by_role("link", name="XLSX").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    # The browser keeps a download under a name without extension: openpyxl reads bytes.
    data = Path(xlsx_download.value.path()).read_bytes()
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    titles, values = list(sheet.iter_rows(values_only=True))
    assert list(values) == [summary["rows"][0][c["key"]] for c in summary["columns"]]
    assert titles[0] == summary["columns"][0]["title"]
    shown = page.locator("#section-summary dl").inner_text()
    assert "Pengunjung\n3" in shown

    # The report book, printed to A4.
    page.goto(appliance.url(f"/reports/book?day={DAY.isoformat()}"))
    expect(page.locator(".book")).to_contain_text("Mengetahui")
    expect(page.locator("#book-overruns")).to_contain_text("A-001")
    page.screenshot(path=str(tmp_path / "book-screen.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("#print-book")).to_be_hidden()
    pdf = tmp_path / "buku-laporan.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Buku Laporan Harian" in text and "Mengetahui" in text and "A-001" in text
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        assert re.search(r"Page size:.*\(A4\)", info), info
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "book")])
    # Every table fits A4 portrait's printable width (210 mm less 35 mm of margins), even
    # with an officer's long name and a long counter name in the widest tables.
    page.set_viewport_size({"width": round(175 / 25.4 * 96), "height": 900})
    page.evaluate(
        "() => document.querySelectorAll('#book-officers td:nth-child(2), "
        "#book-overruns td:nth-child(4), #book-overruns td:nth-child(5)').forEach("
        "c => { c.textContent = 'Muhammad Abdurrahmansyahputra Wiraatmadja, S.Pd., M.Pd.'; })"
    )
    overflowing = page.evaluate(
        "() => [...document.querySelectorAll('.book table')].filter("
        "t => t.getBoundingClientRect().right > "
        "document.querySelector('.book').getBoundingClientRect().right + 0.5)"
        ".map(t => t.closest('section').id)"
    )
    assert overflowing == []
    assert console.problems == []


def test_the_head_of_office_lands_on_the_reports_and_reads_without_acting(
    new_page: NewPage, reports_appliance: Appliance, console: Console
) -> None:
    """``kepala``: the report page first; the nav holds the reports and the guest book (its
    document numbers masked), never a queue page; the step record is not offered."""
    appliance = reports_appliance
    page = new_page()
    page.goto(appliance.url("/login"))
    page.get_by_label("Nama pengguna").fill(HEAD)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    nav = page.locator("header.top nav")
    expect(nav.get_by_role("link", name="Laporan")).to_be_visible()
    expect(nav.get_by_role("link", name="Buku tamu")).to_be_visible()
    for queue_page in ("Loket", "Resepsionis", "Back Office"):
        expect(nav.get_by_role("link", name=queue_page, exact=True)).to_have_count(0)
    page.get_by_label("Tanggal dalam periode").fill(DAY.isoformat())
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.locator("#section-daily")).to_contain_text("25 November 2026")
    expect(page.locator("#section-steps")).to_have_count(0)
    expect(page.get_by_text("Data pribadi (hanya supervisor)")).to_have_count(0)
    _wait_for_chart(page, "daily")
    page.goto(appliance.url(f"/buku-tamu?dari={DAY.isoformat()}&sampai={DAY.isoformat()}"))
    expect(page.locator("main")).to_contain_text("Budi Santoso")
    assert NIK not in page.content()
    assert console.problems == []
