"""The words for a return's answers, written once: each field's label (read from the
sections' own field definitions), each stored value as people write it ("1,050",
"7 December 2026", "£12.60", "Dementia care"), and confirmed warnings in a sentence.

Version history, the audit log, the review page, questions and notifications all show
answers through here, never their internal keys."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from portal.display import number
from portal.returns import kpis, staff_reference, staff_rules, training_status_rules
from portal.returns.sections import capacity_rules, handbacks_rules, workforce_rules

SECTION_TITLES = {
    "kpis": "KPIs",
    "capacity": "Capacity",
    "handbacks": "Handbacks",
    "training": "Training and staff",
    "workforce": "Workforce",
}
BLANK = "blank"

# Workforce questions are asked as questions; a change or a question names them shortly.
_WORKFORCE_SHORT = {
    "sponsor_licence": "Sponsor licence",
    "registered_manager": "Registered manager in post",
    "travel_time_paid": "Travel time paid",
}
CAPACITY_LABELS = {
    "spare_hours": "spare weekly hours",
    "earliest_start": "earliest start date",
    "double_handed": "can take double-handed calls",
    "night_support": "night support",
    "specialist": "specialist needs",
    "valid_until": "valid until",
}
HANDBACK_LABELS = {
    "reference": "package reference",
    "notice_date": "notice date",
    "end_date": "end date",
    "weekly_hours": "weekly hours",
    "service_type": "service type",
    "area": "area",
    "reason": "reason",
    "reason_details": "reason details",
}
STAFF_LABELS = {
    "worker_id": "worker ID",
    "branch": "branch",
    "main_job_role": "job role",
    "job_role": "job role",
    "start_date": "start date",
    "employment_status": "employment status",
    "zero_hours": "zero-hours contract",
    "contracted_hours": "contracted hours",
    "hourly_rate": "hourly rate",
    "care_certificate": "Care Certificate",
    "health_care_visa": "Health and Care Worker visa",
    "left_on": "left on",
}
RECORD_LABELS = {
    "category": "training category",
    "training_name": "course name",
    "accredited": "accredited",
    "who_delivered": "who delivered it",
    "provider_name": "training provider",
    "how_delivered": "how it was delivered",
    "validity": "valid for (months)",
    "date_completed": "completed",
    "expiry_date": "expires",
    "status": "status",
    "notes": "notes",
    "missing": "missing training",
}
_CODE_LISTS = {
    "employment_status": staff_rules.EMPLOYMENT_STATUSES,
    "care_certificate": staff_rules.CARE_CERTIFICATE,
    "health_care_visa": staff_rules.HEALTH_CARE_VISA,
    "zero_hours": staff_rules.ZERO_HOURS,
    "accredited": staff_rules.ACCREDITED,
    "who_delivered": staff_rules.WHO_DELIVERED,
    "how_delivered": staff_rules.HOW_DELIVERED,
}
_DATE_NAMES = {"earliest_start", "valid_until", "notice_date", "end_date", "start_date",
               "left_on", "date_completed", "expiry_date", "as_at"}  # fmt: skip
_MONEY_NAMES = {"lowest_pay", "median_pay", "hourly_rate"}
_YES_NO = {"yes": "Yes", "no": "No", "True": "Yes", "False": "No", True: "Yes", False: "No"}


def field_label(section: str | None, name: str) -> str:
    """The label of one answer of a section (KPI counts, workforce figures, and the fields
    of capacity, handback, staff and training rows)."""
    if section == "kpis" and name in kpis.LABELS:
        return kpis.LABELS[name]
    if section == "workforce" and name in workforce_rules.BY_NAME:
        return _WORKFORCE_SHORT.get(name) or workforce_rules.BY_NAME[name].label
    for labels in (CAPACITY_LABELS, HANDBACK_LABELS, STAFF_LABELS, RECORD_LABELS):
        if name in labels:
            return labels[name][0].upper() + labels[name][1:]
    if name in kpis.LABELS:
        return kpis.LABELS[name]
    if name in workforce_rules.BY_NAME:
        return _WORKFORCE_SHORT.get(name) or workforce_rules.BY_NAME[name].label
    return name.replace("_", " ").strip().capitalize()


def number_text(value) -> str:
    """1,050 or 1,520.5: a number as people write it; other text as it is."""
    return number(value)


def date_text(value) -> str:
    try:
        return f"{date.fromisoformat(str(value)):%-d %B %Y}"
    except ValueError:
        return str(value)


def value_text(name: str, value) -> str:
    """A stored value of the answer ``name`` in words."""
    if value is None or value == "" or value == []:
        return BLANK
    if isinstance(value, list):
        return ", ".join(value_text(name, item) for item in value)
    if name in _DATE_NAMES:
        return date_text(value)
    if name in _MONEY_NAMES:
        try:
            return f"£{Decimal(str(value)):,.2f}"
        except InvalidOperation:
            return str(value)
    return _coded_text(name, value)


def _coded_text(name: str, value) -> str:
    if name in ("category", "missing"):
        return staff_reference.category_name(_int(value))
    if name in ("main_job_role", "job_role"):
        return staff_reference.job_role_name(_int(value))
    if name in _CODE_LISTS:
        return _CODE_LISTS[name].get(_int(value), str(value))
    if name == "status":
        return training_status_rules.STATUS_LABELS.get(value, str(value))
    if name == "specialist":
        return capacity_rules.SPECIALIST_LABELS.get(value, str(value))
    if name == "service_type":
        return handbacks_rules.SERVICE_TYPE_LABELS.get(value, str(value))
    if name == "reason":
        return handbacks_rules.REASON_LABELS.get(value, str(value))
    if name == "sponsor_licence":
        return dict(workforce_rules.BY_NAME[name].choices).get(value, str(value))
    if isinstance(value, bool) or value in _YES_NO:
        return _YES_NO[value]
    return number_text(value) if re.fullmatch(r"-?\d+(\.\d+)?", str(value)) else str(value)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- confirmed warnings ---------------------------------------------------------------

_WARNING_KINDS = {
    "unchanged": "{label} was the same as in each of the last 2 months",
    "jump": "{label} was more than 3 times last month's",
    "over_commissioned": "Delivered hours were more than commissioned hours",
}
_AREA_WARNING = re.compile(r"^area(\d+)\.(\w+)$")


def warning_text(section: str, code: str, data: dict | None = None) -> str:
    """A warning the provider confirmed as correct, in words, from its stored code
    ("on_time_visits:jump", "area0.spare_hours:unchanged")."""
    subject, _, kind = code.partition(":")
    if subject == "section" and kind == "unchanged":  # a copied section, one tick for all
        return "Answers the same as in each of the last 2 months"
    where = ""
    area = _AREA_WARNING.match(subject)
    if area:
        index, subject = int(area.group(1)), area.group(2)
        rows = (data or {}).get("areas") or []
        name = rows[index].get("area") if index < len(rows) else None
        where = f" in {name}" if name else ""
    label = field_label(section, subject) + where
    template = _WARNING_KINDS.get(kind, "{label} looked unusual")
    return template.format(label=label)


def confirmed_warnings(version_data: dict) -> list[str]:
    """Every warning confirmed in a version, as "Section: words", in section order."""
    stored = version_data.get("confirmed_warnings") or {}
    sections = version_data.get("sections") or {}
    return [
        f"{title}: {warning_text(code, w, sections.get(code))}"
        for code, title in SECTION_TITLES.items()
        for w in stored.get(code) or []
    ]
