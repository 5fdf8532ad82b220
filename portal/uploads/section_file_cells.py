"""The parts every section file shares: how a column is described (``ColumnSpec``), the
section's layout (``SectionFile``), the result of a check (``SectionFileResult``), and the
turning of a file's cells into what the section's form would post (DD/MM/YYYY dates into
the three date boxes, codes or their labels into the radio values), with each rule's error
reported at the spreadsheet row and column the value came from."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from forms import messages
from forms.govuk_dates import DATE_PARTS
from portal.models import MonthlyReturn
from portal.uploads.asc_wds_column_rules import uk_date_text
from portal.uploads.asc_wds_headings import normal_heading
from portal.uploads.asc_wds_results import VALUE_SHOWN, Problem
from portal.uploads.upload_table import FileProblem

DATE_FORMAT = "DD/MM/YYYY"
DATE_EXAMPLE = "27/03/2026"
_DMY = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
NUMBER, DATE, CODE, TEXT = (
    "number",
    "date",
    "code",
    "text",
)  # kinds of messages.UPLOAD_PROBLEM_NOUNS

ERROR_ID = re.compile(r"(?:areas|rows)-([0-9]+)-(.+)")


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
        return f"You need to fix {joined(parts)}"

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


def joined(items: list[str], last: str = "and") -> str:
    """ "a, b and c" (or "a, b or c")."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def key(text: str) -> str:
    """A code or label as typed, for matching: "Extra care", "extra-care" -> "EXTRACARE"."""
    return normal_heading(text.replace("’", "'"))


def choice(text: str, choices: tuple[tuple[str, str], ...]) -> str:
    """The code a cell names by its code or its label; the text itself when it names none
    (the section's rule then refuses it)."""
    wanted = key(text)
    for value, label in choices:
        if wanted in (key(value), key(label)):
            return value
    return text


def _date_parts(text: str) -> dict[str, str] | None:
    """A DD/MM/YYYY cell as the three boxes of a date input (blank boxes for a blank cell);
    None when it is not written as a date at all."""
    text = uk_date_text(text) if text else ""
    if not text:
        return dict.fromkeys(DATE_PARTS, "")
    found = _DMY.fullmatch(text)
    if not found:
        return None
    return dict(zip(DATE_PARTS, found.groups(), strict=True))


def dmy(value) -> str:
    """A saved ISO date as DD/MM/YYYY, for a template."""
    try:
        day = date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return ""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _codes_text(choices: tuple[tuple[str, str], ...]) -> str:
    return joined([value for value, _ in choices], "or")


def _choice_message(spec: ColumnSpec, text: str) -> str:
    if text == "":
        return f"Enter {_codes_text(spec.allowed)} in {spec.name}"
    return f"{spec.name} must be {_codes_text(spec.allowed)}"


def _date_message(spec: ColumnSpec) -> str:
    return f"{spec.name} must be a date written as {DATE_FORMAT}, like {DATE_EXAMPLE}"


def report(result: SectionFileResult, spec: ColumnSpec, row: Row, message: str,
            label: str | None = None) -> None:  # fmt: skip
    """A section rule's error for ``spec``'s cell in ``row``; a choice's in file words."""
    value = row.cells.get(spec.name, "")
    if spec.kind == CODE and spec.allowed:
        message = _choice_message(spec, value)
    result.add(row.number, spec, spec.name, value, message, label)


def matching(text: str, names: list[str]) -> str | None:
    """The one of ``names`` a cell names, whatever its case and spacing."""
    wanted = key(text)
    return next((name for name in names if key(name) == wanted), None)


def once_each(
    result: SectionFileResult, rows: list[Row], spec: ColumnSpec, names: list[str], what: str
) -> dict[str, Row]:
    """Rows by the name in their ``spec`` column: an unknown name, or one on two rows, is a
    problem in that row."""
    found: dict[str, Row] = {}
    for row in rows:
        text = row.cells[spec.name]
        name = matching(text, names)
        if name is None:
            shown = [f"‘{n}’" for n in names[:20]] + (
                ["another in the guidance"] if names[20:] else []
            )
            result.add(row.number, spec, spec.name, text,
                       f"{spec.name} must be {joined(shown, 'or')}")  # fmt: skip
        elif name in found:
            result.add(row.number, spec, spec.name, text,
                       f"This {what} is also on row {found[name].number:,}: "
                       f"each {what} must be in the file once")  # fmt: skip
        else:
            found[name] = row
    return found


def missing(result: SectionFileResult, found: dict[str, Row], names: list[str], what: str):
    absent = [f"‘{name}’" for name in names if name not in found]
    if absent:
        rows = "a row" if len(absent) == 1 else "rows"
        result.file_problems.append(
            FileProblem(f"Add {rows} for the {what} {joined(absent)}", "rows_missing")
        )


def dates(result, row: Row, specs: list[ColumnSpec]) -> tuple[dict, set[str]]:
    """The date cells as date-input boxes; a cell not written as a date is reported here
    and given to the section's rule as blank (its other errors are then not reported)."""
    boxes, bad = {}, set()
    for spec in specs:
        parts = _date_parts(row.cells[spec.name])
        if parts is None:
            result.add(row.number, spec, spec.name, row.cells[spec.name], _date_message(spec))
            bad.add(spec.name)
            parts = dict.fromkeys(DATE_PARTS, "")
        boxes[spec.name] = parts
    return boxes, bad


def report_errors(result, errors: dict[str, str], rows: list[Row], specs, skip) -> None:
    """Errors by the form's field ids (``areas-0-spare_hours``) at their rows and columns."""
    for field_id, message in errors.items():
        found = ERROR_ID.fullmatch(field_id)
        if not found:
            continue
        index, name = int(found[1]), found[2]
        row = rows[index]
        if (index, name) not in skip:
            report(result, specs[name], row, message)
