"""Tests for ult.settings: locating, defaults, the template and validation."""

import dataclasses
import datetime
import tomllib
import zoneinfo
from pathlib import Path
from textwrap import dedent

import pytest

from ult.settings import (
    BACK_OFFICE,
    FRONT_OFFICE,
    AdminSettings,
    ButtonSettings,
    CounterSettings,
    DisplaySettings,
    KioskSettings,
    OfficeSettings,
    PrinterSettings,
    QueueSettings,
    ServiceSettings,
    Settings,
    SettingsError,
    StoreSettings,
    load_settings,
    render_default_settings,
    rule_of,
)

DEFAULT_SERVICES = (
    ServiceSettings(
        letter="A",
        name="Layanan Informasi",
        topics=("Tunjangan Profesi", "Penilaian Angka Kredit", "Dapodik", "Layanan Umum"),
        active=True,
    ),
    ServiceSettings(letter="B", name="Pengaduan", topics=(), active=True),
    ServiceSettings(letter="C", name="Perizinan", topics=(), active=True),
    ServiceSettings(letter="D", name="Pengurusan", topics=(), active=True),
)
DEFAULT_COUNTERS = (
    CounterSettings(name="Loket 1", kind="front_office", services=("A", "B", "C", "D")),
    CounterSettings(name="Loket 2", kind="front_office", services=("A", "B", "C", "D")),
    CounterSettings(name="Back Office", kind="back_office", services=()),
)
DEFAULT_MAIN_UNITS = ("Bagian Umum", "Tim Kerja Penjaminan Mutu", "Tim Kerja Pemetaan Mutu")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str) -> Settings:
    """Load `text` as an explicit settings file, with ULT_HOME pointing elsewhere in tmp_path."""
    source = write(tmp_path / "conf" / "ult.toml", text)
    return load_settings(source, environ={"ULT_HOME": str(tmp_path / "home")})


def assert_defaults(settings: Settings, home: Path) -> None:
    assert settings.home == home
    assert settings.office == OfficeSettings(
        name="BPMP Provinsi Sumatera Utara", timezone="Asia/Jakarta"
    )
    assert settings.queue == QueueSettings(
        day_reset=datetime.time(0, 0),
        priority_interleave=3,
        recall_cooldown_seconds=15,
        recalls_before_no_show=2,
        label_format="{letter}-{number:03d}",
        default_service_minutes=10.0,
    )
    assert settings.store.database == home / "ult.db"
    assert settings.services == DEFAULT_SERVICES
    assert settings.counters == DEFAULT_COUNTERS
    assert settings.main_units == DEFAULT_MAIN_UNITS
    assert settings.printer == PrinterSettings(path=home / "tickets")
    assert settings.kiosk == KioskSettings()
    assert settings.admin == AdminSettings()
    assert settings.display == DisplaySettings()


# --- Locating the file and defaults ----------------------------------------------------------


def test_no_file_gives_defaults(tmp_path: Path) -> None:
    home = tmp_path / "home"
    settings = load_settings(environ={"ULT_HOME": str(home)})
    assert settings.source is None
    assert_defaults(settings, home)
    assert not home.exists(), "loading settings must not create the home directory"


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    source = write(tmp_path / "empty.toml", "")
    settings = load_settings(source, environ={"ULT_HOME": str(tmp_path / "home")})
    assert settings.source == source
    assert_defaults(settings, tmp_path / "home")


def test_ult_home_defaults_to_var_in_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.home == tmp_path.resolve() / "var"
    assert settings.home.is_absolute()
    assert settings.source is None


def test_relative_ult_home_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={"ULT_HOME": "data/ult"})
    assert settings.home == tmp_path.resolve() / "data" / "ult"
    assert settings.store.database == tmp_path.resolve() / "data" / "ult" / "ult.db"


def test_ult_toml_in_home_is_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    source = write(home / "ult.toml", '[office]\nname = "ULT Kabupaten"\n')
    settings = load_settings(environ={"ULT_HOME": str(home)})
    assert settings.source == source
    assert settings.office.name == "ULT Kabupaten"


def test_ult_config_wins_over_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write(home / "ult.toml", '[office]\nname = "from home"\n')
    config = write(tmp_path / "etc" / "ult.toml", '[office]\nname = "from ULT_CONFIG"\n')
    settings = load_settings(environ={"ULT_HOME": str(home), "ULT_CONFIG": str(config)})
    assert settings.source == config
    assert settings.office.name == "from ULT_CONFIG"
    assert settings.home == home


def test_path_argument_wins_over_ult_config(tmp_path: Path) -> None:
    config = write(tmp_path / "env.toml", '[office]\nname = "from ULT_CONFIG"\n')
    given = write(tmp_path / "given.toml", '[office]\nname = "from argument"\n')
    settings = load_settings(given, environ={"ULT_CONFIG": str(config)})
    assert settings.source == given
    assert settings.office.name == "from argument"


def test_os_environ_is_the_default_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path / "ult.toml", "[queue]\nrecall_cooldown_seconds = 30\n")
    monkeypatch.setenv("ULT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ULT_CONFIG", str(config))
    settings = load_settings()
    assert settings.home == tmp_path / "home"
    assert settings.queue.recall_cooldown_seconds == 30


