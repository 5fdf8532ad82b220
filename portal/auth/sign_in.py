"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from forms import messages
from forms.auth import SignInForm
from portal.access import public, signed_in
from portal.auth import throttle
from portal.auth.passwords import verify_password
from portal.auth.security_log import record_event
from portal.auth.sessions import client_ip, end_session, safe_next, start_session
from portal.extensions import db
from portal.models import User
from portal.timeutil import utcnow

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

    Unknown emails get the same message and take the same time (a dummy argon2 check),
    and count towards the same lock, so the answer never says whether an account exists.
    """
    config = current_app.config
    email = (form.email.data or "").strip().lower()
    keys = (throttle.email_key(email), throttle.ip_key(client_ip()))
    lock = throttle.locked_until(*keys)
    if lock is not None:
        minutes = max(1, -(-int((lock - utcnow()).total_seconds()) // 60))
        form.email.errors = [messages.SIGN_IN_LOCKED.format(minutes=minutes)]
        record_event("sign-in-refused-locked", email=email)
        return None
    user = db.session.scalar(select(User).where(User.email == email))
    if verify_password(user.password_hash if user else None, form.password.data or ""):
        if user is not None and user.active:
            throttle.clear(keys[0])
            return user
    failures = throttle.record_failure(keys[0], config["LOGIN_MAX_FAILURES"])
    throttle.record_failure(keys[1], config["LOGIN_MAX_FAILURES"] * throttle.IP_FAILURE_MULTIPLIER)
    record_event("sign-in-failed", user=user, email=email, detail=f"failure {failures}")
    if failures >= config["LOGIN_MAX_FAILURES"]:
        message = messages.SIGN_IN_LOCKED.format(minutes=config["LOGIN_LOCK_MINUTES"])
    else:
        message = messages.SIGN_IN_FAILED
    form.email.errors = [message]
    return None


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out():
    record_event("sign-out", user=current_user)
    end_session(current_user.get_id())
    flash("You have signed out", "success")
    return redirect(url_for("sign_in.sign_in"))
