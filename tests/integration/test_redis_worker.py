"""Redis and a real RQ worker process: jobs queued by the app run in `python -m workers`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

from redis import Redis
from sqlalchemy import func, select

from portal.clock import utcnow
from portal.extensions import db
from portal.models import Role, UserSession
from tests.factories import make_user
from workers.maintenance import purge_expired_security_records
from workers.queue import enqueue

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_healthz_reports_redis_reachable(app, client, redis_url):
    app.config["REDIS_URL"] = redis_url
    try:
        response = client.get("/healthz")
    finally:
        app.config["REDIS_URL"] = None
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "redis": "ok"}


def test_a_queued_job_runs_in_a_real_worker(committed_app, redis_db, pg_url):
    app = committed_app
    user = make_user(Role.ADMIN)
    old = utcnow() - timedelta(days=31)
    db.session.add(
        UserSession(
            token_hash="a" * 64, user_id=user.id, created_at=old, last_seen_at=old, ended_at=old
        )
    )
    db.session.add(UserSession(token_hash="b" * 64, user_id=user.id))
    db.session.commit()

    app.config["REDIS_URL"] = redis_db
    try:
        job = enqueue(purge_expired_security_records, queue="scheduled")
    finally:
        app.config["REDIS_URL"] = None
    assert job.get_status() == "queued"
    assert db.session.scalar(select(func.count(UserSession.id))) == 2  # nothing ran in-process

    env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": redis_db}
    result = subprocess.run(
        [sys.executable, "-m", "workers", "--burst"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    job.refresh()
    assert job.get_status() == "finished", result.stderr[-2000:]
    db.session.expire_all()
    remaining = db.session.scalars(select(UserSession.token_hash)).all()
    assert remaining == ["b" * 64]  # the old ended session is gone, the live one kept


def test_without_redis_jobs_run_in_process(committed_app):
    user = make_user(Role.ADMIN)
    old = utcnow() - timedelta(days=31)
    db.session.add(
        UserSession(
            token_hash="c" * 64, user_id=user.id, created_at=old, last_seen_at=old, ended_at=old
        )
    )
    db.session.commit()
    result = enqueue(purge_expired_security_records)
    assert result["sessions"] == 1
    assert enqueue(purge_expired_security_records)["sessions"] == 0  # running twice is harmless


def test_the_daily_reminder_run_is_scheduled_once_per_day(app, redis_db):
    from datetime import UTC, datetime

    from rq import Queue
    from rq.registry import ScheduledJobRegistry

    from workers.reminders import schedule_next_reminders

    app.config["REDIS_URL"] = redis_db
    now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    schedule_next_reminders(now)
    schedule_next_reminders(now)  # a second worker, or a restart, on the same day
    queue = Queue("scheduled", connection=Redis.from_url(redis_db))
    assert ScheduledJobRegistry(queue=queue).get_job_ids() == ["reminders-2026-11-24"]
    job = queue.fetch_job("reminders-2026-11-24")
    assert job.func_name == "workers.reminders.daily_reminders_job"
