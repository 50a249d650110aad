"""A report :class:`ult.reports.Table` as the outside world reads it: JSON, CSV, XLSX, text.

One table feeds every form, so the page, the API, the CLI and the files show the same
numbers. The forms differ only in how a value is written:

- JSON (API, ``ult report --format json``): the API's conventions — times as UTC stamps
  (:func:`ult.clock.to_stamp`), days as ``YYYY-MM-DD``, seconds and shares as numbers.
- CSV and XLSX (opened by people, mostly in Excel): times in the office's local time,
  without a zone (Excel has none), which every column title of a time names (``WIB``...);
  numbers stay numbers (seconds as whole seconds, shares as 0–100 with a ``%`` shown in
  XLSX, the IKM's decimals as numbers with their places: ``88.31``, XLSX format ``0.00``),
  exactly the JSON's numbers; days as dates; yes/no flags as ``ya``/``tidak``.

The core's column titles name no zone; :func:`header` is the one place that adds it, for
the forms that write local times (files, pages, terminal). JSON writes UTC stamps, which
say their zone themselves (``...Z``).
- Text (``ult report --format table``, the pages): Indonesian display, durations in minutes
  and seconds, percentages with a decimal comma.

Text that a visitor or an officer typed may start with ``=``, ``+``, ``-`` or ``@``: a
spreadsheet would run it as a formula (CSV injection, OWASP). CSV cells of such text get a
leading apostrophe; XLSX cells are written as text cells, which Excel never evaluates.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from ult import dates
from ult.clock import from_stamp, to_stamp
from ult.messages import REPORT_SHEETS, REPORT_TEXT

if TYPE_CHECKING:
    from ult.reports import Column, Table

CSV_ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark: without it Excel on Windows reads a CSV in the ANSI code
page (Windows-1252) and garbles every character outside ASCII (an en dash, curly quotes, an
accented letter in a name or an address); LibreOffice and scripts read the BOM fine."""

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a text cell as a formula."""

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX = 31
"""Excel's limit on a sheet name."""
COLUMN_WIDTH_MAX = 60
"""Widest column (characters) an XLSX sheet gets; longer text runs on in its cell."""

TEXT_COLUMNS_MAX = 8
"""A single-row table with more columns is printed one figure per line."""

PERCENT_FORMAT = '0.0"%"'
"""XLSX number format of a share: the core gives 0-100, as the JSON keeps it, and Excel's
own percent format would multiply by 100."""


# ---------------------------------------------------------------------- one value


def _moment(value: Any) -> datetime | None:
    """An aware UTC datetime from a stored stamp or a datetime; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return from_stamp(str(value))


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def local_time(value: Any, tz: ZoneInfo) -> datetime | None:
    """A UTC time (stamp or aware datetime) as naive local office time, seconds precision."""
    moment = _moment(value)
    if moment is None:
        return None
    return moment.astimezone(tz).replace(tzinfo=None, microsecond=0)


def _decimal(value: Any) -> Decimal:
    """A ``decimal`` column's value (a ``Decimal``, or its text as JSON carries it)."""
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a decimal: {value!r}") from None


def decimal_format(value: Decimal) -> str:
    """The XLSX number format that shows ``value``'s places: ``0.00`` for ``88.31``."""
    places = max(-int(value.as_tuple().exponent), 0)
    return "0." + "0" * places if places else "0"


def json_value(column: Column, value: Any) -> Any:
    """``value`` of ``column`` as the JSON API writes it (UTC stamps, ISO days, numbers;
    a ``decimal`` as its exact text, ``"88.31"``: a JSON number would become a float)."""
    if value is None:
        return None
    if column.kind == "decimal":
        return str(_decimal(value))
    if column.kind == "datetime":
        moment = _moment(value)
        return None if moment is None else to_stamp(moment)
    if column.kind == "bool":
        return bool(value)
    if column.kind == "date":
        day = _day(value)
        return None if day is None else day.isoformat()
    if isinstance(value, datetime):
        return to_stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def sheet_value(column: Column, value: Any, tz: ZoneInfo) -> Any:
    """``value`` as a spreadsheet cell holds it: local naive datetime, date, number or text."""
    if value is None:
        return None
    if column.kind == "datetime":
        return local_time(value, tz)
    if column.kind == "date":
        return _day(value)
    if column.kind in ("int", "seconds", "percent"):
        return value
    if column.kind == "decimal":
        return _decimal(value)
    if column.kind == "bool":
        return yes_no(value)
    return str(value)


