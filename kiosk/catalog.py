"""Services, topics, counters and main units: applied to the store from the settings.

The settings file is where a technician describes the office; ``ult init`` applies it to the
store, which the queue reads. Nothing is ever deleted, because tickets and events refer to
these rows: what the file no longer names is made inactive, and comes back when named again.
"""

from __future__ import annotations

import sqlite_utils

from kiosk.messages import CATALOG
from kiosk.settings import Settings
from kiosk.store import immediate, rows


def apply_catalog(db: sqlite_utils.Database, settings: Settings) -> list[str]:
    """Make the store's services, topics, counters and main units match ``settings``.

    Adds what is missing, updates names, order, activity, counter kinds and the services each
    counter serves, and deactivates what the settings no longer name. One transaction.
    Returns one Indonesian line per change (empty when the store already matched).
    """
    changes: list[str] = []
    with immediate(db):
        _services(db, settings, changes)
        _counters(db, settings, changes)
        _main_units(db, settings, changes)
    return changes


def _services(db: sqlite_utils.Database, settings: Settings, changes: list[str]) -> None:
    stored = {r["letter"]: r for r in rows(db, "SELECT * FROM services")}
    for position, service in enumerate(settings.services):
        wanted = (service.name, int(service.active), position)
        old = stored.get(service.letter)
        if old is None:
            db.execute(
                "INSERT INTO services (letter, name, active, position) VALUES (?, ?, ?, ?)",
                (service.letter, *wanted),
            )
            changes.append(
                CATALOG["service_added"].format(letter=service.letter, name=service.name)
            )
        elif (old["name"], old["active"], old["position"]) != wanted:
            db.execute(
                "UPDATE services SET name = ?, active = ?, position = ? WHERE letter = ?",
                (*wanted, service.letter),
            )
            retired = old["active"] and not service.active
            change = "service_deactivated" if retired else "service_changed"
            changes.append(CATALOG[change].format(letter=service.letter, name=service.name))
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
        for r in rows(db, "SELECT * FROM topics WHERE service = ?", (letter,))
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
    # Keyed without case: "LOKET 1" in the file renames "Loket 1", it is not a new desk.
    stored = {r["name"].casefold(): r for r in rows(db, "SELECT * FROM counters")}
    for counter in settings.counters:
        old = stored.get(counter.name.casefold())
        if old is None:
            counter_id = db.execute(
                "INSERT INTO counters (name, kind) VALUES (?, ?)", (counter.name, counter.kind)
            ).lastrowid
            changes.append(CATALOG["counter_added"].format(name=counter.name))
        else:
            counter_id = old["id"]
            if (old["name"], old["kind"], old["active"]) != (counter.name, counter.kind, 1):
                db.execute(
                    "UPDATE counters SET name = ?, kind = ?, active = 1 WHERE id = ?",
                    (counter.name, counter.kind, counter_id),
                )
                changes.append(CATALOG["counter_changed"].format(name=counter.name))
        served = {
            r["service"]
            for r in rows(
                db, "SELECT service FROM counter_services WHERE counter_id = ?", (counter_id,)
            )
        }
        if served != set(counter.services):
            db.execute("DELETE FROM counter_services WHERE counter_id = ?", (counter_id,))
            for letter in counter.services:
                db.execute(
                    "INSERT INTO counter_services (counter_id, service) VALUES (?, ?)",
                    (counter_id, letter),
                )
            if old is not None:
                changes.append(
                    CATALOG["counter_services"].format(
                        name=counter.name, services=", ".join(counter.services) or "-"
                    )
                )
    named = {c.name.casefold() for c in settings.counters}
    for folded, old in stored.items():
        if folded not in named and old["active"]:
            db.execute("UPDATE counters SET active = 0 WHERE id = ?", (old["id"],))
            changes.append(CATALOG["counter_retired"].format(name=old["name"]))


def _main_units(db: sqlite_utils.Database, settings: Settings, changes: list[str]) -> None:
    stored = {r["name"]: r["active"] for r in rows(db, "SELECT name, active FROM main_units")}
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
