"""Forms on a council's contract-meeting pack pages: recording an action agreed at the
meeting. Messages are in GOV.UK wording and say what to fix."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, StopValidation

from forms import messages
from forms.quality import EARLIEST, GovDateField, strip

ACTION_MAX = 1000
OWNER_MAX = 120
LATEST_DUE = date(2100, 12, 31)
ACTION_REQUIRED = "Enter the action agreed at the meeting"


class DueDateField(GovDateField):
    """A GOV.UK date input for a date that may be in the future (an action's due date).

    Blank is allowed; a part-filled or impossible date is an error, as is one outside
    2000 to 2100 (a typing slip, not a plan)."""

    def __init__(self, label=None, validators=None, subject="due date", **kwargs):
        super().__init__(label, validators, subject=subject, required=False, **kwargs)

    def pre_validate(self, form):
        if self.parse_error:
            raise StopValidation(self.parse_error)
        if self.data is None:
            return
        if self.data < EARLIEST:
            raise StopValidation(messages.date_too_early(self.subject, f"{EARLIEST:%-d %B %Y}"))
        if self.data > LATEST_DUE:
            raise StopValidation(
                f"{self.subject.capitalize()} must be on or before {LATEST_DUE:%-d %B %Y}"
            )


class MeetingActionForm(FlaskForm):
    text = TextAreaField(
        "Action",
        widget=GovTextArea(),
        description="What was agreed, for example 'Send the missed visits action plan'",
        filters=[strip],
        validators=[
            DataRequired(ACTION_REQUIRED),
            Length(max=ACTION_MAX, message=messages.too_long("action", ACTION_MAX)),
        ],
    )
    owner = StringField(
        "Owner (optional)",
        widget=GovTextInput(),
        description="Who will do it, for example the registered manager",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=OWNER_MAX, message=messages.too_long("owner", OWNER_MAX)),
        ],
    )
    due_on = DueDateField("Due date (optional)", description="For example, 27 3 2027")
    submit = SubmitField("Add action", widget=GovSubmitInput())
