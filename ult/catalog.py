"""Services, topics, counters and main units: the catalog the queue reads from the store.

Two places can describe it. The settings file is where a technician first describes the
office; ``ult init`` applies it (:func:`apply_catalog`). The supervisor's catalog page edits
the store directly (:func:`save_service`, :func:`save_counter`, :func:`save_unit`). Once a
supervisor has edited it, the store is the truth: meta ``catalog_source`` becomes ``admin``
and ``ult init`` leaves the catalog alone and says so (:func:`init_catalog`), until
``ult init --apply-catalog`` makes the file the truth again. Otherwise an ``ult init`` run
for an upgrade would silently undo the supervisor's work.

Nothing is ever deleted, because tickets and events refer to these rows: what is no longer
wanted is made inactive, and comes back when named again. Each page edit is one transaction
that also appends a ``catalog_changed`` event (who, what), so boards refresh at once and the
office's record shows who changed the catalog.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from ult import dates, eventlog, sop
from ult.clock import Clock, from_stamp, utc_now
from ult.errors import conflict, invalid, not_found
from ult.kinds import EventKind
from ult.messages import CATALOG
from ult.settings import (
    _COUNTER_NAME_MAX,
    _MAIN_UNIT_MAX,
    _SERVICE_NAME_MAX,
    _TOPIC_MAX,
    COUNTER_KINDS,
    FRONT_OFFICE,
    Settings,
)
from ult.store import immediate

SOURCE_KEY = "catalog_source"
"""Meta key naming where the catalog's truth is: absent or ``settings``, or ``admin``."""
SOURCE_SETTINGS = "settings"
SOURCE_ADMIN = "admin"

NAME_LIMITS = {
    "service": _SERVICE_NAME_MAX,
    "topic": _TOPIC_MAX,
    "counter": _COUNTER_NAME_MAX,
    "unit": _MAIN_UNIT_MAX,
}
"""Longest names (characters), the same the settings file allows: they fit one line of an
80 mm ticket and of the board."""


_LETTER = re.compile(r"[A-Z]")
_ACTOR_MAX = 64


@dataclass(frozen=True)
class ServiceEntry:
    """A service as the catalog page shows it: ``topics`` are its active topics, in order."""

    letter: str
    name: str
    topics: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class CounterEntry:
    """A counter as the catalog page shows it; ``holding`` is the label of the ticket at it."""

    id: int
    name: str
    kind: str
    services: tuple[str, ...]
    active: bool
    holding: str | None


@dataclass(frozen=True)
class UnitEntry:
    """A main unit (Unit Utama, SOP step 13)."""

    id: int
    name: str
    active: bool


@dataclass(frozen=True)
class Catalog:
    """The whole catalog with where its truth is (``source``) and, once a supervisor has
    edited it, when and by whom it last changed (``changed_at`` aware UTC, ``changed_by``)."""

    services: tuple[ServiceEntry, ...]
    counters: tuple[CounterEntry, ...]
    units: tuple[UnitEntry, ...]
    source: str
    changed_at: datetime | None
    changed_by: str | None


def catalog_source(db: sqlite_utils.Database) -> str:
    """:data:`SOURCE_ADMIN` once a supervisor edited the catalog, else :data:`SOURCE_SETTINGS`."""
    found = next(db.query("SELECT value FROM meta WHERE key = ?", (SOURCE_KEY,)), None)
    return SOURCE_ADMIN if found and found["value"] == SOURCE_ADMIN else SOURCE_SETTINGS


