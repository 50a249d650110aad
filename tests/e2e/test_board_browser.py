"""The browser board tells the truth (issue 14), in Chromium against the real server: the
main panel steps back once the called visitor is served, each ticket is listed once, the
back office is not listed. Acts go through the JSON API with a front-office token, as a
second desk would; the board follows them live, without a reload. Screenshots are read
back by OCR (tesseract) when it is installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from display import board_messages as msg
from tests.e2e.conftest import (
    Appliance,
    Console,
    _ult_command,
    _wait_until_up,
    fresh_appliance,
    running_admin,
)
from tests.e2e.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LIVE_S = 5_000
SHOTS = Path("/tmp/i14/shots")


def api(
    appliance: Appliance, token: str, path: str, body: dict | None = None, method: str = "POST"
) -> Any:
    """``method`` ``body`` (JSON) to the API with the bearer ``token``; the JSON answer."""
    request = urllib.request.Request(
        appliance.url("/api/v1" + path),
        data=json.dumps(body or {}).encode() if method == "POST" else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def call(appliance: Appliance, token: str, label: str, counter: int) -> dict:
    """Call ticket ``label`` to counter ``counter`` (by id) by its number, whatever else
    waits (other tests share the appliance)."""
    waiting = api(appliance, token, f"/counters/{counter}/queue", method="GET")["tickets"]
    ticket_id = next(t["id"] for t in waiting if t["label"] == label)
    return api(appliance, token, f"/tickets/{ticket_id}/call", {"counter": counter})


def release(appliance: Appliance, token: str, ticket: dict, counter: int) -> None:
    """Free the counter and the line for the tests after this one: the ticket is closed."""
    api(
        appliance,
        token,
        f"/tickets/{ticket['id']}/cancel",
        {"reason": "uji papan panggilan", "counter": counter},
    )


def ocr(path: Path) -> str:
    done = subprocess.run(
        ["tesseract", str(path), "-", "--psm", "11", "-l", "eng"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return " ".join(done.stdout.split())


def test_the_board_steps_back_when_the_called_visitor_is_served(
    new_page: Callable[[], Page], appliance: Appliance, console: Console
) -> None:
    token = appliance.ult("token", "create", "e2e-board-desk", "--role", "front_office")
    token = token.strip().splitlines()[-1]
    label = appliance.issue("A")
    board = new_page()
    board.set_viewport_size({"width": 1366, "height": 768})
    with board.expect_response(
        lambda response: response.url.split("?")[0].endswith("/api/v1/board")
    ):
        board.goto(appliance.url("/board"))
    board.evaluate("window.e2eNotReloaded = true")
    counters = board.locator("#board-counters")
    expect(counters).to_contain_text("Loket 2")
    expect(counters).not_to_contain_text("Back Office")

    called = call(appliance, token, label, 2)
    try:
        steps_back(board, appliance, token, called, console)
    finally:
        release(appliance, token, called, 2)


def steps_back(
    board: Page, appliance: Appliance, token: str, called: dict, console: Console
) -> None:
    label = called["label"]
    expect(board.locator("#call-label")).to_have_text(label, timeout=LIVE_S)
    expect(board.locator("#call-counter")).to_have_text("Loket 2")
    SHOTS.mkdir(parents=True, exist_ok=True)
    board.screenshot(path=str(SHOTS / "browser-called.png"))

    api(appliance, token, f"/tickets/{called['id']}/start", {"counter": 2})
    expect(board.locator("#call-caption")).to_have_text(msg.NEXT_CALL, timeout=LIVE_S)
    expect(board.locator("#call-label")).to_have_text("")
    expect(board.locator("#call-goto")).to_be_hidden()
    calls = board.locator("#board-calls li", has_text=label)
    expect(calls).to_have_count(1)
    shot = SHOTS / "browser-served-steps-back.png"
    board.screenshot(path=str(shot))
    assert board.evaluate("window.e2eNotReloaded") is True
    assert console.problems == []
    if shutil.which("tesseract"):
        seen = ocr(shot)
        assert "berikutnya" in seen, seen


def test_a_board_opened_just_after_a_call_speaks_it(
    new_page: Callable[[], Page], appliance: Appliance, console: Console
) -> None:
    """A call made while the board page was (re)loading is still heard (display.calls)."""
    token = appliance.ult("token", "create", "e2e-board-desk-2", "--role", "front_office")
    token = token.strip().splitlines()[-1]
    label = appliance.issue("A")
    called = call(appliance, token, label, 1)
    try:
        spoken_at_load(new_page(), appliance, label, console)
    finally:
        release(appliance, token, called, 1)


def spoken_at_load(board: Page, appliance: Appliance, label: str, console: Console) -> None:
    with board.expect_response(
        lambda response: (
            "/board/announcement.wav" in response.url and f"label={label}" in response.url
        ),
        timeout=LIVE_S,
    ) as spoken:
        board.goto(appliance.url("/board"))
    assert spoken.value.status == 200
    assert f"label={label}" in spoken.value.url and "counter=Loket+1" in spoken.value.url.replace(
        "%20", "+"
    )
    expect(board.locator("#call-label")).to_have_text(label)
    assert console.problems == []


def test_the_priority_mark_is_explained_and_the_waiting_numbers_are_large(
    new_page: Callable[[], Page], appliance: Appliance, console: Console
) -> None:
    token = appliance.ult("token", "create", "e2e-board-desk-3", "--role", "front_office")
    token = token.strip().splitlines()[-1]
    out = appliance.ult(
        "issue", "B", "--priority", "--priority-category", "elderly", "--actor", "e2e"
    )
    board = new_page()
    board.set_viewport_size({"width": 1366, "height": 768})
    board.goto(appliance.url("/board"))
    expect(board.locator("#board-legend")).to_be_hidden()
    label = next(word for word in out.split() if word.startswith("B-"))
    called = call(appliance, token, label, 1)
    try:
        legend_shown(board, console)
    finally:
        release(appliance, token, called, 1)


def legend_shown(board: Page, console: Console) -> None:
    expect(board.locator("#call-priority")).to_be_visible(timeout=LIVE_S)
    expect(board.locator("#board-legend")).to_have_text(msg.PRIORITY_LEGEND)
    number = board.locator("#board-waiting li strong").first
    assert float(number.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 768 / 12
    shot = SHOTS / "browser-priority-legend.png"
    board.screenshot(path=str(shot))
    board.set_viewport_size({"width": 768, "height": 1366})  # a TV hung on its side
    expect(board.locator("#board-legend")).to_be_visible()
    legend = board.locator("#board-legend")
    assert legend.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # whole, not cut
    board.screenshot(path=str(SHOTS / "browser-priority-legend-portrait.png"))
    assert console.problems == []
    if shutil.which("tesseract"):
        assert "penyandang disabilitas" in ocr(shot)


def test_a_long_running_text_scrolls_whole(
    new_page: Callable[[], Page], appliance: Appliance, console: Console
) -> None:
    from tests.conftest import make_settings
    from ult.queue import Queue
    from ult.store import connect

    text = "Pengumuman: " + " ".join(f"layanan {n} buka pukul 08.00 WIB" for n in range(1, 9))
    text = text[:200]
    settings = make_settings(appliance.home, (appliance.home / "ult.toml").read_text())

    def set_running_text(value: str) -> None:
        database = connect(settings.store.database)
        try:
            Queue(database, settings).set_running_text(value, actor="e2e")
        finally:
            database.close()

    set_running_text(text)
    try:
        scrolls_whole(new_page(), appliance, text, console)
    finally:
        set_running_text("")  # the tests after this one see the usual board


def scrolls_whole(board: Page, appliance: Appliance, text: str, console: Console) -> None:
    board.set_viewport_size({"width": 1366, "height": 768})
    board.goto(appliance.url("/board"))
    box = board.locator("#board-running-box")
    expect(box).to_have_class(re.compile(r"\bscrolling\b"), timeout=LIVE_S)
    line = board.locator("#board-running")
    expect(line).to_have_text(text)
    # The moving line holds the whole text: nothing is cut, it passes by.
    assert line.evaluate("e => e.scrollWidth <= e.getBoundingClientRect().width + 1")
    assert line.evaluate("e => getComputedStyle(e).animationName") == "marquee"
    board.screenshot(path=str(SHOTS / "browser-running-text.png"))
    assert console.problems == []


def test_the_browser_board_shows_the_slides(new_page: Callable[[], Page], tmp_path: Path) -> None:
    """``[display] lower = "slides"``: the slide due now fills the lower part. The pages come
    from the Flask app of a second home (its own settings) through Playwright's routing."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    from tests.display.test_slides import BLUE, GREEN, RED, write_pdf, write_png

    folder = tmp_path / "slides"
    folder.mkdir()
    write_pdf(folder / "a.pdf", [RED, GREEN])
    write_png(folder / "b.png", BLUE)
    board = board_of(new_page(), tmp_path, f'[display]\nlower = "slides"\nslides = "{folder}"\n')
    slide = board.locator("#board-slide")
    expect(slide).to_be_visible()
    expect(board.locator("#board-waiting")).to_be_hidden()
    assert slide.evaluate("e => e.complete && e.naturalWidth > 0")
    box = slide.bounding_box()
    assert box is not None and box["height"] > 768 / 8 and box["y"] > 768 / 2
    board.screenshot(path=str(SHOTS / "browser-slides.png"))


