"""Signing in and out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.auth import SignInForm
from portal.access import public, signed_in
from portal.auth import throttle
from portal.auth.passwords import verify_password
from portal.auth.safe_next import safe_next
from portal.auth.security_log import record_event
from portal.auth.sessions import end_session, start_session
from portal.client import client_ip
from portal.queries import accounts

if TYPE_CHECKING:
    from portal.models import User

bp = Blueprint("sign_in", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("pages.home"))
    form = SignInForm()
    if request.method == "GET":
        return render_template("auth/sign_in.html", form=form)
    if form.validate_on_submit():
        user = _authenticate(form)
        if user is not None:
            start_session(user)
            record_event("sign-in", user=user)
            return redirect(safe_next(request.args.get("next")) or url_for("pages.home"))
    return render_template("auth/sign_in.html", form=form), 400


def _authenticate(form: SignInForm) -> User | None:
    """Check the password; on failure put the message on the form and return None.

    The attempt is counted before the password is checked, so parallel guesses cannot
    get past the limit. Unknown emails get the same message and take the same time (a
    dummy argon2 check), and count towards the same lock, so the answer never says
    whether an account exists.
    """
    email = (form.email.data or "").strip().lower()
    ip = client_ip()
    attempt, refusal = throttle.before_password_check(email, ip)
    if refusal is not None:
        form.email.errors = [refusal]
        record_event("sign-in-refused-throttled", email=email, detail=f"attempt {attempt.count}")
        return None
    user = accounts.user_by_email(email)
    if verify_password(user.password_hash if user else None, form.password.data or ""):
        if user is not None and user.active:
            throttle.after_success(email, ip)
            return user
    form.email.errors = [throttle.after_failure(email, attempt)]
    record_event("sign-in-failed", user=user, email=email, detail=f"attempt {attempt.count}")
    return None


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    record_event("sign-out", user=current_user)
    end_session(current_user.get_id())
    flash("You have signed out", "success")
    return redirect(url_for("sign_in.sign_in"))
