"""The API keys page: a provider manager makes a key for each system that sends records,
sees its secret once, and revokes a key a system no longer needs (or that has leaked)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from forms.quality import strip
from portal import api_keys as keys
from portal.access import requires
from portal.queries import accounts, organisations
from portal.vocabulary import KEY_NAME_MAX, Role

bp = Blueprint("api_keys", __name__)
PREFIX = "/provider/<int:provider_id>/api-keys"
NAME_REQUIRED = "Enter a name for the key, like the name of the system that will use it"
NAME_TOO_LONG = f"The name must be {KEY_NAME_MAX} characters or fewer"
SELECT_A_KEY = "Select the key to revoke"
EXPIRY_CHOICES = [("", "Never (revoke it when it is no longer needed)"), ("30", "In 30 days"),
                  ("90", "In 90 days"), ("365", "In a year")]  # fmt: skip


class NewKeyForm(FlaskForm):
    name = StringField(
        "Name of the key",
        description="Say which system will use it, like ‘Rota system’",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            DataRequired(NAME_REQUIRED),
            Length(max=KEY_NAME_MAX, message=NAME_TOO_LONG),
        ],
    )
    expires = RadioField(
        "When should the key stop working?",
        widget=GovRadioInput(),
        choices=EXPIRY_CHOICES,
        default="",
        validate_choice=True,
    )
    submit = SubmitField("Create key", widget=GovSubmitInput())


def _page(provider_id: int, form: NewKeyForm, error: str | None = None, status: int = 200):
    provider_keys = accounts.provider_api_keys(provider_id)
    creators = accounts.user_names({key.created_by for key in provider_keys if key.created_by})
    return render_template(
        "provider/api_keys/keys.html",
        provider=organisations.get_provider(provider_id),
        keys=provider_keys,
        creators=creators,
        form=form,
        error_list=[{"text": error, "href": "#keys"}] if error else None,
    ), status


@bp.route(PREFIX, methods=["GET", "POST"])
@requires(Role.PROVIDER_MANAGER, org="provider")
def api_keys(provider_id: int):
    """The list of keys, and the form that makes one (POST shows its secret, once)."""
    form = NewKeyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _page(provider_id, form, status=400)
        key, secret = keys.create_key(
            provider_id, form.name.data, current_user, keys.expiry(form.expires.data)
        )
        return render_template(
            "provider/api_keys/key_created.html",
            provider=organisations.get_provider(provider_id),
            key=key,
            secret=secret,
        )
    return _page(provider_id, form)


@bp.post(PREFIX + "/revoke")
@requires(Role.PROVIDER_MANAGER, org="provider")
def revoke_key(provider_id: int):
    """Revoke the key named by the ``key_id`` field: it stops working at once."""
    text = (request.form.get("key_id") or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        return _page(provider_id, NewKeyForm(formdata=None), SELECT_A_KEY, 400)
    key = accounts.provider_api_key(provider_id, int(text))
    if key is None:
        abort(404)
    if keys.revoke_key(key, current_user):
        flash(f"The key ‘{key.name}’ has been revoked: it no longer works", "success")
    else:
        flash(f"The key ‘{key.name}’ was already revoked", "info")
    return redirect(url_for(".api_keys", provider_id=provider_id))
