"""Service hours: the [hours] settings, the open/closed verdict at hand-picked moments, and the
queue's refusal, quota and recorded override.

Moments are written in the office's local time (WIB, UTC+7). 2026-11-25 is a Wednesday, so
27 November is a Friday, 29 a Sunday and 30 a Monday.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import fresh_database, make_settings
from ult import hours
from ult.clock import FakeClock
from ult.errors import QueueError
from ult.queue import Queue
from ult.settings import Holiday, Settings, SettingsError, Span

WIB = ZoneInfo("Asia/Jakarta")


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 11) -> datetime.datetime:
    """A local (WIB) moment in 2026."""
    return datetime.datetime(2026, month, day, hour, minute, second, tzinfo=WIB)


def office(tmp_path: Path, extra: str = "") -> Settings:
    """The default service hours (enforced), plus ``extra`` lines of ``[hours]``."""
    return make_settings(tmp_path / "home", "[hours]\n" + extra)


def state(settings: Settings, moment: datetime.datetime) -> hours.IssuingState:
    return hours.issuing_state(settings.hours, settings.office.tz, moment)


def say(settings: Settings, moment: datetime.datetime) -> str | None:
    return hours.notice(state(settings, moment), moment)


# --- Settings ---------------------------------------------------------------------------------


def test_defaults_are_a_government_office_week(tmp_path: Path) -> None:
    h = office(tmp_path).hours
    eight_to_four = Span(datetime.time(8), datetime.time(16))
    assert h.enabled
    assert h.days == (
        *(eight_to_four,) * 4,
        Span(datetime.time(8), datetime.time(16, 30)),
        None,
        None,
    )
    assert h.breaks[4] == Span(datetime.time(11, 30), datetime.time(13, 30))
    assert [b for i, b in enumerate(h.breaks) if i != 4] == [None] * 6
    assert (h.holidays, h.last_issue, h.quota) == ((), 30, ())


def test_values_are_read(tmp_path: Path) -> None:
    h = office(
        tmp_path,
        'saturday = "08:00-12:00"\nfriday = false\nbreaks = { monday = "12:00-13:00" }\n'
        'last_issue = "15:15"\nquota = { C = 40, B = 0 }\n'
        'holidays = [2026-12-26, { date = "2026-12-25", name = "Hari Raya Natal" }]\n',
    ).hours
    assert h.days[5] == Span(datetime.time(8), datetime.time(12))
    assert h.days[4] is None
    assert h.breaks[0] == Span(datetime.time(12), datetime.time(13))
    assert h.breaks[4] is None  # breaks written: the default Friday break is replaced
    assert h.last_issue == datetime.time(15, 15)
    assert h.quota == (("C", 40),)  # 0 = no quota
    assert h.quota_of("C") == 40 and h.quota_of("B") is None
    # Sorted by date whatever the order written.
    assert h.holidays == (
        Holiday(datetime.date(2026, 12, 25), "Hari Raya Natal"),
        Holiday(datetime.date(2026, 12, 26), ""),
    )


def test_a_closed_friday_drops_the_default_break(tmp_path: Path) -> None:
    assert office(tmp_path, "friday = false\n").hours.breaks == (None,) * 7


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('monday = "16:00-08:00"', "hours.monday", "jam mulai sebelum jam selesai"),
        ('monday = "8-16"', "hours.monday", '"HH:MM-HH:MM"'),
        ("monday = true", "hours.monday", "atau false jika tutup"),
        (
            "monday = false\ntuesday = false\nwednesday = false\nthursday = false\nfriday = false",
            "hours",
            "minimal satu hari buka",
        ),
        ('breaks = { friday = "11:30-17:00" }', "hours.breaks.friday", "di dalam jam buka friday"),
        ('breaks = { sunday = "11:30-12:00" }', "hours.breaks.sunday", "sunday tutup"),
        ('breaks = { jumat = "11:30-12:00" }', "hours.breaks.jumat", "tidak dikenal"),
        ('holidays = ["2026-02-30"]', "hours.holidays[0]", "yang ada di kalender"),
        ('holidays = ["25-12-2026"]', "hours.holidays[0]", "YYYY-MM-DD"),
        ("holidays = [2026-12-25, 2026-12-25]", "hours.holidays[1]", "hours.holidays[0]"),
        ('holidays = [{ name = "Natal" }]', "hours.holidays[0].date", "wajib diisi"),
        ('holidays = [{ date = 2026-12-25, name = "" }]', "hours.holidays[0].name", "teks"),
        ("last_issue = -1", "hours.last_issue", "0–240"),
        ("last_issue = 241", "hours.last_issue", "0–240"),
        ('last_issue = "25:00"', "hours.last_issue", '"HH:MM"'),
        ("quota = { AB = 10 }", "hours.quota.AB", "A–Z"),
        ("quota = { default = -1 }", "hours.quota.default", "0–9999"),
        ("quota = { A = -1 }", "hours.quota.A", "0–9999"),
        ("quota = { A = 1.5 }", "hours.quota.A", "bilangan bulat"),
        ('closing = "16:00"', "hours.closing", "tidak dikenal"),
        ('enabled = "ya"', "hours.enabled", "true atau false"),
    ],
)
def test_bad_hours_are_refused_in_indonesian(
    tmp_path: Path, text: str, key: str, words: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        office(tmp_path, text + "\n")
    assert caught.value.key == key
    assert "Pengaturan tidak valid" in str(caught.value)
    assert words in str(caught.value)


def test_day_reset_inside_opening_hours_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        make_settings(tmp_path / "home", '[queue]\nday_reset = "10:00"\n[hours]\n')
    assert caught.value.key == "hours.monday"
    assert "day_reset (10:00)" in str(caught.value)
    # At closing time exactly it restarts nothing that is open.
    late = make_settings(
        tmp_path / "late", '[queue]\nday_reset = "16:00"\n[hours]\nfriday = false\n'
    )
    assert late.queue.day_reset == datetime.time(16)


# --- The verdict at hand-picked moments -------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "reason", "edge"),
    [
        # Friday: [08:00, 11:30) and [13:30, 16:00): 16:30 closing, last issue 30 min before.
        (at(27, 7, 59, 59), "before_opening", at(27, 8)),
        (at(27, 8), "open", at(27, 11, 30)),
        (at(27, 11, 29, 59), "open", at(27, 11, 30)),
        (at(27, 11, 30), "break", at(27, 13, 30)),
        (at(27, 13, 29, 59), "break", at(27, 13, 30)),
        (at(27, 13, 30), "open", at(27, 16)),
        (at(27, 15, 59, 59), "open", at(27, 16)),
        (at(27, 16), "after_last_issue", at(30, 8)),
        # Wednesday: no break, last issue 15:30.
        (at(25, 15, 29, 59), "open", at(25, 15, 30)),
        (at(25, 15, 30), "after_last_issue", at(26, 8)),
        (at(25, 23, 59), "after_last_issue", at(26, 8)),
        (at(26, 0, 0), "before_opening", at(26, 8)),
        # The weekend: Saturday and Sunday closed, Monday 08:00 next.
        (at(28, 10), "closed_day", at(30, 8)),
        (at(29, 10), "closed_day", at(30, 8)),
    ],
)
def test_issuing_windows(
    tmp_path: Path, moment: datetime.datetime, reason: str, edge: datetime.datetime
) -> None:
    verdict = state(office(tmp_path), moment.astimezone(datetime.UTC))
    assert verdict.reason == reason
    assert verdict.open == (reason == "open")
    if verdict.open:
        assert (verdict.closes_at, verdict.opens_at) == (edge, None)
    else:
        assert (verdict.opens_at, verdict.closes_at) == (edge, None)


def test_what_the_board_and_the_kiosk_say(tmp_path: Path) -> None:
    settings = office(tmp_path)
    assert say(settings, at(27, 10)) is None
    assert say(settings, at(27, 12)) == "Pengambilan nomor antrian dibuka kembali pukul 13.30"
    assert say(settings, at(27, 7)) == "Pengambilan nomor antrian dibuka pukul 08.00"
    assert say(settings, at(27, 16, 5)) == (
        "Pengambilan nomor antrian hari ini sudah ditutup · "
        "Dibuka kembali Senin, 30 November 2026 pukul 08.00"
    )
    assert say(settings, at(29, 9)) == (
        "Pengambilan nomor antrian hari ini sudah ditutup · "
        "Dibuka kembali Senin, 30 November 2026 pukul 08.00"
    )


def test_a_holiday_is_closed_and_skipped(tmp_path: Path) -> None:
    settings = office(
        tmp_path, 'holidays = [{ date = 2026-11-30, name = "Cuti Bersama" }, 2026-12-01]\n'
    )
    monday = state(settings, at(30, 9))
    assert (monday.reason, monday.holiday, monday.opens_at) == (
        "holiday",
        "Cuti Bersama",
        at(2, 8, month=12),
    )
    assert monday.closing is None
    # Sunday looks past the Monday and the Tuesday holidays to Wednesday.
    assert state(settings, at(29, 9)).opens_at == at(2, 8, month=12)
    assert say(settings, at(30, 9)) == (
        "Hari ini hari libur (Cuti Bersama); pengambilan nomor antrian ditutup · "
        "Dibuka kembali Rabu, 2 Desember 2026 pukul 08.00"
    )
    unnamed = state(settings, at(1, 9, month=12))
    assert (unnamed.reason, unnamed.holiday) == ("holiday", "")
    assert say(settings, at(1, 9, month=12)).startswith("Pengambilan nomor antrian hari ini sudah")


def test_an_explicit_last_issue_time(tmp_path: Path) -> None:
    settings = office(tmp_path, 'last_issue = "15:00"\n')
    assert state(settings, at(25, 14, 59)).open
    assert state(settings, at(25, 15)).reason == "after_last_issue"
    # Later than a day's closing: that day's closing is the last moment.
    late = office(tmp_path / "late", 'last_issue = "16:15"\n')
    assert late.hours.last_issue == datetime.time(16, 15)
    assert state(late, at(25, 15, 59)).closes_at == at(25, 16)  # Wednesday closes 16:00
    assert state(late, at(27, 16, 14)).closes_at == at(27, 16, 15)  # Friday 16:30
    assert state(late, at(27, 16, 15)).reason == "after_last_issue"


def test_last_issue_zero_issues_until_closing(tmp_path: Path) -> None:
    settings = office(tmp_path, "last_issue = 0\n")
    assert state(settings, at(25, 15, 59)).open
    assert not state(settings, at(25, 16)).open


def test_disabled_hours_issue_on_sunday_night(tmp_path: Path) -> None:
    settings = office(tmp_path, "enabled = false\n")
    verdict = state(settings, at(29, 23))
    assert verdict.open and verdict.reason == "disabled"
    assert say(settings, at(29, 23)) is None


def test_closing_is_the_end_of_service_not_the_last_issue(tmp_path: Path) -> None:
    settings = office(tmp_path)
    assert state(settings, at(27, 9)).closing == at(27, 16, 30)
    assert state(settings, at(25, 9)).closing == at(25, 16)
    assert state(settings, at(29, 9)).closing is None


# --- The queue ---------------------------------------------------------------------------------


def make_queue(settings: Settings, moment: datetime.datetime) -> tuple[Queue, FakeClock]:
    clock = FakeClock(moment)
    return Queue(fresh_database(settings), settings, clock=clock), clock


def issued_events(queue: Queue) -> list[dict]:
    return [
        {"actor": r["actor"], **json.loads(r["payload"])}
        for r in queue.db.query(
            "SELECT actor, payload FROM events WHERE kind = 'issued' ORDER BY id"
        )
    ]


@pytest.mark.parametrize("source", ["kiosk", "reception", "api", "cli"])
def test_the_queue_refuses_outside_hours_and_changes_nothing(tmp_path: Path, source: str) -> None:
    queue, _ = make_queue(office(tmp_path), at(27, 12))
    with pytest.raises(QueueError) as caught:
        queue.issue("A", actor="siti", source=source)
    assert caught.value.code == "issuing_closed"
    assert caught.value.kind == "conflict"
    assert caught.value.message == (
        "Pengambilan nomor antrian dibuka kembali pukul 13.30. Tiket hanya dapat diterbitkan "
        "oleh resepsionis dengan pengecualian jam layanan."
    )
    assert queue.db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 0
    assert issued_events(queue) == []


def test_reception_override_issues_and_is_recorded(tmp_path: Path) -> None:
    queue, clock = make_queue(office(tmp_path), at(29, 10))
    issued = queue.issue("A", actor="rina", source="reception", override=True)
    assert issued.ticket.label == "A-001"
    assert issued_events(queue) == [
        {
            "actor": "rina",
            "label": "A-001",
            "service": "A",
            "state": "waiting",
            "priority": False,
            "priority_category": None,
            "topic": None,
            "source": "reception",
            "override": "issuing_closed",
        }
    ]
    # Inside the hours an override sets nothing aside, so nothing is marked.
    clock.set(at(30, 9))
    queue.issue("A", actor="rina", source="reception", override=True)
    assert "override" not in issued_events(queue)[-1]


def test_the_kiosk_cannot_override(tmp_path: Path) -> None:
    queue, _ = make_queue(office(tmp_path), at(29, 10))
    with pytest.raises(QueueError) as caught:
        queue.issue("A", actor="kiosk:tombol1", source="kiosk", override=True)
    assert caught.value.code == "override_kiosk"


def test_the_quota_at_its_edge(tmp_path: Path) -> None:
    queue, clock = make_queue(office(tmp_path, "quota = { B = 2 }\n"), at(25, 9))
    queue.issue("B", actor="kiosk:tombol1", source="kiosk")
    cancelled = queue.issue("B", actor="kiosk:tombol1", source="kiosk").ticket
    queue.cancel(cancelled.id, actor="rina", reason="salah tekan")
    assert queue.issuing_refusal("B") is not None  # a cancelled number was still given out
    with pytest.raises(QueueError) as caught:
        queue.issue("B", actor="kiosk:tombol1", source="kiosk")
    assert caught.value.code == "quota_reached"
    assert caught.value.message.startswith(
        "Kuota layanan B (Pengaduan) hari ini (2 tiket) sudah habis."
    )
    # Other services have no quota; the reception may go past it, recorded.
    assert queue.issue("A", actor="kiosk:tombol1", source="kiosk").ticket.label == "A-001"
    third = queue.issue("B", actor="rina", source="reception", override=True)
    assert third.ticket.label == "B-003"
    assert issued_events(queue)[-1]["override"] == "quota_reached"
    # The next business day starts a new count.
    clock.set(at(26, 8))
    assert queue.issuing_refusal("B") is None
    assert queue.issue("B", actor="kiosk:tombol1", source="kiosk").ticket.label == "B-001"


def test_quota_counts_the_business_day_when_day_reset_is_late(tmp_path: Path) -> None:
    # day_reset 17:00: Wednesday 09:00 still belongs to Tuesday's business day, and the count
    # follows the numbers (Thursday 09:00 is Wednesday's business day: a fresh quota).
    settings = make_settings(
        tmp_path / "home", '[queue]\nday_reset = "17:00"\n[hours]\nquota = { A = 1 }\n'
    )
    queue, clock = make_queue(settings, at(25, 9))
    assert queue.today() == datetime.date(2026, 11, 24)
    queue.issue("A", actor="kiosk:tombol1", source="kiosk")
    assert queue.issuing_refusal("A").code == "quota_reached"
    clock.set(at(26, 9))
    assert queue.today() == datetime.date(2026, 11, 25)
    assert queue.issue("A", actor="kiosk:tombol1", source="kiosk").ticket.label == "A-001"


def test_an_idempotent_retry_after_closing_returns_the_first_ticket(tmp_path: Path) -> None:
    queue, clock = make_queue(office(tmp_path), at(25, 15, 29, 59))
    first = queue.issue("A", actor="api", source="api", idempotency_key="k-1")
    clock.set(at(25, 15, 31))
    again = queue.issue("A", actor="api", source="api", idempotency_key="k-1")
    assert again.replayed and again.ticket.id == first.ticket.id


# --- The estimate past closing ------------------------------------------------------------------


def test_call_after_closing_edges(tmp_path: Path) -> None:
    h, tz = office(tmp_path).hours, WIB
    assert hours.call_after_closing(h, tz, at(25, 15), 59) is None
    assert hours.call_after_closing(h, tz, at(25, 15), 60) is None  # called at 16:00 sharp
    assert hours.call_after_closing(h, tz, at(25, 15), 61) == at(25, 16)
    assert hours.call_after_closing(h, tz, at(27, 15), 61) is None  # Friday closes 16:30
    assert hours.call_after_closing(h, tz, at(29, 15), 600) is None  # Sunday: no closing
    off = office(tmp_path / "off", "enabled = false\n").hours
    assert hours.call_after_closing(off, tz, at(25, 15), 61) is None


def test_issued_says_when_its_call_falls_after_closing(tmp_path: Path) -> None:
    # Two open front-office counters and 10 minutes a visitor before any was served: the
    # k-th ticket waits 5 * (k - 1) minutes. At 15:25 the counters have 35 minutes left.
    queue, _ = make_queue(office(tmp_path), at(25, 15, 25))
    issued = [queue.issue("A", actor="kiosk:tombol1", source="kiosk") for _ in range(9)]
    assert [i.estimated_wait_minutes for i in issued[-2:]] == [35, 40]
    assert [i.after_closing for i in issued] == [None] * 8 + [at(25, 16)]
    assert queue.call_after_closing(queue.position(issued[-1].ticket.id)[1]) == at(25, 16)


def test_the_boards_notice_follows_the_clock(tmp_path: Path) -> None:
    settings = office(tmp_path)
    assert hours.closed_notice(settings, at(27, 11, 29)) is None
    assert hours.closed_notice(settings, at(27, 11, 30)) == (
        "Pengambilan nomor antrian dibuka kembali pukul 13.30"
    )
    assert hours.closed_notice(settings, at(27, 13, 30)) is None


# --- The estimate while the counters do not serve (a ticket issued by override) ---------------

MONDAY_8 = "Senin, 30 November 2026 pukul 08.00"


@pytest.mark.parametrize(
    ("moment", "said"),
    [
        (at(29, 10), f"layanan hari ini sudah tutup; dilayani kembali {MONDAY_8}"),  # Sunday
        (
            at(25, 17),
            "layanan hari ini sudah tutup; dilayani kembali Kamis, 26 November 2026 pukul 08.00",
        ),  # a Wednesday after closing (16:00)
        (at(25, 7), "layanan belum dibuka; dilayani mulai pukul 08.00"),
        (at(27, 12), "layanan sedang istirahat; dilayani kembali pukul 13.30"),  # Friday break
        (at(25, 15, 45), None),  # after the last issue time the counters still serve
        (at(25, 10), None),
    ],
)
def test_closed_wait_says_closed_and_when_service_resumes(
    tmp_path: Path, moment: datetime.datetime, said: str | None
) -> None:
    h = office(tmp_path).hours
    assert hours.closed_wait(h, WIB, moment) == said
    off = office(tmp_path / "off", "enabled = false\n").hours
    assert hours.closed_wait(off, WIB, moment) is None


def test_an_override_on_a_closed_day_gives_no_minutes(tmp_path: Path) -> None:
    queue, clock = make_queue(office(tmp_path), at(29, 10))  # Sunday
    for _ in range(3):
        queue.issue("A", actor="resepsionis", source="reception", override=True)
    issued = queue.issue("A", actor="resepsionis", source="reception", override=True)
    assert issued.estimated_wait_minutes > 0  # the line is still counted ...
    said = f"layanan hari ini sudah tutup; dilayani kembali {MONDAY_8}"
    assert issued.closed_wait == said  # ... but not turned into minutes from a Sunday
    assert queue.wait_words(issued.estimated_wait_minutes) == said
    clock.set(at(30, 8, 5))  # Monday, open: the minutes again
    assert queue.closed_wait() is None
    assert queue.wait_words(10) == "± 10 menit"


# --- The quota of services added in the catalogue at runtime ----------------------------------


def test_quota_keys_letters_of_any_service_and_a_default(tmp_path: Path) -> None:
    h = office(tmp_path, "quota = { C = 40, Z = 5, default = 100, B = 0 }\n").hours
    assert (h.quota_of("C"), h.quota_of("Z"), h.quota_of("A"), h.quota_of("B")) == (
        40,
        5,
        100,  # the default: every service without its own, a new one too
        None,  # 0: exempt whatever the default
    )
    assert office(tmp_path / "none").hours.quota_of("E") is None


@pytest.mark.parametrize("quota", ["default = 2", "E = 2"])
def test_a_service_added_at_runtime_has_its_quota(tmp_path: Path, quota: str) -> None:
    from ult.catalog import save_service

    queue, _clock = make_queue(office(tmp_path, f"quota = {{ {quota} }}\n"), at(25, 9))
    counter = queue.db.execute("SELECT id FROM counters WHERE kind = 'front_office'").fetchone()[0]
    save_service(
        queue.db,
        letter="E",
        name="Legalisir",
        topics=[],
        active=True,
        actor="supervisor",
        create=True,
        counter_ids=[counter],
    )
    for _ in range(2):
        queue.issue("E", actor="kiosk:tombol1", source="kiosk")
    refusal = queue.issuing_refusal("E")
    assert refusal is not None and refusal.code == "quota_reached"
    assert refusal.message.startswith(
        "Kuota layanan E (Legalisir) hari ini (2 tiket) sudah habis. Tiket hanya dapat"
    )
    with pytest.raises(QueueError) as caught:
        queue.issue("E", actor="kiosk:tombol1", source="kiosk")
    assert caught.value.code == "quota_reached"
    # The reception may still go past it, recorded.
    queue.issue("E", actor="resepsionis", source="reception", override=True)
    assert issued_events(queue)[-1]["override"] == "quota_reached"


# --- Review of issue 14: the quota without hours, last_issue after closing, break texts -------


def test_the_quota_applies_with_the_hours_off(tmp_path: Path) -> None:
    """The quota is a limit of its own: ``enabled = false`` lifts the hours, not the quota."""
    queue, _ = make_queue(office(tmp_path, "enabled = false\nquota = { C = 2 }\n"), at(29, 23))
    for _ in range(2):
        queue.issue("C", actor="cli", source="cli")
    with pytest.raises(QueueError) as caught:
        queue.issue("C", actor="cli", source="cli")
    assert caught.value.code == "quota_reached"
    assert queue.issuing_refusal("C") is not None and queue.issuing_refusal("A") is None
    assert queue.issue("C", actor="rina", source="reception", override=True).ticket.label == "C-003"
    assert issued_events(queue)[-1]["override"] == "quota_reached"


@pytest.mark.parametrize(
    ("text", "day", "closing"),
    [
        ('last_issue = "17:30"', "friday", "16:30"),
        ('friday = "08:00-16:00"\nlast_issue = "16:01"', "monday", "16:00"),
        ('saturday = "08:00-17:00"\nlast_issue = "17:30"', "saturday", "17:00"),
    ],
)
def test_a_last_issue_time_after_closing_is_refused(
    tmp_path: Path, text: str, day: str, closing: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        office(tmp_path, text + "\n")
    assert caught.value.key == "hours.last_issue"
    said = str(caught.value)
    assert "Pengaturan tidak valid" in said
    assert f"{day} pukul {closing}" in said and f"paling lambat {closing}" in said
    # At the latest closing exactly it is accepted, and minutes always are.
    ok = office(tmp_path / "ok", 'last_issue = "16:30"\n').hours
    assert ok.last_issue == datetime.time(16, 30)
    assert office(tmp_path / "min", "last_issue = 90\n").hours.last_issue == 90


@pytest.mark.parametrize(
    ("text", "words", "absent"),
    [
        ('breaks = { friday = "13:30-11:30" }', 'jam istirahat "HH:MM-HH:MM"', "false jika tutup"),
        ('breaks = { friday = "siang" }', "di dalam jam buka hari itu", "false jika tutup"),
        (
            'saturday = false\nbreaks = { saturday = "10:00-11:00" }',
            "saturday tutup, hapus istirahatnya dari breaks",
            "(tutup)",
        ),
        ('friday = "tutup"', "atau false jika tutup", "istirahat"),  # an opening day: right
    ],
)
def test_break_messages_speak_of_breaks(tmp_path: Path, text: str, words: str, absent: str) -> None:
    with pytest.raises(SettingsError) as caught:
        office(tmp_path, text + "\n")
    assert words in str(caught.value)
    assert absent not in str(caught.value)
