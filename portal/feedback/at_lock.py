"""Feedback for every submitted return: a month's report is queued when the return is
accepted (``portal.returns.review.accept``) or, at the latest, when its month locks,
whatever the review state (``queue_locked_month_feedback``, run by the daily job; the
report says which state, ``portal.feedback.review_state``)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.feedback import feedback_key
from portal.feedback.jobs import add_feedback
from portal.models import Contract, Council, Job, MonthlyReturn
from portal.returns.calendar import deadlines_for, quarter_months, quarter_name

CATCH_UP_MONTHS = 6  # months locked this long ago still get their report if they have none


def _months_back(today: date, months: int) -> date:
    first = today.replace(day=1)
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def queue_locked_month_feedback(today: date) -> int:
    """Queue the month's report for each council x provider with a submitted return whose
    month has locked by ``today`` and that has no report job yet (an accepted return's was
    queued when it was accepted). Safe to run every day; returns how many were queued."""
    rows = db.session.execute(
        select(
            Contract.council_id,
            Contract.provider_id,
            MonthlyReturn.period,
            Council.due_working_day,
            Council.lock_days,
        )
        .join(Contract, MonthlyReturn.contract_id == Contract.id)
        .join(Council, Council.id == Contract.council_id)
        .where(
            MonthlyReturn.period >= _months_back(today, CATCH_UP_MONTHS),
            MonthlyReturn.versions.any(),
        )
        .distinct()
        .order_by(Contract.council_id, Contract.provider_id, MonthlyReturn.period)
    ).all()
    wanted = {}
    for council_id, provider_id, period, due_working_day, lock_days in rows:
        if today >= deadlines_for(period, due_working_day, lock_days).locks_on:
            wanted[feedback_key(council_id, provider_id, f"{period:%Y-%m}")] = (
                council_id,
                provider_id,
                f"{period:%Y-%m}",
            )
    asked = set(db.session.scalars(select(Job.key).where(Job.key.in_(list(wanted)))))
    queued = 0
    for key, (council_id, provider_id, period) in wanted.items():
        if key not in asked:
            add_feedback(council_id, provider_id, period)
            queued += 1
    db.session.commit()  # queued now (in-process without Redis)
    return queued


def queue_quarter_feedback_now(council_id: int, quarter: date, user_id: int) -> int:
    """A commissioner's "make the quarter's feedback reports now", before the daily job
    would (when the quarter's last month locks): one report for each provider with a
    submitted return in the quarter. A report being made is not asked for twice, and a
    report made again tells nobody twice. Returns how many were asked for."""
    months = quarter_months(quarter)
    providers = db.session.scalars(
        select(Contract.provider_id)
        .join(MonthlyReturn, MonthlyReturn.contract_id == Contract.id)
        .where(
            Contract.council_id == council_id,
            MonthlyReturn.period.in_(months),
            MonthlyReturn.versions.any(),
        )
        .distinct()
        .order_by(Contract.provider_id)
    ).all()
    for provider_id in providers:
        add_feedback(council_id, provider_id, quarter_name(quarter), user_id)
    db.session.commit()
    return len(providers)
