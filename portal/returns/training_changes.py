"""Changes to the training section by identity: staff by worker ID (and branch),
training records by worker and category (a category's records matched by completion
date first). A status that follows from a changed date, or a missing course that a new
record fills, is not a second change. Used by ``portal.returns.changes``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.returns import staff_reference
from portal.returns.answer_words import field_label, value_text

if TYPE_CHECKING:
    from portal.returns.changes import Change

_STAFF_FIELDS = ("job_role", "left_on")
_RECORD_FIELDS = ("date_completed", "expiry_date")


def _change(what: str, was: str = "", now: str = "") -> Change:
    from portal.returns.changes import Change

    return Change(what, was, now)


def _staff_key(member: dict) -> str:
    return str(member.get("worker_id") or "")


def _by_worker(data: dict) -> dict[str, dict]:
    return {
        _staff_key(m): m for m in data.get("staff") or [] if isinstance(m, dict) and _staff_key(m)
    }


def record_words(record: dict) -> str:
    completed = value_text("date_completed", record.get("date_completed"))
    return f"completed {completed}"


def training_changes(old: dict, new: dict) -> list[Change]:
    found = []
    if old.get("as_at") and new.get("as_at") and old["as_at"] != new["as_at"]:
        found.append(
            _change(
                "Staff list as at",
                value_text("as_at", old["as_at"]),
                value_text("as_at", new["as_at"]),
            )
        )
    before, after = _by_worker(old), _by_worker(new)
    for worker in [*before, *(w for w in after if w not in before)]:
        if worker not in after:
            found.append(_change(f"Staff member removed: {worker}"))
        elif worker not in before:
            found += _staff_added(worker, after[worker])
        else:
            found += _staff_changed(worker, before[worker], after[worker])
    return found


def _staff_added(worker: str, member: dict) -> list[Change]:
    role = value_text("job_role", member.get("job_role"))
    found = [_change(f"Staff member added: {worker}, {role}")]
    for record in member.get("training") or []:
        found.append(_record_added(worker, record))
    return found


def _record_added(worker: str, record: dict) -> Change:
    category = staff_reference.category_name(record.get("category"))
    return _change(f"Training record added: {worker}, {category}, {record_words(record)}")


def _staff_changed(worker: str, old: dict, new: dict) -> list[Change]:
    found = []
    for name in _STAFF_FIELDS:
        if (old.get(name) or None) != (new.get(name) or None):
            label = field_label("training", name).lower()
            found.append(
                _change(
                    f"Staff {worker}: {label}",
                    value_text(name, old.get(name)),
                    value_text(name, new.get(name)),
                )  # fmt: skip
            )
    touched: set = set()
    found += _records(worker, old.get("training") or [], new.get("training") or [], touched)
    return found + _missing(worker, old.get("missing") or [], new.get("missing") or [], touched)


def _missing(worker: str, old: list, new: list, touched: set) -> list[Change]:
    """Missing courses that came or went without a record of that category changing."""
    found = []
    for codes, others, words in ((old, new, "no longer missing"), (new, old, "now missing")):
        for code in codes:
            if code not in others and code not in touched:
                name = staff_reference.category_name(code)
                found.append(_change(f"Staff {worker}, {name}: {words}"))
    return found


def _by_category(records: list) -> dict:
    grouped: dict = {}
    for record in records:
        if isinstance(record, dict):
            grouped.setdefault(record.get("category"), []).append(record)
    return grouped


def _records(worker: str, old: list, new: list, touched: set) -> list[Change]:
    """Records of one staff member, category by category."""
    before, after = _by_category(old), _by_category(new)
    found = []
    for category in [*before, *(c for c in after if c not in before)]:
        items = _category_records(
            worker, category, before.get(category, []), after.get(category, [])
        )
        if items:
            touched.add(category)
        found += items
    return found


def _category_records(worker: str, category, old: list, new: list) -> list[Change]:
    """Records with the same completion date are the same record (its expiry or status
    may change); the rest are paired oldest first, then added or removed."""
    name = staff_reference.category_name(category)
    old_left, new_left, found = list(old), [], []
    for record in new:
        done = record.get("date_completed")
        same = next((r for r in old_left if r.get("date_completed") == done), None)
        if same is None:
            new_left.append(record)
            continue
        old_left.remove(same)
        found += _record_fields(worker, name, same, record)
    return found + _pair(worker, name, old_left, new_left)


def _pair(worker: str, name: str, old: list, new: list) -> list[Change]:
    found = []
    old = sorted(old, key=lambda r: str(r.get("date_completed")))
    new = sorted(new, key=lambda r: str(r.get("date_completed")))
    while old and new:
        found += _record_fields(worker, name, old.pop(0), new.pop(0))
    for record in new:
        found.append(_change(f"Training record added: {worker}, {name}, {record_words(record)}"))
    for record in old:
        found.append(_change(f"Training record removed: {worker}, {name}, {record_words(record)}"))
    return found


def _record_fields(worker: str, name: str, old: dict, new: dict) -> list[Change]:
    found = []
    for field in _RECORD_FIELDS:
        if (old.get(field) or None) != (new.get(field) or None):
            label = field_label("training", field).lower()
            found.append(
                _change(
                    f"Staff {worker}, {name}: {label}",
                    value_text(field, old.get(field)),
                    value_text(field, new.get(field)),
                )  # fmt: skip
            )
    if not found and old.get("status") != new.get("status"):
        found.append(
            _change(
                f"Staff {worker}, {name}: status",
                value_text("status", old.get("status")),
                value_text("status", new.get("status")),
            )  # fmt: skip
        )
    return found


# --- a staff member or a training record changed on its own page ---------------------

_EDIT_FIELDS = ("branch", "main_job_role", "start_date", "employment_status", "zero_hours",
                "contracted_hours", "hourly_rate", "care_certificate", "health_care_visa",
                "left_on")  # fmt: skip


def staff_edit_changes(old: dict, new: dict) -> list[Change]:
    """Changes between ``{"staff": {worker: {fields..., "training": {id: record}}}}``
    before and after one edit of the training section's staff pages."""
    found = []
    before, after = old.get("staff") or {}, new.get("staff") or {}
    for worker in [*before, *(w for w in after if w not in before)]:
        was, now = before.get(worker) or {}, after.get(worker) or {}
        found += _member_edit(worker, was, now)
        found += _edited_records(worker, was.get("training") or {}, now.get("training") or {})
    return found


def _member_edit(worker: str, was: dict, now: dict) -> list[Change]:
    if was and not now and "main_job_role" in was:
        return [_change(f"Staff member removed: {worker}")]
    if now and not was and "main_job_role" in now:
        role = value_text("main_job_role", now.get("main_job_role"))
        return [_change(f"Staff member added: {worker}, {role}")]
    found = []
    for name in _EDIT_FIELDS:
        before, after = was.get(name), now.get(name)
        if (name in was or name in now) and (before or None) != (after or None):
            label = field_label("training", name).lower()
            found.append(
                _change(
                    f"Staff {worker}: {label}", value_text(name, before), value_text(name, after)
                )
            )
    return found


def _edited_records(worker: str, old: dict, new: dict) -> list[Change]:
    found = []
    for key in [*old, *(k for k in new if k not in old)]:
        record = new.get(key) or old.get(key)
        name = staff_reference.category_name(record.get("category"))
        if key not in new:
            found.append(
                _change(f"Training record removed: {worker}, {name}, {record_words(record)}")
            )
        elif key not in old:
            found.append(
                _change(f"Training record added: {worker}, {name}, {record_words(record)}")
            )
        else:
            found += _record_fields(worker, name, old[key], new[key])
    return found
