"""Writing many new rows at ``COPY`` speed: an import's new staff and training records.

On PostgreSQL the rows go through ``COPY ... FROM STDIN`` on the session's own connection
(so inside the import's transaction: a failure rolls back with everything else, and the
provider's row lock is still held); elsewhere (SQLite on a laptop) through an ordinary
executemany ``INSERT``. Only what is written changes: the plan, its counts and the audit
rows are made exactly as before (``portal.uploads.importing``).
"""

from __future__ import annotations

from psycopg import sql
from sqlalchemy import Table, insert

from portal.extensions import db


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
