"""Forms a provider manager uses to invite and remove their organisation's users."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, RadioField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length

from forms import messages


class InviteUserForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            InputRequired(messages.NAME_REQUIRED),
            Length(max=200, message=messages.NAME_TOO_LONG),
        ],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(messages.EMAIL_REQUIRED),
            Length(max=320, message=messages.EMAIL_INVALID),
            Email(messages.EMAIL_INVALID, check_deliverability=False),
        ],
    )
    role = RadioField(
        "What can they do?",
        widget=GovRadioInput(),
        choices=[
            ("provider-submitter", "Submitter: fill in, upload and submit returns"),
            ("provider-manager", "Manager: as a submitter, and manage users and answer queries"),
        ],
        validators=[InputRequired(messages.ROLE_REQUIRED)],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button and a CSRF token: for actions that need no input."""

    submit = SubmitField("Remove user", widget=GovSubmitInput())
