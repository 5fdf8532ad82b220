"""A provider's branches: everyone at the provider sees them and which councils'
contracts cover each; managers add and edit them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from forms.setup import BranchForm
from portal.access import requires
from portal.queries import organisations
from portal.queries import setup as setup_queries
from portal.setup import branches as branches_domain
from portal.vocabulary import PROVIDER_ROLES, Role

bp = Blueprint("provider_branches", __name__)


@bp.route("/provider/<int:provider_id>/branches")
@requires(*PROVIDER_ROLES, org="provider")
def branches_list(provider_id: int):
    return render_template(
        "provider/branches.html",
        provider=organisations.get_provider(provider_id),
        branches=setup_queries.provider_branches(provider_id),
        can_edit=current_user.has_role(Role.PROVIDER_MANAGER),
    )


@bp.route("/provider/<int:provider_id>/branches/new", methods=["GET", "POST"])
@requires(Role.PROVIDER_MANAGER, org="provider")
def add_branch(provider_id: int):
    return _save(provider_id, None)


@bp.route("/provider/<int:provider_id>/branches/<int:branch_id>", methods=["GET", "POST"])
@requires(Role.PROVIDER_MANAGER, org="provider")
def edit_branch(provider_id: int, branch_id: int):
    return _save(provider_id, setup_queries.provider_branch(provider_id, branch_id))


def _save(provider_id: int, branch):
    provider = organisations.get_provider(provider_id)
    form = BranchForm(obj=branch)
    if form.is_submitted():
        details = branches_domain.BranchDetails(
            name=(form.name.data or "").strip(),
            cqc_location_id=(form.cqc_location_id.data or "").strip() or None,
            local_est_id=(form.local_est_id.data or "").strip() or None,
            postcode=branches_domain.normal_postcode(form.postcode.data),
        )
        valid = form.validate()
        # Every problem at once: the service's checks as well as the form's.
        errors = branches_domain.check_branch(provider, branch, details)
        saved = None
        if valid and not errors:
            saved, errors = branches_domain.save_branch(provider, branch, details, current_user)
        if saved is not None:
            flash(f"{saved.name} has been saved", "success")
            return redirect(url_for(".branches_list", provider_id=provider_id))
        for name, message in errors.items():
            form[name].errors = [message]
    status = 400 if form.errors or any(f.errors for f in form) else 200
    return render_template(
        "provider/branch_form.html", provider=provider, branch=branch, form=form
    ), status
