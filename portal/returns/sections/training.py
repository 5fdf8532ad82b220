"""The training and staff section: a small provider keeps its staff and their training
records here (provider-level rows, shared by every return and, later, the bulk upload),
sees each record's status as at the last day of the month, and confirms the list. The
confirmation saves a snapshot, so the submitted version holds the staff and training as
they were when the return was sent.

Staff and training changes are allowed only while the return can be changed. Each one is
audited in the same transaction; one made after the section was confirmed puts the
section back to "in progress" (the snapshot no longer matches the records)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from flask import abort, flash, redirect, render_template, request
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from forms import messages
from portal.extensions import db
from portal.mandatory import (
    DEFAULT_MANDATORY_CATEGORIES as DEFAULT_MANDATORY_CATEGORIES,  # re-exported: it lived here
)
from portal.mandatory import (
    MandatorySet,
    mandatory_set,
)
from portal.models import (
    Branch,
    MonthlyReturn,
    ReturnSection,
    ReturnStatus,
    SectionState,
    StaffMember,
    TrainingRecord,
)
from portal.returns import service
from portal.returns import staff_rules as rules
from portal.returns.calendar import last_day_of
from portal.returns.sections import common
from portal.timeutil import utcnow

CODE = "training"

STATUS_REPLACED = "replaced"  # an older record in a category with a later-expiring one
TAGS: dict[str, tuple[str, str]] = {
    rules.STATUS_UP_TO_DATE: ("Up to date", "govuk-tag--green"),
    rules.STATUS_EXPIRING: ("Expiring within 90 days", "govuk-tag--yellow"),
    rules.STATUS_EXPIRED: ("Expired", "govuk-tag--red"),
    rules.STATUS_MISSING: ("Missing", "govuk-tag--orange"),
    STATUS_REPLACED: ("Replaced by a later record", "govuk-tag--grey"),
}
_ID = re.compile(r"[0-9]{1,12}")


def as_at_date(ret: MonthlyReturn) -> date:
    return last_day_of(ret.period)


def long_date(value: date | None) -> str:
    return value.strftime("%-d %B %Y") if value else ""


# --- reading the records ------------------------------------------------------------


def active_staff(ret: MonthlyReturn) -> list[StaffMember]:
    """The provider's staff, less those who left before the month began."""
    return list(
        db.session.scalars(
            select(StaffMember)
            .where(
                StaffMember.provider_id == ret.contract.provider_id,
                or_(StaffMember.left_on.is_(None), StaffMember.left_on >= ret.period),
            )
            .options(selectinload(StaffMember.training), selectinload(StaffMember.branch))
            .order_by(StaffMember.worker_id)
        )
    )


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
        found[rules.STATUS_MISSING] += len(self.missing)
        return found


def staff_rows(staff: list[StaffMember], as_at: date, mandatory: MandatorySet) -> list[StaffRow]:
    """Each member's records with their status, and the categories ``mandatory`` (the
    council's set) for their role that they have no record of."""
    rows = []
    for member in staff:
        categories = {r.category for r in member.training}
        current = {id(rules.current_record(member.training, c)) for c in categories}
        records = sorted(
            member.training, key=lambda r: (rules.category_name(r.category), r.date_completed)
        )
        have = {r.category for r in member.training}
        rows.append(
            StaffRow(
                member,
                rules.job_role_name(member.main_job_role),
                [
                    RecordRow(
                        r,
                        rules.category_name(r.category),
                        rules.training_status(r.expiry_date, as_at)
                        if id(r) in current
                        else STATUS_REPLACED,
                    )
                    for r in records
                ],
                sorted(
                    (
                        (c, rules.category_name(c))
                        for c in mandatory.get(member.main_job_role, ())
                        if c not in have
                    ),
                    key=lambda item: item[1],
                ),
            )
        )
    return rows


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
                        "date_completed": r.record.date_completed.isoformat(),
                        "expiry_date": r.record.expiry_date.isoformat()
                        if r.record.expiry_date
                        else None,
                        "status": rules.training_status(r.record.expiry_date, as_at),
                        **({"replaced": True} if r.status == STATUS_REPLACED else {}),
                    }
                    for r in row.records
                ],
                "missing": [code for code, _ in row.missing],
            }
            for row in rows
        ],
    }


