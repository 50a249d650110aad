"""The case search and the read-only case view (issue 14, ``admin.cases``): who may open
them, masking per role, the audit of unmasked views, bad queries, unknown ids, and that
the case view has nothing to post."""

from __future__ import annotations

import html
import json
from datetime import timedelta

import sqlite_utils

from admin.actions import ACTION_ROLES
from tests.admin.test_pages import MASKED_NIK, PHONE, VALID_NIK, text, to_escalated, to_serving
from ult import accounts, privacy
from ult.clock import FakeClock
from ult.queue import Queue


def _budi_yesterday_and_today(queue: Queue, clock: FakeClock) -> tuple[int, int]:
    """Yesterday: A-001 Budi Santoso, answered and finished at Loket 1. Today: A-001 with no
    identity. Returns both ticket ids."""
    budi = to_serving(queue)
    queue.identify(
        budi, 1, actor="test", name="Budi Santoso", nik=VALID_NIK, phone=PHONE,
        institution="SMAN 1 Medan", address="Jl. Mawar 1",
    )  # fmt: skip
    queue.detail(budi, 1, actor="test", text="Tunjangan profesi belum cair")
    queue.answer(budi, 1, actor="test", kind="available", text="Sudah diproses bulan ini")
    queue.explain(budi, 1, actor="test", mode="direct")
    queue.finish(budi, 1, actor="test")
    clock.advance(days=1)
    return budi, to_serving(queue)


def _viewed(db: sqlite_utils.Database, after: int) -> list[dict]:
    return [
        json.loads(r[0])
        for r in db.execute(
            "SELECT payload FROM events WHERE kind = 'personal_data_viewed' AND id > ?",
            (after,),
        )
    ]


def _last_id(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0])


def test_search_finds_by_number_name_and_nik_masked_per_role(
    as_role, queue: Queue, clock: FakeClock, db: sqlite_utils.Database
) -> None:
    budi, today_id = _budi_yesterday_and_today(queue, clock)
    yesterday = (queue.today() - timedelta(days=1)).isoformat()
    period = f"dari={yesterday}&sampai={queue.today()}"

    for role in ("front_office", "back_office", "unit", "receptionist"):
        client, _ = as_role(role)
        before = _last_id(db)
        page = text(client.get(f"/kasus?cari=budi&{period}"))
        assert f'href="/kasus/{budi}"' in page and "Budi Santoso" in page, role
        assert MASKED_NIK in page and VALID_NIK not in page, role
        assert "disamarkan" in page
        assert "25 November 2026" in page  # the one date format, never ISO in the table
        assert yesterday not in page.split("<table", 1)[1]
        assert _viewed(db, before) == [], role  # nothing unmasked, nothing recorded
        by_nik = text(client.get(f"/kasus?cari={VALID_NIK[:4]}-{VALID_NIK[4:]}&{period}"))
        assert f'href="/kasus/{budi}"' in by_nik and MASKED_NIK in by_nik
        # Part of a number finds nothing for a masked reader: guessing the hidden digits
        # one search at a time would unmask it (the review found that oracle).
        for part in ("1271-0112", VALID_NIK[4:12], VALID_NIK[:-1]):
            assert f'href="/kasus/{budi}"' not in text(
                client.get(f"/kasus?cari={part}&{period}")
            ), (role, part)
        by_label = text(client.get(f"/kasus?cari=a1&{period}"))
        assert f'href="/kasus/{budi}"' in by_label and f'href="/kasus/{today_id}"' in by_label
        only_today = text(client.get("/kasus?cari=A-001"))
        assert f'href="/kasus/{today_id}"' in only_today
        assert f'href="/kasus/{budi}"' not in only_today
        none = text(client.get(f"/kasus?cari=tidak%20ada&{period}"))
        assert "Tidak ada kasus pada periode ini yang cocok" in none

    supervisor, _ = as_role("supervisor")
    before = _last_id(db)
    page = text(supervisor.get(f"/kasus?cari=santoso&{period}"))
    assert VALID_NIK in page and "disamarkan" not in page
    seen = _viewed(db, before)
    assert len(seen) == 1 and seen[0]["what"] == "case_search"  # one entry per page
    assert seen[0]["period"] == [yesterday, queue.today().isoformat()]
    assert VALID_NIK not in json.dumps(seen) and "Budi" not in json.dumps(seen)
    # The supervisor sees the numbers whole, so part of one may find them.
    assert f'href="/kasus/{budi}"' in text(supervisor.get(f"/kasus?cari=1271-0112&{period}"))
    # A page with no identity on it records nothing.
    before = _last_id(db)
    text(supervisor.get("/kasus?cari=tidak-ada"))
    assert _viewed(db, before) == []


