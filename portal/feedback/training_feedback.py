"""The training part of a feedback report: the provider's % compliant per mandatory
category against the council area's, from the super training matrix as at the period end
(the area's only where the disclosure rule lets it be shown: at least 3 providers and
none dominating, ``portal.disclosure.rule``), and its staff whose current record in a
category expires within 90 days after the period end (its own worker ids: the provider's
eyes only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select, true
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import StaffMember
from portal.returns import staff_reference, training_status_rules
from portal.training_compliance import training_comparison


@dataclass(frozen=True)
class TrainingLine:
    code: int
    name: str
    provider_percent: float | None
    provider_staff: int
    area_percent: float | None  # None when there is nothing to show (see area_shown)
    area_shown: bool  # False when the disclosure rule hides the area's figure


@dataclass(frozen=True)
class ExpiringStaff:
    worker_id: str
    branch: str
    category: str
    expiry_date: date


def training_lines(
    council_id: int, provider_id: int, as_at: date
) -> tuple[list[TrainingLine], int, int]:
    comparison = training_comparison(council_id, provider_id, as_at)
    lines = []
    for row in comparison.rows:
        shown = row.area_shown
        lines.append(
            TrainingLine(
                code=row.code,
                name=row.name,
                provider_percent=row.percent,
                provider_staff=row.in_scope,
                area_percent=row.area_percent if shown else None,
                area_shown=shown,
            )
        )
    return lines, comparison.staff_count, comparison.area_provider_count


def expiring_staff(
    provider_id: int, as_at: date, branch_ids: set[int] | None = None
) -> list[ExpiringStaff]:
    """Staff still employed at ``as_at`` whose current record in a category expires
    within 90 days after it (from the provider's records as they are now, so training
    renewed since drops off the list); only at ``branch_ids`` when given (the branches
    the council's contracts cover)."""
    members = db.session.scalars(
        select(StaffMember)
        .where(
            StaffMember.provider_id == provider_id,
            StaffMember.branch_id.in_(sorted(branch_ids)) if branch_ids is not None else true(),
            or_(StaffMember.left_on.is_(None), StaffMember.left_on >= as_at),
        )
        .options(selectinload(StaffMember.training), selectinload(StaffMember.branch))
        .order_by(StaffMember.worker_id)
    )
    found = []
    for member in members:
        for code in sorted({r.category for r in member.training}):
            record = training_status_rules.current_record(member.training, code)
            expiry = record.expiry_date
            if (
                expiry
                and training_status_rules.training_status(expiry, as_at)
                == training_status_rules.STATUS_EXPIRING
            ):
                found.append(
                    ExpiringStaff(
                        member.worker_id,
                        member.branch.name if member.branch else "",
                        staff_reference.category_name(code),
                        expiry,
                    )
                )
    return sorted(found, key=lambda s: (s.expiry_date, s.worker_id, s.category))
