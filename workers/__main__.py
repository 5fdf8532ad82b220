"""``python -m workers [--burst] [--no-scheduler]``: an RQ worker (with the scheduler
unless ``--no-scheduler``) for every queue. ``python -m workers.pool`` runs several.

The worker makes the app once (``PortalWorker``) and runs every job inside its app
context; jobs arrive by dotted name. It runs each job in its own process, without RQ's
fork per job (``SimpleWorker``: a fork and its warm-up cost about 0.5 s, a third of a
pack), and stops after ``WORKER_MAX_JOBS`` jobs (default 500) so ``workers.pool`` starts
it afresh: memory a job leaves behind is given back. ``WORKER_FORK=1`` brings back a
work-horse forked per job (docs/adr/0022-workers-run-jobs-without-forking.md).

A thread sweeps every ``JOB_SWEEP_SECONDS`` (60): jobs whose worker stopped heartbeating
are put back, queued rows Redis lost are re-sent (``portal.background.jobs.sweep``). With
``--burst`` it sweeps once, works until the queues are empty and stops.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from datetime import timedelta

from flask import Flask
from rq import Queue, SimpleWorker, Worker

from portal.app import create_app
from portal.background.jobs import SWEEP_SECONDS, setting, sweep
from portal.extensions import db
from workers.jobs import preload
from workers.queue import QUEUES, redis_connection

logger = logging.getLogger("workers")


MAX_JOBS = 500  # jobs before a worker process stops and the pool starts a fresh one


class InAppContext:
    """Runs each job in the app's context. In a forked work-horse the database pool the
    parent opened is dropped first (its connections belong to the parent)."""

    app: Flask
    main_pid: int

    def perform_job(self, job, queue, execution) -> bool:
        if os.getpid() != self.main_pid:
            with self.app.app_context():
                db.engine.dispose(close=False)
        with self.app.app_context():
            return super().perform_job(job, queue, execution)


class PortalWorker(InAppContext, SimpleWorker):
    """Every job in the worker's own process: what one job warmed (imports, fonts,
    compiled templates, the area's figures) the next one reuses."""


class ForkingPortalWorker(InAppContext, Worker):
    """RQ's own way (``WORKER_FORK=1``): a work-horse forked for every job, so a job that
    crashes or leaks leaves the worker as it was, at about 0.5 s a job."""


def worker_class() -> type[SimpleWorker | Worker]:
    fork = os.environ.get("WORKER_FORK", "").strip().lower() in ("1", "true", "yes")
    return ForkingPortalWorker if fork else PortalWorker


def max_jobs() -> int | None:
    """``WORKER_MAX_JOBS`` (default 500; 0 for no limit)."""
    value = int(os.environ.get("WORKER_MAX_JOBS") or MAX_JOBS)
    return value if value > 0 else None


def sweep_forever(app: Flask, stop: threading.Event) -> None:
    """Sweep every ``JOB_SWEEP_SECONDS`` until ``stop`` (a daemon thread of the worker's
    main process, beside the job it runs: a sweep is a few short queries a minute)."""
    with app.app_context():
        every = setting("JOB_SWEEP_SECONDS", SWEEP_SECONDS)
    while not stop.wait(every):
        try:
            with app.app_context():
                counts = sweep()
            if any(counts.values()):
                logger.info("Sweep: %s", counts)
        except Exception:  # the next sweep tries again
            logger.exception("Sweep failed")


def _book_daily_runs(connection) -> None:
    scheduled = Queue("scheduled", connection=connection)
    # Housekeeping once when a worker starts; the fixed job id stops restarts stacking copies.
    if scheduled.fetch_job("daily-purge") is None:
        scheduled.enqueue_in(
            timedelta(seconds=5),
            "workers.maintenance.purge_expired_security_records",
            job_id="daily-purge",
        )
    # Reminders: today's run now (safe to repeat), and each run schedules the next day's.
    if scheduled.fetch_job("reminders-now") is None:
        scheduled.enqueue_in(
            timedelta(seconds=10), "workers.reminders.daily_reminders_job", job_id="reminders-now"
        )


def main() -> int:
    app = create_app()
    url = app.config.get("REDIS_URL")
    if not url:
        print("REDIS_URL is not set: without Redis, jobs run in-process and need no worker.")
        return 1
    logging.basicConfig(level=logging.INFO)
    connection = redis_connection(url)
    burst = "--burst" in sys.argv
    scheduler = "--no-scheduler" not in sys.argv
    preload(app)  # loaded once for every job (and inherited by work-horses when forking)
    with app.app_context():
        if scheduler:
            _book_daily_runs(connection)
        sweep()  # what a worker that died before this one started left behind
    stop = threading.Event()
    if not burst:
        threading.Thread(target=sweep_forever, args=(app, stop), daemon=True).start()
    # The worker's own connection has no socket timeout: it blocks waiting for jobs.
    from redis import Redis

    worker_connection = Redis.from_url(url)
    worker = worker_class()(
        [Queue(name, connection=worker_connection) for name in QUEUES],
        connection=worker_connection,
    )
    worker.app = app
    worker.main_pid = os.getpid()
    try:
        worker.work(with_scheduler=scheduler, burst=burst, max_jobs=max_jobs())
    finally:
        stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