def board_of(board: Page, tmp_path: Path, settings_text: str) -> Page:
    """``board`` showing ``/board`` of a second home with these settings: its Flask app
    answers through Playwright's routing (no stream: the lower part is the subject)."""
    from admin import create_app
    from tests.conftest import OPENING, make_settings
    from ult.catalog import apply_catalog
    from ult.clock import FakeClock
    from ult.store import connect

    settings = make_settings(tmp_path / "home", settings_text)
    apply_catalog(connect(settings.store.database), settings)
    client = create_app(settings, clock=FakeClock(OPENING), config={"TESTING": True}).test_client()

    def serve(route: Any) -> None:
        url = route.request.url.removeprefix("http://board.test")
        if "/events" in url:
            route.abort()
            return
        got = client.get(url)
        route.fulfill(status=got.status_code, headers=dict(got.headers), body=got.data)

    board.set_viewport_size({"width": 1366, "height": 768})
    board.route("http://board.test/**", serve)
    board.goto("http://board.test/board")
    return board


def test_the_browser_board_shows_an_announcement_whole(
    new_page: Callable[[], Page], tmp_path: Path
) -> None:
    from tests.display.test_slides import LONG

    board = board_of(
        new_page(),
        tmp_path,
        f'[display]\nlower = "announcements"\nannouncements = ["{LONG}"]\n',
    )
    note = board.locator("#board-announcement")
    expect(note).to_have_text(LONG)
    expect(board.locator("#board-waiting")).to_be_hidden()
    shot = SHOTS / "browser-announcement.png"
    board.screenshot(path=str(shot))
    if shutil.which("tesseract"):
        assert "diwakilkan" in ocr(shot)
    # Wrapped, not cut: the text fits its box both ways.
    assert note.evaluate(
        "e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1"
    )


