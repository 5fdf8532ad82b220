"""Changing a provider's staff and training records from the training section of a
return: each change is audited in the same transaction, puts a confirmed section back to
"in progress" (or a section not started to "in progress") and is committed here."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import StaffMember, TrainingRecord
from portal.returns import service
from portal.returns.sections.training_rules import (
    CODE,
    iso_date,
    record_dict,
    reopen_if_confirmed,
    staff_dict,
)
from portal.returns.training_changes import staff_edit_changes
from portal.vocabulary import ReturnStatus, SectionState

if TYPE_CHECKING:
    from portal.models import Branch, MonthlyReturn, ReturnSection, User

# The staff member's fields a page sets (the branch is set from the Branch row).
STAFF_FIELDS = (
    "worker_id",
    "main_job_role",
    "start_date",
    "employment_status",
    "zero_hours",
    "contracted_hours",
    "hourly_rate",
    "care_certificate",
    "health_care_visa",
)


def records_changed(ret: MonthlyReturn, sec: ReturnSection, user: User | None) -> None:
    """Call in the transaction of a staff or training change: a confirmed section goes
    back to in progress (audited); a section not started becomes in progress."""
    if not reopen_if_confirmed(ret, sec, user) and sec.state is SectionState.NOT_STARTED:
        sec.state = SectionState.IN_PROGRESS
    if ret.status is ReturnStatus.NOT_STARTED:
        ret.status = ReturnStatus.IN_PROGRESS


def audit(ret: MonthlyReturn, user: User | None, action: str, old: dict, new: dict) -> None:
    rows = [c.as_row() for c in staff_edit_changes(old, new)]
    service.audit(ret, user, action, CODE, rows)


def add_training(
    ret: MonthlyReturn, sec: ReturnSection, user: User | None, member: StaffMember, values: dict
) -> TrainingRecord:
    """Add a training record for the staff member (committed)."""
    record = TrainingRecord(staff_id=member.id, **values)
    db.session.add(record)
    db.session.flush()
    audit(
        ret,
        user,
        "add-training",
        {},
        {"staff": {member.worker_id: {"training": {str(record.id): record_dict(record)}}}},
    )
    records_changed(ret, sec, user)
    db.session.commit()
    return record


def remove_training(
    ret: MonthlyReturn, sec: ReturnSection, user: User | None, record: TrainingRecord
) -> None:
    """Delete a training record (committed)."""
    member = record.staff_member
    old = {"staff": {member.worker_id: {"training": {str(record.id): record_dict(record)}}}}
    db.session.delete(record)
    audit(ret, user, "remove-training", old, {})
    records_changed(ret, sec, user)
    db.session.commit()


def save_staff(
    ret: MonthlyReturn,
    sec: ReturnSection,
    user: User | None,
    member: StaffMember | None,
    values: dict,
    branch: Branch,
) -> bool | None:
    """Add a staff member (``member`` None) or change one. True when saved (committed),
    False when nothing changed, None when the worker ID was taken at the same moment."""
    adding = member is None
    old = {} if adding else {"staff": {member.worker_id: staff_dict(member)}}
    key = values["worker_id"] if adding else member.worker_id
    if adding:
        member = StaffMember(provider_id=ret.contract.provider_id)
        db.session.add(member)
    member.branch = branch
    for name in STAFF_FIELDS:
        setattr(member, name, values.get(name))
    new = {"staff": {key: staff_dict(member)}}
    if not service.diff(old, new):
        return False
    audit(ret, user, "add-staff" if adding else "edit-staff", old, new)
    records_changed(ret, sec, user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return True


def mark_left(
    ret: MonthlyReturn, sec: ReturnSection, user: User | None, member: StaffMember, left_on: date
) -> None:
    """Record the date a staff member left (committed); they stay so that earlier months
    still show them."""
    old = {"staff": {member.worker_id: {"left_on": iso_date(member.left_on)}}}
    member.left_on = left_on
    audit(
        ret,
        user,
        "remove-staff",
        old,
        {"staff": {member.worker_id: {"left_on": iso_date(left_on)}}},
    )
    records_changed(ret, sec, user)
    db.session.commit()


def delete_staff(
    ret: MonthlyReturn, sec: ReturnSection, user: User | None, member: StaffMember
) -> None:
    """Added by mistake: delete them and their training records (committed)."""
    old = {
        "staff": {
            member.worker_id: {
                **staff_dict(member),
                "training": {str(r.id): record_dict(r) for r in member.training},
            }
        }
    }
    for record in list(member.training):
        db.session.delete(record)
    db.session.delete(member)
    audit(ret, user, "remove-staff", old, {})
    records_changed(ret, sec, user)
    db.session.commit()
