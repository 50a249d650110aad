"""What a report request from outside asks for, checked once for the CLI, the API and pages.

``ult report``, ``GET /api/v1/reports/{section}`` and the report pages take the same
parameters — a section (or ``all``), a period (``from``/``to``, or a period kind with a day
in it), a service letter, a format — and refuse the same bad values with the same
Indonesian message (:data:`ult.messages.REPORT_TEXT`), raised as :class:`ReportRequestError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from ult import exports, ikm, queries, reports
from ult.messages import REPORT_TEXT
from ult.reports import MAX_PERIOD_DAYS, PERIOD_KINDS, PERSONAL_SECTIONS, SECTIONS, Period, Table
from ult.settings import Settings

ALL = "all"
"""The section name that asks for every aggregate section at once (XLSX workbook, JSON
list): the sections with personal data (:data:`ult.reports.PERSONAL_SECTIONS`) are asked
for by name, each on its own, so a bundle never carries them unnoticed."""

FORMATS = ("table", "csv", "json", "xlsx")
"""Output formats: ``table`` is text for a terminal or a page."""


class ReportRequestError(Exception):
    """A refused report request: ``code`` (stable), ``message`` (Indonesian), ``not_found``
    true for an unknown section (HTTP 404; every other refusal is a bad request, 400)."""

    def __init__(self, code: str, *, not_found: bool = False, **values: object) -> None:
        self.code = code
        self.not_found = not_found
        self.message = REPORT_TEXT[code].format(**values)
        super().__init__(self.message)


@dataclass(frozen=True)
class ReportRequest:
    """A checked request: the ``sections`` to compute (one, or all of them for ``all``),
    the ``period`` (local business days, inclusive) and the ``service`` letter or None."""

    sections: tuple[str, ...]
    period: Period
    service: str | None


def parse_sections(name: str | None, allowed: Sequence[str] = SECTIONS) -> tuple[str, ...]:
    """``(name,)`` for a known section, every allowed one without personal data for
    ``all``; else :class:`ReportRequestError` ``section_unknown`` (not found)."""
    text = (name or "").strip().lower()
    if text == ALL:
        return tuple(section for section in allowed if section not in PERSONAL_SECTIONS)
    if text not in allowed:
        raise ReportRequestError(
            "section_unknown",
            not_found=True,
            section=_shown(name or ""),
            choices=", ".join([*allowed, ALL]),
        )
    return (text,)


def parse_day(text: str | None, field: str) -> date | None:
    """A day written ``YYYY-MM-DD``; None or empty is None. Raises ``date_invalid``."""
    if text is None or not str(text).strip():
        return None
    value = str(text).strip()
    try:
        if len(value) != 10:  # fromisoformat also reads 20261125 and week dates
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ReportRequestError("date_invalid", field=field) from None


def parse_period(
    *,
    start: str | None,
    end: str | None,
    kind: str | None,
    anchor: str | None,
    today: date,
) -> Period:
    """The period asked for: ``start``..``end`` (both, inclusive), or the ``kind`` of
    :data:`ult.reports.PERIOD_KINDS` holding ``anchor`` (default ``today``). Raises
    :class:`ReportRequestError` for a bad day, a missing or mixed choice, an end before the
    start, or a range over :data:`ult.reports.MAX_PERIOD_DAYS` (a mistyped year such as
    0026 must not make the appliance compute two thousand years)."""
    first = parse_day(start, "Tanggal awal (from)")
    last = parse_day(end, "Tanggal akhir (to)")
    wanted = (kind or "").strip().lower() or None
    if wanted == "range":  # the page's picker names the from/to choice
        wanted = None
    if wanted is not None:
        if wanted not in PERIOD_KINDS:
            raise ReportRequestError("period_invalid", choices=", ".join(PERIOD_KINDS))
        if first is not None or last is not None:
            raise ReportRequestError("range_mixed")
        day = parse_day(anchor, "Tanggal periode (date)") or today
        try:
            return Period.of(wanted, day)
        except OverflowError:  # the week of 0001-01-01 starts before the calendar does
            raise ReportRequestError("date_invalid", field="Tanggal periode (date)") from None
    if first is None or last is None:
        raise ReportRequestError("range_missing")
    if last < first:
        raise ReportRequestError("range_reversed", start=first.isoformat(), end=last.isoformat())
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ReportRequestError("range_too_long", days=MAX_PERIOD_DAYS)
    return Period(first, last)


def parse_service(db: sqlite_utils.Database, letter: str | None) -> str | None:
    """The service letter (upper case) when it names a service, None for none; else
    ``service_unknown`` with the letters there are."""
    text = (letter or "").strip().upper()
    if not text:
        return None
    names = queries.service_names(db)
    if text not in names:
        raise ReportRequestError(
            "service_unknown", service=_shown(letter or ""), choices=", ".join(names)
        )
    return text


def parse_format(text: str | None, default: str, allowed: Sequence[str] = FORMATS) -> str:
    """The output format (``default`` when none); else ``format_invalid``."""
    value = (text or "").strip().lower() or default
    if value not in allowed:
        raise ReportRequestError("format_invalid", choices=", ".join(allowed))
    return value


def check_xlsx(tables: Sequence[Table]) -> None:
    """Refuse (``xlsx_too_big``) an XLSX of more than :data:`ult.exports.XLSX_ROWS_MAX`
    rows: openpyxl would take minutes on a Pi; the message points to CSV, which streams."""
    rows, limit = exports.xlsx_rows(tables), exports.XLSX_ROWS_MAX
    if rows > limit:
        raise ReportRequestError("xlsx_too_big", rows=_number(rows), limit=_number(limit))


IKM_SECTIONS = ("ikm", "ikm_services")
"""What an IKM request (``/api/v1/reports/ikm``, ``ult ikm``) gives: the elements, then the
office and its services."""


def ikm_tables(
    db: sqlite_utils.Database, settings: Settings, period: Period, service: str | None
) -> tuple[ikm.Index, list[Table]]:
    """The IKM of the period (the office's, or the one service's) and its two tables
    (:data:`IKM_SECTIONS`), from one read of the responses."""
    with reports.shared_tickets():
        tables = [
            reports.report(db, name, period, service=service, settings=settings)
            for name in IKM_SECTIONS
        ]
        return reports.survey_index(db, period, service, settings).overall, tables


def ikm_body(
    index: ikm.Index, tables: Sequence[Table], period: Period, service: str | None
) -> dict:
    """The JSON of an IKM request, the same for ``/api/v1/reports/ikm`` and ``ult ikm
    --format json``: the element table as any section's JSON (``section``, ``title``,
    ``columns``, ``rows``, ``from``, ``to``, ``service``), the headline figures of
    :func:`ult.ikm.figures_json` (``ikm``, ``grade``, ``grade_name``, ``nrr``,
    ``respondents``, ``visitors``, ``sample_target``...) and ``services``: the office's and
    each service's row (the tables of :func:`ikm_tables`)."""
    elements, services = tables
    return {
        **exports.report_json([elements], period.start, period.end, service),
        **ikm.figures_json(index),
        "services": exports.table_json(services),
    }


def _number(value: int) -> str:
    """``13.000``: a count as Indonesian readers write it."""
    return f"{value:,}".replace(",", ".")


def _shown(value: str) -> str:
    """A value from outside, safe and short inside a message."""
    text = "".join(ch if ch.isprintable() else "?" for ch in value)
    return text if len(text) <= 40 else text[:39] + "…"
