"""Shared fixtures: a real SQLite file per test, the default settings, a fake clock."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlite_utils

from ult.catalog import apply_catalog
from ult.clock import FakeClock
from ult.queue import Queue
from ult.settings import Settings, load_settings
from ult.store import checkpoint, connect

if TYPE_CHECKING:
    from kiosk.button import ButtonDaemon

# 09:00 in Jakarta (UTC+7) on a Wednesday: the office is open.
OPENING = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


NO_HOURS = "\n[hours]\nenabled = false\n"
"""Appended by :func:`make_settings` to a text without ``[hours]``: tests move their clocks
through nights and weekends, and only the service-hours tests (which write their own
``[hours]``) are about issuing being closed."""


def hours_off(config: Path) -> None:
    """Turn the service hours off in the settings file ``config`` (as ``ult init`` writes it,
    or any other): for tests that run the real clock, which may read a Sunday night."""
    text = config.read_text(encoding="utf-8")
    if "[hours]" not in text:
        config.write_text(text + NO_HOURS, encoding="utf-8")
        return
    if "\nenabled = false\n" in text:
        return  # already off (a second ult init leaves the file as it was)
    assert text.count("\nenabled = true\n") == 1, "hours_off: not a settings file it knows"
    config.write_text(text.replace("\nenabled = true\n", "\nenabled = false\n"), "utf-8")


def hours_off_after_init(args: tuple[str, ...]) -> None:
    """After ``ult init`` (in-process, ``ULT_HOME`` set, no ``ULT_CONFIG``), :func:`hours_off`
    on the settings file it wrote."""
    home = os.environ.get("ULT_HOME")
    if args[:1] == ("init",) and home and not os.environ.get("ULT_CONFIG"):
        config = Path(home) / "ult.toml"
        if config.exists():
            hours_off(config)


def make_settings(home: Path, text: str = "") -> Settings:
    """Settings from a file holding ``text`` in ``home`` (empty: every default but the
    service hours, which are off unless ``text`` has an ``[hours]`` table: :data:`NO_HOURS`)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "ult.toml"
    if "[hours]" not in text:
        text += NO_HOURS
    config.write_text(text, encoding="utf-8")
    return load_settings(config, environ={"ULT_HOME": str(home)})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


_MADE: dict[str, bytes] = {}
"""Database files as ``connect`` and ``apply_catalog`` made them, by settings file text."""


def fresh_database(settings: Settings) -> sqlite_utils.Database:
    """The database of ``settings``: the store's schema and the settings' catalogue.

    The first one per settings text is made by ``connect`` and ``apply_catalog``; later ones
    are byte copies of it (the same file, without running every migration and its commits
    again for each of hundreds of tests).
    """
    path = settings.store.database
    key = settings.source.read_text(encoding="utf-8") if settings.source else ""
    made = _MADE.get(key)
    if made is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(made)
        return connect(path)
    database = connect(path)
    apply_catalog(database, settings)
    checkpoint(database)  # everything in the main file, so its bytes are the database
    _MADE[key] = path.read_bytes()
    return database


@pytest.fixture
def db(settings: Settings) -> sqlite_utils.Database:
    database = fresh_database(settings)
    yield database
    database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(OPENING)


@pytest.fixture
def queue(db: sqlite_utils.Database, settings: Settings, clock: FakeClock) -> Queue:
    return Queue(db, settings, clock=clock)


@contextlib.contextmanager
def tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """A tmpfs mounted on ``folder`` (created) with mount ``options`` such as ``size=64k`` or
    ``ro``, unmounted afterwards; the test is skipped where mounting needs root it lacks."""
    folder.mkdir(exist_ok=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
            capture_output=True,
            text=True,
        )
    except OSError as error:  # no mount(8) at all
        pytest.skip(f"cannot mount a tmpfs here: {error}")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs mounted for the test (root only; skipped elsewhere)."""
    with tmpfs(tmp_path / "disk", "size=4m") as mount:
        yield mount


def fill(directory: Path) -> Path:
    """Write zeros into ``directory``/filler until the file system refuses."""
    filler = directory / "filler"
    # Unbuffered: nothing left to flush (and fail) when the file is closed.
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(bytes(64 * 1024))
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
    return filler


@pytest.fixture(autouse=True)
def _no_installed_appliance(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """An appliance installed on the machine running the tests (``/etc/ult/ult.toml``) never
    becomes the tests' settings: without ULT_CONFIG or ULT_HOME, ult would find it."""
    import ult.settings as settings_module

    absent = tmp_path_factory.getbasetemp() / "no-installed-appliance" / "ult.toml"
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG", absent)


@pytest.fixture
def daemons() -> Iterator[Callable[..., ButtonDaemon]]:
    """``daemons(settings, *, idle_s=10, **options)``: a started ``ult kiosk`` daemon (the
    buttons and the printer's owner) with ``ButtonDaemon`` options, idle after its first
    printer check within ``idle_s`` seconds; every one started is stopped at the end."""
    from kiosk.button import ButtonDaemon

    started: list[ButtonDaemon] = []

    def start(settings: Settings, *, idle_s: float = 10, **options: Any) -> ButtonDaemon:
        daemon = ButtonDaemon(settings, **options)
        daemon.start()
        started.append(daemon)
        assert daemon.wait_idle(idle_s)
        return daemon

    yield start
    for daemon in started:
        daemon.stop()