def test_empty_environment_variables_count_as_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={"ULT_HOME": "", "ULT_CONFIG": ""})
    assert settings.home == tmp_path.resolve() / "var"
    assert settings.source is None


def test_missing_ult_config_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"ULT_CONFIG": str(missing), "ULT_HOME": str(tmp_path)})
    assert str(missing) in str(caught.value)
    assert "ULT_CONFIG" in str(caught.value)
    assert "tidak ditemukan" in str(caught.value)


def test_missing_path_argument_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(SettingsError, match="tidak ditemukan") as caught:
        load_settings(missing, environ={"ULT_HOME": str(tmp_path)})
    assert str(missing) in str(caught.value)
    assert caught.value.key is None


def test_directory_instead_of_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "home" / "ult.toml").mkdir(parents=True)
    with pytest.raises(SettingsError, match="tidak dapat dibaca"):
        load_settings(environ={"ULT_HOME": str(tmp_path / "home")})


# --- The commented template ------------------------------------------------------------------


def test_template_is_the_packaged_file() -> None:
    on_disk = Path(__file__).parents[2] / "ult" / "default_settings.toml"
    assert render_default_settings() == on_disk.read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["elsewhere", "home"])
def test_template_round_trips_to_defaults(tmp_path: Path, where: str) -> None:
    home = tmp_path / "home"
    target = tmp_path / "etc" / "ult.toml" if where == "elsewhere" else home / "ult.toml"
    write(target, render_default_settings())
    from_template = load_settings(target, environ={"ULT_HOME": str(home)})
    assert from_template.source == target
    assert_defaults(from_template, home)
    empty = write(tmp_path / "empty.toml", "")
    from_empty = load_settings(empty, environ={"ULT_HOME": str(home)})
    assert dataclasses.replace(from_template, source=None) == (
        dataclasses.replace(from_empty, source=None)
    )


def test_template_shows_every_key_with_a_comment() -> None:
    text = render_default_settings()
    lines = text.splitlines()
    keys = [f.name for f in dataclasses.fields(OfficeSettings)]
    keys += [f.name for f in dataclasses.fields(QueueSettings)]
    keys += [f.name for f in dataclasses.fields(ServiceSettings)]
    keys += [f.name for f in dataclasses.fields(CounterSettings)]
    keys += [f.name for f in dataclasses.fields(DisplaySettings)]
    keys += ["database", "main_units"]
    for key in keys:
        written = [i for i, line in enumerate(lines) if line.lstrip("# ").startswith(f"{key} =")]
        assert written, f"{key} is missing from the template"
        # Either a comment right above the key, or a legend line "#   key  explanation" for
        # the keys repeated in every [[services]] / [[counters]] block.
        commented_above = lines[written[0] - 1].startswith("#")
        in_legend = any(line.startswith(f"#   {key} ") for line in lines)
        assert commented_above or in_legend, f"{key} has no comment"
    parsed = tomllib.loads(text)
    assert parsed["display"] == {
        "orientation": "landscape",
        "sound": True,
        "announce_times": 1,
        "lower": "waiting",
        "slide_seconds": 10,
    }


# --- Values that are read --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"), [("lower", '"video"'), ("slide_seconds", "2"), ("slide_seconds", "601")]
)
def test_the_lower_part_settings_are_checked(tmp_path: Path, key: str, value: str) -> None:
    with pytest.raises(SettingsError, match=key):
        load_settings(write(tmp_path / "u.toml", f"[display]\n{key} = {value}\n"))


@pytest.mark.parametrize("times", [0, 4, "2", 1.5])
def test_announce_times_is_one_to_three(tmp_path: Path, times: object) -> None:
    value = f'"{times}"' if isinstance(times, str) else str(times)
    with pytest.raises(SettingsError, match="announce_times"):
        load_settings(write(tmp_path / "u.toml", f"[display]\nannounce_times = {value}\n"))


def test_values_are_read(tmp_path: Path) -> None:
    settings = load_text(
        tmp_path,
        """
        main_units = ["Subbag Umum"]

        [office]
        name = "  ULT Dinas Pendidikan  "
        timezone = "Asia/Makassar"

        [queue]
        day_reset = "05:30"
        priority_interleave = 0
        recall_cooldown_seconds = 600
        recalls_before_no_show = 10
        label_format = "{letter}{number}"
        default_service_minutes = 7
        """,
    )
    assert settings.main_units == ("Subbag Umum",)
    assert settings.office.name == "ULT Dinas Pendidikan"
    assert settings.office.tz == zoneinfo.ZoneInfo("Asia/Makassar")
    assert settings.queue.day_reset == datetime.time(5, 30)
    assert settings.queue.priority_interleave == 0
    assert settings.queue.recall_cooldown_seconds == 600
    assert settings.queue.recalls_before_no_show == 10
    assert settings.queue.label("B", 12) == "B12"
    assert settings.queue.default_service_minutes == 7.0
    assert isinstance(settings.queue.default_service_minutes, float)


