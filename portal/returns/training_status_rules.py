"""A staff member's training status in a category, as at a date: the status of their
record with the latest expiry ("expired", "expiring" within 90 days, "up to date"), or
"missing" when they have none. Shared by the return's training section, the super
training matrix and the feedback reports."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

EXPIRING_WITHIN_DAYS = 90

STATUS_UP_TO_DATE = "up_to_date"
STATUS_EXPIRING = "expiring"
STATUS_EXPIRED = "expired"
STATUS_MISSING = "missing"
STATUS_LABELS = {
    STATUS_UP_TO_DATE: "Up to date",
    STATUS_EXPIRING: "Expiring within 90 days",
    STATUS_EXPIRED: "Expired",
    STATUS_MISSING: "Missing",
}


def training_status(expiry: date | None, as_at: date) -> str:
    """ "expired" before ``as_at``; "expiring" from ``as_at`` to 90 days after it
    (inclusive); otherwise (or with no expiry date) "up_to_date"."""
    if expiry is None:
        return STATUS_UP_TO_DATE
    if expiry < as_at:
        return STATUS_EXPIRED
    if expiry <= as_at + timedelta(days=EXPIRING_WITHIN_DAYS):
        return STATUS_EXPIRING
    return STATUS_UP_TO_DATE


def _get(record: object, name: str):
    return record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)


def _latest_expiry_first(record) -> tuple:
    expiry = _get(record, "expiry_date")
    completed = _get(record, "date_completed") or date.min
    return (expiry is None, expiry or date.min, completed)


def current_record(records: Iterable[object], category_code: int):
    """Of a staff member's records in a category, the one with the latest expiry (a record
    that never expires beats any date; ties go to the latest completed). None if none."""
    found = [r for r in records if _get(r, "category") == category_code]
    return max(found, key=_latest_expiry_first) if found else None


def current_records(records: Iterable[object]) -> dict[int, object]:
    """``current_record`` of every category a staff member has records in, in one pass."""
    by_category: dict[int, list] = {}
    for record in records:
        by_category.setdefault(_get(record, "category"), []).append(record)
    return {code: max(found, key=_latest_expiry_first) for code, found in by_category.items()}


def staff_training_status(records: Iterable[object], category_code: int, as_at: date) -> str:
    """A staff member's status in a category: their latest-expiring record's status, or
    "missing" when they have no record in it. Records: objects or dicts with ``category``
    and ``expiry_date``."""
    record = current_record(records, category_code)
    if record is None:
        return STATUS_MISSING
    return training_status(_get(record, "expiry_date"), as_at)
