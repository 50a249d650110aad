"""The event log's hash chain (issue 13, part 4): written with each event, checked by
``ult verify``, anchored by the report book; tampering done for real, with ``sqlite3`` on
the database file after dropping the log's own triggers, as someone with file access could."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, date, datetime, time
from itertools import pairwise
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner, Result

from tests.conftest import hours_off_after_init
from ult import chain, eventlog, migrations
from ult.backup import list_backups
from ult.cli import main
from ult.clock import FakeClock
from ult.kinds import EventKind
from ult.queue import Queue
from ult.store import connect, migrate, schema_version
from ult.transaction import immediate

GENESIS = bytes(32)


def issue_some(queue: Queue, clock: FakeClock, count: int = 6) -> int:
    """``count`` tickets issued a minute apart; returns the newest event id."""
    for n in range(count):
        queue.issue("AB"[n % 2], actor="kiosk")
        clock.advance(minutes=1)
    return int(queue.db.execute("SELECT max(id) FROM events").fetchone()[0])


def tamper(path: Path, *statements: str, parameters: tuple = ()) -> None:
    """Run ``statements`` on the file as an outsider would: the log's triggers dropped."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("DROP TRIGGER IF EXISTS events_no_update")
        conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
        for statement in statements:
            conn.execute(statement, parameters if "?" in statement else ())
        conn.commit()
    finally:
        conn.close()


def row(db: sqlite_utils.Database, event_id: int) -> dict:
    return next(db.query("SELECT * FROM events WHERE id = ?", (event_id,)))


def path_of(queue: Queue) -> Path:
    return queue.settings.store.database


# ------------------------------------------------------------------------ writing


def test_an_event_is_sealed_with_its_content_and_the_previous_hash(
    db: sqlite_utils.Database,
) -> None:
    at = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    with immediate(db):
        first = eventlog.append(
            db, at=at, kind=EventKind.CATALOG_CHANGED, actor="tester", payload={"a": "é"}
        )
        second = eventlog.append(
            db, at=at, kind=EventKind.CATALOG_CHANGED, actor="tester", payload={}, counter_id=2
        )
    assert (first, second) == (1, 2)  # the fresh database has no event yet
    # Worked by hand from the documented canonical form: a JSON array, no spaces, the
    # payload as its stored text (json.dumps' own ", " and ": " inside), é as itself.
    content = '[1,"2026-11-25T02:00:00.000000Z","catalog_changed",null,null,null,"tester",'
    content += '"{\\"a\\": \\"é\\"}"]'
    expected_first = hashlib.sha256(GENESIS + content.encode("utf-8")).digest()
    assert row(db, 1)["prev_hash"] == GENESIS and row(db, 1)["hash"] == expected_first
    content = '[2,"2026-11-25T02:00:00.000000Z","catalog_changed",null,2,null,"tester","{}"]'
    expected_second = hashlib.sha256(expected_first + content.encode("utf-8")).digest()
    assert row(db, 2)["prev_hash"] == expected_first and row(db, 2)["hash"] == expected_second


def test_the_queue_chains_every_event_it_writes(queue: Queue, clock: FakeClock) -> None:
    last = issue_some(queue, clock)
    rows = list(queue.db.query("SELECT id, prev_hash, hash FROM events ORDER BY id"))
    assert [r["id"] for r in rows] == list(range(1, last + 1))
    assert rows[0]["prev_hash"] == GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in pairwise(rows))
    assert len({r["hash"] for r in rows}) == len(rows)
    verdict = chain.verify(queue.db)
    assert (verdict.events, verdict.last_id, verdict.fault) == (last, last, None)
    assert verdict.last_hash == rows[-1]["hash"].hex()


