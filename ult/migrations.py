"""The database schema, created and upgraded by migrations kept as code.

``PRAGMA user_version`` holds the number of migrations applied. A migration is never edited
once released: a change to the schema is a new function appended to ``MIGRATIONS``.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from ult import chain, record


def _run(db: sqlite_utils.Database, script: str) -> None:
    """Run the ``;``-separated statements of ``script`` inside the caller's transaction.

    ``sqlite3.executescript`` would commit first, breaking the one-transaction migration.
    """
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _v1_core(db: sqlite_utils.Database) -> None:
    """First schema: catalogue, tickets, visitors, the event log, users and API tokens."""
    _run(
        db,
        """
        CREATE TABLE services (
            letter TEXT PRIMARY KEY CHECK (length(letter) = 1),
            name TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            position INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE topics (
            id INTEGER PRIMARY KEY,
            service TEXT NOT NULL REFERENCES services(letter),
            name TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            UNIQUE (service, name)
        );
        CREATE TABLE counters (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('front_office', 'back_office')),
            active INTEGER NOT NULL DEFAULT 1,
            paused INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE counter_services (
            counter_id INTEGER NOT NULL REFERENCES counters(id),
            service TEXT NOT NULL REFERENCES services(letter),
            PRIMARY KEY (counter_id, service)
        );
        CREATE TABLE main_units (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            active INTEGER NOT NULL DEFAULT 1
        );
        CREATE TABLE visitors (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            nik TEXT UNIQUE,
            institution TEXT,
            phone TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE tickets (
            id INTEGER PRIMARY KEY,
            issued_service TEXT NOT NULL REFERENCES services(letter),
            day TEXT NOT NULL,
            number INTEGER NOT NULL CHECK (number > 0),
            label TEXT NOT NULL,
            service TEXT NOT NULL REFERENCES services(letter),
            topic TEXT,
            priority INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL,
            state TEXT NOT NULL,
            queue_seq INTEGER NOT NULL,
            counter_id INTEGER REFERENCES counters(id),
            front_office_counter_id INTEGER REFERENCES counters(id),
            back_office_counter_id INTEGER REFERENCES counters(id),
            main_unit_id INTEGER REFERENCES main_units(id),
            recalls INTEGER NOT NULL DEFAULT 0,
            visitor_id INTEGER REFERENCES visitors(id),
            acting_for INTEGER NOT NULL DEFAULT 0,
            letter_type TEXT,
            letter_number TEXT,
            request_detail TEXT,
            answer_kind TEXT,
            answer TEXT,
            escalation_note TEXT,
            forward_note TEXT,
            disposition TEXT,
            explanation_mode TEXT,
            explanation_note TEXT,
            outcome TEXT,
            cancel_reason TEXT,
            issued_at TEXT NOT NULL,
            called_at TEXT,
            started_at TEXT,
            released_at TEXT,
            finished_at TEXT,
            token TEXT NOT NULL UNIQUE,
            UNIQUE (issued_service, day, number)
        );
        -- A counter holds at most one open ticket: enforced by the store, not only the code.
        CREATE UNIQUE INDEX tickets_one_per_counter ON tickets(counter_id)
            WHERE counter_id IS NOT NULL;
        CREATE INDEX tickets_waiting ON tickets(state, service, priority, queue_seq);
        CREATE INDEX tickets_queue_seq ON tickets(queue_seq);
        CREATE INDEX tickets_day_label ON tickets(day, label);
        CREATE INDEX tickets_released ON tickets(released_at) WHERE released_at IS NOT NULL;
        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            ticket_id INTEGER REFERENCES tickets(id),
            counter_id INTEGER REFERENCES counters(id),
            sop_step INTEGER,
            actor TEXT NOT NULL,
            payload TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX events_ticket ON events(ticket_id);
        CREATE INDEX events_counter_kind ON events(counter_id, kind);
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            revoked_at TEXT,
            last_used_at TEXT
        );
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    )
    # The event log is the office's record (SOP: everything kept): the store refuses to
    # change or delete an event, which also keeps event ids from ever being reused.
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events "
            "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
        )


def _v2_idempotency(db: sqlite_utils.Database) -> None:
    """Idempotency keys on tickets: a double click or a retried request issues one ticket.

    (PITFALLS, store: forms and API clients may send a key and the domain honours it.)
    """
    db.execute("ALTER TABLE tickets ADD COLUMN idempotency_key TEXT")
    # Per business day: a device whose key sequence restarts after a reboot must not be
    # handed yesterday's ticket.
    db.execute(
        "CREATE UNIQUE INDEX tickets_idempotency ON tickets(day, idempotency_key) "
        "WHERE idempotency_key IS NOT NULL"
    )


