"""Uploading one section of a monthly return (KPIs, capacity, handbacks, workforce) as a
CSV or XLSX file: the columns of each, the templates to download, and the check.

The rules are the sections' own, shared with the web form: a file's cells are turned into
what the form would post (DD/MM/YYYY dates into the three date boxes, codes or their
labels into the radio values) and handed to ``kpis.parse_counts``,
``capacity.parse``, ``handbacks.parse`` and ``workforce.parse_workforce``. The error each
gives for a field is reported at the spreadsheet row and column the value came from; only
what belongs to a file is checked here (headings, which rows there are, a code that no
radio button could have sent). The wording of a choice's error names the codes a cell may
hold, because "Select ..." means nothing in a spreadsheet.

The layouts are the ones a provider fills most easily:

- KPIs: one row per count (``kpi_code``, ``kpi_name`` for reference only, ``value``), the
  template listing every code, so only the value column is typed;
- capacity: one row per area of the contract;
- handbacks: one row per handback;
- workforce: one row of figures under one heading per question.

Every template holds what the form would show now (the section's saved answers, else the
capacity areas, the KPI codes, or for workforce the figures from the staff records), so
downloading, editing and uploading it changes only what was edited.
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from forms import messages
from portal.models import MonthlyReturn
from portal.returns import kpis, service
from portal.returns.sections import capacity, handbacks, workforce
from portal.returns.sections import kpis as kpi_section
from portal.returns.warnings import SoftWarning
from portal.uploads import template_workbook as workbook
from portal.uploads.asc_wds import VALUE_SHOWN, Problem, normal_heading, uk_date_text
from portal.uploads.reading import FileProblem, Table, display_filename, open_upload

logger = logging.getLogger(__name__)

MAX_COLUMNS = 50  # a section has at most 18 columns: anything wider is not our template
FILE_TYPES = (".csv", ".xlsx", ".txt", ".xls")  # .xls: the reader says how to save it as .xlsx
DATE_FORMAT = "DD/MM/YYYY"
DATE_EXAMPLE = "27/03/2026"
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
NUMBER, DATE, CODE, TEXT = (
    "number",
    "date",
    "code",
    "text",
)  # kinds of messages.UPLOAD_PROBLEM_NOUNS


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a section's file. ``allowed``: (code, meaning) pairs a cell may hold."""

    name: str  # the heading, snake_case
    label: str  # what it holds, in the guidance and the summary of problems
    guidance: str
    kind: str = NUMBER
    allowed: tuple[tuple[str, str], ...] = ()
    required: bool = True  # the heading must be in the file
    read: bool = True  # False: for the reader's reference only, never checked


