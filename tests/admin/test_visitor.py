"""Pages without login: the visitor's ticket page, the way to its survey, the browser board
and its announcement WAV (Flask test client over a real SQLite file)."""

from __future__ import annotations

import html
import io
import json
import re
import wave

import pytest
from flask import Flask
from flask.testing import FlaskClient

from admin.security import CONTENT_SECURITY_POLICY
from admin.visitor import live_event_kinds
from display.service import wav_maker
from display.voice import announcement_words
from kiosk.dispense import Dispenser
from printer.output import TicketOutput
from tests.display.test_app import write_pack
from ult.clock import FakeClock
from ult.kinds import PRINTER_FAULTS
from ult.queue import Queue, Ticket
from ult.settings import Settings

NIK = "1271011201900001"
NAME = "Sitti Rahmawati"
PHONE = "081234567890"
INSTITUTION = "SMP Negeri 9 Medan"


@pytest.fixture
def visitor(app: Flask) -> FlaskClient:
    """A phone: no login, no cookie."""
    return app.test_client()


def text(response) -> str:
    return response.get_data(as_text=True)


def identified(queue: Queue) -> Ticket:
    """A ticket at Loket 1 whose visitor told the front office who they are."""
    queue.issue("A", actor="resepsionis")
    ticket = queue.call_next("Loket 1", actor="fo")
    queue.start(ticket.id, "Loket 1", actor="fo")
    queue.identify(
        ticket.id,
        "Loket 1",
        actor="fo",
        name=NAME,
        nik=NIK,
        institution=INSTITUTION,
        phone=PHONE,
    )
    return queue.ticket(ticket.id)


def assert_nothing_personal(page: str) -> None:
    for secret in (NIK, NIK[-4:] + "\n", NAME, PHONE, INSTITUTION, "1271"):
        assert secret not in page


# ------------------------------------------------------------------------------ ticket page


def test_a_waiting_ticket_shows_its_place_and_wait(visitor: FlaskClient, app_queue: Queue) -> None:
    app_queue.issue("A", actor="resepsionis")
    ticket = app_queue.issue("A", actor="resepsionis", topic="Dapodik").ticket
    response = visitor.get(f"/t/{ticket.token}")
    assert response.status_code == 200
    page = text(response)
    assert "A-002" in page and "Layanan Informasi" in page
    assert "Menunggu panggilan" in page
    assert "Ada 1 nomor antrian di depan Anda." in page
    assert "Perkiraan waktu tunggu: ± 5 menit." in page  # 10 min a visitor, 2 counters
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "<script>" not in page and " style=" not in page
    assert "visitor.js" in page and "live.js" in page and "/api/v1/board/events" in page
    assert "Set-Cookie" not in response.headers  # nothing to remember about a visitor
    first = app_queue.ticket("A-001")
    first_page = text(visitor.get(f"/t/{first.token}/live"))
    assert "Tidak ada antrian di depan Anda." in first_page
    assert "Perkiraan waktu tunggu: segera dipanggil." in first_page
    assert "0 orang" not in first_page and "0 nomor" not in first_page


@pytest.mark.parametrize(
    ("before", "wait"), [(0, "segera dipanggil"), (3, "± 15 menit"), (13, "± 1 jam 5 menit")]
)
def test_the_ticket_and_the_visitor_page_show_the_same_wait(
    visitor: FlaskClient, app_queue: Queue, settings: Settings, before: int, wait: str
) -> None:
    # Default catalog: two open front-office counters serve A, 10 minutes a visitor
    # before any history: 3 ahead is 15 minutes, 13 ahead is 65 (1 jam 5 menit).
    for _ in range(before):
        app_queue.issue("A", actor="kiosk")
    issued = app_queue.issue("A", actor="kiosk")
    machine = Dispenser(app_queue, TicketOutput.from_settings(settings.printer), settings)
    # The ticket's lines as read top to bottom (58 mm puts a long value under its label).
    paper = " ".join(line.strip() for _, line in machine.layout(issued).text_lines())
    assert f"Perkiraan waktu tunggu: {wait}" in paper
    page = text(visitor.get(f"/t/{issued.ticket.token}/live"))
    assert f"Perkiraan waktu tunggu: {wait}." in page
    if before:
        assert f"Menunggu di depan Anda: {before} orang" in paper
        assert f"Ada {before} nomor antrian di depan Anda." in page
    else:
        assert "Tidak ada antrian di depan Anda" in paper
        assert "Tidak ada antrian di depan Anda." in page


def test_a_called_ticket_names_the_counter(visitor: FlaskClient, app_queue: Queue) -> None:
    ticket = app_queue.issue("B", actor="resepsionis").ticket
    app_queue.call_next("Loket 2", actor="fo")
    live = visitor.get(f"/t/{ticket.token}/live")
    assert live.status_code == 200
    assert "Nomor Anda dipanggil!" in text(live)
    assert "Silakan menuju Loket 2 sekarang" in text(live)
    assert 'data-state="called"' in text(live) and "data-final" not in text(live)


