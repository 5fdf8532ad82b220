"""Reading an uploaded CSV: the encoding (UTF-8 with or without a BOM, Excel's UTF-16
"Unicode text", cp1252), the separator (comma, semicolon or tab) and the rows, a quoted
value with line breaks being one row, with any row that has more values than headings
flagged."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from forms import messages
from portal.uploads.upload_table import (
    MAX_ROWS,
    Column,
    FileProblem,
    Source,
    Table,
    table_of,
    trim_headers,
)

SNIFF_BYTES = 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TOO_MANY_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_UNCLOSED_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")


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


def open_csv(data: bytes, name: str, max_columns: int) -> Source | FileProblem:
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
        name, trim_headers(headers), payload, encoding, separator, fields, max_columns
    )


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
            return table_of(self, columns, row_numbers, too_long, max_rows)
        except Exception:  # never let a file break the caller
            return FileProblem(messages.UPLOAD_CANNOT_OPEN, "cannot_open")
