"""The benchmarks (``make bench-*``) are run by hand and rarely, so a change that breaks one
would go unseen until someone needs its figures. Each runs here at a tiny size against a
scratch PostgreSQL database (and Redis for the packs) and must finish and print its
figures. The figures themselves are not judged here: the sizes are too small to mean
anything, and timing belongs to the benchmarks, not the suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import PG_URL

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


@pytest.fixture
def scratch_urls(pg_url, redis_db) -> dict[str, str]:
    """A database of its own beside the suite's (the benchmarks recreate theirs)."""
    parsed = urlparse(PG_URL)
    url = parsed._replace(path=parsed.path + "_bench").geturl()
    return {"BENCH_DATABASE_URL": url, "DATABASE_URL": url, "BENCH_REDIS_URL": redis_db}


def _run(script: str, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, f"benchmarks/{script}", *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_the_upload_benchmark_checks_and_imports(scratch_urls):
    out = _run(
        "upload.py", "--staff", "40", "--training", "400", "--repeat", "1", "--import",
        env=scratch_urls,
    )  # fmt: skip
    assert "first import: done" in out
    assert "same files again: done" in out
    assert "training check / bare read:" in out
    assert "yardstick: bare COPY" in out


def test_the_aggregate_benchmark_builds_the_matrix_and_packs(scratch_urls):
    out = _run(
        "aggregate.py", "--providers", "3", "--staff", "15", "--training", "60",
        "--months", "3", "--workers", "1", "--repeat", "1",
        env=scratch_urls,
    )  # fmt: skip
    assert "area matrix as at" in out
    assert "(3 done, 0 failed" in out  # a pack for each provider, built by a real worker


def test_the_scale_benchmark_prints_a_row_per_size(scratch_urls):
    out = _run(
        "scale.py", "--sizes", "1", "--providers", "3", "--staff", "15", "--training", "60",
        "--months", "2",
        env=scratch_urls,
    )  # fmt: skip
    assert "import rows/s" in out
    rows = [line.split() for line in out.splitlines() if line.strip().startswith("1 ")]
    assert rows and rows[0][1] == "60", out  # one council's training records, measured


def test_the_load_benchmark_runs_a_month_end_and_loses_nothing(scratch_urls):
    """Two providers submit and a commissioner accepts and builds a pack, under gunicorn and
    a real worker pool. Latency is not judged (the exit code says whether the p95 target
    was met): what must hold at any size is no errors and every submission stored."""
    done = subprocess.run(
        [sys.executable, "benchmarks/load.py", "--minutes", "0.4", "--providers", "2",
         "--commissioners", "1", "--ramp", "1", "--think", "0.1", "0.2", "--spread", "1"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), **scratch_urls},
        capture_output=True, text=True, timeout=400,
    )  # fmt: skip
    out = done.stdout
    assert "errors 0 (0.00%)" in out, f"{out[-3000:]}\n{done.stderr[-3000:]}"
    assert "submissions the clients were told succeeded: 2; versions in the database: 2" in out
    assert "returns accepted: 2;" in out
    assert "GET training section" in out and "POST build pack" in out
