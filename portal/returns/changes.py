"""What changed between two versions of a return (or two saves of a section), compared
by what each record is, not by its place in a list: a handback by its package
reference, a capacity row by its area, a staff member by worker ID, a training record by
worker and category. Adding one training record is one change.

Each change is in words ("Visits started on time: 1,050 -> 1,110"), grouped by section
with a count per section. The version history, the review page's "Changed since
version N" and the audit log all use it."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.returns.answer_words import (
    BLANK,
    CAPACITY_LABELS,
    HANDBACK_LABELS,
    SECTION_TITLES,
    field_label,
    value_text,
    warning_text,
)
from portal.returns.training_changes import training_changes


@dataclass(frozen=True)
class Change:
    what: str  # "Visits started on time", "Handback added: PKG-1"
    was: str = ""
    now: str = ""

    @property
    def text(self) -> str:
        if not self.was and not self.now:
            return self.what
        return f"{self.what}: {self.was or BLANK} -> {self.now or BLANK}"

    def as_row(self) -> dict:
        """The shape the audit log stores: {field, old, new}, all in words."""
        return {"field": self.what, "old": self.was, "new": self.now}


@dataclass
class SectionChanges:
    code: str
    title: str
    changes: list[Change] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.changes)


def _flat(section: str, old: dict, new: dict, prefix: str = "") -> list[Change]:
    """Answers kept as name -> value (KPIs, workforce, a row's fields)."""
    found = []
    for name in [*old, *(n for n in new if n not in old)]:
        if name in ("confirmed",):
            continue
        before, after = old.get(name), new.get(name)
        if _same(before, after):
            continue
        label = field_label(section, name)
        what = f"{prefix}{label[0].lower() + label[1:]}" if prefix else label
        found.append(Change(what, value_text(name, before), value_text(name, after)))
    return found


def _same(before, after) -> bool:
    empty = (None, "", [])
    if before in empty and after in empty:
        return True
    return str(before) == str(after) if not isinstance(before, list) else before == after


def _keyed(rows, key: str) -> dict[str, dict]:
    return {str(r.get(key) or ""): r for r in rows or [] if isinstance(r, dict)}


def _capacity(old: dict, new: dict) -> list[Change]:
    before, after = _keyed(old.get("areas"), "area"), _keyed(new.get("areas"), "area")
    found = []
    for area in [*before, *(a for a in after if a not in before)]:
        if area not in after:
            found.append(Change(f"Capacity removed: {area}"))
        elif area not in before:
            found.append(Change(f"Capacity added: {area}, {_summary(after[area], 'spare_hours')}"))
        else:
            fields = {k: v for k, v in before[area].items() if k in CAPACITY_LABELS}
            later = {k: v for k, v in after[area].items() if k in CAPACITY_LABELS}
            found += _flat("capacity", fields, later, prefix=f"{area}, ")
    return found


def _handbacks(old: dict, new: dict) -> list[Change]:
    found = []
    if bool(old.get("none")) != bool(new.get("none")) and (old or new.get("none")):
        found.append(
            Change(
                "No handbacks this month",
                value_text("none", bool(old.get("none"))),
                value_text("none", bool(new.get("none"))),
            )  # fmt: skip
        )
    before, after = _keyed(old.get("rows"), "reference"), _keyed(new.get("rows"), "reference")
    for ref in [*before, *(r for r in after if r not in before)]:
        if ref not in after:
            found.append(Change(f"Handback removed: {ref}"))
        elif ref not in before:
            found.append(Change(f"Handback added: {ref}, {_handback_summary(after[ref])}"))
        else:
            fields = {k: v for k, v in before[ref].items() if k in HANDBACK_LABELS}
            later = {k: v for k, v in after[ref].items() if k in HANDBACK_LABELS}
            found += _flat("handbacks", fields, later, prefix=f"Handback {ref}, ")
    return found


def _summary(row: dict, name: str) -> str:
    return f"{value_text(name, row.get(name))} {field_label('capacity', name).lower()}"


def _handback_summary(row: dict) -> str:
    parts = [
        f"{value_text('weekly_hours', row.get('weekly_hours'))} weekly hours",
        value_text("service_type", row.get("service_type")),
        f"ends {value_text('end_date', row.get('end_date'))}",
    ]
    return ", ".join(parts)


def _warnings(code: str, old: list, new: list, data: dict) -> list[Change]:
    found = [
        Change(f"Warning confirmed as correct: {warning_text(code, w, data)}")
        for w in new
        if w not in old
    ]
    found += [
        Change(f"Warning no longer confirmed: {warning_text(code, w, data)}")
        for w in old
        if w not in new
    ]
    return found


def section_changes(code: str, old: dict | None, new: dict | None) -> list[Change]:
    """The changes to one section's saved answers, by identity, in words."""
    old, new = old or {}, new or {}
    if code == "capacity":
        return _capacity(old, new)
    if code == "handbacks":
        return _handbacks(old, new)
    if code == "training":
        return training_changes(old, new)
    return _flat(code, old, new)


def version_changes(old: dict | None, new: dict | None) -> list[SectionChanges]:
    """Every section that changed between two versions' data, in section order, each
    with its changes in words (an empty list when nothing changed)."""
    old, new = old or {}, new or {}
    found = []
    if bool(old.get("nil_return")) != bool(new.get("nil_return")):
        was, now = (
            value_text("", bool(old.get("nil_return"))),
            value_text("", bool(new.get("nil_return"))),
        )
        found.append(SectionChanges("nil", "Nil return", [Change("Nil return", was, now)]))
    old_sections, new_sections = old.get("sections") or {}, new.get("sections") or {}
    old_warnings = old.get("confirmed_warnings") or {}
    new_warnings = new.get("confirmed_warnings") or {}
    for code, title in SECTION_TITLES.items():
        data = new_sections.get(code) or {}
        items = section_changes(code, old_sections.get(code), data)
        items += _warnings(code, old_warnings.get(code) or [], new_warnings.get(code) or [], data)
        if items:
            found.append(SectionChanges(code, title, items))
    return found


def audit_rows(code: str | None, old: dict | None, new: dict | None) -> list[dict]:
    """What the audit log keeps for a save: each change as {field, old, new} in words."""
    if code is None:
        return [c.as_row() for s in version_changes(old, new) for c in s.changes]
    return [c.as_row() for c in section_changes(code, old, new)]
