"""``python -m workers``: an RQ worker (with the scheduler) for every queue."""

from __future__ import annotations

import sys
from datetime import timedelta

from portal import create_app
from workers.queue import QUEUES, redis_connection


def main() -> int:
    app = create_app()
    url = app.config.get("REDIS_URL")
    if not url:
        print("REDIS_URL is not set: without Redis, jobs run in-process and need no worker.")
        return 1
    from rq import Queue, Worker

    from workers.maintenance import purge_expired_security_records

    connection = redis_connection(url)
    scheduled = Queue("scheduled", connection=connection)
    # Housekeeping once when a worker starts; the fixed job id stops restarts stacking copies.
    if scheduled.fetch_job("daily-purge") is None:
        scheduled.enqueue_in(
            timedelta(seconds=5), purge_expired_security_records, job_id="daily-purge"
        )
    # Reminders: today's run now (safe to repeat), and each run schedules the next day's.
    from workers.reminders import daily_reminders_job

    with app.app_context():
        if scheduled.fetch_job("reminders-now") is None:
            scheduled.enqueue_in(timedelta(seconds=10), daily_reminders_job, job_id="reminders-now")
    # Jobs a killed worker left behind: swept now and every 5 minutes.
    from workers.jobs import preload, schedule_sweep, sweep

    preload()  # RQ forks a work-horse per job: what is imported here is not imported again

    with app.app_context():
        sweep()
        schedule_sweep()
    worker = Worker([Queue(name, connection=connection) for name in QUEUES], connection=connection)
    worker.work(with_scheduler=True, burst="--burst" in sys.argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
