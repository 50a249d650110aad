"""Appliance settings: one TOML file, read and validated once at start-up.

:func:`load_settings` finds the file, parses it with :mod:`tomllib` and returns a frozen
:class:`Settings`. Every key has a default, so an empty file, or no file at all, gives a working
appliance. Anything not understood is rejected with a :class:`SettingsError` naming the key
instead of being ignored: a silently ignored typo on a kiosk nobody watches becomes a queue that
misbehaves for weeks.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
import re
import string
import tomllib
import types
import unicodedata
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, Final

from ult.messages import SETTINGS_TEXT

# User-facing text lives in ult/messages.py, with the rest of the package's.
MESSAGES: Final[Mapping[str, str]] = types.MappingProxyType(SETTINGS_TEXT)

FRONT_OFFICE: Final = "front_office"
BACK_OFFICE: Final = "back_office"
COUNTER_KINDS: Final = (FRONT_OFFICE, BACK_OFFICE)

# Limits chosen so names fit one line of an 80 mm ticket and the caller board.
_SERVICE_NAME_MAX: Final = 60
_TOPIC_MAX: Final = 60
_COUNTER_NAME_MAX: Final = 40
_MAIN_UNIT_MAX: Final = 80
_LABEL_MAX: Final = 16
# Numbers a busy day can reach; labels must stay distinct across all of them.
_LABEL_SAMPLES: Final = (7, 1, 9, 10, 99, 100, 999, 1000, 9999)
_LABEL_MAX_NUMBER: Final = 9999
_TOP_LEVEL_KEYS: Final = (
    "main_units",
    "office",
    "queue",
    "store",
    "services",
    "counters",
    "printer",
    "kiosk",
    "admin",
    "display",
    "escalation",
    "survey",
    "privacy",
    "hours",
)
_BCM_PINS: Final = (0, 27)
_SHOWN_VALUE_MAX: Final = 120


def _text(name: str, **fields: object) -> str:
    return MESSAGES[name].format(**fields)


# --- Declaring a setting ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """What values one setting allows, declared next to its field by :func:`setting`.

    ``low``/``high``: a number's range (both ends allowed); ``choices``: the allowed values;
    ``max_len``: a one-line text's most characters; ``optional``: ``false`` (or leaving out a
    key whose default is ``None``) means none. A field with a rule is read and checked by
    ``_Parser.declared`` and its default and range written into the template by
    :func:`render_default_settings`; fields without one have checks of their own.
    """

    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] | None = None
    max_len: int | None = None
    optional: bool = False

    def range_text(self) -> str:
        """The range as the template writes it, ``"0..20"``."""
        return f"{_toml(self.low)}..{_toml(self.high)}"


_RULE: Final = "ult.settings.rule"


def setting(
    default: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    choices: tuple[Any, ...] | None = None,
    max_len: int | None = None,
    optional: bool = False,
) -> Any:
    """A settings field with its default and its :class:`Rule`, e.g.
    ``priority_interleave: int = setting(3, low=0, high=20)``."""
    return field(default=default, metadata={_RULE: Rule(low, high, choices, max_len, optional)})


def rule_of(cls: type, name: str) -> Rule:
    """The :class:`Rule` declared for field ``name`` of the settings class ``cls``."""
    return _declared(cls)[name].metadata[_RULE]


def _declared(cls: type) -> dict[str, Any]:
    return {f.name: f for f in fields(cls) if _RULE in f.metadata}


# --- Settings objects ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceSettings:
    """A service (layanan): its letter starts ticket labels and has its own daily numbers.

    ``active=False`` keeps the service defined (old tickets, counters, reports) but stops new
    tickets for it.
    """

    letter: str
    name: str
    topics: tuple[str, ...] = ()
    active: bool = True


@dataclass(frozen=True)
class CounterSettings:
    """A counter (loket): ``kind`` is FRONT_OFFICE or BACK_OFFICE; ``services`` are letters."""

    name: str
    kind: str
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfficeSettings:
    """The office: display name and the IANA time zone that defines its local day."""

    # The institution: the ticket prints "UNIT LAYANAN TERPADU" under it (issue 14).
    name: str = setting("BPMP Provinsi Sumatera Utara", max_len=80)
    timezone: str = "Asia/Jakarta"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The office time zone (``zoneinfo`` caches instances, so this is cheap)."""
        return zoneinfo.ZoneInfo(self.timezone)


@dataclass(frozen=True)
class QueueSettings:
    """Queue rules.

    Attributes:
        day_reset: local time at which every service's numbers restart at 1.
        priority_interleave: priority calls in a row before a waiting normal ticket gets its
            turn; 0 means priority tickets are always called first.
        recall_cooldown_seconds: seconds before the same ticket may be recalled.
        recalls_before_no_show: recalls required before a ticket may be marked no-show.
        label_format: :meth:`str.format` template with the fields ``letter`` and ``number``.
        default_service_minutes: minutes per visitor assumed until real service times exist.
    """

    day_reset: datetime.time = datetime.time(0, 0)
    priority_interleave: int = setting(3, low=0, high=20)
    recall_cooldown_seconds: int = setting(15, low=0, high=600)
    recalls_before_no_show: int = setting(2, low=0, high=10)
    label_format: str = "{letter}-{number:03d}"
    default_service_minutes: float = setting(10.0, low=1, high=240)

    def label(self, letter: str, number: int) -> str:
        """Return the ticket label, e.g. ``label("A", 7) == "A-007"`` with the default format."""
        return self.label_format.format(letter=letter, number=number)


@dataclass(frozen=True)
class StoreSettings:
    """Where the SQLite database lives (always an absolute path), and how many backups
    ``ult backup`` keeps in its folder (the oldest beyond ``backups_kept`` are deleted)."""

    database: Path
    backups_kept: int = setting(14, low=1, high=1000)


PRINTER_CONNECTIONS: Final = ("usb", "serial", "network", "file", "preview", "none")
PAPER_WIDTHS_MM: Final = (58, 80)
SERIAL_BAUDRATES: Final = (9600, 19200, 38400, 57600, 115200)


@dataclass(frozen=True)
class PrinterSettings:
    """The ticket printer (``[printer]``).

    ``connection`` picks the transport; only its own keys are used: ``usb`` (``vendor_id``,
    ``product_id``, optional ``in_ep``/``out_ep``), ``serial`` (``device``, ``baudrate``),
    ``network`` (``host``, ``port``), ``file`` (``path``: a device such as ``/dev/usb/lp0``
    or an ordinary file the exact bytes are appended to), ``preview`` (``path``: a folder
    that receives one PNG per ticket; default ``<home>/tickets``), ``none``. ``profile`` is
    a python-escpos capabilities profile name, checked when the printer is opened.
    ``timeout_seconds`` bounds every printer call; ``status_checks`` false skips online and
    paper queries for models whose replies lie.
    """

    connection: str = setting("preview", choices=PRINTER_CONNECTIONS)
    profile: str = setting("default", max_len=60)
    paper_width_mm: int = setting(58, choices=PAPER_WIDTHS_MM)
    vendor_id: int | None = setting(None, low=0, high=0xFFFF, optional=True)
    product_id: int | None = setting(None, low=0, high=0xFFFF, optional=True)
    in_ep: int | None = setting(None, low=0, high=0xFFFF, optional=True)
    out_ep: int | None = setting(None, low=0, high=0xFFFF, optional=True)
    device: str = setting("/dev/ttyUSB0", max_len=200)
    baudrate: int = setting(9600, choices=SERIAL_BAUDRATES)
    host: str | None = setting(None, max_len=253, optional=True)
    port: int = setting(9100, low=1, high=65535)
    path: Path | None = None
    timeout_seconds: float = setting(5.0, low=0.5, high=30)
    status_checks: bool = setting(True)
    footer: str = setting("Terima kasih. Silakan menunggu panggilan.", max_len=120)


