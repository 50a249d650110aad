"""The survey's pages (admin.survey): the visitor's phone form, the desk tablet, the printed
survey link; Flask test client over a real SQLite file."""

from __future__ import annotations

import html
import json
import re

import pytest
import sqlite_utils
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from admin.security import CONTENT_SECURITY_POLICY
from admin.survey import TABLET_ANSWER_SECONDS
from tests.admin.conftest import USERS, login
from tests.survey_cases import every_answer, finished
from ult.clock import FakeClock
from ult.queue import Queue, Ticket


@pytest.fixture
def phone(app: Flask) -> FlaskClient:
    """A visitor's phone: no login, no cookie."""
    return app.test_client()


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def nonce(page: str) -> str:
    found = re.search(r'name="nonce" value="([0-9a-f]{64})"', page)
    assert found, "no nonce on the survey form"
    return found.group(1)


def responses(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("SELECT * FROM survey_responses"))


def send(phone: FlaskClient, ticket: Ticket, data: dict, path: str = ""):
    address = f"/t/{ticket.token}/survei{path}"
    form = {"nonce": nonce(phone.get(address).get_data(as_text=True)), **data}
    return phone.post(address, data=form)


# ------------------------------------------------------------------------------ the phone


def test_the_form_asks_the_nine_elements_with_their_own_labels(
    phone: FlaskClient, app_queue: Queue
) -> None:
    ticket = finished(app_queue)
    response = phone.get(f"/t/{ticket.token}/survei")
    assert response.status_code == 200
    page = text(response)
    for n in range(1, 10):
        for value in range(1, 5):
            assert f'name="U{n}" value="{value}"' in page
    assert "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif" in page
    assert "Sangat mahal" in page and "Gratis" in page and "Dikelola dengan baik" in page
    assert 'name="profile_age"' in page and "50-59 tahun" in page
    assert 'name="profile_occupation"' in page
    assert '<textarea name="suggestion"' in page and 'maxlength="1000"' in page
    assert "anonim: jawaban tidak disimpan bersama nama, NIK, atau nomor tiket" in page
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "Set-Cookie" not in response.headers
    assert "<script" not in page  # a plain form post, no script needed
    assert "http://" not in page.replace("http://ult.local", "")  # nothing from outside


def test_a_visitor_answers_and_gets_thanks_without_a_cookie(
    phone: FlaskClient, app_queue: Queue, db: sqlite_utils.Database
) -> None:
    ticket = finished(app_queue)
    response = send(
        phone,
        ticket,
        {**every_answer(3), "U4": "4", "U8": "", "profile_sex": "Perempuan", "suggestion": "Ok"},
    )
    assert response.status_code == 200, text(response)
    assert "Jawaban Anda untuk Survei Kepuasan Masyarakat (SKM) sudah kami terima" in text(response)
    assert "Set-Cookie" not in response.headers
    [row] = responses(db)
    answers = json.loads(row["answers"])
    assert answers == {**{k: 3 for k in every_answer() if k != "U8"}, "U4": 4}
    assert json.loads(row["profile"]) == {"sex": "Perempuan"}
    assert row["suggestion"] == "Ok"
    # The page again, and a second sending: politely told, nothing changes.
    again = phone.get(f"/t/{ticket.token}/survei")
    assert "Survei untuk nomor ini sudah diisi. Terima kasih." in text(again)
    second = phone.post(
        f"/t/{ticket.token}/survei", data={"nonce": nonce_of(phone, ticket), "U1": "1"}
    )
    assert second.status_code == 409
    assert "Survei untuk nomor ini sudah diisi. Terima kasih." in text(second)
    assert len(responses(db)) == 1


