"""The satisfaction survey's core (ult.survey): the instruments file, storing a response
(one per finished ticket, validated, anonymous), the desk tablet's offered ticket."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from tests.conftest import make_settings
from tests.survey_cases import every_answer, finished
from ult import survey
from ult.cli import main
from ult.clock import FakeClock, to_stamp
from ult.doctor import Level, survey_checks
from ult.errors import QueueError
from ult.queue import Queue
from ult.settings import SettingsError
from ult.survey import BUILT_IN, load_instruments, parse_instruments


@pytest.fixture
def instruments() -> survey.Instruments:
    return parse_instruments(BUILT_IN)


def responses(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("SELECT * FROM survey_responses"))


def refused(code: str, call) -> QueueError:
    with pytest.raises(QueueError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    return caught.value


# ------------------------------------------------------------------------ the instruments file


def test_the_built_in_file_is_the_skm_of_the_regulation(
    instruments: survey.Instruments,
) -> None:
    skm = instruments.skm
    assert skm.codes == tuple(f"U{n}" for n in range(1, 10))
    assert [e.name for e in skm.elements][:3] == [
        "Persyaratan",
        "Sistem, mekanisme, dan prosedur",
        "Waktu penyelesaian",
    ]
    assert skm.elements[3].labels == ("Sangat mahal", "Cukup mahal", "Murah", "Gratis")
    assert [p.code for p in instruments.profile] == ["age", "sex", "education", "occupation"]


GOOD = BUILT_IN.read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "survei.toml"
    path.write_text(text, encoding="utf-8")
    return path


SPKP = """
[[instruments]]
code = "spkp"
name = "Survei Persepsi Kualitas Pelayanan (SPKP)"
[[instruments.elements]]
code = "P1"
name = "Informasi pelayanan"
question = "Informasi pelayanan tersedia dengan jelas?"
labels = ["Tidak", "Kurang", "Ya", "Sangat"]
"""


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ('[[profile]]\ncode = "age"\nquestion = "Usia"\nchoices = ["muda"]\n', "[[instruments]]"),
        (GOOD.replace('"Gratis"]', '"Gratis", "Lain"]'), "tepat 4 label"),
        (GOOD.replace('code = "U2"', 'code = "U1"'), "kode U1 sudah dipakai"),
        (GOOD.replace('code = "U3"\n', ""), "instruments[0].elements[2].code: wajib diisi"),
        (GOOD.replace('name = "Persyaratan"', "name = 7"), "elements[0].name"),
        (GOOD.replace('code = "age"', 'code = "nik"'), "nik tidak dikenal"),
        (GOOD.replace('name = "Persyaratan"', f'name = "{"x" * 81}"'), "paling panjang 80"),
        (GOOD + 'warna = "biru"\n', "kunci tidak dikenal"),
        (GOOD.replace('code = "skm"', 'code = "SKM"'), "huruf kecil"),
        (GOOD.replace('code = "U9"', 'code = "u9"'), "huruf besar"),
        (GOOD + SPKP.replace('"spkp"', '"skm"'), "kode skm sudah dipakai"),
        (GOOD.replace('["Laki-laki", "Perempuan"]', "[]"), "profile[1].choices: harus 1-20"),
        ("[[instruments]\n", "bukan TOML"),
        ("instruments = 3\n", "daftar tabel"),
    ],
)
def test_a_bad_instruments_file_is_refused_naming_file_and_fault(
    tmp_path: Path, text: str, fault: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as caught:
        parse_instruments(path)
    message = str(caught.value)
    assert message.startswith(f"Berkas instrumen survei tidak valid ({path})")
    assert fault in message
    assert caught.value.source == path


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="tidak dapat dibaca"):
        parse_instruments(tmp_path / "tidak-ada.toml")
    path = tmp_path / "latin1.toml"
    path.write_bytes(b"# caf\xe9\n")
    with pytest.raises(SettingsError, match="bukan teks UTF-8"):
        parse_instruments(path)


def test_an_office_adds_an_instrument_and_the_commands_check_its_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + SPKP)
    settings = make_settings(tmp_path / "home", f'[survey]\ninstruments_file = "{path}"\n')
    found = load_instruments(settings)
    assert list(found.instruments) == ["skm", "spkp"]
    assert found.get("spkp").codes == ("P1",)
    [ok] = survey_checks(settings)
    assert ok.level is Level.OK and "skm, spkp" in ok.text

    path.write_text(GOOD.replace('code = "skm"', 'code = "ikm"'), encoding="utf-8")
    [problem] = survey_checks(settings)
    assert problem.level is Level.PROBLEM and "skm" in problem.text and str(path) in problem.text
    runner = CliRunner()
    result = runner.invoke(main, ["--config", str(settings.source), "init"])
    assert result.exit_code != 0
    assert "Berkas instrumen survei tidak valid" in result.output
    assert not settings.store.database.exists()  # refused before the database is made


def test_ult_survey_instruments_prints_the_built_in_file(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    result = CliRunner().invoke(main, ["--config", str(settings.source), "survey", "instruments"])
    assert result.exit_code == 0
    assert result.output == GOOD
    checked = CliRunner().invoke(
        main, ["--config", str(settings.source), "survey", "instruments", "--check"]
    )
    assert checked.exit_code == 0 and "instrumen: skm" in checked.output


# ------------------------------------------------------------------------ storing a response


def test_a_response_keeps_only_day_service_counter_kind_and_answers(
    queue: Queue, db: sqlite_utils.Database, instruments: survey.Instruments
) -> None:
    ticket = finished(queue, service="C")
    survey.submit(
        db,
        ticket_id=ticket.id,
        instrument="skm",
        answers={"U1": 4, "U2": "3", "U9": " 1 ", "U5": ""},
        profile={"age": "30-39 tahun", "sex": ""},
        suggestion="  Ruang tunggu\r\nperlu kipas.\x00\x1b ",
        instruments=instruments,
        now=queue.clock(),
        settings=queue.settings,
    )
    [row] = responses(db)
    assert set(row) == {
        "id",
        "instrument",
        "day",
        "service",
        "counter_kind",
        "answers",
        "profile",
        "suggestion",
    }
    assert len(row["id"]) == 32 and int(row["id"], 16) >= 0
    assert row["instrument"] == "skm"
    assert row["day"] == ticket.day.isoformat() == "2026-11-25"
    assert row["service"] == "C"
    assert row["counter_kind"] == "front_office"
    assert json.loads(row["answers"]) == {"U1": 4, "U2": 3, "U9": 1}  # U5 left unanswered
    assert json.loads(row["profile"]) == {"age": "30-39 tahun"}
    assert row["suggestion"] == "Ruang tunggu\nperlu kipas."
    assert survey.answered(db, ticket.id, "skm")
    assert not survey.answered(db, ticket.id, "spkp")


def test_a_case_through_the_back_office_counts_there(
    queue: Queue, db: sqlite_utils.Database, instruments: survey.Instruments
) -> None:
    ticket = finished(queue, escalate=True)
    survey.submit(
        db,
        ticket_id=ticket.id,
        instrument="skm",
        answers={"U3": 2},
        instruments=instruments,
        now=queue.clock(),
        settings=queue.settings,
    )
    assert [r["counter_kind"] for r in responses(db)] == ["back_office"]


def test_a_response_cannot_be_joined_back_to_its_ticket(
    queue: Queue, db: sqlite_utils.Database, instruments: survey.Instruments
) -> None:
    first = finished(queue)
    second = finished(queue)
    events_before = db.execute("SELECT count(*) FROM events").fetchone()[0]
    for ticket in (first, second):
        survey.submit(
            db,
            ticket_id=ticket.id,
            instrument="skm",
            answers=every_answer(),
            instruments=instruments,
            now=queue.clock(),
            settings=queue.settings,
        )
    # No event: one would carry the ticket id and the time of answering.
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == events_before
    schema = db.execute("SELECT sql FROM sqlite_master WHERE name = 'survey_responses'").fetchone()[
        0
    ]
    assert "WITHOUT ROWID" in schema
    columns = [c.name for c in db["survey_responses"].columns]
    assert not any("ticket" in c or c in ("at", "created_at", "time", "token") for c in columns)
    stored = json.dumps(responses(db))
    for ticket in (first, second):
        assert ticket.token not in stored and ticket.label not in stored
    # The receipts name tickets and nothing else: no column to join a response on.
    receipts = [c.name for c in db["survey_receipts"].columns]
    assert receipts == ["ticket_id", "instrument"]


def test_a_second_response_is_refused_politely_and_changes_nothing(
    queue: Queue, db: sqlite_utils.Database, instruments: survey.Instruments
) -> None:
    ticket = finished(queue)
    survey.submit(
        db,
        ticket_id=ticket.id,
        instrument="skm",
        answers={"U1": 1},
        instruments=instruments,
        now=queue.clock(),
        settings=queue.settings,
    )
    error = refused(
        "survey_already_answered",
        lambda: survey.submit(
            db,
            ticket_id=ticket.id,
            instrument="skm",
            answers={"U1": 4},
            instruments=instruments,
            now=queue.clock(),
            settings=queue.settings,
        ),
    )
    assert error.kind == "conflict"
    assert error.message == "Survei untuk nomor ini sudah diisi. Terima kasih."
    assert [json.loads(r["answers"]) for r in responses(db)] == [{"U1": 1}]


def test_an_unfinished_or_unknown_ticket_is_refused(
    queue: Queue, db: sqlite_utils.Database, instruments: survey.Instruments
) -> None:
    waiting = queue.issue("A", actor="resepsionis").ticket
    error = refused(
        "survey_not_finished",
        lambda: survey.submit(
            db,
            ticket_id=waiting.id,
            instrument="skm",
            answers={"U1": 4},
            instruments=instruments,
            now=queue.clock(),
            settings=queue.settings,
        ),
    )
    assert "A-001" in error.message and "setelah layanannya selesai" in error.message
    refused(
        "ticket_unknown",
        lambda: survey.submit(
            db,
            ticket_id=9999,
            instrument="skm",
            answers={"U1": 4},
            instruments=instruments,
            now=queue.clock(),
            settings=queue.settings,
        ),
    )
    assert responses(db) == []
    assert db.execute("SELECT count(*) FROM survey_receipts").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("answers", "profile", "suggestion", "code"),
    [
        ({"U1": 5}, {}, None, "survey_answer_invalid"),
        ({"U1": 0}, {}, None, "survey_answer_invalid"),
        ({"U1": True}, {}, None, "survey_answer_invalid"),
        ({"U1": "4.0"}, {}, None, "survey_answer_invalid"),
        ({"U1": 3.0}, {}, None, "survey_answer_invalid"),
        ({"U1": ["1", "2"]}, {}, None, "survey_answer_invalid"),
        ({"U10": 4}, {}, None, "survey_answer_unknown"),
        ({"P1": 4, "U1": 4}, {}, None, "survey_answer_unknown"),
        ({}, {}, None, "survey_empty"),
        ({"U1": "", "U2": None}, {}, None, "survey_empty"),
        ({"U1": 4}, {"age": "17 tahun"}, None, "survey_profile_invalid"),
        ({"U1": 4}, {"name": "Siti"}, None, "survey_profile_invalid"),
        ({"U1": 4}, {}, "x" * 1001, "survey_suggestion_too_long"),
        ({"U1": 4}, {}, 42, "survey_suggestion_invalid"),
    ],
)
def test_bad_answers_are_refused_in_indonesian_and_nothing_is_stored(
    queue: Queue,
    db: sqlite_utils.Database,
    instruments: survey.Instruments,
    answers: dict,
    profile: dict,
    suggestion: object,
    code: str,
) -> None:
    ticket = finished(queue)
    error = refused(
        code,
        lambda: survey.submit(
            db,
            ticket_id=ticket.id,
            instrument="skm",
            answers=answers,
            profile=profile,
            suggestion=suggestion,
            instruments=instruments,
            now=queue.clock(),
            settings=queue.settings,
        ),
    )
    assert error.kind == "invalid"
    assert responses(db) == [] and not survey.answered(db, ticket.id, "skm")


def test_a_suggestion_of_exactly_the_limit_is_kept(
    queue: Queue, db: sqlite_utils.Database, instruments: survey.Instruments
) -> None:
    ticket = finished(queue)
    text = ("baik " * 200)[:1000]
    survey.submit(
        db,
        ticket_id=ticket.id,
        instrument="skm",
        answers={"U1": 4},
        suggestion=text,
        instruments=instruments,
        now=queue.clock(),
        settings=queue.settings,
    )
    assert responses(db)[0]["suggestion"] == text.strip()


def test_an_unknown_instrument_is_refused(
    queue: Queue, db: sqlite_utils.Database, instruments: survey.Instruments
) -> None:
    ticket = finished(queue)
    refused(
        "survey_instrument_unknown",
        lambda: survey.submit(
            db,
            ticket_id=ticket.id,
            instrument="spkp",
            answers={"P1": 4},
            instruments=instruments,
            now=queue.clock(),
            settings=queue.settings,
        ),
    )


# ------------------------------------------------------------------------ the answering window


def test_the_survey_closes_at_the_end_of_the_business_day_answer_days_later(
    tmp_path: Path, instruments: survey.Instruments
) -> None:
    from datetime import UTC, date, datetime

    # Reset 04:00 in Jakarta (UTC+7): business day 2026-11-25 runs to 2026-11-26 04:00 WIB.
    # With answer_days = 2 the survey of a 2026-11-25 ticket is open until the end of
    # business day 2026-11-27, i.e. until 2026-11-28 04:00 WIB = 2026-11-27 21:00 UTC.
    settings = make_settings(
        tmp_path / "home", '[survey]\nanswer_days = 2\n[queue]\nday_reset = "04:00"\n'
    )
    deadline = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
    assert survey.answer_deadline(date(2026, 11, 25), settings) == deadline
    assert survey.is_open(date(2026, 11, 25), deadline - timedelta(microseconds=1), settings)
    assert not survey.is_open(date(2026, 11, 25), deadline, settings)


def test_a_response_after_the_window_is_refused_and_nothing_is_stored(
    queue: Queue, db: sqlite_utils.Database, clock: FakeClock, instruments: survey.Instruments
) -> None:
    from datetime import UTC, datetime

    ticket = finished(queue)  # business day 2026-11-25 (09:00 WIB), answer_days 7 by default
    assert queue.settings.survey.answer_days == 7
    # Open until the end of 2026-12-02 in Jakarta: 2026-12-03 00:00 WIB = 2026-12-02 17:00 UTC.
    last = datetime(2026, 12, 2, 16, 59, 59, tzinfo=UTC)

    def send(now: datetime) -> None:
        survey.submit(
            db,
            ticket_id=ticket.id,
            instrument="skm",
            answers={"U1": 4},
            instruments=instruments,
            now=now,
            settings=queue.settings,
        )

    error = refused("survey_closed", lambda: send(last + timedelta(seconds=1)))
    assert error.kind == "conflict"
    assert error.message == (
        "Mohon maaf, survei untuk nomor A-001 sudah ditutup: survei dapat diisi sampai 7 hari "
        "setelah hari layanan. Terima kasih atas kunjungan Anda."
    )
    assert responses(db) == [] and not survey.answered(db, ticket.id, "skm")
    send(last)
    assert len(responses(db)) == 1


def test_answer_days_is_a_setting_within_its_range(tmp_path: Path) -> None:
    assert make_settings(tmp_path / "a", "[survey]\nanswer_days = 90\n").survey.answer_days == 90
    for bad in ("0", "91", '"7"'):
        with pytest.raises(SettingsError) as caught:
            make_settings(tmp_path / f"b{len(bad)}", f"[survey]\nanswer_days = {bad}\n")
        assert caught.value.key == "survey.answer_days"


# ------------------------------------------------------------------------ the desk tablet


def test_the_tablet_offers_the_ticket_just_finished_at_its_counter(
    queue: Queue, db: sqlite_utils.Database, clock: FakeClock, instruments: survey.Instruments
) -> None:
    loket1 = queue.counter("Loket 1").id
    loket2 = queue.counter("Loket 2").id

    def offered(counter: int, window: int = 120) -> int | None:
        since = to_stamp(clock() - timedelta(seconds=window))
        return survey.offered_at_counter(db, counter, not_before=since)

    assert offered(loket1) is None
    ticket = finished(queue)
    assert offered(loket1) == ticket.id
    assert offered(loket2) is None
    assert survey.finished_counter(db, ticket.id) == loket1
    assert survey.finished_counter(db, queue.issue("A", actor="resepsionis").ticket.id) is None
    clock.advance(seconds=121)
    assert offered(loket1) is None  # older than the tablet's idle time
    assert offered(loket1, window=600) == ticket.id
    survey.submit(
        db,
        ticket_id=ticket.id,
        instrument="skm",
        answers={"U1": 3},
        instruments=instruments,
        now=queue.clock(),
        settings=queue.settings,
    )
    assert offered(loket1, window=600) is None  # answered

    uninvited = finished(queue, survey_invited=False)
    assert offered(loket1) is None and uninvited.state == "done"
    again = finished(queue)
    assert offered(loket1) == again.id
    queue.issue("A", actor="resepsionis")
    queue.call_next("Loket 1", actor="fo")
    assert offered(loket1) is None  # the next visitor is at the desk
