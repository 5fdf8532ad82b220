"""Jobs with a database row: claimed once, retried with back-off, failed with a message a
person can act on, tried again on request, and swept back onto the queue when a worker
died. Without REDIS_URL jobs run in-process, so these tests see every step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from portal.background import jobs
from portal.clock import utcnow
from portal.extensions import db
from portal.models import Role
from portal.models.work import JOB_DONE, JOB_FAILED, JOB_QUEUED, JOB_RUNNING, Job

CALLS: list[int] = []


@pytest.fixture
def kinds():
    """Handlers for these tests: one that works, one that fails N times then works, one
    that fails with a message for the user."""
    CALLS.clear()
    failures = {"left": 0}

    @jobs.handler("test-ok", queue="reports")
    def ok(job: Job) -> dict:
        CALLS.append(job.id)
        return {"total": sum(job.params["numbers"])}

    @jobs.handler("test-flaky", queue="reports")
    def flaky(job: Job) -> dict:
        CALLS.append(job.id)
        if failures["left"] > 0:
            failures["left"] -= 1
            raise ConnectionError("database went away")
        return {"attempt": job.attempts}

    @jobs.handler("test-refused", queue="reports")
    def refused(job: Job) -> dict:
        CALLS.append(job.id)
        raise jobs.JobError("There is no return for July 2026 to build from.")

    yield failures
    for kind in ("test-ok", "test-flaky", "test-refused"):
        jobs.HANDLERS.pop(kind, None)


def test_a_job_runs_and_records_its_result_and_timings(app, kinds):
    job = jobs.submit("test-ok", "sum:1", {"numbers": [2, 3, 5]})
    assert job.status == JOB_DONE
    assert job.result == {"total": 10}
    assert job.attempts == 1
    assert job.started_at is not None and job.seconds is not None and job.seconds >= 0


def test_asking_again_while_queued_gives_the_same_job(app, kinds):
    waiting = Job(kind="test-ok", key="sum:2", queue="reports", params={"numbers": [1]})
    db.session.add(waiting)
    db.session.commit()
    again = jobs.submit("test-ok", "sum:2", {"numbers": [1]})
    assert again.id == waiting.id
    assert db.session.scalar(select(func.count(Job.id))) == 1
    assert CALLS == []  # the queued one is left to its worker


def test_a_job_delivered_twice_runs_once(app, kinds):
    job = jobs.submit("test-ok", "sum:3", {"numbers": [4]})
    assert jobs.run_job(job.id) == JOB_DONE
    assert CALLS == [job.id]  # the second delivery found it done and did nothing
    assert db.session.get(Job, job.id).attempts == 1


def test_a_failure_is_retried_and_the_job_finishes(app, kinds):
    kinds["left"] = 1
    job = jobs.submit("test-flaky", "flaky:1")
    assert job.status == JOB_DONE
    assert job.attempts == 2
    assert job.result == {"attempt": 2}
    assert job.error is None


def test_after_its_last_attempt_a_job_fails_with_a_message_and_no_internals(app, kinds):
    kinds["left"] = 5
    job = jobs.submit("test-flaky", "flaky:2", max_attempts=3)
    assert job.status == JOB_FAILED
    assert job.attempts == 3
    assert len(CALLS) == 3
    assert job.error == jobs.SOMETHING_WENT_WRONG
    assert "database went away" not in job.error
    assert "ConnectionError: database went away" in job.detail  # kept for support


def test_a_refusal_is_not_retried_and_says_why(app, kinds):
    job = jobs.submit("test-refused", "refused:1")
    assert job.status == JOB_FAILED
    assert job.attempts == 1
    assert job.error == "There is no return for July 2026 to build from."


def test_try_again_gives_a_failed_job_fresh_attempts(app, kinds):
    kinds["left"] = 3
    job = jobs.submit("test-flaky", "flaky:3", max_attempts=3)
    assert job.status == JOB_FAILED
    again = jobs.retry(job)
    assert again.id == job.id
    assert again.status == JOB_DONE
    assert again.attempts == 1
    assert again.error is None


def test_back_off_grows_between_attempts():
    assert [jobs.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 120, 480]


def _running(key: str, started_minutes_ago: int, attempts: int = 1, beat_seconds_ago=None) -> Job:
    """A running job; its worker last heartbeat ``beat_seconds_ago`` (never, if None)."""
    now = utcnow()
    job = Job(
        kind="test-ok",
        key=key,
        queue="reports",
        status=JOB_RUNNING,
        params={"numbers": [7]},
        attempts=attempts,
        max_attempts=3,
        started_at=now - timedelta(minutes=started_minutes_ago),
        heartbeat_at=None
        if beat_seconds_ago is None
        else now - timedelta(seconds=beat_seconds_ago),
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_recovery_defaults_are_a_minute(app):
    """With the defaults a dead worker's job is back on the queue within about 2 minutes:
    silent for 60 s, and a sweep every 60 s."""
    assert app.config["JOB_HEARTBEAT_TIMEOUT_SECONDS"] == 60
    assert app.config["JOB_SWEEP_SECONDS"] == 60
    assert app.config["JOB_HEARTBEAT_SECONDS"] == 15


def test_the_sweeper_requeues_a_job_whose_worker_stopped_heartbeating(app, kinds):
    """A job silent for longer than the heartbeat timeout has lost its worker, however
    recently it started; a long job whose worker still heartbeats is left alone."""
    dead = _running("sum:dead", started_minutes_ago=2, beat_seconds_ago=90)
    never = _running("sum:never", started_minutes_ago=2)  # died before its first beat
    long_alive = _running("sum:long", started_minutes_ago=30, beat_seconds_ago=10)
    busy = _running("sum:busy", started_minutes_ago=0, beat_seconds_ago=5)
    counts = jobs.sweep()
    assert counts["requeued"] == 2
    db.session.expire_all()
    for job in (dead, never):
        job = db.session.get(Job, job.id)
        assert job.status == JOB_DONE  # re-queued and, in-process, run again
        assert job.attempts == 2
        assert job.result == {"total": 7}
    for job in (long_alive, busy):
        assert db.session.get(Job, job.id).status == JOB_RUNNING  # alive: left alone


def test_the_sweeper_fails_a_stuck_job_that_has_used_its_attempts(app, kinds):
    stuck = _running("sum:tired", started_minutes_ago=30, attempts=3)
    counts = jobs.sweep()
    assert counts == {"requeued": 0, "failed": 1, "resent": 0}
    stuck = db.session.get(Job, stuck.id)
    assert stuck.status == JOB_FAILED
    assert stuck.error == jobs.SOMETHING_WENT_WRONG
    assert CALLS == []


def test_the_sweeper_resends_a_queued_job_nobody_picked_up(app, kinds):
    lost = Job(
        kind="test-ok",
        key="sum:lost",
        queue="reports",
        status=JOB_QUEUED,
        params={"numbers": [1, 1]},
        queued_at=utcnow() - timedelta(hours=1),
    )
    db.session.add(lost)
    db.session.commit()
    assert jobs.sweep()["resent"] == 1
    assert db.session.get(Job, lost.id).result == {"total": 2}


def test_an_unknown_kind_is_refused_before_anything_is_recorded(app):
    with pytest.raises(ValueError):
        jobs.submit("no-such-kind", "x")
    assert db.session.scalar(select(func.count(Job.id))) == 0


def test_a_slow_run_swept_while_still_going_does_not_overwrite_the_newer_run(app):
    """The sweeper thought the worker dead and handed the job on; when the slow first run
    ends it must leave the row to the run that took over."""
    runs: list[int] = []

    @jobs.handler("test-slow", queue="reports")
    def slow(job: Job) -> dict:
        runs.append(job.attempts)
        if job.attempts == 1:  # the first run is swept (and, in-process, re-run) meanwhile
            jobs.sweep(older_than=timedelta(0))
        return {"run": job.attempts}

    try:
        job = jobs.submit("test-slow", "slow:1")
    finally:
        jobs.HANDLERS.pop("test-slow", None)
    assert runs == [1, 2]
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == JOB_DONE and job.attempts == 2
    assert job.result == {"run": 2}  # the newer run's outcome stands


def test_administrators_see_jobs_with_attempts_timings_and_errors(app, client, kinds):
    from tests.factories import make_council, make_user
    from tests.unit.conftest import get_page, sign_in

    kinds["left"] = 5
    jobs.submit("test-flaky", "flaky:shown", max_attempts=2)
    jobs.submit("test-ok", "sum:shown", {"numbers": [1]})
    admin = make_user(Role.ADMIN)
    sign_in(client, admin.email)
    html = get_page(client, "/admin/jobs")
    # Jobs are described in words (their kind), never by their keys.
    assert "Test-flaky" in html and "Test-ok" in html and "flaky:shown" not in html
    assert "2 of 2" in html and str(escape(jobs.SOMETHING_WENT_WRONG)) in html
    assert " s</td>" in html  # how long each run took
    failed_only = get_page(client, "/admin/jobs?status=failed")
    assert "Test-flaky" in failed_only and "Test-ok" not in failed_only

    commissioner = make_user(Role.COMMISSIONER, council=make_council())
    other = app.test_client()
    sign_in(other, commissioner.email)
    assert other.get("/admin/jobs").status_code == 403


def test_a_pack_job_is_described_by_council_provider_and_quarter(app):
    from portal.background.kinds import PACK
    from portal.queries.jobs import job_descriptions
    from tests.factories import make_council, make_provider

    council, provider = make_council(), make_provider()
    job = Job(kind=PACK, key=f"pack:{council.id}:{provider.id}:2026-Q3", council_id=council.id,
              provider_id=provider.id)  # fmt: skip
    db.session.add(job)
    db.session.commit()
    assert job_descriptions([job]) == {
        job.id: f"Contract meeting pack, {council.name}, {provider.name}, July to September 2026"
    }
