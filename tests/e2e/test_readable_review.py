"""Readable by people, in a real browser: one training record added between two versions
shows as exactly that one change, in words, in the history and on the commissioner's
review ("Changed since version 1"); the commissioner asks about that staff member from
the row itself, and the provider sees the question beside the return. The review and
return pages are photographed at 375 px and 1280 px, pass axe at both widths and never
scroll sideways on a phone.

Other tests use Riverside's Medway returns, so this one prepares Riverside's September
2026 return to Waltham Forest (reopened): version 1, then version 2 with one more
training record, both through the return's own domain functions."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import SUBMITTER
from tests.examples import EXAMPLE_KPIS

COMMISSIONER = "commissioner@waltham-forest.example"
ADDED = "Training record added: RD-0018, Dementia care, completed 1 November 2026"
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
WIDTHS = (375, 1280)


def _staff(with_new_record: bool) -> dict:
    def member(worker, records):
        return {"worker_id": worker, "job_role": 3, "branch": "Riverside", "left_on": None,
                "training": records, "missing": []}  # fmt: skip

    safeguarding = {"category": 20, "date_completed": "2025-11-19",
                    "expiry_date": "2026-11-18", "status": "expiring"}  # fmt: skip
    dementia = {"category": 2, "date_completed": "2026-11-01", "expiry_date": None,
                "status": "up_to_date"}  # fmt: skip
    staff = [member(f"RD-00{n:02d}", [dict(safeguarding)]) for n in range(10, 25)]
    if with_new_record:
        staff[8]["training"].append(dementia)  # RD-0018
    return {"confirmed": True, "as_at": "2026-09-30", "staff": staff}


def _asked_from_august(council) -> None:
    """Waltham Forest went live in October; these tests use its August and September
    returns, which no other test touches, so the council is asked for returns from
    August (as a council admin can set) and the calendar opens them."""
    from portal.extensions import db
    from portal.returns.opening import open_due_returns

    if council.go_live_month > date(2026, 8, 1):
        council.go_live_month = date(2026, 8, 1)
        db.session.commit()
        open_due_returns()


def _two_versions(live_server) -> tuple[int, int, int]:
    """(council id, provider id, return id) of the return submitted twice."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.models import Contract, Council, MonthlyReturn, Provider, SectionState, User
    from portal.returns import service

    with live_server.app.app_context():
        provider = db.session.scalar(
            select(Provider).where(Provider.slug == "riverside-home-support")
        )
        council = db.session.scalar(select(Council).where(Council.slug == "waltham-forest"))
        _asked_from_august(council)
        ret = db.session.scalar(
            select(MonthlyReturn)
            .join(Contract)
            .where(Contract.provider_id == provider.id, Contract.council_id == council.id,
                   MonthlyReturn.period == date(2026, 9, 1))
            .order_by(Contract.id)
        )  # fmt: skip
        if ret.versions:  # a rerun in the same session
            return council.id, provider.id, ret.id
        ret.reopened_until = date(2026, 12, 31)
        db.session.commit()
        submitter = db.session.scalar(select(User).where(User.email == SUBMITTER))
        for number, with_new in ((1, False), (2, True)):
            for code, _ in service.SECTIONS:
                data = {"kpis": dict(EXAMPLE_KPIS), "training": _staff(with_new)}.get(
                    code, {"none": True}
                )
                section = service.section(ret, code)
                assert service.save_section(
                    ret, code, data, SectionState.COMPLETED, section.revision, submitter
                ) is None  # fmt: skip
            assert service.submit(ret.id, submitter, f"e2e-readable-{number}").new
        return council.id, provider.id, ret.id


def _at_each_width(tab, name: str) -> None:
    """Photograph the page at each width; no sideways scroll on a phone; axe at both."""
    page = tab.page
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(50)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        tab.check()


