"""Shared fixtures: a real SQLite file per test, the default settings, a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.queue import Queue
from ult.settings import Settings, load_settings
from ult.store import connect

# 09:00 in Jakarta (UTC+7) on a Wednesday: the office is open.
OPENING = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def make_settings(home: Path, text: str = "") -> Settings:
    """Settings from a file holding ``text`` in ``home`` (empty: every default)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "ult.toml"
    config.write_text(text, encoding="utf-8")
    return load_settings(config, environ={"ULT_HOME": str(home)})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


@pytest.fixture
def db(settings: Settings) -> sqlite_utils.Database:
    database = connect(settings.store.database)
    apply_catalog(database, settings)
    yield database
    database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(OPENING)


@pytest.fixture
def queue(db: sqlite_utils.Database, settings: Settings, clock: FakeClock) -> Queue:
    return Queue(db, settings, clock=clock)