def test_a_served_and_finished_ticket_offers_the_survey(
    visitor: FlaskClient, app_queue: Queue
) -> None:
    ticket = identified(app_queue)
    serving = text(visitor.get(f"/t/{ticket.token}"))
    assert "Anda sedang dilayani di Loket 1." in serving
    assert_nothing_personal(serving)
    app_queue.answer(ticket.id, "Loket 1", actor="fo", kind="available", text="Sudah dijawab.")
    app_queue.explain(ticket.id, "Loket 1", actor="fo", mode="direct")
    app_queue.finish(ticket.id, "Loket 1", actor="fo", incomplete_reason="visitor_declined")
    page = text(visitor.get(f"/t/{ticket.token}"))
    assert "Layanan selesai" in page and 'data-final="1"' in page
    assert f"/t/{ticket.token}/survei" in page
    assert_nothing_personal(page)
    survey = visitor.get(f"/t/{ticket.token}/survei")
    assert survey.status_code == 200
    assert "Survei Kepuasan Masyarakat" in text(survey)
    assert 'name="U1" value="4"' in text(survey)
    assert_nothing_personal(text(survey))


def test_the_survey_waits_for_the_end_of_the_service(
    visitor: FlaskClient, app_queue: Queue
) -> None:
    ticket = app_queue.issue("A", actor="resepsionis").ticket
    page = text(visitor.get(f"/t/{ticket.token}/survei"))
    assert "setelah layanan untuk nomor A-001 selesai" in page
    assert 'name="U1"' not in page


def test_escalated_and_closed_tickets_are_told_plainly(
    visitor: FlaskClient, app_queue: Queue
) -> None:
    ticket = identified(app_queue)
    app_queue.escalate(ticket.id, "Loket 1", actor="fo", note=f"NIK {NIK} butuh cek")
    page = text(visitor.get(f"/t/{ticket.token}/live"))
    assert "diteruskan kepada petugas Back Office" in page
    assert_nothing_personal(page)
    other = app_queue.issue("C", actor="resepsionis").ticket
    app_queue.cancel(other.id, actor="resepsionis", reason="salah layanan")
    page = text(visitor.get(f"/t/{other.token}/live"))
    assert "Nomor antrian dibatalkan" in page and 'data-final="1"' in page


@pytest.mark.parametrize(
    "token",
    [
        "AAAAAAAAAAAAAAAAAAAAAA",
        "short",
        "x" * 65,
        "..%2F..%2Fetc",
        "a/b/c/d",
        "aGVsbG8gd29ybGQ+Lz8==",
    ],
)
def test_an_unknown_or_malformed_token_gets_a_friendly_404(
    visitor: FlaskClient, app_queue: Queue, token: str
) -> None:
    app_queue.issue("A", actor="resepsionis")
    for path in (f"/t/{token}", f"/t/{token}/live", f"/t/{token}/survei"):
        response = visitor.get(path)
        assert response.status_code == 404, path
        assert "Tiket tidak ditemukan" in text(response)
        assert "pindai ulang kode QR" in text(response)


# ------------------------------------------------------------------------------ board


def test_the_board_shows_what_the_tv_shows_without_login(
    visitor: FlaskClient, app_queue: Queue, settings: Settings
) -> None:
    ticket = identified(app_queue)
    app_queue.issue("B", actor="resepsionis", priority=True)
    app_queue.call_next("Loket 2", actor="fo")
    app_queue.set_running_text("Layanan istirahat pukul 12.00", actor="supervisor1")
    app_queue.record_printer_state("paper_out", actor="kiosk")
    response = visitor.get("/board")
    assert response.status_code == 200
    page = text(response)
    assert settings.office.name in page
    assert "Rabu, 25 November 2026" in page and "09.00" in page  # office time, Indonesian
    latest = re.search(r'id="call-label">([^<]*)<', page).group(1)
    assert latest == "B-001"
    assert re.search(r'id="call-counter">([^<]*)<', page).group(1) == "Loket 2"
    assert "★ PRIORITAS" in page and "Silakan menuju" in page
    assert ticket.label in page  # Loket 1 is serving it, and it was called before
    assert "Layanan istirahat pukul 12.00" in page
    assert "Mesin tiket tidak dapat mencetak, silakan menuju resepsionis" in page
    assert re.search(r'id="board-banner" role="alert">', page)  # shown: the printer is out
    assert "A · Layanan Informasi" in page
    assert "Aktifkan suara" in page and "board.js" in page
    assert_nothing_personal(page)
    assert "<script>" not in page and " style=" not in page
    assert "Set-Cookie" not in response.headers