def read_catalog(db: sqlite_utils.Database) -> Catalog:
    """Services (display order), counters (front office first), main units (by name)."""
    topics: dict[str, list[str]] = {}
    for topic in db.query("SELECT service, name FROM topics WHERE active = 1 ORDER BY id"):
        topics.setdefault(topic["service"], []).append(topic["name"])
    services = tuple(
        ServiceEntry(r["letter"], r["name"], tuple(topics.get(r["letter"], ())), bool(r["active"]))
        for r in db.query("SELECT * FROM services ORDER BY position, letter")
    )
    served: dict[int, list[str]] = {}
    for link in db.query("SELECT counter_id, service FROM counter_services ORDER BY service"):
        served.setdefault(link["counter_id"], []).append(link["service"])
    counters = tuple(
        CounterEntry(
            r["id"],
            r["name"],
            r["kind"],
            tuple(served.get(r["id"], ())),
            bool(r["active"]),
            r["label"],
        )
        for r in db.query(
            "SELECT c.*, t.label FROM counters c LEFT JOIN tickets t ON t.counter_id = c.id "
            "ORDER BY c.kind != ?, c.id",
            (FRONT_OFFICE,),
        )
    )
    units = tuple(
        UnitEntry(r["id"], r["name"], bool(r["active"]))
        for r in db.query("SELECT * FROM main_units ORDER BY name COLLATE NOCASE")
    )
    source = catalog_source(db)
    changed_at = changed_by = None
    if source == SOURCE_ADMIN:
        last = next(
            db.query(
                "SELECT at, actor FROM events WHERE kind = ? ORDER BY id DESC LIMIT 1",
                (EventKind.CATALOG_CHANGED,),
            ),
            None,
        )
        if last is not None:
            changed_at, changed_by = from_stamp(last["at"]), last["actor"]
    return Catalog(services, counters, units, source, changed_at, changed_by)


def init_catalog(
    db: sqlite_utils.Database, settings: Settings, *, force: bool = False, actor: str = "cli"
) -> list[str]:
    """What ``ult init`` does with the catalog; returns the lines it reports.

    Applies the settings file (:func:`apply_catalog`) unless a supervisor has edited the
    catalog on the admin page; then nothing is changed and the one line says so, unless
    ``force`` (``--apply-catalog``), which applies the file and records that ``actor`` did.
    """
    if force:
        return apply_catalog(db, settings, actor=actor)
    if catalog_source(db) == SOURCE_ADMIN:
        catalog = read_catalog(db)
        at = (
            dates.datetime_text(catalog.changed_at, settings.office.tz)
            if catalog.changed_at
            else "-"
        )
        return [CATALOG["init_catalog_kept"].format(at=at, actor=catalog.changed_by or "-")]
    return apply_catalog(db, settings)


def apply_catalog(
    db: sqlite_utils.Database,
    settings: Settings,
    *,
    actor: str | None = None,
    clock: Clock = utc_now,
) -> list[str]:
    """Make the store's services, topics, counters and main units match ``settings``.

    Adds what is missing, updates names, order, activity, counter kinds and the services each
    counter serves, and deactivates what the settings no longer name. One transaction; the
    file is the catalog's truth afterwards (meta ``catalog_source`` is cleared). With
    ``actor``, a ``catalog_changed`` event records the changes (or that the file is the
    truth again). Returns one Indonesian line per change (empty when the store already
    matched).
    """
    changes: list[str] = []
    with immediate(db):
        was_admin = catalog_source(db) == SOURCE_ADMIN
        _services(db, settings, changes)
        _counters(db, settings, changes)
        _main_units(db, settings, changes)
        db.execute("DELETE FROM meta WHERE key = ?", (SOURCE_KEY,))
        if actor is not None and (changes or was_admin):
            restored = [CATALOG["file_restored"]] if was_admin else []
            _append_event(db, clock(), actor, SOURCE_SETTINGS, [*restored, *changes], None)
    return changes


def _services(db: sqlite_utils.Database, settings: Settings, changes: list[str]) -> None:
    stored = {r["letter"]: r for r in db.query("SELECT * FROM services")}
    for position, service in enumerate(settings.services):
        old = stored.get(service.letter)
        _put_service(db, old, service.letter, service.name, service.active, position, changes)
        _topics(db, service.letter, service.topics, changes)
    named = {s.letter for s in settings.services}
    for letter, old in stored.items():
        if letter not in named and old["active"]:
            db.execute("UPDATE services SET active = 0 WHERE letter = ?", (letter,))
            changes.append(CATALOG["service_retired"].format(letter=letter, name=old["name"]))