@dataclass
class SectionFileResult:
    """The check of one uploaded section file: file problems (nothing else could be
    checked), row problems (at the spreadsheet's own row and column), and the section data
    ready to save when there are neither."""

    code: str
    filename: str  # safe to show
    file_problems: list[FileProblem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    # Errors by what they are about (None: a row with more values than headings).
    error_labels: Counter = field(default_factory=Counter)
    data: dict | None = None
    row_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.file_problems and not self.errors and self.data is not None

    @property
    def summary(self) -> str:
        """ "You need to fix 2 values in Missed visits", or "" with no row errors."""
        parts = [
            f"{count:,} {'row' if count == 1 else 'rows'} with too many values"
            if label is None
            else f"{count:,} {'value' if count == 1 else 'values'} in {label}"
            for label, count in sorted(self.error_labels.items(), key=lambda item: -item[1])
        ]
        if not parts:
            return ""
        return f"You need to fix {_joined(parts)}"

    def add(self, row: int, spec: ColumnSpec | None, heading: str | None, value: str,
            message: str, label: str | None = None) -> None:  # fmt: skip
        """A row problem; ``label`` groups it in the summary (the column's by default)."""
        kind = spec.kind if spec is not None else "row"
        self.errors.append(Problem(row, heading, str(value)[:VALUE_SHOWN], message, kind))
        self.error_labels[label or (spec.label if spec else None)] += 1


@dataclass(frozen=True)
class Row:
    number: int  # the spreadsheet's row number
    cells: dict[str, str]  # by column name: trimmed text ("" for a column not in the file)


@dataclass(frozen=True)
class SectionFile:
    code: str
    title: str
    columns: tuple[ColumnSpec, ...]
    layout: str  # "One row for each ...", for the page and the guidance
    max_rows: int
    example: tuple[str, ...]  # one row, in column order
    check: Callable[[MonthlyReturn, list[Row], SectionFileResult], None]
    template_rows: Callable[[MonthlyReturn], list[list[str]]]
    no_data: str = messages.UPLOAD_NO_DATA

    @property
    def by_name(self) -> dict[str, ColumnSpec]:
        return {column.name: column for column in self.columns}

    @property
    def headings(self) -> list[str]:
        return [column.name for column in self.columns]


# --- turning cells into what the form posts ------------------------------------------


def _joined(items: list[str], last: str = "and") -> str:
    """ "a, b and c" (or "a, b or c")."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def _key(text: str) -> str:
    """A code or label as typed, for matching: "Extra care", "extra-care" -> "EXTRACARE"."""
    return normal_heading(text.replace("’", "'"))


def _choice(text: str, choices: tuple[tuple[str, str], ...]) -> str:
    """The code a cell names by its code or its label; the text itself when it names none
    (the section's rule then refuses it)."""
    wanted = _key(text)
    for value, label in choices:
        if wanted in (_key(value), _key(label)):
            return value
    return text


def _date_parts(text: str) -> dict[str, str] | None:
    """A DD/MM/YYYY cell as the three boxes of a date input (blank boxes for a blank cell);
    None when it is not written as a date at all."""
    text = uk_date_text(text) if text else ""
    if not text:
        return dict.fromkeys(capacity.DATE_PARTS, "")
    found = _DMY.fullmatch(text)
    if not found:
        return None
    return dict(zip(capacity.DATE_PARTS, found.groups(), strict=True))


def _dmy(value) -> str:
    """A saved ISO date as DD/MM/YYYY, for a template."""
    try:
        day = date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return ""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _codes_text(choices: tuple[tuple[str, str], ...]) -> str:
    return _joined([value for value, _ in choices], "or")


def _choice_message(spec: ColumnSpec, text: str) -> str:
    if text == "":
        return f"Enter {_codes_text(spec.allowed)} in {spec.name}"
    return f"{spec.name} must be {_codes_text(spec.allowed)}"


def _date_message(spec: ColumnSpec) -> str:
    return f"{spec.name} must be a date written as {DATE_FORMAT}, like {DATE_EXAMPLE}"


def _report(result: SectionFileResult, spec: ColumnSpec, row: Row, message: str,
            label: str | None = None) -> None:  # fmt: skip
    """A section rule's error for ``spec``'s cell in ``row``; a choice's in file words."""
    value = row.cells.get(spec.name, "")
    if spec.kind == CODE and spec.allowed:
        message = _choice_message(spec, value)
    result.add(row.number, spec, spec.name, value, message, label)


def _matching(text: str, names: list[str]) -> str | None:
    """The one of ``names`` a cell names, whatever its case and spacing."""
    wanted = _key(text)
    return next((name for name in names if _key(name) == wanted), None)


def _once_each(
    result: SectionFileResult, rows: list[Row], spec: ColumnSpec, names: list[str], what: str
) -> dict[str, Row]:
    """Rows by the name in their ``spec`` column: an unknown name, or one on two rows, is a
    problem in that row."""
    found: dict[str, Row] = {}
    for row in rows:
        text = row.cells[spec.name]
        name = _matching(text, names)
        if name is None:
            shown = [f"‘{n}’" for n in names[:20]] + (
                ["another in the guidance"] if names[20:] else []
            )
            result.add(row.number, spec, spec.name, text,
                       f"{spec.name} must be {_joined(shown, 'or')}")  # fmt: skip
        elif name in found:
            result.add(row.number, spec, spec.name, text,
                       f"This {what} is also on row {found[name].number:,}: "
                       f"each {what} must be in the file once")  # fmt: skip
        else:
            found[name] = row
    return found


def _missing(result: SectionFileResult, found: dict[str, Row], names: list[str], what: str):
    absent = [f"‘{name}’" for name in names if name not in found]
    if absent:
        rows = "a row" if len(absent) == 1 else "rows"
        result.file_problems.append(
            FileProblem(f"Add {rows} for the {what} {_joined(absent)}", "rows_missing")
        )


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
    found = _once_each(result, rows, spec, kpis.COUNT_NAMES, "KPI code")
    _missing(result, found, kpis.COUNT_NAMES, "KPI codes")
    values, errors = kpis.parse_counts({name: row.cells["value"] for name, row in found.items()})
    for name, message in errors.items():
        if name in found:
            _report(result, KPI_COLUMNS[2], found[name], message, kpis.LABELS[name])
    result.data = values


def _kpi_template(ret: MonthlyReturn) -> list[list[str]]:
    saved = service.section(ret, "kpis").data or {}
    return [[c.name, c.label, capacity.text(saved.get(c.name))] for c in kpis.COUNTS]


# --- capacity ----------------------------------------------------------------------------

YES_NO = (("yes", "Yes"), ("no", "No"))
CAPACITY_COLUMNS = (
    ColumnSpec("area", "Area", "The area of your contract this row is for: one row for each "
               "area", TEXT),
    ColumnSpec("spare_hours", "Spare hours", "Spare hours of care a week you could take on "
               f"for new packages, up to {capacity.MAX_SPARE_HOURS:,}. Enter 0 if none"),
    ColumnSpec("earliest_start", "Earliest start date", "The earliest date you could start "
               "a new package. Needed when spare_hours is more than 0", DATE),
    ColumnSpec("double_handed", "Double-handed calls", "Can you take double-handed calls?",
               CODE, YES_NO),
    ColumnSpec("night_support", "Night support", "Can you provide night support?", CODE,
               YES_NO),
    ColumnSpec("specialist_needs", "Specialist needs", "The specialist needs you can meet, "
               "separated by semicolons. Leave blank for none", CODE, tuple(capacity.SPECIALIST)),
    ColumnSpec("valid_until", "Valid until date", "The date until which these answers hold. "
               "Not before earliest_start", DATE),
)  # fmt: skip
CAPACITY_FIELDS = {spec.name: spec for spec in CAPACITY_COLUMNS}
_ERROR_ID = re.compile(r"(?:areas|rows)-([0-9]+)-(.+)")


def _specialist(result: SectionFileResult, row: Row) -> list[str]:
    """The codes of a specialist_needs cell; one the form does not offer is a problem."""
    spec = CAPACITY_FIELDS["specialist_needs"]
    text = row.cells["specialist_needs"]
    parts = [part.strip() for part in re.split(r"[;,|]", text) if part.strip()]
    if [_key(part) for part in parts] == ["NONE"]:
        return []
    codes = [_choice(part, spec.allowed) for part in parts]
    if any(code not in capacity.SPECIALIST_LABELS for code in codes):
        result.add(row.number, spec, spec.name, text,
                   f"specialist_needs must be blank or any of "
                   f"{_joined([value for value, _ in spec.allowed])}, separated by "
                   "semicolons")  # fmt: skip
    return codes


def _dates(result, row: Row, specs: list[ColumnSpec]) -> tuple[dict, set[str]]:
    """The date cells as date-input boxes; a cell not written as a date is reported here
    and given to the section's rule as blank (its other errors are then not reported)."""
    boxes, bad = {}, set()
    for spec in specs:
        parts = _date_parts(row.cells[spec.name])
        if parts is None:
            result.add(row.number, spec, spec.name, row.cells[spec.name], _date_message(spec))
            bad.add(spec.name)
            parts = dict.fromkeys(capacity.DATE_PARTS, "")
        boxes[spec.name] = parts
    return boxes, bad


def _report_errors(result, errors: dict[str, str], rows: list[Row], specs, skip) -> None:
    """Errors by the form's field ids (``areas-0-spare_hours``) at their rows and columns."""
    for field_id, message in errors.items():
        found = _ERROR_ID.fullmatch(field_id)
        if not found:
            continue
        index, name = int(found[1]), found[2]
        row = rows[index]
        if (index, name) not in skip:
            _report(result, specs[name], row, message)


def _check_capacity(ret, rows, result) -> None:
    names = capacity.area_names(ret)
    found = _once_each(result, rows, CAPACITY_COLUMNS[0], names, "area")
    _missing(result, found, names, "areas")
    ordered = [found[name] for name in names if name in found]
    raw, skip = [], set()
    date_specs = [CAPACITY_FIELDS["earliest_start"], CAPACITY_FIELDS["valid_until"]]
    for index, row in enumerate(ordered):
        boxes, bad = _dates(result, row, date_specs)
        skip |= {(index, name) for name in bad}
        raw.append({
            "area": _matching(row.cells["area"], names),
            "spare_hours": row.cells["spare_hours"],
            **boxes,
            "double_handed": _choice(row.cells["double_handed"], YES_NO),
            "night_support": _choice(row.cells["night_support"], YES_NO),
            "specialist": _specialist(result, row),
        })  # fmt: skip
    data, errors, _ = capacity.parse(names, raw)
    _report_errors(result, errors, ordered, CAPACITY_FIELDS, skip)
    result.data = data


def _capacity_template(ret: MonthlyReturn) -> list[list[str]]:
    saved = capacity.by_area(service.section(ret, "capacity").data)
    rows = []
    for name in capacity.area_names(ret):
        row = saved.get(name) or {}
        specialist = row.get("specialist") if isinstance(row.get("specialist"), list) else []
        rows.append([
            name, capacity.text(row.get("spare_hours")), _dmy(row.get("earliest_start")),
            capacity.text(row.get("double_handed")), capacity.text(row.get("night_support")),
            "; ".join(s for s in specialist if isinstance(s, str)), _dmy(row.get("valid_until")),
        ])  # fmt: skip
    return rows


# --- handbacks ---------------------------------------------------------------------------

HANDBACK_COLUMNS = (
    ColumnSpec("reference", "Reference", "The council's reference for the package, up to "
               f"{handbacks.MAX_REFERENCE} characters", TEXT),
    ColumnSpec("notice_date", "Notice date", "The date you gave notice", DATE),
    ColumnSpec("end_date", "End date", "The date the package ended or will end. Not before "
               "notice_date", DATE),
    ColumnSpec("weekly_hours", "Weekly hours", "Hours of care a week in the package, more "
               f"than 0 and up to {handbacks.MAX_WEEKLY_HOURS}"),
    ColumnSpec("service_type", "Service type", "The kind of care", CODE,
               tuple(handbacks.SERVICE_TYPES)),
    ColumnSpec("area", "Area", "The area the person lives in", TEXT),
    ColumnSpec("reason", "Reason", "Why you handed the package back", CODE,
               tuple(handbacks.REASONS)),
    ColumnSpec("reason_details", "Reason details", "More about the reason, up to "
               f"{handbacks.MAX_DETAILS} characters. Needed when reason is other", TEXT,
               required=False),
)  # fmt: skip
HANDBACK_FIELDS = {spec.name: spec for spec in HANDBACK_COLUMNS}


def _check_handbacks(ret, rows, result) -> None:
    areas = handbacks.area_options(ret)
    raw, skip = [], set()
    date_specs = [HANDBACK_FIELDS["notice_date"], HANDBACK_FIELDS["end_date"]]
    for index, row in enumerate(rows):
        boxes, bad = _dates(result, row, date_specs)
        skip |= {(index, name) for name in bad}
        area = _matching(row.cells["area"], areas)
        raw.append({
            "reference": row.cells["reference"],
            **boxes,
            "weekly_hours": row.cells["weekly_hours"],
            "service_type": _choice(row.cells["service_type"], handbacks.SERVICE_TYPES),
            "area": area if area is not None else row.cells["area"],
            "reason": _choice(row.cells["reason"], handbacks.REASONS),
            "reason_details": row.cells.get("reason_details", ""),
        })  # fmt: skip
    data, errors, _ = handbacks.parse(areas, False, raw)
    if "none" in errors:  # every row was blank but for its area: no handback in the file
        result.file_problems.append(FileProblem(SECTIONS["handbacks"].no_data, "no_data"))
        return
    in_file_words = f"area must be {_joined([f'‘{a}’' for a in areas], 'or')}"
    for field_id, message in list(errors.items()):
        index = int(_ERROR_ID.fullmatch(field_id)[1])
        # The row number is shown beside the message: "for handback 2" would only confuse.
        message = message.replace(f" for handback {index + 1}", "")
        errors[field_id] = in_file_words if field_id.endswith("-area") else message
    _report_errors(result, errors, rows, HANDBACK_FIELDS, skip)
    result.data = data


def _handback_template(ret: MonthlyReturn) -> list[list[str]]:
    data = service.section(ret, "handbacks").data or {}
    saved = data.get("rows") if isinstance(data.get("rows"), list) else []
    text = capacity.text
    return [
        [text(r.get("reference")), _dmy(r.get("notice_date")), _dmy(r.get("end_date")),
         text(r.get("weekly_hours")), text(r.get("service_type")), text(r.get("area")),
         text(r.get("reason")), text(r.get("reason_details"))]
        for r in saved
        if isinstance(r, dict)
    ]  # fmt: skip


# --- workforce -----------------------------------------------------------------------------


def _workforce_column(f: workforce.Field) -> ColumnSpec:
    if f.kind == workforce.CHOICE:
        return ColumnSpec(f.name, f.label, f.label, CODE, f.choices)
    hint = f.hint or f"Enter {f.what}"
    if f.kind == workforce.MONEY:
        hint += ". Pounds and pence, without £. Leave blank if headcount is 0"
    return ColumnSpec(f.name, f.label, hint)


WORKFORCE_COLUMNS = tuple(_workforce_column(f) for f in workforce.FIELDS)
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
        spec.name: _choice(row.cells[spec.name], spec.allowed) if spec.allowed else
        row.cells[spec.name]
        for spec in WORKFORCE_COLUMNS
    }  # fmt: skip
    values, errors = workforce.parse_workforce(raw)
    for name in workforce.NAMES:
        if name in errors:
            _report(result, WORKFORCE_FIELDS[name], row, errors[name])
    result.data = values


def _workforce_template(ret: MonthlyReturn) -> list[list[str]]:
    shown = service.section(ret, "workforce").data or workforce.from_staff(ret) or {}
    if not shown:
        return []
    return [[capacity.text(shown.get(name)) for name in workforce.NAMES]]


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
        handbacks.MAX_ROWS,
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


# --- checking a file -----------------------------------------------------------------------


def _map_headings(spec: SectionFile, headers: list[str]) -> tuple[dict[str, int], list]:
    """({column name: position}, file problems): every heading must be one of ours, once,
    and every required one there."""
    ours = {_key(column.name): column.name for column in spec.columns}
    positions: dict[str, int] = {}
    problems: list[FileProblem] = []
    unknown = []
    for position, header in enumerate(headers):
        if not header:
            continue
        name = ours.get(_key(header))
        if name is None:
            unknown.append(f"‘{display_filename(header)[:40]}’")
        elif name in positions:
            problems.append(FileProblem(messages.upload_column_twice(header), "column_twice"))
        else:
            positions[name] = position
    missing = [c.name for c in spec.columns if c.required and c.name not in positions]
    if missing:
        problems.insert(0, FileProblem(messages.upload_columns_missing(missing), "columns_missing"))
    if unknown:
        word = "heading" if len(unknown) == 1 else "headings"
        problems.append(
            FileProblem(
                f"The file has the column {word} {_joined(unknown[:5])}, which "
                f"{'is' if len(unknown) == 1 else 'are'} not in the template: use the "
                "headings of the template",
                "unknown_columns",
            )
        )
    return positions, problems


def _rows(spec: SectionFile, table: Table, positions: dict[str, int]) -> list[Row]:
    texts = {name: table.columns[position].text() for name, position in positions.items()}
    return [
        Row(
            int(number),
            {c.name: (str(texts[c.name][i]) if c.name in texts else "") for c in spec.columns},
        )
        for i, number in enumerate(table.row_numbers)
    ]


def check_section_file(
    code: str, ret: MonthlyReturn, data: bytes, filename: str
) -> SectionFileResult:
    """Check an uploaded file for section ``code`` of ``ret``. Never raises: whatever the
    bytes, the result says what to fix, and ``data`` is the section data when ``ok``."""
    spec = SECTIONS[code]
    result = SectionFileResult(code, display_filename(filename))
    try:
        _check(spec, ret, data, filename, result)
    except Exception:  # a file must never break the page
        logger.exception("Checking the %s file %r failed", code, result.filename)
        result.file_problems = [FileProblem(messages.UPLOAD_CANNOT_OPEN, "cannot_open")]
    if result.file_problems or result.errors:
        result.data = None
    return result


def _check(spec: SectionFile, ret, data: bytes, filename: str, result) -> None:
    opened = _open(spec, data, filename, result)
    if opened is None:
        return
    source, read = opened
    table = source.read(sorted(read.values()), max_rows=spec.max_rows)
    if isinstance(table, FileProblem):
        if table.kind == "no_data":
            table = FileProblem(spec.no_data, "no_data")
        result.file_problems.append(table)
        return
    result.row_count = len(table)
    rows = _rows(spec, table, read)
    if table.too_long is not None:
        for row, too_long in zip(rows, table.too_long, strict=True):
            if too_long:
                result.add(row.number, None, None, "", messages.UPLOAD_ROW_TOO_LONG)
    spec.check(ret, rows, result)
    # Problems in row order, then column order, each named by the file's own heading.
    result.errors = [
        replace(p, column=source.headers[read[p.column]] if p.column in read else p.column)
        for p in sorted(result.errors, key=lambda p: (p.row, read.get(p.column, -1)))
    ]


def _open(spec: SectionFile, data: bytes, filename: str, result):
    """(the opened file, {column name: position} of the columns read), or None with the
    file's problems added to ``result``."""
    extension = os.path.splitext(result.filename)[1].lower()
    if extension and extension not in FILE_TYPES:
        result.file_problems.append(FileProblem(messages.UPLOAD_WRONG_TYPE, "wrong_type"))
        return None
    names = {_key(name) for name in spec.headings}
    source = open_upload(
        data,
        filename,
        max_columns=MAX_COLUMNS,
        wanted=lambda headers: bool(names & {_key(h) for h in headers}),
    )
    if isinstance(source, FileProblem):
        result.file_problems.append(source)
        return None
    positions, problems = _map_headings(spec, source.headers)
    if problems:
        source.close()
        result.file_problems.extend(problems)
        return None
    return source, {name: p for name, p in positions.items() if spec.by_name[name].read}


def soft_warnings(code: str, ret: MonthlyReturn, data: dict) -> list[SoftWarning]:
    """The section's own soft warnings for ``data``, as its form shows them."""
    if code == "kpis":
        return kpi_section.soft_warnings(ret, data)
    if code == "capacity":
        return capacity.soft_warnings(ret, capacity.area_names(ret), data)
    if code == "workforce":
        return workforce.soft_warnings(ret, data)
    return []


# --- templates -----------------------------------------------------------------------------


def _cell(value: str, spec: ColumnSpec):
    """A number column's figure as a number (Excel then adds them up); the rest as text."""
    if spec.kind == NUMBER and re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", value or ""):
        return float(value) if "." in value else int(value)
    return value


def template_xlsx(code: str, ret: MonthlyReturn) -> bytes:
    """The template as a workbook: a "Data" sheet to fill in, and a "Guidance" sheet saying
    what each column holds, the codes it may have, the date format and an example row."""
    spec = SECTIONS[code]
    lines: list[tuple[list[str], bool]] = [
        ([f"How to fill in the {spec.title} file"], True),
        ([f"{spec.layout}, on the Data sheet. Keep the headings in the first row as they are."],
         False),
        ([f"Write dates as {DATE_FORMAT}, for example {DATE_EXAMPLE}."], False),
        (["Save the file as an Excel Workbook (.xlsx) or CSV UTF-8 (.csv), then upload it."],
         False),
        ([], False),
        (["Column", "What to enter", "Allowed values", "Example"], True),
    ]  # fmt: skip
    for column, example in zip(spec.columns, spec.example, strict=True):
        allowed = "\n".join(f"{value}: {label}" for value, label in column.allowed)
        if column.kind == DATE:
            allowed = f"A date written as {DATE_FORMAT}"
        lines.append(([column.name, column.guidance, allowed, example], False))
    lines += [
        ([], False),
        (["Example row"], True),
        (spec.headings, True),
        (list(spec.example), False),
    ]
    return workbook.template_xlsx(
        [(column.name, column.kind != NUMBER) for column in spec.columns],
        (
            [_cell(value, column) for value, column in zip(row, spec.columns, strict=True)]
            for row in spec.template_rows(ret)
        ),
        lines,
        (24, 60, 50, 20),
    )
