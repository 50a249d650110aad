"""Where ``ult`` finds the settings and the database (:func:`ult.settings.settings_paths`): on an
installed appliance a technician's ``ult`` reaches the appliance's from any folder with no
variable set, and ``ult init`` run in the wrong place never starts a second, empty appliance.

The appliance's fixed places (``/etc/ult/ult.toml``, ``/var/lib/ult``) are pointed at temporary
folders for the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ult import settings as settings_module
from ult.cli import main
from ult.settings import load_settings, render_default_settings, settings_paths


@pytest.fixture
def appliance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An installed appliance: its settings file exists, its home is empty (as make install
    leaves them before ``ult init``). Returns ``(settings file, home)``."""
    config = tmp_path / "etc" / "ult" / "ult.toml"
    config.parent.mkdir(parents=True)
    config.write_text(render_default_settings(), encoding="utf-8")
    home = tmp_path / "var" / "lib" / "ult"
    home.mkdir(parents=True)
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG", config)
    monkeypatch.setattr(settings_module, "SYSTEM_HOME", home)
    monkeypatch.delenv("ULT_CONFIG", raising=False)
    monkeypatch.delenv("ULT_HOME", raising=False)
    elsewhere = tmp_path / "pi-home"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return config, home


def test_no_variable_on_the_appliance_finds_its_settings_and_home(appliance) -> None:
    config, home = appliance
    assert settings_paths(environ={}) == (config, home)
    loaded = load_settings(environ={})
    assert loaded.source == config and loaded.home == home
    assert loaded.store.database == home / "ult.db"


@pytest.mark.parametrize("variable", ["ULT_CONFIG", "ULT_HOME"])
def test_one_of_the_units_variables_alone_finds_the_other(appliance, variable: str) -> None:
    # A technician who copies one Environment= line of a unit still reaches the appliance.
    config, home = appliance
    value = str(config if variable == "ULT_CONFIG" else home)
    assert settings_paths(environ={variable: value}) == (config, home)


def test_a_named_place_wins_over_the_appliance(appliance, tmp_path: Path) -> None:
    other = tmp_path / "other"
    assert settings_paths(environ={"ULT_HOME": str(other)}) == (other / "ult.toml", other)
    named = tmp_path / "named.toml"
    assert settings_paths(named, environ={}) == (named, Path.cwd() / "var")


def test_without_an_installed_appliance_the_checkout_keeps_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings_module, "SYSTEM_CONFIG", tmp_path / "absent" / "ult.toml")
    monkeypatch.chdir(tmp_path)
    assert settings_paths(environ={}) == (tmp_path / "var" / "ult.toml", tmp_path / "var")


def test_ult_init_in_a_home_folder_sets_up_the_appliance_not_a_second_one(appliance) -> None:
    config, home = appliance
    before = config.read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["init"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert str(config) in result.output and str(home / "ult.db") in result.output
    assert (home / "ult.db").exists()
    assert config.read_text(encoding="utf-8") == before
    assert list(Path.cwd().iterdir()) == []  # no ./var, no second settings file


def test_a_missing_database_says_where_the_appliance_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ULT_HOME", str(tmp_path / "wrong"))
    monkeypatch.delenv("ULT_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["status"])
    assert result.exit_code == 2
    assert str(tmp_path / "wrong" / "ult.db") in result.output
    assert "/etc/ult/ult.toml" in result.output and "sudo" in result.output
    assert not (tmp_path / "wrong").exists()
