"""The backup in docs/operations.md restores: ``ops/restore_check.py`` pg_dumps the
database, restores it into a scratch database and finds every table's rows there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from portal.extensions import db
from tests.factories import make_contracted, make_staff

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "ops" / "restore_check.py"

pytestmark = pytest.mark.skipif(
    subprocess.run(["which", "pg_dump"], capture_output=True).returncode != 0,
    reason="the PostgreSQL client tools are not installed",
)


def _run(url: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--database-url", url, *extra],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_backup_restores_with_every_row(committed_app, pg_url, tmp_path):
    world = make_contracted()
    for n in range(3):
        make_staff(world.provider, worker_id=f"R{n}", training=[{"category": 1}])
    db.session.commit()
    db.session.remove()

    kept = tmp_path / "portal.dump"
    result = _run(pg_url, "--keep", str(kept))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Restore check passed" in result.stdout
    lines = {
        line.split()[1]: line.split()
        for line in result.stdout.splitlines()
        if line.startswith("same")
    }
    assert lines["staff_member"][2:] == ["3", "3"]
    assert lines["training_record"][2:] == ["3", "3"]
    assert int(lines["user_account"][2]) >= 7
    assert lines["alembic_version"][2:] == ["1", "1"]
    assert kept.stat().st_size > 0
    # The scratch database is gone again.
    admin = pg_url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin) as conn:
        scratch = pg_url.rsplit("/", 1)[1] + "_restore_check"
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (scratch,)).fetchone()
    assert found is None


def test_the_check_refuses_a_database_that_is_not_postgresql():
    result = _run("sqlite:///instance/portal.db")
    assert result.returncode == 2
    assert "Set DATABASE_URL" in result.stdout
