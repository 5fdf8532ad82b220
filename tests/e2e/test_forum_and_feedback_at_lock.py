"""In a real browser, checked with axe: a forum member sees the area's training figures with
"[c]" figures linking to the explanation; and a provider whose return nobody reviewed gets
its feedback report once the month locks, with peer comparisons.

Other tests in the session use Riverside's returns and August 2026, so this one gives the
other Medway homecare providers staff and training (the demo's made-up workforce), a July
2026 return carrying their training and a September 2026 return nobody reviews."""

from __future__ import annotations

from datetime import UTC, date, datetime

from playwright.sync_api import expect
from sqlalchemy import select

FORUM = "forum@medway.example"
PROVIDER_USER = "manager@other-provider.example"  # Castle View Care
JULY, SEPTEMBER = date(2026, 7, 1), date(2026, 9, 1)


def _version(ret, user_id: int, sections: dict, submitted: datetime) -> None:
    from portal.extensions import db
    from portal.models import ReturnStatus, ReturnVersion

    if ret.versions:
        return
    db.session.add(
        ReturnVersion(
            return_id=ret.id,
            number=1,
            reference=f"E2E-FORUM-{ret.id}-V1",
            submission_key=f"e2e-forum-{ret.id}",
            data={"nil_return": False, "sections": sections},
            submitted_by_id=user_id,
            submitted_at=submitted,
        )
    )
    ret.status = ReturnStatus.SUBMITTED
    db.session.commit()


def _returns_for_the_area(live_server) -> int:
    from portal.demo import returns as demo_returns
    from portal.demo.workforce import training_section
    from portal.extensions import db
    from portal.feedback.at_lock import queue_locked_month_feedback
    from portal.models import Contract, Council, MonthlyReturn, Provider, User

    with live_server.app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == "medway"))
        user = db.session.scalar(select(User).where(User.email == PROVIDER_USER))
        contracts = list(
            db.session.scalars(
                select(Contract)
                .join(Provider, Provider.id == Contract.provider_id)
                .where(
                    Contract.council_id == council.id,
                    Contract.framework_id.is_not(None),
                    Provider.slug != "riverside-home-support",
                )
                .order_by(Contract.id)
            )
        )
        demo_returns.add_workforces(contracts, date(2026, 11, 23))
        demo_returns.open_periods(contracts, date(2026, 11, 23), months=4)
        for n, contract in enumerate(contracts):
            july, september = (
                db.session.scalar(
                    select(MonthlyReturn).where(
                        MonthlyReturn.contract_id == contract.id, MonthlyReturn.period == month
                    )
                )
                for month in (JULY, SEPTEMBER)
            )
            training = training_section(contract.provider_id, council.id, date(2026, 7, 31))
            _version(july, user.id, {"training": training}, datetime(2026, 8, 10, tzinfo=UTC))
            missed = 1 + n % 6
            kpis = {"planned_visits": "100", "delivered_visits": "100",
                    "missed_visits": str(missed), "on_time_visits": str(90 - missed),
                    "ecm_visits": "95"}  # fmt: skip
            _version(september, user.id, {"kpis": kpis}, datetime(2026, 10, 10, tzinfo=UTC))
        # The daily job on 23 November: September locked on 3 November, unreviewed.
        assert queue_locked_month_feedback(date(2026, 11, 23)) >= len(contracts)
        return council.id


def test_forum_sees_figures_and_hidden_cells_and_a_provider_gets_feedback_at_lock(tab, live_server):
    council_id = _returns_for_the_area(live_server)
    page = tab.page
    tab.sign_in(FORUM)
    tab.goto(f"/forum/{council_id}/training-gaps")
    expect(page.get_by_role("heading", level=1, name="Training gaps")).to_be_visible()
    tables = page.get_by_role("table")
    expect(tables.first).to_contain_text("% compliant")
    hidden = page.get_by_role("link", name="[c] (figure not shown: see why)")
    assert hidden.count() > 0
    tab.check()
    hidden.first.click()
    expect(page.get_by_role("heading", name="Why some figures are not shown")).to_be_in_viewport()
    expect(page.get_by_text("at least 3 providers")).to_be_visible()
    demand = page.get_by_role("table", name="Staff needing training next quarter")
    expect(demand.get_by_role("row").filter(has_text="All categories")).to_be_visible()
    tab.sign_out()

    tab.sign_in(PROVIDER_USER)
    expect(page.get_by_role("heading", level=1, name="Your returns")).to_be_visible()
    page.get_by_role("link", name="Your feedback reports from councils").click()
    page.get_by_role("link", name="September 2026 feedback from Medway Council", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Feedback for September 2026")).to_be_visible()
    expect(
        page.get_by_text("Not reviewed by Medway Council before the month locked")
    ).to_be_visible()
    comparison = page.get_by_role("table", name="against other providers")
    expect(comparison).to_contain_text("Median")
    # Castle View missed 1% of visits; its 11 peers 2% to 6%.
    expect(comparison.get_by_role("row").filter(has_text="Missed visits")).to_contain_text(
        "In the best quarter"
    )
    tab.check()
    # Each KPI has its own small chart, its figures in words for those who cannot see it.
    charts = page.locator("img.app-kpi-chart__image")
    assert charts.count() > 1
    assert charts.first.get_attribute("alt").startswith("Missed visits, April 2026 to September")
    # Where to pool courses: the forum's demand table, which a provider can open.
    page.get_by_role(
        "link", name="training needed next quarter across Medway Council's area"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Training needed next quarter")
    demand = page.get_by_role("table", name="Staff needing training next quarter")
    expect(demand.get_by_role("row").filter(has_text="All categories")).to_be_visible()
    tab.check()
