"""What reading an uploaded file gives: a ``FileProblem`` with the whole file, or a
``Table`` of its data rows, each column held as its distinct trimmed values plus a code per
row (``Column``), which is what lets the validators check each distinct value once. Blank
rows are dropped and row numbers are the spreadsheet's own (``table_of``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Protocol

import numpy as np
import pandas as pd

from forms import messages
from portal.exports import unescaped_cell

MAX_ROWS = 200_000  # rows of data, not counting the heading row or blank rows


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


def table_of(source, columns, row_numbers, too_long, max_rows) -> Table | FileProblem:
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


def cell_text(value: object) -> str:
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


def trim_headers(headers: Sequence[object]) -> list[str]:
    texts = [cell_text(value).strip() for value in headers]
    while texts and not texts[-1]:
        texts.pop()
    return texts
