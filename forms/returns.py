"""Forms of the monthly return that are not built from data (see portal.returns.sections)."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, StopValidation

from forms import messages
from portal.schemas.comments import load_comment

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


class WholeNumberField(IntegerField):
    """A whole number whose "not a number" message says what to type, not WTForms'
    "Not a valid integer value."."""

    def __init__(self, *args, not_whole: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.not_whole = not_whole

    def process_formdata(self, valuelist):
        if valuelist and not str(valuelist[0]).strip():
            self.data = None  # left empty: the field's "Enter ..." message says so
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.not_whole) from None

    def pre_validate(self, form):
        if self.process_errors:
            # One message for a box that is not a number, not also "must be between".
            raise StopValidation(self.process_errors[0])


class ReturnSettingsForm(FlaskForm):
    """A council's deadlines for monthly returns."""

    due_working_day = WholeNumberField(
        "Working day of the month a return is due",
        not_whole=messages.DUE_DAY_WHOLE,
        widget=GovTextInput(),
        description="For example, 10 means the 10th working day of the month after the "
        "month the return covers. Weekends and England and Wales bank holidays are skipped.",
        validators=[
            InputRequired(messages.DUE_DAY_REQUIRED),
            NumberRange(min=1, max=20, message=messages.DUE_DAY_RANGE),
        ],
    )
    lock_days = WholeNumberField(
        "Days after the due date that a return locks",
        not_whole=messages.LOCK_DAYS_WHOLE,
        widget=GovTextInput(),
        description="Providers can change and resubmit a return until it locks.",
        validators=[
            InputRequired(messages.LOCK_DAYS_REQUIRED),
            NumberRange(min=0, max=90, message=messages.LOCK_DAYS_RANGE),
        ],
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class QueryForm(FlaskForm):
    target = SelectField(
        "Which answer is your question about?",
        widget=GovSelect(),
        validators=[InputRequired(messages.QUERY_TARGET_REQUIRED)],
    )
    text = TextAreaField(
        "Your question",
        widget=GovTextArea(),
        description="Say what looks wrong and what you need the provider to do.",
        # Checked by portal.schemas.comments (the API's rule and messages): the page.
    )
    submit = SubmitField("Send question", widget=GovSubmitInput())


class AcceptForm(FlaskForm):
    text = TextAreaField(
        "Comment for the provider (optional)",
        widget=GovTextArea(),
        # Checked by portal.schemas.comments (the API's rule and messages): the page.
    )
    submit = SubmitField("Accept return", widget=GovSubmitInput())


class ReplyForm(FlaskForm):
    comment = HiddenField(validators=[InputRequired()])
    text = TextAreaField(
        "Your reply",
        widget=GovTextArea(),
        # Checked by portal.schemas.comments (the API's rule and messages): the page.
    )
    submit = SubmitField("Send reply", widget=GovSubmitInput())


def checked_comment(form, schema) -> str | None:
    """The form's ``text`` checked by the API's comment schema (``portal.schemas.comments``:
    one rule, one set of messages for a question, an acceptance's comment or a reply,
    whichever way it comes): the text, stripped, or None with the message on the field.
    Call it after ``validate_on_submit``, which clears the field's errors."""
    loaded, errors = load_comment(schema, {"text": form.text.data})
    if errors:
        form.text.errors = [errors.get("text") or next(iter(errors.values()))]
        return None
    return loaded["text"]