def nonce_of(phone: FlaskClient, ticket: Ticket) -> str:
    """The nonce of a ticket's form, read before it was answered (the form is gone now)."""
    from admin.survey import form_nonce

    with phone.application.test_request_context():
        return form_nonce(ticket.token, "skm")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Pilih jawaban untuk paling sedikit satu pertanyaan sebelum mengirim."),
        ({"U1": "5"}, "Jawaban untuk U1 (Persyaratan) harus salah satu pilihan 1 sampai 4."),
        ({"U1": "x"}, "harus salah satu pilihan 1 sampai 4"),
        ({"U10": "4"}, "Pertanyaan 'U10' tidak ada pada survei ini."),
        ({"U1": "4", "profile_age": "17"}, "Pilihan untuk 'Usia' tidak tersedia"),
        ({"U1": "4", "suggestion": "a" * 1001}, "Saran paling banyak 1000 karakter"),
    ],
)
def test_bad_input_comes_back_in_indonesian_and_stores_nothing(
    phone: FlaskClient, app_queue: Queue, db: sqlite_utils.Database, data: dict, message: str
) -> None:
    ticket = finished(app_queue)
    response = send(phone, ticket, {"U2": "", **data})
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'name="U1" value="1"' in page  # the form again
    assert responses(db) == []


def test_a_field_sent_twice_is_refused(
    phone: FlaskClient, app_queue: Queue, db: sqlite_utils.Database
) -> None:
    ticket = finished(app_queue)
    address = f"/t/{ticket.token}/survei"
    page = phone.get(address).get_data(as_text=True)
    form = MultiDict([("nonce", nonce(page)), ("U1", "1"), ("U1", "4")])
    response = phone.post(address, data=form)
    assert response.status_code == 422
    assert responses(db) == []


def test_the_choices_are_kept_when_the_form_comes_back(
    phone: FlaskClient, app_queue: Queue
) -> None:
    ticket = finished(app_queue)
    response = send(phone, ticket, {"U3": "2", "U4": "9", "suggestion": "Antrian <b>cepat</b>"})
    assert response.status_code == 422
    raw = response.get_data(as_text=True)
    assert 'name="U3" value="2" checked' in raw
    assert 'name="U4" value="4" checked' not in raw
    assert "Antrian &lt;b&gt;cepat&lt;/b&gt;</textarea>" in raw  # kept, escaped


def test_before_the_end_of_the_service_the_survey_waits(
    phone: FlaskClient, app_queue: Queue, db: sqlite_utils.Database
) -> None:
    ticket = app_queue.issue("A", actor="resepsionis").ticket
    page = text(phone.get(f"/t/{ticket.token}/survei"))
    assert "Survei dapat diisi setelah layanan untuk nomor A-001 selesai." in page
    assert 'name="U1"' not in page
    posted = phone.post(
        f"/t/{ticket.token}/survei", data={"nonce": nonce_of(phone, ticket), "U1": "4"}
    )
    assert posted.status_code == 409
    assert "setelah layanan untuk nomor A-001 selesai" in text(posted)
    assert responses(db) == []


def test_a_post_without_the_pages_nonce_is_refused(
    phone: FlaskClient, app_queue: Queue, db: sqlite_utils.Database
) -> None:
    ticket = finished(app_queue)
    other = finished(app_queue)
    for form in (
        {"U1": "4"},
        {"U1": "4", "nonce": "0" * 64},
        {"U1": "4", "nonce": nonce_of(phone, other)},  # another ticket's form
    ):
        response = phone.post(f"/t/{ticket.token}/survei", data=form)
        assert response.status_code == 403
        assert "tidak dikirim dari halaman survei nomor Anda" in text(response)
    assert responses(db) == []


def test_unknown_tokens_and_instruments_get_the_visitors_404(
    phone: FlaskClient, app_queue: Queue, db: sqlite_utils.Database
) -> None:
    ticket = finished(app_queue)
    for path in ("/t/tidak-ada-tiket-seperti-ini/survei", "/t/x/survei"):
        response = phone.get(path)
        assert response.status_code == 404
        assert "Tiket tidak ditemukan" in text(response)
    assert phone.post("/t/tidak-ada-tiket-seperti-ini/survei", data={}).status_code == 404
    # The ticket exists; the office did not configure this instrument: say so, not "no ticket".
    for response in (
        phone.get(f"/t/{ticket.token}/survei/spkp"),
        phone.post(f"/t/{ticket.token}/survei/spkp", data={"P1": "4"}),
    ):
        assert response.status_code == 404
        page = text(response)
        assert "Survei tidak tersedia" in page and "Tiket tidak ditemukan" not in page
        assert f'href="/t/{ticket.token}/survei"' in page
    assert responses(db) == []


