"""Reading an uploaded CSV or XLSX file safely, as columns of trimmed text.

``open_upload(data, filename)`` checks the bytes (size, type, encoding, zip bomb, number
of columns) and reads the headings in the first row; ``source.read(positions)`` then reads
the columns asked for. Nothing here raises for a bad file: every problem comes back as a
``FileProblem`` whose message says what to fix.

Row numbers are the spreadsheet's own: the heading row is row 1 and the first data row is
row 2. A CSV record is one row however many line breaks its quoted values hold (a
spreadsheet shows them inside one cell), and a blank line is a row too (a spreadsheet shows
an empty row) but not a row of data. For XLSX the row numbers are Excel's.

Every value is text, trimmed: leading zeros survive and "NA", "None" or "null" stay as
typed. The quote the portal's exports put before text starting with = + - @ (``safe_cell``)
is taken off again (``unescaped_cell``), so its own templates come back unchanged. XLSX
cells become the text an ASC-WDS CSV would hold: dates as DD/MM/YYYY, whole numbers
without ".0". A column is held as its distinct values plus a code per row
(``Column``), which is what lets the validator check each distinct value once.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Protocol

import numpy as np
import pandas as pd

from forms import messages
from portal.exports import unescaped_cell

MAX_BYTES = 20 * 1024 * 1024
MAX_SIZE_TEXT = "20MB"
MAX_ROWS = 200_000  # rows of data, not counting the heading row or blank rows
MAX_COLUMNS = 500
MAX_FILENAME = 100
# An XLSX is a zip file: refuse one that would unpack to more than this, or any of whose
# parts is packed more tightly than a spreadsheet ever is (a zip bomb). A 100,000-row
# training sheet unpacks to about 46MB at a ratio of about 12.
XLSX_MAX_UNPACKED = 250 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_PARTS = 1_000
SNIFF_BYTES = 1024 * 1024

_SIGNATURES = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"%PDF",
    b"7z\xbc\xaf",
    b"Rar!",
    b"\x1f\x8b",  # gzip
    b"II*\x00",  # TIFF
    b"MM\x00*",
    b"RIFF",
)
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")  # an XLSX is a zip
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an encrypted .xlsx
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_UNSHOWABLE = ("Cc", "Cf", "Zl", "Zp")  # control, format (bidi overrides), line breaks
_TOO_MANY_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_UNCLOSED_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


@dataclass(frozen=True)
class FileProblem:
    """A problem with the whole file: nothing in it can be checked until it is fixed."""

    message: str
    kind: str


@dataclass(frozen=True)
class Column:
    """A column as its distinct trimmed values and, for each row, the index of its value."""

    codes: np.ndarray  # intp, one per row
    uniques: np.ndarray  # object: distinct str

    def text(self) -> np.ndarray:
        return self.uniques[self.codes]

    def take(self, rows: np.ndarray) -> Column:
        codes, used = pd.factorize(self.codes[rows])
        return Column(codes.astype(np.intp, copy=False), self.uniques[used])

    @classmethod
    def from_values(cls, codes: np.ndarray, values: Sequence[str]) -> Column:
        """Trim the values and merge those that become equal (" 12" and "12")."""
        values = np.asarray(values, dtype=object)
        if len(codes) and codes.min() < 0:  # a missing cell: blank
            values = np.append(values, "")
            codes = np.where(codes < 0, len(values) - 1, codes)
        trimmed = np.array([unescaped_cell(str(value).strip()) for value in values], dtype=object)
        remap, uniques = pd.factorize(trimmed)
        return cls(remap[codes].astype(np.intp, copy=False), np.asarray(uniques, dtype=object))

    @classmethod
    def from_list(cls, values: list[str]) -> Column:
        codes, uniques = pd.factorize(np.array(values, dtype=object))
        return cls.from_values(codes, uniques)


@dataclass
class Table:
    """The data rows of a file: blank rows dropped, row numbers as the spreadsheet shows."""

    filename: str
    file_type: str  # "csv" or "xlsx"
    separator: str | None  # CSV only
    headers: list[str]
    row_numbers: np.ndarray  # int64, one per row
    columns: dict[int, Column]  # by position in ``headers``
    too_long: np.ndarray | None  # CSV only: the row has more values than headings

    def __len__(self) -> int:
        return len(self.row_numbers)


class Source(Protocol):
    filename: str
    file_type: str
    headers: list[str]

    def read(self, positions: Sequence[int], max_rows: int = MAX_ROWS) -> Table | FileProblem: ...

    def close(self) -> None: ...


# --- the file name -------------------------------------------------------------------


def display_filename(name: object) -> str:
    """A file name safe to show: no folders, no control characters, at most 100 characters."""
    text = str(name or "")
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _UNSHOWABLE)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > MAX_FILENAME:
        stem, ext = os.path.splitext(text)
        ext = ext if len(ext) <= 10 else ""
        text = stem[: MAX_FILENAME - len(ext) - 1].rstrip() + "…" + ext
    return text or "the file"


# --- opening -------------------------------------------------------------------------


def open_upload(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_columns: int = MAX_COLUMNS,
    wanted: Callable[[list[str]], bool] | None = None,
) -> Source | FileProblem:
    """Check an uploaded file and read its headings. The caller should read at most
    ``max_bytes + 1`` bytes of the upload, so a larger file is refused unread.

    An XLSX is read from its first worksheet whose headings ``wanted`` accepts (a workbook
    may start with a sheet of notes), else its first worksheet."""
    name = display_filename(filename)
    try:
        if len(data) > max_bytes:
            return FileProblem(messages.FILE_TOO_LARGE.format(size=MAX_SIZE_TEXT), "too_large")
        if not data.strip():
            return FileProblem(messages.UPLOAD_EMPTY, "empty")
        if data.startswith(_ZIP):
            return _open_xlsx(data, name, max_columns, wanted)
        if data.startswith(_OLE2):
            if _ENCRYPTED in data:
                return FileProblem(messages.UPLOAD_PASSWORD_PROTECTED, "password_protected")
            return FileProblem(messages.UPLOAD_OLD_EXCEL, "old_excel")
        if data.startswith(_SIGNATURES):
            return FileProblem(messages.UPLOAD_WRONG_TYPE, "wrong_type")
        return _open_csv(data, name, max_columns)
    except Exception:  # a file must never break the page: say it cannot be read
        return FileProblem(messages.UPLOAD_CANNOT_OPEN, "cannot_open")


# --- CSV -----------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[bytes, str, str] | None:
    """(bytes for the CSV parser, their encoding, the start as text), or None for binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            payload, encoding = data.decode("utf-16").encode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            return None
    else:
        payload = data.removeprefix(b"\xef\xbb\xbf")
        if b"\x00" in payload[:SNIFF_BYTES]:
            return None
        for encoding in ("utf-8", "cp1252", "latin-1"):
            try:
                payload.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    head = payload[:SNIFF_BYTES].decode(encoding, errors="replace")
    sample = head[:65536]
    if sample and len(_CONTROL.findall(sample)) > len(sample) // 100:
        return None
    return payload, encoding, head


