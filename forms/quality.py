"""Forms a council's quality-assurance officer uses: record a concern, close it, record a
visit, and update a branch's CQC rating, registered manager and sponsor licence."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import Field, HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation

from forms import messages
from forms.govuk_dates import DATE_PARTS, parse_date_parts
from portal.models import CqcRating, SponsorLicenceStatus

EARLIEST = date(2000, 1, 1)
TEXT_MAX = 2000
SOURCE_MAX = 300  # FactChange.source
YES_NO = [("yes", "Yes"), ("no", "No")]


def strip(value):
    """A form filter: text without surrounding spaces (other values as they are)."""
    return value.strip() if isinstance(value, str) else value


def _today() -> date:
    from portal.clock import today

    return today()


class GovDateField(Field):
    """A date in three boxes (the GOV.UK date input), each box named after the field.

    ``subject`` names the date in messages ("date the concern was raised"). The date must
    be real, on or after 1 January 2000 and not in the future. ``required``: blank is an
    error (otherwise blank gives None, and the form decides)."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, subject="date", required=True, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.subject = subject
        self.required = required
        self.parse_error: str | None = None
        self.missing_parts: list[str] = []

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%d %m %Y") if self.data else ""

    @property
    def blank(self) -> bool:
        return not any(part.strip() for part in (self.raw_data or []))

    def process_formdata(self, valuelist):
        # The widget shows exactly three boxes, whatever was posted.
        parts = [str(v)[:10] for v in (list(valuelist) + ["", "", ""])[:3]]
        self.raw_data = parts
        self.data, self.parse_error, boxes = parse_date_parts(
            dict(zip(DATE_PARTS, parts, strict=True)), self.subject, required=False
        )
        self.missing_parts = boxes if self.parse_error else []

    def pre_validate(self, form):
        if self.parse_error:
            raise StopValidation(self.parse_error)
        if self.data is None:
            if self.required and self.raw_data is not None:
                raise StopValidation(messages.enter(self.subject))
            return
        if self.data > _today():
            raise StopValidation(messages.date_in_future(self.subject))
        if self.data < EARLIEST:
            raise StopValidation(messages.date_too_early(self.subject, f"{EARLIEST:%-d %B %Y}"))


def error_list(form: FlaskForm) -> list[dict]:
    """The error summary: each message links to its field (a date to its first box)."""
    found = []
    for field in form._fields.values():
        if not field.errors:
            continue
        anchor = field.id
        if isinstance(field, GovDateField):
            anchor = f"{field.id}-{(field.missing_parts or ['day'])[0]}"
        found.append({"text": field.errors[0], "href": f"#{anchor}"})
    return found


class ConcernForm(FlaskForm):
    raised_on = GovDateField(
        "Date the concern was raised",
        subject="date the concern was raised",
        description="For example, 27 3 2026",
    )
    summary = TextAreaField(
        "What is the concern about?",
        widget=GovTextArea(),
        description="Who raised it, what happened and what you have done so far",
        filters=[strip],
        validators=[
            DataRequired(messages.CONCERN_SUMMARY_REQUIRED),
            Length(max=TEXT_MAX, message=messages.too_long("summary of the concern", TEXT_MAX)),
        ],
    )
    confidential = RadioField(
        "Is the concern confidential?",
        widget=GovRadioInput(),
        description="If it is, the provider sees only that a concern is open, not what it is "
        "about or when it was raised",
        choices=YES_NO,
        validators=[InputRequired(messages.CONCERN_CONFIDENTIAL_REQUIRED)],
    )
    submit = SubmitField("Record concern", widget=GovSubmitInput())


class CloseConcernForm(FlaskForm):
    concern_id = HiddenField(validators=[InputRequired(messages.CONCERN_NOT_FOUND)])

    def validate_concern_id(self, field):
        text = (field.data or "").strip()
        if not (text.isascii() and text.isdigit() and len(text) < 10):
            raise StopValidation(messages.CONCERN_NOT_FOUND)


