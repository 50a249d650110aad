"""The report book's figures: one :class:`Table` per section and period, from the real tables.

``report(db, section, period, service=None, settings=...)`` is the one computation that the
report pages, the API (``/api/v1/reports/<section>``), the exports (CSV, XLSX) and ``ult
report`` show, so they always agree. Sources: the tickets, the event log and the step record
(:mod:`ult.record`), never a counter kept aside; the IKM sections (``ikm``,
``ikm_services``) read the survey's responses (:mod:`ult.ikm`) and need the settings.
Days are the office's local business days (``tickets.day``), both ends of a period
included; stored times are UTC stamps, and ``datetime`` columns carry them as they are
stored (the page turns them into local time).
Durations are whole seconds. Medians are exact (the middle value, or the mean of the two
middle ones); the 90th percentile is the nearest-rank value (the smallest value with at
least 90% of the values at or below it).

The rules come from the SOP (``shared/SOP.md``): the standard time of each step and its
overrun (Mutu Baku), the 37/58-minute paths of a case (:data:`ult.steps.DESK_PATH_MINUTES`,
:data:`ult.steps.FULL_PATH_MINUTES`), and the warning that each officer answers for the
steps that ran over.
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, NamedTuple

import sqlite_utils

from ult import day as business
from ult import guestbook, ikm, sop
from ult.accounts import officer_names
from ult.errors import invalid
from ult.kinds import EventKind
from ult.messages import CHOICES, IKM_TEXT, PRIORITY_CATEGORIES, REPORT_COLUMNS, REPORT_SECTIONS
from ult.queue import INCOMPLETE_REASONS
from ult.settings import Settings
from ult.steps import DESK_PATH_MINUTES, FULL_PATH_MINUTES
from ult.survey import load_instruments

PERIOD_KINDS = ("day", "week", "month", "quarter", "semester", "year")
"""The named periods of :meth:`Period.of`."""
MAX_PERIOD_DAYS = 366 * 3
"""The longest period a report covers (three years): a bound on the work one request asks."""

LONG_PERIOD_DAYS = 31
"""Periods longer than this read the compliance and officer figures from the step record's
ordered indexes (migration ``_v8_report_indexes``) rather than by day."""

ColumnKind = Literal["text", "int", "bool", "seconds", "percent", "date", "datetime", "decimal"]


@dataclass(frozen=True)
class Period:
    """Local business days ``start`` to ``end``, both included.

    Raises ``QueueError`` (``period_invalid``) when ``start`` is after ``end`` or the period
    is longer than :data:`MAX_PERIOD_DAYS`.
    """

    start: date
    end: date

    def __post_init__(self) -> None:
        # A datetime is a date too, but a period is of whole local days.
        for day in (self.start, self.end):
            if not isinstance(day, date) or isinstance(day, datetime):
                raise invalid("period_invalid", start=self.start, end=self.end)
        if self.start > self.end:
            raise invalid("period_invalid", start=self.start, end=self.end)
        if self.days > MAX_PERIOD_DAYS:
            raise invalid("period_too_long", days=self.days, limit=MAX_PERIOD_DAYS)

    @property
    def days(self) -> int:
        """The number of days in the period."""
        return (self.end - self.start).days + 1

    @classmethod
    def of(cls, kind: str, anchor: date) -> Period:
        """The ``kind`` of period (:data:`PERIOD_KINDS`) holding ``anchor``: its day, its
        week (Monday to Sunday), month, quarter, semester (January-June, July-December) or
        year. Raises ``QueueError`` (``period_kind_unknown``) for another kind."""
        if kind == "day":
            return cls(anchor, anchor)
        if kind == "week":
            monday = anchor - timedelta(days=anchor.weekday())
            return cls(monday, monday + timedelta(days=6))
        months = {"month": 1, "quarter": 3, "semester": 6, "year": 12}.get(kind)
        if months is None:
            raise invalid("period_kind_unknown", period=kind, kinds=", ".join(PERIOD_KINDS))
        first = (anchor.month - 1) // months * months + 1
        last = first + months - 1
        return cls(
            date(anchor.year, first, 1),
            date(anchor.year, last, calendar.monthrange(anchor.year, last)[1]),
        )


@dataclass(frozen=True)
class Column:
    """One column of a report: its row key, its Indonesian title and its kind (how to show
    it: ``seconds`` a duration in whole seconds, ``percent`` 0-100 with one decimal,
    ``bool`` a yes/no flag (stored 0/1), ``datetime`` a stored UTC stamp, ``date`` a local
    business day ``YYYY-MM-DD``, ``decimal`` an exact ``Decimal`` rounded to its places, as
    the IKM's figures: ``88.31``). Titles name no time zone: where times are written
    decides it (:func:`ult.exports.header`)."""

    key: str
    title: str
    kind: ColumnKind


@dataclass(frozen=True)
class Table:
    """One section's report: the rows (dicts keyed by the columns' keys) in order."""

    section: str
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]


def _columns(*spec: tuple[str, ColumnKind]) -> tuple[Column, ...]:
    return tuple(Column(key, REPORT_COLUMNS[key], kind) for key, kind in spec)


# ----------------------------------------------------------------- figures


def median(values: Sequence[float]) -> float | None:
    """The exact median of ``values`` (``None`` when empty)."""
    return _median_of(sorted(values))


def p90(values: Sequence[float]) -> float | None:
    """The nearest-rank 90th percentile of ``values`` (``None`` when empty)."""
    return _p90_of(sorted(values))


def _median_of(ordered: Sequence[float]) -> float | None:
    n = len(ordered)
    if n == 0:
        return None
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _p90_of(ordered: Sequence[float]) -> float | None:
    if not ordered:
        return None
    return ordered[max(math.ceil(0.9 * len(ordered)), 1) - 1]


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


def _spread(prefix: str, values: list[float]) -> dict[str, Any]:
    """Median, p90 and maximum of ``values`` (sorted in place)."""
    values.sort()
    return {
        f"{prefix}_median": _median_of(values),
        f"{prefix}_p90": _p90_of(values),
        f"{prefix}_max": values[-1] if values else None,
    }


def _counter_names(db: sqlite_utils.Database) -> dict[int, str]:
    return {row[0]: row[1] for row in db.execute("SELECT id, name FROM counters")}


# ----------------------------------------------------------------- tickets


_TICKET_SQL = """
SELECT t.id, t.label, t.day, t.service, t.topic, t.priority, t.state, t.outcome,
       t.front_office_counter_id, t.incomplete_reason,
       CAST(round(MAX(0, (julianday(t.finished_at) - julianday(t.issued_at)) * 86400)) AS INTEGER),
       CAST(round(MAX(0, (julianday(t.finished_at) - julianday(t.started_at)) * 86400)) AS INTEGER),
       (SELECT SUM(w.seconds) FROM step_records w WHERE w.ticket_id = t.id AND w.waiting = 1),
       EXISTS (SELECT 1 FROM step_records a WHERE a.ticket_id = t.id AND a.clock_anomaly = 1),
       t.priority_category
