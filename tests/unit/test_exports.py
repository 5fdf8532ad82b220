"""CSV and XLSX downloads: formula-like text is escaped, numbers and times keep their type,
and the responses are attachments with the right type and a safe file name."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from portal.exports import csv_response, safe_cell, safe_filename, xlsx_response

HOSTILE = [
    '=HYPERLINK("http://x")',
    "-1+2",
    "+44 20 7946 0000",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]
HEADER = ["name", "count", "rate", "when", "day", "empty"]
ROWS = [
    [HOSTILE[0], 3, Decimal("-12.50"), datetime(2026, 11, 13, 23, 30, tzinfo=UTC), None, None],
    [
        HOSTILE[1],
        -4,
        1.5,
        datetime(2026, 11, 14, 1, 0, tzinfo=timezone(timedelta(hours=1))),
        date(2026, 10, 1),
        None,
    ],
    ["Plain Care Ltd", 0, Decimal("24.50"), None, date(2026, 9, 1), ""],
    *[[text, 1, 1, None, None, None] for text in HOSTILE[2:]],
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["Plain Care Ltd", "", "'quoted", " =starts with a space", "a=b", "2026-10", "1-2"]
)
def test_other_text_is_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    "value", [0, -1, 2.5, -2.5, Decimal("-3.10"), True, None, date(2026, 1, 1)]
)
def test_numbers_and_other_values_are_unchanged(value):
    assert safe_cell(value) is value


def test_file_names_cannot_break_the_header():
    assert safe_filename('a "b"\r\n; c/../d.csv') == "a-b-c-..-d.csv"
    assert safe_filename("../") == "download"
    assert safe_filename("council-returns-2026-05-to-2026-10.xlsx") == (
        "council-returns-2026-05-to-2026-10.xlsx"
    )


def test_csv_response(app):
    with app.test_request_context():
        response = csv_response('report "x".csv', HEADER, iter(ROWS))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="report-x-.csv"'
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte order mark, for Excel
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER
    assert rows[1] == ["'" + HOSTILE[0], "3", "-12.50", "2026-11-13 23:30:00", "", ""]
    # Negative numbers are numbers, not formulas; aware times are written in UTC.
    assert rows[2] == ["'-1+2", "-4", "1.5", "2026-11-14 00:00:00", "2026-10-01", ""]
    assert rows[3] == ["Plain Care Ltd", "0", "24.50", "", "2026-09-01", ""]
    assert [r[0] for r in rows[4:]] == ["'" + text for text in HOSTILE[2:]]


def test_xlsx_response(app):
    with app.test_request_context():
        response = xlsx_response("report.xlsx", HEADER, ROWS, sheet_name="Returns: all/any")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"] == 'attachment; filename="report.xlsx"'
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.active
    assert sheet.title == "Returns  all any"
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.freeze_panes == "A2"
    names = [sheet.cell(row=r, column=1) for r in range(2, sheet.max_row + 1)]
    hostile = [c for c in names if c.value != "Plain Care Ltd"]
    # XlsxWriter stores a carriage return as OOXML's _x000D_ escape (Excel reads it back
    # as CR); openpyxl leaves the escape as it is.
    values = [c.value.replace("_x000D_", "\r") for c in hostile]
    assert values == ["'" + text for text in HOSTILE]
    assert all(c.data_type == "s" for c in names)
    # Nothing became a formula anywhere in the sheet.
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    first, second, plain = sheet[2], sheet[3], sheet[4]
    assert first[1].value == 3 and first[1].data_type == "n"
    assert first[2].value == -12.5 and first[2].data_type == "n"
    assert first[3].value == datetime(2026, 11, 13, 23, 30)
    assert first[4].value is None and first[5].value is None
    assert second[1].value == -4 and second[2].value == 1.5
    assert second[3].value == datetime(2026, 11, 14, 0, 0)  # 01:00 at UTC+1
    assert second[4].value == datetime(2026, 10, 1)
    assert plain[2].value == 24.5


def test_empty_exports_have_just_the_header(app):
    with app.test_request_context():
        csv_body = csv_response("x.csv", HEADER, []).get_data().decode("utf-8-sig")
        xlsx_body = xlsx_response("x.xlsx", HEADER, []).get_data()
    assert csv_body.splitlines() == [",".join(HEADER)]
    rows = list(load_workbook(io.BytesIO(xlsx_body)).active.iter_rows(values_only=True))
    assert rows == [tuple(HEADER)]
