"""The IKM over HTTP and the command line: ``/api/v1/reports/ikm`` (JSON headline, CSV,
XLSX), the report page's IKM view, and ``ult ikm`` giving the API's very JSON, over a
simulated day (A-001 and B-001 finished: 2 visitors) and a hand-worked answer set."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
from typing import Any

import pytest
import sqlite_utils
from click.testing import CliRunner
from flask.testing import FlaskClient
from openpyxl import load_workbook

from tests.reports_day import DAY, simulate_day
from tests.survey_rows import add_responses, answers
from ult.cli import EXIT_USAGE, main
from ult.clock import FakeClock
from ult.queue import Queue
from ult.settings import Settings

QUERY = f"from={DAY}&to={DAY}"


@pytest.fixture
def answered(app_queue: Queue, clock: FakeClock, db: sqlite_utils.Database) -> None:
    """The day, and the five responses of ``tests/ult/test_ikm.py``'s unanswered-element
    set for service A: IKM 87.08 (B), U9 answered by 4 (NRR 11/4 = 2.75, the weakest)."""
    simulate_day(app_queue, clock)
    add_responses(
        db,
        DAY,
        "A",
        [answers(4), answers(3), answers(4, U9=None), answers(3, U4=2), answers(4, U9=1)],
    )


@pytest.fixture
def head(as_role: Any) -> FlaskClient:
    client, _ = as_role("kepala")
    return client


@pytest.mark.usefixtures("answered")
def test_the_json_carries_the_hand_worked_index(head: FlaskClient) -> None:
    response = head.get(f"/api/v1/reports/ikm?{QUERY}")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["ikm"], body["grade"], body["grade_name"]) == ("87.08", "B", "Baik")
    # NRRs: U1-U3, U5-U8 18/5; U4 17/5; U9 11/4.
    assert body["nrr"] == {
        **{f"U{n}": "3.6000" for n in (1, 2, 3, 5, 6, 7, 8)},
        "U4": "3.4000",
        "U9": "2.7500",
    }
    assert body["weakest"] == ["U9"]
    # 2 finished tickets: Krejcie-Morgan 1.9205 / 0.96275 = 1.99 → 2.
    assert (body["respondents"], body["visitors"], body["sample_target"]) == (5, 2, 2)
    assert body["below_sample"] is False and body["refused"] is None
    assert (body["section"], body["from"], body["to"], body["service"]) == (
        "ikm",
        DAY.isoformat(),
        DAY.isoformat(),
        None,
    )
    rows = {row["element_code"]: row for row in body["rows"]}
    assert rows["U9"]["converted"] == "68.75" and rows["U9"]["weakest"] is True
    assert rows["IKM"]["converted"] == "87.08" and rows["IKM"]["nrr"] == "3.4833"
    services = [(r["service"], r["respondents"], r["ikm"]) for r in body["services"]["rows"]]
    # A has 5 responses (= min_group 5: shown); B has none (folded: fewer than 5).
    assert services == [
        ("Semua layanan", 5, "87.08"),
        ("A Layanan Informasi", 5, "87.08"),
        ("B Pengaduan", None, None),
    ]


@pytest.mark.usefixtures("answered")
def test_csv_and_xlsx_write_the_figures_as_numbers_with_their_places(head: FlaskClient) -> None:
    response = head.get(f"/api/v1/reports/ikm?{QUERY}&format=csv")
    assert response.status_code == 200
    assert "laporan-ikm-2026-11-25.csv" in response.headers["Content-Disposition"]
    header, *lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert header[:6] == [
        "Kode",
        "Unsur",
        "Responden yang menjawab",
        "Jumlah nilai",
        "NRR",
        "Nilai konversi (NRR × 25)",
    ]
    assert lines[8][:8] == ["U9", lines[8][1], "4", "11", "2.7500", "68.75", "C", "Kurang baik"]
    assert lines[9][4:8] == ["3.4833", "87.08", "B", "Baik"]

    response = head.get(f"/api/v1/reports/ikm?{QUERY}&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    elements, services = book.worksheets  # the elements, then the office and its services
    last = [cell for cell in elements[11]]
    assert last[5].value == 87.08 and last[5].number_format == "0.00"
    assert last[4].value == pytest.approx(3.4833) and last[4].number_format == "0.0000"
    assert services["A2"].value == "Semua layanan" and services["F2"].value == 87.08


@pytest.mark.usefixtures("answered")
def test_one_small_service_is_folded_away(head: FlaskClient) -> None:
    body = head.get(f"/api/v1/reports/ikm?{QUERY}&service=B").get_json()
    assert body["ikm"] is None and body["respondents"] is None and body["below_sample"] is None
    assert "Kurang dari 5 responden" in body["refused"]
    assert set(body["nrr"].values()) == {None}


def test_bad_parameters_are_refused_in_indonesian(head: FlaskClient) -> None:
    response = head.get("/api/v1/reports/ikm?from=2026-13-01&to=2026-11-30")
    assert response.status_code == 400
    assert "TTTT-BB-HH" in response.get_json()["message"]
    response = head.get(f"/api/v1/reports/ikm?{QUERY}&service=Z")
    assert response.status_code == 400 and response.get_json()["error"] == "service_unknown"
    response = head.get(f"/api/v1/reports/ikm?{QUERY}&weight=0.111")
    assert response.status_code == 400 and response.get_json()["error"] == "parameter_unknown"


@pytest.mark.parametrize("role", ["front_office", "receptionist", "technician", "unit"])
def test_only_the_report_readers_see_the_index(as_role: Any, role: str) -> None:
    client, _ = as_role(role)
    assert client.get(f"/api/v1/reports/ikm?{QUERY}").status_code == 403


@pytest.mark.usefixtures("answered")
def test_the_page_shows_the_index_its_grade_chart_and_links(head: FlaskClient) -> None:
    page = head.get(f"/reports/?period=day&date={DAY}").get_data(as_text=True)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert 'id="ikm-view"' in page
    assert "87,08 Mutu B · Baik" in text
    assert "Responden 5 Sampel minimal (Krejcie-Morgan) 2" in text
    assert "Unsur terendah: U9" in text
    found = re.search(r'<script type="application/json" id="ikm-chart-data">(.*?)</script>', page)
    assert found is not None
    chart = json.loads(found.group(1))
    assert chart["data"][8] == 68.75 and chart["weakest"][8] is True
    assert chart["weakest"].count(True) == 1
    assert f"/api/v1/reports/ikm?format=xlsx&amp;from={DAY}&amp;to={DAY}" in page


def test_the_openapi_document_describes_the_index(head: FlaskClient) -> None:
    spec = head.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/reports/ikm"]["get"]
    schema = spec["components"]["schemas"]["IkmReport"]
    assert {"ikm", "grade", "nrr", "respondents", "visitors", "sample_target"} <= set(
        schema["properties"]
    )
    assert "kepala" in operation["x-roles"]


@pytest.mark.usefixtures("answered")
def test_ult_ikm_gives_the_api_s_json_and_its_own_table(
    head: FlaskClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ULT_HOME", str(settings.home))
    monkeypatch.setenv("ULT_CONFIG", str(settings.source))
    args = ["ikm", "--from", DAY.isoformat(), "--to", DAY.isoformat()]
    result = CliRunner().invoke(main, [*args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == head.get(f"/api/v1/reports/ikm?{QUERY}").get_json()

    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0
    assert "IKM 87,08 · mutu B (Baik)" in result.output
    assert "Responden 5 dari sampel minimal 2 (pengunjung 2)" in result.output
    assert re.search(r"U9 .* 4 +11 +2,7500 +68,75 +C +Kurang baik +ya", result.output)

    result = CliRunner().invoke(main, [*args, "--format", "csv"], catch_exceptions=False)
    assert result.stdout_bytes == head.get(f"/api/v1/reports/ikm?{QUERY}&format=csv").data

    result = CliRunner().invoke(main, [*args, "--service", "A", "--format", "json"])
    assert json.loads(result.output)["ikm"] == "87.08"


@pytest.mark.usefixtures("answered")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Isi tanggal awal dan tanggal akhir"),
        (["--from", "2026-11-30", "--to", "2026-11-01"], "harus sama dengan atau sebelum"),
        (["--from", "2026-11-01", "--to", "2026-11-30", "--service", "Q"], "tidak dikenal"),
    ],
)
def test_ult_ikm_refuses_bad_arguments_in_indonesian(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.setenv("ULT_HOME", str(settings.home))
    monkeypatch.setenv("ULT_CONFIG", str(settings.source))
    result = CliRunner().invoke(main, ["ikm", *args])
    assert result.exit_code == EXIT_USAGE
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def few(app_queue: Queue, clock: FakeClock, db: sqlite_utils.Database) -> None:
    """Two respondents on the day: one answered 4 everywhere but U9 1, one 2 with U9 left."""
    simulate_day(app_queue, clock)
    add_responses(db, DAY, "A", [answers(4, U9=1), answers(2, U9=None)])


@pytest.mark.usefixtures("few")
def test_the_office_under_min_group_shows_no_answer_anywhere(
    head: FlaskClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ULT_HOME", str(settings.home))
    monkeypatch.setenv("ULT_CONFIG", str(settings.source))
    args = ["ikm", "--from", DAY.isoformat(), "--to", DAY.isoformat()]
    body = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).output)
    assert (body["respondents"], body["visitors"], body["sample_target"]) == (2, 2, 2)
    assert body["ikm"] is None and body["grade"] is None and set(body["nrr"].values()) == {None}
    assert "Kurang dari 5 responden" in body["refused"]
    for row in body["rows"][:9]:
        assert row["element_answered"] is None and row["answer_sum"] is None
    assert body["rows"][9]["element_answered"] == 2
    text = CliRunner().invoke(main, args).output
    assert "Responden 2 dari sampel minimal 2 (pengunjung 2)" in text
    # U9's line holds no count, no sum, no NRR: "U9 Sarana dan prasarana" then dashes.
    assert re.search(r"^U9 +Sarana dan prasarana[ -]*$", text, re.MULTILINE), text
    page = head.get(f"/reports/?period=day&date={DAY}").get_data(as_text=True)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "Responden 2 Sampel minimal" in text and "Kurang dari 5 responden" in text
    assert "Saran responden SKM CSV XLSX Kurang dari 5 responden: saran tidak" in text


@pytest.fixture
def voiced(app_queue: Queue, clock: FakeClock, db: sqlite_utils.Database) -> None:
    """Six respondents of A; two suggestions, one starting like a formula; sexes 6 men."""
    simulate_day(app_queue, clock)
    add_responses(
        db,
        DAY,
        "A",
        [answers(3)] * 6,
        profiles=[{"sex": "Laki-laki"}] * 6,
        suggestions=["Tambah kursi", '=HYPERLINK("x")'],
    )


@pytest.mark.usefixtures("voiced")
def test_the_head_of_office_reads_suggestions_and_profile_in_every_form(
    head: FlaskClient, as_role: Any
) -> None:
    body = head.get(f"/api/v1/reports/survey_suggestions?{QUERY}").get_json()
    # Sorted by text: "=" (0x3D) before "T".
    assert [(r["suggestion"], r["service"]) for r in body["rows"]] == [
        ('=HYPERLINK("x")', "A Layanan Informasi"),
        ("Tambah kursi", "A Layanan Informasi"),
    ]
    data = head.get(f"/api/v1/reports/survey_suggestions?{QUERY}&format=csv").data
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[1][0] == '\'=HYPERLINK("x")'  # guarded: a spreadsheet shows it as text
    data = head.get(f"/api/v1/reports/survey_suggestions?{QUERY}&format=xlsx").data
    sheet = load_workbook(io.BytesIO(data))["Saran responden SKM"]
    assert sheet["A2"].value == '=HYPERLINK("x")' and sheet["A2"].data_type == "s"
    profile = head.get(f"/api/v1/reports/survey_profile?{QUERY}").get_json()
    rows = {(r["profile_question"], r["profile_category"]): r for r in profile["rows"]}
    assert rows["Jenis kelamin", "Laki-laki"]["respondents"] == 6
    assert rows["Jenis kelamin", "Perempuan"]["note"] == "< 5"
    assert rows["Usia", "Tidak diisi"]["respondents"] == 6
    page = head.get(f"/reports/?period=day&date={DAY}").get_data(as_text=True)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "Tambah kursi · A Layanan Informasi" in text
    assert page.index('id="ikm-view"') < page.index('id="survey-view"')
    assert "Jenis kelamin Laki-laki 6 Perempuan < 5 Tidak diisi < 5" in text
    client, _ = as_role("front_office")
    assert client.get(f"/api/v1/reports/survey_suggestions?{QUERY}").status_code == 403


@pytest.mark.usefixtures("voiced")
def test_ult_report_gives_the_suggestions(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ULT_HOME", str(settings.home))
    monkeypatch.setenv("ULT_CONFIG", str(settings.source))
    args = ["report", "survey_suggestions", "--from", DAY.isoformat(), "--to", DAY.isoformat()]
    result = CliRunner().invoke(main, [*args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [r["suggestion"] for r in json.loads(result.output)["rows"]] == [
        '=HYPERLINK("x")',
        "Tambah kursi",
    ]
