"""Pages of the return that the journeys do not pass through, checked with axe: removing a
staff member, the version history, the audit log, and the commissioner's review."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select


def _ids(live_server):
    from portal.extensions import db
    from portal.models import Branch, Contract, MonthlyReturn, Provider, StaffMember

    with live_server.app.app_context():
        provider = db.session.scalar(
            select(Provider).where(Provider.slug == "riverside-home-support")
        )
        from portal.returns import service

        service.returns_for_provider(provider.id)  # opens the returns if nobody has yet
        ret = db.session.scalar(
            select(MonthlyReturn)
            .join(Contract)
            .where(Contract.provider_id == provider.id, MonthlyReturn.period == date(2026, 10, 1))
            .order_by(Contract.id)
        )
        member = db.session.scalar(
            select(StaffMember).where(StaffMember.worker_id == "A11Y-REMOVE-01")
        )
        if member is None:
            branch = db.session.scalar(select(Branch).where(Branch.provider_id == provider.id))
            member = StaffMember(
                provider_id=provider.id, branch_id=branch.id, worker_id="A11Y-REMOVE-01",
                main_job_role=8,
            )  # fmt: skip
            db.session.add(member)
            db.session.commit()
        return provider.id, ret.id, member.id


def test_remove_staff_history_and_audit_pages_pass_axe(tab, live_server):
    provider_id, return_id, staff_id = _ids(live_server)
    tab.sign_in("manager@provider.example")
    base = f"/provider/{provider_id}/returns/{return_id}"
    tab.goto(f"{base}/section/training/remove-staff?staff={staff_id}")
    expect(tab.page.get_by_role("heading", level=1)).to_contain_text("A11Y-REMOVE-01")
    tab.check()
    # Without a reason: the error state passes too.
    tab.page.get_by_role("button", name="Remove staff member").click()
    expect(tab.page.locator(".govuk-error-summary")).to_be_visible()
    tab.check()
    for tail, heading in (("/history", "Submitted versions"), ("/audit", "Every change")):
        tab.goto(base + tail)
        expect(tab.page.get_by_role("heading", level=1)).to_contain_text(heading)
        tab.check()


def test_commissioner_pages_pass_axe(tab, live_server):
    from portal.extensions import db
    from portal.models import Council, Provider

    with live_server.app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == "medway")).id
        provider = db.session.scalar(
            select(Provider).where(Provider.slug == "riverside-home-support")
        ).id
    tab.sign_in("commissioner@medway.example")
    for path in (
        f"/council/{council}/returns",
        f"/council/{council}/providers/{provider}/returns",
        f"/council/{council}/providers/{provider}/quality",
        f"/council/{council}/risk",
        f"/council/{council}/return-settings",
        f"/council/{council}/overview",
        "/notifications",
        "/notifications/settings",
    ):
        response = tab.goto(path)
        assert response.status == 200, path
        tab.check()


def test_a_long_staff_list_comes_in_pages_that_pass_axe(tab, live_server):
    from tests.factories import PASSWORD, make_contracted, make_staff

    with live_server.app.app_context():
        world = make_contracted()
        for n in range(1, 26):
            make_staff(world.provider, f"PAGED-{n:02d}")
        provider_id, return_id, email = world.provider.id, world.ret.id, world.submitter.email
    tab.sign_in(email, PASSWORD)
    tab.goto(f"/provider/{provider_id}/returns/{return_id}/section/training")
    expect(tab.page.get_by_text("Showing staff 1 to 20 of 25, by worker ID.")).to_be_visible()
    tab.check()
    tab.page.get_by_role("navigation", name="Pages of staff").get_by_role(
        "link", name="Next"
    ).click()
    expect(tab.page.get_by_text("Showing staff 21 to 25 of 25, by worker ID.")).to_be_visible()
    expect(tab.page.get_by_role("heading", name="Worker ID PAGED-25")).to_be_visible()
    tab.check()
