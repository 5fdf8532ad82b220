"""Demo history: staff and training records for the demo provider and every Medway
framework provider, and six months of submitted returns (some accepted, some queried,
one late) for Medway's framework providers, so the pages have something to show.
Figures are made up (seeded, so the same each run); nothing here is drawn from a real
provider. Loading twice adds nothing."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.demo import returns as demo_returns
from portal.demo.data import MEDWAY_EXTRA_CARE, MEDWAY_HOMECARE
from portal.extensions import db
from portal.models import (
    Contract,
    Framework,
    Membership,
    MonthlyReturn,
    Provider,
    ReturnSection,
    Role,
    SectionState,
    StaffMember,
    TrainingRecord,
    User,
)
from portal.returns import service

DEMO_PROVIDER = "riverside-home-support"
# Job role codes (portal/reference/job-roles.csv) and mandatory training categories.
CARE_WORKER, SENIOR_CARE_WORKER, REGISTERED_MANAGER = 8, 7, 4


def load_history(today: date) -> int:
    """Returns the number of rows added."""
    added = _staff_and_training(today, DEMO_PROVIDER, 18)
    frameworks = list(
        db.session.scalars(
            select(Framework.id).where(Framework.name.in_([MEDWAY_HOMECARE, MEDWAY_EXTRA_CARE]))
        )
    )
    if not frameworks:
        return added
    contracts = list(
        db.session.scalars(
            select(Contract).where(Contract.framework_id.in_(frameworks)).order_by(Contract.id)
        )
    )
    service.ensure_returns(contracts, on=today)
    added += demo_returns.add_workforces(contracts, today)
    # Six months before last month's (which is left to do).
    periods = demo_returns.open_periods(contracts, today, months=6)
    for index, contract in enumerate(contracts):
        user = _office_user(contract.provider)
        for months_back, period in enumerate(sorted(periods, reverse=True)):
            ret = db.session.scalar(
                select(MonthlyReturn).where(
                    MonthlyReturn.contract_id == contract.id, MonthlyReturn.period == period
                )
            )
            if ret is None or ret.versions:
                continue
            rng = random.Random(f"{contract.id}-{period}")
            _fill(ret, rng, index)
            key = f"demo-{contract.id}-{period:%Y%m}"
            version = service.submit(ret.id, user, key).version
            due = service.deadlines(ret).due_on
            late = index % 5 == 4 and months_back == 0
            day = due + timedelta(days=3) if late else due - timedelta(days=rng.randint(0, 6))
            version.submitted_at = datetime.combine(day, time(10, 30), tzinfo=UTC)
            db.session.commit()
            demo_returns.review_return(ret, index, months_back)
            added += 1
    return added


def _office_user(provider: Provider) -> User:
    """A submitter at each provider (no password: nobody signs in as them)."""
    membership = db.session.scalar(
        select(Membership).where(
            Membership.provider_id == provider.id, Membership.role == Role.PROVIDER_SUBMITTER
        )
    )
    if membership is not None:
        return membership.user
    user = User(
        email=f"office@{provider.slug}.example", name=f"{provider.name} office", password_hash=None
    )
    user.memberships.append(Membership(role=Role.PROVIDER_SUBMITTER, provider=provider))
    db.session.add(user)
    db.session.flush()
    return user


def _fill(ret: MonthlyReturn, rng: random.Random, index: int) -> None:
    kpis = made_up_kpis(rng, index)
    areas = [a.name for a in ret.contract.framework.areas] if ret.contract.framework else []
    next_month = service.deadlines(ret).opens_on
    capacity = {
        "areas": [
            {
                "area": name,
                "spare_hours": str(rng.choice([0, 5, 10, 20, 35])),
                "earliest_start": (next_month + timedelta(days=7)).isoformat(),
                "double_handed": rng.choice(["yes", "no"]),
                "night_support": "no",
                "specialist": rng.sample(["dementia", "complex", "learning_disability"], 1),
                "valid_until": (next_month + timedelta(days=30)).isoformat(),
            }
            for name in areas or ["Whole council area"]
        ]
    }
    workforce = made_up_workforce(rng, rng.randint(25, 90))
    data = {
        "kpis": kpis,
        "capacity": capacity,
        "handbacks": {"none": True, "rows": []},
        "training": demo_returns.training_section(ret),
        "workforce": workforce,
    }  # fmt: skip
    for sec in db.session.scalars(select(ReturnSection).where(ReturnSection.return_id == ret.id)):
        sec.data = data[sec.code]
        sec.state = SectionState.COMPLETED
        sec.revision += 1
    db.session.flush()
    db.session.expire(ret, ["sections"])


def _staff_and_training(today: date, slug: str, how_many: int) -> int:
    provider = db.session.scalar(select(Provider).where(Provider.slug == slug))
    if provider is None or db.session.scalar(
        select(StaffMember.id).where(StaffMember.provider_id == provider.id).limit(1)
    ):
        return 0
    rng = random.Random("demo-staff" if slug == DEMO_PROVIDER else f"demo-staff-{slug}")
    branches = provider.branches
    prefix = "RHS" if slug == DEMO_PROVIDER else "".join(w[0] for w in slug.split("-")).upper()
    added = 0
    for n in range(1, how_many + 1):
        role = REGISTERED_MANAGER if n == 1 else SENIOR_CARE_WORKER if n <= 4 else CARE_WORKER
        zero_hours = n % 4 == 0
        member = StaffMember(
            provider_id=provider.id,
            branch_id=branches[n % len(branches)].id,
            worker_id=f"{prefix}{n:04d}",
            main_job_role=role,
            start_date=today - timedelta(days=rng.randint(120, 2500)),
            employment_status=1,
            zero_hours=zero_hours,
            care_certificate=1 if n % 6 else 3,
            hourly_rate=Decimal("12.60") + Decimal(rng.randint(0, 180)) / 100,
            health_care_visa=1 if n % 5 == 0 else 2,
            contracted_hours=Decimal(rng.choice([16, 24, 30, 37.5])),
        )
        if zero_hours:  # no contracted hours on a zero-hours contract, as ASC-WDS checks
            member.contracted_hours = None
        db.session.add(member)
        db.session.flush()
        added += 1
        # Safeguarding, medication, moving and handling, infection control, fire safety:
        # mostly in date, some expiring or expired, a few missing on purpose.
        for category, months in ((20, 12), (13, 12), (15, 12), (10, 12), (6, 12)):
            if rng.random() < 0.08:
                continue
            completed = today - timedelta(days=rng.randint(30, 420))
            db.session.add(
                TrainingRecord(
                    staff_id=member.id,
                    category=category,
                    training_name=None,
                    accredited=1,
                    who_delivered=rng.choice([1, 2]),
                    how_delivered=rng.choice([1, 2]),
                    validity=str(months),
                    date_completed=completed,
                    expiry_date=completed + timedelta(days=365),
                )
            )
            added += 1
    db.session.commit()
    return added


def made_up_workforce(rng: random.Random, headcount: int) -> dict[str, str]:
    """A plausible workforce section for ``headcount`` care staff (demo and benchmark data)."""
    return {
        "headcount": str(headcount),
        "fte": str(Decimal(headcount) * Decimal("0.8")),
        "vacancies": str(rng.randint(0, 6)),
        "starters": str(rng.randint(0, 4)),
        "leavers": str(rng.randint(0, 4)),
        "sickness_days": str(rng.randint(5, 40)),
        "agency_hours": "0",
        "visa_staff": str(rng.randint(0, headcount // 3)),
        "sponsor_licence": "active",
        "registered_manager": "yes",
        "lowest_pay": "12.60",
        "median_pay": "13.20",
        "rlw_staff": str(headcount // 2),
        "travel_time_paid": rng.choice(["yes", "no"]),
        "zero_hours_staff": str(rng.randint(0, headcount // 2)),
        "care_cert_completed": str(max(headcount - 4, 0)),
        "care_cert_in_progress": "3",
        "care_cert_not_started": "1",
    }


def made_up_kpis(rng: random.Random, index: int) -> dict[str, str]:
    """A plausible month of KPI counts, as the form keeps them (text); ``index`` varies
    punctuality and call monitoring between providers (demo and benchmark data)."""
    planned = rng.randint(600, 2400)
    missed = int(planned * rng.choice([0.005, 0.01, 0.015, 0.03, 0.06]))
    delivered = planned - missed
    on_time = int(delivered * (0.97 - 0.05 * (index % 4) - rng.random() * 0.05))
    ecm = int(delivered * (0.95 - 0.04 * (index % 3)))
    commissioned = Decimal(planned) * Decimal("0.75")
    offered = rng.randint(3, 15)
    accepted = rng.randint(1, offered)
    reviewed = rng.randint(5, 30)
    return {
        "planned_visits": str(planned),
        "delivered_visits": str(delivered),
        "missed_visits": str(missed),
        "on_time_visits": str(on_time),
        "ecm_visits": str(ecm),
        "commissioned_hours": str(commissioned.quantize(Decimal("0.5"))),
        "delivered_hours": str((commissioned * Decimal("0.98")).quantize(Decimal("0.25"))),
        "referrals_offered": str(offered),
        "referrals_accepted": str(accepted),
        "packages_started_on_time": str(rng.randint(0, accepted)),
        "complaints": str(rng.randint(0, 2)),
        "compliments": str(rng.randint(0, 6)),
        "safeguarding_concerns": str(rng.randint(0, 1)),
        "users_reviewed": str(reviewed),
        "outcomes_met": str(int(reviewed * rng.uniform(0.65, 0.95))),
    }
