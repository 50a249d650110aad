"""Many tabs, one stream: a supervisor with eight staff pages and boards open in one browser.

Browsers allow about six HTTP/1.1 connections per origin (PITFALLS, admin): with an
EventSource per tab the seventh tab would hang. live.js shares one stream per browser through
a SharedWorker (stream-worker.js). This appliance allows two board streams (``max_streams =
2``: the shared one, and a spare for one that ended but the server has not yet noticed), so
the server's log shows every stream the tabs opened beyond that as refused.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import (
    USERS,
    Appliance,
    Console,
    fresh_appliance,
    running_admin,
    staff_page,
    watched_page,
)
from tests.e2e.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TABS = (
    "/supervisor/",
    "/reception",
    "/counter",
    "/back-office",
    "/board",
    "/supervisor/",
    "/reception",
    "/board",
)
"""Eight tabs: every page that follows the board stream, some twice."""

LOAD_MS = 5_000
"""The last tab must load within this (it hangs for good without a shared stream)."""

LIVE_MS = 5_000
"""Milliseconds a live update may take to reach a tab."""

REFUSED = "board stream refused"
"""What the server logs for each stream over the cap (admin/stream.py)."""


def _two_streams(text: str) -> str:
    """ult.toml allowing two board streams."""
    text, count = re.subn(r"(?m)^max_streams = \d+$", "max_streams = 2", text)
    assert count == 1, "ult init wrote no max_streams setting"
    return text


@pytest.fixture(scope="module")
def one_stream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    """``ult admin`` over a fresh home that allows two board streams."""
    appliance = fresh_appliance(
        tmp_path_factory.mktemp("e2e-tabs-home"),
        users={"supervisor": USERS["supervisor"]},
        settings_edit=_two_streams,
    )
    with running_admin(appliance):
        yield appliance


def _fresh_data(url: str) -> bool:
    """A tab's fetch after an event: a staff page's fragment or the board's state."""
    path = url.split("?", 1)[0]
    return path.endswith("/live") or path.endswith("/api/v1/board")


def test_eight_tabs_share_one_stream(
    browser: Browser, one_stream: Appliance, console: Console
) -> None:
    with staff_page(browser, one_stream, "supervisor", console, viewport=None) as first:
        # The supervisor lands on the overview: the first tab, not loaded again (leaving a
        # page ends its stream, but the server notices only at its next heartbeat).
        expect(first).to_have_url(re.compile(r"/supervisor/$"))

        pages: list[Page] = []
        for number, path in enumerate(TABS, start=1):
            if number == 1:
                page = first
            else:
                page = watched_page(first.context, console)
                started = time.monotonic()
                page.goto(one_stream.url(path), timeout=LOAD_MS, wait_until="load")
                took = time.monotonic() - started
                assert took < LOAD_MS / 1000, f"tab {number} ({path}) took {took:.1f} s"
            expect(page).not_to_have_url(re.compile(r"/login$"))
            page.evaluate("window.e2eNotReloaded = true")
            pages.append(page)
        # The eighth tab can still fetch: the connections are not all held by streams.
        last = pages[-1]
        answer = last.evaluate("fetch('/healthz', {cache: 'no-store'}).then(r => r.status)")
        assert answer == 200

        # Let every tab's stream settle (joined the shared one, or refused and logged),
        # then note which tabs fetch fresh data after a ticket is issued elsewhere.
        time.sleep(1.5)
        # (A counter page shows live data only once the supervisor has chosen a counter.)
        live = [
            n
            for n, page in enumerate(pages)
            if TABS[n] == "/board" or page.locator("[data-live-url]").count()
        ]
        assert len(live) >= 6, [TABS[n] for n in live]
        fetched: dict[int, list[str]] = {number: [] for number in live}
        for number in live:
            pages[number].on(
                "response",
                lambda response, number=number: (
                    fetched[number].append(response.url) if _fresh_data(response.url) else None
                ),
            )
        one_stream.issue("A")
        # Both reception tabs count the new ticket among those waiting for service A.
        waiting = re.compile(r"^A · .* 1$")
        for page in (pages[1], pages[6]):
            expect(page.get_by_role("row", name=waiting)).to_be_visible(timeout=LIVE_MS)
        deadline = time.monotonic() + LIVE_MS / 1000
        while time.monotonic() < deadline and not all(fetched.values()):
            pages[0].wait_for_timeout(100)
        stale = [TABS[n] for n, urls in fetched.items() if not urls]
        assert stale == [], f"tabs without a live update: {stale}"
        for number, page in enumerate(pages, start=1):
            assert page.evaluate("window.e2eNotReloaded") is True, f"tab {number} reloaded"

        # One stream for the whole browser: the server refused none (its cap is 2).
        refused = one_stream.server_log().count(REFUSED)
        assert refused == 0, f"{refused} streams refused:\n{one_stream.server_log()}"
        assert [p for p in console.problems if "status of 503" not in p] == []
