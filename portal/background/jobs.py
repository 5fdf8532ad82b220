"""Jobs with a row in the database: queued -> running -> done or failed.

``add(kind, key, params)`` writes a job row in the caller's transaction and hands it to the
outbox (``portal.background.outbox``): RQ gets ``run_job(job_id)`` only after the commit,
and without ``REDIS_URL`` it runs in-process then. ``submit`` is ``add`` plus the commit.
``run_job`` claims the row in SQL (only a queued job can start, so a job delivered twice
runs once), imports the kind's handler by its dotted name (``kinds.HANDLERS``), runs it and
records the outcome. Handlers take the ``Job`` and must be safe to run again. A failure is
retried with back-off (30 s, 2 min, 8 min...) up to ``max_attempts``; then the job is
failed and its ``error`` is what the person who asked sees, with "Try again" (``retry``).

Recovery in minutes: while a job runs in a worker, a thread in the work-horse stamps
``heartbeat_at`` every ``JOB_HEARTBEAT_SECONDS`` (15). Every worker process sweeps every
``JOB_SWEEP_SECONDS`` (60): ``sweep`` puts back a running job whose heartbeat is older than
``JOB_HEARTBEAT_TIMEOUT_SECONDS`` (60), so a job whose worker was killed runs again within
about two minutes, and re-sends queued rows that Redis does not hold (it was down when they
were committed, or restarted without its data). A long job that is still alive keeps
heartbeating and is left alone.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update

from portal.background import outbox
from portal.background.kinds import HANDLERS, Handler, find, handler  # noqa: F401 - re-exported
from portal.clock import utcnow
from portal.extensions import db
from portal.models.work import JOB_DONE, JOB_FAILED, JOB_QUEUED, JOB_RUNNING, Job

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15
HEARTBEAT_TIMEOUT_SECONDS = 60
SWEEP_SECONDS = 60
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


def setting(name: str, default: float) -> float:
    value = current_app.config.get(name)
    return float(value) if value is not None else float(default)


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


def add(
    kind: str,
    key: str,
    params: dict[str, Any] | None = None,
    *,
    council_id: int | None = None,
    provider_id: int | None = None,
    user_id: int | None = None,
    max_attempts: int = 3,
) -> Job:
    """Write a job row in the current transaction; it is queued when that commits (the
    one already queued or running when the same work was asked for twice)."""
    found = find(kind)
    if found is None:
        raise ValueError(f"no handler for job kind {kind!r}")
    existing = active(key)
    if existing is not None:
        return existing
    job = Job(
        kind=kind,
        key=key,
        queue=found.queue,
        status=JOB_QUEUED,
        params=params or {},
        result={},
        council_id=council_id,
        provider_id=provider_id,
        requested_by_id=user_id,
        attempts=0,
        max_attempts=max_attempts,
        queued_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    outbox.track(job.id, job.queue, 0)
    return job


def submit(kind: str, key: str, params: dict[str, Any] | None = None, **owner: Any) -> Job:
    """``add`` and commit: the job as it stands after queueing (done, in-process)."""
    job_id = add(kind, key, params, **owner).id
    db.session.commit()
    return db.session.get(Job, job_id)


def dispatch(job: Job, delay: timedelta | None = None) -> bool:
    """Queue a committed row now (after ``delay``), or run it now without Redis."""
    job_id, queue, attempts = job.id, job.queue, job.attempts
    if not current_app.config.get("REDIS_URL"):
        run_job(job_id)
        return True
    try:
        outbox.send(job_id, queue, attempts, delay)
        return True
    except Exception:  # the sweeper sends it when Redis is back
        logger.exception("Job %s could not be queued now; the sweeper will send it", job_id)
        return False


def retry(job: Job) -> Job:
    """ "Try again" on a failed job: a fresh set of attempts. Commits."""
    if job.status != JOB_FAILED:
        return job
    job.status = JOB_QUEUED
    job.attempts = 0
    job.error = job.detail = None
    job.started_at = job.finished_at = job.next_attempt_at = job.heartbeat_at = None
    job.queued_at = utcnow()
    db.session.flush()
    outbox.track(job.id, job.queue, 0)
    job_id = job.id
    db.session.commit()
    return db.session.get(Job, job_id)


@contextmanager
def heartbeat(job_id: int, attempt: int) -> Iterator[None]:
    """Stamp ``heartbeat_at`` every ``JOB_HEARTBEAT_SECONDS`` while the block runs (in a
    worker only: in-process jobs die with the request that runs them)."""
    every = setting("JOB_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)
    if not current_app.config.get("REDIS_URL") or every <= 0:
        yield
        return
    engine, stop = db.engine, threading.Event()
    mine = (Job.id == job_id, Job.status == JOB_RUNNING, Job.attempts == attempt)

    def loop() -> None:
        while not stop.wait(every):
            try:
                with engine.begin() as connection:
                    connection.execute(update(Job).where(*mine).values(heartbeat_at=utcnow()))
            except Exception:  # a missed beat is retried at the next one
                logger.warning("Heartbeat of job %s failed", job_id, exc_info=True)

    thread = threading.Thread(target=loop, name=f"heartbeat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def run_job(job_id: int) -> str:
    """Claim the job, run its handler, record the outcome. Returns the status it left."""
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JOB_QUEUED)
        .values(
            status=JOB_RUNNING,
            attempts=Job.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            next_attempt_at=None,
        )
    ).rowcount
    db.session.commit()
    job = db.session.get(Job, job_id)
    if not claimed:
        return job.status if job is not None else "missing"
    attempt = job.attempts  # this run's lease: a sweep or a later claim moves it on
    try:
        with heartbeat(job_id, attempt):
            result = find(job.kind).function()(job) or {}
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


def sweep(older_than: timedelta | None = None) -> dict[str, int]:
    """Re-queue jobs whose worker stopped heartbeating ``older_than`` ago (default
    ``JOB_HEARTBEAT_TIMEOUT_SECONDS``) and queued jobs Redis lost; a dead job out of
    attempts is failed instead. Safe to run at any time, from any number of workers."""
    if older_than is None:
        older_than = timedelta(seconds=setting("JOB_HEARTBEAT_TIMEOUT_SECONDS", 60))
    limit = utcnow() - older_than
    requeued, failed = _requeue_dead(limit)
    resent = _resend_lost(limit)
    return {"requeued": requeued, "failed": failed, "resent": resent}


def _requeue_dead(limit) -> tuple[int, int]:
    requeued = failed = 0
    last_sign = func.coalesce(Job.heartbeat_at, Job.started_at)
    for job in db.session.scalars(
        select(Job).where(Job.status == JOB_RUNNING, last_sign < limit).order_by(Job.id)
    ).all():
        again = job.attempts < job.max_attempts
        moved = db.session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == JOB_RUNNING, Job.attempts == job.attempts)
            .values(
                status=JOB_QUEUED if again else JOB_FAILED,
                error=None if again else SOMETHING_WENT_WRONG,
                detail="The worker running it stopped.",
                queued_at=utcnow(),
                finished_at=None if again else utcnow(),
            )
        ).rowcount
        db.session.commit()
        if not moved:
            continue
        db.session.refresh(job)
        if again:
            requeued += 1
            dispatch(job)
        else:
            failed += 1
    return requeued, failed


def _resend_lost(limit) -> int:
    resent = 0
    redis = bool(current_app.config.get("REDIS_URL"))
    for job in db.session.scalars(
        select(Job)
        .where(
            Job.status == JOB_QUEUED,
            Job.queued_at < limit,
            (Job.next_attempt_at.is_(None)) | (Job.next_attempt_at < limit),
        )
        .order_by(Job.id)
    ).all():
        try:
            if redis and outbox.in_redis(job.id, job.attempts):
                continue
        except Exception:  # Redis still down: nothing can be sent now
            logger.warning("Sweep could not reach Redis; queued jobs wait for the next sweep")
            break
        if dispatch(job):
            resent += 1
    return resent
