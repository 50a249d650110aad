"""Many tabs, one stream: a supervisor with eight staff pages and boards open in one browser.

Browsers allow about six HTTP/1.1 connections per origin (PITFALLS, admin): with an
EventSource per tab the seventh tab would hang. live.js shares one stream per browser through
a SharedWorker (stream-worker.js). This appliance allows two board streams (``max_streams =
2``: the shared one, and a spare for one that ended but the server has not yet noticed), so
the server's log shows every stream the tabs opened beyond that as refused.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import (
    PASSWORD,
    USERS,
    Appliance,
    Console,
    _ult_command,
    _wait_until_up,
    log_in,
)

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError:  # `make test` installs it (the dev extra); CI must not skip silently
    if os.environ.get("CI"):
        raise
    pytest.skip(
        "the playwright package is missing (pip install -e '.[dev]')", allow_module_level=True
    )

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


@pytest.fixture(scope="module")
def one_stream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    """``ult admin`` over a fresh home that allows two board streams."""
    home = tmp_path_factory.mktemp("e2e-tabs-home")
    env = {k: v for k, v in os.environ.items() if k != "ULT_CONFIG"}
    env.update(ULT_HOME=str(home), PYTHONUNBUFFERED="1")
    appliance = Appliance(home, env)
    appliance.ult("init")
    config = home / "ult.toml"
    text, count = re.subn(
        r"(?m)^max_streams = \d+$", "max_streams = 2", config.read_text(encoding="utf-8")
    )
    assert count == 1, "ult init wrote no max_streams setting"
    config.write_text(text, encoding="utf-8")
    appliance.ult(
        "user",
        "add",
        USERS["supervisor"],
        "--role",
        "supervisor",
        "--password-stdin",
        stdin=PASSWORD,
    )
    with appliance.log.open("wb") as log:
        appliance.process = subprocess.Popen(
            [*_ult_command(), "admin", "--host", "127.0.0.1", "--port", "0"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(appliance)
        yield appliance
    finally:
        appliance.process.terminate()
        try:
            appliance.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            appliance.process.kill()
            appliance.process.wait()


def _fresh_data(url: str) -> bool:
    """A tab's fetch after an event: a staff page's fragment or the board's state."""
    path = url.split("?", 1)[0]
    return path.endswith("/live") or path.endswith("/api/v1/board")


def test_eight_tabs_share_one_stream(
    browser: Browser, one_stream: Appliance, console: Console
) -> None:
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    context.set_default_timeout(10_000)
    try:
        first = context.new_page()
        console.watch(first)
        log_in(first, one_stream, "supervisor")
        # The supervisor lands on the overview: the first tab, not loaded again (leaving a
        # page ends its stream, but the server notices only at its next heartbeat).
        expect(first).to_have_url(re.compile(r"/supervisor/$"))

        pages: list[Page] = []
        for number, path in enumerate(TABS, start=1):
            if number == 1:
                page = first
            else:
                page = context.new_page()
                console.watch(page)
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
    finally:
        context.close()
