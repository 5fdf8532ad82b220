"""The council's API keys page: a commissioner makes a key for a system that reads the
council's returns and the feed of submitted versions (and may accept or query), or a key
for the provider forum's systems, which read only the anonymised training figures; sees
its secret once; revokes it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from forms.quality import strip
from portal import api_keys as keys
from portal.access import requires
from portal.queries import accounts, organisations
from portal.vocabulary import KEY_NAME_MAX, Role

bp = Blueprint("council_api_keys", __name__)
PREFIX = "/council/<int:council_id>/api-keys"
NAME_REQUIRED = "Enter a name for the key, like the name of the system that will use it"
NAME_TOO_LONG = f"The name must be {KEY_NAME_MAX} characters or fewer"
SCOPE_REQUIRED = "Select what the key can read"
SELECT_A_KEY = "Select the key to revoke"
EXPIRY_CHOICES = [("", "Never (revoke it when it is no longer needed)"), ("30", "In 30 days"),
                  ("90", "In 90 days"), ("365", "In a year")]  # fmt: skip
SCOPES = {
    "council": "Council systems: every return and submitted version, named providers",
    "forum": "Provider forum: the area's training figures only, no provider named",
}


class NewCouncilKeyForm(FlaskForm):
    name = StringField(
        "Name of the key",
        description="Say which system will use it, like ‘Contract monitoring database’",
        widget=GovTextInput(),
        filters=[strip],
        validators=[
            DataRequired(NAME_REQUIRED),
            Length(max=KEY_NAME_MAX, message=NAME_TOO_LONG),
        ],
    )
    scope = RadioField(
        "What can the key read?",
        widget=GovRadioInput(),
        choices=list(SCOPES.items()),
        validators=[InputRequired(SCOPE_REQUIRED)],
    )
    expires = RadioField(
        "When should the key stop working?",
        widget=GovRadioInput(),
        choices=EXPIRY_CHOICES,
        default="",
        validate_choice=True,
    )
    submit = SubmitField("Create key", widget=GovSubmitInput())


def _page(council_id: int, form: NewCouncilKeyForm, error: str | None = None, status=200):
    council_keys = accounts.council_api_keys(council_id)
    creators = accounts.user_names({key.created_by for key in council_keys if key.created_by})
    errors = [{"text": e, "href": f"#{name}"} for name, found in form.errors.items()
              for e in found[:1]]  # fmt: skip
    return render_template(
        "council/api_keys/keys.html",
        council=organisations.get_council(council_id),
        keys=council_keys,
        creators=creators,
        scopes=SCOPES,
        form=form,
        error_list=([{"text": error, "href": "#keys"}] if error else errors) or None,
    ), status


@bp.route(PREFIX, methods=["GET", "POST"])
@requires(Role.COMMISSIONER, org="council")
def api_keys(council_id: int):
    """The council's keys, and the form that makes one (POST shows its secret, once)."""
    form = NewCouncilKeyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _page(council_id, form, status=400)
        key, secret = keys.create_council_key(
            council_id,
            form.name.data,
            form.scope.data,
            current_user,
            keys.expiry(form.expires.data),
        )
        return render_template(
            "council/api_keys/key_created.html",
            council=organisations.get_council(council_id),
            key=key,
            secret=secret,
            scope_text=SCOPES[key.scope],
        )
    return _page(council_id, form)


@bp.post(PREFIX + "/revoke")
@requires(Role.COMMISSIONER, org="council")
def revoke_key(council_id: int):
    """Revoke the key named by the ``key_id`` field: it stops working at once."""
    text = (request.form.get("key_id") or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        return _page(council_id, NewCouncilKeyForm(formdata=None), SELECT_A_KEY, 400)
    key = accounts.council_api_key(council_id, int(text))
    if key is None:
        abort(404)
    if keys.revoke_key(key, current_user):
        flash(f"The key ‘{key.name}’ has been revoked: it no longer works", "success")
    else:
        flash(f"The key ‘{key.name}’ was already revoked", "info")
    return redirect(url_for(".api_keys", council_id=council_id))
