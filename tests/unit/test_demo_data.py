"""The demo data is what the seed documents describe, and loads once."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import func, select

from portal.demo.data import (
    COUNCILS,
    MEDWAY_EXTRA_CARE,
    MEDWAY_HOMECARE,
    PROVIDERS,
    RBKC_HOMECARE,
    WF_HOMECARE,
)
from portal.demo.seed import load_demo
from portal.extensions import db
from portal.models import Contract, Council, Membership, Provider, User


def _holders(framework: str) -> list[dict]:
    return [p for p in PROVIDERS if any(c["framework"] == framework for c in p["contracts"])]


def test_medway_framework_matches_the_seed():
    medway = next(c for c in COUNCILS if c["slug"] == "medway")
    homecare = next(f for f in medway["frameworks"] if f["name"] == MEDWAY_HOMECARE)
    assert (homecare["start_date"].isoformat(), homecare["end_date"].isoformat()) == (
        "2024-04-01",
        "2028-03-31",
    )
    holders = _holders(MEDWAY_HOMECARE)
    assert len(holders) == 13
    ratings = Counter(p["branches"][0]["cqc_rating"] for p in holders)
    assert ratings == {"good": 6, "requires_improvement": 6, "not_yet_rated": 1}
    extra_care = next(f for f in medway["frameworks"] if f["name"] == MEDWAY_EXTRA_CARE)
    assert len(extra_care["areas"]) == 5
    assert {a["kind"] for a in extra_care["areas"]} == {"scheme"}
    assert len(_holders(MEDWAY_EXTRA_CARE)) == 2


def test_second_council_and_kensington_match_the_seeds():
    wf = next(c for c in COUNCILS if c["slug"] == "waltham-forest")
    assert [a["name"] for a in wf["frameworks"][0]["areas"]] == [f"Lot {n}" for n in range(1, 6)]
    holders = _holders(WF_HOMECARE)
    assert len(holders) == 10
    lots = Counter(c["area"] for p in holders for c in p["contracts"] if c["framework"])
    assert set(lots.values()) == {2}
    rates = [c["hourly_rate"] for p in holders for c in p["contracts"] if c["framework"]]
    assert min(rates) == Decimal("17.17") and max(rates) == Decimal("18.20")
    kinds = Counter(
        c["contract_type"] for p in PROVIDERS for c in p["contracts"] if c["council"] == wf["slug"]
    )
    assert kinds["spot"] >= 4 and kinds["dps"] >= 3
    rbkc = _holders(RBKC_HOMECARE)
    assert len(rbkc) == 3
    patches = Counter(c["area"] for p in rbkc for c in p["contracts"])
    assert patches == {"North patch": 1, "South patch": 2}
    rbkc_spot = [
        p
        for p in PROVIDERS
        if any(
            c["council"] == "kensington-chelsea" and c["contract_type"] == "spot"
            for c in p["contracts"]
        )
    ]
    assert len(rbkc_spot) >= 5


def test_risk_cases_and_one_provider_with_two_councils_are_present():
    branches = [b for p in PROVIDERS for b in p["branches"]]
    assert any(b["cqc_rating"] == "inadequate" for b in branches)
    assert any(not b["registered_manager_in_post"] for b in branches)
    assert {"suspended", "revoked"} <= {b["sponsor_licence_status"] for b in branches}
    two_councils = [p for p in PROVIDERS if len({c["council"] for c in p["contracts"]}) > 1]
    assert len(two_councils) == 1
    ids = [b["cqc_location_id"] for b in branches]
    assert len(ids) == len(set(ids))
    assert len({p["slug"] for p in PROVIDERS}) == len(PROVIDERS)


def test_seed_loads_everything_once(app):
    first = load_demo()
    assert first.councils == 3
    assert first.providers == len(PROVIDERS)
    counts = (
        db.session.scalar(select(func.count(Contract.id))),
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Membership.id))),
    )
    second = load_demo()
    assert second.created == 0
    assert counts == (
        db.session.scalar(select(func.count(Contract.id))),
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Membership.id))),
    )
    assert counts[0] == sum(len(p["contracts"]) for p in PROVIDERS)
    shared = db.session.scalar(select(Provider).where(Provider.slug == "riverside-home-support"))
    assert {c.council.slug for c in shared.contracts} == {"medway", "waltham-forest"}


def test_demo_history_submits_six_earlier_months_once_and_leaves_last_month_to_do(app):
    from datetime import date

    from portal.demo.history import load_history
    from portal.disclosure.forum_check import check_forum
    from portal.mandatory import DEFAULT_MANDATORY_CATEGORIES
    from portal.matrix import ALL_CARE_ROLES, build_matrix
    from portal.models import MonthlyReturn, ReturnStatus, ReturnVersion, StaffMember
    from portal.training_matrix_suppression import forum_view
    from tests.unit.disclosure.councils import published as published_csvs

    load_demo(date(2026, 11, 23))
    first = load_history(date(2026, 11, 23))
    assert first > 0
    assert load_history(date(2026, 11, 23)) == 0
    shared = db.session.scalar(select(Provider).where(Provider.slug == "riverside-home-support"))
    statuses = {
        (r.period.isoformat(), r.contract.council.slug): r.status
        for r in db.session.scalars(select(MonthlyReturn))
        if r.contract.provider_id == shared.id
    }
    assert statuses[("2026-10-01", "medway")] is ReturnStatus.NOT_STARTED
    assert ("2026-04-01", "medway") in statuses
    versions = db.session.scalar(select(func.count(ReturnVersion.id)))
    assert versions == 6 * 15  # the Medway framework providers, six months each
    all_statuses = {r.status for r in db.session.scalars(select(MonthlyReturn))}
    assert {ReturnStatus.ACCEPTED, ReturnStatus.QUERIED, ReturnStatus.SUBMITTED} <= all_statuses
    assert (
        db.session.scalar(
            select(func.count(StaffMember.id)).where(StaffMember.provider_id == shared.id)
        )
        == 18
    )
    medway = db.session.scalar(select(Council.id).where(Council.slug == "medway"))
    with_staff = db.session.scalars(select(StaffMember.provider_id).distinct()).all()
    assert len(with_staff) == 15
    # The forum sees most of Medway's figures: each count is hidden on its own
    # (docs/disclosure.md). Before single figures (cells hidden whole, secondary cells
    # largest first) it saw 12 of 84 cells and 6 of 60 demand figures; now, with the
    # demo's supervisors and senior care workers, 282 of the matrix's 504 figures and 52
    # of the 60 demand figures.
    matrix = build_matrix(medway, date(2026, 9, 30))
    view = forum_view(matrix)
    counts = view.counts()
    hidden, published = counts["matrix"]
    assert hidden and 2 * hidden < published, counts
    hidden, published = counts["demand"]
    assert 2 * hidden < published, counts
    # "All care roles" and the care workers: every figure shown in most mandatory
    # categories (a total is hidden only when no smaller figure would do).
    for column in (ALL_CARE_ROLES, 8):
        whole = [c for c in DEFAULT_MANDATORY_CATEGORIES if not view.cell(c, column).hidden]
        assert 2 * len(whole) > len(DEFAULT_MANDATORY_CATEGORIES), (column, whole)
    assert check_forum(matrix, *published_csvs(view)) == []


def test_demo_councils_went_live_and_contracts_cover_their_own_branches(app):
    from datetime import date

    from portal.demo.data import MEDWAY_HOMECARE
    from portal.demo.history import load_history
    from portal.models import Council, Framework, MonthlyReturn, StaffMember

    load_demo(date(2026, 11, 23))
    load_history(date(2026, 11, 23))
    go_live = dict(db.session.execute(select(Council.slug, Council.go_live_month)).all())
    assert go_live == {
        "medway": date(2026, 4, 1),
        "waltham-forest": date(2026, 10, 1),
        "kensington-chelsea": date(2026, 10, 1),
    }
    # No return exists for a month its council did not ask for.
    for ret in db.session.scalars(select(MonthlyReturn)):
        assert ret.period >= go_live[ret.contract.council.slug]
    # The two-council provider: each contract covers the branch in its council.
    shared = db.session.scalar(select(Provider).where(Provider.slug == "riverside-home-support"))
    covered = {c.council.slug: [b.name for b in c.branches] for c in shared.contracts}
    assert covered == {
        "medway": ["Riverside Home Support - Medway"],
        "waltham-forest": ["Riverside Home Support - Walthamstow"],
    }
    # Every Medway homecare framework provider has staff at a branch its contract covers,
    # and its submitted returns' training sections list them.
    framework = db.session.scalar(select(Framework).where(Framework.name == MEDWAY_HOMECARE))
    for contract in db.session.scalars(
        select(Contract).where(Contract.framework_id == framework.id)
    ):
        branch_ids = [b.id for b in contract.branches]
        staff = db.session.scalar(
            select(func.count(StaffMember.id)).where(StaffMember.branch_id.in_(branch_ids))
        )
        assert staff >= 6, contract.provider.name
        august = db.session.scalar(
            select(MonthlyReturn).where(
                MonthlyReturn.contract_id == contract.id,
                MonthlyReturn.period == date(2026, 8, 1),
            )
        )
        listed = august.versions[-1].data["sections"]["training"]["staff"]
        assert len(listed) == staff, contract.provider.name
