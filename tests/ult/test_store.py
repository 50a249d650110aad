"""The store: pragmas, transactions, and the migration from the first schema version."""

from __future__ import annotations

import sqlite3

import pytest

from tests.ult.checks import integrity_ok
from ult.catalog import apply_catalog
from ult.migrations import LATEST
from ult.queue import Queue
from ult.store import (
    FollowedFile,
    NotInitialised,
    SchemaTooNew,
    StoreMissing,
    StoreOpenFailed,
    StoreUnavailable,
    connect,
    immediate,
    migrate,
    schema_version,
)


def test_every_connection_is_durable_and_checked(tmp_path) -> None:
    db = connect(tmp_path / "ult.db")
    pragma = {
        name: db.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
    }
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 10000,
    }


def test_schema_has_the_tables_and_no_plaintext_secrets(tmp_path) -> None:
    db = connect(tmp_path / "ult.db")
    assert schema_version(db) == LATEST
    for table in ("services", "counters", "tickets", "visits", "events", "users", "api_tokens"):
        assert db[table].exists()
    assert "password_hash" in db["users"].columns_dict
    assert "password" not in db["users"].columns_dict
    assert set(db["api_tokens"].columns_dict) >= {"token_hash"}
    assert "token" not in db["api_tokens"].columns_dict


def test_immediate_rolls_back_everything_on_error(tmp_path) -> None:
    db = connect(tmp_path / "ult.db")
    with pytest.raises(RuntimeError), immediate(db):
        db.execute("INSERT INTO meta VALUES ('a', '1')")
        raise RuntimeError("boom")
    assert db.execute("SELECT COUNT(*) FROM meta").fetchone()[0] == 0
    assert not db.conn.in_transaction


def test_store_enforces_one_open_ticket_per_counter(queue: Queue) -> None:
    queue.issue("A", actor="r")
    queue.issue("A", actor="r")
    queue.call_next("Loket 1", actor="fo")
    with pytest.raises(sqlite3.IntegrityError):
        queue.db.execute("UPDATE tickets SET counter_id = 1 WHERE counter_id IS NULL")


def test_event_log_is_append_only(queue: Queue) -> None:
    queue.issue("A", actor="r")
    for statement in ("UPDATE events SET actor = 'someone else'", "DELETE FROM events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            queue.db.execute(statement)
    assert queue.db.execute("SELECT COUNT(*) FROM events WHERE actor = 'r'").fetchone()[0] == 1


def test_store_refuses_duplicate_numbers(queue: Queue) -> None:
    queue.issue("A", actor="r")
    with pytest.raises(sqlite3.IntegrityError):
        queue.db.execute(
            "INSERT INTO tickets (issued_service, day, number, label, service, source, state, "
            "queue_seq, issued_at, token) SELECT issued_service, day, number, label, service, "
            "source, state, 99, issued_at, 'other' FROM tickets"
        )


def test_upgrade_a_database_made_by_the_first_schema(tmp_path, settings, clock) -> None:
    path = tmp_path / "old.db"
    old = connect(path, migrate_schema=False)
    assert migrate(old, target=1) == 1
    assert "idempotency_key" not in old["tickets"].columns_dict
    apply_catalog(old, settings)
    # A day's work recorded by the first version (its own columns only).
    old["tickets"].insert(
        {
            "issued_service": "A",
            "day": "2026-11-25",
            "number": 1,
            "label": "A-001",
            "service": "A",
            "priority": 0,
            "source": "kiosk",
            "state": "waiting",
            "queue_seq": 1,
            "issued_at": "2026-11-25T01:59:00.000000Z",
            "token": "tok1",
        }
    )
    old["events"].insert(
        {
            "at": "2026-11-25T01:59:00.000000Z",
            "kind": "issued",
            "ticket_id": 1,
            "sop_step": 3,
            "actor": "kiosk",
            "payload": "{}",
        }
    )
    old["meta"].insert({"key": "day", "value": "2026-11-25"})
    old.close()

    upgraded = connect(path)  # upgrades in place on open
    assert schema_version(upgraded) == LATEST
    assert integrity_ok(upgraded)
    assert "idempotency_key" in upgraded["tickets"].columns_dict
    queue = Queue(upgraded, settings, clock=clock)
    assert queue.ticket("A-001").state == "waiting"
    issued = queue.issue("A", actor="r", idempotency_key="k1")
    assert issued.ticket.label == "A-002"  # numbering continues, nothing repeated
    assert queue.issue("A", actor="r", idempotency_key="k1").replayed
    assert queue.call_next("Loket 1", actor="fo").label == "A-001"


def test_newer_database_is_refused(tmp_path) -> None:
    db = connect(tmp_path / "ult.db")
    db.execute(f"PRAGMA user_version = {LATEST + 5}")
    db.close()
    with pytest.raises(RuntimeError, match="newer"):
        connect(tmp_path / "ult.db").execute("SELECT 1")


def test_migrating_twice_is_harmless(tmp_path) -> None:
    db = connect(tmp_path / "ult.db")
    tables = db.table_names()
    db["meta"].insert({"key": "kept", "value": "yes"})
    assert migrate(db) == LATEST
    again = connect(tmp_path / "ult.db")
    assert again.table_names() == tables
    assert again["meta"].get("kept")["value"] == "yes"


def test_every_way_a_database_is_unavailable_is_one_family(tmp_path) -> None:
    missing = tmp_path / "missing.db"
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database file" * 100)
    newer = tmp_path / "newer.db"
    connect(newer).execute(f"PRAGMA user_version = {LATEST + 1}")
    expected = {
        missing: StoreMissing,
        empty: NotInitialised,
        garbage: StoreOpenFailed,
        newer: SchemaTooNew,
    }
    for path, kind in expected.items():
        with pytest.raises(StoreUnavailable) as caught:
            connect(path, create=False, migrate_schema=path == newer)
        assert type(caught.value) is kind, path
    # The built-in kinds older callers caught still match.
    with pytest.raises(FileNotFoundError):
        connect(missing, create=False)
    with pytest.raises(OSError) as caught:
        connect(garbage, create=False)
    assert isinstance(caught.value.__cause__, sqlite3.DatabaseError)
    assert caught.value.error is caught.value.__cause__


def test_a_follower_notices_a_replaced_file_and_a_log_gone_back(tmp_path, settings, clock) -> None:
    path = tmp_path / "ult.db"
    writer = connect(path)
    apply_catalog(writer, settings)
    Queue(writer, settings, clock=clock).issue("A", actor="r")
    followed = FollowedFile(path)
    assert followed.replaced()  # nothing opened yet
    reader = followed.open()
    assert not followed.replaced()
    seen = reader.execute("SELECT MAX(id) FROM events").fetchone()[0]
    assert seen and not followed.went_back(reader, seen)
    writer.close()
    reader.close()
    # A restore puts another file at the path: an older, shorter log.
    restored = tmp_path / "restored.db"
    connect(restored).close()
    restored.replace(path)
    assert followed.replaced()
    fresh = followed.open()
    assert not followed.replaced()
    assert followed.went_back(fresh, seen)
    path.unlink()
    assert followed.replaced()
