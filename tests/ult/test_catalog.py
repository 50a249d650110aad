"""The catalog editor of the supervisor's page, and how ``ult init`` treats its work."""

from __future__ import annotations

import pytest
import sqlite_utils

from ult import catalog, queries
from ult.catalog import apply_catalog, init_catalog, save_counter, save_service, save_unit
from ult.clock import FakeClock
from ult.errors import QueueError
from ult.queue import Queue
from ult.settings import Settings


def state(db: sqlite_utils.Database) -> dict[str, list]:
    tables = ("services", "topics", "counters", "counter_services", "main_units", "meta", "events")
    return {t: [tuple(r) for r in db.execute(f"SELECT * FROM {t} ORDER BY 1, 2")] for t in tables}


def counter_id(db: sqlite_utils.Database, name: str) -> int:
    return db.execute("SELECT id FROM counters WHERE name = ?", (name,)).fetchone()[0]


def refused(db: sqlite_utils.Database, code: str, edit, **values) -> QueueError:
    """Run ``edit(db, **values)``, expect refusal ``code`` and an unchanged store."""
    before = state(db)
    with pytest.raises(QueueError) as caught:
        edit(db, **values)
    assert caught.value.code == code, caught.value.message
    assert state(db) == before
    return caught.value


def test_applying_the_file_records_no_event_and_leaves_the_file_the_truth(db) -> None:
    assert catalog.catalog_source(db) == catalog.SOURCE_SETTINGS
    assert queries.last_event_id(db) == 0


def test_an_edit_is_one_change_with_its_event_and_makes_the_store_the_truth(
    db, clock: FakeClock
) -> None:
    changes = save_service(
        db,
        letter="B",
        name="Pengaduan Masyarakat",
        topics=["Layanan", "Pegawai"],
        active=True,
        actor="siti",
        clock=clock,
    )
    assert changes == [
        "Layanan B (Pengaduan Masyarakat) diperbarui.",
        "Topik 'Layanan' pada layanan B ditambahkan.",
        "Topik 'Pegawai' pada layanan B ditambahkan.",
    ]
    assert catalog.catalog_source(db) == catalog.SOURCE_ADMIN
    [event] = queries.events_after(db, 0)
    assert (event.kind, event.actor, event.at) == ("catalog_changed", "siti", clock())
    assert event.payload == {"source": "admin", "changes": changes}
    current = catalog.read_catalog(db)
    assert current.services[1].topics == ("Layanan", "Pegawai")
    assert (current.changed_by, current.changed_at) == ("siti", clock())
    # Saving it again unchanged records nothing.
    assert (
        save_service(
            db,
            letter="b",
            name="Pengaduan Masyarakat",
            topics=["Layanan", "Pegawai"],
            active=True,
            actor="siti",
        )
        == []
    )
    assert queries.last_event_id(db) == event.id


def test_renaming_a_counter_keeps_its_row_and_history(db, queue: Queue) -> None:
    queue.issue("A", actor="r")
    queue.call_next("Loket 1", actor="fo")
    queue.start("A-001", "Loket 1", actor="fo")
    loket1 = counter_id(db, "Loket 1")
    every = ["A", "B", "C", "D"]
    changes = save_counter(
        db,
        counter_id=loket1,
        name="Loket Informasi",
        kind="front_office",
        services=every,
        active=True,
        actor="siti",
    )
    assert changes == ["Loket Informasi diperbarui."]
    assert queue.counter(loket1).name == "Loket Informasi"
    assert queue.ticket("A-001").counter_id == loket1  # the case stays where it is


def test_invariants_of_the_settings_file_hold_for_page_edits(db, queue: Queue) -> None:
    every = ["A", "B", "C", "D"]
    loket1, loket2 = counter_id(db, "Loket 1"), counter_id(db, "Loket 2")
    # Deactivate B, C and D: A must stay.
    for letter, name in (("B", "Pengaduan"), ("C", "Perizinan"), ("D", "Pengurusan")):
        save_service(db, letter=letter, name=name, topics=[], active=False, actor="siti")
    error = refused(
        db,
        "catalog_active_needed",
        save_service,
        letter="A",
        name="Layanan Informasi",
        topics=[],
        active=False,
        actor="siti",
    )
    assert error.kind == "conflict" and "Paling sedikit satu layanan" in error.message
    # Loket 2 stops serving A: fine, Loket 1 still does. Then Loket 1 may not stop.
    save_counter(
        db,
        counter_id=loket2,
        name="Loket 2",
        kind="front_office",
        services=["B"],
        active=True,
        actor="siti",
    )
    refused(
        db,
        "catalog_service_unserved",
        save_counter,
        counter_id=loket1,
        name="Loket 1",
        kind="front_office",
        services=every,
        active=False,
        actor="siti",
    )
    refused(
        db,
        "catalog_service_unserved",
        save_counter,
        counter_id=loket1,
        name="Loket 1",
        kind="back_office",
        services=[],
        active=True,
        actor="siti",
    )


