"""The four section files (KPIs, capacity, handbacks, workforce): the columns of each, the
check that loads its cells through the section's marshmallow schema (``KpiAnswersSchema``,
``CapacityAnswersSchema``, ``HandbackAnswersSchema``, ``WorkforceAnswersSchema`` in
``portal.schemas``: the ones the web form and the API load through, whose checks are the
sections' own rules), and the rows its template holds (what the form would show now).
A section file has at most a few hundred rows, so each is loaded whole, row by row.
``SECTIONS`` has them by section code."""

from __future__ import annotations

import re

from forms import messages
from portal.models import MonthlyReturn
from portal.returns import kpis, service
from portal.returns.sections import capacity_rules, handbacks_rules, workforce_rules
from portal.schemas.section_rows import parse_capacity, parse_handbacks
from portal.schemas.sections import parse_section
from portal.uploads.section_file_cells import (
    CODE,
    DATE,
    ERROR_ID,
    TEXT,
    ColumnSpec,
    Row,
    SectionFile,
    SectionFileResult,
    choice,
    dates,
    dmy,
    joined,
    key,
    matching,
    missing,
    once_each,
    report,
    report_errors,
)
from portal.uploads.upload_table import FileProblem

# --- KPIs ------------------------------------------------------------------------------

KPI_COLUMNS = (
    ColumnSpec("kpi_code", "KPI code", "The count this row is for. The template lists every "
               "code: keep one row for each", CODE,
               tuple((c.name, c.label) for c in kpis.COUNTS)),
    ColumnSpec("kpi_name", "KPI name", "For your reference: this column is not read", TEXT,
               required=False, read=False),
    ColumnSpec("value", "Value", "The count for the month. Enter 0 where there were none. "
               "Hours may have up to 2 decimal places; everything else is a whole number"),
)  # fmt: skip


def _check_kpis(ret, rows, result) -> None:
    spec = KPI_COLUMNS[0]
    found = once_each(result, rows, spec, kpis.COUNT_NAMES, "KPI code")
    missing(result, found, kpis.COUNT_NAMES, "KPI codes")
    values, errors = parse_section(
        "kpis", {name: row.cells["value"] for name, row in found.items()}
    )
    for name, message in errors.items():
        if name in found:
            report(result, KPI_COLUMNS[2], found[name], message, kpis.LABELS[name])
    result.data = values


def _kpi_template(ret: MonthlyReturn) -> list[list[str]]:
    saved = service.section(ret, "kpis").data or {}
    return [[c.name, c.label, capacity_rules.text(saved.get(c.name))] for c in kpis.COUNTS]


# --- capacity ----------------------------------------------------------------------------

YES_NO = (("yes", "Yes"), ("no", "No"))
CAPACITY_COLUMNS = (
    ColumnSpec("area", "Area", "The area of your contract this row is for: one row for each "
               "area", TEXT),
    ColumnSpec("spare_hours", "Spare hours", "Spare hours of care a week you could take on "
               f"for new packages, up to {capacity_rules.MAX_SPARE_HOURS:,}. Enter 0 if none"),
    ColumnSpec("earliest_start", "Earliest start date", "The earliest date you could start "
               "a new package. Needed when spare_hours is more than 0", DATE),
    ColumnSpec("double_handed", "Double-handed calls", "Can you take double-handed calls?",
               CODE, YES_NO),
    ColumnSpec("night_support", "Night support", "Can you provide night support?", CODE,
               YES_NO),
    ColumnSpec("specialist_needs", "Specialist needs", "The specialist needs you can meet, "
               "separated by semicolons. Leave blank for none", CODE,
               tuple(capacity_rules.SPECIALIST)),
    ColumnSpec("valid_until", "Valid until date", "The date until which these answers hold. "
               "Not before earliest_start", DATE),
)  # fmt: skip
CAPACITY_FIELDS = {spec.name: spec for spec in CAPACITY_COLUMNS}


def _specialist(result: SectionFileResult, row: Row) -> list[str]:
    """The codes of a specialist_needs cell; one the form does not offer is a problem."""
    spec = CAPACITY_FIELDS["specialist_needs"]
    text = row.cells["specialist_needs"]
    parts = [part.strip() for part in re.split(r"[;,|]", text) if part.strip()]
    if [key(part) for part in parts] == ["NONE"]:
        return []
    codes = [choice(part, spec.allowed) for part in parts]
    if any(code not in capacity_rules.SPECIALIST_LABELS for code in codes):
        result.add(row.number, spec, spec.name, text,
                   f"specialist_needs must be blank or any of "
                   f"{joined([value for value, _ in spec.allowed])}, separated by "
                   "semicolons")  # fmt: skip
    return codes


