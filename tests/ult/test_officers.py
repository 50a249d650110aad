"""Officers on record (issue 11, section 3): full name, NIP and position; the head of
office's role; common passwords refused; the migration that adds them."""

from __future__ import annotations

import json

import pytest

from ult import accounts
from ult.errors import QueueError
from ult.migrations import LATEST
from ult.store import connect, migrate

NIP = "198203152006041002"
"""A well-formed NIP: born 1982-03-15, appointed April 2006, male, serial 002."""


def test_an_account_carries_the_officers_name_nip_and_position(db) -> None:
    user = accounts.add_user(
        db,
        "siti",
        "kata-sandi-kuat",
        "front_office",
        full_name="  Siti   Aminah, S.Pd. ",
        nip="19820315 200604 1 002",
        position="Pengelola Layanan Operasional",
    )
    assert (user.full_name, user.nip, user.position) == (
        "Siti Aminah, S.Pd.",
        NIP,
        "Pengelola Layanan Operasional",
    )
    accounts.add_user(db, "budi", "kata-sandi-kuat", "back_office")
    assert accounts.officer_names(db) == {"siti": "Siti Aminah, S.Pd.", "budi": "budi"}
    cleared = accounts.set_profile(db, "siti", full_name="", nip="", position=None)
    assert (cleared.full_name, cleared.nip, cleared.position) == (None, None, None)
    assert accounts.officer_names(db)["siti"] == "siti"


@pytest.mark.parametrize(
    "nip",
    [
        "19820315200604100",  # 17 digits
        "1982031520060410021",  # 19 digits
        "19820315200604100a",
        "19821315200604100" + "2",  # month 13 of birth
        "19820230200604100" + "2",  # 30 February
        "198203152006131002",  # appointment month 13
        "198203151980041002",  # appointed before born
        "198203152006043002",  # sex digit 3
        "198203152006041000",  # serial 000
        "１９８２０３１５２００６０４１００２",  # full-width digits
    ],
)
def test_an_impossible_nip_is_refused_and_changes_nothing(db, nip) -> None:
    accounts.add_user(db, "siti", "kata-sandi-kuat", "front_office", nip=NIP)
    with pytest.raises(QueueError) as caught:
        accounts.set_profile(db, "siti", full_name="Siti", nip=nip, position=None)
    assert caught.value.code == "nip_invalid" and caught.value.kind == "invalid"
    assert "18 angka" in caught.value.message
    assert accounts.get_user(db, "siti").nip == NIP
    with pytest.raises(QueueError):
        accounts.add_user(db, "budi", "kata-sandi-kuat", "front_office", nip=nip)
    assert [u.username for u in accounts.list_users(db)] == ["siti"]


def test_name_and_position_are_one_line_of_at_most_100_characters(db) -> None:
    accounts.add_user(db, "siti", "kata-sandi-kuat", "front_office")
    for full_name, position, code in (
        ("x" * 101, None, "full_name_invalid"),
        ("Siti\x00", None, "full_name_invalid"),
        ("Siti", "y" * 101, "position_invalid"),
    ):
        with pytest.raises(QueueError) as caught:
            accounts.set_profile(db, "siti", full_name=full_name, nip=None, position=position)
        assert caught.value.code == code
    assert accounts.get_user(db, "siti").full_name is None


def test_the_head_of_office_is_a_role() -> None:
    assert "kepala" in accounts.ROLES


@pytest.mark.parametrize(
    ("password", "warning"),
    [
        ("password", "10 kata sandi paling umum"),
        ("P@ssw0rd", "mirip kata sandi yang umum"),
        ("qwertyuiop", "100 kata sandi paling umum"),
        ("indonesia", "satu kata saja"),
        ("sayangku", "sangat umum"),
        ("12345678", "10 kata sandi paling umum"),
        ("aaaaaaaaaa", "pengulangan"),
    ],
)
@pytest.mark.parametrize("role", accounts.ROLES)
def test_common_passwords_are_refused_for_every_role(db, password, warning, role) -> None:
    with pytest.raises(QueueError) as caught:
        accounts.add_user(db, "siti", password, role)
    assert caught.value.code == "password_weak" and caught.value.kind == "invalid"
    assert warning in caught.value.message and "mudah ditebak" in caught.value.message
    assert accounts.list_users(db) == []


def test_a_password_made_of_the_officers_own_name_is_refused(db) -> None:
    accounts.add_user(db, "sitiaminah", "kata-sandi-kuat", "supervisor", full_name="Siti Aminah")
    for weak in ("sitiaminah", "sitiaminah1", "password"):
        with pytest.raises(QueueError) as caught:
            accounts.set_password(db, "sitiaminah", weak)
        assert caught.value.code == "password_weak"
    assert accounts.verify_password(db, "sitiaminah", "kata-sandi-kuat") is not None
    accounts.set_password(db, "sitiaminah", "loket-biru-tujuh")
    assert accounts.verify_password(db, "sitiaminah", "loket-biru-tujuh") is not None


