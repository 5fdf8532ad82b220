"""Reading an uploaded XLSX: the zip checked from its directory first (not a workbook,
password protected, or a zip bomb), then the first worksheet whose headings are wanted,
each cell as the text an ASC-WDS CSV would hold."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

import numpy as np

from forms import messages
from portal.uploads.upload_table import (
    MAX_ROWS,
    Column,
    FileProblem,
    Source,
    Table,
    cell_text,
    table_of,
    trim_headers,
)

# An XLSX is a zip file: refuse one that would unpack to more than this, or any of whose
# parts is packed more tightly than a spreadsheet ever is (a zip bomb). A 100,000-row
# training sheet unpacks to about 46MB at a ratio of about 12.
XLSX_MAX_UNPACKED = 250 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_PARTS = 1_000


def _check_zip(data: bytes) -> FileProblem | None:
    """Refuse a zip that is not a workbook, or that unpacks to too much (a zip bomb), from
    its directory alone. (Python's zipfile never unpacks more than a part's stated size.)"""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return FileProblem(messages.UPLOAD_CANNOT_OPEN, "cannot_open")
    if len(parts) > XLSX_MAX_PARTS:
        return FileProblem(messages.UPLOAD_CANNOT_OPEN, "zip_bomb")
    if "xl/workbook.xml" not in {part.filename for part in parts}:
        return FileProblem(messages.UPLOAD_WRONG_TYPE, "wrong_type")  # .docx, .ods, a zip
    if any(part.flag_bits & 0x1 for part in parts):
        return FileProblem(messages.UPLOAD_PASSWORD_PROTECTED, "password_protected")
    if sum(part.file_size for part in parts) > XLSX_MAX_UNPACKED:
        return FileProblem(messages.UPLOAD_CANNOT_OPEN, "zip_bomb")
    for part in parts:
        if part.file_size > 1024 * 1024 and part.file_size > XLSX_MAX_RATIO * max(
            part.compress_size, 1
        ):
            return FileProblem(messages.UPLOAD_CANNOT_OPEN, "zip_bomb")
    return None


def open_xlsx(data: bytes, name: str, max_columns: int, wanted) -> Source | FileProblem:
    if problem := _check_zip(data):
        return problem
    import openpyxl  # only when needed: it takes a while to import

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        return FileProblem(messages.UPLOAD_CANNOT_OPEN, "cannot_open")
    try:
        if not workbook.worksheets:
            workbook.close()
            return FileProblem(messages.UPLOAD_NO_DATA, "no_data")
        chosen = None
        for candidate in workbook.worksheets[:20]:
            first = next(candidate.iter_rows(min_row=1, max_row=1, values_only=True), ())
            headings = trim_headers(first)
            chosen = chosen or (candidate, headings)  # the first sheet, unless one is wanted
            if wanted is None:
                break
            if wanted(headings):
                chosen = (candidate, headings)
                break
        sheet, headers = chosen
    except Exception:
        workbook.close()
        return FileProblem(messages.UPLOAD_CANNOT_OPEN, "cannot_open")
    if len(headers) > max_columns:
        workbook.close()
        return FileProblem(messages.upload_too_many_columns(max_columns), "too_many_columns")
    return _XlsxSource(name, headers, workbook, sheet)


class _XlsxSource:
    file_type = "xlsx"
    separator = None

    def __init__(self, filename, headers, workbook, sheet):
        self.filename = filename
        self.headers = headers
        self._workbook = workbook
        self._sheet = sheet

    def close(self) -> None:
        self._workbook.close()

    def read(self, positions: Sequence[int], max_rows: int = MAX_ROWS) -> Table | FileProblem:
        positions = list(positions)
        values: list[list[str]] = [[] for _ in positions]
        row_numbers: list[int] = []
        try:
            width = max(positions, default=0) + 1
            rows = self._sheet.iter_rows(min_row=2, max_col=width, values_only=True)
            for number, row in enumerate(rows, start=2):
                texts = [cell_text(row[p]).strip() if p < len(row) else "" for p in positions]
                if not any(texts):
                    continue
                if len(row_numbers) >= max_rows:
                    return FileProblem(messages.upload_too_many_rows(max_rows), "too_many_rows")
                row_numbers.append(number)
                for column, text in zip(values, texts, strict=True):
                    column.append(text)
        except Exception:
            return FileProblem(messages.UPLOAD_CANNOT_OPEN, "cannot_open")
        finally:
            self._workbook.close()
        columns = {p: Column.from_list(column) for p, column in zip(positions, values, strict=True)}
        return table_of(self, columns, np.array(row_numbers, dtype=np.int64), None, max_rows)
