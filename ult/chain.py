"""The event log's hash chain: a record no one can quietly change (issue 13, part 4).

Every event carries two SHA-256 values, stored as 32-byte BLOBs (``hex(hash)`` in the
``sqlite3`` shell; the pages and commands show them as 64 lowercase hexadecimal characters):

* ``prev_hash``: the ``hash`` of the event before it (by id); the first event of a log has
  :data:`GENESIS` (32 zero bytes) instead;
* ``hash`` = SHA-256 of the 32 bytes of ``prev_hash`` followed directly by the UTF-8 bytes
  of the event's *canonical content*: the JSON array
  ``[id, at, kind, ticket_id, counter_id, sop_step, actor, payload]`` written without spaces
  (separators ``,`` and ``:``), non-ASCII characters as themselves (not ``\\u`` escapes),
  integers as digits, an empty value as ``null``; ``payload`` is the stored JSON text as one
  string, exactly as it lies in the file (not parsed and written again; the appliance writes
  it with ``json.dumps``' own ", " and ": "). For example
  ``[1,"2026-11-24T01:00:00.000000Z","issued",1,null,1,"kiosk","{\\"label\\": \\"A-001\\"}"]``.

:func:`ult.eventlog.append` writes both in the transaction that writes the event; the
migration that introduced the chain computed them for the events already kept. Because
the id is part of the content, an event moved to another place no longer matches its hash.

:func:`verify` walks the log from the first event and names the first fault (its event id):

* **altered**: an event's hash no longer matches its content and ``prev_hash``; or an event
  still matches its own hash but the next event was written after a different hash (the
  event was changed *and* its hash recomputed to hide it: the next one still carries the
  old hash);
* **removed**: a gap in the ids (from 1, or in the middle), or the end of the log cut off
  (SQLite's ``sqlite_sequence`` remembers the highest id ever given to an event);
* **reordered**: an event matches neither its place (its ``prev_hash`` is not the previous
  event's hash) nor its own hash: it was written at another position.

The file alone cannot stop someone who rewrites *every* event from a point to the end, with
fresh hashes and ``sqlite_sequence``: that is what the paper anchor is for. The report
book prints a day's last hash; ``ult verify --anchor HASH`` checks that this hash is still
in the chain and that every event up to it holds.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlite_utils

from ult.clock import to_stamp

GENESIS = bytes(32)
"""What the first event of a log chains from (32 zero bytes: no event hashes to it)."""

HASH_BYTES = 32
"""The length of a SHA-256 value."""

ANCHOR_PATTERN = re.compile(r"[0-9a-fA-F]{64}")
"""A well-formed anchor: one SHA-256 in hexadecimal (either case)."""

CONTENT_COLUMNS = ("id", "at", "kind", "ticket_id", "counter_id", "sop_step", "actor", "payload")
"""The columns whose values make an event's canonical content, in that order."""

_BATCH = 5000
"""Rows read and written at a time while chaining a whole log (constant memory)."""

FaultKind = Literal["altered", "removed", "reordered"]


def _foreign(value: Any) -> Any:
    """A stored value JSON cannot hold (a BLOB put in by hand) still gets a content, which
    then matches no hash the appliance wrote."""
    if isinstance(value, bytes):
        return {"blob": value.hex()}
    raise TypeError(f"not storable in an event: {type(value).__name__}")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_foreign)


def digest(prev_hash: bytes, content: tuple[Any, ...]) -> bytes:
    """The ``hash`` of an event whose canonical content is the values of
    :data:`CONTENT_COLUMNS` in ``content``, written after ``prev_hash``."""
    return hashlib.sha256(prev_hash + _ENCODER.encode(content).encode("utf-8")).digest()


def _is_hash(value: Any) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_BYTES


