"""Writing many new rows at ``COPY`` speed: an import's new staff and training records.

On PostgreSQL the rows go through ``COPY ... FROM STDIN`` on the session's own connection
(so inside the import's transaction: a failure rolls back with everything else, and the
provider's row lock is still held); elsewhere (SQLite on a laptop) through an ordinary
executemany ``INSERT``. Only what is written changes: the plan, its counts and the audit
rows are made exactly as before (``portal.uploads.importing``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from psycopg import sql
from sqlalchemy import Table, insert

from portal.extensions import db

NULL_MARK = "\\N"  # how copy_frame writes a blank cell (PostgreSQL's text-format NULL)
ROWS_PER_WRITE = 10_000  # copy_frame's rows a write


def _columns(table: Table, rows: list[dict]) -> list[str] | None:
    """The columns to copy, in table order; None when a column left out has a default
    that only SQLAlchemy knows how to compute (``COPY`` would leave it NULL)."""
    given = set(rows[0])
    for column in table.columns:
        if column.name not in given and column.default is not None:
            return None
    return [column.name for column in table.columns if column.name in given]


def insert_rows(table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys, as an executemany needs) into ``table``."""
    if not rows:
        return
    connection = db.session.connection()
    columns = _columns(table, rows) if connection.dialect.name == "postgresql" else None
    if columns is None:
        db.session.execute(insert(table), rows)
        return
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


@dataclass
class Cells:
    """A frame's columns made ready for ``COPY``: each column's distinct values as CSV
    cells (the NULL mark last), and each row's position among them."""

    texts: list[np.ndarray]
    codes: list[np.ndarray]

    def __add__(self, other: Cells) -> Cells:  # the columns of both, these first
        return Cells(self.texts + other.texts, self.codes + other.codes)


def cells_of(frame: pd.DataFrame) -> Cells:
    """The frame's columns as ``Cells``: each distinct value converted once."""
    made = [_column_codes(frame.iloc[:, n]) for n in range(frame.shape[1])]
    return Cells([text for text, _ in made], [code for _, code in made])


def copy_frame(
    table_name: str, columns: list[str], frame: pd.DataFrame, order: np.ndarray | None = None
) -> None:
    """``COPY`` a DataFrame's rows into ``table_name``'s ``columns`` (PostgreSQL only), as
    CSV made a column at a time (``copy_cells``). Blank (None/NaN) cells go as NULL; an
    empty text stays empty."""
    if not frame.empty:
        copy_cells(table_name, columns, cells_of(frame), order)


def copy_cells(
    table_name: str, columns: list[str], cells: Cells, order: np.ndarray | None = None
) -> None:
    """``COPY`` rows made of ``cells`` into ``table_name``'s ``columns``; ``order``: the
    rows' positions in the order to send them (``row_order``). The text is sent
    ``ROWS_PER_WRITE`` rows at a time, so PostgreSQL reads and stores one part while
    Python makes the next."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, NULL {})").format(
        sql.Identifier(table_name),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.Literal(NULL_MARK),
    )
    codes = [code if order is None else code[order] for code in cells.codes]
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for start in range(0, len(codes[0]), ROWS_PER_WRITE):
            part = slice(start, start + ROWS_PER_WRITE)
            rows = [text[code[part]] for text, code in zip(cells.texts, codes, strict=True)]
            copy.write("\n".join(map(",".join, zip(*rows, strict=True))) + "\n")


def row_order(*keys: pd.Series) -> np.ndarray:
    """The positions that put rows in the order of ``keys`` (whole numbers, never blank;
    the first the most significant), rows with the same keys as they were."""
    return np.lexsort([key.to_numpy(dtype=np.int64) for key in reversed(keys)])


def _column_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(each distinct value's cell, each row's position in them): a blank's is the last,
    the NULL mark."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    if pd.api.types.is_integer_dtype(column):  # ids, row numbers: made all at once
        texts = np.asarray(np.asarray(uniques).astype(str), dtype=object)
    else:
        texts = np.array([_csv_cell(value) for value in uniques], dtype=object)
    return np.append(texts, NULL_MARK), codes


def _csv_cell(value: Any) -> str:
    """One value as a CSV cell PostgreSQL reads back as the same value."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalars
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if not isinstance(value, str):
        return str(value)  # int, Decimal, date
    if value == NULL_MARK or any(ch in value for ch in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'  # quoted: never read as NULL
    return value