class VisitForm(FlaskForm):
    visited_on = GovDateField(
        "Date of the visit",
        subject="date of the visit",
        description="For example, 27 3 2026",
    )
    outcome = TextAreaField(
        "Outcome",
        widget=GovTextArea(),
        description="What you found",
        filters=[strip],
        validators=[
            DataRequired(messages.VISIT_OUTCOME_REQUIRED),
            Length(max=TEXT_MAX, message=messages.too_long("outcome", TEXT_MAX)),
        ],
    )
    actions = TextAreaField(
        "Actions (optional)",
        widget=GovTextArea(),
        description="What the provider or the council will do, and by when",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=TEXT_MAX, message=messages.too_long("actions", TEXT_MAX)),
        ],
    )
    submit = SubmitField("Record visit", widget=GovSubmitInput())


def _source_field(label: str, what: str) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        description="For example, the CQC website, a notification from the provider or "
        "a letter from the Home Office",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=SOURCE_MAX, message=messages.too_long(f"{what} source", SOURCE_MAX)),
        ],
    )


class BranchFactsForm(FlaskForm):
    """Each fact with where it came from and when it took effect. Only changed facts need
    a source and a date. Give the branch's current values as ``current``."""

    cqc_rating = RadioField(
        "What is the branch's CQC rating?",
        widget=GovRadioInput(),
        choices=[(r.value, r.label) for r in CqcRating],
        validators=[InputRequired(messages.CQC_RATING_REQUIRED)],
    )
    cqc_rating_date = GovDateField(
        "Date of the CQC rating",
        subject="date of the CQC rating",
        required=False,
        description="The date CQC published the rating. For example, 3 1 2023",
    )
    cqc_source = _source_field("Where the CQC rating came from", "CQC rating")
    registered_manager = RadioField(
        "Is a registered manager in post?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired(messages.MANAGER_IN_POST_REQUIRED)],
    )
    registered_manager_date = GovDateField(
        "Date the registered manager change took effect",
        subject="date the registered manager change took effect",
        required=False,
    )
    registered_manager_source = _source_field(
        "Where the registered manager information came from", "registered manager"
    )
    sponsor_licence = RadioField(
        "What is the status of the Home Office sponsor licence?",
        widget=GovRadioInput(),
        choices=[(s.value, s.label) for s in SponsorLicenceStatus],
        validators=[InputRequired(messages.LICENCE_STATUS_REQUIRED)],
    )
    sponsor_licence_date = GovDateField(
        "Date the sponsor licence status took effect",
        subject="date the sponsor licence status took effect",
        required=False,
    )
    sponsor_licence_source = _source_field(
        "Where the sponsor licence information came from", "sponsor licence"
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    GROUPS = (
        # (value field, date field, source field, what, fields compared with current)
        ("cqc_rating", "cqc_rating_date", "cqc_source", "CQC rating"),
        (
            "registered_manager",
            "registered_manager_date",
            "registered_manager_source",
            "registered manager",
        ),
        ("sponsor_licence", "sponsor_licence_date", "sponsor_licence_source", "sponsor licence"),
    )

    def __init__(self, *args, current: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current or {}

    def changed(self) -> list[str]:
        """The value fields that differ from the current values (CQC: rating or date)."""
        found = []
        for value_name, date_name, _, _ in self.GROUPS:
            differs = self[value_name].data != self.current.get(value_name)
            if value_name == "cqc_rating":
                differs = differs or self[date_name].data != self.current.get(date_name)
            if differs:
                found.append(value_name)
        return found

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if any(self[value_name].errors for value_name, *_ in self.GROUPS):
            return False
        changed = self.changed()
        if not changed:
            if valid:
                self.cqc_rating.errors = [messages.FACTS_UNCHANGED]
            return False
        for value_name, date_name, source_name, what in self.GROUPS:
            if value_name not in changed:
                continue
            date_field, source_field = self[date_name], self[source_name]
            if date_field.data is None and not date_field.errors:
                date_field.errors = [messages.enter(date_field.subject)]
                valid = False
            if not source_field.data and not source_field.errors:
                source_field.errors = [messages.fact_source_required(what)]
                valid = False
        return valid