def _topics(
    db: sqlite_utils.Database, letter: str, topics: tuple[str, ...], changes: list[str]
) -> None:
    stored = {
        r["name"]: r["active"]
        for r in db.query("SELECT * FROM topics WHERE service = ?", (letter,))
    }
    for topic in topics:
        if topic not in stored:
            db.execute("INSERT INTO topics (service, name) VALUES (?, ?)", (letter, topic))
            changes.append(CATALOG["topic_added"].format(letter=letter, topic=topic))
        elif not stored[topic]:
            db.execute(
                "UPDATE topics SET active = 1 WHERE service = ? AND name = ?", (letter, topic)
            )
            changes.append(CATALOG["topic_added"].format(letter=letter, topic=topic))
    for topic, active in stored.items():
        if topic not in topics and active:
            db.execute(
                "UPDATE topics SET active = 0 WHERE service = ? AND name = ?", (letter, topic)
            )
            changes.append(CATALOG["topic_retired"].format(letter=letter, topic=topic))


def _counters(db: sqlite_utils.Database, settings: Settings, changes: list[str]) -> None:
    # Keyed without case: "LOKET 1" in the file renames "Loket 1", it is not a new counter.
    stored = {r["name"].casefold(): r for r in db.query("SELECT * FROM counters")}
    for counter in settings.counters:
        old = stored.get(counter.name.casefold())
        _put_counter(db, old, counter.name, counter.kind, counter.services, True, changes)
    named = {c.name.casefold() for c in settings.counters}
    for folded, old in stored.items():
        if folded not in named and old["active"]:
            db.execute("UPDATE counters SET active = 0 WHERE id = ?", (old["id"],))
            changes.append(CATALOG["counter_retired"].format(name=old["name"]))


def _main_units(db: sqlite_utils.Database, settings: Settings, changes: list[str]) -> None:
    stored = {r["name"]: r["active"] for r in db.query("SELECT name, active FROM main_units")}
    for name in settings.main_units:
        if name not in stored:
            db.execute("INSERT INTO main_units (name) VALUES (?)", (name,))
            changes.append(CATALOG["unit_added"].format(name=name))
        elif not stored[name]:
            db.execute("UPDATE main_units SET active = 1 WHERE name = ?", (name,))
            changes.append(CATALOG["unit_added"].format(name=name))
    for name, active in stored.items():
        if name not in settings.main_units and active:
            db.execute("UPDATE main_units SET active = 0 WHERE name = ?", (name,))
            changes.append(CATALOG["unit_retired"].format(name=name))


# ----------------------------------------------------------------- shared by file and page


def _put_service(
    db: sqlite_utils.Database,
    old: dict | None,
    letter: str,
    name: str,
    active: bool,
    position: int,
    changes: list[str],
) -> None:
    """Insert the service, or update it when its name, activity or position differ."""
    wanted = (name, int(active), position)
    if old is None:
        db.execute(
            "INSERT INTO services (letter, name, active, position) VALUES (?, ?, ?, ?)",
            (letter, *wanted),
        )
        changes.append(CATALOG["service_added"].format(letter=letter, name=name))
    elif (old["name"], old["active"], old["position"]) != wanted:
        db.execute(
            "UPDATE services SET name = ?, active = ?, position = ? WHERE letter = ?",
            (*wanted, letter),
        )
        retired = old["active"] and not active
        change = "service_deactivated" if retired else "service_changed"
        changes.append(CATALOG[change].format(letter=letter, name=name))


