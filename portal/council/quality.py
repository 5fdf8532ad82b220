"""Quality assurance of one provider for one council: its risk (RAG) rating and what
triggered it, concerns, quality-assurance visits and the history of its branch facts.

Quality-assurance officers and commissioners of the council see the page; only
quality-assurance officers record concerns and visits and update a branch's facts. A
provider of another council is not found (404), whatever the role.
The provider's own view of its rating is ``portal.provider.risk``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms import messages
from forms.quality import BranchFactsForm, CloseConcernForm, ConcernForm, VisitForm, error_list
from portal import clock, quality_records, risk
from portal.access import requires
from portal.quality_records import FactUpdate, Rerated
from portal.queries import organisations, oversight
from portal.vocabulary import CqcRating, Role, SponsorLicenceStatus

if TYPE_CHECKING:
    from portal.models import Branch, Provider

bp = Blueprint("quality", __name__)

PREFIX = "/council/<int:council_id>/providers/<int:provider_id>/quality"

FACT_LABELS = {
    risk.FACT_CQC_RATING: "CQC rating",
    risk.FACT_CQC_RATING_DATE: "Date of the CQC rating",
    risk.FACT_REGISTERED_MANAGER: "Registered manager in post",
    risk.FACT_SPONSOR_LICENCE: "Sponsor licence",
}


def fact_value(field: str, value: str | None) -> str:
    """A stored FactChange value in words."""
    if value in (None, ""):
        return "Not recorded"
    try:
        if field == risk.FACT_CQC_RATING:
            return CqcRating(value).label
        if field == risk.FACT_SPONSOR_LICENCE:
            return SponsorLicenceStatus(value).label
        if field == risk.FACT_CQC_RATING_DATE:
            return risk.long_date(date.fromisoformat(value))
    except ValueError:
        return value
    if field == risk.FACT_REGISTERED_MANAGER:
        return {"yes": "Yes", "no": "No"}.get(value, value)
    return value


# --- loading, with the tenancy checks -----------------------------------------------------


def _provider_of(council_id: int, provider_id: int) -> Provider:
    """The provider, if it holds a contract with the council; 404 otherwise."""
    if not organisations.holds_contract(council_id, provider_id):
        abort(404)
    return organisations.get_provider(provider_id)


def _branch_of(provider: Provider, raw: str | None) -> Branch:
    """The branch named in the query string (the first branch when none is named); 404
    for anything that is not one of this provider's branches."""
    if not provider.branches:
        abort(404)
    if raw is None or raw == "":
        return provider.branches[0]
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        abort(404)
    for branch in provider.branches:
        if branch.id == int(raw):
            return branch
    abort(404)


def _is_qa_officer_of(council_id: int) -> bool:
    return any(
        m.role is Role.QA_OFFICER and m.council_id == council_id for m in current_user.memberships
    )


def _back(council_id: int, provider_id: int):
    return redirect(
        url_for("quality.provider_quality", council_id=council_id, provider_id=provider_id)
    )


def _saved(council_id: int, provider: Provider, message: str, rerated: Rerated):
    """Say the change was saved (and if the rating moved) and go back to the provider."""
    flash(message, "success")
    if rerated.moved:
        flash(messages.risk_now(provider.name, risk.LEVEL_LABELS[rerated.after.rating]), "success")
    return _back(council_id, provider.id)


# --- the provider's page --------------------------------------------------------------------


@bp.route(PREFIX)
@requires(Role.QA_OFFICER, Role.COMMISSIONER, org="council")
def provider_quality(council_id: int, provider_id: int):
    provider = _provider_of(council_id, provider_id)
    rating = risk.current(council_id, provider_id)
    concerns = oversight.provider_concerns(council_id, provider_id)
    visits = oversight.provider_visits(council_id, provider_id)
    changes = oversight.provider_fact_changes(provider_id)
    return render_template(
        "council/quality/provider.html",
        council=organisations.get_council(council_id),
        provider=provider,
        rating=rating,
        triggers=risk.triggers_of(rating),
        today=clock.today(),
        open_concerns=[c for c in concerns if c.closed_on is None],
        closed_concerns=[c for c in concerns if c.closed_on is not None],
        visits=visits,
        changes=changes,
        fact_labels=FACT_LABELS,
        fact_value=fact_value,
        can_record=_is_qa_officer_of(council_id),
    )


# --- concerns -------------------------------------------------------------------------------


