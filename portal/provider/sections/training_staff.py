"""The training section's staff pages: adding a staff member, changing their details, and
removing them (they left, or were added by mistake). Each change is audited in the same
transaction and puts a confirmed section back to "in progress" (``training_changes``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import flash, redirect, render_template, request
from flask_login import current_user

from forms import messages
from forms.govuk_dates import date_text, form_date_parts, split_date
from portal import clock
from portal.provider.sections.training_changes import (
    code_items,
    error_list,
    refuse_if_locked,
    staff_from_query,
    url,
)
from portal.queries import staff as staff_queries
from portal.returns import staff_changes, staff_reference
from portal.returns import staff_rules as rules
from portal.schemas.records import parse_staff

if TYPE_CHECKING:
    from portal.models import Branch, MonthlyReturn, ReturnSection, StaffMember

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


def _branches(ret: MonthlyReturn) -> list[Branch]:
    return staff_queries.provider_branches(ret.contract.provider_id)


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "2"
    return str(value)


# --- adding and changing a staff member ---------------------------------------------


def _staff_form(ret: MonthlyReturn, sec: ReturnSection, member: StaffMember | None):
    refused = refuse_if_locked(ret)
    if refused:
        return refused
    branches = _branches(ret)
    errors: dict[str, str] = {}
    if request.method == "POST":
        saved, errors = _post_staff(ret, sec, member, branches)
        if saved:
            return saved
        shown = {name: request.form.get(name, "") for name in STAFF_ORDER}
        shown["start_date"] = form_date_parts(request.form, "start_date")
    else:
        shown = _shown(member, branches)
    return render_template(
        "provider/returns/training_staff_form.html",
        ret=ret,
        member=member,
        branch_items=[{"value": "", "text": "Select a branch"}]
        + [{"value": str(b.id), "text": b.name} for b in branches],
        role_items=[{"value": "", "text": "Select a job role"}]
        + [
            {"value": str(r.code), "text": r.name}
            for r in sorted(staff_reference.job_roles().values(), key=lambda r: r.name)
        ],
        rules=rules,
        code_items=code_items,
        values=shown,
        errors=errors,
        error_list=error_list(errors, STAFF_ORDER, {"start_date"}) if errors else None,
        action_url=url(ret, "edit-staff", staff=member.id) if member else url(ret, "add-staff"),
        back_url=url(ret),
    ), (400 if errors else 200)


def _post_staff(ret: MonthlyReturn, sec: ReturnSection, member, branches: list[Branch]):
    """(the redirect once saved, else the errors by field name)."""
    form = request.form
    values, errors = parse_staff(  # StaffRowSchema: the rules the upload and API use
        {
            **{name: form.get(name, "") for name in STAFF_ORDER},
            "start_date": date_text(form, "start_date"),
        },
        clock.today(),
    )
    branch = next((b for b in branches if str(b.id) == form.get("branch", "")), None)
    if branch is None:
        errors["branch"] = messages.BRANCH_REQUIRED
    if "worker_id" in values and _worker_id_taken(ret, values["worker_id"], member):
        errors["worker_id"] = messages.WORKER_ID_TAKEN
    if errors:
        return None, errors
    saved = _save_staff(ret, sec, member, values, branch)
    if saved:
        return saved, {}
    return None, {"worker_id": messages.WORKER_ID_TAKEN}  # taken at the same moment


def _shown(member: StaffMember | None, branches: list[Branch]) -> dict:
    """The form's boxes on a GET: the member's details, or blank for a new one (with the
    branch chosen when the provider has only one)."""
    if member is None:
        shown = {name: "" for name in STAFF_ORDER}
        shown["start_date"] = split_date(None)
        if len(branches) == 1:
            shown["branch"] = str(branches[0].id)
        return shown
    return {
        "worker_id": member.worker_id,
        "branch": str(member.branch_id),
        "main_job_role": _plain(member.main_job_role),
        "start_date": split_date(member.start_date),
        "employment_status": _plain(member.employment_status),
        "zero_hours": _plain(member.zero_hours),
        "contracted_hours": _plain(member.contracted_hours),
        "hourly_rate": _plain(member.hourly_rate),
        "care_certificate": _plain(member.care_certificate),
        "health_care_visa": _plain(member.health_care_visa),
    }


def _worker_id_taken(ret: MonthlyReturn, worker_id: str, member: StaffMember | None) -> bool:
    """Worker IDs are unique within the provider, ignoring case."""
    return staff_queries.worker_id_taken(
        ret.contract.provider_id, worker_id, member.id if member is not None else None
    )


def _save_staff(ret, sec, member: StaffMember | None, values: dict, branch: Branch):
    adding = member is None
    saved = staff_changes.save_staff(ret, sec, current_user, member, values, branch)
    if saved is None:
        return None
    if saved:
        flash(f"Staff member {values['worker_id']} {'added' if adding else 'updated'}", "success")
    return redirect(url(ret))


def add_staff(ret: MonthlyReturn, sec: ReturnSection):
    return _staff_form(ret, sec, None)


def edit_staff(ret: MonthlyReturn, sec: ReturnSection):
    return _staff_form(ret, sec, staff_from_query(ret))


def remove_staff(ret: MonthlyReturn, sec: ReturnSection):
    """They have left (we keep them, with the date they left, so earlier months still
    show them) or they were added by mistake (deleted with their training records)."""
    refused = refuse_if_locked(ret)
    if refused:
        return refused
    member = staff_from_query(ret)
    errors: dict[str, str] = {}
    reason = request.form.get("reason", "")
    left_parts = form_date_parts(request.form, "left_on")
    if request.method != "POST":
        left_parts = split_date(member.left_on)
    elif reason == "left":
        errors = _mark_left(ret, sec, member)
        if not errors:
            flash(f"Staff member {member.worker_id} marked as left", "success")
            return redirect(url(ret))
    elif reason == "mistake":
        worker = member.worker_id
        _delete_staff(ret, sec, member)
        flash(f"Staff member {worker} removed", "success")
        return redirect(url(ret))
    else:
        errors["reason"] = messages.REMOVE_REASON_REQUIRED
    return render_template(
        "provider/returns/training_remove_staff.html",
        ret=ret,
        member=member,
        role=staff_reference.job_role_name(member.main_job_role),
        reason=reason,
        left_parts=left_parts,
        errors=errors,
        error_list=error_list(errors, ["reason", "left_on"], {"left_on"}) if errors else None,
        action_url=url(ret, "remove-staff", staff=member.id),
        back_url=url(ret),
    ), (400 if errors else 200)


def _mark_left(ret: MonthlyReturn, sec: ReturnSection, member: StaffMember) -> dict[str, str]:
    """Record the date they left (committed), or the error with it."""
    left_on, error = rules.parse_date(
        date_text(request.form, "left_on"), "Date they left", clock.today()
    )
    if error:
        return {"left_on": error}
    if member.start_date and left_on < member.start_date:
        return {"left_on": messages.LEFT_BEFORE_START}
    staff_changes.mark_left(ret, sec, current_user, member, left_on)
    return {}


def _delete_staff(ret: MonthlyReturn, sec: ReturnSection, member: StaffMember) -> None:
    """Added by mistake: delete them and their training records (committed)."""
    staff_changes.delete_staff(ret, sec, current_user, member)
