"""A synthetic council for the aggregate benchmark (``benchmarks/aggregate.py``): one
council, one homecare framework, its providers, their staff and training records, and
months of submitted returns, written with bulk inserts. Seeded; dates are relative to the
day it runs. Figures are made up and match no real provider."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import func, insert, select, text

from portal.demo.history import made_up_kpis, made_up_workforce
from portal.extensions import db
from portal.mandatory import DEFAULT_MANDATORY_CATEGORIES, default_set
from portal.models import (
    Area,
    AreaKind,
    Branch,
    Contract,
    ContractType,
    Council,
    CqcRating,
    Framework,
    Membership,
    MonthlyReturn,
    Provider,
    ReturnSection,
    ReturnStatus,
    ReturnVersion,
    Role,
    SectionState,
    ServiceType,
    StaffMember,
    TrainingRecord,
    User,
)
from portal.models.returns import confirmed_training
from portal.returns import staff_reference
from portal.returns.calendar import first_of_next_month, last_day_of
from portal.returns.sections import training_rules

AREAS = ("North", "South", "East")
# Job roles (portal/reference/job-roles.csv) with how common each is among a provider's
# staff; a provider also has one registered manager.
ROLE_WEIGHTS = {8: 62, 7: 15, 5: 5, 16: 3, 23: 4, 37: 2, 27: 5, 1: 2, 36: 2}
CHUNK = 5_000  # rows per bulk insert


# --- the synthetic council ------------------------------------------------------------


@dataclass
class Staff:
    id: int
    provider_id: int
    worker_id: str
    job_role: int
    branch: str
    start_date: date
    left_on: date | None
    records: list[SimpleNamespace]


def _months_before(month: date, count: int) -> list[date]:
    """The ``count`` months before ``month`` (first days), oldest first."""
    months = []
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return months[::-1]


def _bulk(model, rows: list[dict], returning=None) -> list:
    """Insert ``rows`` in chunks (one statement each); the new ids in order if asked."""
    ids = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if returning is None:
            db.session.execute(insert(model), chunk)
        else:
            ids += db.session.scalars(
                insert(model).returning(returning, sort_by_parameter_order=True), chunk
            ).all()
    return ids


def _organisations(rng: random.Random, providers: int, today: date):
    council = Council(name="Benchmark Council", slug="benchmark")
    framework = Framework(
        council=council,
        name="Benchmark homecare framework",
        service_type=ServiceType.HOMECARE,
        start_date=today.replace(day=1) - timedelta(days=3 * 365),
        end_date=today + timedelta(days=3 * 365),
    )
    areas = [Area(framework=framework, name=name, kind=AreaKind.PATCH) for name in AREAS]
    db.session.add_all([council, framework, *areas])
    contracts, users = [], []
    for n in range(1, providers + 1):
        provider = Provider(name=f"Benchmark Care {n:02d} Ltd", slug=f"benchmark-care-{n:02d}")
        branches = []
        for b in range(1 + n % 2):
            branches.append(
                Branch(
                    provider=provider,
                    name=f"Benchmark Care {n:02d} branch {b + 1}",
                    cqc_location_id=f"1-9{n:04d}{b:05d}",
                    local_est_id=f"B{n:02d}{b}",
                    cqc_rating=rng.choice(list(CqcRating)),
                )
            )
        db.session.add_all(branches)
        contracts.append(
            Contract(
                provider=provider,
                branches=branches,  # a council sees staff only at the branches contracts cover
                council=council,
                framework=framework,
                area=areas[n % len(areas)],
                contract_type=ContractType.FRAMEWORK,
                hourly_rate=Decimal("24.50"),
            )
        )
        user = User(email=f"office@{provider.slug}.example", name=f"{provider.name} office")
        user.memberships.append(Membership(role=Role.PROVIDER_SUBMITTER, provider=provider))
        users.append(user)
    db.session.add_all(contracts + users)
    db.session.commit()
    return council, contracts, users


def _staff(rng: random.Random, contracts: list[Contract], count: int, today: date) -> list[Staff]:
    weights = [rng.uniform(0.4, 1.6) for _ in contracts]
    sizes = [max(2, round(count * w / sum(weights))) for w in weights]
    sizes[-1] += count - sum(sizes)
    roles, role_weights = list(ROLE_WEIGHTS), list(ROLE_WEIGHTS.values())
    staff, rows = [], []
    for contract, size in zip(contracts, sizes, strict=True):
        branches = contract.provider.branches
        for n in range(size):
            start = today - timedelta(days=rng.randrange(30, 3650))
            left = today - timedelta(days=rng.randrange(1, 365)) if rng.random() < 0.04 else None
            branch = branches[n % len(branches)]
            member = Staff(
                0,
                contract.provider_id,
                f"{n + 1:05d}",
                4 if n == 0 else rng.choices(roles, role_weights)[0],
                branch.name,
                start,
                left,
                [],
            )
            staff.append(member)
            rows.append(
                {
                    "provider_id": member.provider_id,
                    "branch_id": branch.id,
                    "worker_id": member.worker_id,
                    "main_job_role": member.job_role,
                    "start_date": start,
                    "employment_status": 1,
                    "zero_hours": rng.random() < 0.3,
                    "care_certificate": rng.choice([1, 1, 1, 2, 3]),
                    "hourly_rate": Decimal("12.21") + Decimal(rng.randrange(0, 400)) / 100,
                    "health_care_visa": rng.choice([1, 2, 2, 2]),
                    "contracted_hours": Decimal(rng.choice([16, 24, 30, 37.5])),
                    "left_on": left,
                }
            )
    for member, new_id in zip(staff, _bulk(StaffMember, rows, StaffMember.id), strict=True):
        member.id = new_id
    return staff


def _training(rng: random.Random, staff: list[Staff], count: int, today: date) -> None:
    """``count`` records: mostly the default mandatory courses (refreshed over the years,
    so older records are replaced by later ones), the rest any category."""
    mandatory = list(DEFAULT_MANDATORY_CATEGORIES)
    others = [c for c in staff_reference.training_categories() if c not in mandatory]
    rows = []
    for _ in range(count):
        member = rng.choice(staff)
        category = rng.choice(mandatory) if rng.random() < 0.75 else rng.choice(others)
        days_in_post = max(1, (today - member.start_date).days)
        completed = today - timedelta(days=rng.randrange(0, min(days_in_post, 4 * 365)))
        expiry = (
            completed + timedelta(days=rng.choice([365, 730, 1095])) if rng.random() < 0.7 else None
        )
        how = rng.choice([1, 2, None])
        member.records.append(
            SimpleNamespace(category=category, date_completed=completed, expiry_date=expiry)
        )
        rows.append(
            {
                "staff_id": member.id,
                "category": category,
                "training_name": None,
                "accredited": rng.choice([0, 1, 999]),
                "who_delivered": rng.choice([1, 2]),
                "provider_name": None,
                "how_delivered": how,
                "validity": None if expiry is None else str((expiry - completed).days // 365 * 12),
                "date_completed": completed,
                "expiry_date": expiry,
                "notes": None,
            }
        )
    _bulk(TrainingRecord, rows)


def _training_snapshot(members: list[Staff], period: date) -> dict:
    """The training section as the page saves it when confirmed for ``period``: the staff
    then in post and their records then completed (``sections.training_rules.snapshot``)."""
    as_at = last_day_of(period)
    then = [
        SimpleNamespace(
            worker_id=m.worker_id,
            main_job_role=m.job_role,
            branch=SimpleNamespace(name=m.branch),
            left_on=m.left_on,
            training=[r for r in m.records if r.date_completed <= as_at],
        )
        for m in members
        if m.start_date <= as_at and (m.left_on is None or m.left_on >= period)
    ]
    return training_rules.snapshot(training_rules.staff_rows(then, as_at, default_set()), as_at)


def _capacity(rng: random.Random, period: date) -> dict:
    next_month = first_of_next_month(period)
    return {
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
            for name in AREAS
        ]
    }


def _handbacks(rng: random.Random, period: date) -> dict:
    if rng.random() < 0.75:
        return {"none": True, "rows": []}
    rows = []
    for n in range(rng.randint(1, 3)):
        notice = period + timedelta(days=rng.randrange(0, 25))
        rows.append(
            {
                "reference": f"HB{period:%Y%m}{n:02d}",
                "notice_date": notice.isoformat(),
                "end_date": (notice + timedelta(days=28)).isoformat(),
                "weekly_hours": str(rng.choice([3.5, 7, 10.5, 14, 21])),
                "service_type": "homecare",
                "area": rng.choice(AREAS),
                "reason": rng.choice(["needs_increased", "staffing", "travel", "other"]),
                "reason_details": "",
            }
        )
    return {"none": False, "rows": rows}


def _workforce(rng: random.Random, members: list[Staff], period: date) -> dict:
    as_at = last_day_of(period)
    headcount = sum(
        1 for m in members if m.start_date <= as_at and (m.left_on is None or m.left_on >= period)
    )
    return made_up_workforce(rng, headcount)


def _returns(rng, council, contracts, users, staff, months: list[date]) -> int:
    """Every contract's returns for ``months``, each submitted (a tenth twice), its sections
    holding the latest version's data. Returns the number of versions."""
    by_provider: dict[int, list[Staff]] = {}
    for member in staff:
        by_provider.setdefault(member.provider_id, []).append(member)
    returns, drafts = [], []
    for index, contract in enumerate(contracts):
        members = by_provider.get(contract.provider_id, [])
        for period in months:
            sections = {
                "kpis": made_up_kpis(rng, index),
                "capacity": _capacity(rng, period),
                "handbacks": _handbacks(rng, period),
                "training": _training_snapshot(members, period),
                "workforce": _workforce(rng, members, period),
            }
            returns.append(
                {
                    "contract_id": contract.id,
                    "period": period,
                    "status": ReturnStatus.ACCEPTED
                    if period < months[-1]
                    else ReturnStatus.SUBMITTED,
                    "nil_return": False,
                }
            )
            drafts.append((contract, period, index, sections))
    return_ids = _bulk(MonthlyReturn, returns, MonthlyReturn.id)
    section_rows, versions = [], []
    for return_id, (contract, period, index, sections) in zip(return_ids, drafts, strict=True):
        data = {
            "nil_return": False,
            "sections": sections,
            "confirmed_warnings": {code: [] for code in sections},
        }
        numbers = [1, 2] if rng.random() < 0.1 else [1]
        submitted = datetime.combine(
            first_of_next_month(period) + timedelta(days=rng.randint(3, 12)),
            datetime.min.time(),
            tzinfo=UTC,
        ) + timedelta(hours=10)
        for number in numbers:
            versions.append(
                {
                    "return_id": return_id,
                    "number": number,
                    "reference": f"{council.slug.upper()[:6]}-{period:%Y%m}-"
                    f"P{contract.provider_id}C{contract.id}-V{number}",
                    "submission_key": f"bench-{return_id}-{number}",
                    "data": data,
                    "confirmed_training": confirmed_training(data),  # as the ORM keeps it
                    "submitted_by_id": users[index].id,
                    "submitted_at": submitted + timedelta(days=2 * (number - 1)),
                }
            )
        for code, value in sections.items():
            section_rows.append(
                {
                    "return_id": return_id,
                    "code": code,
                    "state": SectionState.COMPLETED,
                    "data": value,
                    "confirmed_warnings": [],
                    "revision": len(numbers),
                }
            )
    _bulk(ReturnSection, section_rows)
    # Each version's place in the council's feed, from the feed's sequence in the order the
    # versions were submitted (as the ORM's flush takes it; a bulk insert skips that).
    places = db.session.scalars(
        text("SELECT nextval('return_version_feed_seq') FROM generate_series(1, :n)"),
        {"n": len(versions)},
    ).all()
    for version, place in zip(
        sorted(versions, key=lambda v: (v["submitted_at"], v["number"])), places, strict=True
    ):
        version["feed_seq"] = place
    for start in range(0, len(versions), 200):  # big JSON documents: smaller statements
        db.session.execute(insert(ReturnVersion), versions[start : start + 200])
    return len(versions)


def build_council(args, today: date) -> tuple[int, list[int]]:
    rng = random.Random(args.seed)
    council, contracts, users = _organisations(rng, args.providers, today)
    staff = _staff(rng, contracts, args.staff, today)
    _training(rng, staff, args.training, today)
    # Up to the month before last: last month's return is not due yet.
    months = _months_before(today.replace(day=1) - timedelta(days=1), args.months + 1)[:-1]
    versions = _returns(rng, council, contracts, users, staff, months)
    db.session.commit()
    print(
        f"council: {args.providers} providers, {len(staff):,} staff, {args.training:,} "
        f"training records, {len(months) * len(contracts):,} returns "
        f"({months[0]:%b %Y} to {months[-1]:%b %Y}), {versions:,} submitted versions"
    )
    size = db.session.scalar(select(func.pg_database_size(func.current_database())))
    print(f"database size {size / 1e6:,.0f} MB")
    return council.id, [c.provider_id for c in contracts]