def test_the_board_hides_the_banner_while_the_printer_works(
    visitor: FlaskClient, app_queue: Queue
) -> None:
    app_queue.record_printer_state("ready", actor="kiosk")
    page = text(visitor.get("/board"))
    assert re.search(r'id="board-banner" role="alert" hidden>', page)
    assert "Belum ada panggilan" in page


def test_the_board_script_gets_its_settings_and_the_event_kinds(
    visitor: FlaskClient, app_queue: Queue
) -> None:
    app_queue.issue("A", actor="resepsionis")
    called = app_queue.call_next("Loket 1", actor="fo")
    page = text(visitor.get("/board"))
    config = re.search(r"data-config='([^']*)'", page).group(1)
    settings = json.loads(html.unescape(config))
    assert settings["timezone"] == "Asia/Jakarta"
    assert settings["stateUrl"] == "/api/v1/board"
    assert settings["streamUrl"] == "/api/v1/board/events"
    assert {"called", "recalled", "running_text", "catalog_changed", "snapshot"} <= set(
        settings["kinds"]
    )
    assert settings["lastCallId"] > 0 and called.label in page
    assert settings["words"]["RECALLING"] == "Panggilan ulang"
    assert set(settings["printerFaults"]) == PRINTER_FAULTS


def test_printer_faults_are_the_tv_boards() -> None:
    from display.calls import PRINTER_FAULTS as TV_FAULTS  # the band rule of both boards

    assert PRINTER_FAULTS == TV_FAULTS


def test_live_kinds_cover_every_ticket_event() -> None:
    from ult import sop

    assert set(sop.EVENT_TARGETS) <= set(live_event_kinds())


# ------------------------------------------------------------------------------ announcement


def announce(client: FlaskClient, label: str, counter: str):
    return client.get("/board/announcement.wav", query_string={"label": label, "counter": counter})


def test_the_announcement_is_the_tvs_wav(
    visitor: FlaskClient, app_queue: Queue, settings: Settings, clock: FakeClock
) -> None:
    write_pack(settings.home / "voice" / "default", announcement_words("A-001", "Loket 1"))
    app_queue.issue("A", actor="resepsionis")
    app_queue.call_next("Loket 1", actor="fo")
    response = announce(visitor, "A-001", "Loket 1")
    assert response.status_code == 200, text(response)
    assert response.mimetype == "audio/wav"
    assert response.data == wav_maker(settings.home)("A-001", "Loket 1")
    with wave.open(io.BytesIO(response.data)) as clip:
        assert clip.getnframes() > 0
    # A recall is spoken the same way.
    clock.advance(seconds=20)
    app_queue.recall("A-001", "Loket 1", actor="fo")
    assert announce(visitor, "A-001", "Loket 1").status_code == 200


@pytest.mark.parametrize(
    ("label", "counter", "status", "code"),
    [
        ("A-001", "Loket 2", 404, "announcement_unknown"),  # called, but to Loket 1
        ("A-002", "Loket 1", 404, "announcement_unknown"),  # issued, never called
        ("B-001", "Loket 1", 404, "announcement_unknown"),  # no such ticket today
        ("", "Loket 1", 422, "announcement_invalid"),
        ("A-001", "", 422, "announcement_invalid"),
        ("A" * 17, "Loket 1", 422, "announcement_invalid"),
        ("A-001", "L" * 41, 422, "announcement_invalid"),
        ("A-001\n", "Loket 1", 422, "announcement_invalid"),
        ("A-001", "Loket\t1", 422, "announcement_invalid"),
    ],
)
def test_bad_or_unknown_calls_are_not_spoken(
    visitor: FlaskClient,
    app_queue: Queue,
    settings: Settings,
    label: str,
    counter: str,
    status: int,
    code: str,
) -> None:
    write_pack(settings.home / "voice" / "default", announcement_words("A-001", "Loket 1"))
    app_queue.issue("A", actor="resepsionis")
    app_queue.issue("A", actor="resepsionis")
    app_queue.call_next("Loket 1", actor="fo")
    response = announce(visitor, label, counter)
    assert response.status_code == status
    assert response.get_json()["error"] == code
    assert response.get_json()["message"]


def test_a_missing_query_is_refused(visitor: FlaskClient) -> None:
    response = visitor.get("/board/announcement.wav")
    assert response.status_code == 422 and response.get_json()["error"] == "announcement_invalid"


