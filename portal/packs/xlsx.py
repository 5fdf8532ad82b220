"""The packs as workbooks: one sheet per section, each a plain table (a bold, frozen header
row with filters) so it can be sorted and pivoted. Numbers are written as numbers, dates as
dates, and text through ``exports.safe_cell`` so nothing a provider typed can run as a
formula."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from portal.exports import Value, safe_cell

MAX_WIDTH = 60


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: list[Sequence[Value]]


def sheet_name(title: str) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet name."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"


def workbook(sheets: list[Sheet]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    formats = {
        "bold": book.add_format({"bold": True}),
        "date": book.add_format({"num_format": "d mmm yyyy"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    for sheet in sheets:
        _write_sheet(book.add_worksheet(sheet_name(sheet.title)), sheet, formats)
    book.close()
    return buffer.getvalue()


def _write_sheet(worksheet, sheet: Sheet, formats: dict) -> None:
    widths = [len(str(h)) for h in sheet.header]
    for col, title in enumerate(sheet.header):
        worksheet.write_string(0, col, str(safe_cell(title)), formats["bold"])
    for row_number, row in enumerate(sheet.rows, start=1):
        for col, value in enumerate(row):
            width = _write(worksheet, row_number, col, value, formats)
            widths[col] = max(widths[col], width)
    worksheet.freeze_panes(1, 0)
    if sheet.header:
        worksheet.autofilter(0, 0, max(len(sheet.rows), 1), len(sheet.header) - 1)
    for col, width in enumerate(widths):
        wrap = formats["wrap"] if width > MAX_WIDTH else None
        worksheet.set_column(col, col, min(max(width, 8) + 2, MAX_WIDTH), wrap)


def _write(worksheet, row: int, col: int, value: Value, formats: dict) -> int:
    """Write one cell with its type kept; returns the width it needs."""
    value = safe_cell(value)
    if value is None:
        worksheet.write_blank(row, col, None)
        return 0
    if isinstance(value, bool):
        worksheet.write_boolean(row, col, value)
        return 5
    if isinstance(value, int | float | Decimal):
        worksheet.write_number(row, col, float(value))
        return len(str(value))
    if isinstance(value, date) and not isinstance(value, datetime):
        worksheet.write_datetime(
            row, col, datetime(value.year, value.month, value.day), formats["date"]
        )
        return 11
    worksheet.write_string(row, col, str(value))
    return len(str(value))
