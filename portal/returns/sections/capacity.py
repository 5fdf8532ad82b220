"""The capacity section: for each area of the contract, the spare weekly hours the
provider can take on for new packages, from when, what kinds of care, and until when the
answers hold. "Nothing has changed since last month" copies last month's submitted answers
into the form for the user to check and save.

The parsing helpers here (dates in three boxes, hours, the contract's areas) are shared
with the handbacks section."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import redirect, render_template, request
from werkzeug.datastructures import MultiDict

from forms import messages
from portal.models import MonthlyReturn, ReturnSection
from portal.returns import service
from portal.returns.sections import common
from portal.returns.warnings import SoftWarning, numeric_warnings

CODE = "capacity"
WHOLE_COUNCIL = "Whole council area"
MAX_SPARE_HOURS = 10_000
DATE_PARTS = ("day", "month", "year")
SPECIALIST = [
    ("dementia", "Dementia"),
    ("complex_needs", "Complex needs"),
    ("learning_disability", "Learning disability"),
]
SPECIALIST_LABELS = dict(SPECIALIST)


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


def split_date(value) -> dict[str, str]:
    """A stored ISO date as the three boxes of a date input (blank when not a date)."""
    try:
        day = date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return dict.fromkeys(DATE_PARTS, "")
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def form_date(form: MultiDict, name: str) -> dict[str, str]:
    return {part: form.get(f"{name}-{part}", "") for part in DATE_PARTS}


def parse_date(
    parts: dict[str, str], subject: str, required: bool, required_message: str | None = None
) -> tuple[date | None, str | None, list[str]]:
    """(the date, an error message, the boxes to highlight) from a date input."""
    values = {part: str(parts.get(part) or "").strip() for part in DATE_PARTS}
    if not any(values.values()):
        missing = (required_message or messages.enter(subject)) if required else None
        return None, missing, list(DATE_PARTS)
    missing = [part for part in DATE_PARTS if not values[part]]
    if missing:
        return None, messages.date_missing_parts(subject, missing), missing
    try:
        day, month, year = (values[part] for part in DATE_PARTS)
        if not (
            all(v.isascii() and v.isdigit() for v in (day, month, year))
            and len(day) <= 2
            and len(month) <= 2
            and len(year) == 4
        ):
            raise ValueError
        return date(int(year), int(month), int(day)), None, []
    except ValueError:
        return None, messages.date_not_real(subject), list(DATE_PARTS)


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


def error_list(errors: dict[str, str], highlight: dict[str, list[str]]) -> list[dict]:
    """Summary links, in page order. A date links to its first box in error."""
    return [
        {
            "text": message,
            "href": f"#{field}-{highlight[field][0]}" if highlight.get(field) else f"#{field}",
        }
        for field, message in errors.items()
    ]


def section_url(ret: MonthlyReturn, code: str) -> str:
    from portal.returns.views import return_url

    return return_url(ret, "edit_section", code=code)


def by_area(data) -> dict[str, dict]:
    """Saved rows by area name (nothing for data of an unexpected shape)."""
    areas = data.get("areas") if isinstance(data, dict) else None
    if not isinstance(areas, list):
        return {}
    return {text(row.get("area")): row for row in areas if isinstance(row, dict)}


# --- the form ----------------------------------------------------------------------


def _raw_row(name: str, saved: dict) -> dict:
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


def _rows_from_data(names: list[str], data) -> list[dict]:
    saved = by_area(data)
    return [_raw_row(name, saved.get(name) or {}) for name in names]


def _rows_from_form(names: list[str], form: MultiDict) -> list[dict]:
    rows = []
    for i, name in enumerate(names):
        prefix = f"areas-{i}-"
        rows.append(
            {
                "area": name,
                "spare_hours": form.get(prefix + "spare_hours", ""),
                "earliest_start": form_date(form, prefix + "earliest_start"),
                "double_handed": form.get(prefix + "double_handed", ""),
                "night_support": form.get(prefix + "night_support", ""),
                "specialist": form.getlist(prefix + "specialist"),
                "valid_until": form_date(form, prefix + "valid_until"),
            }
        )
    return rows


def _where(names: list[str], name: str) -> str:
    return f" for {name}" if len(names) > 1 else ""


def parse(names: list[str], rows: list[dict]) -> tuple[dict, dict[str, str], dict[str, list]]:
    """(data, errors by field id, date boxes to highlight). ``data`` holds what could be
    read even when there are errors (for the soft warnings)."""
    errors: dict[str, str] = {}
    highlight: dict[str, list[str]] = {}
    areas = []
    for i, row in enumerate(rows):
        where = _where(names, row["area"])
        field = f"areas-{i}-"
        spare, error = parse_hours(
            row["spare_hours"],
            f"spare weekly hours{where}",
            messages.spare_hours_required(where),
            MAX_SPARE_HOURS,
        )
        if error:
            errors[field + "spare_hours"] = error
        start, error, boxes = parse_date(
            row["earliest_start"],
            f"earliest start date{where}",
            required=spare is not None and Decimal(spare) > 0,
        )
        if error:
            errors[field + "earliest_start"] = error
            highlight[field + "earliest_start"] = boxes
        answers = {}
        for name, question in (
            ("double_handed", f"you can take double-handed calls{where}"),
            ("night_support", f"you can provide night support{where}"),
        ):
            answers[name] = row[name] if row[name] in ("yes", "no") else None
            if answers[name] is None:
                errors[field + name] = messages.select_yes_if(question)
        ticked = set(row["specialist"])
        until, error, boxes = parse_date(
            row["valid_until"],
            f"valid until date{where}",
            required=True,
            required_message=messages.enter(f"date these answers are valid until{where}"),
        )
        if error is None and start and until and until < start:
            error, boxes = (
                messages.date_before(f"valid until date{where}", "earliest start date"),
                list(DATE_PARTS),
            )
            until = None
        if error:
            errors[field + "valid_until"] = error
            highlight[field + "valid_until"] = boxes
        areas.append(
            {
                "area": row["area"],
                "spare_hours": spare,
                "earliest_start": start.isoformat() if start else None,
                "double_handed": answers["double_handed"],
                "night_support": answers["night_support"],
                "specialist": [value for value, _ in SPECIALIST if value in ticked],
                "valid_until": until.isoformat() if until else None,
            }
        )
    return {"areas": areas}, errors, highlight


def soft_warnings(ret: MonthlyReturn, names: list[str], data: dict) -> list[SoftWarning]:
    """Spare hours the same 3 months running, or more than 3 times last month's."""
    earlier = [by_area(d) for d in common.previous_section_data(ret, CODE)]
    found: list[SoftWarning] = []
    for i, row in enumerate(data.get("areas") or []):
        name = row["area"]
        previous = [
            {"spare_hours": (month.get(name) or {}).get("spare_hours")} for month in earlier
        ]
        found += numeric_warnings(
            {"spare_hours": row.get("spare_hours")},
            previous,
            {"spare_hours": f"Spare weekly hours{_where(names, name)}"},
            prefix=f"area{i}.",
        )
    return found


