"""Each server thread's connection keeps its share of ``admin.cache_mb``, not SQLite's 2 MB."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from admin import create_app
from admin.db import get_db
from tests.conftest import fresh_database, make_settings
from ult.clock import FakeClock


@pytest.mark.parametrize(
    ("admin", "kib"),
    [
        ("max_streams = 8\nthreads = 16\ncache_mb = 32", 2048),
        ("cache_mb = 1", 256),  # 64 threads: the floor, not 16 KiB each
        ("", 256),  # the defaults: 16 MB over 64 threads
    ],
)
def test_each_server_thread_keeps_its_share_of_the_page_cache(
    tmp_path: Path, clock: FakeClock, admin: str, kib: int
) -> None:
    settings = make_settings(tmp_path / "home", f"[admin]\n{admin}\n")
    fresh_database(settings).close()
    app = create_app(settings, clock=clock, config={"TESTING": True})
    sizes: list[int] = []

    def serve() -> None:
        with app.app_context():
            sizes.append(get_db().execute("PRAGMA cache_size").fetchone()[0])

    workers = [threading.Thread(target=serve) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sizes == [-kib] * 3