def _check_capacity(ret, rows, result) -> None:
    names = capacity_rules.area_names(ret)
    found = once_each(result, rows, CAPACITY_COLUMNS[0], names, "area")
    missing(result, found, names, "areas")
    ordered = [found[name] for name in names if name in found]
    raw, skip = [], set()
    date_specs = [CAPACITY_FIELDS["earliest_start"], CAPACITY_FIELDS["valid_until"]]
    for index, row in enumerate(ordered):
        boxes, bad = dates(result, row, date_specs)
        skip |= {(index, name) for name in bad}
        raw.append({
            "area": matching(row.cells["area"], names),
            "spare_hours": row.cells["spare_hours"],
            **boxes,
            "double_handed": choice(row.cells["double_handed"], YES_NO),
            "night_support": choice(row.cells["night_support"], YES_NO),
            "specialist": _specialist(result, row),
        })  # fmt: skip
    data, errors, _ = parse_capacity(names, raw)
    report_errors(result, errors, ordered, CAPACITY_FIELDS, skip)
    result.data = data


def _capacity_template(ret: MonthlyReturn) -> list[list[str]]:
    saved = capacity_rules.by_area(service.section(ret, "capacity").data)
    rows = []
    for name in capacity_rules.area_names(ret):
        row = saved.get(name) or {}
        specialist = row.get("specialist") if isinstance(row.get("specialist"), list) else []
        rows.append([
            name, capacity_rules.text(row.get("spare_hours")), dmy(row.get("earliest_start")),
            capacity_rules.text(row.get("double_handed")),
            capacity_rules.text(row.get("night_support")),
            "; ".join(s for s in specialist if isinstance(s, str)), dmy(row.get("valid_until")),
        ])  # fmt: skip
    return rows


# --- handbacks ---------------------------------------------------------------------------

HANDBACK_COLUMNS = (
    ColumnSpec("reference", "Reference", "The council's reference for the package, up to "
               f"{handbacks_rules.MAX_REFERENCE} characters", TEXT),
    ColumnSpec("notice_date", "Notice date", "The date you gave notice", DATE),
    ColumnSpec("end_date", "End date", "The date the package ended or will end. Not before "
               "notice_date", DATE),
    ColumnSpec("weekly_hours", "Weekly hours", "Hours of care a week in the package, more "
               f"than 0 and up to {handbacks_rules.MAX_WEEKLY_HOURS}"),
    ColumnSpec("service_type", "Service type", "The kind of care", CODE,
               tuple(handbacks_rules.SERVICE_TYPES)),
    ColumnSpec("area", "Area", "The area the person lives in", TEXT),
    ColumnSpec("reason", "Reason", "Why you handed the package back", CODE,
               tuple(handbacks_rules.REASONS)),
    ColumnSpec("reason_details", "Reason details", "More about the reason, up to "
               f"{handbacks_rules.MAX_DETAILS} characters. Needed when reason is other", TEXT,
               required=False),
)  # fmt: skip
HANDBACK_FIELDS = {spec.name: spec for spec in HANDBACK_COLUMNS}


def _check_handbacks(ret, rows, result) -> None:
    areas = handbacks_rules.area_options(ret)
    raw, skip = [], set()
    date_specs = [HANDBACK_FIELDS["notice_date"], HANDBACK_FIELDS["end_date"]]
    for index, row in enumerate(rows):
        boxes, bad = dates(result, row, date_specs)
        skip |= {(index, name) for name in bad}
        area = matching(row.cells["area"], areas)
        raw.append({
            "reference": row.cells["reference"],
            **boxes,
            "weekly_hours": row.cells["weekly_hours"],
            "service_type": choice(row.cells["service_type"], handbacks_rules.SERVICE_TYPES),
            "area": area if area is not None else row.cells["area"],
            "reason": choice(row.cells["reason"], handbacks_rules.REASONS),
            "reason_details": row.cells.get("reason_details", ""),
        })  # fmt: skip
    data, errors, _ = parse_handbacks(areas, False, raw)
    if "none" in errors:  # every row was blank but for its area: no handback in the file
        result.file_problems.append(FileProblem(SECTIONS["handbacks"].no_data, "no_data"))
        return
    in_file_words = f"area must be {joined([f'‘{a}’' for a in areas], 'or')}"
    for field_id, message in list(errors.items()):
        index = int(ERROR_ID.fullmatch(field_id)[1])
        # The row number is shown beside the message: "for handback 2" would only confuse.
        message = message.replace(f" for handback {index + 1}", "")
        errors[field_id] = in_file_words if field_id.endswith("-area") else message
    report_errors(result, errors, rows, HANDBACK_FIELDS, skip)
    result.data = data