def test_case_view_is_read_only_with_history_and_steps(
    as_role, queue: Queue, clock: FakeClock, db: sqlite_utils.Database
) -> None:
    budi, _today_id = _budi_yesterday_and_today(queue, clock)
    for role in ACTION_ROLES["cases"]:
        client, _ = as_role(role)
        before = _last_id(db)
        response = client.get(f"/kasus/{budi}")
        assert response.status_code == 200, role
        page = text(response)
        assert "Kasus A-001" in page and "25 November 2026" in page
        assert "Budi Santoso" in page and "Tunjangan profesi belum cair" in page
        assert "Sudah diproses bulan ini" in page
        assert "dipanggil" in page and "dicatat identitasnya" in page and "diselesaikan" in page
        assert "Loket 1" in page and "Verifikasi identitas" in page
        assert "Tunggu antrian (langkah 4–5)" in page
        assert "2026-11-25" not in page.split("</h1>", 1)[1]  # no ISO date people read
        body = page.split('class="supervisor pages case-file"', 1)[1]
        assert "<form" not in body.lower()  # read-only for every role (no form at all)
        if role in ACTION_ROLES["guestbook_personal"]:
            assert VALID_NIK in page and PHONE in page and "Jl. Mawar 1" in page
            seen = _viewed(db, before)
            assert len(seen) == 1 and seen[0] == {"what": "case_view", "ticket_id": budi}
        else:
            assert MASKED_NIK in page and VALID_NIK not in page and PHONE not in page, role
            assert "Jl. Mawar 1" not in page and _viewed(db, before) == [], role


def test_an_erased_identity_shows_as_erased(
    as_role, queue: Queue, clock: FakeClock, db: sqlite_utils.Database
) -> None:
    budi, _today_id = _budi_yesterday_and_today(queue, clock)
    privacy.erase_identity(db, VALID_NIK, at=clock(), actor="supervisor")
    supervisor, _ = as_role("supervisor")
    yesterday = (queue.today() - timedelta(days=1)).isoformat()
    listed = text(supervisor.get(f"/kasus?cari=A-001&dari={yesterday}"))
    assert "(dihapus)" in listed and "Budi" not in listed
    before = _last_id(db)
    page = text(supervisor.get(f"/kasus/{budi}"))
    assert "(dihapus)" in page and "Budi" not in page and VALID_NIK not in page
    assert "Tunjangan profesi belum cair" in page  # the case itself stays
    assert _viewed(db, before) == []  # nothing personal was shown


def test_bad_queries_are_refused_in_indonesian_and_unknown_cases_are_404(
    as_role, queue: Queue
) -> None:
    client, _ = as_role("front_office")
    today = queue.today()
    refused = {
        "?dari=kemarin": "Tanggal 'kemarin' tidak valid",
        f"?dari={today}&sampai={today - timedelta(days=1)}": "sesudah tanggal akhir",
        f"?dari={today - timedelta(days=800)}&sampai={today}": "Rentang paling panjang",
        "?cari=" + "x" * 101: "paling banyak 100 karakter",
    }
    for query, message in refused.items():
        response = client.get(f"/kasus{query}")
        assert response.status_code == 422, query
        assert message in html.unescape(text(response)), query
    missing = client.get("/kasus/999")
    assert missing.status_code == 404
    assert "tidak ditemukan" in text(missing).lower()
    assert client.get("/kasus/abc").status_code == 404


def test_only_staff_who_work_the_queue_and_the_head_of_office_may_search(as_role, app) -> None:
    assert set(ACTION_ROLES["cases"]) == {
        "receptionist", "front_office", "back_office", "unit", "supervisor", "kepala",
    }  # fmt: skip
    assert set(accounts.ROLES) - set(ACTION_ROLES["cases"]), "some role must be refused"
    for role in set(accounts.ROLES) - set(ACTION_ROLES["cases"]):
        client, _ = as_role(role)
        assert client.get("/kasus").status_code == 403, role
        assert client.get("/kasus/1").status_code == 403, role
        assert 'href="/kasus"' not in text(client.get("/"))
    anonymous = app.test_client()
    assert "/login" in anonymous.get("/kasus").headers["Location"]
    client, _ = as_role("receptionist")
    assert ">Cari kasus</a>" in text(client.get("/kasus"))


def test_the_back_office_case_links_to_its_whole_history(as_role, queue: Queue) -> None:
    ticket_id = to_escalated(queue)
    client, _ = as_role("back_office")
    page = text(client.get(f"/back-office/cases/{ticket_id}"))
    assert f'href="/kasus/{ticket_id}"' in page
    assert "Perlu cek data SIMTUN" in text(client.get(f"/kasus/{ticket_id}"))


def test_the_case_view_names_the_priority_category_in_indonesian(as_role, queue: Queue) -> None:
    ticket = queue.issue(
        "A", actor="test", source="reception", priority=True, priority_category="elderly"
    ).ticket
    client, _ = as_role("receptionist")
    page = text(client.get(f"/kasus/{ticket.id}"))
    assert "PRIORITAS" in page and "(lansia)" in page
    assert "elderly" not in page  # the code is the database's, not the reader's
