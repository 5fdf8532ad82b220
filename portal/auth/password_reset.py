"""Password reset by an emailed single-use link, and accepting an invitation."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from sqlalchemy import select

from forms.auth import NewPasswordForm, RequestResetForm
from portal.access import public
from portal.auth import email_tokens, security_emails, throttle
from portal.auth.passwords import hash_password
from portal.auth.security_log import record_event
from portal.auth.sessions import client_ip, end_all_sessions, start_session
from portal.clock import utcnow
from portal.extensions import db
from portal.models import Council

bp = Blueprint("password_reset", __name__)


def banned_words() -> list[str]:
    names = list(db.session.scalars(select(Council.name).order_by(Council.name)))
    slugs = list(db.session.scalars(select(Council.slug).order_by(Council.slug)))
    service = current_app.config["SERVICE_NAME"]
    return [service, "returns portal", *names, *slugs]


@bp.route("/password-reset", methods=["GET", "POST"])
@public
def request_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if throttle.reset_allowed(email, client_ip()):
            _reset_or_explain(email)
        else:
            record_event("password-reset-limited", email=email)
        # The same page whether or not the address has an account, or was limited.
        return render_template("auth/reset_sent.html", email=email)
    status = 400 if form.errors else 200
    return render_template("auth/request_reset.html", form=form), status


def _reset_or_explain(email: str) -> None:
    """Known and unknown addresses take the same step here (one job row, one commit), so
    the answer takes the same time and does not say whether the address has an account;
    the job finds out and sends the right e-mail (``portal.auth.security_emails``)."""
    security_emails.queue_reset_email(email)
    db.session.commit()


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@public
def choose_password(token: str):
    return _set_password(token, "reset")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    return _set_password(token, "invite")


def _set_password(token: str, purpose: str):
    record = email_tokens.find_usable(token, purpose)
    if record is None:
        return render_template("auth/link_expired.html", purpose=purpose), 400
    form = NewPasswordForm(banned_words=[*banned_words(), record.user.email.split("@")[0]])
    if form.validate_on_submit():
        if not email_tokens.consume(record):
            db.session.rollback()
            return render_template("auth/link_expired.html", purpose=purpose), 400
        user = record.user
        user.password_hash = hash_password(form.password.data)
        user.password_changed_at = utcnow()
        end_all_sessions(user.id)
        db.session.commit()
        throttle.clear(throttle.email_key(user.email))  # "or reset your password" unlocks
        record_event("password-set" if purpose == "invite" else "password-reset", user=user)
        if purpose == "invite":
            start_session(user)
            flash("Your password is saved and you are signed in", "success")
            return redirect(url_for("pages.home"))
        flash("Your password has been reset. Sign in with your new password", "success")
        return redirect(url_for("sign_in.sign_in"))
    status = 400 if form.errors else 200
    return render_template("auth/choose_password.html", form=form, purpose=purpose), status
