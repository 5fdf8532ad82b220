"""The workforce section: the month's care staff figures, pay and visas. Figures we can
work out from the provider's staff records are filled in when the section has not been
saved; "Nothing has changed since last month" copies last month's submitted figures into
the form to check and save."""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import redirect, render_template, request
from sqlalchemy import or_, select

from forms import messages
from portal.extensions import db
from portal.models import (
    Branch,
    MonthlyReturn,
    ReturnSection,
    SponsorLicenceStatus,
    StaffMember,
)
from portal.returns import service
from portal.returns import staff_rules as rules
from portal.returns.calendar import last_day_of
from portal.returns.sections import common
from portal.returns.warnings import SoftWarning, numeric_warnings

CODE = "workforce"

# Real Living Wage (Living Wage Foundation), 2025/26 rates: the London rate applies to
# councils in London.
REAL_LIVING_WAGE = Decimal("13.45")
REAL_LIVING_WAGE_LONDON = Decimal("14.80")
LONDON_MARKERS = ("London", "Kensington")
FTE_HOURS = Decimal("37.5")  # contracted hours a week that make one full-time equivalent
MAX_COUNT = 100_000

COUNT, DECIMAL, MONEY, CHOICE = "count", "decimal", "money", "choice"
YES_NO = (("yes", "Yes"), ("no", "No"))


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # the question or label on the form, and the start of its error messages
    kind: str
    hint: str = ""
    what: str = ""  # what to enter, for the "Enter ..." message
    choices: tuple[tuple[str, str], ...] = ()
    required: str = ""  # the message when a choice is not made

    @property
    def items(self) -> list[dict]:
        return [{"value": value, "text": text} for value, text in self.choices]


FIELDS: list[Field] = [
    Field("headcount", "Care staff headcount", COUNT,
          "People in care roles on the last day of the month, including bank staff but "
          "not agency staff", "the care staff headcount"),
    Field("fte", "Full-time equivalent", DECIMAL,
          "Care staff contracted hours a week divided by 37.5. For example, 18.75",
          "the full-time equivalent"),
    Field("vacancies", "Vacancies (full-time equivalent)", DECIMAL,
          "Care roles you are recruiting to. For example, 2.5", "the vacancies"),
    Field("starters", "Starters", COUNT, "Care staff who started this month",
          "the number of starters"),
    Field("leavers", "Leavers", COUNT, "Care staff who left this month",
          "the number of leavers"),
    Field("sickness_days", "Days lost to sickness", DECIMAL,
          "Working days care staff were off sick this month. For example, 12.5",
          "the days lost to sickness"),
    Field("agency_hours", "Agency hours", DECIMAL,
          "Hours of care delivered by agency staff this month", "the agency hours"),
    Field("visa_staff", "Staff on Health and Care Worker visas", COUNT, "",
          "the number of staff on Health and Care Worker visas"),
    Field("sponsor_licence", "What is the status of your sponsor licence?", CHOICE,
          choices=tuple((s.value, s.label) for s in SponsorLicenceStatus),
          required=messages.SPONSOR_LICENCE_REQUIRED),
    Field("registered_manager", "Is a registered manager in post?", CHOICE,
          choices=YES_NO, required=messages.REGISTERED_MANAGER_REQUIRED),
    Field("lowest_pay", "Lowest hourly pay", MONEY,
          "The lowest rate you pay any care worker, before tax. For example, 12.60",
          "the lowest hourly pay"),
    Field("median_pay", "Median hourly pay", MONEY,
          "The middle rate when every care worker's rate is put in order. For example, 13.10",
          "the median hourly pay"),
    Field("rlw_staff", "Staff paid at least the Real Living Wage", COUNT, "",
          "the number of staff paid at least the Real Living Wage"),
    Field("travel_time_paid", "Do you pay care staff for travel time between visits?", CHOICE,
          choices=YES_NO, required=messages.TRAVEL_TIME_REQUIRED),
    Field("zero_hours_staff", "Staff on zero-hours contracts", COUNT, "",
          "the number of staff on zero-hours contracts"),
    Field("care_cert_completed", "Care Certificate completed", COUNT, "",
          "the number who have completed the Care Certificate"),
    Field("care_cert_in_progress", "Care Certificate in progress", COUNT, "",
          "the number working towards the Care Certificate"),
    Field("care_cert_not_started", "Care Certificate not started", COUNT, "",
          "the number who have not started the Care Certificate"),
]  # fmt: skip
BY_NAME = {f.name: f for f in FIELDS}
NAMES = [f.name for f in FIELDS]
NUMERIC_LABELS = {f.name: f.label for f in FIELDS if f.kind != CHOICE}
# Shown together on the form: (legend, field names).
GROUPS: list[tuple[str, list[str]]] = [
    ("Care staff", ["headcount", "fte", "vacancies", "starters", "leavers"]),
    ("Sickness and agency staff", ["sickness_days", "agency_hours"]),
    ("Visas and management", ["visa_staff", "sponsor_licence", "registered_manager"]),
    ("Pay and contracts", ["lowest_pay", "median_pay", "rlw_staff", "travel_time_paid",
                           "zero_hours_staff"]),
    ("Care Certificate", ["care_cert_completed", "care_cert_in_progress",
                          "care_cert_not_started"]),
]  # fmt: skip
CARE_CERT = ["care_cert_completed", "care_cert_in_progress", "care_cert_not_started"]
NO_MORE_THAN_HEADCOUNT = ["visa_staff", "rlw_staff", "zero_hours_staff"]