def test_an_inactive_service_with_tickets_waiting_keeps_a_counter(db, queue: Queue) -> None:
    queue.issue("B", actor="r")
    save_service(db, letter="B", name="Pengaduan", topics=[], active=False, actor="siti")
    every_but_b = ["A", "C", "D"]
    save_counter(
        db,
        counter_id=counter_id(db, "Loket 2"),
        name="Loket 2",
        kind="front_office",
        services=every_but_b,
        active=True,
        actor="siti",
    )
    error = refused(
        db,
        "catalog_service_unserved",
        save_counter,
        counter_id=counter_id(db, "Loket 1"),
        name="Loket 1",
        kind="front_office",
        services=every_but_b,
        active=True,
        actor="siti",
    )
    assert "Layanan B" in error.message


def test_a_new_service_comes_with_its_counters(db) -> None:
    loket2 = counter_id(db, "Loket 2")
    refused(
        db,
        "catalog_service_unserved",
        save_service,
        letter="E",
        name="Legalisir",
        topics=[],
        active=True,
        actor="siti",
        create=True,
    )
    refused(
        db,
        "counter_unknown",
        save_service,
        letter="E",
        name="Legalisir",
        topics=[],
        active=True,
        actor="siti",
        create=True,
        counter_ids=[counter_id(db, "Back Office")],
    )
    changes = save_service(
        db,
        letter="E",
        name="Legalisir",
        topics=[],
        active=True,
        actor="siti",
        create=True,
        counter_ids=[loket2, loket2],
    )
    assert changes[-1] == "Loket 2 sekarang melayani: A, B, C, D, E."
    assert [s.letter for s in catalog.read_catalog(db).services] == ["A", "B", "C", "D", "E"]


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"letter": "Ä"}, "catalog_letter_invalid"),
        ({"letter": ""}, "catalog_letter_invalid"),
        ({"name": "  "}, "text_required"),
        ({"name": "x" * 61}, "text_too_long"),
        ({"name": "Dua\u2028baris"}, "text_unprintable"),
        ({"name": "Tab\tdi tengah"}, "text_unprintable"),
        ({"topics": ["Dapodik", " DAPODIK "]}, "catalog_duplicate"),
        ({"active": "ya"}, "flag_invalid"),
        ({"actor": ""}, "actor_invalid"),
        ({"actor": "baris\nbaru"}, "actor_invalid"),
    ],
)
def test_bad_service_values_are_refused(db, values: dict, code: str) -> None:
    base = {"letter": "B", "name": "Pengaduan Baru", "topics": [], "active": True, "actor": "siti"}
    refused(db, code, save_service, **(base | values))


def test_counter_and_unit_names_are_unique_without_regard_to_case(db) -> None:
    refused(
        db,
        "catalog_name_taken",
        save_counter,
        counter_id=None,
        name="LOKET 2",
        kind="back_office",
        services=[],
        active=True,
        actor="siti",
    )
    refused(
        db,
        "catalog_name_taken",
        save_unit,
        unit_id=None,
        name="BAGIAN UMUM",
        active=True,
        actor="siti",
    )
    refused(db, "unit_unknown", save_unit, unit_id=999, name="Bagian X", active=True, actor="siti")
    # Its own name in another case is a rename, not a clash.
    unit = db.execute("SELECT id FROM main_units WHERE name = 'Bagian Umum'").fetchone()[0]
    changes = save_unit(db, unit_id=unit, name="BAGIAN UMUM", active=True, actor="siti")
    assert changes == ["Unit utama 'Bagian Umum' sekarang bernama 'BAGIAN UMUM'."]


def test_init_keeps_the_supervisors_catalog_until_forced(db, settings: Settings) -> None:
    assert init_catalog(db, settings) == []  # the file already matches: nothing to say
    save_service(db, letter="C", name="Perizinan Sekolah", topics=[], active=True, actor="siti")
    [line] = init_catalog(db, settings, actor="cli:root")
    assert "dikelola supervisor di halaman admin" in line and "siti" in line
    assert "ult init --apply-catalog" in line
    assert queries.service_names(db)["C"] == "Perizinan Sekolah"
    changes = init_catalog(db, settings, force=True, actor="cli:root")
    assert changes == ["Layanan C (Perizinan) diperbarui."]
    assert catalog.catalog_source(db) == catalog.SOURCE_SETTINGS
    event = queries.events_after(db, 0)[-1]
    assert (event.actor, event.payload["source"]) == ("cli:root", "settings")
    assert event.payload["changes"][0] == "Katalog kembali mengikuti berkas pengaturan."
    # Forcing when nothing differs and the file already rules records nothing.
    last = queries.last_event_id(db)
    assert init_catalog(db, settings, force=True, actor="cli:root") == []
    assert queries.last_event_id(db) == last


def test_apply_catalog_without_actor_still_makes_the_file_the_truth(db, settings: Settings) -> None:
    save_unit(db, unit_id=None, name="Tim Humas", active=True, actor="siti")
    assert apply_catalog(db, settings) == ["Unit utama 'Tim Humas' dinonaktifkan."]
    assert catalog.catalog_source(db) == catalog.SOURCE_SETTINGS