def _separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def _open_csv(data: bytes, name: str, max_columns: int) -> Source | FileProblem:
    decoded = _decode(data)
    if decoded is None:
        return FileProblem(messages.UPLOAD_WRONG_TYPE, "wrong_type")
    payload, encoding, head = decoded
    if not head.strip():
        return FileProblem(messages.UPLOAD_EMPTY, "empty")
    separator = _separator(re.split(r"[\r\n]", head, maxsplit=1)[0])
    try:
        headers = next(csv.reader(io.StringIO(head, newline=""), delimiter=separator), [])
    except csv.Error:
        return FileProblem(messages.UPLOAD_CANNOT_OPEN, "cannot_open")
    if len(headers) > max_columns:
        return FileProblem(messages.upload_too_many_columns(max_columns), "too_many_columns")
    fields = max(len(headers), 1)
    return _CsvSource(
        name, _trim_headers(headers), payload, encoding, separator, fields, max_columns
    )


def _trim_headers(headers: Sequence[object]) -> list[str]:
    texts = [_cell_text(value).strip() for value in headers]
    while texts and not texts[-1]:
        texts.pop()
    return texts


class _CsvSource:
    file_type = "csv"

    def __init__(self, filename, headers, payload, encoding, separator, fields, max_columns):
        self.filename = filename
        self.headers = headers  # trailing blank headings dropped
        self._payload = payload
        self._encoding = encoding
        self.separator = separator
        self._fields = fields  # values in the heading row, blank ones included
        self._max_columns = max_columns

    def close(self) -> None:
        pass

    def _parse(self) -> pd.DataFrame | FileProblem:
        # One column more than the headings catches rows with too many values; a row with
        # more still makes the parser stop, so widen and try again (a few times at most).
        width = self._fields + 1
        for _attempt in range(4):
            try:
                return pd.read_csv(
                    io.BytesIO(self._payload),
                    sep=self.separator,
                    header=None,
                    names=list(range(width)),
                    index_col=False,
                    # Text, each distinct value held once: what the validator wants.
                    dtype="category",
                    keep_default_na=False,
                    na_filter=False,
                    skip_blank_lines=False,
                    encoding=self._encoding,
                    engine="c",
                )
            except pd.errors.ParserError as error:
                if found := _UNCLOSED_QUOTE.search(str(error)):
                    row = int(found[1]) + 1
                    return FileProblem(messages.upload_unclosed_quote(row), "unclosed_quote")
                found = _TOO_MANY_FIELDS.search(str(error))
                if not found:
                    return FileProblem(messages.UPLOAD_CANNOT_OPEN, "cannot_open")
                if int(found[3]) > self._max_columns:
                    message = messages.upload_too_many_columns(self._max_columns)
                    return FileProblem(message, "too_many_columns")
                width = min(max(int(found[3]), width * 2), self._max_columns + 1)
        return FileProblem(messages.UPLOAD_CANNOT_OPEN, "cannot_open")

    def read(self, positions: Sequence[int], max_rows: int = MAX_ROWS) -> Table | FileProblem:
        try:
            frame = self._parse()
            if isinstance(frame, FileProblem):
                return frame
            data = slice(1, None)  # record 0 is the heading row
            columns = {}
            for position in positions:
                series = frame[position]
                codes = series.cat.codes.to_numpy()[data].astype(np.intp)
                columns[position] = Column.from_values(codes, series.cat.categories)
            too_long = np.zeros(len(frame) - 1, dtype=bool)
            for position in range(self._fields, frame.shape[1]):
                extra = Column.from_values(
                    frame[position].cat.codes.to_numpy()[data].astype(np.intp),
                    frame[position].cat.categories,
                )
                too_long |= (extra.uniques != "")[extra.codes]
            del frame
            row_numbers = np.arange(2, len(too_long) + 2, dtype=np.int64)
            return _table(self, columns, row_numbers, too_long, max_rows)
        except Exception:  # never let a file break the caller
            return FileProblem(messages.UPLOAD_CANNOT_OPEN, "cannot_open")


