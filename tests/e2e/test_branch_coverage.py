"""In a real browser: a provider with a branch in each of two councils. Medway's
commissioner sees, on the review page and in the training matrix (page and CSV), only
the staff at the branch Medway's contract covers; the staff at the Walthamstow branch,
which works for Waltham Forest, appear in neither.

The provider is made here (not the demo's Riverside, which other tests use), its staff
and training stored as an import would, and its October 2026 Medway return filled in and
submitted through the return's own domain functions."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

COMMISSIONER = "commissioner@medway.example"
SAFEGUARDING, CARE_WORKER = 20, 8
MEDWAY_STAFF = ("TT-M-01", "TT-M-02", "TT-M-03")
WALTHAMSTOW_STAFF = ("TT-W-01", "TT-W-02")


def _two_council_provider(live_server) -> tuple[int, int, int]:
    """(Medway's id, the provider's id, its October return's id)."""
    from portal.extensions import db
    from portal.models import (
        Branch,
        Contract,
        ContractType,
        Council,
        Membership,
        MonthlyReturn,
        Provider,
        Role,
        SectionState,
        StaffMember,
        TrainingRecord,
        User,
    )
    from portal.returns import service
    from portal.returns.opening import open_returns_for_contract

    with live_server.app.app_context():
        medway = db.session.scalar(select(Council).where(Council.slug == "medway"))
        existing = db.session.scalar(select(Provider).where(Provider.slug == "two-towns-care"))
        if existing is not None:  # a rerun in the same session
            ret = db.session.scalar(
                select(MonthlyReturn)
                .join(Contract)
                .where(Contract.provider_id == existing.id, Contract.council_id == medway.id)
                .where(MonthlyReturn.period == date(2026, 10, 1))
            )
            return medway.id, existing.id, ret.id
        waltham = db.session.scalar(select(Council).where(Council.slug == "waltham-forest"))
        provider = Provider(name="Two Towns Care", slug="two-towns-care")
        in_medway = Branch(provider=provider, name="Two Towns - Chatham", local_est_id="TT-MED")
        in_waltham = Branch(provider=provider, name="Two Towns - Walthamstow", local_est_id="TT-WF")
        contracts = [
            Contract(provider=provider, council=council, contract_type=ContractType.SPOT,
                     hourly_rate=Decimal("24.10"), branches=[branch])
            for council, branch in ((medway, in_medway), (waltham, in_waltham))
        ]  # fmt: skip
        user = User(email="office@two-towns.example", name="Two Towns office")
        user.memberships.append(Membership(role=Role.PROVIDER_SUBMITTER, provider=provider))
        db.session.add_all([provider, user, *contracts])
        db.session.flush()
        for branch, workers in ((in_medway, MEDWAY_STAFF), (in_waltham, WALTHAMSTOW_STAFF)):
            for worker in workers:
                member = StaffMember(provider_id=provider.id, branch_id=branch.id,
                                     worker_id=worker, main_job_role=CARE_WORKER,
                                     start_date=date(2024, 1, 8), employment_status=1)  # fmt: skip
                db.session.add(member)
                db.session.flush()
                db.session.add(
                    TrainingRecord(
                        staff_id=member.id,
                        category=SAFEGUARDING,
                        date_completed=date(2026, 3, 2),
                        expiry_date=date(2027, 3, 1),
                    )  # fmt: skip
                )
        db.session.commit()
        for contract in contracts:
            open_returns_for_contract(contract)
        ret = db.session.scalar(
            select(MonthlyReturn).where(
                MonthlyReturn.contract_id == contracts[0].id,
                MonthlyReturn.period == date(2026, 10, 1),
            )
        )
        assert ret is not None, "the calendar opened Medway's October return"
        for code, _ in service.SECTIONS:
            section = service.section(ret, code)
            data = _confirmed_training(ret) if code == "training" else {"none": True}
            assert (
                service.save_section(
                    ret, code, data, SectionState.COMPLETED, section.revision, user
                )
                is None
            )
        assert service.submit(ret.id, user, "e2e-two-towns").new
        return medway.id, provider.id, ret.id


def _confirmed_training(ret) -> dict:
    """The training section as the provider confirms it on the page."""
    from portal.mandatory import mandatory_set
    from portal.returns.sections import training_rules

    as_at = training_rules.as_at_date(ret)
    staff = training_rules.active_staff(ret)
    rows = training_rules.staff_rows(staff, as_at, mandatory_set(ret.contract.council_id))
    return training_rules.snapshot(rows, as_at)


def test_a_council_sees_only_the_staff_at_the_branches_its_contracts_cover(tab, live_server):
    council_id, provider_id, return_id = _two_council_provider(live_server)
    tab.sign_in(COMMISSIONER)
    tab.goto(f"/council/{council_id}/returns/{return_id}/review")
    tab.check()
    page = tab.page
    main = page.locator("main")
    expect(main).to_contain_text("3 staff members")
    for worker in MEDWAY_STAFF:
        expect(main).to_contain_text(worker)
    body = page.content()
    for worker in WALTHAMSTOW_STAFF:
        assert worker not in body, f"{worker} works at the Walthamstow branch"

    tab.goto(f"/council/{council_id}/training-matrix?provider={provider_id}&as_at=2026-10-31")
    tab.check()
    answer = page.request.get(
        f"{live_server.url}/council/{council_id}/training-matrix.csv"
        f"?provider={provider_id}&as_at=2026-10-31"
    )
    assert answer.ok, answer.status
    rows = list(csv.DictReader(io.StringIO(answer.text().lstrip("\ufeff"))))
    care_workers = [
        r
        for r in rows
        if r["Category code"] == str(SAFEGUARDING) and r["Job role"] == "Care worker"
    ]
    assert [r["Staff in scope"] for r in care_workers] == ["3"]  # not 5
    assert care_workers[0]["Up to date"] == "3"
