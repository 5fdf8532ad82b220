"""Spreadsheet downloads (CSV and XLSX), safe to open in Excel and other spreadsheets.

Every text cell goes through ``safe_cell``: text starting with = + - @ tab or carriage
return gets a leading single quote, so a provider's name such as ``=HYPERLINK(...)`` is
shown as text and never run as a formula (the OWASP CSV injection rule). Numbers, dates
and times keep their types. Both responses are built in memory and sent as attachments.

``unescaped_cell`` undoes ``safe_cell`` for a cell of an uploaded file, so a template or
export the portal wrote comes back as the values it was written from. Text that already
starts with quotes before one of those characters gets one quote more, so the two are
exact inverses: ``'=x`` is written ``''=x`` and read back as ``'=x``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Response

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Value = str | int | float | Decimal | bool | date | datetime | None


def _escaped(text: str) -> bool:
    """Text a formula escape applies to: a trigger after any number of quotes."""
    return text.lstrip("'").startswith(FORMULA_TRIGGERS)


def safe_cell(value: Value) -> Value:
    """The value to write: text that a spreadsheet would read as a formula is prefixed
    with ``'``; anything that is not text (numbers, dates, None) is returned unchanged."""
    if isinstance(value, str) and _escaped(value):
        return "'" + value
    return value


def unescaped_cell(text: str) -> str:
    """The text of an uploaded cell with ``safe_cell``'s quote taken off again."""
    if text.startswith("'") and _escaped(text):
        return text[1:]
    return text


def _utc_naive(value: datetime) -> datetime:
    """Spreadsheets have no time zones: aware times are written as UTC."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _csv_text(value: Value) -> str:
    value = safe_cell(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _utc_naive(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def attachment(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    return response


def safe_filename(filename: str) -> str:
    """Letters, digits, dots, hyphens and underscores only (no quotes, paths or headers)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip(".-")
    return cleaned or "download"


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Value]]) -> Response:
    """A UTF-8 CSV download (with a byte order mark, so Excel reads £ and accents).

    Times are written in UTC as ``YYYY-MM-DD HH:MM:SS``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_text(h) for h in header])
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    body = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    response = attachment(body, CSV_MIMETYPE, filename)
    response.charset = "utf-8"
    return response


def xlsx_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Value]],
    sheet_name: str = "Data",
) -> Response:
    """An XLSX download with one sheet: a bold, frozen header row with filters, text
    written as text (never formulas or links), numbers as numbers, times in UTC."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet(re.sub(r"[\[\]:*?/\\]", " ", sheet_name)[:31] or "Data")
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    widths = [len(str(h)) for h in header]

    def write(row: int, col: int, value: Value) -> None:
        value = safe_cell(value)
        if value is None:
            sheet.write_blank(row, col, None)
            width = 0
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value)
            width = 5
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(row, col, float(value) if isinstance(value, Decimal) else value)
            width = len(str(value))
        elif isinstance(value, datetime):
            sheet.write_datetime(row, col, _utc_naive(value), datetime_format)
            width = 19
        elif isinstance(value, date):
            sheet.write_datetime(
                row, col, datetime(value.year, value.month, value.day), date_format
            )
            width = 10
        else:
            sheet.write_string(row, col, str(value))
            width = len(str(value))
        if col < len(widths):
            widths[col] = max(widths[col], width)
        else:
            widths.append(width)

    for col, title in enumerate(header):
        sheet.write_string(0, col, str(safe_cell(title)), bold)
    last_row = 0
    for last_row, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            write(last_row, col, value)
    sheet.freeze_panes(1, 0)
    if header:
        sheet.autofilter(0, 0, last_row, len(header) - 1)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width, 8) + 2, 60))
    workbook.close()
    return attachment(buffer.getvalue(), XLSX_MIMETYPE, filename)
