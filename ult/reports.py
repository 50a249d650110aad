"""The report book's figures: one :class:`Table` per section and period, from the real tables.

``report(db, section, period, service=None)`` is the one computation that the report pages,
the API (``/api/v1/reports/<section>``), the exports (CSV, XLSX) and ``ult report`` show, so
they always agree. Sources: the tickets, the event log and the step record
(:mod:`ult.record`), never a counter kept aside. Days are the office's local business days
(``tickets.day``), both ends of a period included; stored times are UTC stamps, and
``datetime`` columns carry them as they are stored (the page turns them into local time).
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import sqlite_utils

from ult import day as business
from ult import sop
from ult.errors import invalid
from ult.kinds import EventKind
from ult.messages import REPORT_COLUMNS, REPORT_SECTIONS
from ult.steps import DESK_PATH_MINUTES, FULL_PATH_MINUTES

PERIOD_KINDS = ("day", "week", "month", "quarter", "semester", "year")
"""The named periods of :meth:`Period.of`."""
MAX_PERIOD_DAYS = 366 * 3
"""The longest period a report covers (three years): a bound on the work one request asks."""

ColumnKind = Literal["text", "int", "seconds", "percent", "date", "datetime"]


@dataclass(frozen=True)
class Period:
    """Local business days ``start`` to ``end``, both included.

    Raises ``QueueError`` (``period_invalid``) when ``start`` is after ``end`` or the period
    is longer than :data:`MAX_PERIOD_DAYS`.
    """

    start: date
    end: date

    def __post_init__(self) -> None:
        if not isinstance(self.start, date) or not isinstance(self.end, date):
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
    ``datetime`` a stored UTC stamp, ``date`` a local business day ``YYYY-MM-DD``)."""

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
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return None
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def p90(values: Sequence[float]) -> float | None:
    """The nearest-rank 90th percentile of ``values`` (``None`` when empty)."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(math.ceil(0.9 * len(ordered)), 1) - 1]


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


def _spread(prefix: str, values: Sequence[float]) -> dict[str, Any]:
    return {
        f"{prefix}_median": median(values),
        f"{prefix}_p90": p90(values),
        f"{prefix}_max": max(values) if values else None,
    }


def officer_names(db: sqlite_utils.Database) -> dict[str, str]:
    """How reports name officers: username -> name shown.

    Until accounts carry full names (``ult.accounts.officer_names``), the username."""
    return {}


def _counter_names(db: sqlite_utils.Database) -> dict[int, str]:
    return {row[0]: row[1] for row in db.execute("SELECT id, name FROM counters")}


# ----------------------------------------------------------------- tickets


_TICKET_SQL = """
SELECT t.id, t.label, t.day, t.service, t.topic, t.priority, t.state, t.outcome,
       t.front_office_counter_id,
       CAST(round(MAX(0, (julianday(t.finished_at) - julianday(t.issued_at)) * 86400)) AS INTEGER),
       CAST(round(MAX(0, (julianday(t.finished_at) - julianday(t.started_at)) * 86400)) AS INTEGER),
       (SELECT SUM(s.seconds) FROM step_records s WHERE s.ticket_id = t.id AND s.waiting = 1)