@dataclass(frozen=True)
class ButtonSettings:
    """One physical ticket button: a GPIO pin (BCM number) and the service it issues;
    ``priority``: a button marked for priority visitors (UU 25/2009 Pasal 29) issues
    priority tickets (no category: the reception records one when it marks a ticket)."""

    pin: int
    service: str
    priority: bool = False


@dataclass(frozen=True)
class KioskSettings:
    """The ticket-button daemon (``[kiosk]``).

    ``min_interval_seconds`` is the least time between two tickets of one button and
    ``max_per_minute`` its cap, so a child leaning on the button cannot empty the paper
    roll; ``debounce_ms`` filters contact bounce (milliseconds). Pins are BCM numbers.
    No buttons (``buttons = []``): the daemon only prints for the reception and the API.
    """

    buttons: tuple[ButtonSettings, ...] = (ButtonSettings(17, "A"),)
    led_pin: int | None = setting(27, low=_BCM_PINS[0], high=_BCM_PINS[1], optional=True)
    buzzer_pin: int | None = setting(None, low=_BCM_PINS[0], high=_BCM_PINS[1], optional=True)
    debounce_ms: int = setting(50, low=0, high=1000)
    min_interval_seconds: float = setting(3.0, low=0, high=60)
    max_per_minute: int = setting(20, low=1, high=120)


@dataclass(frozen=True)
class AdminSettings:
    """The staff web app (``[admin]``).

    ``public_base_url`` is where visitors' phones reach it: the ticket QR encodes
    ``{public_base_url}/t/{token}``. ``host``/``port`` are where ``ult admin`` listens.
    ``threads`` is waitress's worker count and ``max_streams`` the cap on open board event
    streams; each stream holds a thread, so ``threads`` must exceed ``max_streams`` by at
    least :data:`ADMIN_SPARE_THREADS` for staff pages never to wait (PITFALLS, admin).
    ``cache_mb`` is SQLite's page cache of all those threads together: each thread keeps its
    own connection, with ``cache_mb / threads`` of it (:func:`admin.db.thread_cache_kib`). SQLite's
    own default is 2 MB per connection, and with a year of history 64 of them grew
    ``ult admin`` to 185-245 MB (PITFALLS: size threads and cache together; a Pi 3 has 1 GB).
    ``session_idle_minutes``: a staff session ends after this long without a request.
    ``behind_proxy``: ``ult admin`` is reached through one reverse proxy (nginx, HTTPS;
    systemd/README.md): the proxy's X-Forwarded-For/-Proto/-Host are trusted and the
    session cookie is marked Secure.
    """

    public_base_url: str = "http://ult.local:8080"
    host: str = setting("0.0.0.0", max_len=253)
    port: int = setting(8080, low=1, high=65535)
    threads: int = setting(64, high=1000)  # low: max_streams + ADMIN_SPARE_THREADS
    max_streams: int = setting(50, low=1, high=500)
    cache_mb: int = setting(16, low=1, high=1024)
    session_idle_minutes: int = setting(540, low=5, high=24 * 60)
    behind_proxy: bool = setting(False)


ADMIN_SPARE_THREADS: Final = 8
"""Waitress threads kept free of event streams for pages and the API."""

ORIENTATIONS: Final = ("landscape", "portrait")
LOWER_PANELS: Final = ("waiting", "announcements", "slides")
"""What the lower part of the caller boards shows (``[display] lower``)."""
ANNOUNCEMENT_MAX: Final = 160
"""Most characters of one board announcement: a few lines in large type."""


@dataclass(frozen=True)
class DisplaySettings:
    """The caller board (``[display]``).

    ``font`` replaces DejaVu Sans and ``logo`` (PNG or JPEG) is drawn beside the office
    name; both are paths, relative ones to the settings file's folder. A missing file does
    not stop the board: it is logged and the default is used. ``orientation`` "portrait"
    turns the picture a quarter for a TV hung on its side. ``audio_device`` is the ALSA
    device name as SDL lists it (None: the system default); ``sound`` false keeps the
    board silent. ``announce_times``: how often each call's words are spoken in a row (the
    chime sounds once before them), on the TV and the browser board alike. ``lower``: what
    the lower part of both boards shows: "waiting" (the waiting numbers per service in large
    type), "announcements" (the office's ``announcements``, one at a time in large type) or
    "slides" (the PNG, JPEG and PDF pages of the folder ``slides``, in name order); each
    announcement or slide shows ``slide_seconds`` seconds; the waiting numbers while there
    are none.
    """

    font: Path | None = None
    logo: Path | None = None
    orientation: str = setting("landscape", choices=ORIENTATIONS)
    audio_device: str | None = setting(None, max_len=200, optional=True)
    sound: bool = setting(True)
    announce_times: int = setting(1, low=1, high=3)
    lower: str = setting("waiting", choices=LOWER_PANELS)
    slides: Path | None = None
    slide_seconds: int = setting(10, low=3, high=600)
    announcements: tuple[str, ...] = ()


@dataclass(frozen=True)
class EscalationSettings:
    """The escalation path (``[escalation]``).

    ``unit_answers_front_office`` false (the SOP, step 14): the main unit's disposition goes
    to the back office, which relays it to the front office as its own recorded act; true:
    the disposition reaches the front office at once and no relay is recorded.
    """

    unit_answers_front_office: bool = setting(False)


@dataclass(frozen=True)
class SurveySettings:
    """The satisfaction survey (``[survey]``, SKM by PermenPANRB 14/2017).

    ``instruments_file`` names a TOML file of survey instruments (questions, answer labels,
    respondent categories); None: the built-in SKM of the regulation (:mod:`ult.survey`).
    ``tablet_idle_seconds``: how long the desk tablet shows a finished ticket's survey before
    it returns to its idle screen. ``min_group``: the fewest responses any group shows (the whole
    office for a period, a service, a respondent category, the suggestions); a smaller group
    could point at one visitor, so its figures are folded away (:mod:`ult.ikm`).
    ``answer_days``: a finished ticket may answer until the end of the business day
    ``answer_days`` after its own (office time zone, ``[queue] day_reset``); then its survey
    is closed (:func:`ult.survey.answer_deadline`).
    """

    instruments_file: Path | None = None
    tablet_idle_seconds: int = setting(120, low=15, high=900)
    min_group: int = setting(5, low=1, high=50)
    answer_days: int = setting(7, low=1, high=90)


@dataclass(frozen=True)
class PrivacySettings:
    """The visitors' personal data (``[privacy]``, UU 27/2022 on personal data protection).

    ``retention_days``: a visit's identity (name, identity number, phone, institution,
    letter details) is erased this many days after its business day (``ult purge``, daily).
    ``protection_officer``: the data protection officer's name and contact, shown in the
    privacy notice. ``purpose``: why the data is collected, as the notice says it.
    """

    retention_days: int = setting(730, low=30, high=3650)
    protection_officer: str = setting(
        "Petugas Pelindungan Data Pribadi, Unit Layanan Terpadu (hubungi petugas layanan)",
        max_len=200,
    )
    purpose: str = setting(
        "Mencatat kunjungan dan permohonan layanan sesuai SOP Unit Layanan Terpadu.",
        max_len=300,
    )


WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""The ``[hours]`` keys of the weekdays, in :meth:`datetime.date.weekday` order (Monday = 0)."""
_HOLIDAY_NAME_MAX: Final = 80
_QUOTA_MAX: Final = 9999
_LAST_ISSUE_MAX_MINUTES: Final = 240


@dataclass(frozen=True)
class Span:
    """A stretch of local wall time within one day, ``start`` before ``end``."""

    start: datetime.time
    end: datetime.time

    def text(self) -> str:
        """``"08:00-16:00"``, as the settings file writes it."""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Holiday:
    """A public holiday (hari libur nasional or cuti bersama): no tickets all day."""

    day: datetime.date
    name: str = ""


QUOTA_DEFAULT_KEY = "default"
"""The ``[hours] quota`` key of the quota of every service without its own."""


@dataclass(frozen=True)
class HoursSettings:
    """When the kiosk issues tickets (``[hours]``); the rules live in :mod:`ult.hours`.

    ``days``: the opening hours of each weekday, Monday first (:data:`WEEKDAYS`), ``None``
    for a closed day. ``breaks``: a break inside each weekday's hours, same order, ``None``
    for none (Friday prayers: Friday 11:30-13:30). ``holidays``: closed all day.
    ``last_issue``: the last ticket of a day, as minutes before closing (an ``int``) or a
    local time (applied every open day, never later than closing). ``quota``: ``(letter,
    most tickets a day)`` pairs (tuples keep the settings hashable), any service letter
    A-Z, also of a service the supervisor adds to the catalogue later; ``quota_default``
    the quota of every service not listed (0: none), so a service added at runtime is
    limited too; ``quota_exempt`` the letters written with 0 (no quota, whatever the
    default). ``enabled`` false issues at any time (a 24-hour office, training).
    """

    enabled: bool = setting(True)
    days: tuple[Span | None, ...] = (
        *(Span(datetime.time(8), datetime.time(16)),) * 4,
        Span(datetime.time(8), datetime.time(16, 30)),
        None,
        None,
    )
    breaks: tuple[Span | None, ...] = (
        *(None,) * 4,
        Span(datetime.time(11, 30), datetime.time(13, 30)),
        None,
        None,
    )
    holidays: tuple[Holiday, ...] = ()
    last_issue: int | datetime.time = 30
    quota: tuple[tuple[str, int], ...] = ()
    quota_default: int = 0
    quota_exempt: tuple[str, ...] = ()

    def quota_of(self, letter: str) -> int | None:
        """The daily quota of service ``letter`` (its own, else ``quota_default``), or None
        when it has none."""
        own = dict(self.quota).get(letter)
        if own is not None:
            return own
        if letter in self.quota_exempt or not self.quota_default:
            return None
        return self.quota_default


@dataclass(frozen=True)
class Settings:
    """Everything read from the settings file, validated.

    Attributes:
        home: the appliance data directory (ULT_HOME), absolute; not created by loading.
        source: the settings file that was read, absolute, or None when defaults were used.
        main_units: names of the main units (Unit Utama, SOP step 13) the back office can
            forward a case to.
        printer, kiosk, admin, display: the ticket printer, the button daemon, the web
            app, the caller board.
        escalation: where the main unit's disposition goes (SOP 14).
        survey: the satisfaction survey (SKM) and its instruments.
        privacy: retention of visitors' identity and the privacy notice (UU 27/2022).
        hours: opening hours, holidays, the last issue time and daily quotas.
    """

    home: Path
    source: Path | None
    office: OfficeSettings
    queue: QueueSettings
    store: StoreSettings
    services: tuple[ServiceSettings, ...]
    counters: tuple[CounterSettings, ...]
    main_units: tuple[str, ...]
    printer: PrinterSettings = PrinterSettings()
    kiosk: KioskSettings = KioskSettings()
    admin: AdminSettings = AdminSettings()
    display: DisplaySettings = DisplaySettings()
    escalation: EscalationSettings = EscalationSettings()
    survey: SurveySettings = SurveySettings()
    privacy: PrivacySettings = PrivacySettings()
    hours: HoursSettings = HoursSettings()

    def service(self, letter: str) -> ServiceSettings:
        """Return the service with this letter.

        Raises:
            KeyError: no service has that letter.
        """
        for service in self.services:
            if service.letter == letter:
                return service
        raise KeyError(letter)


DEFAULT_SERVICES: Final[tuple[ServiceSettings, ...]] = (
    ServiceSettings(
        "A",
        "Layanan Informasi",
        ("Tunjangan Profesi", "Penilaian Angka Kredit", "Dapodik", "Layanan Umum"),
    ),
    ServiceSettings("B", "Pengaduan"),
    ServiceSettings("C", "Perizinan"),
    ServiceSettings("D", "Pengurusan"),
)
INFORMATION_SERVICE: Final = "A"
"""The letter of the information service ("Layanan Informasi" in the default catalogue):
only its requests are public-information requests under UU 14/2008, with a purpose of use
(Pasal 22) and, when refused, a Pasal 17 ground (:meth:`ult.queue.Queue.detail`,
:meth:`ult.queue.Queue.answer`)."""
DEFAULT_MAIN_UNITS: Final[tuple[str, ...]] = (
    "Bagian Umum",
    "Tim Kerja Penjaminan Mutu",
    "Tim Kerja Pemetaan Mutu",
)


def _default_counters(letters: tuple[str, ...]) -> tuple[CounterSettings, ...]:
    # Derived from the configured letters so that replacing [[services]] alone still yields
    # counters that are valid and serve every service, like the defaults do for A-D.
    return (
        CounterSettings("Loket 1", FRONT_OFFICE, letters),
        CounterSettings("Loket 2", FRONT_OFFICE, letters),
        CounterSettings("Back Office", BACK_OFFICE, ()),
    )


class SettingsError(ValueError):
    """The settings file is missing, unreadable, not TOML, or holds an invalid value.

    ``str(error)`` is an Indonesian message naming the file, the key, the bad value and what is
    allowed.

    Attributes:
        key: dotted path of the offending key, e.g. ``services[2].letter`` (list indexes count
            from 0), or None when the file as a whole is at fault.
        value: the offending value as read from TOML (None when missing or not applicable).
        allowed: Indonesian description of what is allowed (None when not applicable).
        source: the settings file concerned, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        value: Any = None,
        allowed: str | None = None,
        source: Path | None = None,
    ) -> None:
        super().__init__(message)
        self.key = key
        self.value = value
        self.allowed = allowed
        self.source = source


# --- Loading ------------------------------------------------------------------------------------


def load_settings(path: Path | None = None, environ: Mapping[str, str] = os.environ) -> Settings:
    """Find, read and validate the settings file.

    The file and the home are chosen by :func:`settings_paths`; a file it finds that does not
    exist means defaults, unless it was named (``path`` or ``ULT_CONFIG``). Empty variables
    count as unset.

    Args:
        path: settings file to read; it must exist. Relative paths are relative to the
            current directory.
        environ: environment to read ``ULT_CONFIG`` and ``ULT_HOME`` from.

    Returns:
        The validated settings.

    Raises:
        SettingsError: a named file does not exist, cannot be read, is not valid TOML, or holds
            an unknown key or an invalid value.
    """
    config, home = settings_paths(path, environ)
    source = _locate(path, environ, config)
    data = _read(source) if source is not None else {}
    return _Parser(source).settings(data, home)


SYSTEM_CONFIG: Final = Path("/etc/ult/ult.toml")
"""The installed appliance's settings file (``make install``, systemd/install.sh)."""
SYSTEM_HOME: Final = Path("/var/lib/ult")
"""The installed appliance's home: database and generated files (the units' StateDirectory)."""


def settings_paths(
    path: Path | None = None, environ: Mapping[str, str] = os.environ
) -> tuple[Path, Path]:
    """``(settings file, home)``, absolute: where the settings are (or ``ult init`` writes
    them) and where the database and generated files live.

    The settings file is ``path``, else ``ULT_CONFIG``, else the installed appliance's
    :data:`SYSTEM_CONFIG` when it exists and ``ULT_HOME`` is unset or :data:`SYSTEM_HOME`,
    else ``$ULT_HOME/ult.toml``. The home is ``ULT_HOME``, else :data:`SYSTEM_HOME` when the
    settings file is the appliance's, else ``./var`` (a development checkout). So on the
    appliance ``ult`` finds its settings and database from any folder with no variable set,
    and never starts a second, empty appliance in ``./var`` (README, "Install on the Pi").
    """
    home_set = environ.get("ULT_HOME")
    named = path if path is not None else environ.get("ULT_CONFIG")
    if named:
        config = _absolute(named)
    elif (not home_set or _absolute(home_set) == SYSTEM_HOME) and SYSTEM_CONFIG.exists():
        config = SYSTEM_CONFIG
    else:
        config = _absolute(home_set or "var") / "ult.toml"
    if home_set:
        home = _absolute(home_set)
    elif config == SYSTEM_CONFIG:
        home = SYSTEM_HOME
    else:
        home = _absolute("var")
    return config, home


