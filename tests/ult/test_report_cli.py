"""``ult report`` over a simulated day: every format says the same, bad arguments are refused
with the documented exit code and nothing written."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.conftest import hours_off
from tests.reports_day import DAY, OVERRUN, START, simulate_day
from ult import exports, reports
from ult.cli import EXIT_USAGE, main
from ult.clock import FakeClock
from ult.messages import REPORT_TEXT
from ult.queue import Queue
from ult.settings import load_settings
from ult.store import connect

DAY_ARGS = ("--from", DAY.isoformat(), "--to", DAY.isoformat())


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An initialised appliance home holding the simulated day."""
    home = tmp_path / "home"
    monkeypatch.setenv("ULT_HOME", str(home))
    monkeypatch.delenv("ULT_CONFIG", raising=False)
    assert CliRunner().invoke(main, ["init"]).exit_code == 0
    hours_off(home / "ult.toml")
    settings = load_settings(home / "ult.toml")
    db = connect(settings.store.database)
    clock = FakeClock(START)
    simulate_day(Queue(db, settings, clock=clock), clock)
    db.close()
    return home


def ult(*args: str):
    return CliRunner().invoke(main, ["report", *args], catch_exceptions=False)


def test_json_csv_xlsx_and_table_agree_for_every_section(home: Path, tmp_path: Path) -> None:
    tz = load_settings(home / "ult.toml").office.tz
    for section in reports.SECTIONS:
        result = ult(section, *DAY_ARGS, "--format", "json")
        assert result.exit_code == 0, result.output
        body = json.loads(result.output)
        assert (body["section"], body["from"], body["to"]) == (section, "2026-11-25", "2026-11-25")
        columns = [reports.Column(c["key"], c["title"], c["kind"]) for c in body["columns"]]

        shown = ult(section, *DAY_ARGS, "--format", "csv").stdout_bytes
        assert shown.startswith(b"\xef\xbb\xbf")
        header, *lines = list(csv.reader(io.StringIO(shown.decode("utf-8-sig"))))
        assert header == [exports.file_header(c, tz) for c in columns]
        assert lines == [
            [exports.csv_value(c, row[c.key], tz) for c in columns] for row in body["rows"]
        ]

        target = tmp_path / f"{section}.xlsx"
        written = ult(section, *DAY_ARGS, "--format", "xlsx", "--output", str(target))
        assert written.exit_code == 0
        assert str(target) in written.stderr
        sheet = load_workbook(target).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        assert list(values[0]) == header
        assert len(values) == len(body["rows"]) + 1

        table = ult(section, *DAY_ARGS).output
        for row in body["rows"]:
            for column in columns:
                assert exports.display(column, row[column.key], tz) in table


def test_the_overrun_is_the_officer_s_who_ran_over(home: Path) -> None:
    body = json.loads(ult("overruns", *DAY_ARGS, "--format", "json").output)
    assert [(r["label"], r["step"], r["officer"], r["overrun_seconds"]) for r in body["rows"]] == [
        tuple(OVERRUN.values())
    ]
    table = ult("overruns", *DAY_ARGS).output
    assert "A-001" in table and "fo1" in table and "2 mnt" in table and "fo2" not in table


def test_no_period_is_the_day_of_date_or_today(home: Path) -> None:
    day = json.loads(ult("summary", "--date", "2026-11-27", "--format", "json").output)
    assert (day["from"], day["to"]) == ("2026-11-27", "2026-11-27")
    today = json.loads(ult("summary", "--format", "json").output)
    assert today["from"] == today["to"]


def test_a_period_with_its_day_and_a_service(home: Path) -> None:
    week = json.loads(
        ult("summary", "--period", "week", "--date", "2026-11-27", "--format", "json").output
    )
    assert (week["from"], week["to"]) == ("2026-11-23", "2026-11-29")
    assert week["rows"][0]["visitors"] == 3
    only_b = json.loads(ult("summary", *DAY_ARGS, "--service", "b", "--format", "json").output)
    assert only_b["service"] == "B" and only_b["rows"][0]["visitors"] == 1


def test_all_sections_in_one_workbook(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "semua.xlsx"
    assert ult("all", *DAY_ARGS, "--format", "xlsx", "--output", str(target)).exit_code == 0
    aggregates = [name for name in reports.SECTIONS if name not in reports.PERSONAL_SECTIONS]
    assert len(load_workbook(target).sheetnames) == len(aggregates)
    every = json.loads(ult("all", *DAY_ARGS, "--format", "json").output)
    assert [t["section"] for t in every["tables"]] == aggregates


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026-11-30", "--to", "2026-11-01"), REPORT_TEXT["range_reversed"]),
        (("--from", "2026-11-01"), REPORT_TEXT["range_missing"]),
        (("--period", "month", *DAY_ARGS), REPORT_TEXT["range_mixed"]),
        ((*DAY_ARGS, "--service", "Q"), REPORT_TEXT["service_unknown"]),
        (("--from", "0026-11-01", "--to", "2026-11-01"), REPORT_TEXT["range_too_long"]),
    ],
)
def test_bad_arguments_are_refused_with_the_message(
    home: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    target = tmp_path / "out.csv"
    result = ult("summary", *args, "--format", "csv", "--output", str(target))
    assert result.exit_code == EXIT_USAGE
    assert message.split("{")[0].split("(")[0] in result.stderr
    assert not target.exists()


def test_click_refuses_what_is_no_date_section_or_format(home: Path) -> None:
    assert ult("summary", "--from", "25-11-2026", "--to", "2026-11-25").exit_code == EXIT_USAGE
    assert ult("everything", *DAY_ARGS).exit_code == EXIT_USAGE
    assert ult("summary", *DAY_ARGS, "--format", "pdf").exit_code == EXIT_USAGE
    refused = ult("all", *DAY_ARGS, "--format", "csv")
    assert refused.exit_code == EXIT_USAGE
    assert REPORT_TEXT["csv_one_section"] in refused.stderr


def test_xlsx_is_never_written_to_a_terminal(home: Path) -> None:
    """A real process whose standard output is a terminal (a pseudo-terminal here)."""
    script = Path(sys.executable).with_name("ult")
    fallback = [sys.executable, "-c", "import sys; from ult.cli import main; sys.exit(main())"]
    command = [str(script)] if script.exists() else fallback
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [*command, "report", "summary", *DAY_ARGS, "--format", "xlsx"],
            stdout=follower,
            stderr=subprocess.PIPE,
            env={**os.environ, "ULT_HOME": str(home)},
            timeout=60,
        )
    finally:
        os.close(follower)
    os.close(leader)
    assert done.returncode == EXIT_USAGE
    assert REPORT_TEXT["xlsx_terminal"] in done.stderr.decode("utf-8")


def test_a_big_xlsx_is_refused_and_nothing_written(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "XLSX_ROWS_MAX", 3)
    target = tmp_path / "langkah.xlsx"
    result = ult("steps", *DAY_ARGS, "--format", "xlsx", "--output", str(target))
    assert result.exit_code == EXIT_USAGE
    assert "terlalu besar untuk XLSX" in result.output and "CSV" in result.output
    assert not target.exists()
    assert ult("steps", *DAY_ARGS, "--format", "csv", "--output", str(target)).exit_code == 0