def _handback_template(ret: MonthlyReturn) -> list[list[str]]:
    data = service.section(ret, "handbacks").data or {}
    saved = data.get("rows") if isinstance(data.get("rows"), list) else []
    text = capacity_rules.text
    return [
        [text(r.get("reference")), dmy(r.get("notice_date")), dmy(r.get("end_date")),
         text(r.get("weekly_hours")), text(r.get("service_type")), text(r.get("area")),
         text(r.get("reason")), text(r.get("reason_details"))]
        for r in saved
        if isinstance(r, dict)
    ]  # fmt: skip


# --- workforce -----------------------------------------------------------------------------


def _workforce_column(f: workforce_rules.Field) -> ColumnSpec:
    if f.kind == workforce_rules.CHOICE:
        return ColumnSpec(f.name, f.label, f.label, CODE, f.choices)
    hint = f.hint or f"Enter {f.what}"
    if f.kind == workforce_rules.MONEY:
        hint += ". Pounds and pence, without £. Leave blank if headcount is 0"
    return ColumnSpec(f.name, f.label, hint)


WORKFORCE_COLUMNS = tuple(_workforce_column(f) for f in workforce_rules.FIELDS)
WORKFORCE_FIELDS = {spec.name: spec for spec in WORKFORCE_COLUMNS}


def _check_workforce(ret, rows, result) -> None:
    if len(rows) > 1:
        result.file_problems.append(
            FileProblem(
                f"The file must have one row of figures under the headings: it has {len(rows)}",
                "too_many_rows",
            )
        )
        return
    row = rows[0]
    raw = {
        spec.name: choice(row.cells[spec.name], spec.allowed) if spec.allowed else
        row.cells[spec.name]
        for spec in WORKFORCE_COLUMNS
    }  # fmt: skip
    values, errors = parse_section("workforce", raw)
    for name in workforce_rules.NAMES:
        if name in errors:
            report(result, WORKFORCE_FIELDS[name], row, errors[name])
    result.data = values


def _workforce_template(ret: MonthlyReturn) -> list[list[str]]:
    shown = service.section(ret, "workforce").data or workforce_rules.from_staff(ret) or {}
    if not shown:
        return []
    return [[capacity_rules.text(shown.get(name)) for name in workforce_rules.NAMES]]


# --- the sections --------------------------------------------------------------------------

SECTIONS: dict[str, SectionFile] = {
    "kpis": SectionFile(
        "kpis", "KPIs", KPI_COLUMNS, "One row for each KPI count: fill in the value column",
        len(kpis.COUNTS) * 2, ("missed_visits", "Missed visits", "3"),
        _check_kpis, _kpi_template,
    ),
    "capacity": SectionFile(
        "capacity", "Capacity", CAPACITY_COLUMNS, "One row for each area of your contract",
        100, ("North", "40", "01/12/2026", "yes", "no", "dementia; complex_needs", "31/12/2026"),
        _check_capacity, _capacity_template,
    ),
    "handbacks": SectionFile(
        "handbacks", "Handbacks", HANDBACK_COLUMNS, "One row for each handback",
        handbacks_rules.MAX_ROWS,
        ("PKG-1042", "02/10/2026", "16/10/2026", "10.5", "homecare", "North", "staffing", ""),
        _check_handbacks, _handback_template,
        no_data=f"{messages.UPLOAD_NO_DATA}: if you had no handbacks this month, say so on "
        "the handbacks page",
    ),
    "workforce": SectionFile(
        "workforce", "Workforce", WORKFORCE_COLUMNS, "One row of figures for the month",
        10,
        ("42", "35.5", "2.5", "3", "1", "12.5", "80", "4", "active", "yes", "12.60", "13.10",
         "30", "yes", "5", "30", "8", "4"),
        _check_workforce, _workforce_template,
    ),
}  # fmt: skip
