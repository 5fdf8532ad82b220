"""A council admin's colleagues: invite a commissioner (and re-send an invitation not yet
taken up), and give or take away the permission to set up the council."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms import messages
from forms.setup import ButtonForm, InviteCommissionerForm
from portal.access import requires
from portal.admin.audit import changes_page
from portal.queries import organisations
from portal.queries import setup as setup_queries
from portal.setup import councils
from portal.vocabulary import Role

bp = Blueprint("council_users", __name__)

COUNCIL_ADMIN = {"org": "council", "council_admin": True}


@bp.route("/council/<int:council_id>/users")
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def users(council_id: int):
    return render_template(
        "council/setup/users.html",
        council=organisations.get_council(council_id),
        members=setup_queries.council_commissioners(council_id),
    )


@bp.route("/council/<int:council_id>/users/invite", methods=["GET", "POST"])
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def invite(council_id: int):
    council = organisations.get_council(council_id)
    form = InviteCommissionerForm()
    if form.validate_on_submit():
        refusal = councils.invite_council_user(
            council, form.email.data, form.name.data, current_user, bool(form.council_admin.data)
        )
        if refusal is None:
            flash(f"An invitation has been sent to {form.email.data.strip().lower()}", "success")
            return redirect(url_for(".users", council_id=council_id))
        form.email.errors = [refusal]
    status = 400 if form.errors else 200
    back = url_for(".users", council_id=council_id)
    page = render_template(
        "components/invite_commissioner.html", council=council, form=form, back_href=back
    )
    return page, status


@bp.route("/council/<int:council_id>/users/permission", methods=["POST"])
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def permission(council_id: int):
    """Give (``allow=yes``) or take away a colleague's permission to set up the council."""
    if not ButtonForm().validate_on_submit():
        flash(messages.FORM_EXPIRED, "error")
        return redirect(url_for(".users", council_id=council_id))
    membership = _membership(council_id)
    allow = request.form.get("allow") == "yes"
    if membership is None or not councils.set_council_admin(membership, allow, current_user):
        flash("Nothing changed", "error")
    else:
        flash(
            f"{membership.user.name} {'can now' if allow else 'can no longer'} set up the council",
            "success",
        )
    return redirect(url_for(".users", council_id=council_id))


@bp.route("/council/<int:council_id>/users/resend-invitation", methods=["POST"])
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def resend_invitation(council_id: int):
    """Send a fresh invitation link to a colleague of this council who has not yet set a
    password (the last link stops working)."""
    if not ButtonForm().validate_on_submit():
        flash(messages.FORM_EXPIRED, "error")
        return redirect(url_for(".users", council_id=council_id))
    membership = _membership(council_id)
    user = membership.user if membership is not None else None
    # Only for someone whose invitation is to this council (not to another organisation).
    if (
        user is None
        or user.primary_membership is not membership
        or not councils.resend_invitation(user, current_user)
    ):
        flash("Nothing to re-send", "error")
    else:
        flash(f"A new invitation has been sent to {user.email}", "success")
    return redirect(url_for(".users", council_id=council_id))


def _membership(council_id: int):
    raw = (request.form.get("membership") or "").strip()
    if not (raw.isdigit() and len(raw) < 10):
        return None
    return setup_queries.council_membership(council_id, int(raw))


@bp.route("/council/<int:council_id>/changes")
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def changes(council_id: int):
    """Every setup change made for the council (who, when, before and after)."""
    return changes_page([organisations.get_council(council_id)], council_id)