FROM tickets t
WHERE t.day BETWEEN ? AND ? {service}
ORDER BY t.id
"""


@dataclass(frozen=True)
class _Case:
    id: int
    label: str
    day: str
    service: str
    topic: str | None
    priority: int
    state: str
    outcome: str | None
    counter_id: int | None
    total: int | None
    served: int | None
    waited: int | None


def _service_clause(service: str | None, column: str = "t.service") -> tuple[str, tuple]:
    return ("", ()) if service is None else (f"AND {column} = ?", (service,))


def _cases(db: sqlite_utils.Database, period: Period, service: str | None) -> list[_Case]:
    clause, params = _service_clause(service)
    return [
        _Case(*row)
        for row in db.execute(
            _TICKET_SQL.format(service=clause),
            (period.start.isoformat(), period.end.isoformat(), *params),
        )
    ]


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
)


def _ticket_figures(cases: Iterable[_Case]) -> dict[str, Any]:
    """Counts by outcome and the wait, service and total times of ``cases``.

    Waiting time: the ticket's queue waits (step record, steps 4-5); service time: start at
    the desk (6) to finish (16); total: issue to finish. Service and total count finished
    cases only.
    """
    counts: dict[str, int] = defaultdict(int)
    waits: list[int] = []
    waits_by_priority: dict[int, list[int]] = {0: [], 1: []}
    served: list[int] = []
    totals: list[int] = []
    for case in cases:
        counts["visitors"] += 1
        counts["priority"] += case.priority
        if case.state == sop.DONE:
            counts[f"finished_{case.outcome or 'resolved'}"] += 1
            if case.served is not None:
                served.append(case.served)
            if case.total is not None:
                totals.append(case.total)
        elif case.state in (sop.NO_SHOW, sop.CANCELLED, sop.EXPIRED):
            counts[case.state] += 1
        else:
            counts["still_open"] += 1
        if case.waited is not None:
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
    return row


def _summary(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    return _table("summary", _TICKET_FIGURES, [_ticket_figures(_cases(db, period, service))])


def _grouped(
    section: str,
    key: ColumnKind,
    key_column: str,
    group: Callable[[_Case], Any],
    name: Callable[[Any], str],
) -> Callable[[sqlite_utils.Database, Period, str | None], Table]:
    def build(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
        groups: dict[Any, list[_Case]] = defaultdict(list)
        for case in _cases(db, period, service):
            groups[group(case)].append(case)
        names = name(db)
        rows = [
            {key_column: names(value), **_ticket_figures(cases)}
            for value, cases in sorted(groups.items(), key=lambda kv: str(kv[0]))
        ]
        return _table(section, (*_columns((key_column, key)), *_TICKET_FIGURES), rows)

    return build


def _service_name(db: sqlite_utils.Database) -> Callable[[Any], str]:
    names = {row[0]: row[1] for row in db.execute("SELECT letter, name FROM services")}
    return lambda letter: f"{letter} {names.get(letter, '')}".strip()


def _topic_name(db: sqlite_utils.Database) -> Callable[[Any], str]:
    return lambda topic: topic or REPORT_COLUMNS["no_topic"]


def _counter_name(db: sqlite_utils.Database) -> Callable[[Any], str]:
    names = _counter_names(db)
    return lambda counter_id: names.get(counter_id, "-") if counter_id else "-"


# ----------------------------------------------------------------- step record


_STEP_SQL = """
SELECT s.ticket_id, t.label, s.day, s.step, s.waiting, s.began_at, s.ended_at, s.seconds,
       s.standard_seconds, s.overrun_seconds, s.officer, s.counter_id, s.clock_anomaly
