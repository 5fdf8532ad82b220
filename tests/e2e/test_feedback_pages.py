"""Feedback report pages in a real browser, checked with axe: the provider's list of
reports and one report, and the commissioner's view of the same report.

Other tests in the session work on Riverside's returns, so this one uses Castle View Care
(the demo's other provider user) and August 2026: Castle View and three other Medway
homecare providers get a submitted August return, then the report is built by the job."""

from __future__ import annotations

from datetime import UTC, date, datetime

from playwright.sync_api import expect
from sqlalchemy import select

PROVIDER_USER = "manager@other-provider.example"
COMMISSIONER = "commissioner@medway.example"
AUGUST = date(2026, 8, 1)
SLUGS_AND_MISSED = [
    ("castle-view-care", 3),
    ("lordswood-community-care", 1),
    ("hempstead-home-helpers", 4),
    ("strood-valley-care-services", 6),
]


def _august_return(contract, user_id: int, missed: int) -> None:
    from portal.extensions import db
    from portal.models import MonthlyReturn, ReturnStatus, ReturnVersion

    ret = db.session.scalar(
        select(MonthlyReturn).where(
            MonthlyReturn.contract_id == contract.id, MonthlyReturn.period == AUGUST
        )
    )
    if ret.versions:
        return
    counts = {"planned_visits": "100", "delivered_visits": "100", "missed_visits": str(missed),
              "on_time_visits": str(90 - missed), "ecm_visits": "95"}  # fmt: skip
    db.session.add(
        ReturnVersion(
            return_id=ret.id,
            number=1,
            reference=f"E2E-FEEDBACK-{ret.id}-V1",
            submission_key=f"e2e-feedback-{ret.id}",
            data={"nil_return": False, "sections": {"kpis": counts}},
            submitted_by_id=user_id,
            submitted_at=datetime(2026, 9, 10, 12, tzinfo=UTC),
        )
    )
    ret.status = ReturnStatus.SUBMITTED
    db.session.commit()


def _report_for_august(live_server) -> tuple[int, int]:
    """Submitted August returns and the job's report. Returns the council and provider ids."""
    from portal.background import jobs
    from portal.extensions import db
    from portal.feedback import FEEDBACK, feedback_key
    from portal.models import Contract, Council, Provider, User
    from portal.returns import service

    with live_server.app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == "medway"))
        user = db.session.scalar(select(User).where(User.email == PROVIDER_USER))
        provider_id = None
        for slug, missed in SLUGS_AND_MISSED:
            provider = db.session.scalar(select(Provider).where(Provider.slug == slug))
            contract = db.session.scalar(
                select(Contract).where(
                    Contract.provider_id == provider.id,
                    Contract.council_id == council.id,
                    Contract.framework_id.is_not(None),
                )
            )
            service.ensure_returns([contract])
            _august_return(contract, user.id, missed)
            provider_id = provider_id or provider.id
        job = jobs.submit(
            FEEDBACK,
            feedback_key(council.id, provider_id, "2026-08"),
            {"council_id": council.id, "provider_id": provider_id, "period": "2026-08"},
            council_id=council.id,
            provider_id=provider_id,
        )
        assert job.status == "done", job.detail
        return council.id, provider_id


def test_feedback_list_and_report_pages_pass_axe(tab, live_server):
    council_id, provider_id = _report_for_august(live_server)
    page = tab.page
    tab.sign_in(PROVIDER_USER)
    expect(page.get_by_role("heading", level=1, name="Your returns")).to_be_visible()
    page.get_by_role("link", name="Your feedback reports from councils").click()
    expect(page.get_by_role("heading", level=1, name="Feedback reports")).to_be_visible()
    tab.check()
    page.get_by_role("link", name="August 2026 feedback from Medway Council", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Feedback for August 2026")).to_be_visible()
    comparison = page.get_by_role("table", name="against other providers")
    expect(comparison.get_by_role("row").filter(has_text="Missed visits")).to_contain_text(
        "Better than the median"
    )
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    tab.check()
    tab.sign_out()

    tab.sign_in(COMMISSIONER)
    tab.goto(f"/council/{council_id}/feedback/report?provider={provider_id}&period=2026-08")
    expect(page.get_by_role("heading", level=1, name="Feedback for August 2026")).to_be_visible()
    expect(page.get_by_role("heading", name="Training expiring")).to_have_count(0)
    tab.check()
