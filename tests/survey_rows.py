"""Survey responses written straight into ``survey_responses`` (the contract of migration
``_v10_survey``), for the IKM's tests: the survey form is another part's; these tests need
only answer sets worked out by hand."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import sqlite_utils

from ult.transaction import immediate

ALL_CODES = tuple(f"U{n}" for n in range(1, 10))


def answers(value: int, **changed: int | None) -> dict[str, int]:
    """Every element answered ``value``, then ``changed`` (``U4=2``; ``U9=None``: left
    unanswered, absent as the contract writes it)."""
    found: dict[str, int | None] = dict.fromkeys(ALL_CODES, value) | changed
    return {code: v for code, v in found.items() if v is not None}


def add_responses(
    db: sqlite_utils.Database,
    day: date,
    service: str,
    answer_sets: Iterable[Mapping[str, int]],
    *,
    instrument: str = "skm",
    counter_kind: str = "front_office",
    profiles: Sequence[Mapping[str, str]] = (),
    suggestions: Sequence[str | None] = (),
) -> None:
    """One response per answer set, on business ``day`` for ``service``; the n-th response
    gets the n-th of ``profiles`` and ``suggestions`` (none when they run out)."""
    answer_sets = list(answer_sets)
    profiles = [*profiles, *[{}] * len(answer_sets)]
    suggestions = [*suggestions, *[None] * len(answer_sets)]
    rows = [
        (
            secrets.token_hex(16),
            instrument,
            day.isoformat(),
            service,
            counter_kind,
            json.dumps(dict(answer_set)),
            json.dumps(dict(profile)),
            suggestion,
        )
        for answer_set, profile, suggestion in zip(answer_sets, profiles, suggestions, strict=False)
    ]
    with immediate(db):
        db.conn.executemany(
            "INSERT INTO survey_responses (id, instrument, day, service, counter_kind, answers, "
            "profile, suggestion) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
