"""In a real browser against the real server: log in, call next, see the browser board change.

The appliance (``ult init``, two accounts, ``ult admin`` on a free port) and the browser
(Debian's chromium) come from ``conftest.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from admin.messages import AUTH
from tests.e2e.conftest import Appliance, Console, log_in
from tests.e2e.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NewPage = Callable[[], Page]

LIVE_S = 5_000
"""Milliseconds a live update may take to reach the page (the stream's goal is 50 ms)."""


def _not_http_status(problems: list[str], status: int) -> list[str]:
    """The problems less chromium's console line for a response it was meant to get."""
    return [p for p in problems if f"status of {status}" not in p]


def test_login_refuses_a_wrong_password_in_indonesian(
    new_page: NewPage, appliance: Appliance, console: Console
) -> None:
    page = new_page()
    log_in(page, appliance, "front_office", password="bukan-sandinya")
    expect(page.get_by_role("alert")).to_contain_text(AUTH["bad_credentials"])
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_label("Nama pengguna")).to_have_value("fo-e2e")
    # The 401 of the refused login is the answer meant; nothing else may complain.
    assert _not_http_status(console.problems, 401) == []


def test_call_next_shows_on_the_browser_board(
    new_page: NewPage, appliance: Appliance, console: Console
) -> None:
    """The issue's walk: log in, choose a counter, call next, see the browser board change
    (live, through the stream) and hear it (the TV board's WAV)."""
    label = appliance.issue("A")

    board = new_page()
    # The board's event stream is open before anything is called: what follows arrives live.
    # The stream itself belongs to the browser's shared worker, which Playwright does not
    # show; the board fetches its state right after the stream opens, so wait for that.
    with board.expect_response(
        lambda response: response.url.split("?")[0].endswith("/api/v1/board")
    ):
        board.goto(appliance.url("/board"))
    expect(board.locator("#call-label")).not_to_have_text(label)
    board.evaluate("window.e2eNotReloaded = true")

    staff = new_page()
    log_in(staff, appliance, "front_office")
    expect(staff).to_have_url(re.compile(r"/counter$"))  # the front office lands on its page
    choice = staff.locator("select[name=counter] option", has_text="Loket 1")
    staff.get_by_label("Loket").select_option(choice.get_attribute("value"))
    staff.get_by_role("button", name="Bertugas di loket ini").click()
    queue = staff.locator("section", has=staff.locator("#queue-title"))
    expect(queue).to_contain_text(label)
    # The counter's queue is live too: a ticket issued elsewhere shows up without a reload.
    staff.evaluate("window.e2eNotReloaded = true")
    later = appliance.issue("A")
    expect(queue).to_contain_text(later, timeout=LIVE_S)
    assert staff.evaluate("window.e2eNotReloaded") is True, "the counter page was reloaded"

    with board.expect_response(
        lambda response: "/board/announcement.wav" in response.url, timeout=LIVE_S
    ) as spoken:
        staff.get_by_role("button", name=re.compile(r"^Panggil berikutnya")).click()
        expect(staff.locator("#current-title")).to_contain_text(label)

        expect(board.locator("#call-label")).to_have_text(label, timeout=LIVE_S)
        expect(board.locator("#call-counter")).to_have_text("Loket 1")
    # ... and speaks it with the TV board's WAV.
    assert spoken.value.status == 200
    assert spoken.value.header_value("content-type") == "audio/wav"
    assert f"label={label}" in spoken.value.url
    assert board.evaluate("window.e2eNotReloaded") is True, "the board page was reloaded"
    assert console.problems == []
