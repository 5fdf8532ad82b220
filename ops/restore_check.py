"""Back up the portal's PostgreSQL database and prove the backup restores.

    .venv/bin/python ops/restore_check.py [--database-url URL] [--keep FILE]

Takes a ``pg_dump --format=custom`` of DATABASE_URL (what the nightly backup does; see
docs/operations.md), restores it with ``pg_restore`` into a scratch database on the same
server (``<name>_restore_check``, dropped first and afterwards), and compares every table's
exact row count and the Alembic revision in both. Prints one line per table and exits 0
only when everything matches. ``--keep FILE`` keeps the dump file.

Needs the PostgreSQL client tools (``pg_dump``, ``pg_restore``) of the server's major
version or later, and a role that may create databases.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from psycopg import sql


def plain_url(url: str) -> str:
    """``postgresql+psycopg://`` (SQLAlchemy's spelling) to libpq's ``postgresql://``."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def with_database(url: str, name: str) -> str:
    return urlparse(url)._replace(path="/" + name).geturl()


def table_counts(url: str) -> dict[str, int]:
    """Exact row count of every table in the ``public`` schema."""
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {
            table: conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in tables
        }


def dump(url: str, path: Path) -> None:
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(path), url],
        check=True,
    )


def restore(path: Path, url: str) -> None:
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", url, str(path)],
        check=True,
    )


def recreate(admin_url: str, name: str, drop_only: bool = False) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def compare(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """Lines describing each table; a line starting ``DIFFERS`` for each mismatch."""
    lines = []
    for table in sorted(set(before) | set(after)):
        a, b = before.get(table), after.get(table)
        mark = "same   " if a == b else "DIFFERS"
        shown = ["-" if n is None else str(n) for n in (a, b)]
        lines.append(f"{mark} {table:<40} {shown[0]:>10} {shown[1]:>10}")
    return lines


def check(url: str, keep: Path | None = None) -> bool:
    """Dump ``url``, restore into a scratch database, compare; True when all counts match."""
    url = plain_url(url)
    source_name = urlparse(url).path.lstrip("/")
    scratch_name = f"{source_name}_restore_check"
    admin_url = with_database(url, "postgres")
    scratch_url = with_database(url, scratch_name)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{source_name}.dump"
        before = table_counts(url)  # before the dump: nothing else should be writing
        dump(url, path)
        print(f"Dumped {source_name}: {path.stat().st_size:,} bytes, {len(before)} tables")
        recreate(admin_url, scratch_name)
        try:
            restore(path, scratch_url)
            after = table_counts(scratch_url)
        finally:
            recreate(admin_url, scratch_name, drop_only=True)
        if keep:
            shutil.copyfile(path, keep)
    lines = compare(before, after)
    print(f"{'':7} {'table':<40} {'original':>10} {'restored':>10}")
    print("\n".join(lines))
    ok = not any(line.startswith("DIFFERS") for line in lines) and bool(before)
    rows = sum(before.values())
    print(f"Restore check {'passed' if ok else 'FAILED'}: {rows:,} rows in {len(before)} tables")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ops/restore_check.py")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args(argv)
    if not args.database_url or not plain_url(args.database_url).startswith("postgresql://"):
        print("Set DATABASE_URL (or --database-url) to the portal's PostgreSQL database.")
        return 2
    return 0 if check(args.database_url, args.keep) else 1


if __name__ == "__main__":
    sys.exit(main())
