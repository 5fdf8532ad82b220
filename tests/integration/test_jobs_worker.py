"""Jobs in real RQ worker processes on PostgreSQL and Redis: a worker killed with SIGKILL
in the middle of a pack leaves a job the sweeper puts back, the pack is built on the retry,
and exactly one copy of each file exists; running a job again changes nothing."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import psycopg
from pypdf import PdfReader
from sqlalchemy import select

from portal.background import jobs
from portal.documents import find_document
from portal.extensions import db
from portal.models import Document, Job
from portal.models.work import JOB_DONE, JOB_QUEUED, JOB_RUNNING
from portal.packs import PACK, pack_key
from tests.factories import make_contract, make_council, make_framework, make_provider

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUARTER = "2026-Q3"


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _worker_env(pg_url: str, redis_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": redis_url}


def _wait_for(condition, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _descendants(pid: int) -> list[int]:
    found = []
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True
    ).stdout.split()
    for child in map(int, children):
        found += [child, *_descendants(child)]
    return found


def _job(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def _pdf_text(document: Document) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document.content)).pages)


def _copies(council_id: int, provider_id: int) -> list[tuple[str, str]]:
    db.session.expire_all()
    return sorted(
        db.session.execute(
            select(Document.format, Document.period).where(
                Document.kind == PACK,
                Document.council_id == council_id,
                Document.provider_id == provider_id,
            )
        ).all()
    )


def test_a_pack_whose_worker_is_killed_is_built_once_on_retry(committed_app, redis_db, pg_url):
    app = committed_app
    council = make_council("Killworth Council")
    provider = make_provider("Sigkill Homecare Ltd")
    make_contract(provider, council, make_framework(council))
    db.session.commit()
    council_id, provider_id = council.id, provider.id

    app.config["REDIS_URL"] = redis_db
    job = jobs.submit(
        PACK,
        pack_key(council_id, provider_id, QUARTER),
        {"council_id": council_id, "provider_id": provider_id, "quarter": QUARTER},
        council_id=council_id,
        provider_id=provider_id,
    )
    job_id = job.id
    assert job.status == JOB_QUEUED  # on the queue, not run in-process

    # Hold the document table so the worker blocks while saving the pack it has built:
    # then it is surely in the middle of the job when it is killed.
    blocker = psycopg.connect(_plain(pg_url))
    blocker.execute("LOCK TABLE document IN ACCESS EXCLUSIVE MODE")
    worker = subprocess.Popen(
        [sys.executable, "-m", "workers"],
        cwd=REPO,
        env=_worker_env(pg_url, redis_db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: _job(job_id).status == JOB_RUNNING, what="the job to start")
        _wait_for(
            lambda: blocker.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted "
                "AND relation = 'document'::regclass"
            ).fetchone()[0],
            what="the worker to wait on the document table",
        )
    finally:
        # The worker and its work-horse (RQ forks one per job, in its own session).
        for pid in [*_descendants(worker.pid), worker.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=30)
        blocker.rollback()
        blocker.close()

    assert _job(job_id).status == JOB_RUNNING  # left behind by the dead worker
    assert _copies(council_id, provider_id) == []  # nothing half-saved

    counts = jobs.sweep(older_than=timedelta(0))
    assert counts["requeued"] == 1
    result = subprocess.run(
        [sys.executable, "-m", "workers", "--burst"],
        cwd=REPO,
        env=_worker_env(pg_url, redis_db),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    job = _job(job_id)
    assert job.status == JOB_DONE, (job.error, job.detail)
    assert job.attempts == 2
    assert _copies(council_id, provider_id) == [("pdf", QUARTER), ("xlsx", QUARTER)]
    pdf = find_document(PACK, council_id, QUARTER, "pdf", provider_id=provider_id)
    first_text = _pdf_text(pdf)
    assert "Sigkill Homecare Ltd" in first_text

    # Running it twice gives the same result: a second delivery of the same job does
    # nothing, and asking for the pack again replaces the copy rather than adding one.
    app.config["REDIS_URL"] = None
    assert jobs.run_job(job_id) == JOB_DONE
    assert _job(job_id).attempts == 2
    again = jobs.submit(
        PACK,
        pack_key(council_id, provider_id, QUARTER),
        {"council_id": council_id, "provider_id": provider_id, "quarter": QUARTER},
        council_id=council_id,
        provider_id=provider_id,
    )
    assert again.id != job_id and again.status == JOB_DONE
    assert _copies(council_id, provider_id) == [("pdf", QUARTER), ("xlsx", QUARTER)]
    db.session.expire_all()
    pdf = find_document(PACK, council_id, QUARTER, "pdf", provider_id=provider_id)
    assert _pdf_text(pdf) == first_text
