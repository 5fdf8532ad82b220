"""The training section's rules: each staff member's training records with their status
as at the last day of the month, the snapshot the confirmed section saves (so a submitted
version holds the staff and training as they were when it was sent), the check-your-answers
rows, the audit log's view of a staff member or record, and putting a confirmed section
back to "in progress" when the records change. The pages are ``training`` (the section),
``training_staff`` and ``training_records``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.clock import utcnow
from portal.coverage import contract_branch_ids
from portal.display import long_date
from portal.extensions import db
from portal.mandatory import MandatorySet, mandatory_set
from portal.models import (
    MonthlyReturn,
    ReturnSection,
    SectionState,
    StaffMember,
    TrainingRecord,
)
from portal.pagination import Page
from portal.returns import service, staff_reference, training_status_rules
from portal.returns.calendar import last_day_of

CODE = "training"

STATUS_REPLACED = "replaced"  # an older record in a category with a later-expiring one
TAGS: dict[str, tuple[str, str]] = {
    training_status_rules.STATUS_UP_TO_DATE: ("Up to date", "govuk-tag--green"),
    training_status_rules.STATUS_EXPIRING: ("Expiring within 90 days", "govuk-tag--yellow"),
    training_status_rules.STATUS_EXPIRED: ("Expired", "govuk-tag--red"),
    training_status_rules.STATUS_MISSING: ("Missing", "govuk-tag--orange"),
    STATUS_REPLACED: ("Replaced by a later record", "govuk-tag--grey"),
}


def as_at_date(ret: MonthlyReturn) -> date:
    return last_day_of(ret.period)


# --- reading the records ------------------------------------------------------------


STAFF_PAGE_SIZE = 20  # staff members a page of the section shows, with all their training


def _active_staff(ret: MonthlyReturn):
    """The provider's staff at the branches the return's contract covers, less those who
    left before the month began."""
    return select(StaffMember).where(
        StaffMember.provider_id == ret.contract.provider_id,
        StaffMember.branch_id.in_(sorted(contract_branch_ids(ret.contract))),
        or_(StaffMember.left_on.is_(None), StaffMember.left_on >= ret.period),
    )


def active_staff(ret: MonthlyReturn) -> list[StaffMember]:
    """All of the return's staff (see ``_active_staff``) with their training."""
    return list(db.session.scalars(_with_training(_active_staff(ret))))


def _with_training(query):
    return query.options(
        selectinload(StaffMember.training), selectinload(StaffMember.branch)
    ).order_by(StaffMember.worker_id, StaffMember.id)


def active_staff_page(ret: MonthlyReturn, asked: Mapping[str, str]) -> tuple[list, Page]:
    """The page of the return's staff ``asked`` for (``?page=N``) and where it falls: a
    provider with thousands of staff gets pages, not one page of every record."""
    query = _active_staff(ret)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = Page.of(asked, STAFF_PAGE_SIZE, total)
    staff = db.session.scalars(_with_training(query).limit(page.size).offset(page.offset))
    return list(staff), page


@dataclass
class RecordRow:
    record: TrainingRecord
    name: str
    status: str  # a staff_rules status, or STATUS_REPLACED

    @property
    def tag(self) -> tuple[str, str]:
        return TAGS[self.status]


@dataclass
class StaffRow:
    member: StaffMember
    role: str
    records: list[RecordRow] = field(default_factory=list)
    missing: list[tuple[int, str]] = field(default_factory=list)  # (code, name)

    def counts(self) -> Counter:
        found = Counter(r.status for r in self.records if r.status != STATUS_REPLACED)
        found[training_status_rules.STATUS_MISSING] += len(self.missing)
        return found


def staff_rows(staff: list[StaffMember], as_at: date, mandatory: MandatorySet) -> list[StaffRow]:
    """Each member's records with their status, and the categories ``mandatory`` (the
    council's set) for their role that they have no record of."""
    rows = []
    for member in staff:
        current = {id(r) for r in training_status_rules.current_records(member.training).values()}
        records = sorted(
            member.training,
            key=lambda r: (staff_reference.category_name(r.category), r.date_completed or date.min),
        )
        have = {r.category for r in member.training}
        rows.append(
            StaffRow(
                member,
                staff_reference.job_role_name(member.main_job_role),
                [
                    RecordRow(
                        r,
                        staff_reference.category_name(r.category),
                        training_status_rules.training_status(r.expiry_date, as_at)
                        if id(r) in current
                        else STATUS_REPLACED,
                    )
                    for r in records
                ],
                sorted(
                    (
                        (c, staff_reference.category_name(c))
                        for c in mandatory.get(member.main_job_role, ())
                        if c not in have
                    ),
                    key=lambda item: item[1],
                ),
            )
        )
    return rows


def confirmed_snapshot(ret: MonthlyReturn) -> dict:
    """What confirming the section saves (web page and API alike): all of the return's
    staff and their training as at the month's end."""
    as_at = as_at_date(ret)
    mandatory = mandatory_set(ret.contract.council_id)
    return snapshot(staff_rows(active_staff(ret), as_at, mandatory), as_at)


