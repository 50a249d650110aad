"""The report book (*buku laporan*, SOP "Pencatatan"): pages, charts, exports, the API.

``/reports``: a period picker (day, week, month, quarter, semester, year, range; one
service or all), the charts a head of office reads at a glance, and the sections as
tables with the same numbers, each with CSV and XLSX links. ``/reports/book?day=`` is the
printable daily report book for A4 with the signature lines. ``GET /api/v1/reports/
{section}`` answers the same tables as JSON, CSV or XLSX; the page's export links are that
endpoint, so a download is byte for byte what a script gets.

The IKM card (the satisfaction index of the SKM: :mod:`ult.ikm`) shows the index and its
grade, the elements' chart with the weakest marked, respondents against the sample target,
then the respondents' profile and their suggestions (sections ``survey_profile`` and
``survey_suggestions``, folded under ``[survey] min_group`` respondents);
``/api/v1/reports/ikm`` answers its JSON with the headline figures (``ikm``, ``grade``,
``nrr``...), its XLSX with the services' sheet too.

Every number comes from :func:`ult.reports.report` (one :class:`ult.reports.Table` per
section); this module only picks columns for the charts and lays tables out. The step
record and the guest book carry per-case and personal data: only the supervisor reads and
exports them (:data:`ult.reports.PERSONAL_SECTIONS`); the head of office (``kepala``) reads
and exports the aggregate tables. CSV downloads stream; an XLSX beyond
:data:`ult.exports.XLSX_ROWS_MAX` rows is refused with a pointer to CSV. Bad parameters:
400 JSON (API) or the page again with the message; an unknown section: 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import zip_longest
from typing import Any

from babel.dates import format_date
from flask import Blueprint, Response, jsonify, render_template, request, url_for

from admin.auth import allowed, current_principal, require
from admin.db import get_db, get_queue, settings
from admin.errors import ApiError
from admin.messages import PAGES, REPORTS
from admin.privacy import record_view
from ult import accounts, chain, dates, exports, ikm, reports
from ult.errors import QueueError
from ult.queries import service_names
from ult.report_request import (
    ALL,
    ReportRequestError,
    check_xlsx,
    ikm_body,
    ikm_tables,
    parse_day,
    parse_format,
    parse_period,
    parse_sections,
    parse_service,
)

bp = Blueprint("reports", __name__, url_prefix="/reports")
api_bp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports")

API_FORMATS = ("json", "csv", "xlsx")
API_PARAMETERS = frozenset({"from", "to", "period", "date", "service", "format"})
"""The query parameters ``GET /api/v1/reports/{section}`` knows; any other is refused."""

PAGE_ROWS_MAX = 200
"""Rows of one table shown on the page; the exports hold them all."""

BOOK_SECTIONS: dict[str, tuple[str, ...]] = {
    "summary": (),
    "services": (
        "service",
        "visitors",
        "finished_resolved",
        "finished_unresolved",
        "no_show",
        "wait_median",
        "service_median",
        "total_median",
    ),
    "compliance": (
        "step",
        "standard_seconds",
        "count",
        "within_share",
        "median",
        "p90",
        "overruns",
        "overrun_total",
    ),
    "officers": (
        "officer",
        "cases",
        "count",
        "within_share",
        "median",
        "overruns",
        "overrun_total",
    ),
    "overruns": (
        "label",
        "step",
        "officer",
        "counter",
        "began_at",
        "seconds",
        "standard_seconds",
        "overrun_seconds",
    ),
}
"""What the printed daily report book holds, in order, and the columns of each that fit an
A4 page (empty: all; the page and the exports have every column). Per service, the
cancelled tickets stay in the summary: a tenth column pushed the table past the paper."""


def _may_read(section: str) -> bool:
    return section not in reports.PERSONAL_SECTIONS or allowed("report_personal")


def _readable_sections() -> tuple[str, ...]:
    return tuple(name for name in reports.SECTIONS if _may_read(name))


# ---------------------------------------------------------------------- the API


def _refused(error: ReportRequestError) -> ApiError:
    return ApiError(404 if error.not_found else 400, error.code, error.message)


def _download(data: bytes | Iterator[bytes], mimetype: str, name: str) -> Response:
    response = Response(data, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@api_bp.get("/<section>")
@require("report")
def report_api(section: str) -> Any:
    """One section (or ``all``) for a period: ``?from=&to=`` (inclusive local days) or
    ``?period=day|week|month|quarter|semester|year&date=``, ``service``, ``format=json|
    csv|xlsx`` (default json; CSV streams). → 200; 400 bad parameter, or an XLSX over
    :data:`ult.exports.XLSX_ROWS_MAX` rows; 403 the guest book or the step record for a
    role other than the supervisor; 404 unknown section."""
    try:
        sections = parse_sections(section)
        unknown = sorted(set(request.args) - API_PARAMETERS)
        if unknown:
            raise ApiError(
                400,
                "parameter_unknown",
                REPORTS["parameter_unknown"].format(
                    name=unknown[0][:40], choices=", ".join(sorted(API_PARAMETERS))
                ),
            )
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
    if sections == ("ikm",):
        # The IKM: JSON with its headline figures; XLSX with the services' sheet too.
        index, tables = ikm_tables(get_db(), settings(), period, service)
        if wanted == "json":
            return jsonify(ikm_body(index, tables, period, service))
    else:
        with reports.shared_tickets():
            tables = [
                reports.report(get_db(), name, period, service=service, settings=settings())
                for name in sections
            ]
    if wanted == "xlsx":
        try:
            check_xlsx(tables)
        except ReportRequestError as error:
            raise _refused(error) from None
    personal = sorted(set(sections) & reports.PERSONAL_SECTIONS)
    if personal:
        # UU 27/2022: every export holding personal data is recorded (not its rows).
        record_view(
            "report_export:" + ",".join(personal),
            exported=True,
            period=(period.start, period.end),
            format=wanted,
            service=service,
        )
    tz = settings().office.tz
    name = sections[0] if len(sections) == 1 else ALL
    if wanted == "csv":
        return _download(
            exports.csv_chunks(tables[0], tz),
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
    return dates.period_text(period.start, period.end)


def _neighbours(kind: str, period: reports.Period) -> tuple[date | None, date | None]:
    """The anchors of the period before and after (a range has none)."""
    if kind not in reports.PERIOD_KINDS:
        return None, None
    return period.start - timedelta(days=1), period.end + timedelta(days=1)


@bp.get("/")
@require("report")
def index() -> Any:
    """The report page for the period the query asks (default: today)."""
    today = get_queue().today()
    args = request.args
    # A bare from/to (as the README and the API write it) is a range; nothing at all is today.
    ranged = args.get("from") is not None or args.get("to") is not None
    kind = (args.get("period") or ("range" if ranged else "day")).strip().lower()
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
    with reports.shared_tickets():
        tables = {
            name: reports.report(db, name, period, service=service, settings=settings())
            for name in _page_sections()
        }
        survey = reports.survey_index(db, period, service, settings()).overall
    # The respondents' profile and suggestions are read under the IKM card, not as tables.
    shown = [_shown(t) for name, t in tables.items() if name not in SURVEY_CARD_SECTIONS]
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
        ikm=survey,
        ikm_chart=ikm_chart(survey),
        survey_profile=tables["survey_profile"],
        survey_suggestions=tables["survey_suggestions"],
        min_group=settings().survey.min_group,
        query=query,
        before=before,
        after=after,
        personal=[n for n in reports.SECTIONS if n in reports.PERSONAL_SECTIONS and _may_read(n)],
        display=_display,
        header=_header,
        titles=REPORTS,
        xlsx_max=exports.XLSX_ROWS_MAX,
        all_rows=exports.xlsx_rows(list(tables.values())),
    )
    return page, status


SURVEY_CARD_SECTIONS = ("survey_profile", "survey_suggestions")
"""Sections the page shows inside the IKM card (the suggestions as a list, the profile as a
small table), with their own export links."""


def _page_sections() -> tuple[str, ...]:
    return tuple(name for name in reports.SECTIONS if name not in reports.PERSONAL_SECTIONS)


PAGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "daily": (
        "day",
        "visitors",
        "finished_resolved",
        "finished_unresolved",
        "no_show",
        "cancelled",
        "expired",
        "still_open",
        "wait_median",
        "service_median",
    ),
}
"""The columns the page shows of a wide table (the exports hold every column)."""


def _shown(table: reports.Table) -> Shown:
    """``table`` as the page shows it: the first :data:`PAGE_ROWS_MAX` rows, the columns of
    :data:`PAGE_COLUMNS`; the export links still give the whole table."""
    table = _laid_out(table, PAGE_COLUMNS.get(table.section, ()))
    return Shown(table, table.rows[:PAGE_ROWS_MAX])


def _display(column: reports.Column, value: Any) -> str:
    return exports.display(column, value, settings().office.tz)


def _header(column: reports.Column) -> str:
    return exports.header(column, settings().office.tz)


# ---------------------------------------------------------------------- charts


@dataclass(frozen=True)
class ChartSpec:
    """A chart drawn from one section's table: how a row is labelled, the value columns
    (one series each) and the unit the values are shown in (``count``; ``minutes`` from
    seconds; ``percent`` as the core gives it, 0-100)."""

    id: str
    title: str
    section: str
    label: Callable[[dict[str, Any]], str]
    values: tuple[str, ...]
    unit: str
    horizontal: bool = False
    stacked: bool = False


def _step_name(row: dict[str, Any]) -> str:
    """A step row's name: ``Langkah 9``; the queue wait (step 4 with ``waiting``) ``Tunggu
    4–5``."""
    if row.get("waiting"):
        return REPORTS["chart_wait_step"]
    return REPORTS["chart_step"].format(step=row["step"])


def _step_label(row: dict[str, Any]) -> str:
    standard = exports.duration_text(row.get("standard_seconds"))
    return f"{_step_name(row)} ({standard})"


CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "daily",
        REPORTS["chart_daily"],
        "daily",
        lambda row: format_date(date.fromisoformat(row["day"]), "EEE d/M", locale="id"),
        ("finished_resolved", "finished_unresolved", "no_show", "cancelled", "expired"),
        "count",
        stacked=True,
    ),
    ChartSpec(
        "times",
        REPORTS["chart_times"],
        "services",
        lambda row: str(row["service"]),
        ("wait_median", "wait_p90", "service_median"),
        "minutes",
    ),
    ChartSpec(
        "compliance",
        REPORTS["chart_compliance"],
        "compliance",
        _step_label,
        ("within_share",),
        "percent",
        horizontal=True,
    ),
    ChartSpec(
        "step_times",
        REPORTS["chart_step_times"],
        "compliance",
        _step_label,
        ("median", "p90", "standard_seconds"),
        "minutes",
        horizontal=True,
    ),
    ChartSpec(
        "officers",
        REPORTS["chart_officers"],
        "officers",
        lambda row: str(row["officer"]),
        ("overruns",),
        "count",
        horizontal=True,
    ),
)
"""The page's charts; each reads a table the page also shows, so the numbers agree."""


