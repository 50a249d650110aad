"""Service hours at the reception, in the API and on the command line: refused outside them,
issued by a deliberate override, and the override recorded with who did it.

The clock reads Sunday 29 November 2026, 10:00 in Jakarta: the office is closed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils
from click.testing import CliRunner

from tests.admin.conftest import USERS
from tests.admin.test_api import snapshot
from tests.conftest import make_settings
from ult.cli import main
from ult.clock import FakeClock
from ult.settings import Settings
from ult.store import connect

SUNDAY = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
CLOSED = (
    "Pengambilan nomor antrian hari ini sudah ditutup · Dibuka kembali Senin, 30 November 2026 "
    "pukul 08.00"
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home", "[hours]\n")  # the default hours, enforced


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(SUNDAY)


def issued_payloads(db: sqlite_utils.Database) -> list[tuple[str, dict]]:
    return [
        (r["actor"], json.loads(r["payload"]))
        for r in db.query("SELECT actor, payload FROM events WHERE kind = 'issued' ORDER BY id")
    ]


def test_the_api_refuses_outside_hours_and_changes_nothing(
    app, bearer: Callable, db: sqlite_utils.Database, app_queue
) -> None:
    client = app.test_client()
    app_queue.roll_over()  # the day's start is recorded by the first write, whatever it is
    before = snapshot(db)
    response = client.post("/api/v1/tickets", json={"service": "A"}, headers=bearer("receptionist"))
    assert response.status_code == 409
    assert response.json["error"] == "issuing_closed"
    assert response.json["message"].startswith(CLOSED + ". Tiket hanya dapat")
    assert snapshot(db) == before


def test_the_api_override_issues_and_records_who(
    app, bearer: Callable, db: sqlite_utils.Database
) -> None:
    client = app.test_client()
    response = client.post(
        "/api/v1/tickets",
        json={"service": "A", "override": True},
        headers=bearer("receptionist"),
    )
    assert response.status_code == 201, response.json
    assert response.json["label"] == "A-001"
    [(actor, payload)] = issued_payloads(db)
    assert actor == "token:test-receptionist"
    assert payload["override"] == "issuing_closed" and payload["source"] == "api"
    bad = client.post(
        "/api/v1/tickets",
        json={"service": "A", "override": "ya"},
        headers=bearer("receptionist"),
    )
    assert bad.status_code == 422


def test_the_reception_page_says_closed_and_overrides_on_purpose(
    as_role: Callable, db: sqlite_utils.Database
) -> None:
    client, csrf = as_role("receptionist")
    page = client.get("/reception").get_data(as_text=True)
    assert (
        f'<p class="bad" id="hours-notice">{CLOSED}. Tombol kiosk tidak menerbitkan nomor.</p>'
        in page
    )
    key = re.search(r'name="request_key" value="([^"]+)"', page).group(1)
    refused = client.post(
        "/reception/issue", data={"csrf_token": csrf, "pick": "B", "request_key": key}
    )
    assert refused.status_code == 409
    assert CLOSED in refused.get_data(as_text=True)
    assert db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 0
    issued = client.post(
        "/reception/issue",
        data={"csrf_token": csrf, "pick": "B", "request_key": key, "override": "1"},
    )
    assert issued.status_code == 303
    [(actor, payload)] = issued_payloads(db)
    assert actor == USERS["receptionist"]
    assert (payload["label"], payload["override"], payload["source"]) == (
        "B-001",
        "issuing_closed",
        "reception",
    )


def test_ult_issue_refuses_and_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The command reads the system clock: holidays around today close the office whenever
    # the test runs.
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    days = ", ".join(str(today + timedelta(days=d)) for d in (-1, 0, 1))
    home = tmp_path / "cli"
    cli_settings = make_settings(home, f"[hours]\nholidays = [{days}]\n")
    monkeypatch.setenv("ULT_CONFIG", str(cli_settings.source))
    monkeypatch.setenv("ULT_HOME", str(home))
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    refused = runner.invoke(main, ["issue", "A", "--actor", "siti"])
    assert refused.exit_code == 1
    # An unnamed holiday is said as a closed day.
    assert "Pengambilan nomor antrian hari ini sudah ditutup" in refused.output
    assert "Tiket hanya dapat diterbitkan oleh resepsionis" in refused.output
    done = runner.invoke(main, ["issue", "A", "--override", "--actor", "siti"])
    assert done.exit_code == 0, done.output
    assert "A-001" in done.output
    db = connect(cli_settings.store.database)
    assert issued_payloads(db) == [
        (
            "siti",
            {
                "label": "A-001",
                "service": "A",
                "state": "waiting",
                "priority": False,
                "priority_category": None,
                "topic": None,
                "source": "cli",
                "override": "issuing_closed",
            },
        )
    ]


def test_the_visitor_page_and_the_ticket_say_the_call_falls_after_closing(
    app, app_queue, clock: FakeClock, settings: Settings
) -> None:
    from kiosk.dispense import Dispenser
    from printer.output import TicketOutput

    clock.set(datetime(2026, 11, 25, 15, 25, tzinfo=ZoneInfo("Asia/Jakarta")))  # Wednesday
    issued = [app_queue.issue("A", actor="kiosk:tombol1", source="kiosk") for _ in range(9)]
    page = app.test_client().get(f"/t/{issued[-1].ticket.token}").get_data(as_text=True)
    # One wording (ult.messages.wait_text) on the visitor's page and on the paper.
    past_closing = "melewati jam tutup layanan (pukul 16.00); silakan tanyakan petugas"
    assert f"Perkiraan waktu tunggu: {past_closing}." in page
    assert "40 menit" not in page
    earlier = app.test_client().get(f"/t/{issued[-2].ticket.token}").get_data(as_text=True)
    assert "± 35 menit" in earlier and "jam tutup" not in earlier
    dispenser = Dispenser(app_queue, TicketOutput.from_settings(settings.printer), settings)
    printed = " ".join(line for _, line in dispenser.layout(issued[-1]).text_lines())
    assert past_closing in printed
    assert "40 menit" not in printed


def test_ult_status_says_whether_numbers_are_issued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Today (by the system clock, as the command reads it) is a holiday.
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    home = tmp_path / "status"
    closed = make_settings(home, f'[hours]\nholidays = [{{ date = {today}, name = "Uji" }}]\n')
    monkeypatch.setenv("ULT_HOME", str(home))
    monkeypatch.setenv("ULT_CONFIG", str(closed.source))
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    shown = runner.invoke(main, ["status"]).output
    assert "Pengambilan nomor antrian: Hari ini hari libur (Uji); pengambilan nomor" in shown
    closed.source.write_text("[hours]\nenabled = false\n", encoding="utf-8")
    shown = runner.invoke(main, ["status"]).output
    assert "Pengambilan nomor antrian: jam layanan tidak dibatasi" in shown


def test_open_hours_without_a_quota_show_neither_on_the_reception_page(
    as_role: Callable, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")))  # Wednesday, open
    client, _ = as_role("receptionist")
    page = client.get("/reception").get_data(as_text=True)
    assert "kuota hari ini" not in page and 'id="hours-notice"' not in page


@pytest.mark.parametrize("issued", [1, 2])
def test_a_quota_on_the_reception_page(tmp_path: Path, issued: int) -> None:
    from admin import create_app
    from tests.admin.conftest import login
    from tests.conftest import fresh_database
    from ult import accounts
    from ult.queue import Queue

    quota = make_settings(tmp_path / "quota", "[hours]\nquota = { C = 2 }\n")
    db = fresh_database(quota)
    accounts.add_user(db, USERS["receptionist"], "rahasia-123", "receptionist")
    clock = FakeClock(datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta")))
    queue = Queue(db, quota, clock=clock)
    for _ in range(issued):
        queue.issue("C", actor="kiosk:tombol1", source="kiosk")
    client = create_app(quota, clock=clock, config={"TESTING": True}).test_client()
    login(client, "receptionist")
    page = client.get("/reception").get_data(as_text=True)
    expected = {
        1: '<span class="muted">kuota hari ini 1/2</span>',
        2: '<span class="bad">kuota hari ini 2/2 (habis)</span>',
    }[issued]
    assert f"C · Perizinan · {expected}</legend>" in page


def test_an_override_on_a_closed_day_says_closed_on_every_page_and_the_paper(
    app, app_queue, as_role: Callable, clock: FakeClock, settings: Settings
) -> None:
    """Sunday: reception issues by override; the visitor's page, the reception page and the
    ticket say the office is closed today and when service resumes, not minutes."""
    from kiosk.dispense import Dispenser
    from printer.output import TicketOutput

    said = "layanan hari ini sudah tutup; dilayani kembali Senin, 30 November 2026 pukul 08.00"
    issued = [
        app_queue.issue("A", actor="resepsionis", source="reception", override=True)
        for _ in range(4)
    ]
    last = issued[-1]
    assert last.estimated_wait_minutes > 0
    page = app.test_client().get(f"/t/{last.ticket.token}").get_data(as_text=True)
    assert f"Perkiraan waktu tunggu: {said}." in page
    assert "menit" not in page.split("Perkiraan waktu tunggu", 1)[1].split("</", 1)[0]
    # Not "stay in the waiting room" for a visitor told service resumes on Monday.
    assert "Tanyakan kepada petugas resepsionis kapan Anda akan dilayani." in page
    assert "tetap di ruang tunggu" not in page
    client, _ = as_role("receptionist")
    reception = client.get(f"/reception?tiket={last.ticket.id}").get_data(as_text=True)
    assert f"Perkiraan waktu tunggu: <strong>{said}</strong>" in reception
    dispenser = Dispenser(app_queue, TicketOutput.from_settings(settings.printer), settings)
    printed = " ".join(line for _, line in dispenser.layout(last).text_lines())
    assert said in " ".join(printed.split())
