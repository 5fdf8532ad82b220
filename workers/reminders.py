"""Reminders and the lateness ladder, run once a day by a scheduled job.

Relative to a return's due date: reminders 5 days and 1 day before and on the day, then
overdue notices 1 and 7 days after; at 7 days the council's commissioners are told too.
Each (return, stage, user) is recorded in ``reminder_sent`` *before* anything is sent,
with INSERT ... ON CONFLICT DO NOTHING: only the run whose insert made the row sends, so
running the job twice, concurrently, or again after a restart never repeats a reminder.

``python -m workers.reminders [--date YYYY-MM-DD]`` runs it once (for today by default).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal import clock, risk
from portal.extensions import db
from portal.feedback.at_lock import queue_locked_month_feedback
from portal.feedback.jobs import queue_quarter_feedback
from portal.models import (
    Membership,
    MonthlyReturn,
    ReminderSent,
    ReturnStatus,
    Role,
    User,
)
from portal.notifications import notify
from portal.returns import service

# days relative to the due date -> (stage, notification kind)
LADDER: dict[int, tuple[str, str]] = {
    -5: ("due-5", "reminder"),
    -1: ("due-1", "reminder"),
    0: ("due-0", "reminder"),
    1: ("overdue-1", "overdue"),
    7: ("overdue-7", "overdue"),
}
COMMISSIONER_DAY = 7
NOT_SUBMITTED = (ReturnStatus.NOT_STARTED, ReturnStatus.IN_PROGRESS)


def _claim(return_id: int, stage: str, user_id: int, on: date) -> bool:
    """Record the reminder; True only if this call made the row (so it should send)."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(ReminderSent)
        .values(return_id=return_id, stage=stage, user_id=user_id, sent_on=on)
        .on_conflict_do_nothing(
            index_elements=[ReminderSent.return_id, ReminderSent.stage, ReminderSent.user_id]
        )
        .returning(ReminderSent.id)
    )
    return db.session.execute(statement).scalar() is not None


def _users(*conditions) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(User.password_hash.is_not(None), User.active.is_(True), *conditions)
            .distinct()
            .order_by(User.id)
        )
    )


def _provider_message(ret: MonthlyReturn, stage: str, due_on: date) -> tuple[str, str]:
    what = f"Your {ret.period:%B %Y} return for {ret.contract.council.name}"
    due = f"{due_on:%A %-d %B %Y}"
    return {
        "due-5": (f"{what} is due in 5 days", f"It is due on {due}."),
        "due-1": (f"{what} is due tomorrow", f"It is due on {due}."),
        "due-0": (f"{what} is due today", f"It is due today, {due}."),
        "overdue-1": (f"{what} is overdue", f"It was due on {due}. Submit it as soon as you can."),
        "overdue-7": (
            f"{what} is 7 days overdue",
            f"It was due on {due}. The council has been told. Submit it as soon as you can.",
        ),
    }[stage]


def send_reminders(on: date) -> int:
    """Send the reminders due on ``on``; returns how many were sent (not already sent)."""
    service.open_due_returns(on)  # the calendar: every due return exists from here on
    earliest_period = (on - timedelta(days=70)).replace(day=1)
    returns = list(
        db.session.scalars(
            select(MonthlyReturn)
            .where(
                MonthlyReturn.status.in_(NOT_SUBMITTED),
                MonthlyReturn.period >= earliest_period,
            )
            .order_by(MonthlyReturn.id)
        )
    )
    sent = 0
    for ret in returns:
        due_on = service.deadlines(ret).due_on
        days = (on - due_on).days
        if days not in LADDER:
            continue
        stage, kind = LADDER[days]
        contract = ret.contract
        title, body = _provider_message(ret, stage, due_on)
        link = f"/provider/{contract.provider_id}/returns/{ret.id}"
        for user in _users(Membership.provider_id == contract.provider_id):
            if _claim(ret.id, stage, user.id, on):
                notify(user, kind, title, body, link)  # commits the claim with it
                sent += 1
            else:
                db.session.rollback()
        if days == COMMISSIONER_DAY:
            title = f"{contract.provider.name}'s {ret.period:%B %Y} return is 7 days overdue"
            body = f"It was due on {due_on:%A %-d %B %Y} and has not been submitted."
            link = f"/council/{contract.council_id}/providers/{contract.provider_id}/returns"
            for user in _users(
                Membership.council_id == contract.council_id,
                Membership.role == Role.COMMISSIONER,
            ):
                if _claim(ret.id, "commissioner-7", user.id, on):
                    notify(user, "overdue", title, body, link)
                    sent += 1
                else:
                    db.session.rollback()
    return sent


def send_reminders_job(on: str | None = None) -> int:
    """The scheduled job: ``on`` is an ISO date (default: the service's today)."""
    return send_reminders(date.fromisoformat(on) if on else clock.today())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.reminders", description=__doc__)
    parser.add_argument("--date", help="run as if today were this date (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    if args.date:
        try:
            date.fromisoformat(args.date)
        except ValueError:
            parser.error("--date must be YYYY-MM-DD")
    from flask import has_app_context

    from portal.app import create_app

    if has_app_context():
        count = send_reminders_job(args.date)
    else:
        with create_app().app_context():
            count = send_reminders_job(args.date)
    print(f"Sent {count} reminder{'' if count == 1 else 's'}")
    return 0


REMINDER_HOUR_UTC = 7


def daily_reminders_job() -> int:
    """Send today's reminders, then schedule tomorrow's run (one job id per day, so a
    restart or a second worker never stacks copies; the claims make repeats harmless)."""
    sent = send_reminders_job()  # opens the returns the calendar says are due first
    risk.rerate_all(clock.today())  # the 3-month and 90-day windows move with the date
    queue_locked_month_feedback(clock.today())  # every locked month's return gets its report
    queue_quarter_feedback(clock.today())
    schedule_next_reminders()
    return sent


def schedule_next_reminders(now: datetime | None = None) -> None:
    from flask import current_app

    if not current_app.config.get("REDIS_URL"):
        return
    from rq import Queue

    from portal.background.outbox import redis_connection

    now = now or clock.utcnow()
    run_at = datetime.combine(now.date() + timedelta(days=1), time(REMINDER_HOUR_UTC), UTC)
    queue = Queue("scheduled", connection=redis_connection())
    job_id = f"reminders-{run_at:%Y-%m-%d}"
    if queue.fetch_job(job_id) is None:
        queue.enqueue_at(run_at, "workers.reminders.daily_reminders_job", job_id=job_id)


if __name__ == "__main__":
    sys.exit(main())