def charts(tables: dict[str, reports.Table]) -> list[dict[str, Any]]:
    """The data of each chart whose table was computed: labels and series (values in the
    chart's unit: seconds as minutes). A table without rows gives no labels; the page says
    there is nothing to draw."""
    out = []
    for spec in CHARTS:
        table = tables.get(spec.section)
        if table is None:
            continue
        titles = {c.key: c.title for c in table.columns}
        scale = 1 / 60 if spec.unit == "minutes" else 1
        out.append(
            {
                "id": spec.id,
                "title": spec.title,
                "horizontal": spec.horizontal,
                "stacked": spec.stacked,
                "unit": spec.unit,
                "labels": [spec.label(row) for row in table.rows],
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


def ikm_chart(index: ikm.Index) -> dict[str, Any]:
    """The IKM chart's data: each element's converted value (NRR × 25, two decimals; null
    when nobody answered it or the group is folded away), its name, and whether it is the
    weakest (drawn in another colour)."""
    return {
        "title": REPORTS["chart_ikm"],
        "labels": [f"{e.code} {e.name}" for e in index.elements],
        "data": [None if e.converted is None else float(e.converted) for e in index.elements],
        "weakest": [e.weakest for e in index.elements],
        "bounds": [float(lowest) for lowest, _ in ikm.GRADES],
    }


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
        _book_table(reports.report(db, name, period, settings=settings()), keys)
        for name, keys in BOOK_SECTIONS.items()
        if name in reports.SECTIONS
    ]
    summary = tables[0]
    counts = [c for c in summary.columns if c.kind == "int"]
    times = [c for c in summary.columns if c.kind != "int"]
    return render_template(
        "reports/book.html",
        day=day,
        day_text=dates.date_text(day, settings().office.tz, long=True),
        summary=summary,
        figures=list(zip_longest(counts, times)),
        tables=tables[1:],
        display=_display,
        header=_header,
        preparer=_preparer(),
        head=_head_of_office(),
        printed_on=dates.date_text(today, settings().office.tz),
        anchor=_book_anchor(day),
        anchor_so_far=day >= today,
    )


def _book_anchor(day: date) -> tuple[int, str] | None:
    """The event id and hash the book prints for ``day`` (:func:`ult.chain.day_anchor`): a
    paper copy kept in the archive then anchors the electronic record (``ult verify
    --anchor``)."""
    office = settings()
    return chain.day_anchor(get_db(), day, office.office.tz, office.queue.day_reset)


def _book_table(table: reports.Table, keys: tuple[str, ...]) -> reports.Table:
    """``table`` as the book prints it: :func:`_laid_out` with the columns ``keys``."""
    return _laid_out(table, keys)


def _laid_out(table: reports.Table, keys: tuple[str, ...] = ()) -> reports.Table:
    """``table`` with only the columns ``keys`` (all when empty), for a reader rather than a
    script: a step number becomes its name (``Langkah 7 · Verifikasi identitas``; the queue
    wait ``Tunggu antrian (4–5)``), which makes the yes/no wait column redundant."""
    found = {c.key: c for c in table.columns}
    columns = tuple(found[key] for key in keys if key in found) if keys else table.columns
    rows = table.rows
    if "step" in found:
        columns = tuple(
            reports.Column("step", c.title, "text") if c.key == "step" else c
            for c in columns
            if c.key != "waiting"
        )
        rows = [{**row, "step": _step_title(row)} for row in rows]
    return reports.Table(table.section, table.title, columns, rows)


def _step_title(row: dict[str, Any]) -> str:
    if row.get("waiting"):
        return REPORTS["wait_step_title"]
    return PAGES["step_title"].format(step=row["step"], name=PAGES[f"step_{row['step']}"])


def _preparer() -> accounts.User | None:
    """The supervisor preparing the book (SOP "Pencatatan": the supervisor signs it): the
    logged-in supervisor's account; None for another role or a token (blank lines to sign
    by hand)."""
    principal = current_principal()
    if principal is None or principal.role != "supervisor" or principal.via != "session":
        return None
    try:
        return accounts.get_user(get_db(), principal.name)
    except QueueError:
        return None


def _head_of_office() -> accounts.User | None:
    """The head of office who acknowledges the book ("Mengetahui"): the one active
    ``kepala`` account; None when there is none or more than one (blank lines)."""
    heads = [u for u in accounts.list_users(get_db()) if u.role == "kepala" and u.active]
    return heads[0] if len(heads) == 1 else None


@bp.app_template_global()
def report_export_url(section: str, fmt: str, query: dict[str, str]) -> str:
    """The API URL that downloads ``section`` for the page's period in ``fmt``."""
    return url_for("reports_api.report_api", section=section, format=fmt, **query)