FROM tickets t
WHERE t.day BETWEEN ?1 AND ?2 {service}
ORDER BY t.id
"""
"""The tickets of a period with their times. A ticket's step records all carry its day, so its
queue wait is summed per ticket from the ``step_records_wait`` index (no period-wide
grouping of the step record). Then whether the case has a step with the clock set back, and
the priority category (UU 25/2009 Pasal 29; ``NULL`` when none was recorded)."""


class _Case(NamedTuple):
    id: int
    label: str
    day: str
    service: str
    topic: str | None
    priority: int
    state: str
    outcome: str | None
    counter_id: int | None
    incomplete_reason: str | None
    total: int | None
    served: int | None
    waited: int | None
    clock_anomaly: int
    priority_category: str | None


def _service_clause(service: str | None) -> tuple[str, tuple]:
    return ("", ()) if service is None else ("AND t.service = ?3", (service,))


_SHARED_CASES: ContextVar[dict[tuple, list[_Case]] | None] = ContextVar(
    "shared_cases", default=None
)


@contextmanager
def shared_tickets() -> Iterator[None]:
    """Within this block the sections of one period and service read its tickets once
    (a page that shows the summary, services, topics, counters and cases of a year reads
    50,000 tickets once, not five times); the reads are dropped when the block ends.

    Only for a block that reads: a change made inside it is not seen by later sections."""
    token = _SHARED_CASES.set({})
    surveys = _SHARED_SURVEYS.set({})
    try:
        yield
    finally:
        _SHARED_CASES.reset(token)
        _SHARED_SURVEYS.reset(surveys)


def _cases(db: sqlite_utils.Database, period: Period, service: str | None) -> list[_Case]:
    shared = _SHARED_CASES.get()
    key = (id(db), period, service)
    if shared is not None and key in shared:
        return shared[key]
    clause, params = _service_clause(service)
    found = db.execute(
        _TICKET_SQL.format(service=clause),
        (period.start.isoformat(), period.end.isoformat(), *params),
    )
    cases = list(map(_Case._make, found))
    if shared is not None:
        shared[key] = cases
    return cases


_TICKET_FIGURES = _columns(
    ("visitors", "int"),
    ("finished_resolved", "int"),
    ("finished_unresolved", "int"),
    ("no_show", "int"),
    ("cancelled", "int"),
    ("expired", "int"),
    ("still_open", "int"),
    ("priority", "int"),
    ("wait_median", "seconds"),
    ("wait_p90", "seconds"),
    ("wait_max", "seconds"),
    ("wait_priority_median", "seconds"),
    ("wait_normal_median", "seconds"),
    ("service_median", "seconds"),
    ("service_p90", "seconds"),
    ("service_max", "seconds"),
    ("total_median", "seconds"),
    ("total_p90", "seconds"),
    ("total_max", "seconds"),
    ("clock_anomaly_cases", "int"),
)


def _ticket_figures(cases: Iterable[_Case]) -> dict[str, Any]:
    """Counts by outcome and the wait, service and total times of ``cases``.

    Waiting time: the ticket's queue waits (step record, steps 4-5); service time: start at
    the desk (6) to finish (16); total: issue to finish. Service and total count finished
    cases only. A case with a step whose clock was set back (``clock_anomaly``) is left out
    of the three times (its stamps cannot be trusted) and counted in ``clock_anomaly_cases``.
    """
    counts: dict[str, int] = defaultdict(int)
    waits: list[int] = []
    waits_by_priority: dict[int, list[int]] = {0: [], 1: []}
    served: list[int] = []
    totals: list[int] = []
    for case in cases:
        counts["visitors"] += 1
        counts["priority"] += case.priority
        counts["clock_anomaly_cases"] += case.clock_anomaly
        timed = not case.clock_anomaly
        if case.state == sop.DONE:
            counts[f"finished_{case.outcome or 'resolved'}"] += 1
            if timed and case.served is not None:
                served.append(case.served)
            if timed and case.total is not None:
                totals.append(case.total)
        elif case.state in (sop.NO_SHOW, sop.CANCELLED, sop.EXPIRED):
            counts[case.state] += 1
        else:
            counts["still_open"] += 1
        if timed and case.waited is not None:
            waits.append(case.waited)
            waits_by_priority[case.priority].append(case.waited)
    row: dict[str, Any] = {
        key: counts[key]
        for key in (
            "visitors",
            "finished_resolved",
            "finished_unresolved",
            "no_show",
            "cancelled",
            "expired",
            "still_open",
            "priority",
        )
    }
    row |= _spread("wait", waits)
    row["wait_priority_median"] = median(waits_by_priority[1])
    row["wait_normal_median"] = median(waits_by_priority[0])
    row |= _spread("service", served)
    row |= _spread("total", totals)
    row["clock_anomaly_cases"] = counts["clock_anomaly_cases"]
    return row


_INCOMPLETE_COLUMNS = (
    *_columns(("finished_incomplete", "int")),
    *(
        Column(
            f"incomplete_{reason}",
            f"{REPORT_COLUMNS['finished_incomplete']}: {CHOICES[reason]}",
            "int",
        )
        for reason in INCOMPLETE_REASONS
    ),
)


def _summary_row(cases: Sequence[_Case]) -> dict[str, Any]:
    """The ticket figures of ``cases``, and the cases finished without a complete record
    (SOP 16: no identity or request detail), in all and per recorded reason."""
    row = _ticket_figures(cases)
    reasons = [c.incomplete_reason for c in cases if c.state == sop.DONE and c.incomplete_reason]
    row["finished_incomplete"] = len(reasons)
    for reason in INCOMPLETE_REASONS:
        row[f"incomplete_{reason}"] = reasons.count(reason)
    return row


_SUMMARY_COLUMNS = (*_TICKET_FIGURES, *_INCOMPLETE_COLUMNS)


def _summary(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    """The period's figures in one row (:func:`_summary_row`)."""
    return _table("summary", _SUMMARY_COLUMNS, [_summary_row(_cases(db, period, service))])


