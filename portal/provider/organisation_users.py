"""Provider managers invite and remove the people who use the portal for their organisation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from forms import messages
from forms.organisation_users import ConfirmForm, InviteUserForm
from portal.access import requires
from portal.auth import organisation_members
from portal.queries import accounts, organisations
from portal.vocabulary import Role

bp = Blueprint("organisation_users", __name__)


@bp.route("/provider/<int:provider_id>/users")
@requires(Role.PROVIDER_MANAGER, org="provider")
def list_users(provider_id: int):
    provider = organisations.get_provider(provider_id)
    members = accounts.provider_members(provider_id)
    return render_template("provider/users.html", provider=provider, members=members)


@bp.route("/provider/<int:provider_id>/users/invite", methods=["GET", "POST"])
@requires(Role.PROVIDER_MANAGER, org="provider")
def invite_user(provider_id: int):
    provider = organisations.get_provider(provider_id)
    form = InviteUserForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        refusal = organisation_members.invite(
            provider, email, form.name.data.strip(), Role(form.role.data), current_user
        )
        if refusal is not None:
            form.email.errors = [refusal]
        else:
            flash(f"An invitation has been sent to {email}", "success")
            return redirect(url_for(".list_users", provider_id=provider_id))
    status = 400 if form.errors else 200
    return render_template("provider/invite_user.html", provider=provider, form=form), status


@bp.route("/provider/<int:provider_id>/users/<int:membership_id>/remove", methods=["GET", "POST"])
@requires(Role.PROVIDER_MANAGER, org="provider")
def remove_user(provider_id: int, membership_id: int):
    provider = organisations.get_provider(provider_id)
    membership = accounts.provider_membership(provider_id, membership_id)
    if membership is None:
        abort(404)
    form = ConfirmForm()
    if membership.user_id == current_user.id:
        form.submit.errors = [messages.CANNOT_REMOVE_SELF]
        return render_template(
            "provider/remove_user.html", provider=provider, removing=membership, form=form
        ), 400
    if form.validate_on_submit():
        user = organisation_members.remove(membership, current_user)
        flash(f"{user.name} can no longer use the portal for {provider.name}", "success")
        return redirect(url_for(".list_users", provider_id=provider_id))
    return render_template(
        "provider/remove_user.html", provider=provider, removing=membership, form=form
    )