def test_the_survey_closes_answer_days_after_the_ticket_s_day(
    phone: FlaskClient, app_queue: Queue, db: sqlite_utils.Database, clock: FakeClock
) -> None:
    from datetime import UTC, datetime

    ticket = finished(app_queue)  # business day 2026-11-25; [survey] answer_days = 7
    # Open until the end of 2026-12-02 in Jakarta: 2026-12-03 00:00 WIB = 2026-12-02 17:00 UTC.
    clock.set(datetime(2026, 12, 2, 16, 59, 59, tzinfo=UTC))
    address = f"/t/{ticket.token}/survei"
    form = {"nonce": nonce(text(phone.get(address))), "U1": "4"}  # the last second: a form
    clock.advance(seconds=1)
    closed = text(phone.get(address))
    assert f"survei untuk nomor {ticket.label} sudah ditutup" in closed
    assert 'name="U1"' not in closed and 'name="nonce"' not in closed
    posted = phone.post(address, data=form)
    assert posted.status_code == 409 and "sudah ditutup" in text(posted)
    assert responses(db) == []
    clock.set(datetime(2026, 12, 2, 16, 59, 59, tzinfo=UTC))
    assert phone.post(address, data=form).status_code == 200
    assert len(responses(db)) == 1


def test_the_ticket_page_leads_to_the_survey_while_it_is_open_and_unanswered(
    phone: FlaskClient, app_queue: Queue, clock: FakeClock, settings
) -> None:
    ticket = finished(app_queue)
    link = f'href="/t/{ticket.token}/survei"'
    assert link in text(phone.get(f"/t/{ticket.token}"))
    assert send(phone, ticket, {"U1": "4"}).status_code == 200
    assert link not in text(phone.get(f"/t/{ticket.token}"))  # answered
    unanswered = finished(app_queue)
    clock.advance(days=settings.survey.answer_days + 1)
    assert f'href="/t/{unanswered.token}/survei"' not in text(phone.get(f"/t/{unanswered.token}"))


SPKP = """
[[instruments]]
code = "spkp"
name = "Survei Persepsi Kualitas Pelayanan (SPKP)"
[[instruments.elements]]
code = "P1"
name = "Informasi pelayanan"
question = "Apakah informasi pelayanan tersedia dengan jelas?"
labels = ["Tidak jelas", "Kurang jelas", "Jelas", "Sangat jelas"]
"""


def test_a_further_instrument_is_linked_and_answered_on_its_own(tmp_path, clock) -> None:
    from admin import create_app
    from tests.conftest import fresh_database, make_settings
    from ult.survey import BUILT_IN

    path = tmp_path / "survei.toml"
    path.write_text(BUILT_IN.read_text(encoding="utf-8") + SPKP, encoding="utf-8")
    settings = make_settings(tmp_path / "home", f'[survey]\ninstruments_file = "{path}"\n')
    db = fresh_database(settings)
    queue = Queue(db, settings, clock=clock)
    app = create_app(settings, clock=clock, config={"TESTING": True})
    phone = app.test_client()
    ticket = finished(queue)
    page = text(phone.get(f"/t/{ticket.token}/survei"))
    assert f'href="/t/{ticket.token}/survei/spkp"' in page
    assert "Survei Persepsi Kualitas Pelayanan (SPKP)" in page
    spkp = phone.get(f"/t/{ticket.token}/survei/spkp")
    assert 'name="P1" value="4"' in text(spkp) and 'name="U1"' not in text(spkp)
    sent = send(phone, ticket, {"P1": "3"}, "/spkp")
    assert sent.status_code == 200, text(sent)
    assert send(phone, ticket, {"U1": "2"}).status_code == 200  # the SKM is a response of its own
    rows = {r["instrument"]: json.loads(r["answers"]) for r in responses(db)}
    assert rows == {"spkp": {"P1": 3}, "skm": {"U1": 2}}


