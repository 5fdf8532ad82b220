"""Demo staff and training for every Medway framework provider, and the training section
each demo return sends (the provider's staff as at the period's end), so the forum's
training gaps have real figures and some hidden cells. Made up and seeded: the same each
run, nothing drawn from a real provider. A provider that already has staff is left alone."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.mandatory import DEFAULT_MANDATORY_CATEGORIES, mandatory_set
from portal.models import Provider, StaffMember, TrainingRecord
from portal.returns.sections import training_rules

REGISTERED_MANAGER, SUPERVISOR, SENIOR_CARE_WORKER, CARE_WORKER, OTHER = 4, 5, 7, 8, 27
OPTIONAL = (34, 31, 27)  # duty of care, mental health, epilepsy: some providers train them
FACE_TO_FACE_FIRST = (15, 7)  # moving people and basic life support: mostly face to face


def add_workforce(provider: Provider, index: int, today: date) -> int:
    """Staff and training for one provider (``index`` varies the mix); rows added."""
    if db.session.scalar(select(StaffMember.id).where(StaffMember.provider_id == provider.id)):
        return 0
    rng = random.Random(f"demo-workforce-{provider.slug}")
    branches = provider.branches
    if not branches:
        return 0
    roles = _roles(rng, index)
    quality = 0.55 + 0.4 * rng.random()  # how much of its training the provider keeps in date
    optional = [c for c in OPTIONAL if rng.random() < 0.5]
    added = 0
    for n, role in enumerate(roles, start=1):
        member = StaffMember(
            provider_id=provider.id,
            branch_id=branches[n % len(branches)].id,
            worker_id=f"{provider.slug[:3].upper()}{n:04d}",
            main_job_role=role,
            start_date=today - timedelta(days=rng.randint(200, 3000)),
            employment_status=1,
            zero_hours=n % 3 == 0,
            care_certificate=1 if n % 7 else 3,
            hourly_rate=Decimal("12.60") + Decimal(rng.randint(0, 200)) / 100,
            health_care_visa=1 if n % 6 == 0 else 2,
            contracted_hours=Decimal(rng.choice([16, 24, 30, 37.5])),
        )
        db.session.add(member)
        db.session.flush()
        added += 1
        categories = DEFAULT_MANDATORY_CATEGORIES if role != OTHER else (20, 6, 9, 26)
        for category in (*categories, *optional):
            record = _record(rng, member.id, category, quality, today)
            if record is not None:
                db.session.add(record)
                added += 1
    return added


def _roles(rng: random.Random, index: int) -> list[int]:
    """A registered manager, senior care workers, care workers and supervisors; office
    staff (not providing care) at a few."""
    roles = [REGISTERED_MANAGER]
    roles += [SENIOR_CARE_WORKER] * rng.randint(2, 6)
    roles += [CARE_WORKER] * rng.randint(14, 45)
    if index % 2 == 0:
        roles += [SUPERVISOR] * rng.randint(1, 3)
    if index % 5 == 1:
        roles += [OTHER] * rng.randint(1, 2)
    # Field care supervisors and more senior care workers at every provider (their own
    # draw, so the staff above keep their records): enough in each small job role for the
    # forum to see most of its figures (docs/disclosure.md).
    more = random.Random(f"demo-workforce-roles-{index}")
    roles += [SUPERVISOR] * more.randint(2, 4) + [SENIOR_CARE_WORKER] * more.randint(2, 5)
    return roles


def _record(rng, staff_id, category, quality, today) -> TrainingRecord | None:
    """One course: in date with the provider's ``quality``, otherwise expiring soon,
    expired or missing (None); most categories need renewing yearly."""
    draw = rng.random()
    if draw > quality + (1 - quality) * 0.85:
        return None  # missing
    if draw < quality:
        completed = today - timedelta(days=rng.randint(20, 260))
    elif draw < quality + (1 - quality) * 0.45:
        completed = today - timedelta(days=rng.randint(280, 360))  # expiring within 90 days
    else:
        completed = today - timedelta(days=rng.randint(380, 700))  # expired
    face = 0.8 if category in FACE_TO_FACE_FIRST else 0.35
    return TrainingRecord(
        staff_id=staff_id,
        category=category,
        training_name=None,
        accredited=rng.choice([0, 1]),
        who_delivered=rng.choice([1, 2]),
        how_delivered=1 if rng.random() < face else 2,
        validity="12",
        date_completed=completed,
        expiry_date=completed + timedelta(days=365),
    )


def training_section(
    provider_id: int, council_id: int, as_at: date, branch_ids: set[int] | None = None
) -> dict:
    """The training section a return sends: the provider's staff at the branches the
    contract covers (``branch_ids``; all when None) and their training as at ``as_at``
    (records completed after it left out), confirmed."""
    covered = [] if branch_ids is None else [StaffMember.branch_id.in_(sorted(branch_ids))]
    staff = list(
        db.session.scalars(
            select(StaffMember)
            .where(StaffMember.provider_id == provider_id, *covered)
            .options(selectinload(StaffMember.training), selectinload(StaffMember.branch))
            .order_by(StaffMember.id)
        )
    )
    rows = training_rules.staff_rows(staff, as_at, mandatory_set(council_id))
    data = training_rules.snapshot(rows, as_at)
    for person in data["staff"]:
        person["training"] = [
            r
            for r in person["training"]
            if not r["date_completed"] or date.fromisoformat(r["date_completed"]) <= as_at
        ]
    return data