def yes_no(value: Any) -> str:
    """A flag (0/1 or bool) as ``ya`` or ``tidak``."""
    return REPORT_TEXT["yes" if value else "no"]


def csv_value(column: Column, value: Any, tz: ZoneInfo) -> str:
    """``value`` as a CSV field: local time ``YYYY-MM-DD HH:MM:SS`` (Excel reads it as a
    date-time), ISO day, plain numbers (point decimal), text guarded against formulas."""
    cell = sheet_value(column, value, tz)
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, int | float):
        return repr(round(cell, 6)) if isinstance(cell, float) else str(cell)
    if isinstance(cell, Decimal):
        return str(cell)  # "88.31": its places, a point decimal
    return guard_text(cell)


def guard_text(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would run it as a formula.

    Dashes alone ("-", "--", a "- -" placeholder) are no formula: nothing follows them to
    run, so they are written as they are, not as ``'-``."""
    if not text.startswith(_FORMULA_START) or not text.strip("- "):
        return text
    return "'" + text


def duration_text(seconds: float | None) -> str:
    """Seconds as an Indonesian reader takes them in: ``4 mnt 05 dtk``, ``6 mnt``,
    ``1 jam 02 mnt``, ``45 dtk``; ``-`` for none."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return REPORT_TEXT["hours"].format(hours=hours, minutes=minutes)
    if minutes and not secs:
        return REPORT_TEXT["whole_minutes"].format(minutes=minutes)
    if minutes:
        return REPORT_TEXT["minutes"].format(minutes=minutes, seconds=secs)
    return REPORT_TEXT["seconds"].format(seconds=secs)


def percent_text(share: float | None) -> str:
    """A share 0–100 as ``87,5%`` (Indonesian decimal comma); ``-`` for none."""
    if share is None:
        return "-"
    return f"{share:.1f}".replace(".", ",") + "%"


def display(column: Column, value: Any, tz: ZoneInfo) -> str:
    """``value`` as the pages and the CLI table show it."""
    if value is None or value == "":
        return "-"
    kind = column.kind
    if kind == "seconds":
        return duration_text(value)
    if kind == "percent":
        return percent_text(value)
    if kind == "int":
        return f"{value:,}".replace(",", ".")
    if kind == "decimal":
        return str(_decimal(value)).replace(".", ",")
    if kind == "bool":
        return yes_no(value)
    # Days and times in the one format of every page (ult.dates): "25 November 2026 09.09".
    if kind == "datetime":
        moment = _moment(value)
        return "-" if moment is None else dates.datetime_text(moment, tz)
    if kind == "date":
        day = _day(value)
        return "-" if day is None else dates.date_text(day, tz)
    return str(value)


def file_header(column: Column, tz: ZoneInfo) -> str:
    """A column's title in CSV and XLSX, with the unit the file writes: ``Durasi (detik)``,
    ``Mulai (WIB)`` (the office zone's abbreviation, since the files hold local times)."""
    if column.kind == "seconds":
        return f"{column.title} ({REPORT_TEXT['unit_seconds']})"
    return header(column, tz)


def header(column: Column, tz: ZoneInfo) -> str:
    """A column's title where its values are shown in local time (files, pages, terminal):
    a time column names the office zone (``Mulai (WIB)``)."""
    if column.kind == "datetime":
        return f"{column.title} ({datetime.now(tz).tzname()})"
    return column.title


# ---------------------------------------------------------------------- whole tables


def table_json(table: Table) -> dict[str, Any]:
    """``{"section", "title", "columns": [{"key", "title", "kind"}], "rows": [...]}``."""
    return {
        "section": table.section,
        "title": table.title,
        "columns": [{"key": c.key, "title": c.title, "kind": c.kind} for c in table.columns],
        "rows": [
            {c.key: json_value(c, row.get(c.key)) for c in table.columns} for row in table.rows
        ],
    }


def report_json(tables: Sequence[Table], start: date, end: date, service: str | None) -> dict:
    """The JSON body of a report request (API and ``ult report --format json``): one table's
    :func:`table_json` with ``from``, ``to`` (inclusive local days) and ``service``; several
    tables (section ``all``) as ``{"from", "to", "service", "tables": [...]}``."""
    period = {"from": start.isoformat(), "to": end.isoformat(), "service": service}
    if len(tables) == 1:
        return {**table_json(tables[0]), **period}
    return {**period, "tables": [table_json(t) for t in tables]}


def workbook_title(tables: Sequence[Table], start: date, end: date) -> str:
    """``<title> <from> s.d. <to>``: the XLSX title and, slugged, its file name."""
    name = tables[0].title if len(tables) == 1 else "Laporan"
    return f"{name} {start.isoformat()} s.d. {end.isoformat()}"


def filename(section: str, start: date, end: date, extension: str) -> str:
    """``laporan-<section>-<from>_<to>.<ext>`` (one day: ``laporan-<section>-<day>.<ext>``)."""
    span = start.isoformat() if start == end else f"{start.isoformat()}_{end.isoformat()}"
    return f"laporan-{section}-{span}.{extension}"


CSV_CHUNK_ROWS = 500
"""Rows per piece of a streamed CSV (:func:`csv_chunks`)."""


def csv_chunks(table: Table, tz: ZoneInfo) -> Iterator[bytes]:
    """The table as CSV in pieces of :data:`CSV_CHUNK_ROWS` rows, the first with the BOM
    and the header: a web response streams them instead of building the whole file."""
    out = io.StringIO()
    writer = csv.writer(out)
    encoding = CSV_ENCODING  # the byte-order mark opens the file, once
    writer.writerow([guard_text(file_header(c, tz)) for c in table.columns])
    for index, row in enumerate(table.rows, start=1):
        writer.writerow([csv_value(c, row.get(c.key), tz) for c in table.columns])
        if index % CSV_CHUNK_ROWS == 0:
            yield _take(out, encoding)
            encoding = "utf-8"
    if out.tell():
        yield _take(out, encoding)


def _take(out: io.StringIO, encoding: str) -> bytes:
    """What ``out`` holds, encoded, and empty it."""
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text.encode(encoding)


def to_csv(table: Table, tz: ZoneInfo) -> bytes:
    """The table as CSV (RFC 4180, comma, CRLF), UTF-8 with BOM; header row = column titles."""
    return b"".join(csv_chunks(table, tz))


XLSX_ROWS_MAX = 4000
"""The most rows (all sheets together) an XLSX export holds. openpyxl wrote 5,000 rows of
the step record in 2.6 s and 13,000 (a month) in 7.1 s on the 2-core build machine; a
Raspberry Pi is about five times slower. 4,000 rows (~2 s here, ~10 s on a Pi) is what one
web request may take; a bigger table goes to CSV, which streams (10x faster)."""


def xlsx_rows(tables: Sequence[Table]) -> int:
    """The rows an XLSX of ``tables`` would hold, to compare with :data:`XLSX_ROWS_MAX`."""
    return sum(len(table.rows) for table in tables)


def to_xlsx(tables: Sequence[Table], tz: ZoneInfo, *, title: str = "") -> bytes:
    """A workbook with one sheet per table: header row bold and frozen, typed cells (local
    office times as date-times, days as dates, numbers as numbers, shares with a ``%``),
    column widths fitted to the content, a filter on the header. ``title`` goes into the
    workbook's properties. Raises ``ValueError`` for no table.

    Written in openpyxl's write-only mode (rows streamed to a temporary file, not kept as
    cell objects: memory stays small on a Pi), a cell styled only where it must be (the
    header, shares, text that starts like a formula). openpyxl's XML writing is the cost:
    a month's step record (13,000 rows, 160,000 cells) takes seconds, ten times its CSV.
    """
    if not tables:
        raise ValueError("a workbook needs at least one table")
    from openpyxl import Workbook  # only the exports pay for importing it
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    book.properties.title = title or tables[0].title
    book.properties.creator = "ULT Kiosk"
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(sheet_name(table), used))
        cells = [[sheet_value(c, row.get(c.key), tz) for c in table.columns] for row in table.rows]
        for index, column in enumerate(table.columns):
            width = _width(file_header(column, tz), column, [line[index] for line in cells])
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        sheet.freeze_panes = "A2"
        if table.columns:
            last = get_column_letter(len(table.columns))
            sheet.auto_filter.ref = f"A1:{last}{max(1, len(table.rows) + 1)}"

        sheet.append([_cell(sheet, file_header(c, tz), font=bold) for c in table.columns])
        shares = [c.kind == "percent" for c in table.columns]
        for line in cells:
            sheet.append(
                [
                    _cell(sheet, v, number_format=PERCENT_FORMAT)
                    if share and v is not None
                    else _cell(sheet, v, number_format=decimal_format(v))
                    if isinstance(v, Decimal)
                    else _cell(sheet, v)
                    if isinstance(v, str) and v.startswith("=")
                    else v
                    for v, share in zip(line, shares, strict=True)
                ]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet: Any, value: Any, *, font: Any = None, number_format: str = "") -> Any:
    """A styled write-only cell; text stays text, whatever it starts with (never a formula)."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if number_format:
        cell.number_format = number_format
    return cell


def sheet_name(table: Table) -> str:
    """The sheet name of ``table``'s section (:data:`ult.messages.REPORT_SHEETS`, short
    titles that fit Excel's 31 characters whole), else its title."""
    return REPORT_SHEETS.get(table.section) or table.title or table.section


def _sheet_title(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts (no ``[]:*?/\\``, at most 31 characters), unique."""
    base = _SHEET_FORBIDDEN.sub(" ", title).strip() or "Tabel"
    base = base[:SHEET_TITLE_MAX]
    name, number = base, 2
    while name.lower() in used:
        suffix = f" ({number})"
        name = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
        number += 1
    used.add(name.lower())
    return name


def _width(title: str, column: Column, values: Sequence[Any]) -> float:
    """Characters wide enough for the ``title`` and the longest value, within bounds."""
    if column.kind == "datetime":
        longest = 19
    elif column.kind == "date":
        longest = 10
    else:
        longest = max((len(str(v)) for v in values if v is not None), default=0)
    return min(COLUMN_WIDTH_MAX, max(len(title), longest, 6) + 2)


def text_table(table: Table, tz: ZoneInfo) -> str:
    """The table for a terminal: the title, aligned columns (numbers to the right), one
    line per row; ``(tidak ada data)`` when it has no rows; a single row of many figures
    as one ``title  value`` line each."""
    headers = [header(c, tz) for c in table.columns]
    cells = [[display(c, row.get(c.key), tz) for c in table.columns] for row in table.rows]
    if len(cells) == 1 and len(headers) > TEXT_COLUMNS_MAX:
        # One row of many figures (the summary): one line per figure reads better.
        width = max(len(h) for h in headers)
        lines = [f"{h.ljust(width)}  {v}" for h, v in zip(headers, cells[0], strict=True)]
        return "\n".join([table.title, "-" * len(table.title), *lines]) + "\n"
    widths = [max([len(h), *(len(line[i]) for line in cells)]) for i, h in enumerate(headers)]
    right = [c.kind in ("int", "seconds", "percent", "decimal") for c in table.columns]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [table.title, line(headers), "  ".join("-" * w for w in widths)]
    out += [line(values) for values in cells]
    if not cells:
        out.append(REPORT_TEXT["no_rows"])
    return "\n".join(out) + "\n"