def _v3_printing(db: sqlite_utils.Database) -> None:
    """Whether each ticket's paper came out: NULL no print asked, 0 failed, 1 printed.

    A ticket whose print failed stays in the queue and must be findable for a reprint.
    """
    db.execute("ALTER TABLE tickets ADD COLUMN printed INTEGER")
    db.execute("CREATE INDEX tickets_unprinted ON tickets(day) WHERE printed = 0")


def _v4_event_kinds(db: sqlite_utils.Database) -> None:
    """Find the newest event of a kind without scanning the log.

    The printer's state, the board's last calls and /healthz ask for "the newest event of
    kind K": without an index that read grew with the log (a whole scan when the kind never
    occurred), on every board refresh and health check.
    """
    db.execute("CREATE INDEX events_kind ON events(kind)")


def _v5_step_records(db: sqlite_utils.Database) -> None:
    """The step record (issue 11): one row per SOP step of each case, derived from the
    event log (:mod:`ult.record`), filled from the log already kept.

    Indexed by day for the period reports, by ticket for a case's steps; ``tickets(day)``
    for the reports' per-day reads of tickets. ``tickets.relay_note``: the back office's
    note when it relays a disposition (SOP 14).
    """
    _run(
        db,
        """
        CREATE TABLE step_records (
            event_id INTEGER PRIMARY KEY REFERENCES events(id),
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            day TEXT NOT NULL,
            step INTEGER NOT NULL CHECK (step BETWEEN 1 AND 16),
            waiting INTEGER NOT NULL CHECK (waiting IN (0, 1)),
            began_at TEXT NOT NULL,
            ended_at TEXT NOT NULL,
            seconds INTEGER NOT NULL CHECK (seconds >= 0),
            standard_seconds INTEGER NOT NULL,
            overrun_seconds INTEGER NOT NULL CHECK (overrun_seconds >= 0),
            officer TEXT,
            counter_id INTEGER REFERENCES counters(id),
            clock_anomaly INTEGER NOT NULL CHECK (clock_anomaly IN (0, 1))
        );
        CREATE INDEX step_records_day ON step_records(day);
        CREATE INDEX step_records_ticket ON step_records(ticket_id);
        CREATE INDEX tickets_day ON tickets(day, service);
        ALTER TABLE tickets ADD COLUMN relay_note TEXT
        """,
    )
    record.fill(db)


def _v6_officers(db: sqlite_utils.Database) -> None:
    """Officers on record (issue 11, section 3).

    Accounts carry the officer's full name, NIP and position (*jabatan*) so reports name
    people; ``user_units`` binds a main-unit account to the unit(s) whose cases it answers;
    ``tickets.incomplete_reason`` is why a case was finished without identity or request
    detail (SOP 16 completeness, :data:`ult.queue.INCOMPLETE_REASONS`).
    """
    _run(
        db,
        """
        ALTER TABLE users ADD COLUMN full_name TEXT;
        ALTER TABLE users ADD COLUMN nip TEXT;
        ALTER TABLE users ADD COLUMN position TEXT;
        CREATE TABLE user_units (
            username TEXT NOT NULL REFERENCES users(username),
            main_unit_id INTEGER NOT NULL REFERENCES main_units(id),
            PRIMARY KEY (username, main_unit_id)
        );
        ALTER TABLE tickets ADD COLUMN incomplete_reason TEXT
        """,
    )