def snapshot(rows: list[StaffRow], as_at: date) -> dict:
    """What the section saves when confirmed: the staff and training as at ``as_at``."""
    return {
        "confirmed": True,
        "as_at": as_at.isoformat(),
        "staff": [
            {
                "worker_id": row.member.worker_id,
                "job_role": row.member.main_job_role,
                "branch": row.member.branch.name if row.member.branch else "",
                "left_on": row.member.left_on.isoformat() if row.member.left_on else None,
                "training": [
                    {
                        "category": r.record.category,
                        "date_completed": iso_date(r.record.date_completed),
                        "expiry_date": r.record.expiry_date.isoformat()
                        if r.record.expiry_date
                        else None,
                        "status": training_status_rules.training_status(
                            r.record.expiry_date, as_at
                        ),
                        **({"replaced": True} if r.status == STATUS_REPLACED else {}),
                    }
                    for r in row.records
                ],
                "missing": [code for code, _ in row.missing],
            }
            for row in rows
        ],
    }


# --- check your answers ---------------------------------------------------------------


def summary(ret: MonthlyReturn, data: dict) -> list[dict]:
    if not data or not data.get("confirmed"):
        return [{"key": {"text": "Staff and training"}, "value": {"text": "Not confirmed"}}]
    staff = data.get("staff") or []
    try:
        as_at = long_date(date.fromisoformat(str(data.get("as_at"))))
    except ValueError:
        as_at = ""
    total: Counter = Counter()
    per_staff = []
    for member in staff:
        counts: Counter = Counter(
            r.get("status") for r in member.get("training") or [] if not r.get("replaced")
        )
        counts[training_status_rules.STATUS_MISSING] += len(member.get("missing") or [])
        total.update(counts)
        per_staff.append(
            {
                "key": {"text": f"Worker ID {member.get('worker_id', '')}"},
                "value": {
                    "text": f"{staff_reference.job_role_name(member.get('job_role'))}, "
                    f"{member.get('branch', '')}. Training: {_count_text(counts)}"
                },
            }
        )
    return [
        {"key": {"text": "Training status as at"}, "value": {"text": as_at}},
        {
            "key": {"text": "Staff"},
            "value": {"text": f"{len(staff)} staff member{'s' if len(staff) != 1 else ''}"},
        },
        {"key": {"text": "Training"}, "value": {"text": _count_text(total)}},
        *per_staff,
        {
            "key": {"text": "Confirmed"},
            "value": {"text": "Yes, all staff and their training have been added"},
        },
    ]


def _count_text(counts: Counter) -> str:
    parts = [
        f"{counts[s]} {training_status_rules.STATUS_LABELS[s].lower()}"
        for s in (
            training_status_rules.STATUS_UP_TO_DATE,
            training_status_rules.STATUS_EXPIRING,
            training_status_rules.STATUS_EXPIRED,
            training_status_rules.STATUS_MISSING,
        )
        if counts[s]
    ]
    return ", ".join(parts) if parts else "No training records"


# --- changes to the records ---------------------------------------------------------


def reopen_if_confirmed(ret: MonthlyReturn, sec: ReturnSection, user) -> bool:
    """Staff or training records changed after the section was confirmed: its snapshot no
    longer matches, so it goes back to in progress (audited). Returns whether it did."""
    if not (sec.state is SectionState.COMPLETED or (sec.data or {}).get("confirmed")):
        return False
    old = dict(sec.data or {})
    new = {**old, "confirmed": False}
    sec.data = new
    sec.state = SectionState.IN_PROGRESS
    sec.revision = ReturnSection.revision + 1  # in SQL: safe against a concurrent save
    sec.updated_by_id = user.id if user else None
    sec.updated_at = utcnow()
    service.audit(
        ret,
        user,
        "section-reopened",
        CODE,
        [{"field": "Staff and training confirmed", "old": "Yes", "new": "No"}],
    )
    return True


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def staff_dict(member: StaffMember) -> dict:
    """A staff member as the audit log records them."""
    return {
        "worker_id": member.worker_id,
        "branch": member.branch.name if member.branch else "",
        "main_job_role": member.main_job_role,
        "start_date": iso_date(member.start_date),
        "employment_status": member.employment_status,
        "zero_hours": member.zero_hours,
        "contracted_hours": member.contracted_hours,
        "hourly_rate": member.hourly_rate,
        "care_certificate": member.care_certificate,
        "health_care_visa": member.health_care_visa,
        "left_on": iso_date(member.left_on),
    }


def record_dict(record: TrainingRecord) -> dict:
    return {
        "category": record.category,
        "training_name": record.training_name,
        "accredited": record.accredited,
        "who_delivered": record.who_delivered,
        "provider_name": record.provider_name,
        "how_delivered": record.how_delivered,
        "validity": record.validity,
        "date_completed": iso_date(record.date_completed),
        "expiry_date": iso_date(record.expiry_date),
        "notes": record.notes,
    }