def test_the_migration_keeps_accounts_and_adds_officer_data(tmp_path) -> None:
    path = tmp_path / "ult.db"
    old = connect(path, migrate_schema=False)
    migrate(old, target=LATEST - 1)
    old.execute(
        "INSERT INTO users (username, password_hash, role, created_at) "
        "VALUES ('siti', 'scrypt:x', 'supervisor', '2026-01-05T01:00:00.000000Z')"
    )
    old.conn.commit()
    old.close()
    db = connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST
    user = accounts.get_user(db, "siti")
    assert (user.role, user.full_name, user.nip, user.position) == ("supervisor", None, None, None)
    assert {"full_name", "nip", "position"} <= set(db["users"].columns_dict)
    assert set(db["user_units"].columns_dict) == {"username", "main_unit_id"}
    assert "incomplete_reason" in db["tickets"].columns_dict


# ------------------------------------------------------------------------------ step 16


def _explained(queue, *, identify: bool, detail: bool) -> int:
    ticket = queue.issue("B", actor="kiosk").ticket
    queue.call_specific(1, ticket.id, actor="fo")
    queue.start(ticket.id, 1, actor="fo")
    if identify:
        queue.identify(ticket.id, 1, actor="fo", name="Budi Santoso", nik="1271011201900001")
    if detail:
        queue.detail(ticket.id, 1, actor="fo", text="Pengaduan layanan")
    queue.answer(ticket.id, 1, actor="fo", kind="available", text="Dijawab")
    queue.explain(ticket.id, 1, actor="fo", mode="direct")
    return ticket.id


def _finished_payload(queue, ticket_id: int) -> dict:
    row = queue.db.execute(
        "SELECT payload FROM events WHERE ticket_id = ? AND kind = 'finished'", (ticket_id,)
    ).fetchone()
    return json.loads(row[0])


@pytest.mark.parametrize(
    ("identify", "detail", "missing"),
    [
        (False, False, "identitas pengunjung (langkah 7) dan rincian permohonan (langkah 8)"),
        (True, False, "rincian permohonan (langkah 8)"),
        (False, True, "identitas pengunjung (langkah 7)"),
    ],
)
def test_an_incomplete_case_is_finished_only_with_a_recorded_reason(
    queue, identify, detail, missing
) -> None:
    ticket_id = _explained(queue, identify=identify, detail=detail)
    with pytest.raises(QueueError) as caught:
        queue.finish(ticket_id, 1, actor="fo")
    assert caught.value.code == "case_incomplete" and caught.value.kind == "conflict"
    assert f"{missing} belum dicatat" in caught.value.message
    with pytest.raises(QueueError) as caught:
        queue.finish(ticket_id, 1, actor="fo", incomplete_reason="lupa")
    assert caught.value.code == "choice_invalid"
    assert "visitor_declined (pengunjung menolak)" in caught.value.message
    assert queue.ticket(ticket_id).state == "explained"
    done = queue.finish(ticket_id, 1, actor="fo", incomplete_reason="anonymous_complaint")
    assert (done.state, done.incomplete_reason) == ("done", "anonymous_complaint")
    assert _finished_payload(queue, ticket_id)["incomplete_reason"] == "anonymous_complaint"


def test_a_complete_case_needs_no_reason_and_takes_none(queue) -> None:
    ticket_id = _explained(queue, identify=True, detail=True)
    assert queue.missing_record(queue.ticket(ticket_id)) == []
    with pytest.raises(QueueError) as caught:
        queue.finish(ticket_id, 1, actor="fo", incomplete_reason="visitor_declined")
    assert caught.value.code == "incomplete_reason_unneeded"
    done = queue.finish(ticket_id, 1, actor="fo")
    assert done.state == "done" and done.incomplete_reason is None
    assert "incomplete_reason" not in _finished_payload(queue, ticket_id)


def test_identity_registered_at_reception_counts_for_step_7(queue) -> None:
    ticket = queue.issue("A", actor="r").ticket
    queue.register_visitor(ticket.id, actor="r", name="Siti", nik="1271011201900001")
    queue.call_specific(1, ticket.id, actor="fo")
    queue.start(ticket.id, 1, actor="fo")
    queue.detail(ticket.id, 1, actor="fo", text="Dapodik")
    queue.answer(ticket.id, 1, actor="fo", kind="available", text="Dijawab")
    queue.explain(ticket.id, 1, actor="fo", mode="direct")
    assert queue.finish(ticket.id, 1, actor="fo").state == "done"
