"""The capacity section's rules: the contract's areas, reading and checking each area's
answers (spare weekly hours, earliest start, double-handed calls, night support, specialist
needs, valid until), the soft warnings on spare hours and the check-your-answers rows.
The page is ``capacity``; the handbacks section shares the hours and text helpers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from forms import messages
from forms.govuk_dates import DATE_PARTS, parse_date_parts, split_date
from portal.clock import today
from portal.models import MonthlyReturn
from portal.returns.sections import common_rules
from portal.returns.sections.common_rules import RowErrors
from portal.returns.warnings import SoftWarning, numeric_warnings

CODE = "capacity"
WHOLE_COUNCIL = "Whole council area"
MAX_SPARE_HOURS = 10_000
SPECIALIST = [
    ("dementia", "Dementia"),
    ("complex_needs", "Complex needs"),
    ("learning_disability", "Learning disability"),
]
SPECIALIST_LABELS = dict(SPECIALIST)
YES_NO_QUESTIONS = (
    ("double_handed", "you can take double-handed calls"),
    ("night_support", "you can provide night support"),
)


# --- shared helpers ----------------------------------------------------------------


def area_names(ret: MonthlyReturn) -> list[str]:
    """The contract's own area; else every area of its framework; else the whole council."""
    contract = ret.contract
    if contract.area is not None:
        return [contract.area.name]
    if contract.framework is not None and contract.framework.areas:
        return [area.name for area in contract.framework.areas]
    return [WHOLE_COUNCIL]


def text(value) -> str:
    """A stored or posted value as the text to show in a box."""
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def parse_hours(
    raw, subject: str, required: str, maximum: int, more_than_zero: bool = False
) -> tuple[str | None, str | None]:
    """(the number as canonical text, an error message): up to 2 decimal places."""
    value = str(raw or "").strip().replace(",", "")
    if value == "":
        return None, required
    try:
        number = Decimal(value) if len(value) <= 20 else Decimal("NaN")
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        return None, messages.hours_not_number(subject)
    if more_than_zero and number <= 0:
        return None, messages.hours_not_positive(subject)
    if number < 0:
        return None, messages.hours_negative(subject)
    if number > maximum:
        return None, messages.hours_too_big(subject, maximum)
    if number.normalize().as_tuple().exponent < -2:
        return None, messages.hours_two_decimals(subject)
    return ("0" if number == 0 else f"{number.normalize():f}"), None


def date_label(value) -> str:
    """A stored ISO date as "30 November 2026"."""
    try:
        day = date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return "Not entered"
    return f"{day.day} {day:%B %Y}"


def by_area(data) -> dict[str, dict]:
    """Saved rows by area name (nothing for data of an unexpected shape)."""
    areas = data.get("areas") if isinstance(data, dict) else None
    if not isinstance(areas, list):
        return {}
    return {text(row.get("area")): row for row in areas if isinstance(row, dict)}


def where(names: list[str], name: str) -> str:
    """ " for <area>" in messages and labels when the contract has several areas."""
    return f" for {name}" if len(names) > 1 else ""


# --- the answers as the form shows them ---------------------------------------------


def raw_row(name: str, saved: dict) -> dict:
    """One area's saved answers as the form's boxes."""
    specialist = saved.get("specialist")
    return {
        "area": name,
        "spare_hours": text(saved.get("spare_hours")),
        "earliest_start": split_date(saved.get("earliest_start")),
        "double_handed": text(saved.get("double_handed")),
        "night_support": text(saved.get("night_support")),
        "specialist": [s for s in specialist if isinstance(s, str)]
        if isinstance(specialist, list)
        else [],
        "valid_until": split_date(saved.get("valid_until")),
    }


def rows_from_data(names: list[str], data) -> list[dict]:
    saved = by_area(data)
    return [raw_row(name, saved.get(name) or {}) for name in names]


# --- checking the answers ------------------------------------------------------------


def _start_date(row: dict, at: str, spare: str | None, found: RowErrors) -> date | None:
    """The earliest start: needed when there are spare hours."""
    start, error, boxes = parse_date_parts(
        row["earliest_start"],
        f"earliest start date{at}",
        required=spare is not None and Decimal(spare) > 0,
    )
    found.fail("earliest_start", error, boxes)
    return start


def _valid_until(row: dict, at: str, start: date | None, found: RowErrors) -> date | None:
    """Until when the answers hold: needed, and not before the earliest start."""
    until, error, boxes = parse_date_parts(
        row["valid_until"],
        f"valid until date{at}",
        required=True,
        required_message=messages.enter(f"date these answers are valid until{at}"),
    )
    if error is None and start and until and until < start:
        error, boxes = (
            messages.date_before(f"valid until date{at}", "earliest start date"),
            list(DATE_PARTS),
        )
        until = None
    found.fail("valid_until", error, boxes)
    return until


