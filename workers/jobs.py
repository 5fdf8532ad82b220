"""Jobs with a row in the database: queued -> running -> done or failed.

``submit(kind, key, params)`` records a job and puts ``run_job(job_id)`` on the kind's RQ
queue (or runs it now, in-process, without ``REDIS_URL``). ``run_job`` claims the row in
SQL (only a queued job can start, so a job delivered twice runs once), calls the kind's
handler and records the outcome. Handlers take the ``Job`` and must be safe to run again
(they replace what they built, see ``portal.documents.save_document``). A failure is retried
with back-off (30 s, 2 min, 8 min...) up to ``max_attempts``; then the job is failed and
its ``error`` is what the person who asked sees, with "Try again" (``retry``).

A worker killed mid-job leaves its row "running": ``sweep`` (every 5 minutes, from the
worker's scheduler) puts rows running for longer than ``JOB_STUCK_AFTER`` back on the queue,
and re-sends queued rows that Redis lost (it keeps nothing on disk here).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from portal.extensions import db
from portal.models.work import JOB_DONE, JOB_FAILED, JOB_QUEUED, JOB_RUNNING, Job
from portal.timeutil import utcnow
from workers.queue import QUEUES, app_job

logger = logging.getLogger(__name__)

JOB_TIMEOUT = 600  # seconds RQ lets one attempt run
DEFAULT_STUCK_AFTER = timedelta(minutes=15)
SWEEP_EVERY = timedelta(minutes=5)
SOMETHING_WENT_WRONG = (
    "Something went wrong and it could not be finished. Try again; if it fails again, "
    "contact the council's contracts team."
)


class JobError(Exception):
    """A failure to show to the person who asked, as it is. ``retry=False`` when trying
    again cannot help (the data it needs is not there)."""

    def __init__(self, message: str, retry: bool = False):
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True)
class Handler:
    func: Callable[[Job], dict | None]
    queue: str


HANDLERS: dict[str, Handler] = {}


def handler(kind: str, queue: str = "reports"):
    """Register ``func(job) -> result dict`` as the handler of ``kind``."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")

    def register(func: Callable[[Job], dict | None]):
        HANDLERS[kind] = Handler(func, queue)
        return func

    return register


def _load_handlers() -> None:
    # The modules that register handlers; imported here so a worker process knows them all.
    import portal.feedback.jobs  # noqa: F401
    import portal.packs.jobs  # noqa: F401
    import portal.uploads.importing  # noqa: F401


def preload() -> None:
    """Import every handler and the PDF and chart libraries once, in the worker process,
    so each forked job starts warm (about 0.8 s saved per pack)."""
    _load_handlers()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import weasyprint  # noqa: F401


def backoff(attempt: int) -> timedelta:
    """The wait before the next try after ``attempt`` failed tries: 30 s, 2 min, 8 min..."""
    return timedelta(seconds=30 * 4 ** max(attempt - 1, 0))


def active(key: str) -> Job | None:
    return db.session.scalar(
        select(Job)
        .where(Job.key == key, Job.status.in_((JOB_QUEUED, JOB_RUNNING)))
        .order_by(Job.id.desc())
        .limit(1)
    )


def submit(
    kind: str,
    key: str,
    params: dict[str, Any] | None = None,
    *,
    council_id: int | None = None,
    provider_id: int | None = None,
    user_id: int | None = None,
    max_attempts: int = 3,
) -> Job:
    """Record and queue a job; the one already queued or running when the same work was
    asked for twice. Commits."""
    _load_handlers()
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    existing = active(key)
    if existing is not None:
        return existing
    job = Job(
        kind=kind,
        key=key,
        queue=HANDLERS[kind].queue,
        status=JOB_QUEUED,
        params=params or {},
        result={},
        council_id=council_id,
        provider_id=provider_id,
        requested_by_id=user_id,
        attempts=0,
        max_attempts=max_attempts,
    )
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    dispatch(job)
    return db.session.get(Job, job_id)


def dispatch(job: Job, delay: timedelta | None = None) -> None:
    """Send ``run_job(job.id)`` to RQ (after ``delay``), or run it now without Redis."""
    job_id, queue = job.id, job.queue
    if not current_app.config.get("REDIS_URL"):
        run_job(job_id)
        return
    from rq import Queue

    from workers.queue import redis_connection

    rq_queue = Queue(queue, connection=redis_connection())
    if delay:
        rq_queue.enqueue_in(delay, run_job, job_id, job_timeout=JOB_TIMEOUT)
    else:
        rq_queue.enqueue(run_job, job_id, job_timeout=JOB_TIMEOUT)


def retry(job: Job) -> Job:
    """ "Try again" on a failed job: a fresh set of attempts. Commits."""
    if job.status != JOB_FAILED:
        return job
    job.status = JOB_QUEUED
    job.attempts = 0
    job.error = None
    job.detail = None
    job.started_at = job.finished_at = job.next_attempt_at = None
    job.queued_at = utcnow()
    db.session.commit()
    job_id = job.id
    dispatch(job)
    return db.session.get(Job, job_id)


