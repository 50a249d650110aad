"""``ult.exports``: what a report table becomes in CSV, XLSX, JSON and text."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from ult import exports
from ult.reports import SECTIONS, Column, Table

TZ = ZoneInfo("Asia/Jakarta")

COLUMNS = (
    Column("name", "Nama", "text"),
    Column("count", "Jumlah", "int"),
    Column("seconds", "Durasi", "seconds"),
    Column("share", "Dalam standar (%)", "percent"),
    Column("day", "Tanggal", "date"),
    Column("at", "Mulai", "datetime"),
)
ROWS = [
    {
        "name": '=HYPERLINK("http://x")',
        "count": 3,
        "seconds": 125,
        "share": 87.5,
        "day": "2026-11-25",
        "at": "2026-11-25T02:09:00.000000Z",
    },
    {"name": "Siti Rahmawati – Dinas", "count": 0, "seconds": None, "share": None, "day": None},
]
TABLE = Table("demo", "Contoh: [uji]/tabel*", COLUMNS, ROWS)


def test_csv_is_utf8_with_bom_local_times_and_no_formulas() -> None:
    data = exports.to_csv(TABLE, TZ)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [
        "Nama",
        "Jumlah",
        "Durasi (detik)",
        "Dalam standar (%)",
        "Tanggal",
        "Mulai (WIB)",
    ]
    assert rows[1] == [
        '\'=HYPERLINK("http://x")',
        "3",
        "125",
        "87.5",
        "2026-11-25",
        "2026-11-25 09:09:00",
    ]
    assert rows[2] == ["Siti Rahmawati – Dinas", "0", "", "", "", ""]


def test_xlsx_cells_are_typed_and_text_is_never_a_formula() -> None:
    book = load_workbook(io.BytesIO(exports.to_xlsx([TABLE, TABLE], TZ, title="Uji")))
    assert book.sheetnames == ["Contoh   uji  tabel", "Contoh   uji  tabel (2)"]
    assert book.properties.title == "Uji"
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    formula, count, seconds, share, day, at = sheet[2]
    assert formula.data_type == "s" and formula.value == ROWS[0]["name"]
    assert (count.value, seconds.value, share.value) == (3, 125, 87.5)
    assert share.number_format == '0.0"%"'
    assert day.value == datetime(2026, 11, 25)
    assert at.value == datetime(2026, 11, 25, 9, 9)
    assert at.is_date and day.is_date
    assert [c.value for c in sheet[3]][2:] == [None, None, None, None]
    assert 6 <= sheet.column_dimensions["A"].width <= exports.COLUMN_WIDTH_MAX


def test_a_workbook_needs_a_table() -> None:
    with pytest.raises(ValueError):
        exports.to_xlsx([], TZ)


def test_json_keeps_utc_stamps_and_iso_days() -> None:
    body = exports.report_json([TABLE], date(2026, 11, 25), date(2026, 11, 25), None)
    assert body["rows"][0]["at"] == "2026-11-25T02:09:00.000000Z"
    assert body["rows"][0]["day"] == "2026-11-25"
    assert (body["from"], body["to"], body["service"]) == ("2026-11-25", "2026-11-25", None)
    assert body["columns"][0] == {"key": "name", "title": "Nama", "kind": "text"}


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "-"),
        (0, "0 dtk"),
        (45, "45 dtk"),
        (125, "2 mnt 05 dtk"),
        (360, "6 mnt"),
        (3720, "1 jam 02 mnt"),
    ],
)
def test_durations_read_as_minutes_and_seconds(seconds: float | None, text: str) -> None:
    assert exports.duration_text(seconds) == text


def test_the_terminal_table_names_the_zone_and_says_when_empty() -> None:
    text = exports.text_table(TABLE, TZ)
    assert "Mulai (WIB)" in text and "25 November 2026 09.09" in text and "87,5%" in text
    empty = exports.text_table(Table("demo", "Kosong", COLUMNS, []), TZ)
    assert "(tidak ada data)" in empty


def test_a_file_name_says_the_section_and_the_days() -> None:
    one, two = date(2026, 11, 1), date(2026, 11, 30)
    assert exports.filename("summary", one, one, "csv") == "laporan-summary-2026-11-01.csv"
    assert exports.filename("all", one, two, "xlsx") == "laporan-all-2026-11-01_2026-11-30.xlsx"


def test_a_csv_streams_in_pieces_with_one_byte_order_mark() -> None:
    many = Table("t", "T", TABLE.columns, TABLE.rows * (exports.CSV_CHUNK_ROWS + 1))
    pieces = list(exports.csv_chunks(many, TZ))
    assert len(pieces) == len(TABLE.rows) + 1  # every 500 rows, then the rest
    assert pieces[0].startswith(b"\xef\xbb\xbf")
    assert not any(piece.startswith(b"\xef\xbb\xbf") for piece in pieces[1:])
    assert b"".join(pieces) == exports.to_csv(many, TZ)
    rows = list(csv.reader(io.StringIO(b"".join(pieces).decode("utf-8-sig"))))
    assert len(rows) == len(many.rows) + 1
    (only,) = exports.csv_chunks(Table("t", "T", TABLE.columns, []), TZ)
    assert only.decode("utf-8-sig").startswith("Nama,")


def test_flags_read_ya_or_tidak_and_stay_booleans_in_json() -> None:
    flag = Column("waiting", "Menunggu antrian", "bool")
    assert [exports.json_value(flag, v) for v in (1, 0, None)] == [True, False, None]
    assert [exports.csv_value(flag, v, TZ) for v in (1, 0)] == ["ya", "tidak"]
    assert [exports.display(flag, v, TZ) for v in (True, 0)] == ["ya", "tidak"]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("-", "-"),
        ("--", "--"),
        ("- -", "- -"),
        ("-1+1", "'-1+1"),
        ("- =cmd", "'- =cmd"),
        ("+62 812", "'+62 812"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Loket 1 - pagi", "Loket 1 - pagi"),
    ],
)
def test_csv_guards_only_what_a_spreadsheet_could_run(text: str, written: str) -> None:
    table = Table("demo", "Contoh", (Column("name", "Nama", "text"),), [{"name": text}])
    rows = list(csv.reader(io.StringIO(exports.to_csv(table, TZ).decode("utf-8-sig"))))
    assert rows[1] == [written]


def test_decimals_keep_their_places_in_every_form() -> None:
    # The IKM's figures: exact Decimals, written with the places the core rounded them to.
    from decimal import Decimal

    columns = (Column("ikm", "IKM", "decimal"), Column("nrr", "NRR", "decimal"))
    rows = [{"ikm": Decimal("88.30"), "nrr": Decimal("3.5320")}, {"ikm": None, "nrr": None}]
    table = Table("ikm", "IKM", columns, rows)
    body = exports.table_json(table)
    assert body["rows"] == [{"ikm": "88.30", "nrr": "3.5320"}, {"ikm": None, "nrr": None}]
    lines = list(csv.reader(io.StringIO(exports.to_csv(table, TZ).decode("utf-8-sig"))))
    assert lines[1:] == [["88.30", "3.5320"], ["", ""]]
    # The JSON's text written again gives the same CSV (the API's files are read back so).
    assert exports.csv_value(columns[0], "88.30", TZ) == "88.30"
    assert exports.display(columns[0], Decimal("88.30"), TZ) == "88,30"
    sheet = load_workbook(io.BytesIO(exports.to_xlsx([table], TZ))).worksheets[0]
    ikm, nrr = sheet[2]
    assert (ikm.value, ikm.number_format) == (88.3, "0.00")
    assert (nrr.value, nrr.number_format) == (3.532, "0.0000")
    assert "88,30" in exports.text_table(table, TZ)


def test_every_section_s_sheet_name_fits_whole_and_is_balanced() -> None:
    # Excel allows 31 characters: "Indeks Kepuasan Masyarakat (IKM) per unsur" was cut to
    # "Indeks Kepuasan Masyarakat (IKM" (a bracket left open). Each name must fit unaltered.
    tables = [Table(section, title, COLUMNS, []) for section, title in SECTIONS.items()]
    names = [exports.sheet_name(t) for t in tables]
    for name in names:
        assert len(name) <= exports.SHEET_TITLE_MAX, name
        assert name.count("(") == name.count(")") and name.count("[") == name.count("]"), name
    book = load_workbook(io.BytesIO(exports.to_xlsx(tables, ZoneInfo("Asia/Jakarta"))))
    assert book.sheetnames == names
    assert exports.sheet_name(tables[list(SECTIONS).index("ikm")]) == "IKM per unsur"