def test_a_bad_instruments_file_stops_the_app(tmp_path) -> None:
    from admin import create_app
    from tests.conftest import make_settings
    from ult.settings import SettingsError

    path = tmp_path / "survei.toml"
    path.write_text(SPKP, encoding="utf-8")
    settings = make_settings(tmp_path / "home", f'[survey]\ninstruments_file = "{path}"\n')
    with pytest.raises(SettingsError, match='code = "skm" wajib ada'):
        create_app(settings, config={"TESTING": True})


# ------------------------------------------------------------------------------ desk tablet


def tablet_of(app_queue: Queue, counter: str = "Loket 1") -> str:
    return f"/survei/meja/{app_queue.counter(counter).id}"


def shown_form(client, path: str) -> dict[str, str]:
    """The hidden fields of the survey form the tablet shows now (its ticket, the time it
    was shown and the offer's token), as the tablet's own page would send them."""
    page = text(client.get(path))
    fields = dict(re.findall(r'name="(ticket_id|shown_at|offer)" value="([^"]*)"', page))
    assert set(fields) == {"ticket_id", "shown_at", "offer"}, page[-2000:]
    return fields


def test_the_tablet_needs_a_front_office_login(app: Flask, as_role, app_queue: Queue) -> None:
    path = tablet_of(app_queue)
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for role in ("receptionist", "back_office", "unit", "kepala"):
        client, _ = as_role(role)
        assert client.get(path).status_code == 403, role
        assert client.get(path + "/status").status_code == 403, role
    for role in ("front_office", "supervisor"):
        client, _ = as_role(role)
        assert client.get(path).status_code == 200, role
    client, _ = as_role("front_office")
    back_office = app_queue.counter("Back Office").id
    for missing in (f"/survei/meja/{back_office}", "/survei/meja/999"):
        response = client.get(missing)
        assert response.status_code == 404
        assert "bukan loket Front Office" in text(response)
    assert client.get("/survei/meja/999/status").status_code == 404


def test_the_tablet_shows_the_ticket_finished_at_its_counter_then_idles(
    as_role, app_queue: Queue, db: sqlite_utils.Database, clock: FakeClock, settings
) -> None:
    client, csrf = as_role("front_office")
    path = tablet_of(app_queue)
    idle = text(client.get(path))
    assert "Terima kasih telah berkunjung" in idle and 'name="U1"' not in idle
    assert f'data-idle-seconds="{settings.survey.tablet_idle_seconds}"' in idle
    assert "Buku tamu" not in idle and "Keluar" not in idle  # no staff navigation
    assert client.get(path + "/status").get_json() == {"ticket": None}

    ticket = finished(app_queue)
    assert client.get(path + "/status").get_json() == {"ticket": ticket.id}
    assert client.get(tablet_of(app_queue, "Loket 2") + "/status").get_json() == {"ticket": None}
    form = text(client.get(path))
    assert f"Nomor antrian {ticket.label}" in form and 'name="U9" value="4"' in form
    assert f'data-ticket="{ticket.id}"' in form
    assert "anonim: jawaban tidak disimpan bersama nama, NIK, atau nomor tiket" in form
    # Let go of after the idle time: the page says which ticket it skips.
    skipped = text(client.get(f"{path}?lewati={ticket.id}"))
    assert "Terima kasih telah berkunjung" in skipped and f'data-skip="{ticket.id}"' in skipped

    shown = shown_form(client, path)
    assert shown["ticket_id"] == str(ticket.id)
    bad = client.post(path, data={"csrf_token": csrf, **shown, "U1": "7"})
    assert bad.status_code == 422
    assert "Jawaban untuk U1 (Persyaratan) harus salah satu pilihan 1 sampai 4." in text(bad)
    sent = client.post(path, data={"csrf_token": csrf, **shown, **every_answer()})
    assert sent.status_code == 200, text(sent)
    page = text(sent)
    assert "Jawaban Anda sudah kami terima" in page
    assert f'http-equiv="refresh" content="8;url={path}"' in page
    assert [json.loads(r["answers"]) for r in responses(db)] == [every_answer()]
    assert client.get(path + "/status").get_json() == {"ticket": None}
    again = client.post(path, data={"csrf_token": csrf, **shown, "U1": "1"})
    assert again.status_code == 409
    assert "Survei untuk nomor ini sudah diisi. Terima kasih." in text(again)

    later = finished(app_queue)
    clock.advance(seconds=settings.survey.tablet_idle_seconds + 1)
    assert client.get(path + "/status").get_json() == {"ticket": None}
    assert 'name="U1"' not in text(client.get(path))
    assert not responses(db)[1:] and later.state == "done"


