"""Queries about a provider's staff records, training records and branches. Every lookup
is filtered by the provider named in the URL; every list has an order."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Branch, StaffMember, TrainingRecord


def provider_staff_member(provider_id: int, staff_id: int) -> StaffMember | None:
    """One of the provider's staff members; None for another provider's."""
    return db.session.scalar(
        select(StaffMember).where(
            StaffMember.id == staff_id,
            StaffMember.provider_id == provider_id,
        )
    )


def provider_training_record(provider_id: int, record_id: int) -> TrainingRecord | None:
    """A training record of one of the provider's staff; None for another provider's."""
    return db.session.scalar(
        select(TrainingRecord)
        .join(StaffMember)
        .where(
            TrainingRecord.id == record_id,
            StaffMember.provider_id == provider_id,
        )
    )


def provider_branches(provider_id: int) -> list[Branch]:
    """The provider's branches, by name."""
    return list(
        db.session.scalars(
            select(Branch).where(Branch.provider_id == provider_id).order_by(Branch.name, Branch.id)
        )
    )


def worker_id_taken(provider_id: int, worker_id: str, except_staff_id: int | None = None) -> bool:
    """Whether another of the provider's staff has this worker ID, ignoring case ("ab1"
    and "AB1" would be the same person in a spreadsheet)."""
    query = select(StaffMember.id).where(
        StaffMember.provider_id == provider_id,
        func.lower(StaffMember.worker_id) == worker_id.lower(),
    )
    if except_staff_id is not None:
        query = query.where(StaffMember.id != except_staff_id)
    return db.session.scalar(query.limit(1)) is not None
