"""The administrator suspends and re-enables users, and re-sends invitations."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from forms import messages
from forms.setup import ButtonForm
from portal.access import requires
from portal.queries import setup as setup_queries
from portal.setup import councils
from portal.vocabulary import Role

bp = Blueprint("admin_users", __name__)


@bp.route("/admin/users")
@requires(Role.ADMIN)
def users():
    return render_template("admin/users.html", users=setup_queries.all_users(), form=ButtonForm())


@bp.route("/admin/users/<int:user_id>/suspend", methods=["POST"])
@requires(Role.ADMIN)
def suspend(user_id: int):
    return _change(user_id, "suspend")


@bp.route("/admin/users/<int:user_id>/re-enable", methods=["POST"])
@requires(Role.ADMIN)
def re_enable(user_id: int):
    return _change(user_id, "re-enable")


@bp.route("/admin/users/<int:user_id>/resend-invitation", methods=["POST"])
@requires(Role.ADMIN)
def resend_invitation(user_id: int):
    return _change(user_id, "resend")


def _change(user_id: int, action: str):
    user = setup_queries.get_user(user_id)
    if not ButtonForm().validate_on_submit():
        flash(messages.FORM_EXPIRED, "error")
        return redirect(url_for(".users"))
    email = user.email
    if action == "resend":
        done = councils.resend_invitation(user, current_user)
        message = f"A new invitation has been sent to {email}"
    else:
        done = councils.set_user_active(user, action == "re-enable", current_user)
        message = f"{email} has been {'re-enabled' if action == 're-enable' else 'suspended'}"
    if not done:
        message = f"Nothing changed for {email}"
    flash(message, "success" if done else "error")
    return redirect(url_for(".users"))