def render_default_settings() -> str:
    """The fully commented default settings file, as ``ult init`` writes it.

    The prose is ``ult/default_settings.toml.in``; every default, range, choice list and
    length limit in it comes from the declarations (:func:`setting` fields and this
    module's limits), written where the template says ``@{section.key}`` (the default, as
    TOML), ``@{section.key:range}``, ``@{section.key:choices}`` or ``@{section.key:max}``.
    ``ult/default_settings.toml`` holds the result for people reading the source; a test
    keeps the two equal.
    """
    # Anchored on this module's file rather than importlib.resources.files("ult"): under
    # pytest, tests/ is on sys.path and tests/ult/ (no __init__.py) could make the name "ult"
    # resolve to a namespace package without the template. The file ships next to this module
    # as package data, so this works for editable and wheel installs alike.
    template = Path(__file__).with_name("default_settings.toml.in").read_text(encoding="utf-8")
    values = _template_values()
    return _PLACEHOLDER.sub(lambda m: values[m[1]], template)


_PLACEHOLDER: Final = re.compile(r"@\{([a-z_.:]+)\}")
_SECTIONS: Final[Mapping[str, type]] = {
    "office": OfficeSettings,
    "queue": QueueSettings,
    "store": StoreSettings,
    "printer": PrinterSettings,
    "kiosk": KioskSettings,
    "admin": AdminSettings,
    "display": DisplaySettings,
    "escalation": EscalationSettings,
    "survey": SurveySettings,
    "privacy": PrivacySettings,
    "hours": HoursSettings,
}


def _template_values() -> dict[str, str]:
    """What each placeholder of the template stands for."""
    values: dict[str, str] = {}
    for section, cls in _SECTIONS.items():
        for declared in fields(cls):
            key = f"{section}.{declared.name}"
            default = declared.default
            if default is MISSING:  # store.database: its default depends on ULT_HOME
                continue
            if isinstance(default, datetime.time):
                default = default.strftime("%H:%M")  # read back as "HH:MM" text
            values[key] = "false" if default is None else _toml(default)
            rule: Rule | None = declared.metadata.get(_RULE)
            if rule is None:
                continue
            if rule.high is not None and rule.low is not None:
                values[f"{key}:range"] = rule.range_text()
            if rule.choices is not None:
                values[f"{key}:choices"] = _choices(rule.choices)
            if rule.max_len is not None:
                values[f"{key}:max"] = str(rule.max_len)
    values["admin.spare_threads"] = str(ADMIN_SPARE_THREADS)
    hours = HoursSettings()
    for index, name in enumerate(WEEKDAYS):
        span = hours.days[index]
        values[f"hours.{name}"] = "false" if span is None else _toml(span.text())
    values["hours.breaks"] = _toml(
        {WEEKDAYS[i]: b.text() for i, b in enumerate(hours.breaks) if b is not None}
    )
    values["hours.quota"] = "{}"
    values["hours.quota:max"] = str(_QUOTA_MAX)
    values["hours.last_issue:max"] = str(_LAST_ISSUE_MAX_MINUTES)
    values["hours.holidays.name:max"] = str(_HOLIDAY_NAME_MAX)
    values["main_units"] = _toml(DEFAULT_MAIN_UNITS)
    values["main_units:max"] = str(_MAIN_UNIT_MAX)
    values["services.name:max"] = str(_SERVICE_NAME_MAX)
    values["services.topics:max"] = str(_TOPIC_MAX)
    values["display.announcements:max"] = str(ANNOUNCEMENT_MAX)
    values["counters.name:max"] = str(_COUNTER_NAME_MAX)
    letters = tuple(s.letter for s in DEFAULT_SERVICES)
    values["services"] = _blocks(
        "services",
        [
            {"letter": s.letter, "name": s.name, "topics": s.topics, "active": s.active}
            for s in DEFAULT_SERVICES
        ],
    )
    values["counters"] = _blocks(
        "counters",
        [
            {"name": c.name, "kind": c.kind, "services": c.services}
            for c in _default_counters(letters)
        ],
    )
    values["kiosk.buttons"] = _blocks(
        "kiosk.buttons",
        [{"pin": b.pin, "service": letters[0]} for b in KioskSettings().buttons],
    )
    return values


def _blocks(name: str, tables: list[dict[str, Any]]) -> str:
    """``[[name]]`` blocks, one per table, separated by a blank line."""
    return "\n\n".join(
        f"[[{name}]]\n" + "\n".join(f"{k} = {_toml(v)}" for k, v in table.items())
        for table in tables
    )


def _absolute(path: str | os.PathLike[str]) -> Path:
    return Path(path).expanduser().resolve()


def _locate(path: Path | None, environ: Mapping[str, str], candidate: Path) -> Path | None:
    if path is not None:
        return _existing(path, _text("origin_argument"))
    configured = environ.get("ULT_CONFIG")
    if configured:
        return _existing(configured, _text("origin_env"))
    # exists(), not is_file(): a directory named ult.toml is a mistake to report, not to skip.
    return candidate if candidate.exists() else None


def _existing(path: str | os.PathLike[str], origin: str) -> Path:
    resolved = _absolute(path)
    if not resolved.exists():
        raise SettingsError(
            _text("not_found", path=resolved, origin=origin), value=str(path), source=resolved
        )
    return resolved


def _read(source: Path) -> dict[str, Any]:
    try:
        raw = source.read_bytes()
    except OSError as exc:
        message = _text("unreadable", source=source, detail=exc.strerror or exc)
        raise SettingsError(message, source=source) from exc
    try:
        # utf-8-sig: Windows editors often prepend a byte-order mark, which TOML would reject.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = _text("unreadable", source=source, detail=_text("not_utf8"))
        raise SettingsError(message, source=source) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(source, exc) from exc


def _syntax_error(source: Path, exc: tomllib.TOMLDecodeError) -> SettingsError:
    # Python 3.11's TOMLDecodeError has no line attributes; the position is only in the text.
    message = str(exc)
    where = re.search(r"\s*\(at line (\d+), column (\d+)\)", message)
    at_end = re.search(r"\s*\(at end of document\)", message)
    if where is not None:
        detail = (message[: where.start()] + message[where.end() :]).strip()
        text = _text("syntax", source=source, line=where[1], column=where[2], detail=detail)
    elif at_end is not None:
        detail = (message[: at_end.start()] + message[at_end.end() :]).strip()
        text = _text("syntax_at_end", source=source, detail=detail)
    else:
        text = _text("syntax_no_line", source=source, detail=message)
    return SettingsError(text, source=source)


# --- Validation ---------------------------------------------------------------------------------

_MISSING: Final = object()
_BASE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_HH_MM = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


def _join(prefix: str, name: str) -> str:
    key = name if _BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)
    return f"{prefix}.{key}" if prefix else key


def _show(value: Any) -> str:
    """Render a TOML value the way it would be written in the file, shortened for messages."""
    text = _toml(value)
    if len(text) > _SHOWN_VALUE_MAX:
        text = text[: _SHOWN_VALUE_MAX - 1] + "…"
    return text


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        items = ", ".join(f"{_join('', k)} = {_toml(v)}" for k, v in value.items())
        return f"{{ {items} }}" if items else "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def _choices(choices: Sequence[Any]) -> str:
    return ", ".join(map(str, choices))


def _is_int(value: Any) -> bool:
    # bool is a subclass of int, but `recalls_before_no_show = true` is a mistake, not 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _zone_exists(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    # ZoneInfoNotFoundError is a KeyError; malformed keys ("../x", "") raise ValueError; a key
    # naming a directory of the tz database ("Asia") can surface as an OSError.
    except (KeyError, ValueError, OSError):
        return False
    return True


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