FROM step_records s JOIN tickets t ON t.id = s.ticket_id
WHERE s.day BETWEEN ? AND ? {service} {where}
ORDER BY s.day, s.ticket_id, s.event_id
"""


def _step_rows(
    db: sqlite_utils.Database, period: Period, service: str | None, where: str = ""
) -> list[tuple]:
    clause, params = _service_clause(service)
    return db.execute(
        _STEP_SQL.format(service=clause, where=where),
        (period.start.isoformat(), period.end.isoformat(), *params),
    ).fetchall()


_STEP_COLUMNS = _columns(
    ("label", "text"),
    ("day", "date"),
    ("step", "int"),
    ("waiting", "int"),
    ("began_at", "datetime"),
    ("ended_at", "datetime"),
    ("seconds", "seconds"),
    ("standard_seconds", "seconds"),
    ("overrun_seconds", "seconds"),
    ("officer", "text"),
    ("counter", "text"),
    ("clock_anomaly", "int"),
)


def _steps(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    officers = officer_names(db)
    counters = _counter_names(db)
    rows = [
        {
            "label": label,
            "day": day,
            "step": step,
            "waiting": waiting,
            "began_at": began,
            "ended_at": ended,
            "seconds": seconds,
            "standard_seconds": standard,
            "overrun_seconds": overrun,
            "officer": officers.get(officer, officer) if officer else None,
            "counter": counters.get(counter_id) if counter_id else None,
            "clock_anomaly": anomaly,
        }
        for (
            _,
            label,
            day,
            step,
            waiting,
            began,
            ended,
            seconds,
            standard,
            overrun,
            officer,
            counter_id,
            anomaly,
        ) in _step_rows(db, period, service)
    ]
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


def _compliance_figures(rows: Sequence[tuple]) -> dict[str, Any]:
    seconds = [r[7] for r in rows]
    overruns = [r[9] for r in rows if r[9] > 0]
    return {
        "count": len(rows),
        "within_share": _share(len(rows) - len(overruns), len(rows)),
        "median": median(seconds),
        "p90": p90(seconds),
        "max": max(seconds) if seconds else None,
        "overruns": len(overruns),
        "overrun_total": sum(overruns),
        "clock_anomalies": sum(r[12] for r in rows),
    }


def _compliance(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    by_step: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    for row in _step_rows(db, period, service):
        by_step[(row[3], row[4])].append(row)
    rows = [
        {
            "step": step,
            "waiting": waiting,
            "standard_seconds": found[0][8],
            **_compliance_figures(found),
        }
        for (step, waiting), found in sorted(by_step.items())
    ]
    columns = _columns(("step", "int"), ("waiting", "int"), ("standard_seconds", "seconds"))
    return _table("compliance", (*columns, *_COMPLIANCE_FIGURES), rows)


def _officers(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    """Per officer: the steps they closed against the standard (the wait is nobody's)."""
    officers = officer_names(db)
    by_officer: dict[str, list[tuple]] = defaultdict(list)
    for row in _step_rows(db, period, service, "AND s.waiting = 0"):
        by_officer[row[10]].append(row)
    rows = [
        {
            "officer": officers.get(officer, officer),
            "username": officer,
            "cases": len({r[0] for r in found}),
            **_compliance_figures(found),
        }
        for officer, found in sorted(by_officer.items())
    ]
    columns = _columns(("officer", "text"), ("username", "text"), ("cases", "int"))
    return _table("officers", (*columns, *_COMPLIANCE_FIGURES), rows)


def _overruns(db: sqlite_utils.Database, period: Period, service: str | None) -> Table:
    """Every officer's step that ran over its standard (never the queue wait)."""
    officers = officer_names(db)
    counters = _counter_names(db)
    rows = [
        {
            "label": r[1],
            "day": r[2],
            "step": r[3],
            "officer": officers.get(r[10], r[10]),
            "counter": counters.get(r[11]) if r[11] else None,
            "began_at": r[5],
            "seconds": r[7],
            "standard_seconds": r[8],
            "overrun_seconds": r[9],
        }
        for r in _step_rows(db, period, service, "AND s.waiting = 0 AND s.overrun_seconds > 0")
    ]
    columns = _columns(
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
    return _table("overruns", columns, rows)


# ----------------------------------------------------------------- escalations and cases


_ESCALATION_SQL = """
SELECT e.ticket_id, t.day, t.state, e.kind, julianday(e.at) * 86400,
       json_extract(e.payload, '$.state')
FROM events e JOIN tickets t ON t.id = e.ticket_id
WHERE t.day BETWEEN ? AND ? {service} AND e.kind IN (?, ?, ?, ?, ?, ?)
ORDER BY e.ticket_id, e.id
"""
_ESCALATION_KINDS = (
    EventKind.ESCALATED,
    EventKind.RESOLVED,
    EventKind.FORWARDED,
    EventKind.DISPOSITION,
    EventKind.RELAYED,
    EventKind.FINISHED,
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
        _ESCALATION_SQL.format(service=clause),
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


# ----------------------------------------------------------------- the sections


def _table(section: str, columns: tuple[Column, ...], rows: list[dict[str, Any]]) -> Table:
    return Table(section, REPORT_SECTIONS[section], columns, rows)


_BUILDERS: dict[str, Callable[[sqlite_utils.Database, Period, str | None], Table]] = {
    "summary": _summary,
    "steps": _steps,
    "compliance": _compliance,
    "officers": _officers,
    "overruns": _overruns,
    "services": _grouped("services", "text", "service", lambda c: c.service, _service_name),
    "topics": _grouped("topics", "text", "topic", lambda c: c.topic or "", _topic_name),
    "counters": _grouped("counters", "text", "counter", lambda c: c.counter_id or 0, _counter_name),
    "escalations": _escalations,
    "cases": _over_path,
}

SECTIONS: dict[str, str] = {name: REPORT_SECTIONS[name] for name in _BUILDERS}
"""Every report section, by name, with its Indonesian title (in the order pages list them).

The guest book (``guestbook``) joins when :mod:`ult.guestbook` lands."""


def report(
    db: sqlite_utils.Database, section: str, period: Period, *, service: str | None = None
) -> Table:
    """The ``section`` (:data:`SECTIONS`) of the report for ``period``, for one service
    (a letter) or all. Raises ``QueueError`` (``report_section_unknown``,
    ``service_unknown``) for an unknown section or service; reads only."""
    builder = _BUILDERS.get(section) if isinstance(section, str) else None
    if builder is None:
        raise invalid("report_section_unknown", section=section, sections=", ".join(SECTIONS))
    if service is not None:
        known = db.execute("SELECT 1 FROM services WHERE letter = ?", (service,)).fetchone()
        if known is None:
            raise invalid("service_unknown", service=service)
    return builder(db, period, service)
