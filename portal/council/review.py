"""A commissioner reviews a submitted return: every section with the computed KPIs
against target, last month and the framework median, the warnings the provider
confirmed, the question thread, and the actions Accept or Query."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from forms import messages
from forms.returns import AcceptForm, QueryForm
from portal.access import requires
from portal.extensions import db
from portal.models import Contract, MonthlyReturn, Role
from portal.returns import review, service
from portal.returns.sections import SUMMARIES

bp = Blueprint("return_review", __name__)


def _load(council_id: int, return_id: int) -> MonthlyReturn:
    ret = db.session.scalar(
        select(MonthlyReturn)
        .join(Contract)
        .where(MonthlyReturn.id == return_id, Contract.council_id == council_id)
    )
    if ret is None:
        abort(404)
    return ret


@bp.route("/council/<int:council_id>/returns/<int:return_id>/review", methods=["GET", "POST"])
@requires(Role.COMMISSIONER, org="council")
def review_return(council_id: int, return_id: int):
    ret = _load(council_id, return_id)
    version = review.latest_version(ret)
    query_form = QueryForm(prefix="query")
    accept_form = AcceptForm(prefix="accept")
    if version is not None:
        query_form.target.choices = [("", "Choose an answer"), *review.queryable_fields(version)]
    status = 200
    if request.method == "POST":
        if not review.can_review(ret):
            flash(messages.NOT_REVIEWABLE, "error")
            return redirect(request.path)
        action = request.form.get("action")
        if action == "query" and query_form.validate_on_submit():
            review.query(ret, current_user, query_form.target.data, query_form.text.data.strip())
            flash(f"Your question has been sent to {ret.contract.provider.name}", "success")
            return redirect(request.path)
        if action == "accept" and accept_form.validate_on_submit():
            review.accept(ret, current_user, (accept_form.text.data or "").strip())
            flash(f"You have accepted the {service.period_label(ret.period)} return", "success")
            return redirect(request.path)
        status = 400
    errors = [
        {"text": form[name].errors[0], "href": f"#{form[name].id}"}
        for form in (query_form, accept_form)
        for name in ("target", "text")
        if name in form and form[name].errors
    ]
    sections = []
    if version is not None:
        data = version.data.get("sections") or {}
        for code, title in service.SECTIONS:
            rows = SUMMARIES[code](ret, data.get(code) or {}) if code in SUMMARIES else []
            sections.append((code, title, rows))
    return render_template(
        "council/review_return.html",
        ret=ret,
        version=version,
        sections=sections,
        kpi_rows=review.kpi_rows(ret, version) if version else [],
        warnings=(version.data.get("confirmed_warnings") or {}) if version else {},
        comments=review.thread(ret),
        query_form=query_form,
        accept_form=accept_form,
        reviewable=review.can_review(ret),
        error_list=errors or None,
        back=url_for(
            "provider_returns.provider_returns",
            council_id=council_id,
            provider_id=ret.contract.provider_id,
        ),
    ), status
