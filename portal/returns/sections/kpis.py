"""The KPI section: the month's counts, checked against each other, with percentages and
RAG against the framework's targets shown as the user types (htmx) and after saving."""

from __future__ import annotations

from decimal import Decimal

from flask import redirect, render_template, request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, StringField, SubmitField

from portal.models import MonthlyReturn, ReturnSection
from portal.returns import kpis
from portal.returns.sections import common
from portal.returns.warnings import SoftWarning, numeric_warnings

GROUPS: list[tuple[str, list[str]]] = [
    (
        "Visits",
        ["planned_visits", "delivered_visits", "missed_visits", "on_time_visits", "ecm_visits"],
    ),
    ("Hours", ["commissioned_hours", "delivered_hours"]),
    ("Referrals", ["referrals_offered", "referrals_accepted", "packages_started_on_time"]),
    ("Complaints, compliments and safeguarding", ["complaints", "compliments",
                                                  "safeguarding_concerns"]),
    ("Reviews", ["users_reviewed", "outcomes_met"]),
]  # fmt: skip


def _form_class() -> type[FlaskForm]:
    fields = {
        c.name: StringField(c.label, widget=GovTextInput(), description=c.hint) for c in kpis.COUNTS
    }
    fields["revision"] = HiddenField()
    fields["submit"] = SubmitField("Save and continue", widget=GovSubmitInput())
    return type("KpiForm", (FlaskForm,), fields)


KpiForm = _form_class()


def definitions(ret: MonthlyReturn) -> list[kpis.KpiDefinition]:
    return kpis.definitions_for(ret.contract.framework_id, ret.period)


def soft_warnings(ret: MonthlyReturn, values: dict) -> list[SoftWarning]:
    found = numeric_warnings(values, common.previous_section_data(ret, "kpis"), kpis.LABELS)
    delivered, commissioned = values.get("delivered_hours"), values.get("commissioned_hours")
    if delivered and commissioned and Decimal(delivered) > Decimal(commissioned):
        found.append(
            SoftWarning(
                "delivered_hours:over_commissioned",
                "delivered_hours",
                f"Delivered hours ({delivered}) are more than commissioned hours ({commissioned})",
            )
        )
    return found


def view(ret: MonthlyReturn, sec: ReturnSection):
    saved = sec.data or {}
    form = KpiForm(data={**saved, "revision": sec.revision})
    stale = None
    warnings: list[SoftWarning] = soft_warnings(ret, saved) if saved else []
    confirmed = list(sec.confirmed_warnings or [])
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        values, errors = kpis.parse_counts(request.form)
        for name, message in errors.items():
            form[name].errors = [message]
        if not errors:
            warnings = soft_warnings(ret, values)
            confirmed = common.confirmed_codes(warnings)
            complete = not common.unconfirmed(warnings, confirmed)
            stale = common.save(ret, sec, values, complete, confirmed)
            if stale is None and complete:
                return redirect(common.next_url(ret, "kpis"))
            if stale is None:
                form.revision.data = sec.revision
                status = 400
            else:
                form.revision.data = stale.revision
                status = 409
        else:
            status = 400
    elif request.method == "POST":
        status = 400  # CSRF or a missing field
    results = kpis.compute(
        kpis.parse_counts(request.form)[0] if request.method == "POST" else saved,
        definitions(ret),
    )
    pending = common.unconfirmed(warnings, confirmed) if request.method == "POST" else []
    return render_template(
        "returns/section_kpis.html",
        ret=ret,
        sec=sec,
        form=form,
        groups=GROUPS,
        results=results,
        warnings=warnings,
        confirmed=confirmed,
        error_list=_error_list(form, pending) if (form.errors or pending) else None,
        stale=stale,
        stale_message=common.stale_message(stale) if stale else None,
        labels=kpis.LABELS,
    ), status


def _error_list(form, pending: list[SoftWarning]) -> list[dict]:
    errors = [
        {"text": form[name].errors[0], "href": f"#{name}"}
        for name in kpis.COUNT_NAMES
        if form[name].errors
    ]
    return errors + common.warning_errors(pending)


def preview(ret: MonthlyReturn, sec: ReturnSection):
    """htmx: the percentages and RAG for the values typed so far (nothing is saved)."""
    values, _ = kpis.parse_counts(request.form)
    return render_template(
        "returns/_kpi_results.html", results=kpis.compute(values, definitions(ret)), live=True
    )


preview.read_only = True
actions = {"preview": preview}


def summary(ret: MonthlyReturn, data: dict) -> list[dict]:
    rows = [
        {"key": {"text": c.label}, "value": {"text": data.get(c.name, "Not entered")}}
        for c in kpis.COUNTS
    ]
    if data:
        for result in kpis.compute(data, definitions(ret)):
            text = result.percent_label
            if result.target is not None:
                text += f" ({result.rag_label}; target {result.target_label})"
            rows.append({"key": {"text": result.name}, "value": {"text": text}})
    return rows
