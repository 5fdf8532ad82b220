"""The handbacks section's rules: the choices, reading saved rows, checking each row
(reference, notice and end dates, weekly hours, service type, area, reason) and the
check-your-answers rows. The page is ``handbacks``."""

from __future__ import annotations

from datetime import date

from forms import messages
from forms.govuk_dates import DATE_PARTS, parse_date_parts, split_date
from portal.models import MonthlyReturn
from portal.returns.sections.capacity_rules import (
    WHOLE_COUNCIL,
    area_names,
    date_label,
    parse_hours,
    text,
)
from portal.returns.sections.common_rules import RowErrors

CODE = "handbacks"
MAX_ROWS = 200
MAX_REFERENCE = 50
MAX_DETAILS = 500
MAX_WEEKLY_HOURS = 168
SERVICE_TYPES = [
    ("homecare", "Homecare"),
    ("extra_care", "Extra care"),
    ("reablement", "Reablement"),
]
REASONS = [
    ("needs_increased", "Needs increased beyond what the provider can meet"),
    ("staffing", "Staffing"),
    ("travel", "Travel or geography"),
    ("safety", "Safety at home"),
    ("financial", "Financial viability"),
    ("request", "The person’s or family’s request"),
    ("other", "Other"),
]
SERVICE_TYPE_LABELS = dict(SERVICE_TYPES)
REASON_LABELS = dict(REASONS)
TEXT_FIELDS = ("reference", "weekly_hours", "service_type", "area", "reason", "reason_details")


def area_options(ret: MonthlyReturn) -> list[str]:
    names = area_names(ret)
    return names if WHOLE_COUNCIL in names else [*names, WHOLE_COUNCIL]


def blank_row(areas: list[str]) -> dict:
    return {
        "reference": "",
        "notice_date": dict.fromkeys(DATE_PARTS, ""),
        "end_date": dict.fromkeys(DATE_PARTS, ""),
        "weekly_hours": "",
        "service_type": "",
        "area": areas[0] if len(areas) == 1 else "",
        "reason": "",
        "reason_details": "",
    }


def _is_blank(row: dict) -> bool:
    """Nothing typed or chosen (the area may be chosen for the user)."""
    return not any(
        str(row[name]).strip()
        for name in ("reference", "weekly_hours", "service_type", "reason", "reason_details")
    ) and not any(
        str(row[name][part]).strip() for name in ("notice_date", "end_date") for part in DATE_PARTS
    )


def rows_from_data(data) -> tuple[bool, list[dict]]:
    """(no handbacks ticked, the saved rows as the form's boxes)."""
    data = data if isinstance(data, dict) else {}
    saved = data.get("rows") if isinstance(data.get("rows"), list) else []
    rows = []
    for row in saved[:MAX_ROWS]:
        if isinstance(row, dict):
            raw = {name: text(row.get(name)) for name in TEXT_FIELDS}
            raw["notice_date"] = split_date(row.get("notice_date"))
            raw["end_date"] = split_date(row.get("end_date"))
            rows.append(raw)
    return data.get("none") is True, rows


# --- checking the rows ---------------------------------------------------------------


def _reference(row: dict, check: RowErrors) -> str:
    reference = str(row["reference"]).strip()
    subject = f"council package reference {check.where}"
    if not reference:
        check.fail("reference", messages.enter(subject))
    elif len(reference) > MAX_REFERENCE:
        check.fail("reference", messages.too_long(subject, MAX_REFERENCE))
    return reference


def _dates(row: dict, check: RowErrors) -> tuple[date | None, date | None]:
    """The notice date and the end date (not before the notice), both needed."""
    where = check.where
    notice, error, boxes = parse_date_parts(row["notice_date"], f"notice date {where}", True)
    check.fail("notice_date", error, boxes)
    end, error, boxes = parse_date_parts(row["end_date"], f"end date {where}", True)
    if error is None and notice and end and end < notice:
        error, boxes = messages.date_before(f"end date {where}", "notice date"), list(DATE_PARTS)
        end = None
    check.fail("end_date", error, boxes)
    return notice, end