@app_job
def run_job(job_id: int) -> str:
    """Claim the job, run its handler, record the outcome. Returns the status it left."""
    _load_handlers()
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JOB_QUEUED)
        .values(
            status=JOB_RUNNING,
            attempts=Job.attempts + 1,
            started_at=now,
            finished_at=None,
            next_attempt_at=None,
        )
    ).rowcount
    db.session.commit()
    if not claimed:
        job = db.session.get(Job, job_id)
        return job.status if job is not None else "missing"
    job = db.session.get(Job, job_id)
    attempt = job.attempts  # this run's lease: a sweep or a later claim moves it on
    try:
        result = HANDLERS[job.kind].func(job) or {}
    except Exception as error:  # recorded on the row; the person who asked sees ``error``
        db.session.rollback()
        return _failed(job_id, attempt, error)
    finished = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JOB_RUNNING, Job.attempts == attempt)
        .values(status=JOB_DONE, result=result, error=None, finished_at=utcnow())
    ).rowcount
    db.session.commit()
    if not finished:
        return _lost(job_id, attempt)
    return JOB_DONE


def _lost(job_id: int, attempt: int) -> str:
    """A run that was swept while it was still going (slow, not dead): its work is safe to
    keep (handlers are idempotent) but the row now belongs to the newer run."""
    logger.warning("Job %s attempt %s ended after the sweeper had re-queued it", job_id, attempt)
    job = db.session.get(Job, job_id)
    return job.status if job is not None else "missing"


def _failed(job_id: int, attempt: int, error: Exception) -> str:
    job = db.session.get(Job, job_id)
    if job is None or job.status != JOB_RUNNING or job.attempts != attempt:
        return _lost(job_id, attempt)
    can_retry = not isinstance(error, JobError) or error.retry
    job.error = str(error) if isinstance(error, JobError) else SOMETHING_WENT_WRONG
    job.detail = "".join(traceback.format_exception(error))[-4000:]
    job.finished_at = utcnow()
    if not isinstance(error, JobError):
        logger.error("Job %s (%s) failed on attempt %s: %s", job_id, job.kind, attempt, error)
    if can_retry and attempt < job.max_attempts:
        delay = backoff(attempt)
        job.status = JOB_QUEUED
        job.next_attempt_at = utcnow() + delay
        db.session.commit()
        in_process = not current_app.config.get("REDIS_URL")
        dispatch(job, None if in_process else delay)
        return db.session.get(Job, job_id).status
    job.status = JOB_FAILED
    db.session.commit()
    return JOB_FAILED


def stuck_after() -> timedelta:
    seconds = current_app.config.get("JOB_STUCK_AFTER_SECONDS")
    return timedelta(seconds=seconds) if seconds is not None else DEFAULT_STUCK_AFTER


@app_job
def sweep(older_than: timedelta | None = None) -> dict[str, int]:
    """Re-queue jobs a dead worker left running, and queued jobs nobody picked up.
    A running job out of attempts is failed instead. Safe to run at any time."""
    limit = utcnow() - (older_than if older_than is not None else stuck_after())
    requeued = failed = resent = 0
    for job in db.session.scalars(
        select(Job).where(Job.status == JOB_RUNNING, Job.started_at < limit)
    ).all():
        moved = db.session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == JOB_RUNNING, Job.started_at == job.started_at)
            .values(
                status=JOB_QUEUED if job.attempts < job.max_attempts else JOB_FAILED,
                error=None if job.attempts < job.max_attempts else SOMETHING_WENT_WRONG,
                detail="The worker running it stopped.",
                finished_at=None if job.attempts < job.max_attempts else utcnow(),
            )
        ).rowcount
        db.session.commit()
        if not moved:
            continue
        db.session.refresh(job)
        if job.status == JOB_QUEUED:
            requeued += 1
            dispatch(job)
        else:
            failed += 1
    for job in db.session.scalars(
        select(Job).where(
            Job.status == JOB_QUEUED,
            Job.queued_at < limit,
            (Job.next_attempt_at.is_(None)) | (Job.next_attempt_at < limit),
        )
    ).all():
        resent += 1
        dispatch(job)
    return {"requeued": requeued, "failed": failed, "resent": resent}


@app_job
def sweep_job() -> dict[str, int]:
    """The scheduled sweep: runs, then books the next one."""
    counts = sweep()
    schedule_sweep()
    return counts


def schedule_sweep(delay: timedelta = SWEEP_EVERY) -> None:
    """Book the next sweep at the next multiple of ``delay``; the job id names the slot, so
    several workers booking the same sweep book it once."""
    if not current_app.config.get("REDIS_URL"):
        return
    from rq import Queue

    from workers.queue import redis_connection

    step = int(delay.total_seconds())
    now = utcnow()
    run_at = datetime.fromtimestamp((int(now.timestamp()) // step + 1) * step, UTC)
    job_id = f"sweep-{run_at:%Y%m%d%H%M%S}"
    queue = Queue("scheduled", connection=redis_connection())
    if queue.fetch_job(job_id) is None:
        queue.enqueue_at(run_at, sweep_job, job_id=job_id)