def _table(source, columns, row_numbers, too_long, max_rows) -> Table | FileProblem:
    """Drop blank rows, then check there is some data and not too much."""
    blank = np.ones(len(row_numbers), dtype=bool)
    for column in columns.values():
        blank &= (column.uniques == "")[column.codes]
    if too_long is not None:
        blank &= ~too_long
    keep = np.flatnonzero(~blank)
    # Always taken, so each column's distinct values are those of data rows only.
    columns = {position: column.take(keep) for position, column in columns.items()}
    row_numbers = row_numbers[keep]
    too_long = too_long[keep] if too_long is not None else None
    if len(row_numbers) == 0:
        return FileProblem(messages.UPLOAD_NO_DATA, "no_data")
    if len(row_numbers) > max_rows:
        return FileProblem(messages.upload_too_many_rows(max_rows), "too_many_rows")
    return Table(
        filename=source.filename,
        file_type=source.file_type,
        separator=getattr(source, "separator", None),
        headers=source.headers,
        row_numbers=row_numbers,
        columns=columns,
        too_long=too_long,
    )


# --- XLSX ----------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    """A cell as the text an ASC-WDS CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, date):  # datetime too: a date cell, its time dropped
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)  # 12.5; 1.2e+20, flagged in an ID column
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


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


def _open_xlsx(data: bytes, name: str, max_columns: int, wanted) -> Source | FileProblem:
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
            headings = _trim_headers(first)
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
                texts = [_cell_text(row[p]).strip() if p < len(row) else "" for p in positions]
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
        return _table(self, columns, np.array(row_numbers, dtype=np.int64), None, max_rows)
