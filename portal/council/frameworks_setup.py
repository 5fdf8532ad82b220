"""A council admin's frameworks: add one with its lots or areas, add a lot later, and set
new KPI targets and RAG bands from a month onwards."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.council_setup import FrameworkForm, LotForm, targets_form
from portal.access import requires
from portal.queries import organisations
from portal.queries import setup as setup_queries
from portal.returns import kpis
from portal.setup import frameworks
from portal.vocabulary import AreaKind, Role, ServiceType

bp = Blueprint("council_frameworks", __name__)

COUNCIL_ADMIN = {"org": "council", "council_admin": True}


@bp.route("/council/<int:council_id>/frameworks")
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def frameworks_list(council_id: int):
    return render_template(
        "council/setup/frameworks.html",
        council=organisations.get_council(council_id),
        frameworks=setup_queries.council_frameworks(council_id),
    )


@bp.route("/council/<int:council_id>/frameworks/new", methods=["GET", "POST"])
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def add_framework(council_id: int):
    council = organisations.get_council(council_id)
    form = FrameworkForm()
    if form.validate_on_submit():
        details = frameworks.FrameworkDetails(
            name=form.name.data,
            service_type=ServiceType(form.service_type.data),
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            lots=frameworks.lot_names(form.lots.data),
            lot_kind=AreaKind(form.lot_kind.data),
        )
        framework, errors = frameworks.add_framework(council, details, current_user)
        if framework is not None:
            flash(f"{framework.name} has been added", "success")
            return redirect(url_for(".framework", council_id=council_id, framework_id=framework.id))
        for name, message in errors.items():
            form[name].errors = [message]
    status = 400 if form.errors else 200
    return render_template("council/setup/add_framework.html", council=council, form=form), status


@bp.route("/council/<int:council_id>/frameworks/<int:framework_id>", methods=["GET", "POST"])
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def framework(council_id: int, framework_id: int):
    """The framework, its lots (with a form to add one) and every version of its targets."""
    found = setup_queries.council_framework(council_id, framework_id)
    form = LotForm()
    if request.method == "POST" and form.validate_on_submit():
        refusal = frameworks.add_lot(found, form.name.data, AreaKind(form.kind.data), current_user)
        if refusal is None:
            flash(f"{form.name.data} has been added", "success")
            return redirect(url_for(".framework", council_id=council_id, framework_id=found.id))
        form.name.errors = [refusal]
    status = 400 if form.errors else 200
    return render_template(
        "council/setup/framework.html",
        council=found.council,
        framework=found,
        versions=setup_queries.target_versions(found.id),
        form=form,
    ), status


@bp.route(
    "/council/<int:council_id>/frameworks/<int:framework_id>/targets", methods=["GET", "POST"]
)
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def targets(council_id: int, framework_id: int):
    found = setup_queries.council_framework(council_id, framework_id)
    versions = setup_queries.target_versions(found.id)
    definitions = versions[-1].definitions if versions else kpis.REFERENCE_KPIS
    form = targets_form(definitions)
    if form.validate_on_submit():
        parsed = form.parsed(definitions)
        if parsed is not None:
            number, refusal = frameworks.set_targets(
                found, form.effective_from.month, parsed, current_user
            )
            if refusal is None:
                flash(
                    f"Version {number} of the targets applies to returns from "
                    f"{form.effective_from.month:%B %Y}",
                    "success",
                )
                return redirect(url_for(".framework", council_id=council_id, framework_id=found.id))
            form.effective_from.errors = [refusal]
    elif request.method == "POST":
        form.parsed(definitions)  # every field's error at once
    status = 400 if form.errors or any(f.errors for f in form) else 200
    return render_template(
        "council/setup/targets.html",
        council=found.council,
        framework=found,
        form=form,
        codes=[d.code for d in definitions],
    ), status
