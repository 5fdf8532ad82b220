"""The training section's training record pages: adding a record for a staff member and
removing one. Each change is audited in the same transaction and puts a confirmed section
back to "in progress" (``training_changes``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request

from forms.govuk_dates import date_text, form_date_parts
from portal import clock
from portal.extensions import db
from portal.models import MonthlyReturn, ReturnSection, TrainingRecord
from portal.provider.sections.training_changes import (
    audit,
    code_items,
    error_list,
    record_from_query,
    records_changed,
    refuse_if_locked,
    staff_from_query,
    url,
)
from portal.returns import staff_reference
from portal.returns import staff_rules as rules
from portal.returns.sections.training_rules import long_date, record_dict

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
        values, errors = rules.validate_training(
            {
                **{name: form.get(name, "") for name in TRAINING_ORDER},
                "date_completed": date_text(form, "date_completed"),
                "expiry_date": date_text(form, "expiry_date"),
            },
            clock.today(),
        )
        if not errors:
            record = TrainingRecord(staff_id=member.id, **values)
            db.session.add(record)
            db.session.flush()
            audit(
                ret,
                "add-training",
                {},
                {"staff": {member.worker_id: {"training": {str(record.id): record_dict(record)}}}},
            )
            records_changed(ret, sec)
            db.session.commit()
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
        old = {"staff": {member.worker_id: {"training": {str(record.id): record_dict(record)}}}}
        name = staff_reference.category_name(record.category)
        db.session.delete(record)
        audit(ret, "remove-training", old, {})
        records_changed(ret, sec)
        db.session.commit()
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
