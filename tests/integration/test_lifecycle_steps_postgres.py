"""Each lifecycle step is one domain call that owns every consequence. These tests call
the step directly (no request, as the CLI or the API would) on PostgreSQL, with a real
SMTP server, and check everything it causes: rows, job rows, emails and the risk rating.
Without REDIS_URL the jobs run in-process right after the step's commit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.feedback import FEEDBACK
from portal.models import (
    AuditEntry,
    Concern,
    CqcRating,
    Document,
    FactChange,
    Job,
    MonthlyReturn,
    Notification,
    ReturnStatus,
    RiskRating,
    Role,
    SectionState,
)
from portal.models.work import JOB_DONE
from portal.quality_records import FactUpdate, close_concern, record_concern, update_facts
from portal.returns import review, service
from tests.conftest import mail_config
from tests.factories import make_user, open_return

KPIS = {"planned_visits": "100", "delivered_visits": "98", "missed_visits": "2",
        "on_time_visits": "90", "ecm_visits": "95", "commissioned_hours": "75",
        "delivered_hours": "74", "referrals_offered": "3", "referrals_accepted": "2",
        "packages_started_on_time": "2", "complaints": "0", "compliments": "1",
        "safeguarding_concerns": "0", "users_reviewed": "4", "outcomes_met": "3"}  # fmt: skip


@pytest.fixture
def ready_to_submit(app, mail_server):
    app.config.update(TODAY="2026-11-23", **mail_config(mail_server))
    ret = open_return()
    contract = ret.contract
    submitter = make_user(Role.PROVIDER_SUBMITTER, provider=contract.provider,
                          email="sub@lifecycle.example")  # fmt: skip
    commissioner = make_user(Role.COMMISSIONER, council=contract.council,
                             email="com@lifecycle.example")  # fmt: skip
    qa = make_user(Role.QA_OFFICER, council=contract.council, email="qa@lifecycle.example")
    for s in ret.sections:
        data = KPIS if s.code == "kpis" else {"none": True}
        service.save_section(ret, s.code, data, SectionState.COMPLETED, s.revision, submitter)
    return ret, submitter, commissioner, qa, mail_server


def _jobs(kind: str) -> list[Job]:
    db.session.expire_all()
    return list(db.session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))


def _notifications(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.title)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def _rating(ret: MonthlyReturn) -> RiskRating | None:
    contract = ret.contract
    return db.session.scalar(
        select(RiskRating).where(
            RiskRating.council_id == contract.council_id,
            RiskRating.provider_id == contract.provider_id,
        )
    )


def test_submit_makes_the_version_sends_the_receipt_and_rates_risk(ready_to_submit):
    ret, submitter, commissioner, _, inbox = ready_to_submit
    result = service.submit(ret.id, submitter, "lifecycle-submit")
    assert result.new and result.version.number == 1
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.SUBMITTED
    [receipt] = inbox.to(submitter.email)
    assert " ".join(receipt["Subject"].split()) == (
        f"Return received: {ret.contract.council.name}, October 2026 ({result.version.reference})"
    )
    assert [j.status for j in _jobs("receipt")] == [JOB_DONE]
    assert inbox.to(commissioner.email) == []  # a first submission is not news to them
    assert _rating(ret) is not None  # worked out by the step, not left to a page
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.return_id == ret.id))
    assert "submit-v1" in list(actions)
    # The same key again (a double click): the same version, nothing sent again.
    again = service.submit(ret.id, submitter, "lifecycle-submit")
    assert not again.new and again.version.id == result.version.id
    assert len(inbox.to(submitter.email)) == 1 and len(_jobs("receipt")) == 1


def test_query_notifies_the_provider_in_the_portal_and_by_email(ready_to_submit):
    ret, submitter, commissioner, _, inbox = ready_to_submit
    service.submit(ret.id, submitter, "lifecycle-query")
    inbox.clear()
    review.query(ret, commissioner, "kpis:missed_visits", "Were both people safe?")
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.QUERIED
    council = ret.contract.council.name
    assert _notifications(submitter) == [f"{council} has a question about your October 2026 return"]
    [message] = inbox.to(submitter.email)
    body = message.get_body().get_content()
    assert "- KPIs: Missed visits: Were both people safe?" in body  # in words, not keys
    assert "missed_visits" not in body
    assert [j.status for j in _jobs("notification_email")] == [JOB_DONE]


def test_resubmitting_a_queried_return_tells_the_council(ready_to_submit):
    ret, submitter, commissioner, _, inbox = ready_to_submit
    service.submit(ret.id, submitter, "lifecycle-first")
    review.query(ret, commissioner, "kpis:missed_visits", "Were both people safe?")
    inbox.clear()
    result = service.submit(ret.id, submitter, "lifecycle-second")
    assert result.new and result.version.number == 2
    provider = ret.contract.provider.name
    assert _notifications(commissioner) == [f"{provider} has resubmitted their October 2026 return"]
    [told] = inbox.to(commissioner.email)
    assert "Version 2 is ready for you to review." in told.get_body().get_content()
    [receipt] = inbox.to(submitter.email)
    assert result.version.reference in receipt["Subject"]


def test_accept_notifies_and_builds_the_feedback_report(ready_to_submit):
    ret, submitter, commissioner, _, inbox = ready_to_submit
    service.submit(ret.id, submitter, "lifecycle-accept")
    inbox.clear()
    review.accept(ret, commissioner, "Thank you")
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.ACCEPTED
    council = ret.contract.council.name
    titles = _notifications(submitter)
    assert titles[0] == f"{council} has accepted your October 2026 return"
    assert titles[1] == f"Your feedback from {council} for October 2026 is ready"
    assert sorted(m["Subject"] for m in inbox.to(submitter.email)) == sorted(titles)
    [feedback] = _jobs(FEEDBACK)
    assert feedback.status == JOB_DONE and feedback.requested_by_id == commissioner.id
    assert feedback.params["period"] == "2026-10"
    documents = select(func.count(Document.id)).where(
        Document.kind == FEEDBACK, Document.job_id == feedback.id
    )
    assert db.session.scalar(documents) == 1
    assert _rating(ret) is not None


def test_qa_changes_write_their_records_and_rerate(ready_to_submit):
    ret, _, _, qa, _ = ready_to_submit
    contract = ret.contract
    rerated = record_concern(contract.council_id, contract.provider_id, qa, date(2026, 11, 20),
                             "  Missed medication reported  ", confidential=False)  # fmt: skip
    assert rerated.after.rating == "amber" and rerated.moved
    concern = db.session.scalar(select(Concern).where(Concern.provider_id == contract.provider_id))
    assert concern.summary == "Missed medication reported" and concern.recorded_by_id == qa.id
    assert "concern" in [t["code"] for t in _rating(ret).triggers]

    branch = contract.provider.branches[0]
    rerated = update_facts(
        contract.council_id,
        branch,
        qa,
        FactUpdate(cqc_rating=CqcRating.INADEQUATE, cqc_rating_date=date(2026, 11, 1),
                   cqc_source="CQC report"),
    )  # fmt: skip
    assert rerated.before == "amber" and rerated.after.rating == "red"
    changes = db.session.scalars(
        select(FactChange.field).where(FactChange.branch_id == branch.id).order_by(FactChange.id)
    ).all()
    assert "cqc_rating" in changes and "cqc_rating_date" in changes
    assert _rating(ret).rating == "red"

    rerated = close_concern(concern)
    assert concern.closed_on == date(2026, 11, 23)
    assert rerated.after.rating == "red" and not rerated.moved  # CQC still rates it red