def test_single_digit_hour_is_accepted(tmp_path: Path) -> None:
    settings = load_text(tmp_path, '[queue]\nday_reset = "6:05"\n')
    assert settings.queue.day_reset == datetime.time(6, 5)


def test_default_timezone_is_jakarta() -> None:
    assert OfficeSettings().tz == zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    ("label_format", "letter", "number", "label"),
    [
        ("{letter}-{number:03d}", "A", 7, "A-007"),
        ("{letter}-{number:03d}", "D", 42, "D-042"),
        ("{letter}-{number:03d}", "B", 1234, "B-1234"),
        ("{letter}{number}", "C", 5, "C5"),
        ("{number:04d}{letter}", "A", 9, "0009A"),
    ],
)
def test_label(label_format: str, letter: str, number: int, label: str) -> None:
    assert QueueSettings(label_format=label_format).label(letter, number) == label


def test_label_without_letter_is_allowed_with_a_single_service(tmp_path: Path) -> None:
    settings = load_text(
        tmp_path,
        """
        [queue]
        label_format = "{number:03d}"

        [[services]]
        letter = "A"
        name = "Layanan"
        """,
    )
    assert settings.queue.label("A", 7) == "007"


def test_relative_database_is_relative_to_the_settings_file(tmp_path: Path) -> None:
    settings = load_text(tmp_path, '[store]\ndatabase = "data/antrian.db"\n')
    assert settings.store.database == tmp_path / "conf" / "data" / "antrian.db"


def test_absolute_database_is_kept(tmp_path: Path) -> None:
    settings = load_text(tmp_path, f'[store]\ndatabase = "{tmp_path / "ssd" / "ult.db"}"\n')
    assert settings.store.database == tmp_path / "ssd" / "ult.db"


def test_default_database_is_in_home_even_when_file_is_elsewhere(tmp_path: Path) -> None:
    settings = load_text(tmp_path, "[store]\n")
    assert settings.store.database == tmp_path / "home" / "ult.db"


def test_services_replace_the_defaults(tmp_path: Path) -> None:
    settings = load_text(
        tmp_path,
        """
        [[services]]
        letter = "P"
        name = " Perizinan Sekolah "
        topics = ["Izin Operasional", "Akreditasi "]

        [[services]]
        letter = "Q"
        name = "Konsultasi"
        active = false
        """,
    )
    assert settings.services == (
        ServiceSettings("P", "Perizinan Sekolah", ("Izin Operasional", "Akreditasi"), True),
        ServiceSettings("Q", "Konsultasi", (), False),
    )
    assert settings.service("Q").name == "Konsultasi"
    with pytest.raises(KeyError):
        settings.service("A")
    # Counters were not given: the default counters serve the services that now exist.
    assert settings.counters == (
        CounterSettings("Loket 1", FRONT_OFFICE, ("P", "Q")),
        CounterSettings("Loket 2", FRONT_OFFICE, ("P", "Q")),
        CounterSettings("Back Office", BACK_OFFICE, ()),
    )
    assert settings.main_units == DEFAULT_MAIN_UNITS


def test_counters_and_main_units_replace_the_defaults(tmp_path: Path) -> None:
    settings = load_text(
        tmp_path,
        """
        main_units = []

        [[counters]]
        name = "Meja Depan"
        kind = "front_office"
        services = ["B", "A", "C", "D"]

        [[counters]]
        name = "Ruang BO"
        kind = "back_office"
        """,
    )
    assert settings.counters == (
        CounterSettings("Meja Depan", FRONT_OFFICE, ("B", "A", "C", "D")),
        CounterSettings("Ruang BO", BACK_OFFICE, ()),
    )
    assert settings.main_units == ()
    assert settings.services == DEFAULT_SERVICES


def test_service_lookup(tmp_path: Path) -> None:
    settings = load_settings(environ={"ULT_HOME": str(tmp_path)})
    assert settings.service("A").topics[2] == "Dapodik"
    assert settings.service("D").name == "Pengurusan"
    with pytest.raises(KeyError):
        settings.service("E")


def test_settings_are_immutable(tmp_path: Path) -> None:
    settings = load_settings(environ={"ULT_HOME": str(tmp_path)})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.office = OfficeSettings(name="x")  # type: ignore[misc]
    assert hash(settings) == hash(load_settings(environ={"ULT_HOME": str(tmp_path)}))


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    source = tmp_path / "ult.toml"
    source.write_bytes(b'\xef\xbb\xbf[office]\nname = "BOM"\n')
    assert load_settings(source, environ={}).office.name == "BOM"


# --- Errors ----------------------------------------------------------------------------------