def _choices(row: dict, areas: list[str], check: RowErrors) -> None:
    where = check.where
    if row["service_type"] not in SERVICE_TYPE_LABELS:
        check.fail("service_type", messages.select(f"service type {where}"))
    if row["area"] not in areas:
        check.fail("area", messages.select(f"area {where}"))
    if row["reason"] not in REASON_LABELS:
        check.fail("reason", messages.select(f"reason {where}"))


def _details(row: dict, check: RowErrors) -> str:
    """Details of the reason: needed when the reason is "other"."""
    details = str(row["reason_details"]).strip()
    subject = f"details of the reason {check.where}"
    if len(details) > MAX_DETAILS:
        check.fail("reason_details", messages.too_long(subject, MAX_DETAILS))
    elif row["reason"] == "other" and not details:
        check.fail("reason_details", messages.enter(subject))
    return details


def _parse_row(row: dict, areas: list[str], check: RowErrors) -> dict:
    where = check.where
    reference = _reference(row, check)
    notice, end = _dates(row, check)
    hours, error = parse_hours(
        row["weekly_hours"],
        f"weekly hours {where}",
        messages.enter(f"weekly hours {where}"),
        MAX_WEEKLY_HOURS,
        more_than_zero=True,
    )
    check.fail("weekly_hours", error)
    _choices(row, areas, check)
    details = _details(row, check)
    return {
        "reference": reference,
        "notice_date": notice.isoformat() if notice else None,
        "end_date": end.isoformat() if end else None,
        "weekly_hours": hours,
        "service_type": row["service_type"],
        "area": row["area"],
        "reason": row["reason"],
        "reason_details": details,
    }


def _section_errors(none: bool, saved: list, too_many: bool, errors: dict) -> dict[str, str]:
    """The rows' errors, or the section's own: too many rows, "no handbacks" ticked with
    rows given, or neither."""
    if too_many:
        return {"handbacks-limit": messages.HANDBACKS_TOO_MANY.format(maximum=MAX_ROWS)}
    if none and saved:
        return {"none": messages.HANDBACKS_NONE_BUT_ROWS, **errors}
    if not none and not saved:
        return {"none": messages.HANDBACKS_MISSING}
    return errors


def parse(
    areas: list[str], none: bool, rows: list[dict], too_many: bool = False
) -> tuple[dict, dict[str, str], dict[str, list]]:
    """(data, errors by field id, date boxes to highlight). Blank rows are left out."""
    errors: dict[str, str] = {}
    highlight: dict[str, list[str]] = {}
    saved = [
        _parse_row(row, areas, RowErrors(errors, highlight, f"rows-{i}-", f"for handback {i + 1}"))
        for i, row in enumerate(rows)
        if not _is_blank(row)
    ]
    errors = _section_errors(none, saved, too_many, errors)
    return {"none": none and not saved, "rows": [] if none else saved}, errors, highlight


# --- check your answers --------------------------------------------------------------


def _describe(row: dict) -> str:
    hours = text(row.get("weekly_hours")) or "?"
    service_type = SERVICE_TYPE_LABELS.get(text(row.get("service_type")), "care").lower()
    reason = REASON_LABELS.get(text(row.get("reason")), "Not entered")
    details = text(row.get("reason_details")).strip()
    if details:
        reason = f"{reason}: {details}"
    return (
        f"{hours} hours a week of {service_type} in {text(row.get('area')) or 'an unknown area'}. "
        f"Notice given {date_label(row.get('notice_date'))}, ended "
        f"{date_label(row.get('end_date'))}. Reason: {reason}"
    )


def summary(ret: MonthlyReturn, data: dict) -> list[dict]:
    none, _ = rows_from_data(data)
    saved = data.get("rows") if isinstance(data, dict) else None
    saved = [row for row in saved if isinstance(row, dict)] if isinstance(saved, list) else []
    if none and not saved:
        return [{"key": {"text": "Handbacks"}, "value": {"text": "No handbacks this month"}}]
    if not saved:
        return [{"key": {"text": "Handbacks"}, "value": {"text": "Not entered"}}]
    rows = [{"key": {"text": "Number of handbacks"}, "value": {"text": str(len(saved))}}]
    for number, row in enumerate(saved, start=1):
        reference = text(row.get("reference")) or "no reference"
        rows.append(
            {
                "key": {"text": f"Handback {number} ({reference})"},
                "value": {"text": _describe(row)},
            }
        )
    return rows
