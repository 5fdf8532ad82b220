"""Forms a council admin uses: frameworks and lots, KPI targets, contracts."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import EmailField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, StopValidation

from forms import messages
from forms.quality import GovDateField, strip
from forms.setup import MonthField
from portal.vocabulary import AreaKind, ContractType, ServiceType


class AnyDateField(GovDateField):
    """A GOV.UK date input that may be in the future (contract and framework dates)."""

    def pre_validate(self, form):
        if self.parse_error:
            raise StopValidation(self.parse_error)
        if self.data is None and self.required and self.raw_data is not None:
            raise StopValidation(messages.enter(self.subject))


class FrameworkForm(FlaskForm):
    name = StringField(
        "Framework name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[InputRequired(messages.FRAMEWORK_NAME_REQUIRED), Length(max=200)],
    )
    service_type = RadioField(
        "Type of service",
        widget=GovRadioInput(),
        choices=[(s.value, s.label) for s in ServiceType],
        validators=[InputRequired(messages.SERVICE_TYPE_REQUIRED)],
    )
    start_date = AnyDateField("Start date", subject="start date")
    end_date = AnyDateField("End date", subject="end date")
    lot_kind = RadioField(
        "What is the framework divided into?",
        widget=GovRadioInput(),
        choices=[(k.value, k.label + "s") for k in AreaKind],
        default=AreaKind.LOT.value,
        validators=[InputRequired(messages.LOT_KIND_REQUIRED)],
    )
    lots = TextAreaField(
        "Lots or areas",
        widget=GovTextArea(),
        description="One a line, for example North. Leave blank if it has none",
        validators=[Optional(), Length(max=5000)],
    )
    submit = SubmitField("Add framework", widget=GovSubmitInput())


class LotForm(FlaskForm):
    name = StringField(
        "Name of the lot or area",
        widget=GovTextInput(),
        filters=[strip],
        validators=[InputRequired(messages.LOT_NAME_REQUIRED), Length(max=200)],
    )
    kind = RadioField(
        "Kind",
        widget=GovRadioInput(),
        choices=[(k.value, k.label) for k in AreaKind],
        default=AreaKind.LOT.value,
        validators=[InputRequired(messages.LOT_KIND_REQUIRED)],
    )
    submit = SubmitField("Add lot or area", widget=GovSubmitInput())


def percentage(text: str | None) -> Decimal | None:
    """ "90", "90%" or "2.5" as a number from 0 to 100 (None otherwise)."""
    try:
        value = Decimal(str(text or "").strip().rstrip("%").strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(Decimal("0.01")):
        return None
    return value


class TargetsForm(FlaskForm):
    """The month new targets apply from, and each KPI's target and amber band (the fields
    are added per KPI by ``targets_form``)."""

    effective_from = MonthField(
        "Apply the new targets from",
        subject="month the new targets apply from",
        description="Returns for this month and later are judged against them, like April 2027",
    )
    submit = SubmitField("Save new targets", widget=GovSubmitInput())

    def parsed(self, definitions) -> dict[str, tuple[Decimal, Decimal]] | None:
        """Targets by KPI code, or None after putting errors on the fields."""
        found, ok = {}, True
        for d in definitions:
            target_field, band_field = self[f"target_{d.code}"], self[f"band_{d.code}"]
            target, band = percentage(target_field.data), percentage(band_field.data)
            if target is None:
                target_field.errors = [messages.TARGET_INVALID.format(kpi=d.name.lower())]
                ok = False
            if band is None:
                band_field.errors = [messages.AMBER_BAND_INVALID.format(kpi=d.name.lower())]
                ok = False
            found[d.code] = (target, band)
        return found if ok else None


def targets_form(definitions, formdata=None) -> TargetsForm:
    """A TargetsForm with a target and an amber band field for each KPI definition, filled
    in with the targets in force."""

    class Form(TargetsForm):
        pass

    for d in definitions:
        sign = "at most" if d.direction == "lower" else "at least"
        setattr(Form, f"target_{d.code}", StringField(
            f"{d.name}: target (%)", widget=GovTextInput(),
            description=f"The provider should be {sign} this", default=f"{d.target.normalize():f}",
        ))  # fmt: skip
        setattr(Form, f"band_{d.code}", StringField(
            f"{d.name}: amber band (percentage points)", widget=GovTextInput(),
            description="How far past the target is still amber rather than red",
            default=f"{d.amber_band.normalize():f}",
        ))  # fmt: skip
    return Form(formdata=formdata) if formdata is not None else Form()


def hourly_rate(text: str | None) -> Decimal | None:
    try:
        value = Decimal(str(text or "").strip().lstrip("£").replace(",", ""))
    except InvalidOperation:
        return None
    if not value.is_finite() or not 0 < value < 1000 or value != value.quantize(Decimal("0.01")):
        return None
    return value


class ContractForm(FlaskForm):
    provider_name = StringField(
        "Provider name",
        widget=GovTextInput(),
        filters=[strip],
        validators=[InputRequired(messages.PROVIDER_NAME_REQUIRED), Length(max=200)],
    )
    cqc_provider_id = StringField(
        "CQC provider ID",
        widget=GovTextInput(),
        filters=[strip],
        description="Like 1-101641631. A provider already on the service is linked, not added "
        "twice. Leave blank only if the provider is not registered with the CQC",
        validators=[Optional(), Length(max=20, message=messages.CQC_PROVIDER_ID_INVALID)],
    )
    location_ids = TextAreaField(
        "CQC location IDs of the branches this contract covers",
        widget=GovTextArea(),
        description="Separate them with commas, like 1-123456789, 1-987654321",
        validators=[Optional(), Length(max=2000)],
    )
    framework_id = SelectField("Framework", widget=GovSelect(), choices=[], validate_choice=False)
    area_id = SelectField("Lot or area", widget=GovSelect(), choices=[], validate_choice=False)
    contract_type = RadioField(
        "Type of contract",
        widget=GovRadioInput(),
        choices=[(t.value, t.label) for t in ContractType],
        validators=[InputRequired(messages.CONTRACT_TYPE_REQUIRED)],
    )
    hourly_rate = StringField(
        "Hourly rate", widget=GovTextInput(), description="In pounds, like 24.50"
    )
    start_date = AnyDateField("Start date", subject="start date", required=False)
    end_date = AnyDateField("End date", subject="end date", required=False)
    contact_email = EmailField(
        "Provider contact email address (optional)",
        widget=GovTextInput(),
        description="A provider new to the service: we invite this person as its first manager",
        validators=[Optional(), Length(max=320), Email(messages.EMAIL_INVALID,
                                                       check_deliverability=False)],
    )  # fmt: skip
    submit = SubmitField("Add contract", widget=GovSubmitInput())

    def validate_hourly_rate(self, field):
        if (field.data or "").strip() and hourly_rate(field.data) is None:
            raise StopValidation(messages.HOURLY_RATE_INVALID)


class EndContractForm(FlaskForm):
    end_date = AnyDateField("Date the contract ends", subject="date the contract ends")
    submit = SubmitField("End contract", widget=GovSubmitInput())