def _v7_visits(db: sqlite_utils.Database) -> None:
    """The guest book keeps what each visit recorded: table ``visits``, one row per ticket.

    The ``visitors`` table was keyed by NIK and updated in place, so a NIK typed again
    renamed the visitor of earlier tickets (issue 11). Each ticket that had a visitor gets
    a visit with that visitor row as it stands now (document kind KTP), its letter (moved
    from the ticket), and the time, officer and SOP step of the ticket's last
    ``identified`` / ``visitor_registered`` event (step 7 when none is found). What the old
    table had already overwritten (an earlier name, phone or institution of a NIK typed
    again) cannot be recovered: it was never kept. Visitor rows that belong to no ticket
    (left by corrected typos) are not kept. ``tickets`` loses ``visitor_id``,
    ``acting_for``, ``letter_type`` and ``letter_number`` and gains the information
    request's fields (UU 14/2008): ``information_purpose`` (step 8) and, for an excepted
    answer (9a), ``exemption_ground`` (Pasal 17 letter) and ``exemption_note``.

    ``ALTER TABLE ... DROP COLUMN`` (SQLite 3.35+; Debian Bookworm ships 3.40) rewrites
    ``tickets`` in place, inside this transaction and with foreign keys on: no table
    rebuild, so the event log's append-only triggers, its indexes and the references to
    ``tickets`` stay as they are. The store backs the file up before migrating.
    """
    _run(
        db,
        """
        CREATE TABLE visits (
            id INTEGER PRIMARY KEY,
            ticket_id INTEGER NOT NULL UNIQUE REFERENCES tickets(id),
            document_kind TEXT NOT NULL,
            document_number TEXT NOT NULL,
            name TEXT NOT NULL,
            institution TEXT,
            phone TEXT,
            address TEXT,
            occupation TEXT,
            represents_name TEXT,
            represents_institution TEXT,
            letter_type TEXT,
            letter_number TEXT,
            letter_date TEXT,
            recorded_at TEXT NOT NULL,
            recorded_by TEXT NOT NULL,
            step INTEGER NOT NULL CHECK (step IN (3, 7))
        );
        CREATE INDEX visits_document ON visits(document_number, recorded_at);
        INSERT INTO visits (ticket_id, document_kind, document_number, name, institution,
            phone, letter_type, letter_number, recorded_at, recorded_by, step)
        SELECT t.id, 'ktp', COALESCE(v.nik, ''), v.name, v.institution, v.phone,
            CASE WHEN t.acting_for THEN t.letter_type END,
            CASE WHEN t.acting_for THEN t.letter_number END,
            COALESCE(e.at, v.updated_at), COALESCE(e.actor, 'migration'),
            CASE WHEN e.sop_step = 3 THEN 3 ELSE 7 END
        FROM tickets t JOIN visitors v ON v.id = t.visitor_id
        LEFT JOIN events e ON e.id = (
            SELECT MAX(id) FROM events WHERE ticket_id = t.id
            AND kind IN ('identified', 'visitor_registered'));
        ALTER TABLE tickets DROP COLUMN visitor_id;
        ALTER TABLE tickets DROP COLUMN acting_for;
        ALTER TABLE tickets DROP COLUMN letter_type;
        ALTER TABLE tickets DROP COLUMN letter_number;
        DROP TABLE visitors;
        ALTER TABLE tickets ADD COLUMN information_purpose TEXT;
        ALTER TABLE tickets ADD COLUMN exemption_ground TEXT;
        ALTER TABLE tickets ADD COLUMN exemption_note TEXT
        """,
    )


def _v8_report_indexes(db: sqlite_utils.Database) -> None:
    """Indexes for the period reports over a year (docs/BENCHMARKS.md, "A year of history"):
    the queue wait of each ticket (``ult.reports`` sums it per ticket, from this index alone)
    and the step records in (step, waiting, seconds) order, and the officers' steps in
    (officer, seconds) order, each with the columns the compliance figures count, so that a
    year's histogram of durations per step or per officer is one ordered read of an index,
    with no table lookup and no sort."""
    _run(
        db,
        """
        CREATE INDEX step_records_wait ON step_records(ticket_id, seconds) WHERE waiting = 1;
        CREATE INDEX step_records_durations ON step_records(
            step, waiting, seconds, day, overrun_seconds, clock_anomaly, standard_seconds);
        CREATE INDEX step_records_officers ON step_records(
            officer, seconds, day, overrun_seconds, clock_anomaly, standard_seconds, ticket_id)
            WHERE waiting = 0
        """,
    )


def _v9_step_parts(db: sqlite_utils.Database) -> None:
    """The step record after the reviewer's fixes (docs/QUEUE.md, "Step definitions"): a
    step split at a takeover of its counter keys its earlier parts by the takeover event, so
    the key becomes (event_id, ticket_id, step) (one takeover may split several cases at a
    back-office counter); the desk steps 7-9 no longer overlap or restart. The rows are
    recomputed from the log (:func:`ult.record.fill`) so old days follow the new rule."""
    _run(
        db,
        """
        CREATE TABLE step_records_new (
            event_id INTEGER NOT NULL REFERENCES events(id),
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            day TEXT NOT NULL,
            step INTEGER NOT NULL CHECK (step BETWEEN 1 AND 16),
            waiting INTEGER NOT NULL CHECK (waiting IN (0, 1)),
            began_at TEXT NOT NULL,
            ended_at TEXT NOT NULL,
            seconds INTEGER NOT NULL CHECK (seconds >= 0),
            standard_seconds INTEGER NOT NULL,
            overrun_seconds INTEGER NOT NULL CHECK (overrun_seconds >= 0),
            officer TEXT,
            counter_id INTEGER REFERENCES counters(id),
            clock_anomaly INTEGER NOT NULL CHECK (clock_anomaly IN (0, 1)),
            PRIMARY KEY (event_id, ticket_id, step)
        );
        DROP TABLE step_records;
        ALTER TABLE step_records_new RENAME TO step_records;
        CREATE INDEX step_records_day ON step_records(day);
        CREATE INDEX step_records_ticket ON step_records(ticket_id);
        CREATE INDEX step_records_wait ON step_records(ticket_id, seconds) WHERE waiting = 1;
        CREATE INDEX step_records_durations ON step_records(
            step, waiting, seconds, day, overrun_seconds, clock_anomaly, standard_seconds);
        CREATE INDEX step_records_officers ON step_records(
            officer, seconds, day, overrun_seconds, clock_anomaly, standard_seconds, ticket_id)
            WHERE waiting = 0
        """,
    )
    record.fill(db)


