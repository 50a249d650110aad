"""The reception page while issuing is closed, in Chromium at the office PC's 1366x768: the
notice says so, a plain click issues nothing, a deliberate override issues and is recorded.

The appliance's days around today are holidays, so it is closed whenever the test runs.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import (
    USERS,
    Appliance,
    Console,
    fresh_appliance,
    running_admin,
    staff_page,
)
from tests.e2e.sync_api import Browser, expect
from ult.settings import load_settings
from ult.store import connect

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SHOTS = Path("/tmp/i14/shots")


def _holidays_around_today(text: str) -> str:
    """ult.toml with the service hours on and holidays on the days around today."""
    today = datetime.datetime.now(ZoneInfo("Asia/Jakarta")).date()
    holidays = ", ".join(
        f'{{ date = {today + datetime.timedelta(days=d)}, name = "Hari Uji" }}' for d in (-1, 0, 1)
    )
    assert text.count("\nenabled = false\n") == 1
    text = text.replace("\nenabled = false\n", "\nenabled = true\n")
    text, count = re.subn(r"(?m)^holidays = \[\]$", f"holidays = [{holidays}]", text)
    assert count == 1
    return text


@pytest.fixture(scope="module")
def closed_office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    """``ult admin`` over a fresh home whose service hours are on, with holidays around
    today (named for today). ``ult init`` turns the hours off for the other browser tests."""
    appliance = fresh_appliance(
        tmp_path_factory.mktemp("e2e-hours-home"),
        users={"supervisor": USERS["supervisor"]},
        settings_edit=_holidays_around_today,
    )
    with running_admin(appliance):
        yield appliance


def test_reception_while_closed(
    browser: Browser, closed_office: Appliance, console: Console
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with staff_page(browser, closed_office, "supervisor", console) as page:
        page.goto(closed_office.url("/reception"))
        notice = page.locator("#hours-notice")
        expect(notice).to_contain_text(
            "Hari ini hari libur (Hari Uji); pengambilan nomor antrian ditutup"
        )
        expect(notice).to_contain_text("Tombol kiosk tidak menerbitkan nomor.")
        page.screenshot(path=str(SHOTS / "hours-reception-closed.png"))
        # A plain click: refused, with the reason, and nothing issued.
        page.get_by_role("button", name="Pengaduan").click()
        expect(page.locator("body")).to_contain_text(
            "Tiket hanya dapat diterbitkan oleh resepsionis dengan pengecualian jam layanan."
        )
        page.screenshot(path=str(SHOTS / "hours-reception-refused.png"))
        settings = load_settings(closed_office.home / "ult.toml", environ=closed_office.env)
        db = connect(settings.store.database)
        try:
            assert db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 0
            # On purpose: the override box, then the service.
            page.get_by_label(re.compile("Terbitkan di luar jam layanan")).check()
            page.get_by_role("button", name="Pengaduan").click()
            expect(page.locator(".big-label")).to_have_text("B-001")
            page.screenshot(path=str(SHOTS / "hours-reception-override.png"))
            actor, payload = db.execute(
                "SELECT actor, payload FROM events WHERE kind = 'issued'"
            ).fetchone()
            assert actor == USERS["supervisor"]
            assert json.loads(payload)["override"] == "issuing_closed"
        finally:
            db.close()


def test_the_browser_board_and_the_visitor_page_say_closed(
    browser: Browser, closed_office: Appliance, console: Console
) -> None:
    """The lobby board shows the closed notice (as the TV does: tests/display), and a ticket
    issued by override tells its visitor the office is closed today and when it resumes."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with staff_page(browser, closed_office, None, console) as page:
        page.goto(closed_office.url("/board"))
        closed = page.locator("#board-closed")
        expect(closed).to_be_visible()
        expect(closed).to_contain_text(
            "Hari ini hari libur (Hari Uji); pengambilan nomor antrian ditutup"
        )
        expect(page.locator("#board-banner")).to_be_hidden()
        # The state the board follows says the same (board.js renders it).
        state = page.evaluate("fetch('/api/v1/board').then(r => r.json())")
        assert state["closed_notice"] == closed.inner_text()
        assert state["closed_notice_until"]
        page.screenshot(path=str(SHOTS / "hours-board-closed.png"))
        settings = load_settings(closed_office.home / "ult.toml", environ=closed_office.env)
        db = connect(settings.store.database)
        try:
            token = db.execute("SELECT token FROM tickets ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            db.close()
        if token is None:  # run alone: issue one by override
            closed_office.ult("issue", "A", "--actor", "e2e", "--override")
            db = connect(settings.store.database)
            try:
                token = db.execute("SELECT token FROM tickets ORDER BY id DESC LIMIT 1").fetchone()
            finally:
                db.close()
        page.goto(closed_office.url(f"/t/{token[0]}"))
        expect(page.locator("body")).to_contain_text(
            "layanan hari ini sudah tutup; dilayani kembali"
        )
        assert "segera dipanggil" not in page.locator("body").inner_text()
