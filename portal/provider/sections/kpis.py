"""The KPI section page: the month's counts, checked against each other, with percentages
and RAG against the framework's targets shown as the user types (htmx) and after saving.
The counts load through ``KpiAnswersSchema`` (the API's and the file upload's schema, so
the same messages); the rules (definitions, soft warnings, summary) are in ``kpis_rules``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import redirect, render_template, request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import HiddenField, StringField, SubmitField

from forms.kept_inputs import KeptTextInput
from portal.provider.sections import common
from portal.returns import kpis, service
from portal.returns.sections import common_rules
from portal.returns.sections.kpis_rules import CODE, definitions, soft_warnings
from portal.returns.warnings import SoftWarning
from portal.schemas.sections import KpiAnswersSchema

if TYPE_CHECKING:
    from portal.models import MonthlyReturn, ReturnSection

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
        c.name: StringField(c.label, widget=KeptTextInput(), description=c.hint)
        for c in kpis.COUNTS
    }
    fields["revision"] = HiddenField()
    fields["submit"] = SubmitField("Save and continue", widget=GovSubmitInput())
    return type("KpiForm", (FlaskForm,), fields)


KpiForm = _form_class()


@dataclass
class _Posted:
    """What a POST of the form came to (``done``: saved and complete)."""

    status: int
    warnings: list[SoftWarning]
    confirmed: list[str]
    stale: service.Stale | None = None
    done: bool = False


def _post(ret: MonthlyReturn, sec: ReturnSection, form, warnings, confirmed) -> _Posted:
    if not form.validate_on_submit():
        return _Posted(400, warnings, confirmed)  # CSRF or a missing field
    values, errors = KpiAnswersSchema().parse(request.form)
    for name, message in errors.items():
        form[name].errors = [message]
    if errors:
        return _Posted(400, warnings, confirmed)
    warnings = soft_warnings(ret, values)
    confirmed = common.confirmed_codes(warnings)
    complete = not common_rules.unconfirmed(warnings, confirmed)
    stale = common.save(ret, sec, values, complete, confirmed)
    if stale is None and complete:
        return _Posted(302, warnings, confirmed, done=True)
    if stale is None:
        form.revision.data = sec.revision
        return _Posted(400, warnings, confirmed)
    form.revision.data = stale.revision
    return _Posted(409, warnings, confirmed, stale)


def view(ret: MonthlyReturn, sec: ReturnSection):
    saved = sec.data or {}
    form = KpiForm(data={**saved, "revision": sec.revision})
    warnings: list[SoftWarning] = soft_warnings(ret, saved) if saved else []
    confirmed = list(sec.confirmed_warnings or [])
    posting = request.method == "POST"
    if posting:
        posted = _post(ret, sec, form, warnings, confirmed)
        if posted.done:
            return redirect(common.next_url(ret, CODE))
    else:
        posted = _Posted(200, warnings, confirmed)
    results = kpis.compute(
        KpiAnswersSchema().parse(request.form)[0] if posting else saved, definitions(ret)
    )
    pending = common_rules.unconfirmed(posted.warnings, posted.confirmed) if posting else []
    stale = posted.stale
    return render_template(
        "provider/returns/section_kpis.html",
        ret=ret,
        sec=sec,
        form=form,
        groups=GROUPS,
        results=results,
        warnings=posted.warnings,
        confirmed=posted.confirmed,
        error_list=_error_list(form, pending) if (form.errors or pending) else None,
        stale=stale,
        stale_message=common_rules.stale_message(stale) if stale else None,
        labels=kpis.LABELS,
    ), posted.status


def _error_list(form, pending: list[SoftWarning]) -> list[dict]:
    errors = [
        {"text": form[name].errors[0], "href": f"#{name}"}
        for name in kpis.COUNT_NAMES
        if form[name].errors
    ]
    return errors + common_rules.warning_errors(pending)


def preview(ret: MonthlyReturn, sec: ReturnSection):
    """htmx: the percentages and RAG for the values typed so far (nothing is saved)."""
    values, _ = KpiAnswersSchema().parse(request.form)
    return render_template(
        "provider/returns/_kpi_results.html",
        results=kpis.compute(values, definitions(ret)),
        live=True,
    )


preview.read_only = True
actions = {"preview": preview}