TABLET_REFUSAL = "tablet hanya menerima survei nomor yang baru saja selesai dilayani di loket ini"


def test_the_tablet_takes_answers_only_for_its_own_counter(
    as_role, app_queue: Queue, db: sqlite_utils.Database
) -> None:
    client, csrf = as_role("front_office")
    ticket = finished(app_queue, counter="Loket 2")
    for ticket_id in (ticket.id, "abc", ""):
        response = client.post(
            tablet_of(app_queue), data={"csrf_token": csrf, "ticket_id": ticket_id, "U1": "4"}
        )
        assert response.status_code == 409
        assert TABLET_REFUSAL in text(response)
    no_csrf = client.post(tablet_of(app_queue, "Loket 2"), data={"ticket_id": ticket.id})
    assert no_csrf.status_code == 400
    assert responses(db) == []


def test_the_tablet_takes_only_the_ticket_it_offers_now(
    as_role, app_queue: Queue, db: sqlite_utils.Database, clock: FakeClock
) -> None:
    """An officer on the tablet cannot answer for earlier visitors of the same counter, even
    with the forms the tablet showed them."""
    client, csrf = as_role("front_office")
    path = tablet_of(app_queue)

    def post(fields: dict[str, str]):
        return client.post(path, data={"csrf_token": csrf, **fields, "U1": "4"})

    older = finished(app_queue)
    older_form = shown_form(client, path)
    previous = finished(app_queue)  # the counter served someone else since `older`
    previous_form = shown_form(client, path)
    uninvited = finished(app_queue, survey_invited=False)  # the last one: not invited
    invented = {**previous_form, "ticket_id": str(uninvited.id)}
    for form in (older_form, previous_form, invented, {"ticket_id": str(uninvited.id)}):
        response = post(form)
        assert response.status_code == 409, form
        assert TABLET_REFUSAL in text(response) and 'name="U1"' not in text(response)
    current = finished(app_queue)
    current_form = shown_form(client, path)
    assert current_form["ticket_id"] == str(current.id)
    app_queue.issue("A", actor="resepsionis")
    app_queue.call_next("Loket 1", actor="fo")  # the next visitor is at the desk
    assert post(current_form).status_code == 409
    assert responses(db) == []
    assert db.execute("SELECT count(*) FROM survey_receipts").fetchone()[0] == 0
    assert {older.id, previous.id} == {
        int(older_form["ticket_id"]),
        int(previous_form["ticket_id"]),
    }
    offered = finished(app_queue, counter="Loket 2")
    other = tablet_of(app_queue, "Loket 2")
    sent = client.post(other, data={"csrf_token": csrf, **shown_form(client, other), "U1": "4"})
    assert sent.status_code == 200 and len(responses(db)) == 1
    assert offered.state == "done"


def test_a_slow_visitor_past_the_idle_time_is_still_taken(
    as_role, app_queue: Queue, db: sqlite_utils.Database, clock: FakeClock, settings
) -> None:
    """The tablet's idle timer restarts on each touch, so a visitor may send well after the
    idle time, with the form the tablet showed; an abandoned form cannot be sent later, and
    nobody can send one the tablet did not show."""
    client, csrf = as_role("front_office")
    path = tablet_of(app_queue)
    slow = finished(app_queue)
    form = shown_form(client, path)
    clock.advance(seconds=settings.survey.tablet_idle_seconds * 3)
    assert client.get(path + "/status").get_json() == {"ticket": None}  # not offered anew
    without = client.post(path, data={"csrf_token": csrf, "ticket_id": slow.id, "U1": "3"})
    assert without.status_code == 409 and responses(db) == []  # no form was shown to them
    sent = client.post(path, data={"csrf_token": csrf, **form, "U1": "3"})
    assert sent.status_code == 200
    assert [json.loads(r["answers"]) for r in responses(db)] == [{"U1": 3}]

    abandoned = finished(app_queue)
    form = shown_form(client, path)
    clock.advance(seconds=TABLET_ANSWER_SECONDS + 1)
    late = client.post(path, data={"csrf_token": csrf, **form, "U1": "1"})
    assert late.status_code == 409 and len(responses(db)) == 1
    assert abandoned.state == "done"