def _page(
    ret: MonthlyReturn,
    sec: ReturnSection,
    rows: list[dict],
    revision: int,
    *,
    warnings: list[SoftWarning] = (),
    confirmed: list[str] = (),
    errors: dict[str, str] | None = None,
    highlight: dict[str, list[str]] | None = None,
    pending: list[SoftWarning] = (),
    stale: service.Stale | None = None,
    notice: str | None = None,
    status: int = 200,
):
    errors = errors or {}
    summary_errors = error_list(errors, highlight or {}) + common.warning_errors(list(pending))
    return render_template(
        "returns/section_capacity.html",
        ret=ret,
        sec=sec,
        rows=rows,
        several=len(rows) > 1,
        revision=revision,
        errors=errors,
        highlight=highlight or {},
        specialist=SPECIALIST,
        warnings=list(warnings),
        confirmed=list(confirmed),
        error_list=summary_errors or None,
        stale=stale,
        stale_message=common.stale_message(stale) if stale else None,
        notice=notice,
        action_url=section_url(ret, CODE),
    ), status


def view(ret: MonthlyReturn, sec: ReturnSection):
    names = area_names(ret)
    if request.method != "POST":
        rows = _rows_from_data(names, sec.data)
        warnings = soft_warnings(ret, names, parse(names, rows)[0]) if sec.data else []
        return _page(
            ret, sec, rows, sec.revision, warnings=warnings, confirmed=sec.confirmed_warnings or []
        )
    rows = _rows_from_form(names, request.form)
    data, errors, highlight = parse(names, rows)
    warnings = soft_warnings(ret, names, data)
    confirmed = common.confirmed_codes(warnings)
    pending = common.unconfirmed(warnings, confirmed)
    if errors:
        return _page(
            ret, sec, rows, common.posted_revision(), warnings=warnings, confirmed=confirmed,
            errors=errors, highlight=highlight, pending=pending, status=400,
        )  # fmt: skip
    complete = not pending
    stale = common.save(ret, sec, data, complete, confirmed)
    if stale is None and complete:
        return redirect(common.next_url(ret, CODE))
    if stale is None:  # saved, but there are values to confirm before it is complete
        return _page(
            ret, sec, rows, sec.revision, warnings=warnings, confirmed=confirmed,
            pending=pending, status=400,
        )  # fmt: skip
    return _page(
        ret, sec, rows, stale.revision, warnings=warnings, confirmed=confirmed, stale=stale,
        status=409,
    )  # fmt: skip


