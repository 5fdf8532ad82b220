"""``python -m workers [--burst] [--no-scheduler]``: an RQ worker (with the scheduler
unless ``--no-scheduler``) for every queue. ``python -m workers.pool`` runs several.

The worker makes the app once (``PortalWorker``) and runs every job inside its app
context; jobs arrive by dotted name. A thread sweeps every ``JOB_SWEEP_SECONDS`` (60):
jobs whose worker stopped heartbeating are put back, queued rows Redis lost are re-sent
(``portal.background.jobs.sweep``). With ``--burst`` it sweeps once, works until the
queues are empty and stops.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from datetime import timedelta

from flask import Flask
from rq import Queue, Worker

from portal.app import create_app
from portal.background.jobs import SWEEP_SECONDS, setting, sweep
from portal.extensions import db
from workers.jobs import preload
from workers.queue import QUEUES, redis_connection

logger = logging.getLogger("workers")


class PortalWorker(Worker):
    """Runs each job in the app's context. In a forked work-horse the database pool the
    parent opened is dropped first (its connections belong to the parent)."""

    app: Flask

    def perform_job(self, job, queue, execution) -> bool:
        if os.getpid() != self.main_pid:
            with self.app.app_context():
                db.engine.dispose(close=False)
        with self.app.app_context():
            return super().perform_job(job, queue, execution)


def sweep_forever(app: Flask, stop: threading.Event) -> None:
    """Sweep every ``JOB_SWEEP_SECONDS`` until ``stop`` (a daemon thread of the worker's
    main process, which is idle while a work-horse runs a job)."""
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
    preload(app)  # RQ forks a work-horse per job: what is loaded here is not loaded again
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
    worker = PortalWorker(
        [Queue(name, connection=worker_connection) for name in QUEUES],
        connection=worker_connection,
    )
    worker.app = app
    worker.main_pid = os.getpid()
    try:
        worker.work(with_scheduler=scheduler, burst=burst)
    finally:
        stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