class _Parser:
    """Turns the parsed TOML document into :class:`Settings`, raising on the first problem."""

    def __init__(self, source: Path | None) -> None:
        self.source = source

    def fail(self, key: str, value: Any, allowed: str, template: str = "invalid") -> SettingsError:
        source = self.source if self.source is not None else _text("no_file")
        message = _text(template, source=source, key=key, value=_show(value), allowed=allowed)
        return SettingsError(message, key=key, value=value, allowed=allowed, source=self.source)

    # Generic readers. `prefix` is the dotted path of the table being read ("" = top level).

    def check_keys(self, table: Mapping[str, Any], known: Sequence[str], prefix: str) -> None:
        for name, value in table.items():
            if name in known:
                continue
            where = prefix or _text("top_level")
            allowed = _text("known_keys", where=where, keys=", ".join(known))
            if prefix and name in _TOP_LEVEL_KEYS:
                allowed += _text("top_level_hint", key=name)
            raise self.fail(_join(prefix, name), value, allowed, "unknown")

    def table(self, parent: Mapping[str, Any], name: str) -> dict[str, Any]:
        value = parent.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(name, value, _text("table", key=name))
        return value

    def table_list(self, parent: Mapping[str, Any], name: str) -> list[dict[str, Any]] | None:
        value = parent.get(name, _MISSING)
        if value is _MISSING:
            return None
        if not isinstance(value, list):
            raise self.fail(name, value, _text("table_list", key=name))
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.fail(f"{name}[{index}]", item, _text("table_item", key=name))
        return value

    def integer(
        self, table: Mapping[str, Any], prefix: str, name: str, default: int, low: int, high: int
    ) -> int:
        value = table.get(name, default)
        if not _is_int(value) or not low <= value <= high:
            raise self.fail(_join(prefix, name), value, _text("int_range", low=low, high=high))
        return int(value)

    def number(
        self,
        table: Mapping[str, Any],
        prefix: str,
        name: str,
        default: float,
        low: float,
        high: float,
    ) -> float:
        value = table.get(name, default)
        # Written as `not low <= value <= high` so that nan, which compares false, is rejected.
        if not (_is_int(value) or isinstance(value, float)) or not low <= value <= high:
            allowed = _text("number_range", low=_toml(low), high=_toml(high))
            raise self.fail(_join(prefix, name), value, allowed)
        return float(value)

    def boolean(self, table: Mapping[str, Any], prefix: str, name: str, default: bool) -> bool:
        value = table.get(name, default)
        if not isinstance(value, bool):
            raise self.fail(_join(prefix, name), value, _text("bool"))
        return value

    def required(self, table: Mapping[str, Any], prefix: str, name: str, allowed: str) -> Any:
        value = table.get(name, _MISSING)
        if value is _MISSING:
            raise self.fail(_join(prefix, name), None, allowed, "missing")
        return value

    def declared(
        self,
        table: Mapping[str, Any],
        prefix: str,
        cls: type,
        name: str,
        *,
        default: Any = _MISSING,
        low: float | None = None,
    ) -> Any:
        """The value of the field ``name`` of ``cls``, checked by its :class:`Rule`.

        ``default`` and ``low`` replace the declared ones where they depend on another
        setting (``admin.threads``). The kind of check follows the rule and the default:
        choices, a one-line text, a true/false, an optional whole number, a whole number or
        a number (a ``float`` default).
        """
        declared = _declared(cls)[name]
        rule: Rule = declared.metadata[_RULE]
        if default is _MISSING:
            default = declared.default
        key = _join(prefix, name)
        if rule.choices is not None:
            value = table.get(name, default)
            whole = all(_is_int(c) for c in rule.choices)
            if value not in rule.choices or (whole and not _is_int(value)):
                raise self.fail(key, value, _text("choice", choices=_choices(rule.choices)))
            return value
        if rule.max_len is not None:
            value = table.get(name, default)
            if value is None and rule.optional:
                return None
            return self.text(key, value, rule.max_len)
        if isinstance(default, bool):
            return self.boolean(table, prefix, name, default)
        low = rule.low if low is None else low
        assert low is not None and rule.high is not None, f"{key} declares no range"
        if rule.optional:
            return self.optional_int(table, prefix, name, int(low), int(rule.high), default)
        if isinstance(default, float):
            return self.number(table, prefix, name, default, low, rule.high)
        return self.integer(table, prefix, name, default, int(low), int(rule.high))

    def text(self, key: str, value: Any, max_len: int) -> str:
        """Check a one-line name and return it stripped."""
        if isinstance(value, str):
            stripped = value.strip()
            if stripped and len(stripped) <= max_len and not _has_control(stripped):
                return stripped
        raise self.fail(key, value, _text("text", max=max_len))

    def text_list(self, key: str, value: Any, max_len: int) -> tuple[str, ...]:
        """Check a list of unique one-line names (case-insensitively) and return them stripped."""
        if not isinstance(value, list):
            raise self.fail(key, value, _text("text_list", max=max_len))
        seen: dict[str, int] = {}
        items = []
        for index, item in enumerate(value):
            item_key = f"{key}[{index}]"
            text = self.text(item_key, item, max_len)
            # Case-insensitive: "Dapodik" and "DAPODIK" would be the same choice to a person.
            folded = text.casefold()
            if folded in seen:
                other = f"{key}[{seen[folded]}]"
                raise self.fail(item_key, item, _text("unique", other=other))
            seen[folded] = index
            items.append(text)
        return tuple(items)

    # Sections.

    def settings(self, data: Mapping[str, Any], home: Path) -> Settings:
        self.check_keys(data, _TOP_LEVEL_KEYS, "")
        office = self.office(self.table(data, "office"))
        queue = self.queue(self.table(data, "queue"))
        store = self.store(self.table(data, "store"), home)
        services = self.services(data)
        letters = tuple(s.letter for s in services)
        self.check_label(queue.label_format, letters)
        counters = self.counters(data, letters)
        self.check_served(services, counters, data)
        if "main_units" in data:
            main_units = self.text_list("main_units", data["main_units"], _MAIN_UNIT_MAX)
        else:
            main_units = DEFAULT_MAIN_UNITS
        printer = self.printer(self.table(data, "printer"), home)
        kiosk = self.kiosk(self.table(data, "kiosk"), services)
        admin = self.admin(self.table(data, "admin"))
        return Settings(
            home=home,
            source=self.source,
            office=office,
            queue=queue,
            store=store,
            services=services,
            counters=counters,
            main_units=main_units,
            printer=printer,
            kiosk=kiosk,
            admin=admin,
            display=self.display(self.table(data, "display"), home),
            escalation=self.escalation(self.table(data, "escalation")),
            survey=self.survey(self.table(data, "survey"), home),
            privacy=self.privacy(self.table(data, "privacy")),
            hours=self.hours(self.table(data, "hours"), queue, services),
        )

    def escalation(self, table: Mapping[str, Any]) -> EscalationSettings:
        names = tuple(f.name for f in fields(EscalationSettings))
        self.check_keys(table, names, "escalation")
        return EscalationSettings(
            **{name: self.declared(table, "escalation", EscalationSettings, name) for name in names}
        )

    def survey(self, table: Mapping[str, Any], home: Path) -> SurveySettings:
        self.check_keys(table, tuple(f.name for f in fields(SurveySettings)), "survey")
        return SurveySettings(
            instruments_file=self.optional_path(table, "survey", "instruments_file", home),
            **{
                name: self.declared(table, "survey", SurveySettings, name)
                for name in ("tablet_idle_seconds", "min_group", "answer_days")
            },
        )

    def privacy(self, table: Mapping[str, Any]) -> PrivacySettings:
        names = tuple(f.name for f in fields(PrivacySettings))
        self.check_keys(table, names, "privacy")
        return PrivacySettings(
            **{name: self.declared(table, "privacy", PrivacySettings, name) for name in names}
        )

    def printer(self, table: Mapping[str, Any], home: Path) -> PrinterSettings:
        self.check_keys(table, tuple(f.name for f in fields(PrinterSettings)), "printer")

        def read(name: str) -> Any:
            return self.declared(table, "printer", PrinterSettings, name)

        connection = read("connection")
        profile = read("profile")
        width = read("paper_width_mm")
        usb_ids = {name: read(name) for name in ("vendor_id", "product_id", "in_ep", "out_ep")}
        if connection == "usb":
            for name in ("vendor_id", "product_id"):
                if usb_ids[name] is None:
                    raise self.fail(f"printer.{name}", None, _text("usb_id"), "missing")
        device = read("device")
        baudrate = read("baudrate")
        host = read("host")
        if host is None and connection == "network":
            raise self.fail("printer.host", None, _text("host"), "missing")
        path = table.get("path")
        if path is not None:
            if not isinstance(path, str) or not path.strip() or "\0" in path:
                raise self.fail("printer.path", path, _text("database"))
            base = self.source.parent if self.source is not None else home
            path = base / Path(path).expanduser()
        elif connection == "file":
            raise self.fail("printer.path", None, _text("database"), "missing")
        elif connection == "preview":
            path = home / "tickets"
        return PrinterSettings(
            connection=connection,
            profile=profile,
            paper_width_mm=int(width),
            device=device,
            baudrate=int(baudrate),
            host=host,
            port=read("port"),
            path=path,
            timeout_seconds=read("timeout_seconds"),
            status_checks=read("status_checks"),
            footer=read("footer"),
            **usb_ids,
        )

    def kiosk(
        self, table: Mapping[str, Any], services: tuple[ServiceSettings, ...]
    ) -> KioskSettings:
        d = KioskSettings()
        keys = tuple(f.name for f in fields(KioskSettings))
        self.check_keys(table, keys, "kiosk")
        active = [s.letter for s in services if s.active]
        raw_buttons = self.table_list(table, "buttons")
        if raw_buttons is None:
            buttons = tuple(ButtonSettings(b.pin, active[0]) for b in d.buttons)
        else:  # an empty list: ``ult kiosk`` only owns the printer for the reception and API
            buttons = tuple(
                self.button(item, f"kiosk.buttons[{index}]", active)
                for index, item in enumerate(raw_buttons)
            )
        pins: dict[int, str] = {}
        for index, button in enumerate(buttons):
            self.claim_pin(pins, button.pin, f"kiosk.buttons[{index}].pin")
        led = self.declared(table, "kiosk", KioskSettings, "led_pin")
        buzzer = self.declared(table, "kiosk", KioskSettings, "buzzer_pin")
        for name, pin in (("led_pin", led), ("buzzer_pin", buzzer)):
            if pin is not None:
                self.claim_pin(pins, pin, f"kiosk.{name}")
        return KioskSettings(
            buttons=buttons,
            led_pin=led,
            buzzer_pin=buzzer,
            debounce_ms=self.declared(table, "kiosk", KioskSettings, "debounce_ms"),
            min_interval_seconds=self.declared(
                table, "kiosk", KioskSettings, "min_interval_seconds"
            ),
            max_per_minute=self.declared(table, "kiosk", KioskSettings, "max_per_minute"),
        )

    def button(self, table: Mapping[str, Any], prefix: str, active: list[str]) -> ButtonSettings:
        self.check_keys(table, ("pin", "service", "priority"), prefix)
        pins = _text("int_range", low=_BCM_PINS[0], high=_BCM_PINS[1])
        pin = self.required(table, prefix, "pin", pins)
        if not _is_int(pin) or not _BCM_PINS[0] <= pin <= _BCM_PINS[1]:
            raise self.fail(f"{prefix}.pin", pin, pins)
        service = self.required(table, prefix, "service", _text("active_letter"))
        if service not in active:
            raise self.fail(
                f"{prefix}.service", service, _text("active_letter") + ": " + ", ".join(active)
            )
        return ButtonSettings(int(pin), service, self.boolean(table, prefix, "priority", False))

    def claim_pin(self, pins: dict[int, str], pin: int, key: str) -> None:
        if pin in pins:
            raise self.fail(key, pin, _text("unique", other=pins[pin]))
        pins[pin] = key

    def optional_int(
        self,
        table: Mapping[str, Any],
        prefix: str,
        name: str,
        low: int,
        high: int,
        default: int | None = None,
    ) -> int | None:
        """An integer in ``low..high``, or None when absent (``default``) or set to ``false``."""
        value = table.get(name, default)
        if value is None or value is False:
            return None
        if not _is_int(value) or not low <= value <= high:
            raise self.fail(_join(prefix, name), value, _text("int_range", low=low, high=high))
        return int(value)

    def admin(self, table: Mapping[str, Any]) -> AdminSettings:
        d = AdminSettings()
        self.check_keys(table, tuple(f.name for f in fields(AdminSettings)), "admin")
        url = table.get("public_base_url", d.public_base_url)
        if not isinstance(url, str) or not _BASE_URL.fullmatch(url.strip()):
            raise self.fail("admin.public_base_url", url, _text("base_url"))
        host = self.declared(table, "admin", AdminSettings, "host")
        max_streams = self.declared(table, "admin", AdminSettings, "max_streams")
        low = max_streams + ADMIN_SPARE_THREADS
        threads = self.declared(
            table, "admin", AdminSettings, "threads", default=max(d.threads, low), low=low
        )
        return AdminSettings(
            public_base_url=url.strip().rstrip("/"),
            host=host,
            port=self.declared(table, "admin", AdminSettings, "port"),
            threads=threads,
            max_streams=max_streams,
            cache_mb=self.declared(table, "admin", AdminSettings, "cache_mb"),
            session_idle_minutes=self.declared(
                table, "admin", AdminSettings, "session_idle_minutes"
            ),
            behind_proxy=self.declared(table, "admin", AdminSettings, "behind_proxy"),
        )

    def office(self, table: Mapping[str, Any]) -> OfficeSettings:
        defaults = OfficeSettings()
        self.check_keys(table, ("name", "timezone"), "office")
        name = self.declared(table, "office", OfficeSettings, "name")
        timezone = table.get("timezone", defaults.timezone)
        if not isinstance(timezone, str) or not _zone_exists(timezone):
            raise self.fail("office.timezone", timezone, _text("timezone"))
        return OfficeSettings(name=name, timezone=timezone)

    def queue(self, table: Mapping[str, Any]) -> QueueSettings:
        d = QueueSettings()
        self.check_keys(table, tuple(f.name for f in fields(QueueSettings)), "queue")
        raw_reset = table.get("day_reset", d.day_reset.strftime("%H:%M"))
        match = _HH_MM.fullmatch(raw_reset) if isinstance(raw_reset, str) else None
        if match is None:
            raise self.fail("queue.day_reset", raw_reset, _text("day_reset"))
        label_format = table.get("label_format", d.label_format)
        if not isinstance(label_format, str):
            raise self.fail("queue.label_format", label_format, _text("label_format"))

        def read(name: str) -> Any:
            return self.declared(table, "queue", QueueSettings, name)

        return QueueSettings(
            day_reset=datetime.time(int(match[1]), int(match[2])),
            priority_interleave=read("priority_interleave"),
            recall_cooldown_seconds=read("recall_cooldown_seconds"),
            recalls_before_no_show=read("recalls_before_no_show"),
            label_format=label_format,
            default_service_minutes=read("default_service_minutes"),
        )

    def check_label(self, label_format: str, letters: tuple[str, ...]) -> None:
        problem = _label_problem(label_format, letters)
        if problem is not None:
            allowed = _text("label_format") + problem
            raise self.fail("queue.label_format", label_format, allowed)

    def store(self, table: Mapping[str, Any], home: Path) -> StoreSettings:
        self.check_keys(table, ("database", "backups_kept"), "store")
        kept = self.declared(table, "store", StoreSettings, "backups_kept")
        if "database" not in table:
            return StoreSettings(database=home / "ult.db", backups_kept=kept)
        value = table["database"]
        if not isinstance(value, str) or not value.strip() or "\0" in value:
            raise self.fail("store.database", value, _text("database"))
        base = self.source.parent if self.source is not None else home
        return StoreSettings(database=base / Path(value).expanduser(), backups_kept=kept)

    def services(self, data: Mapping[str, Any]) -> tuple[ServiceSettings, ...]:
        tables = self.table_list(data, "services")
        if tables is None:
            return DEFAULT_SERVICES
        if not tables:
            raise self.fail("services", tables, _text("services_needed"))
        seen: dict[str, int] = {}
        services = []
        for index, table in enumerate(tables):
            prefix = f"services[{index}]"
            self.check_keys(table, ("letter", "name", "topics", "active"), prefix)
            letter = self.required(table, prefix, "letter", _text("letter"))
            if not (isinstance(letter, str) and len(letter) == 1 and "A" <= letter <= "Z"):
                raise self.fail(f"{prefix}.letter", letter, _text("letter"))
            if letter in seen:
                other = f"services[{seen[letter]}].letter"
                raise self.fail(f"{prefix}.letter", letter, _text("unique", other=other))
            seen[letter] = index
            text_allowed = _text("text", max=_SERVICE_NAME_MAX)
            raw_name = self.required(table, prefix, "name", text_allowed)
            name = self.text(f"{prefix}.name", raw_name, _SERVICE_NAME_MAX)
            topics = self.text_list(f"{prefix}.topics", table.get("topics", []), _TOPIC_MAX)
            active = self.boolean(table, prefix, "active", True)
            services.append(ServiceSettings(letter, name, topics, active))
        if not any(s.active for s in services):
            raise self.fail("services", tables, _text("active_needed"))
        return tuple(services)

    def check_served(
        self,
        services: tuple[ServiceSettings, ...],
        counters: tuple[CounterSettings, ...],
        data: Mapping[str, Any],
    ) -> None:
        """Every active service needs a front-office counter, or its tickets wait forever."""
        served = {s for c in counters if c.kind == FRONT_OFFICE for s in c.services}
        for index, service in enumerate(services):
            if service.active and service.letter not in served:
                key = "counters" if "counters" in data else f"services[{index}].letter"
                raise self.fail(
                    key, service.letter, _text("service_unserved", letter=service.letter)
                )

    def counters(
        self, data: Mapping[str, Any], letters: tuple[str, ...]
    ) -> tuple[CounterSettings, ...]:
        tables = self.table_list(data, "counters")
        if tables is None:
            return _default_counters(letters)
        seen: dict[str, int] = {}
        counters = []
        for index, table in enumerate(tables):
            prefix = f"counters[{index}]"
            self.check_keys(table, ("name", "kind", "services"), prefix)
            text_allowed = _text("text", max=_COUNTER_NAME_MAX)
            raw_name = self.required(table, prefix, "name", text_allowed)
            name = self.text(f"{prefix}.name", raw_name, _COUNTER_NAME_MAX)
            folded = name.casefold()
            if folded in seen:
                other = f"counters[{seen[folded]}].name"
                raise self.fail(f"{prefix}.name", raw_name, _text("unique", other=other))
            seen[folded] = index
            kind = self.required(table, prefix, "kind", _text("counter_kind"))
            if kind not in COUNTER_KINDS:
                raise self.fail(f"{prefix}.kind", kind, _text("counter_kind"))
            served = self.counter_services(table, prefix, kind, letters)
            counters.append(CounterSettings(name, kind, served))
        if not any(c.kind == FRONT_OFFICE for c in counters):
            raise self.fail("counters", tables, _text("front_office_needed"))
        return tuple(counters)

    def counter_services(
        self, table: Mapping[str, Any], prefix: str, kind: str, letters: tuple[str, ...]
    ) -> tuple[str, ...]:
        key = f"{prefix}.services"
        allowed = _text("counter_letter", letters=", ".join(letters))
        value = table.get("services", _MISSING)
        if value is _MISSING:
            if kind == FRONT_OFFICE:
                raise self.fail(key, None, _text("counter_services"), "missing")
            return ()
        if not isinstance(value, list):
            raise self.fail(key, value, allowed)
        if kind == FRONT_OFFICE and not value:
            raise self.fail(key, value, _text("counter_services"))
        for index, letter in enumerate(value):
            if not isinstance(letter, str) or letter not in letters:
                raise self.fail(f"{key}[{index}]", letter, allowed)
            if letter in value[:index]:
                other = f"{key}[{value.index(letter)}]"
                raise self.fail(f"{key}[{index}]", letter, _text("unique", other=other))
        return tuple(value)

    def display(self, table: Mapping[str, Any], home: Path) -> DisplaySettings:
        files_keys = ("font", "logo", "slides")
        self.check_keys(table, tuple(f.name for f in fields(DisplaySettings)), "display")
        files = {name: self.optional_path(table, "display", name, home) for name in files_keys}
        return DisplaySettings(
            orientation=self.declared(table, "display", DisplaySettings, "orientation"),
            audio_device=self.declared(table, "display", DisplaySettings, "audio_device"),
            sound=self.declared(table, "display", DisplaySettings, "sound"),
            announce_times=self.declared(table, "display", DisplaySettings, "announce_times"),
            lower=self.declared(table, "display", DisplaySettings, "lower"),
            slide_seconds=self.declared(table, "display", DisplaySettings, "slide_seconds"),
            announcements=self.text_list(
                "display.announcements", table.get("announcements", []), ANNOUNCEMENT_MAX
            ),
            **files,
        )

    def hours(
        self, table: Mapping[str, Any], queue: QueueSettings, services: tuple[ServiceSettings, ...]
    ) -> HoursSettings:
        """``[hours]``: each weekday ``"HH:MM-HH:MM"`` or false, breaks inside them, holidays,
        the last issue time and quotas by service letter."""
        d = HoursSettings()
        names = ("enabled", *WEEKDAYS, "breaks", "holidays", "last_issue", "quota")
        self.check_keys(table, names, "hours")
        days = tuple(
            self.span_or_closed(table, f"hours.{name}", name, d.days[index])
            for index, name in enumerate(WEEKDAYS)
        )
        if all(span is None for span in days):
            raise self.fail("hours", {n: False for n in WEEKDAYS}, _text("hours_open_day"))
        for index, span in enumerate(days):
            # Numbers restart at day_reset: inside opening hours it would restart them, and the
            # quota with them, in the middle of a working day.
            if span is not None and span.start < queue.day_reset < span.end:
                raise self.fail(
                    f"hours.{WEEKDAYS[index]}",
                    span.text(),
                    _text("hours_reset", reset=f"{queue.day_reset:%H:%M}"),
                )
        breaks = self.breaks(table, days, d)
        raw_last = table.get("last_issue", d.last_issue)
        last_issue = self.last_issue(raw_last)
        if isinstance(last_issue, datetime.time):
            # Never later than closing (README, [hours]): a time after every open day's
            # closing would promise tickets nobody serves. On a day that closes earlier (a
            # Saturday morning) that day's closing is the last moment (ult.hours).
            index, latest = max(
                ((i, span) for i, span in enumerate(days) if span is not None),
                key=lambda found: found[1].end,
            )
            if last_issue > latest.end:
                raise self.fail(
                    "hours.last_issue",
                    raw_last,
                    _text(
                        "hours_last_issue_late",
                        day=WEEKDAYS[index],
                        closing=f"{latest.end:%H:%M}",
                    ),
                )
        return HoursSettings(
            enabled=self.declared(table, "hours", HoursSettings, "enabled"),
            days=days,
            breaks=breaks,
            holidays=self.holidays(table.get("holidays", [])),
            last_issue=last_issue,
            **self.quota(table.get("quota", {})),
        )

    def span(self, key: str, value: Any, allowed: str = "hours_span") -> Span:
        """``"HH:MM-HH:MM"``, the start before the end; ``allowed`` names the message key of
        what is allowed (opening hours, or ``hours_break_span`` for a break)."""
        parts = value.split("-") if isinstance(value, str) else []
        matches = [_HH_MM.fullmatch(part.strip()) for part in parts]
        if len(matches) == 2 and all(matches):
            start, end = (datetime.time(int(m[1]), int(m[2])) for m in matches if m)
            if start < end:
                return Span(start, end)
        raise self.fail(key, value, _text(allowed))

    def span_or_closed(
        self, table: Mapping[str, Any], key: str, name: str, default: Span | None
    ) -> Span | None:
        value = table.get(name, _MISSING)
        if value is _MISSING:
            return default
        if value is False:
            return None
        return self.span(key, value)

    def breaks(
        self, table: Mapping[str, Any], days: tuple[Span | None, ...], d: HoursSettings
    ) -> tuple[Span | None, ...]:
        value = table.get("breaks", _MISSING)
        if value is _MISSING:
            # The default Friday break only where Friday is open and holds it.
            return tuple(
                b if b is not None and (day := days[i]) is not None and _holds(day, b) else None
                for i, b in enumerate(d.breaks)
            )
        if not isinstance(value, dict):
            raise self.fail("hours.breaks", value, _text("hours_breaks"))
        found: list[Span | None] = [None] * len(WEEKDAYS)
        for name, raw in value.items():
            key = _join("hours.breaks", name)
            if name not in WEEKDAYS:
                raise self.fail(key, raw, _text("hours_breaks"), "unknown")
            index = WEEKDAYS.index(name)
            span = self.span(key, raw, "hours_break_span")
            day = days[index]
            if day is None:
                raise self.fail(key, raw, _text("hours_break_closed_day", day=name))
            if not _holds(day, span):
                raise self.fail(key, raw, _text("hours_break_inside", day=name, hours=day.text()))
            found[index] = span
        return tuple(found)

    def holidays(self, value: Any) -> tuple[Holiday, ...]:
        if not isinstance(value, list):
            raise self.fail("hours.holidays", value, _text("hours_holiday"))
        holidays: list[Holiday] = []
        seen: dict[datetime.date, int] = {}
        for index, item in enumerate(value):
            key = f"hours.holidays[{index}]"
            name = ""
            raw = item
            if isinstance(item, dict):
                self.check_keys(item, ("date", "name"), key)
                raw = self.required(item, key, "date", _text("hours_holiday"))
                if "name" in item:
                    name = self.text(f"{key}.name", item["name"], _HOLIDAY_NAME_MAX)
                key = f"{key}.date"
            day = self.calendar_day(key, raw)
            if day in seen:
                raise self.fail(key, raw, _text("unique", other=f"hours.holidays[{seen[day]}]"))
            seen[day] = index
            holidays.append(Holiday(day, name))
        return tuple(sorted(holidays, key=lambda h: h.day))

    def calendar_day(self, key: str, value: Any) -> datetime.date:
        """A TOML date (``2026-12-25``) or the same as text (``"2026-12-25"``)."""
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass  # 2026-02-30: not a day of the calendar
        raise self.fail(key, value, _text("hours_holiday"))

    def last_issue(self, value: Any) -> int | datetime.time:
        if _is_int(value) and 0 <= value <= _LAST_ISSUE_MAX_MINUTES:
            return int(value)
        match = _HH_MM.fullmatch(value) if isinstance(value, str) else None
        if match is not None:
            return datetime.time(int(match[1]), int(match[2]))
        allowed = _text("hours_last_issue", high=_LAST_ISSUE_MAX_MINUTES)
        raise self.fail("hours.last_issue", value, allowed)

    def quota(self, value: Any) -> dict[str, Any]:
        """``quota = { C = 40, default = 100, B = 0 }``: the keys of :class:`HoursSettings`
        ``quota``, ``quota_default`` and ``quota_exempt``. A key is a service letter A-Z
        (the catalogue can gain services at runtime, so a letter the settings do not list is
        accepted) or ``default``."""
        allowed = _text("hours_quota", high=_QUOTA_MAX)
        if not isinstance(value, dict):
            raise self.fail("hours.quota", value, allowed)
        quota: dict[str, int] = {}
        exempt: list[str] = []
        default = 0
        for letter, limit in value.items():
            key = _join("hours.quota", letter)
            if letter != QUOTA_DEFAULT_KEY and not re.fullmatch(r"[A-Z]", letter):
                raise self.fail(key, limit, allowed, "unknown")
            if not _is_int(limit) or not 0 <= limit <= _QUOTA_MAX:
                raise self.fail(key, limit, allowed)
            if letter == QUOTA_DEFAULT_KEY:
                default = int(limit)
            elif limit:
                quota[letter] = int(limit)
            else:  # 0 = no quota for this service, whatever the default
                exempt.append(letter)
        return {
            "quota": tuple(quota.items()),
            "quota_default": default,
            "quota_exempt": tuple(exempt),
        }

    def optional_path(
        self, table: Mapping[str, Any], prefix: str, name: str, home: Path
    ) -> Path | None:
        """A file path (relative to the settings file's folder, else ``home``), or None."""
        value = table.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip() or _has_control(value):
            raise self.fail(_join(prefix, name), value, _text("database"))
        base = self.source.parent if self.source is not None else home
        return base / Path(value.strip()).expanduser()


