"""Forms of the monthly return that are not built from data (see portal.returns.sections)."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import HiddenField, RadioField, SubmitField
from wtforms.validators import InputRequired, Length

from forms import messages

NIL_REQUIRED = "Select yes if you had no service users under this contract this month"


class NilReturnForm(FlaskForm):
    nil = RadioField(
        "Did you have no service users under this contract this month?",
        widget=GovRadioInput(),
        choices=[("yes", "Yes, send a nil return"), ("no", "No, we had service users")],
        validators=[InputRequired(NIL_REQUIRED)],
    )
    submit = SubmitField("Save and continue", widget=GovSubmitInput())


class SubmitReturnForm(FlaskForm):
    # A new key each time the page is shown: resending the same form makes one version.
    submission_key = HiddenField(validators=[InputRequired(), Length(min=16, max=64)])
    submit = SubmitField("Submit return", widget=GovSubmitInput())


__all__ = ["NilReturnForm", "SubmitReturnForm", "messages"]