def _daily(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    """The summary's figures per local business day of the period, oldest first, one row
    for every day (a day without tickets shows zeros: the office was closed or empty)."""
    by_day: dict[str, list[_Case]] = defaultdict(list)
    for case in _cases(db, period, service):
        by_day[case.day].append(case)
    days = (period.start + timedelta(days=n) for n in range(period.days))
    rows = [{"day": day.isoformat(), **_summary_row(by_day[day.isoformat()])} for day in days]
    return _table("daily", (*_columns(("day", "date")), *_SUMMARY_COLUMNS), rows)


def _grouped(
    section: str,
    key_column: str,
    group: Callable[[_Case], Any],
    name: Callable[[sqlite_utils.Database], Callable[[Any], str]],
) -> Callable[[sqlite_utils.Database, Period, str | None], Table]:
    """A section of the ticket figures per group: by service (the ticket's service now,
    after any transfer), by topic, or by the front-office counter that called it."""

    def build(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
        groups: dict[Any, list[_Case]] = defaultdict(list)
        for case in _cases(db, period, service):
            groups[group(case)].append(case)
        names = name(db)
        rows = [
            {key_column: names(value), **_ticket_figures(cases)}
            for value, cases in sorted(groups.items(), key=lambda kv: str(kv[0]))
        ]
        return _table(section, (*_columns((key_column, "text")), *_TICKET_FIGURES), rows)

    return build


def _service_name(db: sqlite_utils.Database) -> Callable[[Any], str]:
    names = {row[0]: row[1] for row in db.execute("SELECT letter, name FROM services")}
    return lambda letter: f"{letter} {names.get(letter, '')}".strip()


def _topic_name(db: sqlite_utils.Database) -> Callable[[Any], str]:
    return lambda topic: topic or REPORT_COLUMNS["no_topic"]


def _counter_name(db: sqlite_utils.Database) -> Callable[[Any], str]:
    """A counter's name; the tickets never called to a counter (gone before their turn,
    cancelled, expired) are one named group."""
    names = _counter_names(db)
    never = REPORT_COLUMNS["no_counter"]
    return lambda counter_id: names.get(counter_id, never) if counter_id else never


_PRIORITY_COLUMNS = _columns(
    ("priority_category", "text"),
    ("visitors", "int"),
    ("wait_median", "seconds"),
    ("wait_p90", "seconds"),
    ("wait_max", "seconds"),
    ("finished_resolved", "int"),
    ("finished_unresolved", "int"),
    ("no_show", "int"),
    ("cancelled", "int"),
    ("expired", "int"),
    ("still_open", "int"),
)


def _priority(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    """Priority visitors (UU 25/2009 Pasal 29) and their queue waits, per category in the
    order of :data:`ult.sop.PRIORITY_CATEGORIES` (every category, zeros included), then
    the priority tickets without a recorded category (the kiosk button, tickets before
    categories were kept) when there are any, all priority visitors, and the others for
    comparison. Waits as in the summary (:func:`_ticket_figures`: the step record's queue
    waits, a case with the clock set back left out)."""
    groups: dict[str | None, list[_Case]] = defaultdict(list)
    normal: list[_Case] = []
    for case in _cases(db, period, service):
        if case.priority:
            groups[case.priority_category].append(case)
        else:
            normal.append(case)
    named: list[tuple[str, list[_Case]]] = [
        (PRIORITY_CATEGORIES[code].capitalize(), groups.get(code, []))
        for code in sop.PRIORITY_CATEGORIES
    ]
    unknown = [c for code, cases in groups.items() if code not in sop.PRIORITY_CATEGORIES
               for c in cases]  # fmt: skip
    if unknown:
        named.append((REPORT_COLUMNS["priority_uncategorized"], unknown))
    every = [c for cases in groups.values() for c in cases]
    named += [(REPORT_COLUMNS["priority_all"], every), (REPORT_COLUMNS["priority_none"], normal)]
    keys = [column.key for column in _PRIORITY_COLUMNS[1:]]
    rows = []
    for name, cases in named:
        figures = _ticket_figures(cases)
        rows.append({"priority_category": name, **{key: figures[key] for key in keys}})
    return _table("priority", _PRIORITY_COLUMNS, rows)


# ----------------------------------------------------------------- step record


def _step_filter(period: Period, service: str | None) -> tuple[str, tuple]:
    """The ``WHERE`` of step records in ``period`` (and of one service's tickets)."""
    days = (period.start.isoformat(), period.end.isoformat())
    if service is None:
        return "s.day BETWEEN ? AND ?", days
    return (
        "s.day BETWEEN ? AND ? AND s.ticket_id IN "
        "(SELECT id FROM tickets WHERE day BETWEEN ? AND ? AND service = ?)",
        (*days, *days, service),
    )


def _listed(
    db: sqlite_utils.Database,
    period: Period,
    service: str | None,
    keys: Sequence[str],
    where: str = "",
) -> list[dict[str, Any]]:
    """Step records as rows of ``keys`` (columns of ``_LISTED``), by day in log order; officers
    named by :func:`officer_names`."""
    clause, params = _step_filter(period, service)
    found = db.execute(
        f"SELECT {', '.join(_LISTED[key] for key in keys)} FROM step_records s "
        "JOIN tickets t ON t.id = s.ticket_id LEFT JOIN counters c ON c.id = s.counter_id "
        f"WHERE {clause} {where} ORDER BY s.day, s.event_id",
        params,
    )
    rows = [dict(zip(keys, row)) for row in found]  # noqa: B905 (the SELECT lists keys)
    names = officer_names(db)
    if names and "officer" in keys:
        for row in rows:
            row["officer"] = names.get(row["officer"], row["officer"])
    return rows


_LISTED = {
    "label": "t.label",
    "day": "s.day",
    "step": "s.step",
    "waiting": "s.waiting",
    "began_at": "s.began_at",
    "ended_at": "s.ended_at",
    "seconds": "s.seconds",
    "standard_seconds": "s.standard_seconds",
    "overrun_seconds": "s.overrun_seconds",
    "officer": "s.officer",
    "counter": "c.name",
    "clock_anomaly": "s.clock_anomaly",
}

_STEP_COLUMNS = _columns(
    ("label", "text"),
    ("day", "date"),
    ("step", "int"),
    ("waiting", "bool"),
    ("began_at", "datetime"),
    ("ended_at", "datetime"),
    ("seconds", "seconds"),
    ("standard_seconds", "seconds"),
    ("overrun_seconds", "seconds"),
    ("officer", "text"),
    ("counter", "text"),
    ("clock_anomaly", "bool"),
)


def _steps(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    rows = _listed(db, period, service, [c.key for c in _STEP_COLUMNS])
    return _table("steps", _STEP_COLUMNS, rows)


_COMPLIANCE_FIGURES = _columns(
    ("count", "int"),
    ("within_share", "percent"),
    ("median", "seconds"),
    ("p90", "seconds"),
    ("max", "seconds"),
    ("overruns", "int"),
    ("overrun_total", "seconds"),
    ("clock_anomalies", "int"),
)


def _step_figures(
    db: sqlite_utils.Database,
    period: Period,
    service: str | None,
    group: str,
    where: str = "",
    *,
    cases: bool = False,
    index: str = "",
) -> dict[tuple, dict[str, Any]]:
    """The compliance figures of step records grouped by the SQL ``group`` expression
    (``a, b``), and with ``cases`` the number of distinct cases per group.

    SQL counts the records per group and duration (a histogram: a year's 350,000 records
    are some 12,000 distinct (step, seconds) pairs), so Python never sees one row per
    record; the exact median, the nearest-rank p90 and the maximum are read off the
    histogram's cumulative counts. ``index``: an ``INDEXED BY`` clause for the read.
    A record with the clock set back (``clock_anomaly``: its 0 seconds are no duration) is
    left out of every figure but ``clock_anomalies``, which counts it.
    """
    clause, params = _step_filter(period, service)
    histograms: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    figures: dict[tuple, dict[str, Any]] = {}
    for *key, seconds, count, overruns, total, anomalies, standard in db.execute(
        f"SELECT {group}, s.seconds, COUNT(*) - SUM(s.clock_anomaly), "
        "SUM(s.overrun_seconds > 0 AND s.clock_anomaly = 0), "
        "SUM(s.overrun_seconds * (1 - s.clock_anomaly)), SUM(s.clock_anomaly), "
        "MAX(s.standard_seconds) "
        f"FROM step_records s {index} WHERE {clause} {where} "
        f"GROUP BY {group}, s.seconds ORDER BY {group}, s.seconds",
        params,
    ):
        found = figures.setdefault(
            tuple(key),
            {
                "standard_seconds": standard,
                "count": 0,
                "overruns": 0,
                "overrun_total": 0,
                "clock_anomalies": 0,
                # Stay empty when every record of the group has its clock set back.
                **dict.fromkeys(("within_share", "median", "p90", "max")),
            },
        )
        found["standard_seconds"] = max(found["standard_seconds"], standard)
        found["count"] += count
        found["overruns"] += overruns
        found["overrun_total"] += total
        found["clock_anomalies"] += anomalies
        if count:
            histograms[tuple(key)].append((seconds, count))
    for key, histogram in histograms.items():
        found = figures[key]
        n = found["count"]
        found["within_share"] = _share(n - found["overruns"], n)
        middle = n // 2
        found["median"] = (
            _nth(histogram, middle)
            if n % 2
            else (_nth(histogram, middle - 1) + _nth(histogram, middle)) / 2
        )
        found["p90"] = _nth(histogram, max(math.ceil(0.9 * n), 1) - 1)
        found["max"] = histogram[-1][0]
    if cases:
        for *key, distinct in db.execute(
            f"SELECT {group}, COUNT(DISTINCT s.ticket_id) FROM step_records s {index} "
            f"WHERE {clause} {where} GROUP BY {group}",
            params,
        ):
            figures[tuple(key)]["cases"] = distinct
    return figures


def _nth(histogram: list[tuple[int, int]], rank: int) -> int:
    """The value at 0-based ``rank`` of the sorted values a histogram ``[(value, count)]``
    (ascending values) counts."""
    for value, count in histogram:
        if rank < count:
            return value
        rank -= count
    raise IndexError(rank)


def _ordered_figures(figures: dict[str, Any]) -> dict[str, Any]:
    return {column.key: figures[column.key] for column in _COMPLIANCE_FIGURES}


def _compliance(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    # Beyond a month, one ordered read of the whole durations index (no table lookup, no
    # sort) costs less than sorting the period's rows found by day: a year 0.1 s, not 0.4 s
    # (the officers' index likewise: 0.2 s, not 0.5 s).
    index = "INDEXED BY step_records_durations" if period.days > LONG_PERIOD_DAYS else ""
    figures = _step_figures(db, period, service, "s.step, s.waiting", index=index)
    rows = [
        {
            "step": step,
            "waiting": waiting,
            "standard_seconds": found["standard_seconds"],
            **_ordered_figures(found),
        }
        for (step, waiting), found in sorted(figures.items())
    ]
    columns = _columns(("step", "int"), ("waiting", "bool"), ("standard_seconds", "seconds"))
    return _table("compliance", (*columns, *_COMPLIANCE_FIGURES), rows)


def _officers(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    """Per officer: the steps they closed against the standard (the wait is nobody's)."""
    names = officer_names(db)
    nips = {r[0]: r[1] for r in db.execute("SELECT username, nip FROM users")}
    long = period.days > LONG_PERIOD_DAYS
    figures = _step_figures(
        db,
        period,
        service,
        "s.officer",
        "AND s.waiting = 0",
        cases=True,
        index="INDEXED BY step_records_officers" if long else "",
    )
    rows = [
        {
            "officer": names.get(officer, officer),
            "nip": nips.get(officer),
            "username": officer,
            "cases": found["cases"],
            **_ordered_figures(found),
        }
        for (officer,), found in sorted(figures.items())
    ]
    columns = _columns(("officer", "text"), ("nip", "text"), ("username", "text"), ("cases", "int"))
    return _table("officers", (*columns, *_COMPLIANCE_FIGURES), rows)


_OVERRUN_COLUMNS = _columns(
    ("label", "text"),
    ("day", "date"),
    ("step", "int"),
    ("officer", "text"),
    ("counter", "text"),
    ("began_at", "datetime"),
    ("seconds", "seconds"),
    ("standard_seconds", "seconds"),
    ("overrun_seconds", "seconds"),
)


def _overruns(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    """Every officer's step that ran over its standard (never the queue wait)."""
    where = "AND s.waiting = 0 AND s.overrun_seconds > 0"
    rows = _listed(db, period, service, [c.key for c in _OVERRUN_COLUMNS], where)
    return _table("overruns", _OVERRUN_COLUMNS, rows)


# ----------------------------------------------------------------- escalations and cases


_ESCALATION_SQL = """
SELECT e.ticket_id, t.day, t.state, e.kind, julianday(e.at) * 86400,
       json_extract(e.payload, '$.state')
FROM events e JOIN tickets t ON t.id = e.ticket_id
WHERE t.day BETWEEN ? AND ? {service} AND e.kind IN ({kinds})
ORDER BY e.ticket_id, e.id
"""
_ESCALATION_KINDS = (
    EventKind.ESCALATED,
    EventKind.RESOLVED,
    EventKind.FORWARDED,
    EventKind.DISPOSITION,
    EventKind.RELAYED,
)


def _escalations(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    """Cases escalated to the back office and forwarded to a main unit: how many, how many
    answered, the turnaround (escalation to the answer ready for the front office; forward
    to the unit's disposition), and how many still wait for that answer now, and of those
    how many since an earlier business day than the store's current one.

    A clock set back gives a turnaround of 0, never a negative one.
    """
    clause, params = _service_clause(service)
    found = db.execute(
        _ESCALATION_SQL.format(service=clause, kinds=", ".join("?" * len(_ESCALATION_KINDS))),
        (period.start.isoformat(), period.end.isoformat(), *params, *_ESCALATION_KINDS),
    )
    today = business.stored_day(db)
    levels = {
        "back_office": {"count": 0, "answered": 0, "turnaround": [], "open": 0, "old": 0},
        "main_unit": {"count": 0, "answered": 0, "turnaround": [], "open": 0, "old": 0},
    }
    cases: dict[int, list[tuple]] = defaultdict(list)
    for row in found:
        cases[row[0]].append(row)
    for events in cases.values():
        day_text, state = events[0][1], events[0][2]
        older = today is not None and day_text < today.isoformat()
        for level, opens, closes in (
            ("back_office", EventKind.ESCALATED, None),
            ("main_unit", EventKind.FORWARDED, EventKind.DISPOSITION),
        ):
            index = next((i for i, e in enumerate(events) if e[3] == opens), None)
            if index is None:
                continue
            start, figures = events[index], levels[level]
            figures["count"] += 1
            # The back office's answer is whatever made the answer ready for the front
            # office (its own, a relay, or a disposition sent there directly).
            end = next(
                (
                    e
                    for e in events[index + 1 :]
                    if (e[3] == closes if closes else e[5] == sop.ANSWER_READY)
                ),
                None,
            )
            if end is not None:
                figures["answered"] += 1
                figures["turnaround"].append(max(round(end[4] - start[4]), 0))
            elif state in sop.ESCALATION_STATES:
                figures["open"] += 1
                figures["old"] += int(older)
    rows = [
        {
            "level": REPORT_COLUMNS[f"level_{level}"],
            "count": f["count"],
            "answered": f["answered"],
            **_spread("turnaround", f["turnaround"]),
            "still_open": f["open"],
            "open_from_earlier_days": f["old"],
        }
        for level, f in levels.items()
    ]
    columns = _columns(
        ("level", "text"),
        ("count", "int"),
        ("answered", "int"),
        ("turnaround_median", "seconds"),
        ("turnaround_p90", "seconds"),
        ("turnaround_max", "seconds"),
        ("still_open", "int"),
        ("open_from_earlier_days", "int"),
    )
    return _table("escalations", columns, rows)


def _over_path(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    """Finished cases whose total time (issue to finish) went over the SOP's path: the
    desk path (steps 1-9, 15, 16) or, for an escalated case, the full path (all 16)."""
    clause, params = _service_clause(service)
    escalated = {
        row[0]
        for row in db.execute(
            "SELECT DISTINCT e.ticket_id FROM events e JOIN tickets t ON t.id = e.ticket_id "
            f"WHERE t.day BETWEEN ? AND ? {clause} AND e.kind = ?",
            (period.start.isoformat(), period.end.isoformat(), *params, EventKind.ESCALATED),
        )
    }
    rows = []
    for case in _cases(db, period, service):
        if case.state != sop.DONE or case.total is None:
            continue
        full = case.id in escalated
        path = (FULL_PATH_MINUTES if full else DESK_PATH_MINUTES) * 60
        if case.total > path:
            rows.append(
                {
                    "label": case.label,
                    "day": case.day,
                    "service": case.service,
                    "path": REPORT_COLUMNS["path_full" if full else "path_desk"],
                    "path_seconds": path,
                    "total_seconds": case.total,
                    "over_seconds": case.total - path,
                }
            )
    columns = _columns(
        ("label", "text"),
        ("day", "date"),
        ("service", "text"),
        ("path", "text"),
        ("path_seconds", "seconds"),
        ("total_seconds", "seconds"),
        ("over_seconds", "seconds"),
    )
    return _table("cases", columns, rows)


# ----------------------------------------------------------------- the guest book


def _guestbook(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    """The guest book's visits of the period, newest first (:func:`ult.guestbook.visits`).

    Personal data (names, document numbers, phones, addresses): for the supervisor only.
    This table carries it unmasked; the pages and the API that show it decide who may.
    """
    columns = tuple(Column(c.key, c.title, c.kind) for c in guestbook.visit_columns())  # type: ignore[arg-type]
    rows = [
        {c.key: visit.get(c.key) for c in columns}
        for visit in guestbook.visits(db, period.start, period.end, service=service)
    ]
    return _table("guestbook", columns, rows)


# ----------------------------------------------------------------- the satisfaction index


_SHARED_SURVEYS: ContextVar[dict[tuple, ikm.Survey] | None] = ContextVar(
    "shared_surveys", default=None
)


def survey_index(
    db: sqlite_utils.Database, period: Period, service: str | None, settings: Settings
) -> ikm.Survey:
    """The period's IKM (:func:`ult.ikm.survey` of the settings' SKM), read once per
    :func:`shared_tickets` block: the two IKM sections and the API's headline agree."""
    shared = _SHARED_SURVEYS.get()
    key = (id(db), period, service)
    if shared is not None and key in shared:
        return shared[key]
    found = ikm.survey(
        db,
        ikm.skm(settings),
        period.start,
        period.end,
        service=service,
        min_group=settings.survey.min_group,
    )
    if shared is not None:
        shared[key] = found
    return found


_IKM_COLUMNS = _columns(
    ("element_code", "text"),
    ("element", "text"),
    ("element_answered", "int"),
    ("answer_sum", "int"),
    ("nrr", "decimal"),
    ("converted", "decimal"),
    ("grade", "text"),
    ("grade_name", "text"),
    ("weakest", "bool"),
    ("note", "text"),
)


def _ikm(
    db: sqlite_utils.Database, period: Period, service: str | None, settings: Settings
) -> Table:
    """The SKM's nine elements (NRR four decimals, converted value, grade, the weakest
    marked), then the IKM row: respondents, the mean NRR, the IKM and its grade, or why
    there is none (:mod:`ult.ikm`). Under ``[survey] min_group`` respondents the figures
    are withheld (the office keeps its number of respondents; one service asked for is a
    breakdown and withholds it too)."""
    index = survey_index(db, period, service, settings).overall
    rows: list[dict[str, Any]] = [
        {
            "element_code": e.code,
            "element": e.name,
            "element_answered": None if index.folded else e.answered,
            "answer_sum": None if index.folded else e.total,
            "nrr": ikm.nrr_value(e.nrr),
            "converted": e.converted,
            "grade": e.grade,
            "grade_name": ikm.grade_name(e.grade),
            "weakest": None if e.nrr is None else e.weakest,
            "note": IKM_TEXT["weakest"]
            if e.weakest
            else IKM_TEXT["all_equal"]
            if index.all_equal and e.nrr is not None
            else None,
        }
        for e in index.elements
    ]
    rows.append(
        {
            "element_code": REPORT_COLUMNS["ikm"],
            "element": REPORT_COLUMNS["ikm_row"],
            "element_answered": index.shown_respondents,
            "answer_sum": None,
            "nrr": ikm.nrr_value(index.mean_nrr),
            "converted": index.ikm,
            "grade": index.grade,
            "grade_name": index.grade_name,
            "weakest": None,
            "note": _ikm_note(index),
        }
    )
    return _table("ikm", _IKM_COLUMNS, rows)


def _ikm_note(index: ikm.Index) -> str | None:
    """Why a group has no IKM, or that its respondents are under the sample target."""
    if index.refused is not None:
        return index.refused
    if not index.count_withheld and index.below_sample:
        return IKM_TEXT["below_sample"].format(
            respondents=index.respondents, target=index.sample_target
        )
    return None


_IKM_SERVICE_COLUMNS = _columns(
    ("service", "text"),
    ("respondents", "int"),
    ("finished_visitors", "int"),
    ("sample_target", "int"),
    ("below_sample", "bool"),
    ("ikm", "decimal"),
    ("grade", "text"),
    ("grade_name", "text"),
    ("weakest", "text"),
    ("note", "text"),
)


def _ikm_services(
    db: sqlite_utils.Database, period: Period, service: str | None, settings: Settings
) -> Table:
    """The IKM of the whole office (all services), then per service: respondents against
    the sample target, the IKM, its grade and the weakest elements. A service under
    ``[survey] min_group`` respondents is folded away (and the next smallest against
    subtraction, :func:`ult.ikm.suppressed`): its row says so and shows no respondent
    count nor figure; the office under ``min_group`` shows its respondents only."""
    found = survey_index(db, period, service, settings)
    names = _service_name(db)
    groups = [(names(i.service), i) for i in found.services]
    if service is None:
        groups.insert(0, (REPORT_COLUMNS["ikm_all_services"], found.overall))
    rows = [
        {
            "service": name,
            "respondents": index.shown_respondents,
            "finished_visitors": index.visitors,
            "sample_target": index.sample_target,
            "below_sample": None if index.count_withheld else index.below_sample,
            "ikm": index.ikm,
            "grade": index.grade,
            "grade_name": index.grade_name,
            "weakest": ", ".join(index.weakest)
            or (IKM_TEXT["all_equal"] if index.all_equal else None),
            "note": _ikm_note(index),
        }
        for name, index in groups
    ]
    return _table("ikm_services", _IKM_SERVICE_COLUMNS, rows)


_PROFILE_COLUMNS = _columns(
    ("profile_question", "text"),
    ("profile_category", "text"),
    ("respondents", "int"),
    ("note", "text"),
)


def _survey_profile(
    db: sqlite_utils.Database, period: Period, service: str | None, settings: Settings
) -> Table:
    """Per profile question (age, sex...) and category, then "not given", the respondents
    of the period; a category folded (:func:`ult.ikm.profile`) shows ``< min_group`` (or
    that it is folded with one, against subtraction)."""
    min_group = settings.survey.min_group
    counts = ikm.profile(
        db,
        ikm.skm(settings),
        load_instruments(settings).profile,
        period.start,
        period.end,
        service=service,
        min_group=min_group,
    )
    rows = [
        {
            "profile_question": c.question,
            "profile_category": IKM_TEXT["profile_not_given"] if c.category is None else c.category,
            "respondents": c.respondents,
            "note": None
            if c.respondents is not None
            else IKM_TEXT["profile_folded_secondary"]
            if c.secondary
            else IKM_TEXT["profile_folded"].format(min_group=min_group),
        }
        for c in counts
    ]
    return _table("survey_profile", _PROFILE_COLUMNS, rows)


_SUGGESTION_COLUMNS = _columns(("suggestion", "text"), ("service", "text"), ("note", "text"))


def _survey_suggestions(
    db: sqlite_utils.Database, period: Period, service: str | None, settings: Settings
) -> Table:
    """The visitors' suggestions of the period with their service only (no day), sorted by
    text (:func:`ult.ikm.suggestions`); under ``min_group`` respondents one row says they
    are folded. Visitor free text: the exports guard it against formulas."""
    min_group = settings.survey.min_group
    found = ikm.suggestions(
        db, ikm.skm(settings), period.start, period.end, service=service, min_group=min_group
    )
    if found is None:
        rows = [
            {
                "suggestion": None,
                "service": None,
                "note": IKM_TEXT["suggestions_folded"].format(min_group=min_group),
            }
        ]
    else:
        names = _service_name(db)
        rows = [
            {
                "suggestion": text,
                "service": IKM_TEXT["suggestion_service_folded"]
                if letter is None
                else names(letter),
                "note": None,
            }
            for text, letter in found
        ]
    return _table("survey_suggestions", _SUGGESTION_COLUMNS, rows)


# ----------------------------------------------------------------- the sections


def _table(section: str, columns: tuple[Column, ...], rows: list[dict[str, Any]]) -> Table:
    return Table(section, REPORT_SECTIONS[section], columns, rows)


_BUILDERS: dict[str, Callable[[sqlite_utils.Database, Period, str | None], Table]] = {
    "summary": _summary,
    "daily": _daily,
    "steps": _steps,
    "compliance": _compliance,
    "officers": _officers,
    "overruns": _overruns,
    "services": _grouped("services", "service", lambda c: c.service, _service_name),
    "topics": _grouped("topics", "topic", lambda c: c.topic or "", _topic_name),
    "counters": _grouped("counters", "counter", lambda c: c.counter_id or 0, _counter_name),
    "priority": _priority,
    "escalations": _escalations,
    "cases": _over_path,
    "guestbook": _guestbook,
}

_SURVEY_BUILDERS: dict[
    str, Callable[[sqlite_utils.Database, Period, str | None, Settings], Table]
] = {
    "ikm": _ikm,
    "ikm_services": _ikm_services,
    "survey_profile": _survey_profile,
    "survey_suggestions": _survey_suggestions,
}
"""Sections that read the survey's settings (the instrument, ``min_group``)."""

SECTIONS: dict[str, str] = {name: REPORT_SECTIONS[name] for name in (*_BUILDERS, *_SURVEY_BUILDERS)}
"""Every report section, by name, with its Indonesian title (in the order pages list them)."""

PERSONAL_SECTIONS: frozenset[str] = frozenset({"steps", "guestbook"})
"""Sections whose rows carry personal data: the step record (one row per case and step,
with the officer) and the guest book (visitors' identities). For the supervisor only
(DESIGN: personal data only to roles that need it); the pages, the API and the ``all``
bundle enforce it, since this module does not know who asks."""


def report(
    db: sqlite_utils.Database,
    section: str,
    period: Period,
    *,
    service: str | None = None,
    settings: Settings | None = None,
) -> Table:
    """The ``section`` (:data:`SECTIONS`) of the report for ``period``, for one service
    (a letter) or all. Raises ``QueueError`` (``report_section_unknown``,
    ``service_unknown``) for an unknown section or service; reads only. The IKM sections
    need ``settings`` (the survey's instrument and ``min_group``): ``ValueError`` without."""
    known_section = isinstance(section, str) and (
        section in _BUILDERS or section in _SURVEY_BUILDERS
    )
    if not known_section:
        raise invalid("report_section_unknown", section=section, sections=", ".join(SECTIONS))
    if service is not None:
        known = db.execute("SELECT 1 FROM services WHERE letter = ?", (service,)).fetchone()
        if known is None:
            raise invalid("service_unknown", service=service)
    if section in _SURVEY_BUILDERS:
        if settings is None:
            raise ValueError(f"the {section} section needs the settings")
        return _SURVEY_BUILDERS[section](db, period, service, settings)
    return _BUILDERS[section](db, period, service)
