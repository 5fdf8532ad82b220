"""Feedback report jobs: building a report (its PDF, kept as a ``Document``) and telling the
provider's users it is ready (``build_report``, run by ``workers.feedback``), plus queueing
one report or the quarter's reports. Running a job again replaces the PDF and notifies
nobody twice."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.background.jobs import JobError, add
from portal.documents import find_document, save_document
from portal.extensions import db
from portal.feedback import FEEDBACK, feedback_key
from portal.feedback.data import Feedback, feedback_for, parse_period
from portal.feedback.kpi_charts import kpi_charts
from portal.models import Contract, Council, Job, Membership, MonthlyReturn, Notification, User
from portal.notifications import notify
from portal.pdf import render_pdf
from portal.returns.calendar import (
    deadlines_for,
    latest_complete_quarter,
    quarter_months,
    quarter_name,
)

PDF = "pdf"


def report_link(council_id: int, provider_id: int, period: str) -> str:
    """The provider's page of the report (what the notification links to)."""
    return f"/provider/{provider_id}/feedback/report?council={council_id}&period={period}"


def pdf_filename(feedback: Feedback) -> str:
    return f"feedback-{feedback.provider_id}-{feedback.council_id}-{feedback.period.name}.pdf"


def _provider_users(provider_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.provider_id == provider_id,
                User.password_hash.is_not(None),
                User.active.is_(True),
            )
            .distinct()
            .order_by(User.id)
        )
    )


def _already_told(link: str) -> set[int]:
    """The users told about the report at ``link`` already."""
    return set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.kind == FEEDBACK, Notification.link == link
            )
        )
    )


def notify_ready(feedback: Feedback) -> int:
    """Tell each of the provider's users once per report; returns how many were told."""
    link = report_link(feedback.council_id, feedback.provider_id, feedback.period.name)
    title = f"Your feedback from {feedback.council_name} for {feedback.period.label} is ready"
    body = (
        f"{feedback.council_name} has sent {feedback.provider_name} feedback for "
        f"{feedback.period.label}: your KPIs against targets and other providers, "
        "training compliance, staff training expiring soon and the council's questions."
    )
    told, already = 0, _already_told(link)
    for user in _provider_users(feedback.provider_id):
        if user.id not in already:
            notify(user, FEEDBACK, title, body, link)
            told += 1
    return told


def build_report(params: dict, job_id: int | None = None) -> dict:
    """Build one report's PDF from the ids in ``params``, then tell the provider."""
    try:
        council_id, provider_id = int(params["council_id"]), int(params["provider_id"])
    except (KeyError, TypeError, ValueError) as error:
        raise JobError("The report was asked for without a council or provider.") from error
    period = parse_period(params.get("period"))
    if period is None:
        raise JobError("The report was asked for without a month or quarter.")
    try:
        feedback = feedback_for(council_id, provider_id, period)
    except ValueError as error:
        raise JobError("The provider has no contract with this council.") from error
    content = render_pdf(
        "provider/feedback/report_pdf.html",
        feedback=feedback,
        charts=kpi_charts(feedback),
        staff=True,
    )
    document = save_document(
        FEEDBACK,
        council_id,
        period.name,
        PDF,
        pdf_filename(feedback),
        content,
        provider_id=provider_id,
        job_id=job_id,
    )
    return {"document_id": document.id, "notified": notify_ready(feedback)}


def add_feedback(council_id: int, provider_id: int, period: str, user_id: int | None = None):
    """Write one report's job in the current transaction (queued when it commits)."""
    return add(
        FEEDBACK,
        feedback_key(council_id, provider_id, period),
        {"council_id": council_id, "provider_id": provider_id, "period": period},
        council_id=council_id,
        provider_id=provider_id,
        user_id=user_id,
    )


def queue_feedback(council_id: int, provider_id: int, period: str, user_id: int | None = None):
    """Queue one report's job now (the one already queued or running if there is one)."""
    job_id = add_feedback(council_id, provider_id, period, user_id).id
    db.session.commit()  # queued now (in-process without Redis): reload what it left
    return db.session.get(Job, job_id)


def queue_quarter_feedback(today: date) -> int:
    """Queue the latest complete quarter's report for every council x provider with a
    submitted return in it, once the council's returns for the quarter's last month have
    locked (so the report is final), unless its PDF exists already. Safe to run every day;
    returns how many were queued."""
    quarter = latest_complete_quarter(today)
    name = quarter_name(quarter)
    last_month = quarter_months(quarter)[-1]
    pairs = db.session.execute(
        select(
            Contract.council_id, Contract.provider_id, Council.due_working_day, Council.lock_days
        )
        .join(Council, Council.id == Contract.council_id)
        .join(MonthlyReturn, MonthlyReturn.contract_id == Contract.id)
        .where(
            MonthlyReturn.period.in_(quarter_months(quarter)),
            MonthlyReturn.versions.any(),
        )
        .distinct()
        .order_by(Contract.council_id, Contract.provider_id)
    ).all()
    queued = 0
    for council_id, provider_id, due_working_day, lock_days in pairs:
        if today < deadlines_for(last_month, due_working_day, lock_days).locks_on:
            continue
        if find_document(FEEDBACK, council_id, name, PDF, provider_id=provider_id) is None:
            queue_feedback(council_id, provider_id, name)
            queued += 1
    return queued
