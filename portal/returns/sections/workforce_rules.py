"""The workforce section's rules: the questions, checking the answers and the rules
between them, the figures the provider's staff records give, the soft warnings and the
check-your-answers rows. The page is ``workforce``."""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import or_, select

from forms import messages
from portal.coverage import contract_branch_ids
from portal.display import number
from portal.extensions import db
from portal.models import (
    Branch,
    MonthlyReturn,
    SponsorLicenceStatus,
    StaffMember,
)
from portal.returns import staff_reference
from portal.returns import staff_rules as rules
from portal.returns.calendar import last_day_of
from portal.returns.sections import common_rules
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
    if number.get("headcount") is not None:
        _no_more_than_headcount(number, errors)
    if "lowest_pay" in number and "median_pay" in number:
        if number["lowest_pay"] > number["median_pay"]:
            errors["lowest_pay"] = messages.LOWEST_PAY_ABOVE_MEDIAN


def _no_more_than_headcount(number: dict[str, Decimal], errors: dict[str, str]) -> None:
    """The full-time equivalent, the staff counts and the Care Certificate counts added
    together are each no more than the headcount."""
    headcount = number["headcount"]
    if "fte" in number and number["fte"] > headcount:
        errors["fte"] = messages.FTE_MORE_THAN_HEADCOUNT
    for name in NO_MORE_THAN_HEADCOUNT:
        if name in number and number[name] > headcount:
            errors[name] = messages.more_than_headcount(BY_NAME[name].label)
    if all(name in number for name in CARE_CERT):
        if sum(number[name] for name in CARE_CERT) > headcount:
            errors["care_cert_completed"] = messages.CARE_CERT_MORE_THAN_HEADCOUNT


# --- filled in from the staff records -----------------------------------------------


def from_staff(ret: MonthlyReturn) -> dict[str, str] | None:
    """Figures the staff records give, as at the last day of the month; None when the
    provider has no staff then. Care staff: those whose main job role provides care. Only
    staff at the branches the return's contract covers count."""
    staff = _staff_in_post(
        ret.contract.provider_id, last_day_of(ret.period), contract_branch_ids(ret.contract)
    )
    if not staff:
        return None
    care = [s for s in staff if staff_reference.provides_care(s.main_job_role)]
    return {
        **_care_counts(care, real_living_wage(ret)),
        **_pay(care),
        **_branch_answers(ret.contract.provider_id, contract_branch_ids(ret.contract)),
    }


def _staff_in_post(provider_id: int, as_at, branch_ids: set[int]) -> list[StaffMember]:
    return list(
        db.session.scalars(
            select(StaffMember).where(
                StaffMember.provider_id == provider_id,
                StaffMember.branch_id.in_(sorted(branch_ids)),
                or_(StaffMember.left_on.is_(None), StaffMember.left_on > as_at),
                or_(StaffMember.start_date.is_(None), StaffMember.start_date <= as_at),
            )
        )
    )


def _care_counts(care: list[StaffMember], living_wage: Decimal) -> dict[str, str]:
    hours = sum((s.contracted_hours or Decimal(0) for s in care), Decimal(0))

    def count(test) -> str:
        return str(sum(1 for s in care if test(s)))

    return {
        "headcount": str(len(care)),
        "fte": _number_text((hours / FTE_HOURS).quantize(Decimal("0.01"), ROUND_HALF_UP)),
        "visa_staff": count(lambda s: s.health_care_visa == 1),
        "rlw_staff": count(lambda s: s.hourly_rate and s.hourly_rate >= living_wage),
        "zero_hours_staff": count(lambda s: s.zero_hours is True),
        "care_cert_completed": count(lambda s: s.care_certificate == 1),
        "care_cert_in_progress": count(lambda s: s.care_certificate == 3),
        "care_cert_not_started": count(lambda s: s.care_certificate == 2),
    }


def _pay(care: list[StaffMember]) -> dict[str, str]:
    """The lowest and median hourly rates (nothing when no rate is recorded)."""
    rates = sorted(s.hourly_rate for s in care if s.hourly_rate is not None)
    if not rates:
        return {}
    median = Decimal(statistics.median(rates)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return {"lowest_pay": f"{rates[0]:.2f}", "median_pay": f"{median:.2f}"}


def _branch_answers(provider_id: int, branch_ids: set[int]) -> dict[str, str]:
    """The sponsor licence and registered manager answers, from the provider's first
    covered branch by name (nothing when it has none)."""
    branch = db.session.scalar(
        select(Branch)
        .where(Branch.provider_id == provider_id, Branch.id.in_(sorted(branch_ids)))
        .order_by(Branch.name, Branch.id)
        .limit(1)
    )
    if branch is None:
        return {}
    return {
        "sponsor_licence": branch.sponsor_licence_status.value,
        "registered_manager": "yes" if branch.registered_manager_in_post else "no",
    }


CHECKED_AGAINST_STAFF = ("headcount", "fte", "visa_staff")  # typed figures the records give
STAFF_TOLERANCE = Decimal("0.10")  # more than 10% apart: a soft warning


def soft_warnings(ret: MonthlyReturn, values: dict) -> list[SoftWarning]:
    """Figures unchanged for 3 months (asked once for the section when several are) or
    jumping, and typed figures more than 10% away from what the staff records give."""
    found = numeric_warnings(values, common_rules.previous_section_data(ret, CODE), NUMERIC_LABELS)
    unchanged = [w for w in found if w.code.endswith(":unchanged")]
    if len(unchanged) > 1:  # a copied section: one tick for all of it, not one a field
        names = ", ".join(NUMERIC_LABELS[w.field].lower() for w in unchanged)
        found = [w for w in found if w not in unchanged]
        found.insert(0, SoftWarning("section:unchanged", unchanged[0].field,
                                    f"These figures are the same as in each of the last 2 "
                                    f"months: {names}"))  # fmt: skip
    return found + staff_record_warnings(ret, values)


def staff_record_warnings(ret: MonthlyReturn, values: dict) -> list[SoftWarning]:
    """A typed headcount, FTE or visa count more than 10% away from the staff records'."""
    worked_out = from_staff(ret) or {}
    found = []
    for name in CHECKED_AGAINST_STAFF:
        typed, records = values.get(name), worked_out.get(name)
        if typed in (None, "") or records in (None, ""):
            continue
        typed_n, records_n = Decimal(str(typed)), Decimal(str(records))
        if abs(typed_n - records_n) > STAFF_TOLERANCE * max(records_n, Decimal(1)):
            label = NUMERIC_LABELS[name]
            found.append(SoftWarning(f"{name}:staff-records", name,
                                     f"{label} is {_number_text(typed_n)}, but your staff "
                                     f"records give {_number_text(records_n)}"))  # fmt: skip
    return found


# --- check your answers --------------------------------------------------------------


def _display(field: Field, value) -> str:
    if value in (None, ""):
        return "Not entered"
    if field.kind == CHOICE:
        return dict(field.choices).get(str(value), str(value))
    if field.kind == MONEY:
        return f"£{value}"
    return number(value)


def summary(ret: MonthlyReturn, data: dict) -> list[dict]:
    return [
        {"key": {"text": f.label}, "value": {"text": _display(f, (data or {}).get(f.name))}}
        for f in FIELDS
    ]