def _v10_survey(db: sqlite_utils.Database) -> None:
    """The satisfaction survey (issue 13, PermenPANRB 14/2017): anonymous responses, and
    which finished tickets have answered.

    A response keeps only what the per-service index needs: the business day, the service,
    the counter kind that explained the case, the answers keyed by element code, the
    optional respondent profile and suggestion. It has no ticket, no time of day and a
    random key (``WITHOUT ROWID``: the table's order is not the order of answering), so it
    cannot be joined back to a ticket. A receipt says that a ticket has answered an
    instrument (one response per finished ticket) and nothing else.
    """
    _run(
        db,
        """
        CREATE TABLE survey_responses (
            id TEXT PRIMARY KEY,
            instrument TEXT NOT NULL,
            day TEXT NOT NULL,
            service TEXT NOT NULL,
            counter_kind TEXT NOT NULL CHECK (counter_kind IN ('front_office', 'back_office')),
            answers TEXT NOT NULL,
            profile TEXT NOT NULL DEFAULT '{}',
            suggestion TEXT
        ) WITHOUT ROWID;
        CREATE INDEX survey_responses_day ON survey_responses(instrument, day, service);
        CREATE TABLE survey_receipts (
            ticket_id INTEGER NOT NULL REFERENCES tickets(id),
            instrument TEXT NOT NULL,
            PRIMARY KEY (ticket_id, instrument)
        ) WITHOUT ROWID
        """,
    )


def _v11_visit_erasure(db: sqlite_utils.Database) -> None:
    """A visit's identity can be erased (UU 27/2022; ``ult.privacy``): ``visits`` gains
    ``erased_at`` (UTC stamp, ``NULL`` while the identity is held). An erased visit keeps its
    row (ticket, document kind, recorded time, officer, step) with ``name`` and
    ``document_number`` emptied (they are ``NOT NULL``: a table rebuild would be needed to
    change that) and every other identity column ``NULL``. The partial index holds only the
    visits not yet erased, so the daily purge reads those and nothing else.
    """
    _run(
        db,
        """
        ALTER TABLE visits ADD COLUMN erased_at TEXT;
        CREATE INDEX visits_held ON visits(ticket_id) WHERE erased_at IS NULL
        """,
    )


def _v12_event_chain(db: sqlite_utils.Database) -> None:
    """The event log's hash chain (issue 13, "a record no one can quietly change";
    :mod:`ult.chain`): each event gets ``prev_hash`` and ``hash`` (SHA-256 as 32-byte BLOBs:
    half the room of hexadecimal text, which every backup kept multiplies), computed here
    for every event already kept, in id order from the genesis value; from now on
    :func:`ult.eventlog.append` writes them with each event.

    The log refuses every UPDATE (its trigger since v1): the trigger is dropped, the hashes
    filled and the same trigger created again, all inside this migration's one
    transaction, so no other writer ever sees the log without it. The DELETE trigger
    stays. No index is needed: the newest event (whose hash the next one chains from) is
    the last row of the table's own b-tree.
    """
    _run(
        db,
        """
        ALTER TABLE events ADD COLUMN prev_hash BLOB;
        ALTER TABLE events ADD COLUMN hash BLOB;
        DROP TRIGGER events_no_update
        """,
    )
    chain.chain_all(db)
    db.execute(
        "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
    )


def _v13_priority_category(db: sqlite_utils.Database) -> None:
    """A priority ticket's category (UU 25/2009 Pasal 29; ``ult.sop.PRIORITY_CATEGORIES``):
    ``tickets.priority_category``, a code or ``NULL`` (not priority, or issued as priority
    before categories were recorded, or by the kiosk button)."""
    db.execute("ALTER TABLE tickets ADD COLUMN priority_category TEXT")


Migration = Callable[[sqlite_utils.Database], None]

MIGRATIONS: tuple[Migration, ...] = (
    _v1_core,
    _v2_idempotency,
    _v3_printing,
    _v4_event_kinds,
    _v5_step_records,
    _v6_officers,
    _v7_visits,
    _v8_report_indexes,
    _v9_step_parts,
    _v10_survey,
    _v11_visit_erasure,
    _v12_event_chain,
    _v13_priority_category,
)
"""Every migration in order; the schema version is the count applied."""

LATEST = len(MIGRATIONS)
CHAIN_VERSION = MIGRATIONS.index(_v12_event_chain) + 1
"""The first schema version whose events carry the hash chain (``ult verify`` needs it)."""