def _put_counter(
    db: sqlite_utils.Database,
    old: dict | None,
    name: str,
    kind: str,
    services: tuple[str, ...],
    active: bool,
    changes: list[str],
) -> int:
    """Insert the counter or update its name, kind, activity and services; return its id."""
    if old is None:
        counter_id = int(
            db.execute(
                "INSERT INTO counters (name, kind, active) VALUES (?, ?, ?)",
                (name, kind, int(active)),
            ).lastrowid
        )
        changes.append(CATALOG["counter_added"].format(name=name))
    else:
        counter_id = old["id"]
        if (old["name"], old["kind"], old["active"]) != (name, kind, int(active)):
            db.execute(
                "UPDATE counters SET name = ?, kind = ?, active = ? WHERE id = ?",
                (name, kind, int(active), counter_id),
            )
            retired = old["active"] and not active
            changes.append(
                CATALOG["counter_deactivated"].format(name=name)
                if retired
                else CATALOG["counter_changed"].format(name=name)
            )
    served = {
        r["service"]
        for r in db.query(
            "SELECT service FROM counter_services WHERE counter_id = ?", (counter_id,)
        )
    }
    if served != set(services):
        db.execute("DELETE FROM counter_services WHERE counter_id = ?", (counter_id,))
        for letter in services:
            db.execute(
                "INSERT INTO counter_services (counter_id, service) VALUES (?, ?)",
                (counter_id, letter),
            )
        if old is not None:
            changes.append(
                CATALOG["counter_services"].format(name=name, services=", ".join(services) or "-")
            )
    return counter_id


# ----------------------------------------------------------------- edits from the admin page


def save_service(
    db: sqlite_utils.Database,
    *,
    letter: str,
    name: str,
    topics: Iterable[str],
    active: bool,
    actor: str,
    create: bool = False,
    counter_ids: Iterable[int] = (),
    clock: Clock = utc_now,
) -> list[str]:
    """Add (``create``) or change one service and its topics, on the supervisor's behalf.

    ``letter`` A–Z (lower case accepted), ``name`` one line of at most 60 characters,
    ``topics`` one-line names of at most 60 characters, each once (blank ones are skipped).
    A new service goes last in the display order, served from now on by the front-office
    counters ``counter_ids`` (so a new active service has its counter in the same step;
    later the counter's own form says which services it serves). Returns the change lines
    (empty: nothing differed, nothing recorded). Raises ``QueueError`` and changes nothing
    when a value is bad, the letter is taken (``create``) or unknown, or the catalog would
    leave no service active or a service without a front-office counter.
    """
    clean_letter = _letter(letter)
    clean_name = _name(name, "Nama layanan", NAME_LIMITS["service"])
    clean_topics = _names(topics, "Topik", NAME_LIMITS["topic"])
    flag = _flag(active)
    counters_served = tuple(dict.fromkeys(counter_ids)) if create else ()
    changes: list[str] = []
    with immediate(db):
        old = next(db.query("SELECT * FROM services WHERE letter = ?", (clean_letter,)), None)
        if create and old is not None:
            raise conflict("catalog_letter_taken", letter=clean_letter, name=old["name"])
        if not create and old is None:
            raise not_found("catalog_unknown_letter", letter=clean_letter)
        position = (
            old["position"]
            if old is not None
            else db.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM services").fetchone()[0]
        )
        _put_service(db, old, clean_letter, clean_name, flag, position, changes)
        _topics(db, clean_letter, clean_topics, changes)
        for counter_id in counters_served:
            _serve_too(db, counter_id, clean_letter, changes)
        _record(db, clock(), actor, changes, None)
    return changes


def _serve_too(db: sqlite_utils.Database, counter_id: int, letter: str, changes: list[str]) -> None:
    """Let the front-office counter ``counter_id`` serve ``letter`` as well."""
    found = next(db.query("SELECT * FROM counters WHERE id = ?", (counter_id,)), None)
    if found is None or found["kind"] != FRONT_OFFICE:
        raise not_found("counter_unknown", counter=counter_id)
    served = [
        r["service"]
        for r in db.query(
            "SELECT service FROM counter_services WHERE counter_id = ? ORDER BY service",
            (counter_id,),
        )
    ]
    _put_counter(
        db, found, found["name"], found["kind"], (*served, letter), bool(found["active"]), changes
    )