def test_error_message_names_file_key_value_and_allowed(tmp_path: Path) -> None:
    source = write(tmp_path / "ult.toml", "[queue]\nrecall_cooldown_seconds = -5\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(source, environ={})
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.key == "queue.recall_cooldown_seconds"
    assert error.value == -5
    assert error.allowed == "bilangan bulat 0–600"
    assert error.source == source
    assert str(error) == (
        f"Pengaturan tidak valid ({source}): queue.recall_cooldown_seconds = -5; "
        "yang diizinkan: bilangan bulat 0–600"
    )


LONG = "x" * 81
# (file text, expected key, how the bad value must appear in the message; None = missing key)
INVALID = [
    # unknown keys and sections
    ("colour = 1", "colour", "1"),
    ("[printers]\nmodel = 1", "printers", "{ model = 1 }"),
    ("[queue]\nrecall_cooldown = 5", "queue.recall_cooldown", "5"),
    ('[office]\n"nama kantor" = "x"', 'office."nama kantor"', '"x"'),
    ('[store]\npath = "x.db"', "store.path", '"x.db"'),
    ('[[services]]\nletter = "A"\nname = "X"\ncolour = "red"', "services[0].colour", '"red"'),
    (
        '[[counters]]\nname = "L"\nkind = "front_office"\nservices = ["A"]\nfoo = 1',
        "counters[0].foo",
        "1",
    ),
    ('[queue]\nmain_units = ["X"]', "queue.main_units", '["X"]'),
    # sections of the wrong type
    ("office = 1", "office", "1"),
    ('[[queue]]\nday_reset = "01:00"', "queue", '[{ day_reset = "01:00" }]'),
    ('[services]\nletter = "A"', "services", '{ letter = "A" }'),
    ("services = [1]", "services[0]", "1"),
    ('counters = "Loket 1"', "counters", '"Loket 1"'),
    # office
    ('[office]\nname = "   "', "office.name", '"   "'),
    (f'[office]\nname = "{LONG}"', "office.name", f'"{LONG}"'),
    ("[office]\nname = 5", "office.name", "5"),
    ('[office]\nname = "a\\nb"', "office.name", '"a\\nb"'),
    ('[office]\ntimezone = "Mars/Olympus"', "office.timezone", '"Mars/Olympus"'),
    ('[office]\ntimezone = "Asia"', "office.timezone", '"Asia"'),
    ('[office]\ntimezone = "../../etc/passwd"', "office.timezone", '"../../etc/passwd"'),
    ('[office]\ntimezone = ""', "office.timezone", '""'),
    ("[office]\ntimezone = 7", "office.timezone", "7"),
    # queue
    ('[queue]\nday_reset = "24:00"', "queue.day_reset", '"24:00"'),
    ('[queue]\nday_reset = "12:60"', "queue.day_reset", '"12:60"'),
    ('[queue]\nday_reset = "7"', "queue.day_reset", '"7"'),
    ('[queue]\nday_reset = "07:00:00"', "queue.day_reset", '"07:00:00"'),
    ("[queue]\nday_reset = 07:00:00", "queue.day_reset", "07:00:00"),
    ("[queue]\nday_reset = 700", "queue.day_reset", "700"),
    ("[queue]\npriority_interleave = 21", "queue.priority_interleave", "21"),
    ("[queue]\npriority_interleave = -1", "queue.priority_interleave", "-1"),
    ("[queue]\npriority_interleave = 3.0", "queue.priority_interleave", "3.0"),
    ('[queue]\npriority_interleave = "3"', "queue.priority_interleave", '"3"'),
    ("[queue]\nrecall_cooldown_seconds = 601", "queue.recall_cooldown_seconds", "601"),
    ("[queue]\nrecalls_before_no_show = 11", "queue.recalls_before_no_show", "11"),
    ("[queue]\nrecalls_before_no_show = -1", "queue.recalls_before_no_show", "-1"),
    ("[queue]\ndefault_service_minutes = 0.5", "queue.default_service_minutes", "0.5"),
    ("[queue]\ndefault_service_minutes = 241", "queue.default_service_minutes", "241"),
    ("[queue]\ndefault_service_minutes = nan", "queue.default_service_minutes", "nan"),
    ("[queue]\ndefault_service_minutes = inf", "queue.default_service_minutes", "inf"),
    ('[queue]\ndefault_service_minutes = "10"', "queue.default_service_minutes", '"10"'),
    # label_format
    ('[queue]\nlabel_format = "{letter}"', "queue.label_format", '"{letter}"'),
    ('[queue]\nlabel_format = ""', "queue.label_format", '""'),
    (
        '[queue]\nlabel_format = "{letter}{number}{office}"',
        "queue.label_format",
        '"{letter}{number}{office}"',
    ),
    ('[queue]\nlabel_format = "{}{number}"', "queue.label_format", '"{}{number}"'),
    (
        '[queue]\nlabel_format = "{letter.__class__}{number}"',
        "queue.label_format",
        '"{letter.__class__}{number}"',
    ),
    (
        '[queue]\nlabel_format = "{letter}{number:{letter}}"',
        "queue.label_format",
        '"{letter}{number:{letter}}"',
    ),
    ('[queue]\nlabel_format = "{letter}-{number"', "queue.label_format", '"{letter}-{number"'),
    ('[queue]\nlabel_format = "{letter:d}{number}"', "queue.label_format", '"{letter:d}{number}"'),
    ('[queue]\nlabel_format = "{letter}{number!z}"', "queue.label_format", '"{letter}{number!z}"'),
    (
        '[queue]\nlabel_format = "NOMOR ANTRIAN {letter}-{number:03d}"',
        "queue.label_format",
        '"NOMOR ANTRIAN {letter}-{number:03d}"',
    ),
    ('[queue]\nlabel_format = "{letter}{number:c}"', "queue.label_format", '"{letter}{number:c}"'),
    # 99 and 100 both become 1e+02
    (
        '[queue]\nlabel_format = "{letter}{number:.0e}"',
        "queue.label_format",
        '"{letter}{number:.0e}"',
    ),
    # without the letter, A-007 and B-007 would look the same
    ('[queue]\nlabel_format = "{number:03d}"', "queue.label_format", '"{number:03d}"'),
    ("[queue]\nlabel_format = 5", "queue.label_format", "5"),
    # services
    ("services = []", "services", "[]"),
    ('[[services]]\nletter = "a"\nname = "X"', "services[0].letter", '"a"'),
    ('[[services]]\nletter = "AB"\nname = "X"', "services[0].letter", '"AB"'),
    ('[[services]]\nletter = ""\nname = "X"', "services[0].letter", '""'),
    ('[[services]]\nletter = "Ä"\nname = "X"', "services[0].letter", '"Ä"'),
    ('[[services]]\nletter = 1\nname = "X"', "services[0].letter", "1"),
    ('[[services]]\nname = "X"', "services[0].letter", None),
    (
        '[[services]]\nletter = "A"\nname = "X"\n[[services]]\nletter = "B"\nname = "Y"\n'
        '[[services]]\nletter = "A"\nname = "Z"',
        "services[2].letter",
        '"A"',
    ),
    ('[[services]]\nletter = "A"', "services[0].name", None),
    ('[[services]]\nletter = "A"\nname = ""', "services[0].name", '""'),
    (f'[[services]]\nletter = "A"\nname = "{"n" * 61}"', "services[0].name", f'"{"n" * 61}"'),
    (
        '[[services]]\nletter = "A"\nname = "X"\ntopics = "Dapodik"',
        "services[0].topics",
        '"Dapodik"',
    ),
    (
        '[[services]]\nletter = "A"\nname = "X"\ntopics = ["Dapodik", " "]',
        "services[0].topics[1]",
        '" "',
    ),
    (
        '[[services]]\nletter = "A"\nname = "X"\ntopics = ["Dapodik", "DAPODIK"]',
        "services[0].topics[1]",
        '"DAPODIK"',
    ),
    ('[[services]]\nletter = "A"\nname = "X"\ntopics = [1]', "services[0].topics[0]", "1"),
    (
        f'[[services]]\nletter = "A"\nname = "X"\ntopics = ["{"t" * 61}"]',
        "services[0].topics[0]",
        f'"{"t" * 61}"',
    ),
    ('[[services]]\nletter = "A"\nname = "X"\nactive = "yes"', "services[0].active", '"yes"'),
    ('[[services]]\nletter = "A"\nname = "X"\nactive = 1', "services[0].active", "1"),
    (
        '[[services]]\nletter = "A"\nname = "X"\nactive = false',
        "services",
        '[{ letter = "A", name = "X", active = false }]',
    ),
    # counters
    ("counters = []", "counters", "[]"),
    (
        '[[counters]]\nname = "BO"\nkind = "back_office"',
        "counters",
        '[{ name = "BO", kind = "back_office" }]',
    ),
    ('[[counters]]\nkind = "front_office"\nservices = ["A"]', "counters[0].name", None),
    ('[[counters]]\nname = ""\nkind = "front_office"\nservices = ["A"]', "counters[0].name", '""'),
    (
        f'[[counters]]\nname = "{"L" * 41}"\nkind = "front_office"\nservices = ["A"]',
        "counters[0].name",
        f'"{"L" * 41}"',
    ),
    (
        '[[counters]]\nname = "Loket 1"\nkind = "front_office"\nservices = ["A"]\n'
        '[[counters]]\nname = "loket 1"\nkind = "front_office"\nservices = ["B"]',
        "counters[1].name",
        '"loket 1"',
    ),
    ('[[counters]]\nname = "L"\nservices = ["A"]', "counters[0].kind", None),
    (
        '[[counters]]\nname = "L"\nkind = "frontoffice"\nservices = ["A"]',
        "counters[0].kind",
        '"frontoffice"',
    ),
    (
        '[[counters]]\nname = "L"\nkind = "front_office"\nservices = ["E"]',
        "counters[0].services[0]",
        '"E"',
    ),
    (
        '[[counters]]\nname = "L"\nkind = "front_office"\nservices = ["A", "a"]',
        "counters[0].services[1]",
        '"a"',
    ),
    (
        '[[counters]]\nname = "L"\nkind = "front_office"\nservices = ["A", "B", "A"]',
        "counters[0].services[2]",
        '"A"',
    ),
    (
        '[[counters]]\nname = "L"\nkind = "front_office"\nservices = []',
        "counters[0].services",
        "[]",
    ),
    ('[[counters]]\nname = "L"\nkind = "front_office"', "counters[0].services", None),
    (
        '[[counters]]\nname = "L"\nkind = "front_office"\nservices = "A"',
        "counters[0].services",
        '"A"',
    ),
    (
        '[[services]]\nletter = "X"\nname = "Lain"\n[[counters]]\nname = "L"\n'
        'kind = "front_office"\nservices = ["A"]',
        "counters[0].services[0]",
        '"A"',
    ),
    # main units
    ('main_units = "Bagian Umum"', "main_units", '"Bagian Umum"'),
    ('main_units = ["Bagian Umum", ""]', "main_units[1]", '""'),
    ('main_units = ["Bagian Umum", "bagian umum"]', "main_units[1]", '"bagian umum"'),
    (f'main_units = ["{LONG}"]', "main_units[0]", f'"{LONG}"'),
    # store
    ('[store]\ndatabase = ""', "store.database", '""'),
    ('[store]\ndatabase = "  "', "store.database", '"  "'),
    ("[store]\ndatabase = 5", "store.database", "5"),
    # display
    ('[display]\norientation = "upside"', "display.orientation", '"upside"'),
    ("[display]\nfont = 3", "display.font", "3"),
    ('[display]\nlogo = ""', "display.logo", '""'),
    ('[display]\nsound = "yes"', "display.sound", '"yes"'),
    ('[display]\naudio_device = ""', "display.audio_device", '""'),
    ("[display]\nfullscreen = true", "display.fullscreen", "true"),
    # printer
    ('[printer]\nport = "/dev/usb/lp0"', "printer.port", '"/dev/usb/lp0"'),
    ('[printer]\nconnection = "bluetooth"', "printer.connection", '"bluetooth"'),
    ('[printer]\nconnection = "usb"', "printer.vendor_id", None),
    ('[printer]\nconnection = "usb"\nvendor_id = 1208', "printer.product_id", None),
    ("[printer]\nvendor_id = 70000", "printer.vendor_id", "70000"),
    ('[printer]\nconnection = "network"', "printer.host", None),
    ('[printer]\nconnection = "file"', "printer.path", None),
    ("[printer]\npaper_width_mm = 57", "printer.paper_width_mm", "57"),
    ("[printer]\nbaudrate = 1234", "printer.baudrate", "1234"),
    ("[printer]\ntimeout_seconds = 0", "printer.timeout_seconds", "0"),
    ("[printer]\nstatus_checks = 1", "printer.status_checks", "1"),
    ('[printer]\nfooter = "a\\nb"', "printer.footer", '"a\\nb"'),
    ("[printer]\nmodel = 1", "printer.model", "1"),
    ("[kiosk]\nbutton_pin = 17", "kiosk.button_pin", "17"),
    ("[kiosk]\nled_pin = 40", "kiosk.led_pin", "40"),
    ("[kiosk]\nled_pin = 17", "kiosk.led_pin", "17"),
    ("[kiosk]\nmax_per_minute = 0", "kiosk.max_per_minute", "0"),
    ("[kiosk]\nmin_interval_seconds = -1", "kiosk.min_interval_seconds", "-1"),
    ('[[kiosk.buttons]]\npin = 5\nservice = "Z"', "kiosk.buttons[0].service", '"Z"'),
    ("[[kiosk.buttons]]\npin = 5", "kiosk.buttons[0].service", None),
    ('[[kiosk.buttons]]\npin = 99\nservice = "A"', "kiosk.buttons[0].pin", "99"),
    (
        '[[kiosk.buttons]]\npin = 5\nservice = "A"\npriority = "ya"',
        "kiosk.buttons[0].priority",
        '"ya"',
    ),
    (
        '[[kiosk.buttons]]\npin = 5\nservice = "A"\n[[kiosk.buttons]]\npin = 5\nservice = "B"',
        "kiosk.buttons[1].pin",
        "5",
    ),
    ('[admin]\npublic_base_url = "ult.local"', "admin.public_base_url", '"ult.local"'),
    ("[admin]\nport = 0", "admin.port", "0"),
    ('[admin]\nport = "8080"', "admin.port", '"8080"'),
    ("[admin]\nmax_streams = 0", "admin.max_streams", "0"),
    ("[admin]\nmax_streams = 50\nthreads = 57", "admin.threads", "57"),
    ("[admin]\nsession_idle_minutes = 1", "admin.session_idle_minutes", "1"),
    ('[admin]\nhost = ""', "admin.host", '""'),
    ("[admin]\nlisten = 1", "admin.listen", "1"),
    ("[display]\nfullscreen = true", "display.fullscreen", "true"),
    ("printer = 1", "printer", "1"),
]


@pytest.mark.parametrize(("text", "key", "shown"), INVALID, ids=[case[1] for case in INVALID])
def test_invalid_values_are_rejected(
    tmp_path: Path, text: str, key: str, shown: str | None
) -> None:
    source = write(tmp_path / "ult.toml", text + "\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(source, environ={"ULT_HOME": str(tmp_path / "home")})
    error = caught.value
    message = str(error)
    assert error.key == key
    assert error.source == source
    assert message.startswith(f"Pengaturan tidak valid ({source}): {key}")
    assert error.allowed and error.allowed in message
    if shown is None:
        assert error.value is None
        assert "wajib diisi" in message
    else:
        assert f"{key} = {shown}" in message


@pytest.mark.parametrize(
    "key", ["priority_interleave", "recall_cooldown_seconds", "recalls_before_no_show"]
)
@pytest.mark.parametrize("flag", ["true", "false"])
def test_bool_is_not_an_integer(tmp_path: Path, key: str, flag: str) -> None:
    source = write(tmp_path / "ult.toml", f"[queue]\n{key} = {flag}\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(source, environ={})
    assert caught.value.key == f"queue.{key}"
    assert caught.value.value is (flag == "true")
    assert f"queue.{key} = {flag}" in str(caught.value)


def test_bool_is_not_a_number(tmp_path: Path) -> None:
    source = write(tmp_path / "ult.toml", "[queue]\ndefault_service_minutes = true\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(source, environ={})
    assert caught.value.key == "queue.default_service_minutes"


def test_display_section(tmp_path: Path) -> None:
    source = write(
        tmp_path / "ult.toml",
        '[display]\norientation = "portrait"\nfont = "fonts/x.ttf"\nlogo = "/srv/logo.png"\n'
        'audio_device = "hdmi"\nsound = false\n',
    )
    display = load_settings(source, environ={}).display
    assert display == DisplaySettings(
        font=tmp_path / "fonts" / "x.ttf",
        logo=Path("/srv/logo.png"),
        orientation="portrait",
        audio_device="hdmi",
        sound=False,
    )


def test_unknown_key_lists_the_known_keys(tmp_path: Path) -> None:
    source = write(tmp_path / "ult.toml", "[office]\nnama = 1\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(source, environ={})
    assert "tidak dikenal" in str(caught.value)
    assert "name, timezone" in str(caught.value)


def test_top_level_key_under_a_section_gets_a_hint(tmp_path: Path) -> None:
    source = write(tmp_path / "ult.toml", '[office]\nname = "X"\nmain_units = ["Y"]\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(source, environ={})
    assert caught.value.key == "office.main_units"
    assert "di atas judul bagian" in str(caught.value)


def test_label_collision_is_explained(tmp_path: Path) -> None:
    source = write(tmp_path / "ult.toml", '[queue]\nlabel_format = "{number:03d}"\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(source, environ={})
    assert 'sama-sama menjadi "007"' in str(caught.value)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[queue\nday_reset = 1\n", 1),
        ('[office]\nname = "ULT"\ntimezone = Asia/Jakarta\n', 3),
        ("[queue]\npriority_interleave = 1\npriority_interleave = 2\n", 3),
    ],
)
def test_toml_syntax_error(tmp_path: Path, text: str, line: int) -> None:
    source = write(tmp_path / "ult.toml", text)
    with pytest.raises(SettingsError) as caught:
        load_settings(source, environ={})
    message = str(caught.value)
    assert message.startswith(f"Berkas pengaturan bukan TOML yang valid ({source})")
    assert f"baris {line}," in message
    assert caught.value.key is None


def test_unterminated_string_reports_end_of_file(tmp_path: Path) -> None:
    source = write(tmp_path / "ult.toml", '[office]\nname = """ULT\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(source, environ={})
    assert str(caught.value).startswith(
        f"Berkas pengaturan bukan TOML yang valid ({source}): akhir berkas: "
    )


def test_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    source = tmp_path / "ult.toml"
    source.write_bytes(b'[office]\nname = "Unit \xe9"\n')
    with pytest.raises(SettingsError, match="UTF-8"):
        load_settings(source, environ={})


def test_long_values_are_shortened_in_messages(tmp_path: Path) -> None:
    source = write(tmp_path / "ult.toml", f'[queue]\nlabel_format = "{"x" * 500}"\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(source, environ={})
    assert caught.value.key == "queue.label_format"
    assert caught.value.value == "x" * 500
    assert len(str(caught.value)) < 600


def test_label_format_must_keep_every_number_apart(tmp_path: Path) -> None:
    path = tmp_path / "ult.toml"
    path.write_text('[queue]\nlabel_format = "{letter}{number:.2e}"\n', encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(path, environ={})
    assert caught.value.key == "queue.label_format"
    assert "1000" in str(caught.value) and "1001" in str(caught.value)


def test_every_active_service_needs_a_front_office_counter(tmp_path: Path) -> None:
    path = tmp_path / "ult.toml"
    path.write_text(
        '[[services]]\nletter = "A"\nname = "Info"\n[[services]]\nletter = "B"\n'
        'name = "Aduan"\n[[counters]]\nname = "Loket 1"\nkind = "front_office"\n'
        'services = ["A"]\n',
        encoding="utf-8",
    )
    with pytest.raises(SettingsError) as caught:
        load_settings(path, environ={})
    assert caught.value.key == "counters" and "layanan B" in str(caught.value)
    inactive = path.read_text(encoding="utf-8").replace(
        'name = "Aduan"', 'name = "Aduan"\nactive = false'
    )
    path.write_text(inactive, encoding="utf-8")
    assert [s.letter for s in load_settings(path, environ={}).services] == ["A", "B"]


def test_printer_kiosk_and_admin_sections(tmp_path: Path) -> None:
    source = write(
        tmp_path / "ult.toml",
        """
[printer]
connection = "usb"
vendor_id = 0x0416
product_id = 0x5011
paper_width_mm = 80
profile = "POS-5890"

[kiosk]
led_pin = false
[[kiosk.buttons]]
pin = 5
service = "B"
[[kiosk.buttons]]
pin = 6
service = "A"
priority = true

[admin]
public_base_url = "https://antrian.bpmp.example/ "
""",
    )
    settings = load_settings(source, environ={})
    assert (settings.printer.vendor_id, settings.printer.product_id) == (0x0416, 0x5011)
    assert settings.printer.paper_width_mm == 80 and settings.printer.path is None
    assert settings.kiosk.buttons == (ButtonSettings(5, "B"), ButtonSettings(6, "A", True))
    assert settings.kiosk.led_pin is None
    assert settings.admin.public_base_url == "https://antrian.bpmp.example"
    assert settings.admin.threads >= settings.admin.max_streams + 8


def test_file_printer_path_is_relative_to_the_settings_file(tmp_path: Path) -> None:
    source = write(
        tmp_path / "conf" / "ult.toml", '[printer]\nconnection = "file"\npath = "out.bin"\n'
    )
    assert load_settings(source, environ={}).printer.path == tmp_path / "conf" / "out.bin"


# --- Each setting declared once ---------------------------------------------------------------

RULED = [
    (section, cls, f)
    for section, cls in (
        ("office", OfficeSettings),
        ("queue", QueueSettings),
        ("store", StoreSettings),
        ("printer", PrinterSettings),
        ("kiosk", KioskSettings),
        ("admin", AdminSettings),
        ("display", DisplaySettings),
    )
    for f in dataclasses.fields(cls)
    if f.name in {g.name for g in dataclasses.fields(cls) if g.metadata}
]


# What the other keys of a section must say for one key's every allowed value to load.
CONTEXT = {
    # threads must exceed max_streams by the spare threads: keep max_streams small for it.
    "admin": "max_streams = 1\n",
    # buzzer_pin = 27 would share the LED's pin.
    "kiosk": "led_pin = false\n",
    # Each connection's own required keys.
    "printer": 'vendor_id = 1\nproduct_id = 1\nhost = "h"\npath = "p"\n',
}


def _in_section(section: str, body: str) -> str:
    key = body.split(" = ")[0]
    context = "".join(
        line + "\n" for line in CONTEXT.get(section, "").splitlines() if line.split(" = ")[0] != key
    )
    return f"[{section}]\n{context}{body}\n"


@pytest.mark.parametrize(
    ("section", "name"),
    [(section, f.name) for section, _cls, f in RULED if rule_of(_cls, f.name).high is not None],
)
def test_each_declared_range_is_enforced_at_both_ends(
    tmp_path: Path, section: str, name: str
) -> None:
    cls = dict((s, c) for s, c, _ in RULED)[section]
    rule = rule_of(cls, name)
    low = rule.low if rule.low is not None else 1 + 8  # admin.threads: max_streams + 8
    for fine in (low, rule.high):
        loaded = load_text(tmp_path, _in_section(section, f"{name} = {fine}"))
        assert getattr(getattr(loaded, section), name) == fine
    for bad in (low - 1, rule.high + 1):
        with pytest.raises(SettingsError) as caught:
            load_text(tmp_path, _in_section(section, f"{name} = {bad}"))
        assert caught.value.key == f"{section}.{name}"
        assert str(rule.high) in caught.value.allowed


@pytest.mark.parametrize(
    ("section", "name"),
    [(section, f.name) for section, _cls, f in RULED if rule_of(_cls, f.name).choices],
)
def test_each_declared_choice_list_is_enforced(tmp_path: Path, section: str, name: str) -> None:
    cls = dict((s, c) for s, c, _ in RULED)[section]
    choices = rule_of(cls, name).choices
    assert choices
    for choice in choices:
        value = f'"{choice}"' if isinstance(choice, str) else choice
        loaded = load_text(tmp_path, _in_section(section, f"{name} = {value}"))
        assert getattr(getattr(loaded, section), name) == choice
    with pytest.raises(SettingsError) as caught:
        load_text(tmp_path, _in_section(section, f'{name} = "bukan-pilihan"'))
    assert caught.value.key == f"{section}.{name}"
    assert caught.value.allowed == "salah satu dari: " + ", ".join(map(str, choices))


def test_the_template_writes_each_declared_default_and_range() -> None:
    text = render_default_settings()
    parsed = tomllib.loads(text)
    for section, _cls, f in RULED:
        if f.default is None:
            continue
        assert parsed[section][f.name] == f.default, f"{section}.{f.name}"
    rule = rule_of(QueueSettings, "priority_interleave")
    assert f"Whole number {rule.low}..{rule.high};" in text
    assert "@{" not in text


def test_no_buttons_makes_the_kiosk_only_the_printer_owner(tmp_path: Path) -> None:
    # Issue 10: ult kiosk runs also where no button is configured (reception-only office).
    settings = load_text(tmp_path, "[kiosk]\nbuttons = []\nled_pin = false")
    assert settings.kiosk.buttons == () and settings.kiosk.led_pin is None