def test_append_outside_a_write_transaction_is_refused(db: sqlite_utils.Database) -> None:
    with pytest.raises(RuntimeError, match="write transaction"):
        eventlog.append(
            db, at=datetime.now(UTC), kind=EventKind.CATALOG_CHANGED, actor="t", payload={}
        )
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_the_log_still_refuses_changes_through_its_triggers(queue: Queue, clock) -> None:
    issue_some(queue, clock, 2)
    for statement in ("UPDATE events SET hash = 'x'", "DELETE FROM events WHERE id = 1"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            queue.db.execute(statement)


def test_an_id_is_never_given_twice_even_after_the_last_event_was_cut(
    queue: Queue, clock: FakeClock
) -> None:
    last = issue_some(queue, clock, 3)
    tamper(path_of(queue), f"DELETE FROM events WHERE id = {last}")
    queue.issue("A", actor="kiosk")
    newest = queue.db.execute("SELECT max(id) FROM events").fetchone()[0]
    assert newest == last + 1  # not last again: sqlite_sequence remembers
    fault = chain.verify(queue.db).fault
    assert fault == chain.Fault(last, "removed", "gap", until=last)


# ------------------------------------------------------------------------ tampering


def test_an_edited_payload_is_named(queue: Queue, clock: FakeClock) -> None:
    issue_some(queue, clock)
    tamper(
        path_of(queue),
        "UPDATE events SET payload = replace(payload, 'A-002', 'A-009') WHERE id = 4",
    )
    assert "A-009" in row(queue.db, 4)["payload"]
    assert chain.verify(queue.db).fault == chain.Fault(4, "altered", "content")


def test_an_edited_actor_or_time_is_named(queue: Queue, clock: FakeClock) -> None:
    issue_some(queue, clock)
    tamper(path_of(queue), "UPDATE events SET actor = 'orang lain' WHERE id = 3")
    assert chain.verify(queue.db).fault == chain.Fault(3, "altered", "content")
    tamper(path_of(queue), "UPDATE events SET at = '2026-11-25T01:30:00.000000Z' WHERE id = 2")
    assert chain.verify(queue.db).fault == chain.Fault(2, "altered", "content")


def test_a_deleted_event_in_the_middle_is_named(queue: Queue, clock: FakeClock) -> None:
    issue_some(queue, clock)
    tamper(path_of(queue), "DELETE FROM events WHERE id IN (3, 4)")
    verdict = chain.verify(queue.db)
    assert verdict.fault == chain.Fault(3, "removed", "gap", until=4)


def test_the_first_event_deleted_is_named(queue: Queue, clock: FakeClock) -> None:
    issue_some(queue, clock)
    tamper(path_of(queue), "DELETE FROM events WHERE id = 1")
    assert chain.verify(queue.db).fault == chain.Fault(1, "removed", "head_cut", until=1)


def test_the_last_events_cut_off_are_named(queue: Queue, clock: FakeClock) -> None:
    last = issue_some(queue, clock)
    tamper(path_of(queue), f"DELETE FROM events WHERE id >= {last - 1}")
    verdict = chain.verify(queue.db)
    assert verdict.last_id == last - 2
    assert verdict.fault == chain.Fault(last - 1, "removed", "tail_cut", until=last)


def test_two_events_swapped_are_named_reordered(queue: Queue, clock: FakeClock) -> None:
    issue_some(queue, clock)
    columns = "at, kind, ticket_id, counter_id, sop_step, actor, payload, prev_hash, hash"
    tamper(
        path_of(queue),
        "CREATE TEMP TABLE keep AS SELECT * FROM events WHERE id IN (3, 5)",
        f"UPDATE events SET ({columns}) = (SELECT {columns} FROM keep WHERE keep.id = 5) "
        "WHERE id = 3",
        f"UPDATE events SET ({columns}) = (SELECT {columns} FROM keep WHERE keep.id = 3) "
        "WHERE id = 5",
    )
    assert row(queue.db, 3)["kind"] == row(queue.db, 5)["kind"] == "issued"
    assert chain.verify(queue.db).fault == chain.Fault(3, "reordered", "moved")


def test_contents_swapped_under_their_hashes_are_named_altered(
    queue: Queue, clock: FakeClock
) -> None:
    issue_some(queue, clock)
    columns = "at, ticket_id, payload"
    tamper(
        path_of(queue),
        "CREATE TEMP TABLE keep AS SELECT * FROM events WHERE id IN (2, 3)",
        f"UPDATE events SET ({columns}) = (SELECT {columns} FROM keep WHERE keep.id = 3) "
        "WHERE id = 2",
        f"UPDATE events SET ({columns}) = (SELECT {columns} FROM keep WHERE keep.id = 2) "
        "WHERE id = 3",
    )
    assert chain.verify(queue.db).fault == chain.Fault(2, "altered", "content")


def test_a_hash_recomputed_to_hide_an_edit_breaks_at_the_next_event(
    queue: Queue, clock: FakeClock
) -> None:
    issue_some(queue, clock)
    edited = dict(row(queue.db, 4))
    edited["actor"] = "orang lain"
    forged = chain.digest(edited["prev_hash"], tuple(edited[c] for c in chain.CONTENT_COLUMNS))
    tamper(
        path_of(queue),
        "UPDATE events SET actor = 'orang lain', hash = ? WHERE id = 4",
        parameters=(forged,),
    )
    # Event 4 now matches its own hash; event 5 still carries the hash 4 had.
    fault = chain.verify(queue.db).fault
    assert fault == chain.Fault(4, "altered", "rewritten", witness=5)


def test_an_erased_hash_is_named(queue: Queue, clock: FakeClock) -> None:
    issue_some(queue, clock)
    tamper(path_of(queue), "UPDATE events SET hash = NULL WHERE id = 2")
    assert chain.verify(queue.db).fault == chain.Fault(2, "altered", "no_hash")
    # The hash as hexadecimal text, not the 32 bytes the appliance stores, is no hash either.
    tamper(path_of(queue), "UPDATE events SET hash = hex(prev_hash) WHERE id = 1")
    assert chain.verify(queue.db).fault == chain.Fault(1, "altered", "no_hash")


def test_the_whole_log_rewritten_is_caught_only_by_an_anchor(
    queue: Queue, clock: FakeClock
) -> None:
    issue_some(queue, clock)
    anchor = row(queue.db, 3)["hash"].hex()
    tamper(path_of(queue), "UPDATE events SET actor = 'orang lain' WHERE id = 2")
    with immediate(queue.db):  # the triggers are gone since the edit
        chain.chain_all(queue.db)  # what a careful forger would do: every hash anew
    assert chain.verify(queue.db).fault is None  # the file alone cannot tell
    verdict = chain.verify(queue.db, anchor)
    assert verdict.anchor_id is None and not verdict.anchor_holds()


# ------------------------------------------------------------------------ anchors


def test_an_anchor_is_found_and_holds_up_to_itself(queue: Queue, clock: FakeClock) -> None:
    issue_some(queue, clock)
    anchor = row(queue.db, 3)["hash"].hex()
    verdict = chain.verify(queue.db, anchor)
    assert verdict.anchor_id == 3 and verdict.anchor_holds() and verdict.holds
    # An edit after the anchor: the anchored part still holds, the chain does not.
    tamper(path_of(queue), "UPDATE events SET actor = 'x' WHERE id = 5")
    verdict = chain.verify(queue.db, anchor)
    assert verdict.anchor_holds() and verdict.fault == chain.Fault(5, "altered", "content")
    # An edit before it: the anchor is still in the file, but what leads to it changed.
    tamper(path_of(queue), "UPDATE events SET actor = 'x' WHERE id = 2")
    verdict = chain.verify(queue.db, anchor)
    assert verdict.anchor_id == 3 and not verdict.anchor_holds()


def test_anchors_are_64_hexadecimal_characters() -> None:
    assert chain.parse_anchor(" " + "AB" * 32 + "\n") == "ab" * 32
    for bad in ("", "ab" * 31, "ab" * 33, "g" * 64, "ab" * 31 + "a b"):
        with pytest.raises(ValueError):
            chain.parse_anchor(bad)


def test_a_days_anchor_is_its_last_event_before_the_day_ends(
    queue: Queue, clock: FakeClock
) -> None:
    issue_some(queue, clock, 3)  # 25 November, from 09:00 in Jakarta
    clock.now = datetime(2026, 11, 25, 16, 59, 59, tzinfo=UTC)  # 23:59:59 in Jakarta
    late = eventlog_note(queue)
    clock.advance(seconds=1)  # midnight in Jakarta: the 26th
    issue_some(queue, clock, 2)
    tz, reset = queue.settings.office.tz, queue.settings.queue.day_reset
    assert chain.day_end(date(2026, 11, 25), tz, reset) == "2026-11-25T17:00:00.000000Z"
    anchor = chain.day_anchor(queue.db, date(2026, 11, 25), tz, reset)
    assert anchor == (late, row(queue.db, late)["hash"].hex())
    assert chain.day_anchor(queue.db, date(2026, 11, 24), tz, reset) is None
    newest = int(queue.db.execute("SELECT max(id) FROM events").fetchone()[0])
    assert chain.day_anchor(queue.db, date(2026, 11, 26), tz, reset)[0] == newest
    # A day that turns at 06:00: 05:00 on the 26th still belongs to the 25th.
    assert chain.day_end(date(2026, 11, 25), tz, time(6, 0)) == "2026-11-25T23:00:00.000000Z"


def eventlog_note(queue: Queue) -> int:
    """One event at the queue clock's time, written as the domain writes one."""
    with immediate(queue.db):
        return eventlog.append(
            queue.db, at=queue.clock(), kind=EventKind.CATALOG_CHANGED, actor="t", payload={}
        )


# ------------------------------------------------------------------------ migration


def old_database(path: Path) -> sqlite_utils.Database:
    """A database at the schema before the chain, with events as main's queue wrote them
    (the ids by AUTOINCREMENT, one with a personal-free unicode payload)."""
    db = connect(path, migrate_schema=False)
    migrate(db, target=migrations.CHAIN_VERSION - 1)
    db.execute("INSERT INTO services (letter, name) VALUES ('A', 'Informasi')")
    db.execute("INSERT INTO counters (name, kind) VALUES ('Loket 1', 'front_office')")
    for minute, (kind, actor, payload) in enumerate(
        [
            ("day_started", "system", '{"day": "2026-11-24"}'),
            ("catalog_changed", "siti", '{"changes": ["Loket 1 → Loket Satu"]}'),
            ("paused", "rudi", "{}"),
        ]
    ):
        db.execute(
            "INSERT INTO events (at, kind, counter_id, actor, payload) VALUES (?, ?, ?, ?, ?)",
            (f"2026-11-24T02:0{minute}:00.000000Z", kind, 1 if minute else None, actor, payload),
        )
    return db


def test_the_migration_chains_the_events_already_kept(tmp_path: Path) -> None:
    db = old_database(tmp_path / "ult.db")
    before = list(db.query("SELECT * FROM events ORDER BY id"))
    migrate(db)
    assert schema_version(db) == migrations.LATEST
    after = list(db.query("SELECT * FROM events ORDER BY id"))
    # Every event kept as it was, now with its hashes, chained from the genesis value.
    assert [{k: v for k, v in r.items() if "hash" not in k} for r in after] == before
    prev = GENESIS
    for event in after:
        content = tuple(event[c] for c in chain.CONTENT_COLUMNS)
        assert event["prev_hash"] == prev and event["hash"] == chain.digest(prev, content)
        prev = event["hash"]
    assert chain.verify(db).fault is None
    # The log is append-only again, and the next event continues the chain.
    assert {"events_no_update", "events_no_delete"} <= set(db.triggers_dict)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE events SET actor = 'x'")
    with immediate(db):
        new = eventlog.append(
            db, at=datetime.now(UTC), kind=EventKind.CATALOG_CHANGED, actor="t", payload={}
        )
    assert new == 4 and row(db, 4)["prev_hash"] == prev
    assert chain.verify(db) == chain.Verdict(4, 4, row(db, 4)["hash"].hex(), None, None)


# ------------------------------------------------------------------------ ult verify


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("ULT_HOME", str(home))
    monkeypatch.delenv("ULT_CONFIG", raising=False)
    return home


def ult(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    hours_off_after_init(args)
    return result


def ready(home: Path, tickets: int = 4) -> Path:
    """An initialised home with ``tickets`` issued (events 1..tickets+1)."""
    assert ult("init").exit_code == 0
    for n in range(tickets):
        assert ult("issue", "AB"[n % 2]).exit_code == 0
    return home / "ult.db"


def test_verify_says_how_many_events_and_the_last_hash(home: Path) -> None:
    path = ready(home)
    last_hash = sqlite3.connect(path).execute("SELECT hash FROM events WHERE id = 5").fetchone()
    result = ult("verify")
    assert result.exit_code == 0, result.output
    assert (
        result.output
        == f"Rantai catatan utuh: 5 peristiwa, terakhir #5, hash {last_hash[0].hex()}\n"
    )


def test_verify_names_each_kind_of_fault_and_exits_1(home: Path) -> None:
    path = ready(home, 6)
    cases = [
        ("UPDATE events SET payload = '{}' WHERE id = 3", "Peristiwa #3 DIUBAH: isinya"),
        ("DELETE FROM events WHERE id = 2", "Peristiwa #2 DIHAPUS: nomor peristiwa melompat"),
        ("DELETE FROM events WHERE id = 7", "Peristiwa #7 DIHAPUS dari ujung catatan"),
    ]
    for statement, named in cases:
        tamper(path, statement)
        result = ult("verify")
        assert result.exit_code == 1 and named in result.output, result.output
        assert "TIDAK utuh" in result.output and "laporkan ke supervisor" in result.output
        tamper(path, "DELETE FROM events")  # start again from a fresh log
        tamper(path, "DELETE FROM sqlite_sequence")
        path.unlink()
        ready(home, 6)


def test_verify_names_a_reordered_event(home: Path) -> None:
    path = ready(home, 6)
    columns = "at, kind, ticket_id, counter_id, sop_step, actor, payload, prev_hash, hash"
    tamper(
        path,
        "CREATE TEMP TABLE keep AS SELECT * FROM events WHERE id IN (4, 5)",
        f"UPDATE events SET ({columns}) = (SELECT {columns} FROM keep WHERE keep.id = 5) "
        "WHERE id = 4",
        f"UPDATE events SET ({columns}) = (SELECT {columns} FROM keep WHERE keep.id = 4) "
        "WHERE id = 5",
    )
    result = ult("verify")
    assert result.exit_code == 1 and "Peristiwa #4 DIPINDAH URUTANNYA" in result.output


def test_verify_with_an_anchor(home: Path) -> None:
    path = ready(home)
    anchor = (
        sqlite3.connect(path).execute("SELECT hex(hash) FROM events WHERE id = 3").fetchone()[0]
    )
    anchor = anchor.lower()
    found = ult("verify", "--anchor", anchor.upper())
    assert found.exit_code == 0 and "Jangkar ditemukan pada peristiwa #3" in found.output
    unknown = ult("verify", "--anchor", "0" * 63 + "1")
    assert unknown.exit_code == 1 and "TIDAK ADA dalam rantai" in unknown.output
    assert "Rantai catatan utuh" in unknown.output  # the chain itself holds
    for malformed in ("abc", "z" * 64, anchor + "0"):
        refused = ult("verify", "--anchor", malformed)
        assert refused.exit_code == 2 and "64 karakter heksadesimal" in refused.output
    tamper(path, "UPDATE events SET actor = 'x' WHERE id = 5")
    after = ult("verify", "--anchor", anchor)
    assert after.exit_code == 1 and "Peristiwa #5 DIUBAH" in after.output
    assert "catatan sampai peristiwa itu utuh" in after.output


def test_verify_reads_an_old_database_without_upgrading_it(home: Path) -> None:
    assert ult("init").exit_code == 0
    path = home / "ult.db"
    path.unlink()
    old = connect(path, migrate_schema=False)
    migrate(old, target=migrations.CHAIN_VERSION - 1)
    old.close()
    result = ult("verify")
    assert result.exit_code == 2 and "ult init" in result.output
    assert schema_version(connect(path, migrate_schema=False)) == migrations.CHAIN_VERSION - 1


def test_verify_on_an_empty_log(home: Path) -> None:
    ready(home, 0)
    tamper(home / "ult.db", "DELETE FROM events", "DELETE FROM sqlite_sequence")
    result = ult("verify")
    assert result.exit_code == 0 and "masih kosong" in result.output


def test_ult_report_of_a_day_ends_with_its_anchor(home: Path) -> None:
    path = ready(home, 2)
    newest = sqlite3.connect(path).execute("SELECT id, hash FROM events ORDER BY id DESC")
    event, last_hash = newest.fetchone()
    last_hash = last_hash.hex()
    today = ult("report", "summary")
    assert today.exit_code == 0, today.output
    lines = today.output.splitlines()
    assert lines[-2].endswith(f"(#{event}, sampai saat ini): {last_hash}")
    assert lines[-1].endswith(f"ult verify --anchor {last_hash}")
    assert ult("verify", "--anchor", last_hash).exit_code == 0
    before = ult("report", "summary", "--from", "2020-01-06", "--to", "2020-01-06").output
    assert "Belum ada peristiwa tercatat sampai akhir hari 2020-01-06" in before
    week = ult("report", "summary", "--from", "2020-01-06", "--to", "2020-01-07").output
    assert "ult verify" not in week and "Belum ada peristiwa" not in week
    as_json = ult("report", "summary", "--format", "json").output
    assert "ult verify" not in as_json  # the data formats stay data


# ------------------------------------------------------------------------ restore


def test_a_restored_backup_continues_its_own_chain(home: Path) -> None:
    path = ready(home, 3)
    assert ult("backup").exit_code == 0
    saved = list_backups(home / "backups")[-1]
    kept_id, kept_hash = (
        sqlite3.connect(saved).execute("SELECT id, hash FROM events ORDER BY id DESC").fetchone()
    )
    for _ in range(3):
        assert ult("issue", "C").exit_code == 0  # the file goes on past the backup
    result = ult("restore", str(saved), "--yes")
    assert result.exit_code == 0, result.output
    restored = row(connect(path, migrate_schema=False), kept_id + 1)
    assert restored["kind"] == "restored" and restored["prev_hash"] == kept_hash
    checked = ult("verify")
    assert checked.exit_code == 0 and f"terakhir #{kept_id + 1}," in checked.output


def test_a_backup_from_before_the_chain_is_chained_when_restored(
    home: Path, tmp_path: Path
) -> None:
    ready(home, 1)
    old = old_database(tmp_path / "old" / "ult.db")
    old.close()
    result = ult("restore", str(tmp_path / "old" / "ult.db"), "--yes")
    assert result.exit_code == 0, result.output
    db = connect(home / "ult.db", migrate_schema=False)
    assert [r["kind"] for r in db.query("SELECT kind FROM events ORDER BY id")] == [
        "day_started",
        "catalog_changed",
        "paused",
        "restored",
    ]
    assert chain.verify(db).fault is None and chain.verify(db).last_id == 4
    assert ult("verify").exit_code == 0


def test_a_mangled_log_never_stops_the_queue(queue: Queue, clock: FakeClock) -> None:
    last = issue_some(queue, clock, 2)
    tamper(
        path_of(queue),
        f"UPDATE events SET hash = 'nonsense' WHERE id = {last}",
        "UPDATE sqlite_sequence SET seq = 'x' WHERE name = 'events'",
    )
    queue.issue("A", actor="kiosk")  # still issues, chained from the genesis value
    assert row(queue.db, last + 1)["prev_hash"] == GENESIS
    assert chain.verify(queue.db).fault == chain.Fault(last, "altered", "no_hash")
