"""Forms for signing in, resetting a password and accepting an invitation."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from forms import messages


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(messages.EMAIL_REQUIRED)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired(messages.PASSWORD_REQUIRED)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class RequestResetForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(messages.EMAIL_REQUIRED),
            Length(max=320, message=messages.EMAIL_INVALID),
            Email(messages.EMAIL_INVALID, check_deliverability=False),
        ],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class NewPasswordForm(FlaskForm):
    """Set a password. The caller adds the banned words (service and council names)."""

    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="Use 10 characters or more. A few unrelated words make a good password.",
        validators=[InputRequired(messages.NEW_PASSWORD_REQUIRED)],
    )
    confirm = PasswordField(
        "Re-type your new password",
        widget=GovPasswordInput(),
        validators=[InputRequired(messages.PASSWORD_CONFIRM_REQUIRED)],
    )
    submit = SubmitField("Save password", widget=GovSubmitInput())

    def __init__(self, *args, banned_words: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.banned_words = banned_words or []

    def validate_password(self, field):
        from portal.auth.passwords import password_problem

        problem = password_problem(field.data or "", self.banned_words)
        if problem:
            raise ValidationError(problem)

    def validate_confirm(self, field):
        if self.password.data and field.data != self.password.data:
            raise ValidationError(messages.PASSWORD_MISMATCH)