def test_ask_about_this_works_without_javascript(tab_without_js, live_server):
    council_id, _, return_id = _two_versions(live_server)
    tab, page = tab_without_js, tab_without_js.page
    tab.sign_in(COMMISSIONER)
    expect(page.get_by_role("heading", level=1, name="Your providers")).to_be_visible()
    tab.goto(f"/council/{council_id}/returns/{return_id}/review")
    page.get_by_role("link", name="Ask about this Worker ID RD-0017").click()
    assert page.url.endswith("about=training:RD-0017#ask"), page.url
    expect(page.locator("#query-target")).to_have_value("training:RD-0017")
    tab.check()


def test_one_added_record_is_one_change_and_is_asked_about_from_its_row(tab, live_server):
    council_id, provider_id, return_id = _two_versions(live_server)
    page = tab.page
    review = f"/council/{council_id}/returns/{return_id}/review"

    tab.sign_in(COMMISSIONER)
    expect(page.get_by_role("heading", level=1, name="Your providers")).to_be_visible()
    tab.goto(review)
    changed = page.locator("#changed ~ ul").first
    expect(page.get_by_role("heading", name="Changed since version 1")).to_be_visible()
    expect(changed).to_have_text(re.compile(r"Training and staff: 1 change"))
    expect(page.locator("main")).to_contain_text(ADDED)
    expect(page.locator("main")).not_to_contain_text("staff[")
    _at_each_width(tab, "review")

    # Ask about the staff member from their own row: htmx points the form at it.
    page.get_by_role("link", name="Ask about this Worker ID RD-0018").click()
    expect(page.locator("#query-target")).to_have_value("training:RD-0018")
    page.get_by_label("Your question", exact=True).fill("Which course was the dementia care?")
    page.get_by_role("button", name="Send question").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    thread = page.locator(".app-comment")
    expect(thread).to_contain_text("About: Training and staff: staff member RD-0018")
    tab.check()

    tab.goto(f"/council/{council_id}/returns/{return_id}/history")
    expect(page.locator("main")).to_contain_text(ADDED)
    expect(page.locator("main")).to_contain_text("1 change")
    tab.check()
    tab.sign_out()

    tab.sign_in(SUBMITTER)
    expect(page.get_by_role("heading", level=1, name="Your returns")).to_be_visible()
    tab.goto(f"/provider/{provider_id}/returns/{return_id}")
    expect(page.locator(".app-comment")).to_contain_text(
        "About: Training and staff: staff member RD-0018"
    )
    _at_each_width(tab, "return")
    tab.goto(f"/provider/{provider_id}/returns/{return_id}/history")
    expect(page.locator("main")).to_contain_text(ADDED)
    _at_each_width(tab, "history")