def test_the_idle_time_comes_from_the_settings(tmp_path, clock) -> None:
    from admin import create_app
    from tests.admin.conftest import PASSWORD
    from tests.conftest import fresh_database, make_settings
    from ult import accounts

    settings = make_settings(tmp_path / "home", "[survey]\ntablet_idle_seconds = 45\n")
    db = fresh_database(settings)
    accounts.add_user(db, USERS["front_office"], PASSWORD, "front_office")
    app = create_app(settings, clock=clock, config={"TESTING": True})
    client = app.test_client()
    login(client, "front_office")
    page = text(client.get("/survei/meja/1"))
    assert 'data-idle-seconds="45"' in page


# ------------------------------------------------------------------------------ survey link


def test_the_counter_page_offers_tablet_mode_and_the_survey_link(as_role, app_queue: Queue) -> None:
    client, csrf = as_role("front_office")
    loket1 = app_queue.counter("Loket 1").id
    assert (
        client.post("/counter/choose", data={"csrf_token": csrf, "counter": loket1}).status_code
        == 303
    )
    page = text(client.get("/counter"))
    assert f'href="/survei/meja/{loket1}"' in page and "Mode tablet survei" in page
    assert "Cetak tautan survei" not in page  # nothing finished yet
    ticket = app_queue.issue("A", actor="resepsionis").ticket
    app_queue.call_specific(loket1, ticket.id, actor="fo")
    app_queue.start(ticket.id, loket1, actor="fo")
    app_queue.answer(ticket.id, loket1, actor="fo", kind="available", text="Dijawab.")

    def act(action: str, **data: str):
        form = {"csrf_token": csrf, "counter_id": str(loket1), **data}
        response = client.post(f"/counter/tickets/{ticket.id}/{action}", data=form)
        assert response.status_code == 303, text(response)

    act("explain", mode="indirect")
    act("finish", outcome="resolved", survey_invited="1", incomplete_reason="visitor_declined")
    page = text(client.get("/counter"))
    assert "Penjelasan tidak langsung: cetak atau kirimkan tautan survei" in page
    assert f'href="/survei/tautan/{ticket.id}"' in page and "Cetak tautan survei" in page
    # One address: the QR, the text under it and "Salin tautan" all lead to the survey.
    survey_address = f"http://ult.local:8080/t/{ticket.token}/survei"
    assert f'data-copy="{survey_address}"' in page
    assert f'<p class="muted small">{survey_address}</p>' in page
    assert f"http://ult.local:8080/t/{ticket.token}<" not in page
    assert "kode QR ini membuka survei (SKM)" in page
    qr = client.get(f"/counter/tickets/{ticket.id}/survey-qr.png").data
    assert qr == qr_png(survey_address) != qr_png(f"http://ult.local:8080/t/{ticket.token}")
    # Only the ticket this session just finished: no other visitor's survey address here.
    other = finished(app_queue, counter="Loket 2")
    refused = client.get(f"/counter/tickets/{other.id}/survey-qr.png")
    assert refused.status_code == 404 and "baru saja Anda selesaikan" in text(refused)
    assert "survey.js" in page


def qr_png(data: str) -> bytes:
    """The PNG the appliance draws for ``data`` (its QR parameters), to compare against."""
    import io

    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").get_image().save(buffer, format="PNG")
    return buffer.getvalue()


