"""Finding a case and reading its file (issue 14, :mod:`ult.cases`): what a typed search
means, the matches by number, name and identity number over today and past days, an
erased visit, and one case's events and step records."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.ult.test_guestbook import OTHER_NIK
from tests.ult.test_queue import VALID_NIK
from ult import accounts, cases, privacy
from ult.cases import CaseSearch
from ult.clock import FakeClock
from ult.errors import QueueError
from ult.queue import Queue, Ticket

OFFICER = "rina"


def serve(queue: Queue) -> Ticket:
    """Issue, call and start an A ticket at Loket 1, by :data:`OFFICER`."""
    queue.issue("A", actor="resepsionis")
    ticket = queue.call_next("Loket 1", actor=OFFICER)
    return queue.start(ticket.id, "Loket 1", actor=OFFICER)


def finish(queue: Queue, ticket_id: int) -> None:
    queue.detail(ticket_id, "Loket 1", actor=OFFICER, text="Tunjangan")
    queue.answer(ticket_id, "Loket 1", actor=OFFICER, kind="available", text="Ya")
    queue.explain(ticket_id, "Loket 1", actor=OFFICER, mode="direct")
    queue.finish(ticket_id, "Loket 1", actor=OFFICER)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("A-003", CaseSearch("label", "A003", "A", 3)),
        ("a3", CaseSearch("label", "A3", "A", 3)),
        ("A003", CaseSearch("label", "A003", "A", 3)),
        (" a - 03 ", CaseSearch("label", "A03", "A", 3)),
        ("003A", CaseSearch("label", "003A", "A", 3)),
        ("12", CaseSearch("label", "12", None, 12)),
        ("1271 0112", CaseSearch("document", "12710112")),
        ("1271-0112-0190-0001", CaseSearch("document", VALID_NIK)),
        ("A1234567", CaseSearch("document", "A1234567")),
        ("budi", CaseSearch("name", "budi")),
        ("  Budi   Santoso ", CaseSearch("name", "Budi Santoso")),
        ("Ab", CaseSearch("name", "Ab")),
    ],
)
def test_a_typed_search_means_a_number_an_identity_number_or_a_name(typed, expected) -> None:
    assert cases.parse_search(typed) == expected


def test_an_empty_search_is_none_and_a_bad_one_is_refused() -> None:
    assert cases.parse_search(None) is None
    assert cases.parse_search("   ") is None
    for bad in ("x" * 101, "budi\x00"):
        with pytest.raises(QueueError) as told:
            cases.parse_search(bad)
        assert told.value.kind == "invalid"


def _budi_and_sari(queue: Queue, clock: FakeClock) -> tuple[int, int, int]:
    """Yesterday: A-001 Budi (finished, officer "rina" on record). Today: A-001 unidentified,
    A-002 Sari. Returns the three ticket ids."""
    accounts.add_user(
        queue.db, OFFICER, "Rahasia-Kuat-2026!", "front_office", full_name="Rina Siregar, S.Pd."
    )
    budi = serve(queue)
    queue.identify(budi.id, "Loket 1", actor=OFFICER, name="Budi Santoso", nik=VALID_NIK)
    finish(queue, budi.id)
    clock.advance(days=1)
    anonymous = serve(queue)
    queue.cancel(anonymous.id, actor=OFFICER, reason="salah layanan", counter="Loket 1")
    sari = serve(queue)
    queue.identify(sari.id, "Loket 1", actor=OFFICER, name="Sari Dewi", nik=OTHER_NIK)
    return budi.id, anonymous.id, sari.id


def _ids(rows: list[dict]) -> list[int]:
    return [r["id"] for r in rows]


def test_cases_are_found_by_number_name_and_identity_number_today_and_before(
    queue: Queue, clock: FakeClock
) -> None:
    budi, anonymous, sari = _budi_and_sari(queue, clock)
    today = queue.today()
    yesterday = today - timedelta(days=1)

    def find(typed: str | None, start=today, end=today) -> list[int]:
        return _ids(cases.find_cases(queue.db, start, end, cases.parse_search(typed)))

    assert find(None) == [sari, anonymous]  # newest first, today by default
    assert find(None, yesterday, today) == [sari, anonymous, budi]
    for typed in ("A-001", "a1", "A001", "001a", "1"):
        assert find(typed) == [anonymous], typed
        assert find(typed, yesterday, today) == [anonymous, budi], typed
    assert find("B-001") == [] and find("A-009") == []
    assert find("sari") == [sari] and find("SANTOSO") == []
    assert find("santoso", yesterday, yesterday) == [budi]
    assert find("1271.0112", yesterday, today) == [budi]  # part of the NIK
    assert find(VALID_NIK, yesterday, today) == [budi]  # the whole NIK (its index)
    assert find(OTHER_NIK, yesterday, today) == [sari]
    assert find(VALID_NIK) == []  # Budi's visit was yesterday
    assert find("9999999") == [] and find("nobody") == []
    assert find("%") == [] and find("_") == []  # wildcards are taken literally

    rows = cases.find_cases(queue.db, yesterday, today)
    first = rows[-1]
    assert first["label"] == "A-001" and first["day"] == yesterday.isoformat()
    assert first["state"] == "done" and first["name"] == "Budi Santoso"
    assert first["document_kind"] == "ktp" and first["document_number"] == VALID_NIK
    assert first["officers"] == ["Rina Siregar, S.Pd."]  # the account's full name
    assert rows[1]["has_visit"] is False and rows[1]["name"] is None


def test_an_erased_visit_shows_as_erased_and_matches_no_name_or_number(
    queue: Queue, clock: FakeClock
) -> None:
    budi, _anonymous, _sari = _budi_and_sari(queue, clock)
    privacy.erase_identity(queue.db, VALID_NIK, at=clock(), actor="supervisor")
    start, end = queue.today() - timedelta(days=1), queue.today()
    found = cases.find_cases(queue.db, start, end)
    erased = next(r for r in found if r["id"] == budi)
    assert erased["erased"] is True and erased["has_visit"] is True
    assert erased["name"] is None and erased["document_number"] is None
    for typed in ("Budi", VALID_NIK, "12710112"):
        assert _ids(cases.find_cases(queue.db, start, end, cases.parse_search(typed))) == []
    # Still found by its number: the case and its history stay (only the identity goes).
    assert budi in _ids(cases.find_cases(queue.db, start, end, cases.parse_search("A-1")))
    assert cases.case_file(queue.db, budi)["visit"]["erased_at"] is not None


def test_a_case_file_holds_every_event_and_step_in_order(queue: Queue, clock: FakeClock) -> None:
    budi, _anonymous, _sari = _budi_and_sari(queue, clock)
    found = cases.case_file(queue.db, budi)
    assert found is not None
    assert found["ticket"]["label"] == "A-001" and found["visit"]["name"] == "Budi Santoso"
    kinds = [e["event"].kind for e in found["events"]]
    assert kinds[0] == "issued" and kinds[-1] == "finished"
    assert "called" in kinds and "identified" in kinds and "answered" in kinds
    ids = [e["event"].id for e in found["events"]]
    assert ids == sorted(ids)
    called = next(e for e in found["events"] if e["event"].kind == "called")
    assert called["counter"] == "Loket 1" and called["actor_name"] == "Rina Siregar, S.Pd."
    steps = found["steps"]
    assert steps and steps[0]["waiting"] is True and steps[0]["officer"] is None
    assert [s["began_at"] for s in steps] == sorted(s["began_at"] for s in steps)
    assert {s["step"] for s in steps} >= {7, 8}
    assert all(s["standard_seconds"] > 0 for s in steps)
    assert cases.case_file(queue.db, 99_999) is None