def _parse_row(names: list[str], row: dict, found: RowErrors) -> dict:
    at = where(names, row["area"])
    spare, error = parse_hours(
        row["spare_hours"],
        f"spare weekly hours{at}",
        messages.spare_hours_required(at),
        MAX_SPARE_HOURS,
    )
    found.fail("spare_hours", error)
    start = _start_date(row, at, spare, found)
    answers = {}
    for name, question in YES_NO_QUESTIONS:
        answers[name] = row[name] if row[name] in ("yes", "no") else None
        if answers[name] is None:
            found.fail(name, messages.select_yes_if(f"{question}{at}"))
    until = _valid_until(row, at, start, found)
    ticked = set(row["specialist"])
    return {
        "area": row["area"],
        "spare_hours": spare,
        "earliest_start": start.isoformat() if start else None,
        "double_handed": answers["double_handed"],
        "night_support": answers["night_support"],
        "specialist": [value for value, _ in SPECIALIST if value in ticked],
        "valid_until": until.isoformat() if until else None,
    }


def parse(names: list[str], rows: list[dict]) -> tuple[dict, dict[str, str], dict[str, list]]:
    """(data, errors by field id, date boxes to highlight). ``data`` holds what could be
    read even when there are errors (for the soft warnings)."""
    errors: dict[str, str] = {}
    highlight: dict[str, list[str]] = {}
    areas = [
        _parse_row(names, row, RowErrors(errors, highlight, f"areas-{i}-"))
        for i, row in enumerate(rows)
    ]
    return {"areas": areas}, errors, highlight


def _iso(value) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def date_warnings(names: list[str], row: dict, index: int, on: date) -> list[SoftWarning]:
    """Answers past their valid-until date, and an earliest start already past."""
    at, found = where(names, row["area"]), []
    until, start = _iso(row.get("valid_until")), _iso(row.get("earliest_start"))
    if until and until < on:
        text = f"The answers{at} were valid until {date_label(until.isoformat())}"
        message = f"{text}, which has passed: check them and change the date"
        found.append(SoftWarning(f"area{index}.valid_until:past", "valid_until", message))
    if start and start < on:
        message = f"The earliest start date{at}, {date_label(start.isoformat())}, has passed"
        found.append(SoftWarning(f"area{index}.earliest_start:past", "earliest_start", message))
    return found


def soft_warnings(ret: MonthlyReturn, names: list[str], data: dict) -> list[SoftWarning]:
    """Spare hours the same 3 months running (asked once for the section when several
    areas are), or more than 3 times last month's; answers past their valid-until date,
    or an earliest start in the past."""
    earlier = [by_area(d) for d in common_rules.previous_section_data(ret, CODE)]
    found: list[SoftWarning] = []
    unchanged: list[tuple[str, SoftWarning]] = []
    for i, row in enumerate(data.get("areas") or []):
        name = row["area"]
        previous = [
            {"spare_hours": (month.get(name) or {}).get("spare_hours")} for month in earlier
        ]
        for warning in numeric_warnings(
            {"spare_hours": row.get("spare_hours")},
            previous,
            {"spare_hours": f"Spare weekly hours{where(names, name)}"},
            prefix=f"area{i}.",
        ):
            if warning.code.endswith(":unchanged"):
                unchanged.append((name, warning))
            else:
                found.append(warning)
        found += date_warnings(names, row, i, today())
    if len(unchanged) > 1:  # a copied section: one tick for all of it, not one an area
        areas = ", ".join(name for name, _ in unchanged)
        message = f"Spare weekly hours are the same as in each of the last 2 months in {areas}"
        return [SoftWarning("section:unchanged", unchanged[0][1].field, message), *found]
    return [w for _, w in unchanged] + found


# --- check your answers --------------------------------------------------------------


def _yes_no(value) -> str:
    return {"yes": "Yes", "no": "No"}.get(text(value), "Not entered")


def _area_rows(name: str, area: dict) -> list[dict]:
    hours = text(area.get("spare_hours"))
    specialist = area.get("specialist") if isinstance(area.get("specialist"), list) else []
    needs = [SPECIALIST_LABELS[s] for s in SPECIALIST_LABELS if s in specialist]
    start = area.get("earliest_start")
    return [
        {"key": {"text": f"{name}: {key}"}, "value": {"text": value}}
        for key, value in (
            ("spare weekly hours", f"{hours} hours" if hours else "Not entered"),
            ("earliest start date", date_label(start) if start else "No date given"),
            ("can take double-handed calls", _yes_no(area.get("double_handed"))),
            ("night support", _yes_no(area.get("night_support"))),
            ("specialist needs", ", ".join(needs) if needs else "None"),
            ("valid until", _until_text(area.get("valid_until"))),
        )
    ]


def _until_text(value) -> str:
    until = _iso(value)
    if until and until < today():
        return f"{date_label(value)}: out of date, check this area's answers"
    return date_label(value)


def summary(ret: MonthlyReturn, data: dict) -> list[dict]:
    saved = by_area(data)
    rows = []
    for name in area_names(ret):
        area = saved.get(name)
        if area is None:
            rows.append({"key": {"text": name}, "value": {"text": "Not entered"}})
        else:
            rows += _area_rows(name, area)
    return rows
