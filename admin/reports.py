"""The report book (*buku laporan*, SOP "Pencatatan"): pages, charts, exports, the API.

``/reports``: a period picker (day, week, month, quarter, semester, year, range; one
service or all), the charts a head of office reads at a glance, and the sections as
tables with the same numbers, each with CSV and XLSX links. ``/reports/book?day=`` is the
printable daily report book for A4 with the signature lines. ``GET /api/v1/reports/
{section}`` answers the same tables as JSON, CSV or XLSX; the page's export links are that
endpoint, so a download is byte for byte what a script gets.

Every number comes from :func:`ult.reports.report` (one :class:`ult.reports.Table` per
section); this module only picks columns for the charts and lays tables out. The step
record and the guest book carry per-case and personal data: only the supervisor reads and
exports them (:data:`PERSONAL_SECTIONS`); the head of office (``kepala``) reads and exports
the aggregate tables. Bad parameters: 400 JSON (API) or the page again with the message;
an unknown section: 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date
from flask import Blueprint, Response, jsonify, render_template, request, url_for

from admin.auth import allowed, current_principal, require
from admin.db import get_db, get_queue, settings
from admin.errors import ApiError
from admin.messages import REPORTS
from ult import accounts, exports, reports
from ult.errors import QueueError
from ult.queries import service_names
from ult.report_request import (
    ALL,
    PERIOD_KINDS,
    ReportRequestError,
    parse_day,
    parse_format,
    parse_period,
    parse_sections,
    parse_service,
)

bp = Blueprint("reports", __name__, url_prefix="/reports")
api_bp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports")

PERSONAL_SECTIONS = ("steps", "guestbook")
"""Sections with per-case or identity rows: read and exported by the supervisor only
(``report_personal``); the page shows them as export links, not tables."""

API_FORMATS = ("json", "csv", "xlsx")
API_PARAMETERS = frozenset({"from", "to", "period", "date", "service", "format"})
"""The query parameters ``GET /api/v1/reports/{section}`` knows; any other is refused."""

PAGE_ROWS_MAX = 200
"""Rows of one table shown on the page; the exports hold them all."""

BOOK_SECTIONS = ("summary", "services", "steps_compliance", "officers", "overruns")
"""What the printed daily report book holds, in order (those the reports core has)."""


def _may_read(section: str) -> bool:
    return section not in PERSONAL_SECTIONS or allowed("report_personal")


def _readable_sections() -> tuple[str, ...]:
    return tuple(name for name in reports.SECTIONS if _may_read(name))


# ---------------------------------------------------------------------- the API


def _refused(error: ReportRequestError) -> ApiError:
    return ApiError(404 if error.not_found else 400, error.code, error.message)


def _download(data: bytes, mimetype: str, name: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@api_bp.get("/<section>")
@require("report")
def report_api(section: str) -> Any:
    """One section (or ``all``) for a period: ``?from=&to=`` (inclusive local days) or
    ``?period=day|week|month|quarter|semester|year&date=``, ``service``, ``format=json|
    csv|xlsx`` (default json). → 200; 400 bad parameter; 403 the guest book or the step
    record for a role other than the supervisor; 404 unknown section."""
    try:
        sections = parse_sections(section)
        unknown = sorted(set(request.args) - API_PARAMETERS)
        if unknown:
            raise ApiError(400, "parameter_unknown", REPORTS["parameter_unknown"].format(
                name=unknown[0][:40], choices=", ".join(sorted(API_PARAMETERS))
            ))
        if not all(_may_read(name) for name in sections):
            if section.strip().lower() != ALL:
                raise ApiError(403, "forbidden", REPORTS["personal_only"])
            sections = tuple(name for name in sections if _may_read(name))
        wanted = parse_format(request.args.get("format"), "json", API_FORMATS)
        if wanted == "csv" and len(sections) > 1:
            raise ReportRequestError("csv_one_section")
        period = _period(request.args)
        service = parse_service(get_db(), request.args.get("service"))
    except ReportRequestError as error:
        raise _refused(error) from None
    tables = [reports.report(get_db(), name, period, service=service) for name in sections]
    tz = settings().office.tz
    name = sections[0] if len(sections) == 1 else ALL
    if wanted == "csv":
        return _download(
            exports.to_csv(tables[0], tz),
            exports.CSV_MIME,
            exports.filename(name, period.start, period.end, "csv"),
        )
    if wanted == "xlsx":
        title = exports.workbook_title(tables, period.start, period.end)
        return _download(
            exports.to_xlsx(tables, tz, title=title),
            exports.XLSX_MIME,
            exports.filename(name, period.start, period.end, "xlsx"),
        )
    return jsonify(exports.report_json(tables, period.start, period.end, service))


def _period(args: Any) -> reports.Period:
    return parse_period(
        start=args.get("from"),
        end=args.get("to"),
        kind=args.get("period"),
        anchor=args.get("date"),
        today=get_queue().today(),
    )


# ---------------------------------------------------------------------- the page


@dataclass(frozen=True)
class Shown:
    """One section on the page: its table, the rows shown (at most
    :data:`PAGE_ROWS_MAX`) and the export links' query."""

    table: reports.Table
    rows: list[dict[str, Any]]

    @property
    def cut(self) -> bool:
        return len(self.rows) < len(self.table.rows)


PERIOD_NAMES = {
    "day": "Hari",
    "week": "Minggu",
    "month": "Bulan",
    "quarter": "Triwulan",
    "semester": "Semester",
    "year": "Tahun",
    "range": "Rentang tanggal",
}
"""The picker's choices, in order."""