def spoken_labels(requests: list[str]) -> list[str]:
    """The ticket labels of the announcement.wav requests seen, in order."""
    return [
        urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["label"][0]
        for url in requests
        if "/board/announcement.wav" in url
    ]


def test_a_call_made_while_the_server_restarts_is_spoken(
    new_page: Callable[[], Page], tmp_path: Path
) -> None:
    """Review of issue 14: ``ult admin`` stops, a call is made, ``ult admin`` starts again
    on the same port: the board reconnects, shows the call and speaks it, once, without
    saying the call it had already spoken again."""
    home = tmp_path / "home"
    home.mkdir()
    appliance = fresh_appliance(home, users={})
    for _ in range(2):
        appliance.issue("A")
    appliance.ult("call", "Loket 2", "--actor", "e2e")
    with running_admin(appliance):
        board = new_page()
        board.set_viewport_size({"width": 1366, "height": 768})
        requests: list[str] = []
        board.on("request", lambda request: requests.append(request.url))
        board.goto(appliance.url("/board"))
        expect(board.locator("#call-label")).to_have_text("A-001")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not spoken_labels(requests):
            board.wait_for_timeout(100)
        assert spoken_labels(requests) == ["A-001"]  # the call of a few seconds ago
        if board.locator("#board-sound").is_visible():
            board.locator("#board-sound").click()  # the browser refused sound before a click
        board.wait_for_timeout(1000)  # silent now: the stream is open, nothing new
        assert spoken_labels(requests) == ["A-001"]

        port = urllib.parse.urlsplit(appliance.base_url).port
        assert appliance.process is not None
        appliance.process.terminate()
        appliance.process.wait(timeout=10)
        expect(board.locator("#board-offline")).to_be_visible(timeout=LIVE_S)
        appliance.ult("call", "Loket 1", "--actor", "e2e")  # made while the server is down
        with appliance.log.open("ab") as log:
            appliance.process = subprocess.Popen(
                [*_ult_command(), "admin", "--host", "127.0.0.1", "--port", str(port)],
                env=appliance.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait_until_up(appliance)
        # The board reconnects by itself (EventSource retry, then the 15 s poll at most).
        expect(board.locator("#call-label")).to_have_text("A-002", timeout=25_000)
        expect(board.locator("#call-counter")).to_have_text("Loket 1")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(spoken_labels(requests)) < 2:
            board.wait_for_timeout(100)
        board.wait_for_timeout(1500)  # a second announcement would come by now
        assert spoken_labels(requests) == ["A-001", "A-002"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        board.screenshot(path=str(SHOTS / "browser-after-server-restart.png"))


LONG_OFFICE = "Balai Penjaminan Mutu Pendidikan Provinsi Sumatera Utara"
SCREENS = [(1024, 768), (1366, 768), (1920, 1080), (768, 1366)]


def _closed_with_long_name(text: str) -> str:
    from tests.e2e.test_hours_browser import _holidays_around_today

    text = _holidays_around_today(text)
    text, count = re.subn(r'(?m)^name = ".*"$', f'name = "{LONG_OFFICE}"', text, count=1)
    assert count == 1
    return text


def box(page: Page, selector: str) -> dict:
    """Where the element is and whether its text fits it whole (no overflow either way)."""
    return page.locator(selector).evaluate(
        """e => { const r = e.getBoundingClientRect();
            return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                    whole: e.scrollWidth <= e.clientWidth + 1
                           && e.scrollHeight <= e.clientHeight + 1,
                    size: parseFloat(getComputedStyle(e).fontSize)}; }"""
    )


def test_closed_notice_priority_legend_and_a_long_office_name_all_whole(
    new_page: Callable[[], Page], tmp_path: Path, console: Console
) -> None:
    """Review of issue 14, on the browser board: while closed, a "(P)" on screen is still
    explained (the band holds the notice and the legend, item 6); "Panggilan terakhir" is as
    large as "Sedang dilayani" (16b); the office's long name is whole at every screen (16c)."""
    home = tmp_path / "home"
    home.mkdir()
    appliance = fresh_appliance(home, users={}, settings_edit=_closed_with_long_name)
    appliance.ult(
        "issue",
        "A",
        "--priority",
        "--priority-category",
        "pregnant",
        "--override",
        "--actor",
        "e2e",
    )
    appliance.ult("issue", "A", "--override", "--actor", "e2e")
    appliance.ult("call", "Loket 1", "--actor", "e2e")
    appliance.ult("call", "Loket 2", "--actor", "e2e")
    with running_admin(appliance):
        board = new_page()
        for width, height in SCREENS:
            board.set_viewport_size({"width": width, "height": height})
            board.goto(appliance.url("/board"))
            expect(board.locator("#board-closed")).to_contain_text("ditutup")
            expect(board.locator("#board-legend")).to_be_visible()
            expect(board.locator("#board-legend")).to_have_text(msg.PRIORITY_LEGEND)
            expect(board.locator("#board-counters")).to_contain_text(msg.PRIORITY_SHORT)
            board.wait_for_timeout(300)  # board.js fitted the name
            closed, legend = box(board, "#board-closed"), box(board, "#board-legend")
            assert closed["whole"] and legend["whole"], (width, height)
            assert closed["bottom"] <= legend["top"], (width, height)  # two lines, no overlap
            waiting = box(board, ".waiting")
            assert legend["bottom"] <= waiting["top"] + 1, (width, height)
            office = box(board, ".head .office")
            assert office["whole"], (width, height)
            assert board.locator(".head .office").inner_text() == LONG_OFFICE
            board.screenshot(path=str(SHOTS / f"browser-closed-legend-{width}x{height}.png"))
            assert office["size"] >= min(width, height) / 40, (width, height)
            counters_px = board.locator("#board-counters li").first.evaluate(
                "e => parseFloat(getComputedStyle(e).fontSize)"
            )
            calls_px = board.locator("#board-calls li").first.evaluate(
                "e => parseFloat(getComputedStyle(e).fontSize)"
            )
            assert calls_px == counters_px
            SHOTS.mkdir(parents=True, exist_ok=True)
            board.screenshot(path=str(SHOTS / f"browser-closed-legend-{width}x{height}.png"))
    # Loading the page again at the next size aborts the previous page's state read.
    aborted = [p for p in console.problems if p.endswith("/api/v1/board net::ERR_ABORTED")]
    assert [p for p in console.problems if p not in aborted] == []