def save_counter(
    db: sqlite_utils.Database,
    *,
    counter_id: int | None,
    name: str,
    kind: str,
    services: Iterable[str],
    active: bool,
    actor: str,
    clock: Clock = utc_now,
) -> list[str]:
    """Add (``counter_id`` None) or change one counter, on the supervisor's behalf.

    ``name`` one line of at most 40 characters, unique without regard to case; ``kind``
    front_office or back_office; ``services`` letters of known services, at least one for
    a front-office counter. A counter holding a ticket keeps its kind and stays active.
    Returns the change lines; raises ``QueueError`` and changes nothing otherwise, also when
    an active service (or one with tickets waiting) would lose its last front-office counter.
    """
    clean_name = _name(name, "Nama loket", NAME_LIMITS["counter"])
    if kind not in COUNTER_KINDS:
        raise invalid("catalog_kind_invalid")
    letters = _letters(services)
    flag = _flag(active)
    if kind == FRONT_OFFICE and not letters:
        raise invalid("catalog_counter_services")
    changes: list[str] = []
    with immediate(db):
        known = {r["letter"] for r in db.query("SELECT letter FROM services")}
        for letter in letters:
            if letter not in known:
                raise invalid("catalog_unknown_letter", letter=letter)
        old = None
        if counter_id is not None:
            old = next(db.query("SELECT * FROM counters WHERE id = ?", (counter_id,)), None)
            if old is None:
                raise not_found("counter_unknown", counter=counter_id)
        _unique_name(db, "counters", clean_name, counter_id, "Nama loket")
        if old is not None and (kind != old["kind"] or (old["active"] and not flag)):
            # The counter is in the middle of a case: changing it now would strand the visitor.
            held = next(
                db.query("SELECT label FROM tickets WHERE counter_id = ?", (old["id"],)), None
            )
            if held is not None:
                raise conflict("catalog_counter_in_use", counter=old["name"], label=held["label"])
        saved = _put_counter(db, old, clean_name, kind, letters, flag, changes)
        _record(db, clock(), actor, changes, saved)
    return changes


def save_unit(
    db: sqlite_utils.Database,
    *,
    unit_id: int | None,
    name: str,
    active: bool,
    actor: str,
    clock: Clock = utc_now,
) -> list[str]:
    """Add (``unit_id`` None) or rename, enable or disable one main unit on the supervisor's
    behalf. ``name`` one line of at most 80 characters, unique without regard to case.
    Cases already with a unit keep it when it is disabled (its disposition can still be
    recorded); it is only no longer offered for new forwards."""
    clean_name = _name(name, "Nama unit utama", NAME_LIMITS["unit"])
    flag = _flag(active)
    changes: list[str] = []
    with immediate(db):
        old = None
        if unit_id is not None:
            old = next(db.query("SELECT * FROM main_units WHERE id = ?", (unit_id,)), None)
            if old is None:
                raise not_found("unit_unknown", unit=unit_id)
        _unique_name(db, "main_units", clean_name, unit_id, "Nama unit utama")
        if old is None:
            db.execute(
                "INSERT INTO main_units (name, active) VALUES (?, ?)", (clean_name, int(flag))
            )
            changes.append(CATALOG["unit_added"].format(name=clean_name))
        else:
            if old["name"] != clean_name:
                db.execute("UPDATE main_units SET name = ? WHERE id = ?", (clean_name, unit_id))
                changes.append(CATALOG["unit_renamed"].format(old=old["name"], name=clean_name))
            if bool(old["active"]) != flag:
                db.execute("UPDATE main_units SET active = ? WHERE id = ?", (int(flag), unit_id))
                change = CATALOG["unit_added"] if flag else CATALOG["unit_deactivated"]
                changes.append(change.format(name=clean_name))
        _record(db, clock(), actor, changes, None)
    return changes


def _record(
    db: sqlite_utils.Database,
    now: datetime,
    actor: str,
    changes: list[str],
    counter_id: int | None,
) -> None:
    """Check the whole catalog, mark the store as the truth and append the event; inside
    the caller's transaction, so a refusal here undoes the edit too. No change: nothing."""
    if not changes:
        return
    _check_catalog(db)
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (SOURCE_KEY, SOURCE_ADMIN),
    )
    _append_event(db, now, actor, SOURCE_ADMIN, changes, counter_id)


