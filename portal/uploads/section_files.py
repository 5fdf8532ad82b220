"""Uploading one section of a monthly return (KPIs, capacity, handbacks, workforce) as a
CSV or XLSX file: the columns of each, the templates to download, and the check.

The rules are the sections' own, shared with the web form and the API: a file's cells are
turned into what the form would post (DD/MM/YYYY dates into the three date boxes, codes or
their labels into the radio values) and loaded through the section's marshmallow schema
(``portal.schemas.sections``, ``section_rows``), whose checks are ``kpis.parse_counts``,
``capacity_rules.parse``, ``handbacks_rules.parse`` and ``workforce_rules.parse_workforce``.
The error each gives
for a field is reported at the spreadsheet row and column the value came from; only
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

The shared parts are ``section_file_cells``; the four sections' columns, checks and
templates are ``section_file_layouts``; this module checks a file and makes the template
workbook.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import replace

from forms import messages
from portal.models import MonthlyReturn
from portal.returns.sections import capacity_rules, kpis_rules, workforce_rules
from portal.returns.warnings import SoftWarning
from portal.uploads import template_workbook as workbook
from portal.uploads.reading import display_filename, open_upload
from portal.uploads.section_file_cells import (
    DATE,
    DATE_EXAMPLE,
    DATE_FORMAT,
    NUMBER,
    ColumnSpec,
    Row,
    SectionFile,
    SectionFileResult,
    joined,
    key,
)
from portal.uploads.section_file_layouts import SECTIONS
from portal.uploads.upload_table import FileProblem, Table

logger = logging.getLogger(__name__)

MAX_COLUMNS = 50  # a section has at most 18 columns: anything wider is not our template
FILE_TYPES = (".csv", ".xlsx", ".txt", ".xls")  # .xls: the reader says how to save it as .xlsx


# --- checking a file -----------------------------------------------------------------------


def _map_headings(spec: SectionFile, headers: list[str]) -> tuple[dict[str, int], list]:
    """({column name: position}, file problems): every heading must be one of ours, once,
    and every required one there."""
    ours = {key(column.name): column.name for column in spec.columns}
    positions: dict[str, int] = {}
    problems: list[FileProblem] = []
    unknown = []
    for position, header in enumerate(headers):
        if not header:
            continue
        name = ours.get(key(header))
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
                f"The file has the column {word} {joined(unknown[:5])}, which "
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
    names = {key(name) for name in spec.headings}
    source = open_upload(
        data,
        filename,
        max_columns=MAX_COLUMNS,
        wanted=lambda headers: bool(names & {key(h) for h in headers}),
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
        return kpis_rules.soft_warnings(ret, data)
    if code == "capacity":
        return capacity_rules.soft_warnings(ret, capacity_rules.area_names(ret), data)
    if code == "workforce":
        return workforce_rules.soft_warnings(ret, data)
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
