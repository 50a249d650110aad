"""The report pages and ``GET /api/v1/reports/{section}`` over a simulated day (a FakeClock
and the real queue domain): every format says the same, the page shows the same numbers,
bad parameters are refused in Indonesian, personal sections stay with the supervisor."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from admin.messages import REPORTS
from tests.reports_day import DAY, OVERRUN, simulate_day
from ult import accounts, exports, reports
from ult.clock import FakeClock
from ult.messages import REPORT_COLUMNS, REPORT_SHEETS, REPORT_TEXT
from ult.queue import Queue
from ult.settings import Settings

DAY_QUERY = f"from={DAY}&to={DAY}"


@pytest.fixture
def day(app_queue: Queue, clock: FakeClock) -> None:
    simulate_day(app_queue, clock)


@pytest.fixture
def supervisor(as_role: Any) -> FlaskClient:
    client, _ = as_role("supervisor")
    return client


def _json(client: FlaskClient, section: str, query: str = DAY_QUERY) -> dict[str, Any]:
    response = client.get(f"/api/v1/reports/{section}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV must start with the UTF-8 BOM (Excel)"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _as_file(column: dict[str, Any], value: Any, settings: Settings) -> str:
    """A JSON value as the CSV must write it (local time for a UTC stamp)."""
    shaped = reports.Column(column["key"], column["title"], column["kind"])
    return exports.csv_value(shaped, value, settings.office.tz)


@pytest.mark.usefixtures("day")
def test_json_csv_and_xlsx_of_every_section_say_the_same(
    supervisor: FlaskClient, settings: Settings
) -> None:
    for section in reports.SECTIONS:
        body = _json(supervisor, section)
        assert body["from"] == body["to"] == DAY.isoformat()
        keys = [c["key"] for c in body["columns"]]
        response = supervisor.get(f"/api/v1/reports/{section}?{DAY_QUERY}&format=csv")
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert f"laporan-{section}-{DAY}.csv" in response.headers["Content-Disposition"]
        header, *lines = _csv_rows(response.data)
        assert len(header) == len(keys)
        expected = [
            [_as_file(c, row[c["key"]], settings) for c in body["columns"]] for row in body["rows"]
        ]
        assert lines == expected, section

        response = supervisor.get(f"/api/v1/reports/{section}?{DAY_QUERY}&format=xlsx")
        assert response.status_code == 200
        assert response.mimetype == exports.XLSX_MIME
        sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
        cells = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert cells[0] == header
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b
        for row, line in zip(body["rows"], cells[1:], strict=True):
            for column, cell in zip(body["columns"], line, strict=True):
                value = row[column["key"]]
                if column["kind"] == "datetime":
                    local = exports.local_time(value, settings.office.tz)
                    assert cell == local
                elif column["kind"] == "date":
                    assert cell is None if value is None else cell.date().isoformat() == value
                elif column["kind"] == "bool" and value is not None:
                    assert cell == ("ya" if value else "tidak"), (section, column["key"])
                elif column["kind"] == "decimal" and value is not None:
                    # The exact text in JSON, a number in the sheet ("88.31" → 88.31).
                    assert cell == float(value), (section, column["key"])
                else:
                    assert cell == value, (section, column["key"])


@pytest.mark.usefixtures("day")
def test_the_day_s_figures_are_the_ones_worked_out_by_hand(supervisor: FlaskClient) -> None:
    summary = _json(supervisor, "summary")["rows"][0]
    assert summary["visitors"] == 3
    assert summary["finished_resolved"] == 2
    assert summary["cancelled"] == 1
    assert summary["wait_median"] == (240 + 1080) / 2
    assert summary["wait_max"] == 1080

    overruns = _json(supervisor, "overruns")["rows"]
    assert [(r["label"], r["step"], r["officer"], r["overrun_seconds"]) for r in overruns] == [
        (OVERRUN["label"], OVERRUN["step"], OVERRUN["officer"], OVERRUN["overrun_seconds"])
    ]
    officers = {r["username"]: r for r in _json(supervisor, "officers")["rows"]}
    assert officers["fo1"]["overruns"] == 1
    assert officers["fo2"]["overruns"] == 0  # B-001 waited 18 min: the wait is nobody's

    steps = _json(supervisor, "steps")["rows"]
    nine = next(r for r in steps if r["label"] == "A-001" and r["step"] == 9)
    # UTC stamps in JSON: step 9 ran 09:09-09:14 WIB.
    assert nine["began_at"].startswith("2026-11-25T02:09:00")
    assert nine["ended_at"].startswith("2026-11-25T02:14:00")
    csv_data = supervisor.get(f"/api/v1/reports/steps?{DAY_QUERY}&format=csv").data
    assert "2026-11-25 09:09:00" in csv_data.decode("utf-8-sig")  # local time in files


@pytest.mark.usefixtures("day")
def test_all_sections_in_one_workbook_and_one_json(supervisor: FlaskClient) -> None:
    body = _json(supervisor, "all")
    # The bundle holds the aggregates; personal data is asked for by name, one by one.
    aggregates = [name for name in reports.SECTIONS if name not in reports.PERSONAL_SECTIONS]
    assert [t["section"] for t in body["tables"]] == aggregates
    response = supervisor.get(f"/api/v1/reports/all?{DAY_QUERY}&format=xlsx")
    book = load_workbook(io.BytesIO(response.data))
    # A title that fits is the sheet's name; the others have a short one, never cut.
    assert book.sheetnames == [REPORT_SHEETS.get(t["section"], t["title"]) for t in body["tables"]]
    assert "IKM per unsur" in book.sheetnames
    refused = supervisor.get(f"/api/v1/reports/all?{DAY_QUERY}&format=csv")
    assert refused.status_code == 400
    assert refused.get_json()["message"] == REPORT_TEXT["csv_one_section"]


@pytest.mark.usefixtures("day")
def test_a_named_period_and_a_service_filter(supervisor: FlaskClient) -> None:
    month = _json(supervisor, "summary", f"period=month&date={DAY}")
    assert (month["from"], month["to"]) == ("2026-11-01", "2026-11-30")
    assert month["rows"] == _json(supervisor, "summary")["rows"]
    only_b = _json(supervisor, "summary", f"{DAY_QUERY}&service=b")
    assert only_b["service"] == "B"
    assert only_b["rows"][0]["visitors"] == 1


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("from=2026-11-31&to=2026-12-01", "date_invalid"),
        ("from=25-11-2026&to=2026-11-30", "date_invalid"),
        ("from=2026-11-30&to=2026-11-01", "range_reversed"),
        ("from=2026-11-01", "range_missing"),
        ("", "range_missing"),
        ("from=0026-11-01&to=2026-11-01", "range_too_long"),
        ("period=decade", "period_invalid"),
        ("period=week&date=9999-12-31", "date_invalid"),
        ("period=month&from=2026-11-01&to=2026-11-02", "range_mixed"),
        (f"{DAY_QUERY}&service=Z", "service_unknown"),
        (f"{DAY_QUERY}&format=pdf", "format_invalid"),
        (f"{DAY_QUERY}&sort=asc", "parameter_unknown"),
    ],
)
def test_bad_parameters_are_400_in_indonesian(
    supervisor: FlaskClient, query: str, code: str
) -> None:
    response = supervisor.get(f"/api/v1/reports/summary?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == code
    assert body["message"]


def test_an_unknown_section_is_404(supervisor: FlaskClient) -> None:
    response = supervisor.get(f"/api/v1/reports/nothing?{DAY_QUERY}")
    assert response.status_code == 404
    assert response.get_json()["error"] == "section_unknown"


@pytest.mark.parametrize("role", ["front_office", "receptionist", "technician", "unit"])
def test_other_roles_may_not_read_reports(as_role: Any, role: str) -> None:
    client, _ = as_role(role)
    assert client.get(f"/api/v1/reports/summary?{DAY_QUERY}").status_code == 403
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/book").status_code == 403


def test_no_login_is_401_and_a_token_works(client: FlaskClient, bearer: Any) -> None:
    assert client.get(f"/api/v1/reports/summary?{DAY_QUERY}").status_code == 401
    response = client.get(f"/api/v1/reports/summary?{DAY_QUERY}", headers=bearer("supervisor"))
    assert response.status_code == 200


@pytest.mark.usefixtures("day")
def test_the_page_shows_the_api_s_numbers_and_its_charts(
    supervisor: FlaskClient, settings: Settings
) -> None:
    page = supervisor.get(f"/reports/?period=day&date={DAY}").get_data(as_text=True)
    text = unescape(re.sub(r"<[^>]+>", " ", page))
    for section in reports.SECTIONS:
        if section in ("steps", "guestbook"):
            assert f'id="section-{section}"' not in page  # export links only
            continue
        body = _json(supervisor, section)
        assert f'id="section-{section}"' in page
        for row in body["rows"]:
            for column in body["columns"]:
                shaped = reports.Column(column["key"], column["title"], column["kind"])
                shown = exports.display(shaped, row[column["key"]], settings.office.tz)
                assert shown in text, (section, column["key"], shown)
    assert "vendor/chart-4.6.2.umd.min.js" in page
    charts = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page)
    assert charts is not None
    assert '"fo1"' in charts.group(1)
    assert f"/api/v1/reports/overruns?format=csv&amp;from={DAY}&amp;to={DAY}" in page
    links = set(re.findall(r'href="(/api/v1/reports/[^"]+)"', page))
    assert len(links) == 2 * (len(reports.SECTIONS) + 1) - 1  # CSV and XLSX; all: XLSX only
    for link in links:
        response = supervisor.get(unescape(link))
        assert response.status_code == 200, link
        assert "attachment" in response.headers["Content-Disposition"]


@pytest.mark.usefixtures("day")
def test_the_page_refuses_a_bad_period_with_the_message(supervisor: FlaskClient) -> None:
    response = supervisor.get("/reports/?period=range&from=2026-11-30&to=2026-11-01")
    assert response.status_code == 400
    assert REPORT_TEXT["range_reversed"].split("(")[0] in response.get_data(as_text=True)


@pytest.mark.usefixtures("day")
def test_the_page_reads_a_bare_from_and_to_as_a_range(supervisor: FlaskClient) -> None:
    # The README's and the API's way of naming a period; a page that fell back to today
    # would show the wrong figures without a word.
    page = supervisor.get(f"/reports/?{DAY_QUERY}").get_data(as_text=True)
    assert f"from={DAY}&amp;to={DAY}" in page
    response = supervisor.get("/reports/?from=2026-11-30&to=2026-11-01")
    assert response.status_code == 400
    assert REPORT_TEXT["range_reversed"].split("(")[0] in response.get_data(as_text=True)


@pytest.mark.usefixtures("day")
def test_a_csv_download_names_its_charset_once(supervisor: FlaskClient) -> None:
    response = supervisor.get(f"/api/v1/reports/summary?{DAY_QUERY}&format=csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.usefixtures("day")
def test_the_report_book_holds_the_figures_overruns_and_signature_lines(
    supervisor: FlaskClient, settings: Settings
) -> None:
    response = supervisor.get(f"/reports/book?day={DAY}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert settings.office.name in page
    assert "Rabu, 25 November 2026" in page
    assert "Dibuat oleh" in page and "Mengetahui" in page
    assert f"Kepala {settings.office.name}" in page
    overruns = page[page.index('id="book-overruns"') :]
    assert "A-001" in overruns and "fo1" in overruns and "2 mnt" in overruns
    assert "fo2" not in overruns
    bad = supervisor.get("/reports/book?day=2026-13-01")
    assert bad.status_code == 400


def _signatures(client: FlaskClient) -> str:
    page = client.get(f"/reports/book?day={DAY}").get_data(as_text=True)
    return unescape(re.sub(r"\s+", " ", page[page.index('class="signatures"') :]))


def test_the_book_is_signed_by_the_supervisor_and_the_one_head_of_office(
    as_role: Any, db: Any, settings: Settings
) -> None:
    """ "Dibuat oleh": the logged-in supervisor's name, NIP and position; "Mengetahui": the
    head of office when exactly one active ``kepala`` account exists, else blank lines."""
    client, _ = as_role("supervisor")
    blank = "(.......................................)"
    # The fixture's accounts have no profile yet: the user name, blank NIP for the head.
    signed = _signatures(client)
    assert "supervisor1" in signed and f"Kepala {settings.office.name}" in signed
    accounts.set_profile(
        db,
        "supervisor1",
        full_name="Dewi Lestari, S.Pd.",
        nip="198501012010012001",
        position="Kepala Subbagian Umum",
    )
    accounts.set_profile(
        db,
        "kepala1",
        full_name="Drs. Bambang Hartono, M.Pd.",
        nip="197001011995031002",
        position=None,
    )
    signed = _signatures(client)
    preparer, head = signed.split("Mengetahui")
    assert "Kepala Subbagian Umum" in preparer and "Dewi Lestari, S.Pd." in preparer
    assert "NIP. 198501012010012001" in preparer
    assert f"Kepala {settings.office.name}" in head and "Drs. Bambang Hartono, M.Pd." in head
    assert "NIP. 197001011995031002" in head and blank not in head
    # Two heads: the book cannot know which one signs.
    accounts.add_user(db, "kepala2", "Sandi-Panjang-2026!", "kepala")
    head = _signatures(client).split("Mengetahui")[1]
    assert blank in head and "Bambang" not in head
    accounts.disable_user(db, "kepala2")
    assert "Bambang" in _signatures(client).split("Mengetahui")[1]


@pytest.mark.usefixtures("day")
def test_the_daily_section_adds_up_and_groups_and_flags_read_plainly(
    supervisor: FlaskClient,
) -> None:
    week = "period=week&date=" + DAY.isoformat()
    daily = _json(supervisor, "daily", week)["rows"]
    assert [r["day"] for r in daily] == [f"2026-11-{d}" for d in range(23, 30)]
    assert [r["visitors"] for r in daily] == [0, 0, 3, 0, 0, 0, 0]
    summary = _json(supervisor, "summary")["rows"][0]
    assert {k: v for k, v in daily[2].items() if k != "day"} == summary
    # A-002, cancelled at reception, never reached a counter: a named group, not "-".
    counters = {r["counter"]: r for r in _json(supervisor, "counters")["rows"]}
    never = counters[REPORT_COLUMNS["no_counter"]]
    assert (never["visitors"], never["cancelled"]) == (1, 1)
    assert "-" not in counters
    # The queue wait is a yes/no: true/false in JSON, ya/tidak in files and on the page.
    steps = _json(supervisor, "steps")["rows"]
    assert {r["waiting"] for r in steps} == {True, False}
    assert all(r["waiting"] is (r["officer"] is None) for r in steps)
    header, *lines = _csv_rows(supervisor.get(f"/api/v1/reports/steps?{DAY_QUERY}&format=csv").data)
    column = header.index(REPORT_COLUMNS["waiting"])
    assert {line[column] for line in lines} == {"ya", "tidak"}
    assert "Mulai (WIB)" in header and "Mulai (UTC)" not in header
    page = supervisor.get(f"/reports/?period=day&date={DAY}").get_data(as_text=True)
    compliance = page[page.index('id="section-compliance"') :]
    compliance = compliance[: compliance.index("</section>")]
    # The page names each step as the staff pages do, the wait included: no bare numbers.
    assert REPORTS["wait_step_title"] in compliance
    assert "Langkah 9 · Verifikasi permohonan" in compliance
    assert REPORT_COLUMNS["waiting"] not in compliance
    assert "/api/v1/reports/daily?format=csv" in page


@pytest.mark.usefixtures("day")
def test_every_column_kind_is_one_the_api_documents(supervisor: FlaskClient) -> None:
    spec = supervisor.get("/api/v1/openapi.json").get_json()
    documented = spec["components"]["schemas"]["ReportColumn"]["properties"]["kind"]["enum"]
    kinds = {c["kind"] for name in reports.SECTIONS for c in _json(supervisor, name)["columns"]}
    assert "bool" in kinds and kinds <= set(documented)


@pytest.mark.usefixtures("day")
def test_a_big_xlsx_is_refused_with_a_pointer_to_csv_which_streams(
    supervisor: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = len(_json(supervisor, "steps")["rows"])
    monkeypatch.setattr(exports, "XLSX_ROWS_MAX", rows - 1)
    refused = supervisor.get(f"/api/v1/reports/steps?{DAY_QUERY}&format=xlsx")
    assert refused.status_code == 400
    body = refused.get_json()
    assert body["error"] == "xlsx_too_big"
    assert body["message"] == REPORT_TEXT["xlsx_too_big"].format(rows=rows, limit=rows - 1)
    assert "CSV" in body["message"]
    streamed = supervisor.get(f"/api/v1/reports/steps?{DAY_QUERY}&format=csv")
    assert streamed.status_code == 200 and streamed.is_streamed
    assert len(_csv_rows(streamed.data)) == rows + 1
    monkeypatch.setattr(exports, "XLSX_ROWS_MAX", rows)
    assert supervisor.get(f"/api/v1/reports/steps?{DAY_QUERY}&format=xlsx").status_code == 200
    # The page offers no XLSX link it would refuse: a week has seven daily rows.
    monkeypatch.setattr(exports, "XLSX_ROWS_MAX", 6)
    page = supervisor.get(f"/reports/?period=week&date={DAY}").get_data(as_text=True)
    daily = page[page.index('id="section-daily"') :]
    daily = daily[: daily.index("</header>")]
    assert "format=csv" in daily and "format=xlsx" not in daily and "XLSX terlalu besar" in daily
    assert "/api/v1/reports/all?format=xlsx" not in page
    assert REPORTS["xlsx_too_big_page"] in page


@pytest.mark.usefixtures("day")
def test_personal_sections_are_the_supervisor_s(supervisor: FlaskClient) -> None:
    page = supervisor.get(f"/reports/?period=day&date={DAY}").get_data(as_text=True)
    assert REPORTS["section_steps"] in page
    assert "/api/v1/reports/steps?format=csv" in page


@pytest.mark.usefixtures("day")
def test_the_head_of_office_reads_and_exports_the_aggregates_only(as_role: Any) -> None:
    """``kepala`` (the officers' branch adds the role): aggregate tables yes; the step record
    and the guest book, which carry personal data, no."""
    client, _ = as_role("kepala")
    assert client.get(f"/api/v1/reports/summary?{DAY_QUERY}&format=xlsx").status_code == 200
    refused = client.get(f"/api/v1/reports/steps?{DAY_QUERY}&format=csv")
    assert refused.status_code == 403
    assert refused.get_json()["message"] == REPORTS["personal_only"]
    every = client.get(f"/api/v1/reports/all?{DAY_QUERY}").get_json()
    shown = [t["section"] for t in every["tables"]]
    assert shown == [name for name in reports.SECTIONS if name not in ("steps", "guestbook")]
    page = client.get(f"/reports/?period=day&date={DAY}").get_data(as_text=True)
    assert REPORTS["section_steps"] not in page
    assert client.get(f"/reports/book?day={DAY}").status_code == 200
