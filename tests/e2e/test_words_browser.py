"""Issue 14's words in a real browser: the other tab after a logout, and the date format.

One browser context (one cookie jar) with two tabs, as an officer has them on the office PC.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import (
    Appliance,
    Console,
    fresh_appliance,
    log_in,
    running_admin,
    staff_page,
    watched_page,
)
from tests.e2e.sync_api import Browser, Page, expect

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def words_appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    """A fresh appliance with every default (no voice pack: nothing here is spoken)."""
    with running_admin(fresh_appliance(tmp_path_factory.mktemp("e2e-words"))) as appliance:
        yield appliance


def test_the_other_tab_says_the_session_ended_by_the_logout(
    browser: Browser, words_appliance: Appliance, console: Console, tmp_path: Path
) -> None:
    appliance = words_appliance
    with staff_page(browser, appliance, "front_office", console) as first:
        first.goto(appliance.url("/counter"))
        second = watched_page(first.context, console)
        second.goto(appliance.url("/counter"))
        expect(second.locator("h1")).to_contain_text("Loket Front Office")

        with first.expect_navigation():
            first.get_by_role("button", name="Keluar").click()
        expect(first.locator(".flash.info")).to_have_text("Anda telah keluar.")

        # The second tab still shows the counter page; its next action finds no session.
        with second.expect_navigation():
            second.get_by_role("button", name="Bertugas di loket ini").click()
        expect(second).to_have_url(re.compile(r"/login"))
        flash = second.locator(".flash")
        expect(flash).to_contain_text("Sesi Anda sudah berakhir karena Anda keluar (logout)")
        expect(second.locator("body")).not_to_contain_text("tidak aktif")
        second.screenshot(path=str(tmp_path / "other-tab-after-logout.png"))
    assert console.problems == []


def test_the_supervisor_overview_shows_the_day_in_indonesian(
    new_page: Callable[[], Page], words_appliance: Appliance, console: Console, tmp_path: Path
) -> None:
    page = new_page()
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, words_appliance, "supervisor")
    page.goto(words_appliance.url("/supervisor/"))
    heading = page.locator("main")
    # "Minggu, 6 Desember 2026": weekday, day, month name, year; never an ISO day.
    expect(heading).to_contain_text(
        re.compile(r"(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d{1,2} [A-Z][a-z]+ \d{4}")
    )
    expect(page.locator("main")).not_to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    page.screenshot(path=str(tmp_path / "overview-date.png"), full_page=True)
    assert console.problems == []