def copy_last_month(ret: MonthlyReturn, sec: ReturnSection):
    """Fill the form with last month's submitted answers, for the user to check and save."""
    if request.method != "POST":
        return redirect(section_url(ret, CODE))
    names = area_names(ret)
    last = by_area(common.previous_section_data(ret, CODE, 1)[0])
    if not any(name in last for name in names):
        rows = _rows_from_data(names, sec.data)
        return _page(
            ret, sec, rows, sec.revision, confirmed=sec.confirmed_warnings or [],
            notice=messages.CAPACITY_NOTHING_TO_COPY,
        )  # fmt: skip
    current = by_area(sec.data)
    rows = [_raw_row(name, last.get(name) or current.get(name) or {}) for name in names]
    warnings = soft_warnings(ret, names, parse(names, rows)[0])
    return _page(ret, sec, rows, sec.revision, warnings=warnings, notice=messages.CAPACITY_COPIED)


actions = {"copy-last-month": copy_last_month}


# --- check your answers --------------------------------------------------------------


def _yes_no(value) -> str:
    return {"yes": "Yes", "no": "No"}.get(text(value), "Not entered")


def summary(ret: MonthlyReturn, data: dict) -> list[dict]:
    saved = by_area(data)
    rows = []
    for name in area_names(ret):
        area = saved.get(name)
        if area is None:
            rows.append({"key": {"text": name}, "value": {"text": "Not entered"}})
            continue
        hours = text(area.get("spare_hours"))
        specialist = area.get("specialist") if isinstance(area.get("specialist"), list) else []
        needs = [SPECIALIST_LABELS[s] for s in SPECIALIST_LABELS if s in specialist]
        for key, value in (
            ("spare weekly hours", f"{hours} hours" if hours else "Not entered"),
            (
                "earliest start date",
                date_label(area.get("earliest_start"))
                if area.get("earliest_start")
                else "No date given",
            ),
            ("can take double-handed calls", _yes_no(area.get("double_handed"))),
            ("night support", _yes_no(area.get("night_support"))),
            ("specialist needs", ", ".join(needs) if needs else "None"),
            ("valid until", date_label(area.get("valid_until"))),
        ):
            rows.append({"key": {"text": f"{name}: {key}"}, "value": {"text": value}})
    return rows