def next_link(db: sqlite_utils.Database) -> tuple[int, bytes]:
    """The id and ``prev_hash`` of the event about to be appended (call inside the write
    transaction that appends it).

    The id is one above both the newest event's and the highest ever given
    (``sqlite_sequence``, kept by ``AUTOINCREMENT``): an id is never given twice, even when
    the last events were removed. One short read: the newest row by its primary key, with
    ``sqlite_sequence``'s row for ``events`` beside it.
    """
    newest = db.conn.execute(
        "SELECT id, hash, (SELECT seq FROM sqlite_sequence WHERE name = 'events') "
        "FROM events ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if newest is None:  # an empty log, or every event removed
        given = db.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
        newest = (0, GENESIS, given[0] if given else 0)
    last_id, last_hash, highest = newest
    # A hash or sequence mangled by hand must not stop the queue: the chain goes on, and
    # verify names the event.
    if not isinstance(highest, int):
        highest = 0
    return max(last_id, highest) + 1, last_hash if _is_hash(last_hash) else GENESIS


def chain_all(db: sqlite_utils.Database) -> int:
    """Compute ``prev_hash`` and ``hash`` of every event in id order, in batches (for the
    migration, inside its transaction, with the log's UPDATE trigger lifted); returns how
    many events were chained."""
    prev, after, done = GENESIS, 0, 0
    columns = ", ".join(CONTENT_COLUMNS)
    while True:
        rows = db.execute(
            f"SELECT {columns} FROM events WHERE id > ? ORDER BY id LIMIT ?", (after, _BATCH)
        ).fetchall()
        if not rows:
            return done
        updates = []
        for row in rows:
            sealed = digest(prev, row)
            updates.append((prev, sealed, row[0]))
            prev = sealed
        db.conn.executemany("UPDATE events SET prev_hash = ?, hash = ? WHERE id = ?", updates)
        after = rows[-1][0]
        done += len(rows)


@dataclass(frozen=True)
class Fault:
    """The first place the chain does not hold.

    ``event_id`` names the event; ``reason`` says what was found (a key of the CLI's
    messages: ``content``, ``rewritten``, ``no_hash``, ``gap``, ``head_cut``, ``tail_cut``,
    ``moved``); ``until`` is the last id of a removed run, ``witness`` the event whose
    ``prev_hash`` shows that ``event_id`` was rewritten.
    """

    event_id: int
    kind: FaultKind
    reason: str
    until: int | None = None
    witness: int | None = None


@dataclass(frozen=True)
class Verdict:
    """What :func:`verify` found: ``events`` rows walked, the newest one's id and hash in
    hexadecimal (0 and 64 zeros on an empty log; empty when that hash is missing), the
    first :class:`Fault` (``None``: the chain holds), and the id of the event whose hash is
    the anchor asked for (``None``: not asked, or not in the chain)."""

    events: int
    last_id: int
    last_hash: str
    fault: Fault | None
    anchor_id: int | None

    @property
    def holds(self) -> bool:
        """The whole chain holds (and does not say whether an anchor was found)."""
        return self.fault is None

    def anchor_holds(self) -> bool:
        """The anchor is in the chain and every event up to it holds."""
        return self.anchor_id is not None and (
            self.fault is None or self.fault.event_id > self.anchor_id
        )


def parse_anchor(text: str) -> str:
    """``text`` as an anchor (64 hexadecimal characters, surrounding spaces ignored), in
    lower case. Raises ``ValueError`` for anything else."""
    value = text.strip()
    if not ANCHOR_PATTERN.fullmatch(value):
        raise ValueError(f"not a SHA-256 in hexadecimal: {text!r}")
    return value.lower()


def _rows(db: sqlite_utils.Database) -> Iterator[tuple[Any, ...]]:
    columns = ", ".join(CONTENT_COLUMNS)
    # One statement, stepped row by row: constant memory, one snapshot of the log.
    yield from db.conn.execute(f"SELECT {columns}, prev_hash, hash FROM events ORDER BY id")


def verify(db: sqlite_utils.Database, anchor: str | None = None) -> Verdict:
    """Walk the whole chain from the first event and return the :class:`Verdict`.

    Streams the rows (constant memory) inside one read transaction, so the ids, the
    hashes and ``sqlite_sequence`` are one consistent picture while writers go on.
    Works from the rows alone: the log's own triggers may have been dropped. ``anchor``
    (hexadecimal) must come through :func:`parse_anchor`.
    """
    own = not db.conn.in_transaction
    if own:
        db.conn.execute("BEGIN")
    try:
        return _walk(db, None if anchor is None else bytes.fromhex(anchor))
    finally:
        if own:
            db.conn.execute("COMMIT")


def _walk(db: sqlite_utils.Database, anchor: bytes | None) -> Verdict:
    given_row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
    fault: Fault | None = None
    anchor_id: int | None = None
    count, last_id, last_hash = 0, 0, GENESIS
    for row in _rows(db):
        event_id, prev_hash, stored = row[0], row[-2], row[-1]
        count += 1
        if anchor is not None and anchor_id is None and stored == anchor:
            anchor_id = event_id
        if fault is None:
            fault = _check(row[:-2], prev_hash, stored, last_id, last_hash)
        last_id, last_hash = event_id, stored
    given = given_row[0] if given_row else 0
    if fault is None and isinstance(given, int) and given > last_id:
        fault = Fault(last_id + 1, "removed", "tail_cut", until=given)
    shown = last_hash.hex() if isinstance(last_hash, bytes) else ""
    return Verdict(count, last_id, shown, fault, anchor_id)


def _check(
    content: tuple[Any, ...], prev_hash: Any, stored: Any, last_id: int, last_hash: Any
) -> Fault | None:
    """The fault at one event, given the one before it (``last_id`` 0: none)."""
    event_id = content[0]
    if event_id != last_id + 1:
        if last_id == 0:
            return Fault(1, "removed", "head_cut", until=event_id - 1)
        return Fault(last_id + 1, "removed", "gap", until=event_id - 1)
    if not _is_hash(stored) or not _is_hash(prev_hash):
        return Fault(event_id, "altered", "no_hash")
    expected_prev = last_hash if last_id else GENESIS
    own = digest(prev_hash, content) == stored
    linked = prev_hash == expected_prev
    if own and linked:
        return None
    if not own and linked:
        return Fault(event_id, "altered", "content")
    if own:
        # This event is as written, but the one before it is not what it was written after:
        # the previous event was changed and given a fresh hash.
        return Fault(last_id, "altered", "rewritten", witness=event_id)
    return Fault(event_id, "reordered", "moved")


def day_end(day: date, tz: ZoneInfo, reset: time) -> str:
    """The stored UTC stamp at which business ``day`` ends: the next day's ``reset``
    (``[queue] day_reset``) in the office zone ``tz`` (:func:`ult.clock.business_day`)."""
    return to_stamp(datetime.combine(day + timedelta(days=1), reset, tzinfo=tz))


def day_anchor(
    db: sqlite_utils.Database, day: date, tz: ZoneInfo, reset: time
) -> tuple[int, str] | None:
    """The anchor the report book prints for business ``day``: the id and hash of the
    newest event (by id) stamped before the day ends (:func:`day_end`), or ``None`` when
    the log holds none. For today it is the newest event at the time of printing.

    Read from the newest event backwards, so yesterday's anchor costs the events since. A
    clock that ran behind can stamp a later event inside an earlier day, which then counts
    for that day: the anchor only has to be an event's hash, printed and kept.
    """
    found = db.execute(
        "SELECT id, hash FROM events WHERE at < ? ORDER BY id DESC LIMIT 1",
        (day_end(day, tz, reset),),
    ).fetchone()
    if found is None or not _is_hash(found[1]):
        return None
    return int(found[0]), found[1].hex()
