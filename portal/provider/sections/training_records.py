"""The training section's training record pages: adding a record for a staff member and
removing one. Each change is audited in the same transaction and puts a confirmed section
back to "in progress" (``training_changes``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import flash, redirect, render_template, request
from flask_login import current_user

from forms.govuk_dates import date_text, form_date_parts
from portal import clock
from portal.provider.sections.training_changes import (
    code_items,
    error_list,
    record_from_query,
    refuse_if_locked,
    staff_from_query,
    url,
)
from portal.returns import staff_changes, staff_reference
from portal.returns import staff_rules as rules
from portal.returns.sections.training_rules import long_date
from portal.schemas.records import parse_training

if TYPE_CHECKING:
    from portal.models import MonthlyReturn, ReturnSection

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
    refused = refuse_if_locked(ret)
    if refused:
        return refused
    member = staff_from_query(ret)
    errors: dict[str, str] = {}
    form = request.form
    if request.method == "POST":
        values, errors = parse_training(  # TrainingRowSchema, as the upload's rules
            {
                **{name: form.get(name, "") for name in TRAINING_ORDER},
                "date_completed": date_text(form, "date_completed"),
                "expiry_date": date_text(form, "expiry_date"),
            },
            clock.today(),
        )
        if not errors:
            staff_changes.add_training(ret, sec, current_user, member, values)
            name = staff_reference.category_name(values["category"])
            flash(f"{name} training added for {member.worker_id}", "success")
            return redirect(url(ret))
    shown = {name: form.get(name, "") for name in TRAINING_ORDER}
    for name in TRAINING_DATES:
        shown[name] = form_date_parts(form, name)
    return render_template(
        "provider/returns/training_record_form.html",
        ret=ret,
        member=member,
        role=staff_reference.job_role_name(member.main_job_role),
        rules=rules,
        staff_reference=staff_reference,
        code_items=code_items,
        values=shown,
        errors=errors,
        error_list=error_list(errors, TRAINING_ORDER, TRAINING_DATES) if errors else None,
        action_url=url(ret, "add-training", staff=member.id),
        back_url=url(ret),
    ), (400 if errors else 200)


def remove_training(ret: MonthlyReturn, sec: ReturnSection):
    refused = refuse_if_locked(ret)
    if refused:
        return refused
    record = record_from_query(ret)
    member = record.staff_member
    if request.method == "POST":
        name = staff_reference.category_name(record.category)
        staff_changes.remove_training(ret, sec, current_user, record)
        flash(f"{name} training removed for {member.worker_id}", "success")
        return redirect(url(ret))
    return render_template(
        "provider/returns/training_remove_record.html",
        ret=ret,
        member=member,
        record=record,
        name=staff_reference.category_name(record.category),
        long_date=long_date,
        action_url=url(ret, "remove-training", record=record.id),
        back_url=url(ret),
    )
