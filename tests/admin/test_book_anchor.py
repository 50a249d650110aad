"""The report book prints the day's last event hash (issue 13, part 4): a paper copy in the
archive anchors the electronic record, and ``ult verify --anchor`` checks against it."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta
from html import unescape
from typing import Any

from tests.reports_day import DAY, simulate_day
from ult import chain
from ult.clock import FakeClock
from ult.queue import Queue


def _anchor_part(client: Any, day: Any) -> str:
    response = client.get(f"/reports/book?day={day}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return unescape(re.sub(r"\s+", " ", page[page.index('id="book-anchor"') :]))


def test_the_book_prints_the_days_last_hash_and_how_to_check_it(
    as_role: Any, app_queue: Queue, clock: FakeClock
) -> None:
    client, _ = as_role("supervisor")
    simulate_day(app_queue, clock)
    db = app_queue.db
    last_of_day, last_hash = db.execute(
        "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1"
    ).fetchone()
    last_hash = last_hash.hex()
    # The next business day goes on writing: yesterday's book keeps yesterday's last event.
    clock.now = clock.now.replace(hour=2, minute=0) + timedelta(days=1)
    app_queue.issue("A", actor="kiosk")
    assert db.execute("SELECT max(id) FROM events").fetchone()[0] > last_of_day
    part = _anchor_part(client, DAY)
    assert f"(#{last_of_day}):" in part and "sampai lembar ini dicetak" not in part
    assert f"<code>{last_hash}</code>" in part
    assert f"ult verify --anchor {last_hash}" in part
    # What the paper says is what verify accepts, and a change before it is caught.
    assert chain.verify(db, last_hash).anchor_id == last_of_day
    conn = sqlite3.connect(app_queue.settings.store.database)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET actor = 'orang lain' WHERE id = 3")
    conn.commit()
    conn.close()
    assert not chain.verify(db, last_hash).anchor_holds()


def test_a_day_before_any_event_prints_no_anchor(as_role: Any, app_queue: Queue) -> None:
    client, _ = as_role("supervisor")
    part = _anchor_part(client, DAY - timedelta(days=30))
    assert "Belum ada peristiwa tercatat" in part and "ult verify" not in part


def test_todays_book_says_its_hash_is_the_newest_so_far(
    as_role: Any, app_queue: Queue, clock: FakeClock
) -> None:
    client, _ = as_role("supervisor")
    app_queue.issue("B", actor="kiosk")
    newest = app_queue.db.execute("SELECT id, hash FROM events ORDER BY id DESC").fetchone()
    part = _anchor_part(client, app_queue.today())
    assert f"(#{newest[0]}, sampai lembar ini dicetak):" in part and newest[1].hex() in part
