"""Forms for setting up the service: councils and their first users (the administrator),
and a council's frameworks, targets and contracts (its council admins)."""

from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, InputRequired, Length, StopValidation

from forms import messages
from forms.returns import ReturnSettingsForm

MONTH_FORMATS = ("%B %Y", "%b %Y", "%m/%Y", "%m %Y", "%Y-%m")


def parse_month(text: str) -> date | None:
    """ "April 2027", "Apr 2027", "4/2027" or "2027-04" as the first day of that month."""
    cleaned = " ".join(str(text or "").split())
    for fmt in MONTH_FORMATS:
        try:
            found = datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
        if 2000 <= found.year <= 2100:
            return found.replace(day=1)
    return None


class MonthField(StringField):
    """A month typed as words or numbers ("April 2027"); ``data`` is its first day."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, subject="month", required=True, **kw):
        super().__init__(label, validators, **kw)
        self.subject, self.required, self.month = subject, required, None

    def pre_validate(self, form):
        text = (self.data or "").strip()
        if not text:
            if self.required:
                raise StopValidation(messages.enter(self.subject))
            return
        self.month = parse_month(text)
        if self.month is None:
            raise StopValidation(messages.MONTH_INVALID.format(subject=self.subject))


def _name_field(label: str, required: str) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[InputRequired(required), Length(max=200, message=messages.NAME_TOO_LONG)],
    )


def _email_field() -> EmailField:
    return EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(messages.EMAIL_REQUIRED),
            Length(max=320, message=messages.EMAIL_INVALID),
            Email(messages.EMAIL_INVALID, check_deliverability=False),
        ],
    )


class CouncilForm(FlaskForm):
    name = _name_field("Council name", messages.COUNCIL_NAME_REQUIRED)
    go_live_month = MonthField(
        "Go-live month",
        subject="go-live month",
        description="The first month the council asks providers for returns, like April 2027",
    )
    due_working_day = ReturnSettingsForm.due_working_day
    lock_days = ReturnSettingsForm.lock_days
    submit = SubmitField("Add council", widget=GovSubmitInput())


class InviteCommissionerForm(FlaskForm):
    name = _name_field("Full name", messages.NAME_REQUIRED)
    email = _email_field()
    council_admin = BooleanField(
        "They can set up the council: frameworks, targets, contracts and users",
        widget=GovCheckboxInput(),
        default=True,
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    """A button and a CSRF token: for actions that need no input."""

    submit = SubmitField("Continue", widget=GovSubmitInput())


class AuditFilterForm(FlaskForm):
    """The audit page's filters (read from the query string; nothing changes)."""

    class Meta:
        csrf = False

    council = SelectField("Council", widget=GovSelect(), choices=[], validate_choice=False)
    entity = SelectField("What changed", widget=GovSelect(), choices=[], validate_choice=False)
    who = StringField("Changed by (name or email)", widget=GovTextInput())
    since = StringField("From (day/month/year)", widget=GovTextInput())
    until = StringField("To (day/month/year)", widget=GovTextInput())
    submit = SubmitField("Filter changes", widget=GovSubmitInput())


def parse_day(text: str | None) -> date | None:
    """A day typed as 7/12/2026 (blank or not a date: None)."""
    try:
        return datetime.strptime(str(text or "").strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


def _optional_text(label: str, max_length: int, description: str = "") -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        description=description,
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[Length(max=max_length, message=f"{label} must be {max_length} characters "
                                                    "or fewer")],
    )  # fmt: skip


class BranchForm(FlaskForm):
    name = _name_field("Branch name", messages.BRANCH_NAME_REQUIRED)
    cqc_location_id = _optional_text("CQC location ID", 20, "Like 1-123456789")
    local_est_id = _optional_text(
        "ASC-WDS workplace ID (LOCALESTID)",
        50,
        "The LOCALESTID your staff and training files use for this branch",
    )
    postcode = _optional_text("Postcode", 10)
    submit = SubmitField("Save branch", widget=GovSubmitInput())