def finished_here(client: FlaskClient, csrf: str, app_queue: Queue, counter: str = "Loket 1"):
    """A case explained indirectly and finished by this session on the counter page (the
    session keeps the ticket it just finished, as an officer's browser does)."""
    counter_id = app_queue.counter(counter).id
    chosen = client.post("/counter/choose", data={"csrf_token": csrf, "counter": counter_id})
    assert chosen.status_code == 303
    ticket = app_queue.issue("A", actor="resepsionis").ticket
    app_queue.call_specific(counter_id, ticket.id, actor="fo")
    app_queue.start(ticket.id, counter_id, actor="fo")
    app_queue.answer(ticket.id, counter_id, actor="fo", kind="available", text="Dijawab.")
    for action, data in (
        ("explain", {"mode": "indirect"}),
        ("finish", {"outcome": "resolved", "survey_invited": "1"}),
    ):
        form = {"csrf_token": csrf, "counter_id": str(counter_id), **data}
        form["incomplete_reason"] = "visitor_declined"
        response = client.post(f"/counter/tickets/{ticket.id}/{action}", data=form)
        assert response.status_code == 303, text(response)
    return app_queue.ticket(ticket.id)


def test_the_printable_link_shows_the_qr_and_the_address(as_role, app_queue: Queue) -> None:
    client, csrf = as_role("front_office")
    ticket = finished_here(client, csrf, app_queue)
    response = client.get(f"/survei/tautan/{ticket.id}")
    assert response.status_code == 200
    page = text(response)
    assert f"http://ult.local:8080/t/{ticket.token}/survei" in page
    assert f"/survei/tautan/{ticket.id}/qr.png" in page and "data-print" in page
    assert "Salin tautan" in page
    qr = client.get(f"/survei/tautan/{ticket.id}/qr.png")
    assert qr.status_code == 200 and qr.data.startswith(b"\x89PNG")
    waiting = app_queue.issue("A", actor="resepsionis").ticket
    refused = client.get(f"/survei/tautan/{waiting.id}")
    assert refused.status_code == 409 and "tersedia setelah layanannya selesai" in text(refused)
    assert client.get("/survei/tautan/99999").status_code == 404
    receptionist, _ = as_role("receptionist")
    assert receptionist.get(f"/survei/tautan/{ticket.id}").status_code == 403


def test_only_the_session_that_just_finished_the_case_prints_its_link(
    as_role, app_queue: Queue
) -> None:
    """Nobody collects survey links to answer for visitors: not another officer, not the
    supervisor, not even the same officer once the counter called the next visitor."""
    officer, csrf = as_role("front_office")
    elsewhere = finished(app_queue, mode="indirect", counter="Loket 2")  # not by this session
    supervisor, _ = as_role("supervisor")
    colleague, _ = as_role("front_office")  # another browser of the same role
    for client in (officer, supervisor):
        for path in (f"/survei/tautan/{elsewhere.id}", f"/survei/tautan/{elsewhere.id}/qr.png"):
            refused = client.get(path)
            assert refused.status_code == 403
            assert "hanya dapat dicetak oleh petugas yang baru saja" in text(refused)
    ticket = finished_here(officer, csrf, app_queue)
    assert officer.get(f"/survei/tautan/{ticket.id}").status_code == 200
    for client in (colleague, supervisor):
        assert client.get(f"/survei/tautan/{ticket.id}").status_code == 403
    app_queue.issue("A", actor="resepsionis")
    called = officer.post(
        "/counter/call-next",
        data={"csrf_token": csrf, "counter_id": str(app_queue.counter("Loket 1").id)},
    )
    assert called.status_code == 303
    assert officer.get(f"/survei/tautan/{ticket.id}").status_code == 403  # the next visitor


def test_the_link_closes_with_the_survey(as_role, app_queue: Queue, clock: FakeClock) -> None:
    from datetime import UTC, datetime

    supervisor, csrf = as_role("supervisor")
    ticket = finished_here(supervisor, csrf, app_queue)  # day 2026-11-25, answer_days 7
    clock.set(datetime(2026, 12, 2, 16, 59, 59, tzinfo=UTC))  # 2026-12-02 23:59:59 WIB
    assert supervisor.get(f"/survei/tautan/{ticket.id}").status_code == 200
    clock.advance(seconds=1)
    for path in (f"/survei/tautan/{ticket.id}", f"/survei/tautan/{ticket.id}/qr.png"):
        closed = supervisor.get(path)
        assert closed.status_code == 404
        assert f"survei untuk nomor {ticket.label} sudah ditutup" in text(closed)
