"""A ticket issued by override while the office is closed: every path words its wait the same
way (Queue.standing / Issued.wait_text, ult.messages.wait_text) — the API's answer, the
ticket's detail and reprint, ``ult issue``, ``ult ticket preview``, the paper and its reprint.

The app's clock reads Sunday 29 November 2026, 10:00 in Jakarta (closed); the commands read
the system clock, so their office is closed by holidays around today.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from tests.conftest import make_settings
from ult.cli import main
from ult.clock import FakeClock
from ult.settings import Settings

SUNDAY = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
SAID = "layanan hari ini sudah tutup; dilayani kembali Senin, 30 November 2026 pukul 08.00"
MONDAY_8_UTC = "2026-11-30T01:00:00"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home", "[hours]\n")  # the default hours, enforced


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(SUNDAY)


def test_the_api_words_the_wait_as_the_paper_and_says_when_service_resumes(
    app, app_queue, bearer: Callable, clock: FakeClock
) -> None:
    client = app.test_client()
    for _ in range(3):
        app_queue.issue("D", actor="resepsionis", source="reception", override=True)
    answer = client.post(
        "/api/v1/tickets", json={"service": "D", "override": True}, headers=bearer("receptionist")
    )
    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["estimated_wait_minutes"] > 0  # kept: the work ahead
    assert body["wait_text"] == SAID
    assert body["service_resumes_at"].startswith(MONDAY_8_UTC)
    detail = client.get(f"/api/v1/tickets/{body['id']}", headers=bearer("receptionist")).json
    assert (detail["wait_text"], detail["service_resumes_at"]) == (SAID, body["service_resumes_at"])
    again = client.post(f"/api/v1/tickets/{body['id']}/reprint", headers=bearer("receptionist"))
    assert again.json["wait_text"] == SAID
    # Monday, open: minutes again, and nothing resumes.
    clock.set(datetime(2026, 11, 30, 8, 5, tzinfo=ZoneInfo("Asia/Jakarta")))
    open_detail = client.get(f"/api/v1/tickets/{body['id']}", headers=bearer("receptionist")).json
    assert open_detail["wait_text"].startswith("± ") and "menit" in open_detail["wait_text"]
    assert open_detail["service_resumes_at"] is None


def test_the_paper_and_its_reprint_say_closed(
    app_queue, settings: Settings, tmp_path: Path
) -> None:
    from kiosk.dispense import Dispenser
    from printer.output import TicketOutput

    for _ in range(3):
        app_queue.issue("A", actor="resepsionis", source="reception", override=True)
    last = app_queue.issue("A", actor="resepsionis", source="reception", override=True)
    dispenser = Dispenser(app_queue, TicketOutput.from_settings(settings.printer), settings)
    printed = " ".join(" ".join(line for _, line in dispenser.layout(last).text_lines()).split())
    standing = app_queue.standing(last.ticket.id)
    reprinted = " ".join(
        " ".join(line for _, line in dispenser.layout(standing).text_lines()).split()
    )
    assert SAID in printed and SAID in reprinted
    assert standing.wait_text == last.wait_text == SAID


@pytest.fixture
def closed_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A command-line office closed today by holidays around today (the system clock)."""
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    days = ", ".join(str(today + timedelta(days=d)) for d in (-1, 0, 1))
    home = tmp_path / "cli"
    out = tmp_path / "png"
    config = make_settings(
        home,
        f'[hours]\nholidays = [{days}]\n[printer]\nconnection = "preview"\npath = "{out}"\n',
    )
    monkeypatch.setenv("ULT_CONFIG", str(config.source))
    monkeypatch.setenv("ULT_HOME", str(home))
    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    return home


def test_ult_issue_and_ticket_preview_say_closed(
    closed_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import printer.preview

    runner = CliRunner()
    for _ in range(3):
        assert runner.invoke(main, ["issue", "B", "--override"]).exit_code == 0
    done = runner.invoke(main, ["issue", "B", "--override"])
    assert done.exit_code == 0, done.output
    assert "layanan hari ini sudah tutup; dilayani kembali" in done.output
    assert "menit" not in done.output
    said = done.output.split("perkiraan tunggu: ", 1)[1].strip().rstrip(".")
    laid_out = []
    real = printer.preview.write_preview_png

    def spy(layout, path):
        laid_out.append(" ".join(" ".join(line for _, line in layout.text_lines()).split()))
        return real(layout, path)

    monkeypatch.setattr(printer.preview, "write_preview_png", spy)
    shown = runner.invoke(main, ["ticket", "preview", "B-004", "--png", str(tmp_path / "b.png")])
    assert shown.exit_code == 0, shown.output
    assert (tmp_path / "b.png").stat().st_size > 0
    assert said in laid_out[0]
    assert "menit" not in laid_out[0]


def test_past_closing_the_paper_its_reprint_and_the_api_agree(
    app, app_queue, bearer: Callable, clock: FakeClock, settings: Settings
) -> None:
    from kiosk.dispense import Dispenser
    from printer.output import TicketOutput

    clock.set(datetime(2026, 11, 25, 15, 25, tzinfo=ZoneInfo("Asia/Jakarta")))  # Wednesday
    issued = [app_queue.issue("A", actor="kiosk:tombol1", source="kiosk") for _ in range(9)]
    past = "melewati jam tutup layanan (pukul 16.00); silakan tanyakan petugas"
    last = issued[-1]
    assert last.wait_text == app_queue.standing(last.ticket.id).wait_text == past
    dispenser = Dispenser(app_queue, TicketOutput.from_settings(settings.printer), settings)
    for shown in (last, app_queue.standing(last.ticket.label)):
        lines = " ".join(" ".join(line for _, line in dispenser.layout(shown).text_lines()).split())
        assert past in lines
    client = app.test_client()
    detail = client.get(f"/api/v1/tickets/{last.ticket.id}", headers=bearer("receptionist")).json
    assert detail["wait_text"] == past and detail["service_resumes_at"] is None
    again = client.post(f"/api/v1/tickets/{last.ticket.id}/reprint", headers=bearer("receptionist"))
    assert again.json["wait_text"] == past


def test_the_openapi_documents_the_worded_wait(app) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").json
    issued = spec["components"]["schemas"]["IssuedTicket"]
    assert {"wait_text", "service_resumes_at", "estimated_wait_minutes"} <= set(issued["required"])
    prioritize = spec["components"]["schemas"]["PrioritizeRequest"]
    assert prioritize["required"] == ["priority_category"]
