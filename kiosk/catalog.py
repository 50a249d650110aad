"""Services, topics, counters and main units: seeded into the store from the settings.

The settings file describes a fresh appliance; once seeded, the store is the truth (the
supervisor's page edits it). Seeding only adds what is missing and never overwrites or
deletes, so running ``ult init`` again is safe and keeps tickets' references intact.
"""

from __future__ import annotations

import sqlite_utils

from kiosk.settings import Settings
from kiosk.store import immediate


def seed_catalog(db: sqlite_utils.Database, settings: Settings) -> dict[str, int]:
    """Insert the settings' services, topics, counters and main units the store lacks.

    Returns how many rows of each were added: ``{"services": 4, "topics": 4, ...}``.
    """
    added = {"services": 0, "topics": 0, "counters": 0, "main_units": 0}
    with immediate(db):
        for position, service in enumerate(settings.services):
            cursor = db.execute(
                "INSERT OR IGNORE INTO services (letter, name, active, position) "
                "VALUES (?, ?, ?, ?)",
                (service.letter, service.name, int(service.active), position),
            )
            added["services"] += cursor.rowcount
            for topic in service.topics:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO topics (service, name) VALUES (?, ?)",
                    (service.letter, topic),
                )
                added["topics"] += cursor.rowcount
        for counter in settings.counters:
            cursor = db.execute(
                "INSERT OR IGNORE INTO counters (name, kind) VALUES (?, ?)",
                (counter.name, counter.kind),
            )
            if cursor.rowcount:
                added["counters"] += 1
                counter_id = cursor.lastrowid
                for letter in counter.services:
                    db.execute(
                        "INSERT INTO counter_services (counter_id, service) VALUES (?, ?)",
                        (counter_id, letter),
                    )
        for name in settings.main_units:
            cursor = db.execute("INSERT OR IGNORE INTO main_units (name) VALUES (?)", (name,))
            added["main_units"] += cursor.rowcount
    return added