def period_text(period: reports.Period) -> str:
    """``Rabu, 25 November 2026`` for one day, ``1 November 2026 – 30 November 2026``."""
    if period.start == period.end:
        return format_date(period.start, "EEEE, d MMMM y", locale="id")
    first = format_date(period.start, "d MMMM y", locale="id")
    return f"{first} – {format_date(period.end, 'd MMMM y', locale='id')}"


def _neighbours(kind: str, period: reports.Period) -> tuple[date | None, date | None]:
    """The anchors of the period before and after (a range has none)."""
    if kind not in PERIOD_KINDS:
        return None, None
    return period.start - timedelta(days=1), period.end + timedelta(days=1)


@bp.get("/")
@require("report")
def index() -> Any:
    """The report page for the period the query asks (default: today)."""
    today = get_queue().today()
    args = request.args
    kind = (args.get("period") or "day").strip().lower()
    status = 200
    message = None
    try:
        # The picker sends every field; only those of the chosen kind count.
        if kind == "range":
            period = _period({"from": args.get("from"), "to": args.get("to")})
        else:
            period = _period({"period": kind, "date": args.get("date")})
        service = parse_service(get_db(), args.get("service"))
    except ReportRequestError as error:
        message, status = error.message, 400
        kind, period, service = "day", reports.Period.of("day", today), None
    db = get_db()
    tables = {name: reports.report(db, name, period, service=service) for name in _page_sections()}
    shown = [Shown(t, t.rows[:PAGE_ROWS_MAX]) for t in tables.values()]
    before, after = _neighbours(kind, period)
    query = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    if service:
        query["service"] = service
    page = render_template(
        "reports/index.html",
        message=message,
        kind=kind,
        period=period,
        period_text=period_text(period),
        period_names=PERIOD_NAMES,
        anchor=args.get("date") or period.start.isoformat(),
        service=service,
        services=service_names(db),
        shown=shown,
        charts=charts(tables),
        query=query,
        before=before,
        after=after,
        personal=[name for name in PERSONAL_SECTIONS if _may_read(name)],
        display=_display,
        titles=REPORTS,
    )
    return page, status


def _page_sections() -> tuple[str, ...]:
    return tuple(name for name in reports.SECTIONS if name not in PERSONAL_SECTIONS)


def _display(column: reports.Column, value: Any) -> str:
    return exports.display(column, value, settings().office.tz)


# ---------------------------------------------------------------------- charts


@dataclass(frozen=True)
class ChartSpec:
    """A chart drawn from one section's table: the label column and the value columns
    (each one series), the unit the values are in, and the chart's kind."""

    id: str
    title: str
    section: str
    label: str
    values: tuple[str, ...]
    unit: str  # "count", "minutes" (from seconds) or "percent" (from a share 0-1)
    kind: str = "bar"
    horizontal: bool = False


CHARTS: tuple[ChartSpec, ...] = ()
"""The page's charts; each names a section whose table the page also shows."""


def charts(tables: dict[str, reports.Table]) -> list[dict[str, Any]]:
    """The data of each chart whose section was computed: labels and series, values in
    the chart's unit (seconds as minutes, shares as percent); a section with no rows gives
    a chart with no data (the page says so)."""
    out = []
    for spec in CHARTS:
        table = tables.get(spec.section)
        if table is None:
            continue
        titles = {c.key: c.title for c in table.columns}
        scale = {"minutes": 1 / 60, "percent": 100}.get(spec.unit, 1)
        out.append(
            {
                "id": spec.id,
                "title": spec.title,
                "kind": spec.kind,
                "horizontal": spec.horizontal,
                "unit": spec.unit,
                "labels": [str(row.get(spec.label) or "-") for row in table.rows],
                "series": [
                    {
                        "label": titles.get(key, key),
                        "data": [
                            None if row.get(key) is None else round(row[key] * scale, 2)
                            for row in table.rows
                        ],
                    }
                    for key in spec.values
                ],
            }
        )
    return out


# ---------------------------------------------------------------------- the book


@bp.get("/book")
@require("report")
def book() -> Any:
    """The daily report book of ``?day=`` (default today), for printing on A4."""
    today = get_queue().today()
    try:
        day = parse_day(request.args.get("day"), "Tanggal (day)") or today
    except ReportRequestError as error:
        return render_template("error.html", status=400, message=error.message), 400
    period = reports.Period(day, day)
    db = get_db()
    tables = [
        reports.report(db, name, period) for name in BOOK_SECTIONS if name in reports.SECTIONS
    ]
    return render_template(
        "reports/book.html",
        day=day,
        day_text=format_date(day, "EEEE, d MMMM y", locale="id"),
        tables=tables,
        display=_display,
        preparer=_preparer(),
        printed_on=format_date(today, "d MMMM y", locale="id"),
    )


def _preparer() -> dict[str, str] | None:
    """Name, NIP and position of the supervisor preparing the book; None for another role
    (the lines stay blank to sign by hand)."""
    principal = current_principal()
    if principal is None or principal.role != "supervisor" or principal.via != "session":
        return None
    try:
        user = accounts.get_user(get_db(), principal.name)
    except QueueError:
        return None
    return {
        "name": getattr(user, "full_name", None) or user.username,
        "nip": getattr(user, "nip", None) or "",
        "position": getattr(user, "position", None) or "Supervisor",
    }


@bp.app_template_global()
def report_export_url(section: str, fmt: str, query: dict[str, str]) -> str:
    """The API URL that downloads ``section`` for the page's period in ``fmt``."""
    return url_for("reports_api.report_api", section=section, format=fmt, **query)
