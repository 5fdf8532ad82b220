"""What a commissioner's question can be about, by what the answer is: a KPI count or a
workforce figure by its field, a capacity row by its area, a handback by its package
reference, a staff member by worker ID. A target is ``section:identity``; it reads in
words wherever the question is shown ("Handbacks: handback PKG-1")."""

from __future__ import annotations

from dataclasses import dataclass

from portal.returns import kpis, staff_reference
from portal.returns.answer_words import SECTION_TITLES, field_label, value_text
from portal.returns.sections import workforce_rules


@dataclass(frozen=True)
class Target:
    value: str  # "kpis:on_time_visits"
    label: str  # "Visits started on time (1,050)"


def target_value(section: str, identity: str) -> str:
    return f"{section}:{identity}"


def about(section: str | None, identity: str | None) -> str:
    """The words for what a question is about ("KPIs: Visits started on time")."""
    if not identity:
        return SECTION_TITLES.get(section or "", "The whole return")
    title = SECTION_TITLES.get(section or "", "")
    if section == "capacity":
        thing = f"capacity in {identity}"
    elif section == "handbacks":
        thing = f"handback {identity}"
    elif section == "training":
        thing = f"staff member {identity}"
    elif section in ("kpis", "workforce") and "[" not in identity and "." not in identity:
        thing = field_label(section, identity)
    else:  # questions asked before targets were by identity: "areas[2].specialist[1]"
        from portal.returns.audit_words import _legacy_field

        return f"{title}: {_legacy_field(section, identity)[0]}" if title else identity
    return f"{title}: {thing}" if title else thing


def _kpis(data: dict) -> list[Target]:
    return [
        Target(target_value("kpis", c.name), f"{c.label} ({value_text(c.name, data.get(c.name))})")
        for c in kpis.COUNTS
    ]


def _workforce(data: dict) -> list[Target]:
    return [
        Target(
            target_value("workforce", f.name),
            f"{field_label('workforce', f.name)} ({value_text(f.name, data.get(f.name))})",
        )
        for f in workforce_rules.FIELDS
    ]


def _capacity(data: dict) -> list[Target]:
    rows = [r for r in data.get("areas") or [] if isinstance(r, dict) and r.get("area")]
    return [Target(target_value("capacity", r["area"]), f"Capacity in {r['area']}") for r in rows]


def _handbacks(data: dict) -> list[Target]:
    rows = [r for r in data.get("rows") or [] if isinstance(r, dict) and r.get("reference")]
    return [
        Target(target_value("handbacks", r["reference"]), f"Handback {r['reference']}")
        for r in rows
    ]


def _training(data: dict) -> list[Target]:
    staff = [m for m in data.get("staff") or [] if isinstance(m, dict) and m.get("worker_id")]
    return [
        Target(
            target_value("training", m["worker_id"]),
            f"Staff member {m['worker_id']} ({staff_reference.job_role_name(m.get('job_role'))})",
        )
        for m in sorted(staff, key=lambda m: str(m["worker_id"]))
    ]


_BUILDERS = {
    "kpis": _kpis,
    "capacity": _capacity,
    "handbacks": _handbacks,
    "training": _training,
    "workforce": _workforce,
}


def grouped_targets(version_data: dict) -> list[tuple[str, list[Target]]]:
    """Every answer a question can be about, by section, in section order."""
    sections = version_data.get("sections") or {}
    groups = []
    for code, title in SECTION_TITLES.items():
        data = sections.get(code) or {}
        if not data:
            continue
        targets = _BUILDERS[code](data)
        if targets:
            groups.append((title, targets))
    return groups


def target_values(version_data: dict) -> set[str]:
    return {t.value for _, targets in grouped_targets(version_data) for t in targets}


def _kpi_row(key: str, data: dict) -> str | None:
    return next((c.name for c in kpis.COUNTS if c.label == key), None)


def _workforce_row(key: str, data: dict) -> str | None:
    return next((f.name for f in workforce_rules.FIELDS if f.label == key), None)


def _capacity_row(key: str, data: dict) -> str | None:
    areas = {str(r.get("area")) for r in data.get("areas") or [] if isinstance(r, dict)}
    area = key.split(": ", 1)[0]
    return area if area in areas else None


def _handback_row(key: str, data: dict) -> str | None:
    if not (key.startswith("Handback ") and key.endswith(")") and "(" in key):
        return None
    reference = key[key.index("(") + 1 : -1]
    refs = {str(r.get("reference")) for r in data.get("rows") or [] if isinstance(r, dict)}
    return reference if reference in refs else None


def _staff_row(key: str, data: dict) -> str | None:
    return (key.removeprefix("Worker ID ") or None) if key.startswith("Worker ID ") else None


_ROW_READERS = {
    "kpis": _kpi_row,
    "workforce": _workforce_row,
    "capacity": _capacity_row,
    "handbacks": _handback_row,
    "training": _staff_row,
}


def row_targets(section: str, rows: list[dict], data: dict) -> list[str | None]:
    """For each summary row of a section, the target of a question about it (or None)."""
    reader = _ROW_READERS.get(section)
    if reader is None:
        return [None] * len(rows)
    return [reader((r.get("key") or {}).get("text", ""), data or {}) for r in rows]