def real_living_wage(ret: MonthlyReturn) -> Decimal:
    name = ret.contract.council.name
    london = any(marker in name for marker in LONDON_MARKERS)
    return REAL_LIVING_WAGE_LONDON if london else REAL_LIVING_WAGE


def _number_text(number: Decimal) -> str:
    return format(number.quantize(Decimal("0.01")), "f").rstrip("0").rstrip(".") or "0"


def _parse_number(field: Field, text: str) -> tuple[str | None, str | None]:
    label = field.label
    text = text.replace(",", "")
    if not re.fullmatch(r"-?(?:[0-9]*\.?[0-9]+|[0-9]+\.)", text):
        return None, messages.kpi_not_number(label, field.kind == DECIMAL)
    number = Decimal(text)
    if number < 0:
        return None, messages.kpi_negative(label)
    if number > MAX_COUNT:
        return None, messages.kpi_too_big(label, MAX_COUNT)
    if field.kind == COUNT and number != number.to_integral_value():
        return None, messages.kpi_whole_number(label)
    if number != number.quantize(Decimal("0.01")):
        return None, messages.kpi_two_decimals(label)
    return (str(int(number)) if field.kind == COUNT else _number_text(number)), None


def parse_workforce(raw: Mapping[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    """Check each answer and the rules between them: (values, errors by field name).
    Values are canonical strings, as saved. Used by the form; the API can reuse it."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    texts = {name: str(raw.get(name) or "").strip() for name in NAMES}
    headcount_zero = texts["headcount"] == "0"
    for field in FIELDS:
        text = texts[field.name]
        if field.kind == CHOICE:
            if text in {value for value, _ in field.choices}:
                values[field.name] = text
            else:
                errors[field.name] = field.required
            continue
        if text == "":
            if field.kind == MONEY and headcount_zero:
                continue  # nobody to pay
            errors[field.name] = messages.workforce_required(field.what, field.kind != MONEY)
            continue
        if field.kind == MONEY:
            rate, error = rules.hourly_rate(text, label=field.label)
            value = f"{rate:.2f}" if rate is not None else None
        else:
            value, error = _parse_number(field, text)
        if error:
            errors[field.name] = error
        else:
            values[field.name] = value
    _cross_field(values, errors)
    return values, errors


def _cross_field(values: dict[str, str], errors: dict[str, str]) -> None:
    number = {name: Decimal(value) for name, value in values.items() if name in NUMERIC_LABELS}
    headcount = number.get("headcount")
    if headcount is not None:
        if "fte" in number and number["fte"] > headcount:
            errors["fte"] = messages.FTE_MORE_THAN_HEADCOUNT
        for name in NO_MORE_THAN_HEADCOUNT:
            if name in number and number[name] > headcount:
                errors[name] = messages.more_than_headcount(BY_NAME[name].label)
        if all(name in number for name in CARE_CERT):
            if sum(number[name] for name in CARE_CERT) > headcount:
                errors["care_cert_completed"] = messages.CARE_CERT_MORE_THAN_HEADCOUNT
    if "lowest_pay" in number and "median_pay" in number:
        if number["lowest_pay"] > number["median_pay"]:
            errors["lowest_pay"] = messages.LOWEST_PAY_ABOVE_MEDIAN


# --- filled in from the staff records -----------------------------------------------


def from_staff(ret: MonthlyReturn) -> dict[str, str] | None:
    """Figures the staff records give, as at the last day of the month; None when the
    provider has no staff then. Care staff: those whose main job role provides care."""
    as_at = last_day_of(ret.period)
    staff = list(
        db.session.scalars(
            select(StaffMember).where(
                StaffMember.provider_id == ret.contract.provider_id,
                or_(StaffMember.left_on.is_(None), StaffMember.left_on > as_at),
                or_(StaffMember.start_date.is_(None), StaffMember.start_date <= as_at),
            )
        )
    )
    if not staff:
        return None
    care = [s for s in staff if rules.provides_care(s.main_job_role)]
    hours = sum((s.contracted_hours or Decimal(0) for s in care), Decimal(0))
    rates = sorted(s.hourly_rate for s in care if s.hourly_rate is not None)
    living_wage = real_living_wage(ret)
    values = {
        "headcount": str(len(care)),
        "fte": _number_text((hours / FTE_HOURS).quantize(Decimal("0.01"), ROUND_HALF_UP)),
        "visa_staff": str(sum(1 for s in care if s.health_care_visa == 1)),
        "rlw_staff": str(sum(1 for s in care if s.hourly_rate and s.hourly_rate >= living_wage)),
        "zero_hours_staff": str(sum(1 for s in care if s.zero_hours is True)),
        "care_cert_completed": str(sum(1 for s in care if s.care_certificate == 1)),
        "care_cert_in_progress": str(sum(1 for s in care if s.care_certificate == 3)),
        "care_cert_not_started": str(sum(1 for s in care if s.care_certificate == 2)),
    }
    if rates:
        median = Decimal(statistics.median(rates)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        values["lowest_pay"] = f"{rates[0]:.2f}"
        values["median_pay"] = f"{median:.2f}"
    branch = db.session.scalar(
        select(Branch)
        .where(Branch.provider_id == ret.contract.provider_id)
        .order_by(Branch.name, Branch.id)
        .limit(1)
    )
    if branch is not None:
        values["sponsor_licence"] = branch.sponsor_licence_status.value
        values["registered_manager"] = "yes" if branch.registered_manager_in_post else "no"
    return values


# --- the page -----------------------------------------------------------------------


def soft_warnings(ret: MonthlyReturn, values: dict) -> list[SoftWarning]:
    return numeric_warnings(values, common.previous_section_data(ret, CODE), NUMERIC_LABELS)


def view(ret: MonthlyReturn, sec: ReturnSection):
    saved = sec.data or {}
    notice = None
    stale = None
    errors: dict[str, str] = {}
    warnings: list[SoftWarning] = []
    confirmed = list(sec.confirmed_warnings or [])
    pending: list[SoftWarning] = []
    revision = sec.revision
    status = 200
    if request.method == "POST":
        shown = {name: request.form.get(name, "") for name in NAMES}
        values, errors = parse_workforce(shown)
        if errors:
            status = 400
        else:
            warnings = soft_warnings(ret, values)
            confirmed = common.confirmed_codes(warnings)
            pending = common.unconfirmed(warnings, confirmed)
            stale = common.save(ret, sec, values, not pending, confirmed)
            if stale is None and not pending:
                return redirect(common.next_url(ret, CODE))
            if stale is None:
                revision = sec.revision
                status = 400
            else:
                revision = stale.revision
                status = 409
    elif saved:
        shown = {name: saved.get(name, "") for name in NAMES}
        warnings = soft_warnings(ret, saved)
    else:
        prefilled = from_staff(ret)
        shown = prefilled or {}
        if prefilled:
            notice = messages.PREFILLED_FROM_STAFF
    return _render(ret, sec, shown, errors, warnings, confirmed, pending, revision, stale,
                   notice), status  # fmt: skip


def _render(ret, sec, shown, errors, warnings, confirmed, pending, revision, stale, notice):
    error_list = [{"text": errors[name], "href": f"#{name}"} for name in NAMES if name in errors]
    error_list += common.warning_errors(pending)
    return render_template(
        "returns/section_workforce.html",
        ret=ret,
        sec=sec,
        fields=BY_NAME,
        groups=GROUPS,
        values=shown,
        errors=errors,
        error_list=error_list or None,
        warnings=warnings,
        confirmed=confirmed,
        revision=revision,
        stale=stale,
        stale_message=common.stale_message(stale) if stale else None,
        notice=notice,
        living_wage=real_living_wage(ret),
        editable=service.can_edit(ret),
        copy_url=_url(ret, "copy-last-month"),
        action_url=_url(ret),
    )


def _url(ret: MonthlyReturn, action: str | None = None) -> str:
    from portal.returns.views import return_url

    if action is None:
        return return_url(ret, "edit_section", code=CODE)
    return return_url(ret, "section_action", code=CODE, action=action)


def copy_last_month(ret: MonthlyReturn, sec: ReturnSection):
    """Last month's submitted figures, into the form to check (nothing is saved)."""
    if request.method != "POST":
        return redirect(_url(ret))
    last = common.previous_section_data(ret, CODE, months=1)[0]
    previous = service.period_label((ret.period - timedelta(days=1)).replace(day=1))
    copied = {name: str(last[name]) for name in NAMES if last.get(name) not in (None, "")}
    warnings: list[SoftWarning] = []
    if copied:
        shown, notice = copied, messages.COPIED_LAST_MONTH.format(period=previous)
        warnings = soft_warnings(ret, copied)
    else:
        shown = {name: (sec.data or {}).get(name, "") for name in NAMES}
        notice = messages.NOTHING_TO_COPY.format(period=previous)
    return _render(ret, sec, shown, {}, warnings, list(sec.confirmed_warnings or []), [],
                   sec.revision, None, notice)  # fmt: skip


actions = {"copy-last-month": copy_last_month}


def _display(field: Field, value) -> str:
    if value in (None, ""):
        return "Not entered"
    if field.kind == CHOICE:
        return dict(field.choices).get(str(value), str(value))
    if field.kind == MONEY:
        return f"£{value}"
    return str(value)


def summary(ret: MonthlyReturn, data: dict) -> list[dict]:
    return [
        {"key": {"text": f.label}, "value": {"text": _display(f, (data or {}).get(f.name))}}
        for f in FIELDS
    ]
