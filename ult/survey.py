"""Survey instruments: the satisfaction survey (SKM, PermenPANRB 14/2017) and any other the
office adds (Zona Integritas: SPKP, SPAK), read from a TOML file.

The built-in file ``ult/survey_instruments.toml`` holds the SKM: nine elements ``U1``..``U9``
in the regulation's order, each answered 1..4 with its own labels, and the respondent
profile. ``[survey] instruments_file`` replaces it with the office's own file in the same
shape. Answers are stored keyed by element code (:mod:`ult.migrations` ``_v10_survey``).
"""

from __future__ import annotations

import json
import re
import secrets
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import sqlite_utils

from ult import sop
from ult.errors import conflict, invalid, not_found
from ult.kinds import CALL_KINDS, EventKind
from ult.messages import SURVEY_FILE_TEXT
from ult.settings import BACK_OFFICE, FRONT_OFFICE, Settings, SettingsError
from ult.transaction import immediate

SKM: Final = "skm"
"""The code of the SKM instrument, from which the IKM is computed (:mod:`ult.ikm`)."""
SCALE: Final = (1, 2, 3, 4)
"""The answer values of every element (PermenPANRB 14/2017: a four-point scale)."""
BUILT_IN: Final = Path(__file__).with_name("survey_instruments.toml")
"""The built-in instruments file (the SKM of the regulation)."""
PROFILE_CODES: Final = ("age", "sex", "education", "occupation")
"""The respondent categories an instruments file may ask (PermenPANRB 14/2017's
questionnaire); nothing else, so no file can make the survey ask for a name or a phone."""
SUGGESTION_MAX: Final = 1000
"""Characters of the one free-text suggestion."""

# Limits of an instruments file: a title and a label fit a phone's line, a question a few.
_INSTRUMENT_CODE: Final = re.compile(r"[a-z][a-z0-9_]{0,15}")
_ELEMENT_CODE: Final = re.compile(r"[A-Z][A-Z0-9]{0,7}")
_NAME_MAX: Final = 80
_QUESTION_MAX: Final = 300
_LABEL_MAX: Final = 60
_ELEMENTS_MAX: Final = 30
_CHOICES_MAX: Final = 20
_TOP_KEYS: Final = ("instruments", "profile")
_INSTRUMENT_KEYS: Final = ("code", "name", "elements")
_ELEMENT_KEYS: Final = ("code", "name", "question", "labels")
_PROFILE_KEYS: Final = ("code", "question", "choices")


@dataclass(frozen=True)
class Element:
    """One element (*unsur*) of an instrument: its code (``U1``), its name as reports show
    it, the question the visitor reads, and the labels of the values 1..4 in order."""

    code: str
    name: str
    question: str
    labels: tuple[str, str, str, str]


