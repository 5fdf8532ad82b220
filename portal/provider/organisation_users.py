"""Provider managers invite and remove the people who use the portal for their organisation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from forms import messages
from forms.organisation_users import ConfirmForm, InviteUserForm
from portal.access import requires
from portal.auth import security_emails
from portal.auth.security_log import record_event
from portal.auth.sessions import end_all_sessions
from portal.extensions import db
from portal.models import Membership, Role, User
from portal.queries import organisations

bp = Blueprint("organisation_users", __name__)


def _members(provider_id: int) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(User, Membership.user_id == User.id)
            .where(Membership.provider_id == provider_id)
            .order_by(User.name, User.email, Membership.id)
        )
    )


@bp.route("/provider/<int:provider_id>/users")
@requires(Role.PROVIDER_MANAGER, org="provider")
def list_users(provider_id: int):
    provider = organisations.get_provider(provider_id)
    return render_template("provider/users.html", provider=provider, members=_members(provider_id))


@bp.route("/provider/<int:provider_id>/users/invite", methods=["GET", "POST"])
@requires(Role.PROVIDER_MANAGER, org="provider")
def invite_user(provider_id: int):
    provider = organisations.get_provider(provider_id)
    form = InviteUserForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and any(m.provider_id == provider_id for m in user.memberships):
            form.email.errors = [messages.USER_ALREADY_MEMBER]
        elif user is not None and user.memberships:
            form.email.errors = [messages.USER_BELONGS_ELSEWHERE]
        else:
            if user is None:
                user = User(email=email, name=form.name.data.strip())
                db.session.add(user)
            user.active = True
            db.session.add(
                Membership(user=user, role=Role(form.role.data), provider_id=provider_id)
            )
            db.session.flush()
            security_emails.queue_invitation(user, provider, current_user)
            # commits the membership, the event and the invitation's job together
            record_event("user-invited", user=user, detail=f"by user {current_user.id}")
            flash(f"An invitation has been sent to {email}", "success")
            return redirect(url_for(".list_users", provider_id=provider_id))
    status = 400 if form.errors else 200
    return render_template("provider/invite_user.html", provider=provider, form=form), status


@bp.route("/provider/<int:provider_id>/users/<int:membership_id>/remove", methods=["GET", "POST"])
@requires(Role.PROVIDER_MANAGER, org="provider")
def remove_user(provider_id: int, membership_id: int):
    provider = organisations.get_provider(provider_id)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.provider_id != provider_id:
        abort(404)
    form = ConfirmForm()
    if membership.user_id == current_user.id:
        form.submit.errors = [messages.CANNOT_REMOVE_SELF]
        return render_template(
            "provider/remove_user.html", provider=provider, membership=membership, form=form
        ), 400
    if form.validate_on_submit():
        user = membership.user
        user.memberships.remove(membership)  # delete-orphan removes the row
        db.session.flush()
        if not user.memberships:
            end_all_sessions(user.id)
        db.session.commit()
        record_event("user-removed", user=user, detail=f"by user {current_user.id}")
        flash(f"{user.name} can no longer use the portal for {provider.name}", "success")
        return redirect(url_for(".list_users", provider_id=provider_id))
    return render_template(
        "provider/remove_user.html", provider=provider, membership=membership, form=form
    )