def _check_catalog(db: sqlite_utils.Database) -> None:
    """The rules the settings file enforces, on the stored catalog: a service stays active,
    and every active service (or one with tickets still waiting) has an active front-office
    counter, or its tickets would wait forever."""
    letters = list(db.query("SELECT letter, active FROM services"))
    if not any(r["active"] for r in letters):
        raise conflict("catalog_active_needed")
    needed = {r["letter"] for r in letters if r["active"]} | {
        r["service"]
        for r in db.query("SELECT DISTINCT service FROM tickets WHERE state = ?", (sop.WAITING,))
    }
    served = {
        r["service"]
        for r in db.query(
            "SELECT cs.service FROM counter_services cs "
            "JOIN counters c ON c.id = cs.counter_id "
            "WHERE c.active = 1 AND c.kind = ?",
            (FRONT_OFFICE,),
        )
    }
    missing = sorted(needed - served)
    if missing:
        raise conflict("catalog_service_unserved", letters=", ".join(missing))


def _append_event(
    db: sqlite_utils.Database,
    now: datetime,
    actor: str,
    source: str,
    changes: list[str],
    counter_id: int | None,
) -> None:
    """One ``catalog_changed`` event: who, and the change lines (no personal data)."""
    who = actor.strip() if isinstance(actor, str) else ""
    if not who or len(who) > _ACTOR_MAX or not who.isprintable():
        raise invalid("actor_invalid")
    eventlog.append(
        db,
        at=now,
        kind=EventKind.CATALOG_CHANGED,
        actor=who,
        payload={"source": source, "changes": changes},
        counter_id=counter_id,
    )


def _unique_name(
    db: sqlite_utils.Database, table: str, name: str, own_id: int | None, field: str
) -> None:
    """Refuse ``name`` when another row of ``table`` has it, without regard to case (as the
    settings file does: "LOKET 1" and "Loket 1" are one counter to a person)."""
    folded = name.casefold()
    # table: a fixed name, never input. Read whole: a refusal rolls the transaction back.
    for other in list(db.query(f"SELECT id, name FROM {table}")):
        if other["id"] != own_id and other["name"].casefold() == folded:
            raise conflict("catalog_name_taken", field=field, name=other["name"])


def _letter(value: object) -> str:
    letter = value.strip().upper() if isinstance(value, str) else ""
    if not _LETTER.fullmatch(letter):
        raise invalid("catalog_letter_invalid")
    return letter


def _letters(values: Iterable[str]) -> tuple[str, ...]:
    letters: list[str] = []
    for value in values:
        letter = _letter(value)
        if letter in letters:
            raise invalid("catalog_duplicate", field="Layanan", name=letter)
        letters.append(letter)
    return tuple(letters)


def _name(value: object, field: str, limit: int) -> str:
    """One line, stripped, at most ``limit`` characters: the settings file's rule, plus no
    line or paragraph separators (a page's form can carry those, a TOML string rarely)."""
    if not isinstance(value, str) or not value.strip():
        raise invalid("text_required", field=field)
    clean = value.strip()
    if len(clean) > limit:
        raise invalid("text_too_long", field=field, limit=limit)
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in clean):
        raise invalid("text_unprintable", field=field)
    return clean


def _names(values: Iterable[str], field: str, limit: int) -> tuple[str, ...]:
    """Non-blank names, each checked by :func:`_name`, each once without regard to case."""
    names: list[str] = []
    seen: set[str] = set()
    for value in values:
        if isinstance(value, str) and not value.strip():
            continue
        name = _name(value, field, limit)
        if name.casefold() in seen:
            raise invalid("catalog_duplicate", field=field, name=name)
        seen.add(name.casefold())
        names.append(name)
    return tuple(names)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise invalid("flag_invalid", field="Aktif")
    return value