# --- the section page ---------------------------------------------------------------


def view(ret: MonthlyReturn, sec: ReturnSection):
    as_at = as_at_date(ret)
    staff = active_staff(ret)
    mandatory = mandatory_set(ret.contract.council_id)
    errors: dict[str, str] = {}
    stale = None
    status = 200
    if request.method == "POST":
        if request.form.get("confirmed") != "yes":
            errors["confirmed"] = messages.TRAINING_CONFIRM_REQUIRED
        elif not staff:
            errors["confirmed"] = messages.TRAINING_NO_STAFF
        if errors:
            status = 400
        else:
            rows = staff_rows(staff, as_at, mandatory)
            stale = common.save(ret, sec, snapshot(rows, as_at), True)
            if stale is None:
                return redirect(common.next_url(ret, CODE))
            status = 409
            staff = active_staff(ret)
    confirmed = (
        request.method != "POST"
        and sec.state is SectionState.COMPLETED
        and bool((sec.data or {}).get("confirmed"))
    )
    return render_template(
        "returns/section_training.html",
        ret=ret,
        sec=sec,
        rows=staff_rows(staff, as_at, mandatory),
        as_at=as_at,
        long_date=long_date,
        editable=service.can_edit(ret),
        checked=confirmed,
        errors=errors,
        error_list=[{"text": errors["confirmed"], "href": "#confirmed"}] if errors else None,
        revision=stale.revision if stale else sec.revision,
        stale=stale,
        stale_message=common.stale_message(stale) if stale else None,
        missing_tag=TAGS[rules.STATUS_MISSING],
    ), status


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
        counts[rules.STATUS_MISSING] += len(member.get("missing") or [])
        total.update(counts)
        per_staff.append(
            {
                "key": {"text": f"Worker ID {member.get('worker_id', '')}"},
                "value": {
                    "text": f"{rules.job_role_name(member.get('job_role'))}, "
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
        f"{counts[s]} {rules.STATUS_LABELS[s].lower()}"
        for s in (
            rules.STATUS_UP_TO_DATE,
            rules.STATUS_EXPIRING,
            rules.STATUS_EXPIRED,
            rules.STATUS_MISSING,
        )
        if counts[s]
    ]
    return ", ".join(parts) if parts else "No training records"


# --- helpers for the actions --------------------------------------------------------


def _url(ret: MonthlyReturn, action: str | None = None, **args) -> str:
    from portal.returns.views import return_url

    if action is None:
        return return_url(ret, "edit_section", code=CODE)
    return return_url(ret, "section_action", code=CODE, action=action, **args)


def _refuse_if_locked(ret: MonthlyReturn):
    """Staff and training change only while the return can be changed (views.py refuses
    the POSTs; this sends the GETs back to the task list too)."""
    if service.can_edit(ret):
        return None
    from portal.returns.views import refuse_if_locked

    return refuse_if_locked(ret)


def _query_id(name: str) -> int:
    raw = request.args.get(name, "")
    if not _ID.fullmatch(raw):
        abort(404)
    return int(raw)


def _staff_from_query(ret: MonthlyReturn) -> StaffMember:
    member = db.session.scalar(
        select(StaffMember).where(
            StaffMember.id == _query_id("staff"),
            StaffMember.provider_id == ret.contract.provider_id,
        )
    )
    if member is None:
        abort(404)
    return member


def _record_from_query(ret: MonthlyReturn) -> TrainingRecord:
    record = db.session.scalar(
        select(TrainingRecord)
        .join(StaffMember)
        .where(
            TrainingRecord.id == _query_id("record"),
            StaffMember.provider_id == ret.contract.provider_id,
        )
    )
    if record is None:
        abort(404)
    return record


def _branches(ret: MonthlyReturn) -> list[Branch]:
    return list(
        db.session.scalars(
            select(Branch)
            .where(Branch.provider_id == ret.contract.provider_id)
            .order_by(Branch.name, Branch.id)
        )
    )


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
    service.audit(ret, user, "section-reopened", CODE, service.diff(old, new))
    return True


def _records_changed(ret: MonthlyReturn, sec: ReturnSection) -> None:
    """Call in the transaction of a staff or training change: a confirmed section goes
    back to in progress (audited); a section not started becomes in progress."""
    if not reopen_if_confirmed(ret, sec, current_user) and sec.state is SectionState.NOT_STARTED:
        sec.state = SectionState.IN_PROGRESS
    if ret.status is ReturnStatus.NOT_STARTED:
        ret.status = ReturnStatus.IN_PROGRESS


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def staff_dict(member: StaffMember) -> dict:
    """A staff member as the audit log records them."""
    return {
        "worker_id": member.worker_id,
        "branch": member.branch.name if member.branch else "",
        "main_job_role": member.main_job_role,
        "start_date": _iso(member.start_date),
        "employment_status": member.employment_status,
        "zero_hours": member.zero_hours,
        "contracted_hours": member.contracted_hours,
        "hourly_rate": member.hourly_rate,
        "care_certificate": member.care_certificate,
        "health_care_visa": member.health_care_visa,
        "left_on": _iso(member.left_on),
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
        "date_completed": _iso(record.date_completed),
        "expiry_date": _iso(record.expiry_date),
        "notes": record.notes,
    }


def _audit(ret: MonthlyReturn, action: str, old: dict, new: dict) -> None:
    service.audit(ret, current_user, action, CODE, service.diff(old, new))


def _date_text(form, name: str) -> str:
    parts = [(form.get(f"{name}-{part}") or "").strip() for part in ("day", "month", "year")]
    return "/".join(parts) if any(parts) else ""


def _date_parts(form, name: str) -> dict:
    return {part: form.get(f"{name}-{part}", "") for part in ("day", "month", "year")}


def _parts_of(value: date | None) -> dict:
    if value is None:
        return {"day": "", "month": "", "year": ""}
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}


def _error_list(errors: dict[str, str], order: list[str], dates: set[str]) -> list[dict]:
    return [
        {"text": errors[name], "href": f"#{name}-day" if name in dates else f"#{name}"}
        for name in order
        if name in errors
    ]


def code_items(codes: dict[int, str]) -> list[dict]:
    """Radio items from an ASC-WDS code table."""
    return [{"value": str(code), "text": text} for code, text in codes.items()]


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "2"
    return str(value)


# --- adding and changing a staff member ---------------------------------------------

STAFF_ORDER = [
    "worker_id",
    "branch",
    "main_job_role",
    "start_date",
    "employment_status",
    "zero_hours",
    "contracted_hours",
    "hourly_rate",
    "care_certificate",
    "health_care_visa",
]


def _staff_form(ret: MonthlyReturn, sec: ReturnSection, member: StaffMember | None):
    refused = _refuse_if_locked(ret)
    if refused:
        return refused
    branches = _branches(ret)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        values, errors = rules.validate_staff(
            {
                **{name: form.get(name, "") for name in STAFF_ORDER},
                "start_date": _date_text(form, "start_date"),
            },
            service.today(),
        )
        branch = next((b for b in branches if str(b.id) == form.get("branch", "")), None)
        if branch is None:
            errors["branch"] = messages.BRANCH_REQUIRED
        if "worker_id" in values and _worker_id_taken(ret, values["worker_id"], member):
            errors["worker_id"] = messages.WORKER_ID_TAKEN
        if not errors:
            saved = _save_staff(ret, sec, member, values, branch)
            if saved:
                return saved
            errors["worker_id"] = messages.WORKER_ID_TAKEN  # taken at the same moment
        shown = {name: form.get(name, "") for name in STAFF_ORDER}
        shown["start_date"] = _date_parts(form, "start_date")
    elif member is not None:
        shown = {
            "worker_id": member.worker_id,
            "branch": str(member.branch_id),
            "main_job_role": _plain(member.main_job_role),
            "start_date": _parts_of(member.start_date),
            "employment_status": _plain(member.employment_status),
            "zero_hours": _plain(member.zero_hours),
            "contracted_hours": _plain(member.contracted_hours),
            "hourly_rate": _plain(member.hourly_rate),
            "care_certificate": _plain(member.care_certificate),
            "health_care_visa": _plain(member.health_care_visa),
        }
    else:
        shown = {name: "" for name in STAFF_ORDER}
        shown["start_date"] = _parts_of(None)
        if len(branches) == 1:
            shown["branch"] = str(branches[0].id)
    return render_template(
        "returns/training_staff_form.html",
        ret=ret,
        member=member,
        branch_items=[{"value": "", "text": "Select a branch"}]
        + [{"value": str(b.id), "text": b.name} for b in branches],
        role_items=[{"value": "", "text": "Select a job role"}]
        + [
            {"value": str(r.code), "text": r.name}
            for r in sorted(rules.job_roles().values(), key=lambda r: r.name)
        ],
        rules=rules,
        code_items=code_items,
        values=shown,
        errors=errors,
        error_list=_error_list(errors, STAFF_ORDER, {"start_date"}) if errors else None,
        action_url=_url(ret, "edit-staff", staff=member.id) if member else _url(ret, "add-staff"),
        back_url=_url(ret),
    ), (400 if errors else 200)


def _worker_id_taken(ret: MonthlyReturn, worker_id: str, member: StaffMember | None) -> bool:
    """Worker IDs are unique within the provider, ignoring case ("ab1" and "AB1" would be
    the same person in a spreadsheet)."""
    query = select(StaffMember.id).where(
        StaffMember.provider_id == ret.contract.provider_id,
        func.lower(StaffMember.worker_id) == worker_id.lower(),
    )
    if member is not None:
        query = query.where(StaffMember.id != member.id)
    return db.session.scalar(query.limit(1)) is not None


def _save_staff(ret, sec, member: StaffMember | None, values: dict, branch: Branch):
    adding = member is None
    old = {} if adding else {"staff": {member.worker_id: staff_dict(member)}}
    key = values["worker_id"] if adding else member.worker_id
    if adding:
        member = StaffMember(provider_id=ret.contract.provider_id)
        db.session.add(member)
    member.branch = branch
    for name in STAFF_ORDER:
        if name != "branch":
            setattr(member, name, values.get(name))
    new = {"staff": {key: staff_dict(member)}}
    changes = service.diff(old, new)
    if not changes:
        return redirect(_url(ret))
    service.audit(ret, current_user, "add-staff" if adding else "edit-staff", CODE, changes)
    _records_changed(ret, sec)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    flash(f"Staff member {values['worker_id']} {'added' if adding else 'updated'}", "success")
    return redirect(_url(ret))


def add_staff(ret: MonthlyReturn, sec: ReturnSection):
    return _staff_form(ret, sec, None)


def edit_staff(ret: MonthlyReturn, sec: ReturnSection):
    return _staff_form(ret, sec, _staff_from_query(ret))


def remove_staff(ret: MonthlyReturn, sec: ReturnSection):
    """They have left (we keep them, with the date they left, so earlier months still
    show them) or they were added by mistake (deleted with their training records)."""
    refused = _refuse_if_locked(ret)
    if refused:
        return refused
    member = _staff_from_query(ret)
    errors: dict[str, str] = {}
    reason = request.form.get("reason", "")
    left_parts = _date_parts(request.form, "left_on")
    if request.method == "POST":
        if reason == "left":
            left_on, error = rules.parse_date(
                _date_text(request.form, "left_on"), "Date they left", service.today()
            )
            if error:
                errors["left_on"] = error
            elif member.start_date and left_on < member.start_date:
                errors["left_on"] = messages.LEFT_BEFORE_START
            else:
                old = {"staff": {member.worker_id: {"left_on": _iso(member.left_on)}}}
                member.left_on = left_on
                _audit(ret, "remove-staff", old, {"staff": {member.worker_id: {
                    "left_on": _iso(left_on)}}})  # fmt: skip
                _records_changed(ret, sec)
                db.session.commit()
                flash(f"Staff member {member.worker_id} marked as left", "success")
                return redirect(_url(ret))
        elif reason == "mistake":
            worker = member.worker_id
            old = {
                "staff": {
                    worker: {
                        **staff_dict(member),
                        "training": {str(r.id): record_dict(r) for r in member.training},
                    }
                }
            }
            for record in list(member.training):
                db.session.delete(record)
            db.session.delete(member)
            _audit(ret, "remove-staff", old, {})
            _records_changed(ret, sec)
            db.session.commit()
            flash(f"Staff member {worker} removed", "success")
            return redirect(_url(ret))
        else:
            errors["reason"] = messages.REMOVE_REASON_REQUIRED
    else:
        left_parts = _parts_of(member.left_on)
    return render_template(
        "returns/training_remove_staff.html",
        ret=ret,
        member=member,
        role=rules.job_role_name(member.main_job_role),
        reason=reason,
        left_parts=left_parts,
        errors=errors,
        error_list=_error_list(errors, ["reason", "left_on"], {"left_on"}) if errors else None,
        action_url=_url(ret, "remove-staff", staff=member.id),
        back_url=_url(ret),
    ), (400 if errors else 200)


# --- training records ---------------------------------------------------------------

TRAINING_ORDER = [
    "category",
    "training_name",
    "date_completed",
    "expiry_date",
    "validity",
    "accredited",
    "who_delivered",
    "provider_name",
    "how_delivered",
    "notes",
]
TRAINING_DATES = {"date_completed", "expiry_date"}


def add_training(ret: MonthlyReturn, sec: ReturnSection):
    refused = _refuse_if_locked(ret)
    if refused:
        return refused
    member = _staff_from_query(ret)
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        values, errors = rules.validate_training(
            {
                **{name: form.get(name, "") for name in TRAINING_ORDER},
                "date_completed": _date_text(form, "date_completed"),
                "expiry_date": _date_text(form, "expiry_date"),
            },
            service.today(),
        )
        if not errors:
            record = TrainingRecord(staff_id=member.id, **values)
            db.session.add(record)
            db.session.flush()
            _audit(
                ret,
                "add-training",
                {},
                {"staff": {member.worker_id: {"training": {str(record.id): record_dict(record)}}}},
            )
            _records_changed(ret, sec)
            db.session.commit()
            flash(
                f"{rules.category_name(values['category'])} training added for {member.worker_id}",
                "success",
            )
            return redirect(_url(ret))
    shown = {name: form.get(name, "") for name in TRAINING_ORDER}
    for name in TRAINING_DATES:
        shown[name] = _date_parts(form, name)
    return render_template(
        "returns/training_record_form.html",
        ret=ret,
        member=member,
        role=rules.job_role_name(member.main_job_role),
        rules=rules,
        code_items=code_items,
        values=shown,
        errors=errors,
        error_list=_error_list(errors, TRAINING_ORDER, TRAINING_DATES) if errors else None,
        action_url=_url(ret, "add-training", staff=member.id),
        back_url=_url(ret),
    ), (400 if errors else 200)


def remove_training(ret: MonthlyReturn, sec: ReturnSection):
    refused = _refuse_if_locked(ret)
    if refused:
        return refused
    record = _record_from_query(ret)
    member = record.staff_member
    if request.method == "POST":
        old = {"staff": {member.worker_id: {"training": {str(record.id): record_dict(record)}}}}
        name = rules.category_name(record.category)
        db.session.delete(record)
        _audit(ret, "remove-training", old, {})
        _records_changed(ret, sec)
        db.session.commit()
        flash(f"{name} training removed for {member.worker_id}", "success")
        return redirect(_url(ret))
    return render_template(
        "returns/training_remove_record.html",
        ret=ret,
        member=member,
        record=record,
        name=rules.category_name(record.category),
        long_date=long_date,
        action_url=_url(ret, "remove-training", record=record.id),
        back_url=_url(ret),
    )


actions = {
    "add-staff": add_staff,
    "edit-staff": edit_staff,
    "remove-staff": remove_staff,
    "add-training": add_training,
    "remove-training": remove_training,
}