@dataclass(frozen=True)
class Instrument:
    """One survey: its code (``skm``), its title and its elements in the order shown."""

    code: str
    name: str
    elements: tuple[Element, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """The element codes in order (``("U1", ..., "U9")`` for the SKM)."""
        return tuple(element.code for element in self.elements)


@dataclass(frozen=True)
class ProfileQuestion:
    """One optional respondent category (``age``, ``sex``, ``education``, ``occupation``)."""

    code: str
    question: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Instruments:
    """Everything an instruments file holds: the instruments by code, the profile questions."""

    instruments: dict[str, Instrument]
    profile: tuple[ProfileQuestion, ...]

    @property
    def skm(self) -> Instrument:
        """The SKM instrument."""
        return self.instruments[SKM]

    def get(self, code: str) -> Instrument | None:
        """The instrument ``code``, or None."""
        return self.instruments.get(code)


# --- Reading an instruments file ----------------------------------------------------------------


def load_instruments(settings: Settings) -> Instruments:
    """The instruments of ``[survey] instruments_file``, or the built-in SKM.

    Raises :class:`~ult.settings.SettingsError` with an Indonesian message naming the file and
    the fault when the file cannot be read or does not have the documented shape, so
    ``ult admin``, ``ult init`` and ``ult doctor`` refuse it as they refuse bad settings.
    """
    path = settings.survey.instruments_file or BUILT_IN
    return parse_instruments(path)


def parse_instruments(path: Path) -> Instruments:
    """Read and check one instruments file (its shape is described in the built-in file).

    Checked: only the known keys, every text a non-empty line within its limit, four labels
    per element, codes unique (instruments; elements within one; profile questions), an
    instrument ``skm``, profile codes from :data:`PROFILE_CODES`. Raises ``SettingsError``
    (``key``: where in the file, e.g. ``instruments[0].elements[3].labels``).
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise _fault(path, None, "unreadable", detail=error.strerror or error) from error
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise _fault(path, None, "not_utf8") from error
    except tomllib.TOMLDecodeError as error:
        raise _fault(path, None, "syntax", detail=error) from error
    _keys(path, data, _TOP_KEYS, None)
    instruments: dict[str, Instrument] = {}
    for i, table in enumerate(_tables(path, data, "instruments", required=True)):
        where = f"instruments[{i}]"
        _keys(path, table, _INSTRUMENT_KEYS, where)
        code = _code(path, table, where, _INSTRUMENT_CODE, "instrument_code")
        if code in instruments:
            raise _fault(path, f"{where}.code", "duplicate", value=code)
        elements: list[Element] = []
        for j, item in enumerate(_tables(path, table, "elements", required=True, at=where)):
            place = f"{where}.elements[{j}]"
            _keys(path, item, _ELEMENT_KEYS, place)
            element_code = _code(path, item, place, _ELEMENT_CODE, "element_code")
            if element_code in (e.code for e in elements):
                raise _fault(path, f"{place}.code", "duplicate", value=element_code)
            labels = _texts(path, item, place, "labels", _LABEL_MAX)
            if len(labels) != len(SCALE):
                raise _fault(path, f"{place}.labels", "labels_count", count=len(labels))
            elements.append(
                Element(
                    element_code,
                    _line(path, item, place, "name", _NAME_MAX),
                    _line(path, item, place, "question", _QUESTION_MAX),
                    (labels[0], labels[1], labels[2], labels[3]),
                )
            )
        if len(elements) > _ELEMENTS_MAX:
            raise _fault(path, f"{where}.elements", "too_many", limit=_ELEMENTS_MAX)
        instruments[code] = Instrument(
            code, _line(path, table, where, "name", _NAME_MAX), tuple(elements)
        )
    if SKM not in instruments:
        raise _fault(path, "instruments", "skm_missing")
    profile: list[ProfileQuestion] = []
    for i, table in enumerate(_tables(path, data, "profile", required=False)):
        where = f"profile[{i}]"
        _keys(path, table, _PROFILE_KEYS, where)
        code = _line(path, table, where, "code", _NAME_MAX)
        if code not in PROFILE_CODES:
            raise _fault(
                path, f"{where}.code", "profile_code", value=code, allowed=", ".join(PROFILE_CODES)
            )
        if code in (p.code for p in profile):
            raise _fault(path, f"{where}.code", "duplicate", value=code)
        choices = _texts(path, table, where, "choices", _LABEL_MAX)
        if not 1 <= len(choices) <= _CHOICES_MAX or len(set(choices)) != len(choices):
            raise _fault(path, f"{where}.choices", "choices", limit=_CHOICES_MAX)
        profile.append(
            ProfileQuestion(code, _line(path, table, where, "question", _NAME_MAX), choices)
        )
    return Instruments(instruments, tuple(profile))


def _fault(path: Path, key: str | None, fault: str, **values: object) -> SettingsError:
    """The error for one fault of the file: ``Berkas instrumen survei tidak valid (path):
    key: what is wrong``."""
    text = SURVEY_FILE_TEXT[fault].format(**values)
    template = "message_key" if key is not None else "message"
    message = SURVEY_FILE_TEXT[template].format(source=path, key=key, fault=text)
    return SettingsError(message, key=key, value=values.get("value"), source=path)


def _keys(path: Path, table: Mapping[str, Any], known: tuple[str, ...], where: str | None) -> None:
    for key in table:
        if key not in known:
            place = f"{where}.{key}" if where else key
            raise _fault(path, place, "unknown_key", keys=", ".join(known))


def _tables(
    path: Path, table: Mapping[str, Any], key: str, *, required: bool, at: str | None = None
) -> list[Mapping[str, Any]]:
    place = f"{at}.{key}" if at else key
    value = table.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        raise _fault(path, place, "table_list", table=place)
    return value


def _line(path: Path, table: Mapping[str, Any], where: str, key: str, limit: int) -> str:
    value = table.get(key)
    if value is None:
        raise _fault(path, f"{where}.{key}", "missing")
    if not _is_line(value, limit):
        raise _fault(path, f"{where}.{key}", "text", limit=limit)
    return value.strip()


def _texts(
    path: Path, table: Mapping[str, Any], where: str, key: str, limit: int
) -> tuple[str, ...]:
    value = table.get(key)
    if value is None:
        raise _fault(path, f"{where}.{key}", "missing")
    if not isinstance(value, list) or not all(_is_line(v, limit) for v in value):
        raise _fault(path, f"{where}.{key}", "texts", limit=limit)
    return tuple(v.strip() for v in value)


def _code(
    path: Path, table: Mapping[str, Any], where: str, pattern: re.Pattern[str], fault: str
) -> str:
    value = table.get("code")
    if value is None:
        raise _fault(path, f"{where}.code", "missing")
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise _fault(path, f"{where}.code", fault)
    return value


def _is_line(value: Any, limit: int) -> bool:
    return (
        isinstance(value, str)
        and 1 <= len(value.strip()) <= limit
        and value.isprintable()  # no line breaks or control characters on a phone's line
    )


# --- Storing a response -------------------------------------------------------------------------


def submit(
    db: sqlite_utils.Database,
    *,
    ticket_id: int,
    instrument: str,
    answers: Mapping[str, Any],
    profile: Mapping[str, Any] | None = None,
    suggestion: Any = None,
    instruments: Instruments,
    now: datetime,
    settings: Settings,
) -> None:
    """Store one visitor's response to ``instrument`` for finished ticket ``ticket_id``.

    ``answers``: ``{element code: 1..4}`` (``"1"``..``"4"`` from a form too; an empty value
    or a missing code is an element left unanswered, at least one must be answered);
    ``profile``: ``{profile code: one of its choices}`` (empty: not given); ``suggestion``:
    one free text of at most :data:`SUGGESTION_MAX` characters, control characters removed.
    ``now``: aware; the survey of a ticket closes at :func:`answer_deadline`.

    In one ``BEGIN IMMEDIATE`` transaction it writes a receipt (this ticket answered this
    instrument: one response per finished ticket, PermenPANRB 14/2017's one respondent one
    questionnaire) and the response: a random id, the ticket's business day and service,
    the counter kind (``back_office`` when the case went through the back office) — never
    the ticket id nor a time, so a response cannot be joined back to a visitor. For the same
    reason no event is written (an event carries a ticket id and a time), and nothing is
    returned. Raises ``QueueError``: ``ticket_unknown``, ``survey_instrument_unknown``
    (404); ``survey_not_finished``, ``survey_closed``, ``survey_already_answered`` (409);
    ``survey_answer_invalid``, ``survey_answer_unknown``, ``survey_empty``,
    ``survey_profile_invalid``, ``survey_suggestion_too_long`` (422). Nothing is stored then.
    """
    survey = instruments.get(instrument) if isinstance(instrument, str) else None
    if survey is None:
        raise not_found("survey_instrument_unknown")
    clean_answers = clean_answers_of(survey, answers)
    clean_profile = clean_profile_of(instruments, profile or {})
    clean_suggestion = clean_suggestion_of(suggestion)
    with immediate(db):
        ticket = _finished_ticket(db, ticket_id)
        if not is_open(date.fromisoformat(ticket["day"]), now, settings):
            raise conflict("survey_closed", label=ticket["label"], days=settings.survey.answer_days)
        if answered(db, ticket_id, survey.code):
            raise conflict("survey_already_answered")
        db.execute(
            "INSERT INTO survey_receipts (ticket_id, instrument) VALUES (?, ?)",
            (ticket_id, survey.code),
        )
        db.execute(
            "INSERT INTO survey_responses "
            "(id, instrument, day, service, counter_kind, answers, profile, suggestion) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                secrets.token_hex(16),
                survey.code,
                ticket["day"],
                ticket["service"],
                BACK_OFFICE if ticket["back_office_counter_id"] is not None else FRONT_OFFICE,
                json.dumps(clean_answers, sort_keys=True),
                json.dumps(clean_profile, sort_keys=True, ensure_ascii=False),
                clean_suggestion,
            ),
        )


def answer_deadline(day: date, settings: Settings) -> datetime:
    """The moment (aware UTC) the survey of a ticket of business day ``day`` closes: the end
    of the business day ``[survey] answer_days`` after it, i.e. the start (``[queue]
    day_reset``, office time zone) of the business day after that. With 7 days and reset
    00:00 in Asia/Jakarta a ticket of 2026-12-01 may answer until 2026-12-08 23:59:59 WIB.

    Why a limit: an answer weeks later is no longer about that visit, and a link that never
    closes invites answers by whoever holds an old slip."""
    last = day + timedelta(days=settings.survey.answer_days + 1)
    start = datetime.combine(last, settings.queue.day_reset, tzinfo=settings.office.tz)
    return start.astimezone(UTC)


def is_open(day: date, now: datetime, settings: Settings) -> bool:
    """Whether a ticket of business day ``day`` may still answer at ``now`` (aware)."""
    return now < answer_deadline(day, settings)


def answered(db: sqlite_utils.Database, ticket_id: int, instrument: str) -> bool:
    """Whether ticket ``ticket_id`` has answered ``instrument`` (its receipt exists)."""
    row = db.execute(
        "SELECT 1 FROM survey_receipts WHERE ticket_id = ? AND instrument = ?",
        (ticket_id, instrument),
    ).fetchone()
    return row is not None


def _finished_ticket(db: sqlite_utils.Database, ticket_id: int) -> dict[str, Any]:
    row = db.execute(
        "SELECT label, state, day, service, back_office_counter_id FROM tickets WHERE id = ?",
        (ticket_id,),
    ).fetchone()
    if row is None:
        raise not_found("ticket_unknown", ticket=ticket_id)
    ticket = dict(
        zip(("label", "state", "day", "service", "back_office_counter_id"), row, strict=True)
    )
    if ticket["state"] != sop.DONE:
        raise conflict("survey_not_finished", label=ticket["label"])
    return ticket


def clean_answers_of(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, int]:
    """``answers`` checked against ``instrument``: ``{code: 1..4}`` in the instrument's
    order, unanswered elements absent. Raises ``QueueError`` (see :func:`submit`)."""
    if not isinstance(answers, Mapping):
        raise invalid("survey_answer_invalid", element="-")
    names = {element.code: element for element in instrument.elements}
    for code in answers:
        if code not in names:
            raise invalid("survey_answer_unknown", name=_shown(code))
    clean: dict[str, int] = {}
    for code, element in names.items():
        value = answers.get(code)
        if value is None or value == "":
            continue
        number = _scale_value(value)
        if number is None:
            raise invalid("survey_answer_invalid", element=f"{code} ({element.name})")
        clean[code] = number
    if not clean:
        raise invalid("survey_empty")
    return clean


def _scale_value(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in SCALE else None
    if isinstance(value, str) and value.strip() in {str(v) for v in SCALE}:
        return int(value.strip())
    return None


def clean_profile_of(instruments: Instruments, profile: Mapping[str, Any]) -> dict[str, str]:
    """``profile`` checked: ``{code: choice}`` for the questions answered, each choice one
    the instruments file offers. Raises ``QueueError`` (``survey_profile_invalid``)."""
    if not isinstance(profile, Mapping):
        raise invalid("survey_profile_invalid", question="-")
    questions = {question.code: question for question in instruments.profile}
    clean: dict[str, str] = {}
    for code, value in profile.items():
        question = questions.get(code)
        if question is None:
            raise invalid("survey_profile_invalid", question=_shown(code))
        if value is None or value == "":
            continue
        if value not in question.choices:
            raise invalid("survey_profile_invalid", question=question.question)
        clean[code] = value
    return clean


def clean_suggestion_of(value: Any) -> str | None:
    """The suggestion: control characters removed (line breaks kept, ``\\r\\n`` made
    ``\\n``), stripped; None when empty. Raises ``QueueError`` for a non-text or more than
    :data:`SUGGESTION_MAX` characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid("survey_suggestion_invalid")
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = "".join(
        ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    ).strip()
    if len(text) > SUGGESTION_MAX:
        raise invalid("survey_suggestion_too_long", limit=SUGGESTION_MAX, length=len(text))
    return text or None


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 20 else text[:19] + "…"


# --- The desk tablet ----------------------------------------------------------------------------


def offered_at_counter(
    db: sqlite_utils.Database, counter_id: int, *, not_before: str
) -> int | None:
    """The ticket whose survey the desk tablet of front-office counter ``counter_id``
    offers: the last one finished there, when it was finished at ``not_before`` (a stored
    UTC stamp) or later, its visitor was invited to the survey (SOP 16), the counter has
    called no one since, and it has not answered the SKM. Otherwise None.

    Reads the ``finished`` event (the finished ticket no longer names its counter)."""
    row = db.execute(
        "SELECT id, at, ticket_id, payload FROM events "
        "WHERE counter_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
        (counter_id, EventKind.FINISHED.value),
    ).fetchone()
    if row is None:
        return None
    event_id, at, ticket_id, payload = row
    if at < not_before or not json.loads(payload).get("survey_invited", True):
        return None
    kinds = sorted(k.value for k in CALL_KINDS)
    called_since = db.execute(
        f"SELECT 1 FROM events WHERE counter_id = ? AND kind IN ({', '.join('?' * len(kinds))})"
        " AND id > ? LIMIT 1",
        (counter_id, *kinds, event_id),
    ).fetchone()
    if called_since is not None or answered(db, ticket_id, SKM):
        return None
    return int(ticket_id)


def finished_counter(db: sqlite_utils.Database, ticket_id: int) -> int | None:
    """The counter whose ``finished`` event closed ticket ``ticket_id`` (the finished ticket
    no longer names its counter), or None when it was not finished at a counter."""
    row = db.execute(
        "SELECT counter_id FROM events WHERE ticket_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
        (ticket_id, EventKind.FINISHED.value),
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])