@bp.route(PREFIX + "/concerns/new", methods=["GET", "POST"])
@requires(Role.QA_OFFICER, org="council")
def record_concern(council_id: int, provider_id: int):
    provider = _provider_of(council_id, provider_id)
    form = ConcernForm()
    if form.validate_on_submit():
        rerated = quality_records.record_concern(
            council_id,
            provider_id,
            current_user,
            form.raised_on.data,
            form.summary.data,
            confidential=form.confidential.data == "yes",
        )
        return _saved(council_id, provider, "Concern recorded", rerated)
    return _form_page(
        "council/quality/concern_form.html", council_id, provider, form, "Record a concern"
    )


@bp.route(PREFIX + "/concerns/close", methods=["POST"])
@requires(Role.QA_OFFICER, org="council")
def close_concern(council_id: int, provider_id: int):
    """Close the concern named by the form field ``concern_id``, today."""
    provider = _provider_of(council_id, provider_id)
    form = CloseConcernForm()
    if not form.validate_on_submit():
        abort(400)
    concern = oversight.council_concern(council_id, provider_id, int(form.concern_id.data))
    if concern is None:
        abort(404)
    if concern.closed_on is not None:
        flash(messages.CONCERN_ALREADY_CLOSED, "error")
        return _back(council_id, provider_id)
    closed = f"Concern raised on {risk.long_date(concern.raised_on)} closed"
    return _saved(council_id, provider, closed, quality_records.close_concern(concern))


# --- visits ---------------------------------------------------------------------------------


@bp.route(PREFIX + "/visits/new", methods=["GET", "POST"])
@requires(Role.QA_OFFICER, org="council")
def record_visit(council_id: int, provider_id: int):
    provider = _provider_of(council_id, provider_id)
    form = VisitForm()
    if form.validate_on_submit():
        rerated = quality_records.record_visit(
            council_id,
            provider_id,
            current_user,
            form.visited_on.data,
            form.outcome.data,
            form.actions.data,
        )
        return _saved(council_id, provider, "Visit recorded", rerated)
    return _form_page(
        "council/quality/visit_form.html", council_id, provider, form, "Record a visit"
    )


# --- branch facts ---------------------------------------------------------------------------


def _current_facts(branch: Branch) -> dict:
    return {
        "cqc_rating": branch.cqc_rating.value,
        "cqc_rating_date": branch.cqc_rating_date,
        "registered_manager": "yes" if branch.registered_manager_in_post else "no",
        "sponsor_licence": branch.sponsor_licence_status.value,
    }


@bp.route(PREFIX + "/facts", methods=["GET", "POST"])
@requires(Role.QA_OFFICER, org="council")
def update_facts(council_id: int, provider_id: int):
    """Update one branch's facts; the branch is named by ``?branch=<id>``."""
    provider = _provider_of(council_id, provider_id)
    branch = _branch_of(provider, request.args.get("branch"))
    current = _current_facts(branch)
    form = BranchFactsForm(data=current if request.method == "GET" else None, current=current)
    if form.validate_on_submit():
        # Facts belong to the provider: every council's rating is recomputed.
        rerated = quality_records.update_facts(council_id, branch, current_user, _update(form))
        return _saved(council_id, provider, f"Facts updated for {branch.name}", rerated)
    return _form_page(
        "council/quality/facts_form.html",
        council_id,
        provider,
        form,
        f"Update facts for {branch.name}",
        branch=branch,
    )


def _update(form: BranchFactsForm) -> FactUpdate:
    """The form's changed facts, for ``quality_records.update_facts``."""
    changed = form.changed()
    manager = form.registered_manager.data == "yes" if "registered_manager" in changed else None
    licence = form.sponsor_licence.data if "sponsor_licence" in changed else None
    return FactUpdate(
        cqc_rating=CqcRating(form.cqc_rating.data) if "cqc_rating" in changed else None,
        cqc_rating_date=form.cqc_rating_date.data,
        cqc_source=form.cqc_source.data or "",
        registered_manager=manager,
        registered_manager_source=form.registered_manager_source.data or "",
        registered_manager_date=form.registered_manager_date.data,
        sponsor_licence=SponsorLicenceStatus(licence) if licence else None,
        sponsor_licence_source=form.sponsor_licence_source.data or "",
        sponsor_licence_date=form.sponsor_licence_date.data,
    )


def _form_page(template: str, council_id: int, provider: Provider, form, title: str, **extra):
    errors = error_list(form) if form.errors else None
    return render_template(
        template,
        council=organisations.get_council(council_id),
        provider=provider,
        form=form,
        title=title,
        error_list=errors,
        back=url_for("quality.provider_quality", council_id=council_id, provider_id=provider.id),
        **extra,
    ), (400 if errors else 200)
