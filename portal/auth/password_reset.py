"""Password reset by an emailed single-use link, and accepting an invitation."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from forms.auth import NewPasswordForm, RequestResetForm
from portal.access import public
from portal.auth import email_tokens, password_setting, throttle
from portal.auth.security_log import record_event
from portal.auth.sessions import start_session
from portal.client import client_ip
from portal.queries import organisations

bp = Blueprint("password_reset", __name__)


def banned_words() -> list[str]:
    names, slugs = organisations.council_names_and_slugs()
    service = current_app.config["SERVICE_NAME"]
    return [service, "returns portal", *names, *slugs]


@bp.route("/password-reset", methods=["GET", "POST"])
@public
def request_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if throttle.reset_allowed(email, client_ip()):
            password_setting.request_reset(email)
        else:
            record_event("password-reset-limited", email=email)
        # The same page whether or not the address has an account, or was limited.
        return render_template("auth/reset_sent.html", email=email)
    status = 400 if form.errors else 200
    return render_template("auth/request_reset.html", form=form), status


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
        user = password_setting.set_password(record, form.password.data, purpose)
        if user is None:
            return render_template("auth/link_expired.html", purpose=purpose), 400
        if purpose == "invite":
            start_session(user)
            flash("Your password is saved and you are signed in", "success")
            return redirect(url_for("pages.home"))
        flash("Your password has been reset. Sign in with your new password", "success")
        return redirect(url_for("sign_in.sign_in"))
    status = 400 if form.errors else 200
    return render_template("auth/choose_password.html", form=form, purpose=purpose), status
