"""The outbox: job rows written in the same transaction as the change that causes them,
queued only after that transaction commits.

``track(job)`` remembers a flushed ``Job`` on the session; once its transaction has
committed (SQLAlchemy ``after_commit``) and ended (``after_transaction_end``, when the
connection is back in the pool) each row is sent to its RQ queue by the dotted name of
``run_job`` (the application never imports ``workers``); a rollback forgets them.
Queueing never raises to the person who caused the work: with Redis down the failure is
logged, the row stays "queued" and the sweeper (``portal.background.jobs.sweep``) sends
it when Redis is back.

Without ``REDIS_URL`` (a laptop, the unit tests) each row runs in-process right after the
commit, in a fresh app context and so a fresh database session (the committing session is
still inside its ``commit()`` call).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from portal.extensions import db

logger = logging.getLogger(__name__)

RUN_JOB = "portal.background.jobs.run_job"  # what RQ calls, by name, in the worker
JOB_TIMEOUT = 600  # seconds RQ lets one attempt run
PENDING, COMMITTED = "portal_outbox", "portal_outbox_committed"
LIVE = ("queued", "scheduled", "started", "deferred")  # RQ states that will still run
_connections: dict[str, Any] = {}


def redis_connection(url: str | None = None):
    """A Redis client for queueing (short timeouts: a web request must not hang on it)."""
    from redis import Redis

    url = url or current_app.config["REDIS_URL"]
    if url not in _connections:
        _connections[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return _connections[url]


def rq_id(job_id: int, attempts: int) -> str:
    """One RQ job per attempt of a row, so the sweeper can ask Redis whether it has it."""
    return f"portal-job-{job_id}-{attempts}"


def send(job_id: int, queue: str, attempts: int, delay: timedelta | None = None) -> None:
    """Put ``run_job(job_id)`` on ``queue`` in Redis (after ``delay``). Raises on failure."""
    from rq import Queue

    rq_queue = Queue(queue, connection=redis_connection())
    options = {"job_id": rq_id(job_id, attempts), "job_timeout": JOB_TIMEOUT}
    if delay:
        rq_queue.enqueue_in(delay, RUN_JOB, job_id, **options)
    else:
        rq_queue.enqueue(RUN_JOB, job_id, **options)


def in_redis(job_id: int, attempts: int) -> bool:
    """True when Redis holds this attempt and will still run it."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RqJob

    try:
        status = RqJob.fetch(rq_id(job_id, attempts), connection=redis_connection()).get_status()
    except NoSuchJobError:
        return False
    return status is not None and str(getattr(status, "value", status)) in LIVE


def track(job_id: int, queue: str, attempts: int = 0) -> None:
    """Queue this (flushed) row when the session's transaction commits."""
    db.session.info.setdefault(PENDING, []).append((job_id, queue, attempts))


def _after_commit(session: Session) -> None:
    committed = session.info.pop(PENDING, None)
    if committed:
        session.info.setdefault(COMMITTED, []).extend(committed)


def deliver(app: Flask, job_id: int, queue: str, attempts: int) -> bool:
    """Queue one committed row, or run it now without Redis. Never raises."""
    try:
        if app.config.get("REDIS_URL"):
            send(job_id, queue, attempts)
        else:
            from portal.background.jobs import run_job

            with app.app_context():
                run_job(job_id)
        return True
    except Exception:  # the row stays queued: the sweeper sends it later
        logger.exception("Job %s could not be queued now; the sweeper will send it", job_id)
        return False


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended and gave its connection back: queue what it
    committed (running a job in-process needs a connection of its own); forget what it
    rolled back, which was never written."""
    if transaction.parent is not None:
        return
    session.info.pop(PENDING, None)
    committed = session.info.pop(COMMITTED, None)
    if not committed or not has_app_context():
        return
    app = current_app._get_current_object()
    for job_id, queue, attempts in committed:
        deliver(app, job_id, queue, attempts)


def init_app(app: Flask) -> None:
    """Listen on every session (tests swap ``db.session`` for their own)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