def _august_v1_with_real_staff(live_server) -> tuple[int, int, int, str, str]:
    """Riverside's August 2026 Waltham Forest return, reopened, submitted as version 1
    with the training section confirmed from the provider's own staff records: council,
    provider and return ids, a worker ID at a covered branch and the branch's name."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.mandatory import mandatory_set
    from portal.models import (
        Contract,
        Council,
        MonthlyReturn,
        Provider,
        SectionState,
        StaffMember,
        TrainingRecord,
        User,
    )
    from portal.returns import service
    from portal.returns.sections.training_rules import (
        active_staff,
        as_at_date,
        snapshot,
        staff_rows,
    )

    with live_server.app.app_context():
        provider = db.session.scalar(
            select(Provider).where(Provider.slug == "riverside-home-support")
        )
        council = db.session.scalar(select(Council).where(Council.slug == "waltham-forest"))
        _asked_from_august(council)
        ret = db.session.scalar(
            select(MonthlyReturn)
            .join(Contract)
            .where(Contract.provider_id == provider.id, Contract.council_id == council.id,
                   MonthlyReturn.period == date(2026, 8, 1))
            .order_by(Contract.id)
        )  # fmt: skip
        assert ret is not None and not ret.versions
        ret.reopened_until = date(2026, 12, 31)
        db.session.commit()
        submitter = db.session.scalar(select(User).where(User.email == SUBMITTER))
        branch = ret.contract.branches[0]  # Riverside's Walthamstow branch
        member = StaffMember(
            provider_id=provider.id,
            branch_id=branch.id,
            worker_id="RD-WF-0018",
            main_job_role=3,
            start_date=date(2024, 6, 1),
        )
        member.training.append(TrainingRecord(category=20, date_completed=date(2025, 11, 19),
                                              expiry_date=date(2026, 11, 18)))  # fmt: skip
        db.session.add(member)
        db.session.commit()
        as_at = as_at_date(ret)
        staff = active_staff(ret)
        assert "RD-WF-0018" in [m.worker_id for m in staff]  # other tests may add staff too
        rows = staff_rows(staff, as_at, mandatory_set(council.id))
        for code, _ in service.SECTIONS:
            data = {"kpis": dict(EXAMPLE_KPIS), "training": snapshot(rows, as_at)}.get(
                code, {"none": True}
            )
            section = service.section(ret, code)
            assert service.save_section(
                ret, code, data, SectionState.COMPLETED, section.revision, submitter
            ) is None  # fmt: skip
        assert service.submit(ret.id, submitter, "e2e-readable-august-1").new
        return council.id, provider.id, ret.id, member.worker_id, member.branch.name


def test_provider_adds_one_training_record_and_the_history_shows_that_one_change(tab, live_server):
    council_id, provider_id, return_id, worker, _ = _august_v1_with_real_staff(live_server)
    page = tab.page
    added = f"Training record added: {worker}, Dementia care, completed 3 August 2026"
    base = f"/provider/{provider_id}/returns/{return_id}"

    tab.sign_in(SUBMITTER)
    expect(page.get_by_role("heading", level=1, name="Your returns")).to_be_visible()
    tab.goto(base)
    page.get_by_role("link", name="Training and staff", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Training and staff")).to_be_visible()
    page.get_by_role("link", name=f"Add training {worker}").click()
    expect(page.get_by_role("heading", level=1, name=f"Add training for {worker}")).to_be_visible()
    page.get_by_label("Training category").select_option(label="Dementia care")
    page.locator("#date_completed-day").fill("3")
    page.locator("#date_completed-month").fill("8")
    page.locator("#date_completed-year").fill("2026")
    page.locator("#expiry_date-day").fill("2")
    page.locator("#expiry_date-month").fill("8")
    page.locator("#expiry_date-year").fill("2027")
    page.locator("input[name=accredited][value='1']").check()
    page.locator("input[name=who_delivered][value='1']").check()
    page.locator("input[name=how_delivered][value='1']").check()
    page.get_by_role("button", name="Add training").click()
    expect(page.get_by_text(f"Dementia care training added for {worker}")).to_be_visible()
    page.get_by_label("I have added all staff and their training").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#section-training-status")).to_have_text("Completed")
    page.get_by_role("button", name="Check your answers and submit").click()
    page.get_by_role("button", name="Submit return").click()
    expect(page.get_by_role("heading", level=1, name="Return submitted")).to_be_visible()

    tab.goto(base + "/history")
    version_2 = page.locator("#version-2-changes ~ ul").first
    expect(version_2).to_have_text(re.compile(r"^\s*Training and staff: 1 change\s*$"))
    expect(page.locator("main")).to_contain_text(added)
    tab.check()
    tab.sign_out()

    tab.sign_in(COMMISSIONER)
    expect(page.get_by_role("heading", level=1, name="Your providers")).to_be_visible()
    tab.goto(f"/council/{council_id}/returns/{return_id}/review")
    expect(page.get_by_role("heading", name="Changed since version 1")).to_be_visible()
    expect(page.locator("#changed ~ ul").first).to_have_text(
        re.compile(r"^\s*Training and staff: 1 change\s*$")
    )
    expect(page.locator("main")).to_contain_text(added)
    tab.check()