def _holds(day: Span, pause: Span) -> bool:
    """Whether the break ``pause`` lies strictly inside the opening hours ``day``."""
    return day.start < pause.start and pause.end < day.end


# Pure, and it formats every sample label of every letter (~15 ms): a process that reads
# the same settings again (every test does) pays it once.
@functools.lru_cache(maxsize=32)
def _label_problem(label_format: str, letters: tuple[str, ...]) -> str | None:
    """Return why ``label_format`` is unusable (text appended to the allowed text), or None.

    Labels are printed, shown and spoken, so besides formatting at all they must stay short and
    never let two tickets of one day look alike, across all configured service letters.
    """
    try:
        parsed = list(string.Formatter().parse(label_format))
    except ValueError as exc:
        return _text("label_broken", detail=exc)
    fields = set()
    for _literal, name, spec, _conversion in parsed:
        if name is None:
            continue
        # Only plain names: attribute or index access ("{letter.__class__}") and nested fields
        # in the spec would let the format reach beyond the two values it is given.
        # A width of hundreds of millions would take the memory of the machine to check.
        too_wide = re.search(r"[0-9]{3,}", spec or "") is not None
        if name not in ("letter", "number") or "{" in (spec or "") or too_wide:
            return _text("label_field", field=name + (f":{spec[:20]}" if spec else ""))
        fields.add(name)
    if "number" not in fields:
        return _text("label_no_number")
    made: dict[str, str] = {}
    # "A" first so that a format that cannot work at all fails the same way whatever the letters.
    for letter in dict.fromkeys(("A", *letters)):
        for number in _LABEL_SAMPLES:
            try:
                label = label_format.format(letter=letter, number=number)
            except (ValueError, TypeError) as exc:
                return _text("label_broken", detail=exc)
            if letter not in letters:
                continue
            if not 1 <= len(label) <= _LABEL_MAX:
                return _text("label_length", label=label, length=len(label))
            if _has_control(label) or not label.isprintable():
                return _text("label_control", label=label.encode("unicode_escape").decode())
            ticket = _text("label_ticket", letter=letter, number=number)
            if made.get(label, ticket) != ticket:
                return _text("label_collision", first=made[label], second=ticket, label=label)
            made[label] = ticket
    # Formats such as "{number:.2e}" pass the samples yet merge 1000 and 1001: check every
    # number a day can plausibly reach, for one letter (letters were checked above).
    letter = letters[0] if letters else "A"
    by_label: dict[str, int] = {}
    for number in range(1, _LABEL_MAX_NUMBER + 1):
        label = label_format.format(letter=letter, number=number)
        if label.casefold() in by_label:
            first = _text("label_ticket", letter=letter, number=by_label[label.casefold()])
            second = _text("label_ticket", letter=letter, number=number)
            return _text("label_collision", first=first, second=second, label=label)
        by_label[label.casefold()] = number
    return None