def test_without_a_voice_pack_the_board_is_told_404(
    visitor: FlaskClient, app_queue: Queue, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No pack, and no espeak-ng to synthesise the words on demand (display.service).
    monkeypatch.setattr("display.voice.espeak_available", lambda *args, **kwargs: False)
    app_queue.issue("A", actor="resepsionis")
    app_queue.call_next("Loket 1", actor="fo")
    response = announce(visitor, "A-001", "Loket 1")
    assert response.status_code == 404
    assert response.get_json()["error"] == "voice_missing"
    assert "ult voice build" in response.get_json()["message"]


def test_the_board_steps_back_once_the_called_visitor_is_served(
    visitor: FlaskClient, app_queue: Queue, clock: FakeClock
) -> None:
    """Issue 14: "A-004 · Silakan menuju Loket 1" stayed after the visitor had left."""
    for _ in range(2):
        app_queue.issue("A", actor="resepsionis")
    first = app_queue.call_next("Loket 1", actor="fo")
    clock.advance(seconds=20)
    app_queue.recall(first.id, "Loket 1", actor="fo")
    page = text(visitor.get("/board"))
    assert re.search(r'id="call-label">([^<]*)<', page).group(1) == "A-001"
    app_queue.start(first.id, "Loket 1", actor="fo")
    page = text(visitor.get("/board"))
    assert re.search(r'id="call-label">([^<]*)<', page).group(1) == ""
    assert re.search(r'id="call-caption">([^<]*)<', page).group(1) == (
        "Silakan menunggu panggilan berikutnya"
    )
    assert re.search(r'id="call-goto" hidden>', page)
    calls = re.search(r'<ul id="board-calls">(.*?)</ul>', page, re.S).group(1)
    assert calls.count("A-001") == 1  # one ticket once, though called and recalled
    counters = re.search(r'<ul id="board-counters">(.*?)</ul>', page, re.S).group(1)
    assert "Loket 1" in counters and "Back Office" not in counters
    state = visitor.get("/api/v1/board").get_json()
    assert state["current_call"] is None
    assert [c["label"] for c in state["earlier_calls"]] == ["A-001"]
    assert [c["current"] for c in state["last_calls"]] == [False, False]
    assert [c["name"] for c in state["counters"]] == ["Loket 1", "Loket 2"]
    words = json.loads(html.unescape(re.search(r"data-config='([^']*)'", page).group(1)))["words"]
    assert words["NEXT_CALL"] == "Silakan menunggu panggilan berikutnya"


def test_the_browser_board_repeats_the_announcement_as_the_tv_does(tmp_path) -> None:
    """``[display] announce_times = 2``: the browser board's WAV says the call twice with one
    chime, the very bytes the TV board plays."""
    from admin import create_app
    from tests.conftest import OPENING, make_settings
    from ult.catalog import apply_catalog
    from ult.store import connect

    twice = make_settings(tmp_path / "twice", "[display]\nannounce_times = 2\n")
    assert twice.display.announce_times == 2
    database = connect(twice.store.database)
    apply_catalog(database, twice)
    clock = FakeClock(OPENING)
    queue = Queue(database, twice, clock=clock)
    write_pack(twice.home / "voice" / "default", announcement_words("A-001", "Loket 1"))
    queue.issue("A", actor="resepsionis")
    queue.call_next("Loket 1", actor="fo")
    board = create_app(twice, clock=clock, config={"TESTING": True}).test_client()
    response = announce(board, "A-001", "Loket 1")
    assert response.status_code == 200, text(response)
    assert response.data == wav_maker(twice.home, times=2)("A-001", "Loket 1")
    once = wav_maker(twice.home)("A-001", "Loket 1")
    with wave.open(io.BytesIO(response.data)) as clip, wave.open(io.BytesIO(once)) as single:
        assert clip.getnframes() > single.getnframes() * 3 // 2


def test_a_board_loaded_just_after_a_call_speaks_it(
    visitor: FlaskClient, app_queue: Queue, clock: FakeClock
) -> None:
    """The TV board's rule (display.calls): a call younger than ANNOUNCE_MAX_AGE_SECONDS
    whose visitor is still called is spoken by a board that (re)loads; older ones not."""
    from display.calls import ANNOUNCE_MAX_AGE_SECONDS

    def speak_now() -> list[tuple[str, str]]:
        page = text(visitor.get("/board"))
        config = json.loads(html.unescape(re.search(r"data-config='([^']*)'", page).group(1)))
        assert config["announceMaxAgeSeconds"] == ANNOUNCE_MAX_AGE_SECONDS
        return [(c["label"], c["counter"]) for c in config["speakNow"]]

    for _ in range(3):
        app_queue.issue("A", actor="resepsionis")
    first = app_queue.call_next("Loket 1", actor="fo")
    clock.advance(seconds=30)
    app_queue.call_next("Loket 2", actor="fo2")
    assert speak_now() == [("A-001", "Loket 1"), ("A-002", "Loket 2")]  # oldest first
    app_queue.start(first.id, "Loket 1", actor="fo")
    assert speak_now() == [("A-002", "Loket 2")]  # A-001 is at the counter already
    clock.advance(seconds=ANNOUNCE_MAX_AGE_SECONDS + 1)
    assert speak_now() == []  # 61 s old: shown, not spoken
