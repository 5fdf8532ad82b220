"""The handbacks section: packages of care the provider handed back to the council this
month, one row each, or "We had no handbacks this month".

Rows are added and removed by buttons of the same form, without JavaScript: "Add another
handback" and "Remove handback N" re-render the form with the values typed so far, saving
nothing and checking nothing. With htmx the same buttons post to the same URL and swap
the form in place, so both take the same code path."""

from __future__ import annotations

import re

from flask import redirect, render_template, request
from werkzeug.datastructures import MultiDict

from forms import messages
from portal.models import MonthlyReturn, ReturnSection
from portal.returns import service
from portal.returns.sections import common
from portal.returns.sections.capacity import (
    DATE_PARTS,
    WHOLE_COUNCIL,
    area_names,
    date_label,
    error_list,
    form_date,
    parse_date,
    parse_hours,
    section_url,
    split_date,
    text,
)

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
ROW_KEY = re.compile(r"^rows-(\d{1,6})-")


def area_options(ret: MonthlyReturn) -> list[str]:
    names = area_names(ret)
    return names if WHOLE_COUNCIL in names else [*names, WHOLE_COUNCIL]


def _blank_row(areas: list[str]) -> dict:
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


def _rows_from_data(data) -> tuple[bool, list[dict]]:
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


def _rows_from_form(form: MultiDict) -> tuple[bool, list[dict], bool]:
    """(no handbacks ticked, the rows in order, more rows than allowed were sent)."""
    indexes = sorted({int(m.group(1)) for key in form if (m := ROW_KEY.match(key))})
    rows = []
    for index in indexes[:MAX_ROWS]:
        prefix = f"rows-{index}-"
        raw = {name: form.get(prefix + name, "") for name in TEXT_FIELDS}
        raw["notice_date"] = form_date(form, prefix + "notice_date")
        raw["end_date"] = form_date(form, prefix + "end_date")
        rows.append(raw)
    return form.get("none") == "yes", rows, len(indexes) > MAX_ROWS


def parse(
    areas: list[str], none: bool, rows: list[dict], too_many: bool = False
) -> tuple[dict, dict[str, str], dict[str, list]]:
    """(data, errors by field id, date boxes to highlight). Blank rows are left out."""
    errors: dict[str, str] = {}
    highlight: dict[str, list[str]] = {}
    saved = []
    for i, row in enumerate(rows):
        if _is_blank(row):
            continue
        field = f"rows-{i}-"
        where = f"for handback {i + 1}"

        def fail(name: str, message: str, boxes: list[str] | None = None, field=field) -> None:
            errors[field + name] = message
            if boxes is not None:
                highlight[field + name] = boxes

        reference = str(row["reference"]).strip()
        if not reference:
            fail("reference", messages.enter(f"council package reference {where}"))
        elif len(reference) > MAX_REFERENCE:
            fail(
                "reference", messages.too_long(f"council package reference {where}", MAX_REFERENCE)
            )
        notice, error, boxes = parse_date(row["notice_date"], f"notice date {where}", True)
        if error:
            fail("notice_date", error, boxes)
        end, error, boxes = parse_date(row["end_date"], f"end date {where}", True)
        if error is None and notice and end and end < notice:
            error, boxes = (
                messages.date_before(f"end date {where}", "notice date"),
                list(DATE_PARTS),
            )
            end = None
        if error:
            fail("end_date", error, boxes)
        hours, error = parse_hours(
            row["weekly_hours"],
            f"weekly hours {where}",
            messages.enter(f"weekly hours {where}"),
            MAX_WEEKLY_HOURS,
            more_than_zero=True,
        )
        if error:
            fail("weekly_hours", error)
        if row["service_type"] not in SERVICE_TYPE_LABELS:
            fail("service_type", messages.select(f"service type {where}"))
        if row["area"] not in areas:
            fail("area", messages.select(f"area {where}"))
        if row["reason"] not in REASON_LABELS:
            fail("reason", messages.select(f"reason {where}"))
        details = str(row["reason_details"]).strip()
        if len(details) > MAX_DETAILS:
            fail("reason_details", messages.too_long(f"details of the reason {where}", MAX_DETAILS))
        elif row["reason"] == "other" and not details:
            fail("reason_details", messages.enter(f"details of the reason {where}"))
        saved.append(
            {
                "reference": reference,
                "notice_date": notice.isoformat() if notice else None,
                "end_date": end.isoformat() if end else None,
                "weekly_hours": hours,
                "service_type": row["service_type"],
                "area": row["area"],
                "reason": row["reason"],
                "reason_details": details,
            }
        )
    if too_many:
        errors = {"handbacks-limit": messages.HANDBACKS_TOO_MANY.format(maximum=MAX_ROWS)}
    elif none and saved:
        errors = {"none": messages.HANDBACKS_NONE_BUT_ROWS, **errors}
    elif not none and not saved:
        errors = {"none": messages.HANDBACKS_MISSING}
    return {"none": none and not saved, "rows": [] if none else saved}, errors, highlight


def _page(
    ret: MonthlyReturn,
    sec: ReturnSection,
    none: bool,
    rows: list[dict],
    revision: int,
    *,
    errors: dict[str, str] | None = None,
    highlight: dict[str, list[str]] | None = None,
    stale: service.Stale | None = None,
    status: int = 200,
):
    errors = errors or {}
    return render_template(
        "returns/section_handbacks.html",
        ret=ret,
        sec=sec,
        no_handbacks=none,
        rows=rows,
        revision=revision,
        errors=errors,
        highlight=highlight or {},
        areas=area_options(ret),
        service_types=SERVICE_TYPES,
        reasons=REASONS,
        max_rows=MAX_ROWS,
        error_list=error_list(errors, highlight or {}) or None,
        stale=stale,
        stale_message=common.stale_message(stale) if stale else None,
        action_url=section_url(ret, CODE),
    ), status


def view(ret: MonthlyReturn, sec: ReturnSection):
    areas = area_options(ret)
    if request.method != "POST":
        none, rows = _rows_from_data(sec.data)
        if not rows and not none:
            rows = [_blank_row(areas)]
        return _page(ret, sec, none, rows, sec.revision)
    none, rows, too_many = _rows_from_form(request.form)
    revision = common.posted_revision()
    if "remove_row" in request.form:  # re-render without the row: nothing saved or checked
        try:
            index = int(request.form["remove_row"])
        except ValueError:
            index = -1
        if 0 <= index < len(rows):
            del rows[index]
        return _page(ret, sec, none, rows, revision)
    if request.form.get("action") == "add":
        if len(rows) >= MAX_ROWS:
            limit = {"handbacks-limit": messages.HANDBACKS_TOO_MANY.format(maximum=MAX_ROWS)}
            return _page(ret, sec, none, rows, revision, errors=limit, status=400)
        return _page(ret, sec, none, [*rows, _blank_row(areas)], revision)
    data, errors, highlight = parse(areas, none, rows, too_many)
    if errors:
        return _page(ret, sec, none, rows, revision, errors=errors, highlight=highlight, status=400)
    stale = common.save(ret, sec, data, True)
    if stale is None:
        return redirect(common.next_url(ret, CODE))
    return _page(ret, sec, none, rows, stale.revision, stale=stale, status=409)


actions: dict = {}


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
    none, _ = _rows_from_data(data)
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
