"""Checking ASC-WDS staff and training files before they are imported.

The upload journey is upload -> check -> confirm -> import, and this module is the check.
``check_upload`` takes a staff file, a training file or both (CSV or XLSX with the columns
of the national Adult Social Care Workforce Data Set bulk upload; other columns are
ignored, so a full ASC-WDS export uploads as it is) and gives a ``ValidationResult`` for
each: problems with the file as a whole, errors and warnings by row, a summary ("You need
to fix 12 dates and 3 training categories") and the rows ready to import, typed. The import
job (not here) takes ``UploadCheck.to_import()`` and writes it to the database.

The rules are those of ``portal.returns.staff_rules``, shared with the web form and the
API; this module only adds what belongs to a file (branches by LOCALESTID, STATUS, rows that
repeat, workers the training file names). To be quick on 100,000 rows, each column is
checked one distinct value at a time with the staff_rules function for its field (a
training file has a few thousand distinct dates and a few dozen categories) and the results
are spread back to the rows with numpy. The rules that compare two columns of a row
(expiry after completion, the expiry VALIDITY gives) run on whole columns, on the values
the staff_rules functions gave; ``tests/unit/test_upload_asc_wds.py`` checks the outcome
matches ``staff_rules.validate_training`` and ``validate_staff`` row by row.

STATUS (staff file), as ASC-WDS uses it. ASC-WDS checks each value against its own records;
here "exists" means the provider already has a staff member with that UNIQUEWORKERID in the
portal (``existing_worker_ids``). A file with no STATUS column reads as all UNCHECKED.

- NEW: add them (action "add"); an error if they exist, as in ASC-WDS.
- UPDATE: change them ("update"); an error if they do not exist, as in ASC-WDS.
- CHGSUB: ASC-WDS moves them to another workplace of the organisation. Here "update", the
  branch being the row's LOCALESTID; an error if they do not exist.
- UNCHECKED: what ASC-WDS writes in a file it exports, and it requires them to exist there.
  Here "update" if they exist, else "add": an export is all UNCHECKED, and on a provider's
  first upload the portal has nobody yet.
- NOCHANGE: ASC-WDS skips them (they must exist there). Here "keep" if they exist, else "add".
- DELETE: ASC-WDS removes the record. Here "leave": they are marked as left and their records
  stay for past returns (deleting someone added by mistake stays a web form action); an
  error if they do not exist. Only UNIQUEWORKERID is checked on such a row.
- LEAVER: not an ASC-WDS value; taken as DELETE.
- blank or anything else: an error.

A training row may name a worker marked DELETE or LEAVER: their training still counts for
the months they worked.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from forms import messages
from portal.returns import staff_reference
from portal.returns import staff_rules as rules
from portal.uploads.reading import Column, FileProblem, Table, display_filename, open_upload

logger = logging.getLogger(__name__)

STAFF_FILE = "staff"
TRAINING_FILE = "training"

# ASC-WDS column -> our field name. staff_rules maps the columns it has rules for;
# LOCALESTID (which branch) and STATUS (what to do with the staff record) are the upload's.
STAFF_COLUMNS = {"LOCALESTID": "branch", **rules.ASCWDS_STAFF_COLUMNS, "STATUS": "status"}
TRAINING_COLUMNS = {"LOCALESTID": "branch", **rules.ASCWDS_TRAINING_COLUMNS}
# Other headings for the same fields: the ASC-WDS training file names the training provider
# PROVIDERNAME, and its older version called the training name DESCRIPTION.
OTHER_NAMES = {
    "PROVIDERNAME": "provider_name",
    "PROVIDEDBY": "provider_name",
    "DESCRIPTION": "training_name",
}
# Columns a file must have. LOCALESTID may be left out by a provider with one branch.
STAFF_REQUIRED = ("branch", "worker_id", "main_job_role")
TRAINING_REQUIRED = ("branch", "worker_id", "category", "date_completed")
# The ``required`` sets handed to the staff_rules functions: ASC-WDS files leave blank the
# answers the web form insists on.
UPLOAD_STAFF_REQUIRED: frozenset[str] = frozenset()
UPLOAD_TRAINING_REQUIRED: frozenset[str] = frozenset()

# An EXPIRYDATE within this many days of the one VALIDITY gives agrees with it: files use
# both "completed + months - 1 day" (ASC-WDS) and "completed + months".
VALIDITY_TOLERANCE_DAYS = 7
MAX_LISTED = 10_000  # problems kept in each list; the counts and summary cover them all
VALUE_SHOWN = 100  # characters of a cell's value kept in a Problem

ADD, UPDATE, KEEP, LEAVE = "add", "update", "keep", "leave"
STATUSES = ("NEW", "UPDATE", "UNCHECKED", "NOCHANGE", "DELETE", "CHGSUB", "LEAVER")
_MUST_EXIST = frozenset({"UPDATE", "CHGSUB", "DELETE", "LEAVER"})
_LEAVING = frozenset({"DELETE", "LEAVER"})

TRAINING_FIELDS = (
    "branch_id", "worker_id", "category", "training_name", "accredited", "who_delivered",
    "provider_name", "how_delivered", "validity", "date_completed", "expiry_date", "notes",
)  # fmt: skip
STAFF_FIELDS = (
    "branch_id", "worker_id", "main_job_role", "start_date", "employment_status",
    "care_certificate", "hourly_rate", "health_care_visa", "zero_hours", "contracted_hours",
)  # fmt: skip

_SCIENTIFIC = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")
_WITH_TIME = re.compile(r"(\S+?)[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?")
_EXCEL_SERIAL = re.compile(r"[1-9][0-9]{4}(?:\.[0-9]+)?")
_DECIMAL_COMMA = re.compile(r"-?[0-9]+,[0-9]{1,2}")
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, counting its 1900 leap-year bug


# --- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A problem in one row: ``row`` is the spreadsheet's row number (headings are row 1),
    ``column`` the heading as the file has it (None for the row as a whole)."""

    row: int
    column: str | None
    value: str
    message: str
    kind: str  # a key of messages.UPLOAD_PROBLEM_NOUNS


@dataclass
class ValidationResult:
    file: str  # STAFF_FILE or TRAINING_FILE
    filename: str  # safe to show
    file_problems: list[FileProblem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)  # in row order, the first MAX_LISTED
    warnings: list[Problem] = field(default_factory=list)
    error_counts: dict[str, int] = field(default_factory=dict)  # all errors, by kind
    warning_counts: dict[str, int] = field(default_factory=dict)
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)  # ready to import
    row_count: int = 0  # rows of data in the file
    fields: frozenset[str] = frozenset()  # our fields the file has a column for
    worker_ids: frozenset[str] = frozenset()  # staff file: every valid UNIQUEWORKERID in it

    @property
    def error_count(self) -> int:
        return sum(self.error_counts.values())

    @property
    def warning_count(self) -> int:
        return sum(self.warning_counts.values())

    @property
    def ok(self) -> bool:
        """Nothing stops the import (warnings do not)."""
        return not self.file_problems and not self.error_counts

    @property
    def summary(self) -> str:
        """ "You need to fix 12 dates and 3 training categories", or "" with no errors."""
        return messages.upload_summary(self.error_counts)

    @property
    def warning_summary(self) -> str:
        return messages.upload_summary(self.warning_counts, "You should check")

    def records(self) -> list[dict[str, Any]]:
        return self.rows.to_dict("records")


@dataclass(frozen=True)
class ImportBatch:
    """What the import job writes for one provider, in one transaction.

    ``staff``: one row per staff member, with ``action`` "add", "update" (change only the
    ``staff_fields`` the file had columns for), "keep" or "leave" (set ``left_on``) and
    ``branch_id`` already mapped from LOCALESTID. ``training``: one row per training
    record, with ``worker_id`` (a staff member who exists or is added by ``staff``); the
    provider's own columns from TrainingRecord, expiry derived where it was blank. Each
    row keeps its file ``row`` number for the audit trail."""

    staff: pd.DataFrame | None
    staff_fields: frozenset[str]
    training: pd.DataFrame | None


class UploadNotReady(Exception):
    """``to_import`` was called while a file still has problems or errors."""


@dataclass
class UploadCheck:
    staff: ValidationResult | None
    training: ValidationResult | None

    @property
    def results(self) -> list[ValidationResult]:
        return [result for result in (self.staff, self.training) if result is not None]

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(result.ok for result in self.results)

    def to_import(self) -> ImportBatch:
        """The rows to import: call only when ``ok`` (warnings confirmed by the user)."""
        if not self.ok:
            raise UploadNotReady("fix the file problems and errors first")
        return ImportBatch(
            staff=self.staff.rows if self.staff else None,
            staff_fields=self.staff.fields if self.staff else frozenset(),
            training=self.training.rows if self.training else None,
        )


# --- entry points --------------------------------------------------------------------


def check_upload(
    *,
    staff: tuple[bytes, str] | None = None,
    training: tuple[bytes, str] | None = None,
    today: date,
    branches: Mapping[str, int],
    existing_worker_ids: Set[str],
    max_listed: int = MAX_LISTED,
) -> UploadCheck:
    """Check a staff file and/or a training file, each given as (bytes, file name).

    ``branches`` maps each of the provider's LOCALESTIDs to its branch id;
    ``existing_worker_ids`` are the UNIQUEWORKERIDs the provider already has. A training
    row's worker must be in the staff file uploaded with it or already exist; while the
    staff file itself cannot be read, that check waits."""
    staff_result = None
    known: Set[str] | None = existing_worker_ids
    if staff is not None:
        staff_result = validate_staff_file(
            *staff,
            today=today,
            branches=branches,
            existing_worker_ids=existing_worker_ids,
            max_listed=max_listed,
        )
        known = (
            None if staff_result.file_problems else staff_result.worker_ids | existing_worker_ids
        )
    training_result = None
    if training is not None:
        training_result = validate_training_file(
            *training, today=today, branches=branches, worker_ids=known, max_listed=max_listed
        )
    return UploadCheck(staff_result, training_result)


def _never_raises(validate):
    """Whatever a file holds, the caller gets a result: an unexpected failure is logged and
    reported as a file that cannot be opened."""

    @functools.wraps(validate)
    def guarded(data, filename, **kwargs):
        try:
            return validate(data, filename, **kwargs)
        except Exception:
            logger.exception("Checking the uploaded file %r failed", display_filename(filename))
            kind = (
                TRAINING_FILE if validate.__name__.startswith("validate_training") else STAFF_FILE
            )
            problem = FileProblem(messages.UPLOAD_CANNOT_OPEN, "cannot_open")
            return ValidationResult(kind, display_filename(filename), [problem])

    return guarded


@_never_raises
def validate_training_file(
    data: bytes,
    filename: str,
    *,
    today: date,
    branches: Mapping[str, int],
    worker_ids: Set[str] | None,
    max_listed: int = MAX_LISTED,
) -> ValidationResult:
    """Check an ASC-WDS training file. ``worker_ids``: the workers a row may name (None:
    do not check)."""
    opened = _open(data, filename, TRAINING_FILE, TRAINING_COLUMNS, TRAINING_REQUIRED, branches)
    if isinstance(opened, ValidationResult):
        return opened
    table, positions = opened
    context = _Context(table, positions, today, branches, worker_ids)
    problems = _Problems(table, positions)
    columns = {name: table.columns[position] for name, position in positions.items()}
    checked: dict[str, _Checked] = {}
    for name, rule in context.training_rules().items():
        if name in columns:
            checked[name] = _check(columns[name], rule)
            problems.add_field(checked[name], name, KINDS[name])

    values = {name: result.row_values() for name, result in checked.items()}
    values["expiry_date"] = _expiry(problems, checked, len(table))
    values["branch_id"] = values.pop("branch", None)
    if values["branch_id"] is None:  # no LOCALESTID column: the provider's one branch
        values["branch_id"] = np.full(len(table), context.only_branch, dtype=object)
    repeated = _duplicates(problems, list(columns.values()), len(table))
    return _result(
        table, TRAINING_FILE, problems, repeated, values, TRAINING_FIELDS, positions, max_listed
    )


@_never_raises
def validate_staff_file(
    data: bytes,
    filename: str,
    *,
    today: date,
    branches: Mapping[str, int],
    existing_worker_ids: Set[str],
    max_listed: int = MAX_LISTED,
) -> ValidationResult:
    """Check an ASC-WDS staff file (STATUS as in the module docstring)."""
    opened = _open(data, filename, STAFF_FILE, STAFF_COLUMNS, STAFF_REQUIRED, branches)
    if isinstance(opened, ValidationResult):
        return opened
    table, positions = opened
    n = len(table)
    context = _Context(table, positions, today, branches, None)
    problems = _Problems(table, positions)
    columns = {name: table.columns[position] for name, position in positions.items()}
    staff_rules = context.staff_rules()

    worker = _check(columns["worker_id"], staff_rules["worker_id"])
    problems.add_field(worker, "worker_id", "worker_id")
    status = _StaffStatus.read(columns, staff_rules, problems, n)
    exists = np.array([value in existing_worker_ids for value in worker.values], dtype=bool)
    exists = exists[worker.column.codes]
    worker_ok = ~worker.bad_u[worker.column.codes]
    status.check_exists(problems, exists, worker_ok)
    leaving = status.is_(_LEAVING)
    checked = _check_fields(columns, staff_rules, problems, worker, leaving)

    # The same worker twice: an error unless the rows are the same (then a warning).
    repeated = _duplicates(problems, list(columns.values()), n)
    _worker_twice(problems, table, worker, worker_ok & ~repeated)

    values = {name: result.row_values() for name, result in checked.items()}
    values["branch_id"] = values.pop("branch", None)
    if values["branch_id"] is None:
        values["branch_id"] = np.full(n, context.only_branch, dtype=object)
    for name in STAFF_FIELDS:  # a leaver's row carries only who they are
        if name not in ("worker_id",) and name in values:
            values[name] = np.where(leaving, None, values[name])
    values["action"] = status.actions(exists)
    values["status"] = status.of[status.codes]
    result = _result(
        table,
        STAFF_FILE,
        problems,
        repeated,
        values,
        ("action", "status", *STAFF_FIELDS),
        positions,
        max_listed,
    )
    result.worker_ids = frozenset(
        value for value, bad in zip(worker.values, worker.bad_u, strict=True) if not bad
    )
    return result


@dataclass
class _StaffStatus:
    """The STATUS column, checked: each distinct value (``of``) and each row's index into
    them (``codes``); without the column, every row is "UNCHECKED"."""

    checked: Any  # the _check result, or None without the column
    of: np.ndarray
    codes: np.ndarray

    @classmethod
    def read(cls, columns, staff_rules, problems: _Problems, n: int) -> _StaffStatus:
        if "status" not in columns:
            return cls(None, np.array(["UNCHECKED"], dtype=object), np.zeros(n, dtype=np.intp))
        status = _check(columns["status"], staff_rules["status"])
        problems.add_field(status, "status", "status")
        return cls(status, status.values, status.column.codes)

    @property
    def column(self):
        return self.checked.column if self.checked else None

    def is_(self, names: Set[str]) -> np.ndarray:
        return np.array([value in names for value in self.of], dtype=bool)[self.codes]

    def check_exists(self, problems: _Problems, exists: np.ndarray, worker_ok: np.ndarray):
        """NEW for a worker we have, or a status needing one for a worker we have not."""
        new_but_exists = self.is_({"NEW"}) & exists
        problems.add(
            np.flatnonzero(new_but_exists),
            "status",
            "status",
            messages.UPLOAD_STATUS_NEW_EXISTS,
            self.column,
        )
        missing = self.is_(_MUST_EXIST) & worker_ok & ~exists
        if missing.any():
            not_found = np.array(
                [messages.upload_status_not_found(value) if value else None for value in self.of],
                dtype=object,
            )
            rows = np.flatnonzero(missing)
            problems.add(rows, "status", "status", not_found[self.codes[rows]], self.column)

    def actions(self, exists: np.ndarray) -> np.ndarray:
        """What the import does with each row."""
        return np.select(
            [
                self.is_({"NEW"}),
                self.is_({"UPDATE", "CHGSUB"}),
                self.is_(_LEAVING),
                self.is_({"UNCHECKED"}) & exists,
                self.is_({"NOCHANGE"}) & exists,
            ],
            [ADD, UPDATE, LEAVE, UPDATE, KEEP],
            default=ADD,
        ).astype(object)


def _check_fields(columns, staff_rules, problems: _Problems, worker, leaving: np.ndarray) -> dict:
    """Every column but the worker ID and status, checked (not on a leaver's row), and
    contracted hours needed unless the row says zero hours."""
    checked = {"worker_id": worker}
    for name, rule in staff_rules.items():
        if name in columns and name not in ("worker_id", "status"):
            checked[name] = _check(columns[name], rule)
            problems.add_field(checked[name], name, KINDS[name], only=~leaving)
    if "contracted_hours" in UPLOAD_STAFF_REQUIRED and "contracted_hours" in checked:
        hours, zero = checked["contracted_hours"], checked.get("zero_hours")
        blank = (hours.column.uniques == "")[hours.column.codes] & ~leaving
        if zero is not None:
            blank &= zero.row_values() != True  # noqa: E712 - True, not truthy
        problems.add(
            np.flatnonzero(blank),
            "contracted_hours",
            "number",
            messages.CONTRACTED_HOURS_REQUIRED,
            hours.column,
        )
    return checked


def _worker_twice(problems: _Problems, table, worker, candidates: np.ndarray) -> None:
    """A worker ID on an earlier row too (among ``candidates``: valid, not repeated rows)."""
    first = _first_of(worker.column.codes)
    twice = (first != np.arange(len(table))) & candidates
    rows = np.flatnonzero(twice)
    if len(rows):
        first_rows = table.row_numbers[first[rows]]
        problems.add(
            rows,
            "worker_id",
            "worker_id",
            lambda j: messages.upload_worker_twice(int(first_rows[j])),
            worker.column,
        )


# --- opening and headings ------------------------------------------------------------


def normal_heading(heading: str) -> str:
    """Headings match whatever their case, spaces, underscores or hyphens."""
    return re.sub(r"[\s_\-\ufeff\u200b]+", "", heading).upper()


def _open(data, filename, kind, columns, required, branches):
    """(table, {field: position}), or a ValidationResult with the file's problems."""
    names = {
        normal_heading(name) for name, field_name in columns.items() if field_name == "worker_id"
    }
    source = open_upload(
        data, filename, wanted=lambda headers: bool(names & set(map(normal_heading, headers)))
    )
    name = display_filename(filename)
    if isinstance(source, FileProblem):
        return ValidationResult(kind, name, [source])
    positions, problems = _map_headings(source.headers, kind, columns, required, branches)
    if problems:
        source.close()
        return ValidationResult(kind, name, problems)
    table = source.read(sorted(positions.values()))
    if isinstance(table, FileProblem):
        return ValidationResult(kind, name, [table])
    return table, positions


def _map_headings(headers, kind, columns, required, branches):
    """({field: position}, the problems with the headings)."""
    seen = {normal_heading(header) for header in headers}
    wrong = _wrong_file(kind, seen)
    if wrong is not None:
        return {}, [wrong]
    positions, problems = _positions(headers, columns)
    heading_of = {field_name: heading for heading, field_name in reversed(columns.items())}
    missing = [
        heading_of[name]
        for name in required
        if name not in positions and not (name == "branch" and len(_branch_ids(branches)) == 1)
    ]
    if missing:
        problems.insert(0, FileProblem(messages.upload_columns_missing(missing), "columns_missing"))
    return positions, problems


def _wrong_file(kind: str, seen: set[str]) -> FileProblem | None:
    """A staff file given for training records, or the other way round."""
    if kind == TRAINING_FILE and "MAINJOBROLE" in seen and "CATEGORY" not in seen:
        return FileProblem(messages.upload_wrong_file(STAFF_FILE), "wrong_file")
    if kind == STAFF_FILE and "CATEGORY" in seen and "MAINJOBROLE" not in seen:
        return FileProblem(messages.upload_wrong_file(TRAINING_FILE), "wrong_file")
    return None


def _positions(headers, columns) -> tuple[dict[str, int], list[FileProblem]]:
    """Each field's column position (by its ASC-WDS or other heading); a field's heading
    given twice is a problem."""
    fields_by_name = {normal_heading(name): field_name for name, field_name in columns.items()}
    fields_by_name.update(
        {normal_heading(name): f for name, f in OTHER_NAMES.items() if f in columns.values()}
    )
    positions: dict[str, int] = {}
    problems = []
    for position, header in enumerate(headers):
        name = fields_by_name.get(normal_heading(header))
        if name is None:
            continue
        if name in positions:
            problems.append(FileProblem(messages.upload_column_twice(header), "column_twice"))
        else:
            positions[name] = position
    return positions, problems


def _branch_ids(branches: Mapping[str, int]) -> dict[str, int]:
    return {str(key).strip(): value for key, value in branches.items() if str(key or "").strip()}


# --- rules for each column, one distinct value at a time -----------------------------

Rule = Callable[[str], tuple[Any, str | None]]


def _choices(codes: Mapping[int, str]) -> list[str]:
    return [f"{code} ({label[0].lower() + label[1:]})" for code, label in codes.items()]


def uk_date_text(text: str) -> str:
    """An Excel date serial number (45292) or a date with a time (27/03/2024 00:00) as the
    DD/MM/YYYY text staff_rules reads."""
    if "/" in text and " " not in text and "T" not in text:  # as it should be: quick
        return text
    if found := _WITH_TIME.fullmatch(text):
        text = found[1]
    if _EXCEL_SERIAL.fullmatch(text):
        day = EXCEL_EPOCH + timedelta(days=int(float(text)))
        return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"
    return text


# The kind of each field's problems, for the summary (messages.UPLOAD_PROBLEM_NOUNS).
KINDS = {
    "branch": "branch", "worker_id": "worker_id", "status": "status",
    "main_job_role": "job_role", "start_date": "date", "employment_status": "code",
    "care_certificate": "code", "hourly_rate": "number", "health_care_visa": "code",
    "zero_hours": "code", "contracted_hours": "number",
    "category": "training_category", "training_name": "text", "accredited": "code",
    "who_delivered": "code", "provider_name": "text", "how_delivered": "code",
    "validity": "validity", "date_completed": "date", "expiry_date": "date", "notes": "text",
}  # fmt: skip


def _text(maximum: int, message: str) -> Rule:
    return lambda text: rules.optional_text(text, maximum, message)


def _expiry_text(text: str):
    """EXPIRYDATE on its own (the rules that need DATECOMPLETED run on the rows)."""
    return rules.parse_date(text, "Expiry date", None, True) if text else (None, None)


class _Context:
    """What the rules need to know about the provider and the file."""

    def __init__(self, table: Table, positions, today, branches, worker_ids):
        self.today = today
        self.headings = {name: table.headers[position] for name, position in positions.items()}
        self.branches = _branch_ids(branches)
        self.only_branch = next(iter(self.branches.values())) if len(self.branches) == 1 else None
        self.worker_ids = worker_ids
        self.decimal_comma = table.separator == ";"  # Excel in a locale writing 12,50

    def heading(self, name: str) -> str:
        return self.headings.get(name, name)

    # Wrappers: the staff_rules function decides; the message is put the way a file needs.

    def code(self, name: str, rule: Rule, what: str, invalid: str) -> Rule:
        def check(text: str):
            value, error = rule(text)
            if error is None:
                return value, None
            if text == "":
                return None, messages.upload_required(what, self.heading(name))
            return None, invalid

        return check

    def listed(self, name: str, rule, codes: Mapping[int, str], required: Set[str]) -> Rule:
        """A code from a short list (ACCREDITED: 1 yes, 0 no, 999 not known)."""
        invalid = messages.upload_code_invalid(self.heading(name), _choices(codes))
        return self.code(name, lambda text: rule(text, name in required), "code", invalid)

    def from_list(self, name: str, rule: Rule, what: str, example) -> Rule:
        """A code from a long list (CATEGORY, MAINJOBROLE), shown by an example."""
        heading = self.heading(name)
        invalid = messages.upload_code_from_list(heading, what, example.code, example.name)
        return self.code(name, rule, f"{what} code", invalid)

    def date(self, label: str, rule: Rule) -> Rule:
        not_real = messages.staff_date_not_real(label)

        def check(text: str):
            value, error = rule(uk_date_text(text))
            return value, (messages.upload_date_not_real(label) if error == not_real else error)

        return check

    def number(self, rule: Rule) -> Rule:
        if not self.decimal_comma:
            return rule
        return lambda text: rule(text.replace(",", ".") if _DECIMAL_COMMA.fullmatch(text) else text)

    def worker(self, text: str):
        if _SCIENTIFIC.fullmatch(text):
            return None, messages.UPLOAD_SCIENTIFIC_NOTATION
        value, error = rules.worker_id(text)
        if error or self.worker_ids is None or value in self.worker_ids:
            return value, error
        if _lost_leading_zeros(value, self.worker_ids):
            return None, messages.UPLOAD_LEADING_ZEROS
        return None, messages.UPLOAD_UNKNOWN_WORKER

    def branch(self, text: str):
        if text == "":
            if self.only_branch is not None:
                return self.only_branch, None
            return None, messages.UPLOAD_BRANCH_REQUIRED
        if _SCIENTIFIC.fullmatch(text):
            return None, messages.UPLOAD_SCIENTIFIC_NOTATION
        if text in self.branches:
            return self.branches[text], None
        if not self.branches:
            return None, messages.UPLOAD_NO_BRANCH_IDS
        if _lost_leading_zeros(text, self.branches):
            return None, messages.UPLOAD_LEADING_ZEROS
        return None, messages.upload_branch_unknown(sorted(self.branches))

    def status(self, text: str):
        value = text.upper()
        if value in STATUSES:
            return value, None
        if text == "":
            return None, messages.upload_required("status", self.heading("status"))
        return None, messages.upload_status_invalid(list(STATUSES))

    def training_rules(self) -> dict[str, Rule]:
        need = UPLOAD_TRAINING_REQUIRED
        safeguarding = staff_reference.training_categories()[20]
        return {
            "branch": self.branch,
            "worker_id": self.worker,
            "category": self.from_list(
                "category", rules.category, "training category", safeguarding
            ),
            "training_name": _text(rules.TEXT_MAX, messages.TRAINING_NAME_TOO_LONG),
            "accredited": self.listed("accredited", rules.accredited, rules.ACCREDITED, need),
            "who_delivered": self.listed(
                "who_delivered", rules.who_delivered, rules.WHO_DELIVERED, need
            ),
            "provider_name": _text(rules.TEXT_MAX, messages.TRAINING_PROVIDER_TOO_LONG),
            "how_delivered": self.listed(
                "how_delivered", rules.how_delivered, rules.HOW_DELIVERED, need
            ),
            "validity": rules.validity,
            "date_completed": self.date(
                "Date completed", lambda t: rules.date_completed(t, self.today)
            ),
            "expiry_date": self.date("Expiry date", _expiry_text),
            "notes": _text(rules.NOTES_MAX, messages.NOTES_TOO_LONG),
        }

    def staff_rules(self) -> dict[str, Rule]:
        need = UPLOAD_STAFF_REQUIRED
        care_worker = staff_reference.job_roles()[8]
        return {
            "branch": self.branch,
            "worker_id": self.worker,
            "status": self.status,
            "main_job_role": self.from_list(
                "main_job_role", rules.main_job_role, "main job role", care_worker
            ),
            "start_date": self.date(
                "Start date", lambda t: rules.start_date(t, self.today, "start_date" in need)
            ),
            "employment_status": self.listed(
                "employment_status", rules.employment_status, rules.EMPLOYMENT_STATUSES, need
            ),
            "care_certificate": self.listed(
                "care_certificate", rules.care_certificate, rules.CARE_CERTIFICATE, need
            ),
            "hourly_rate": self.number(lambda t: rules.hourly_rate(t, "hourly_rate" in need)),
            "health_care_visa": self.listed(
                "health_care_visa", rules.health_care_visa, rules.HEALTH_CARE_VISA, need
            ),
            "zero_hours": self.listed("zero_hours", rules.zero_hours, rules.ZERO_HOURS, need),
            # Required or not depends on ZEROHRCONT: see validate_staff_file.
            "contracted_hours": self.number(lambda t: rules.contracted_hours(t, False)),
        }


def _lost_leading_zeros(value: str, known: Set[str] | Mapping[str, int]) -> bool:
    """Is ``value`` one of ``known`` with its leading zeros cut off (00123 -> 123)?"""
    if not value.isdigit():
        return False
    return any(key.startswith("0") and key.lstrip("0") == value for key in known)


@dataclass
class _Checked:
    """A column's distinct values checked by a rule: a clean value and an error each."""

    column: Column
    values: np.ndarray  # object, per distinct value
    errors: np.ndarray  # object: message or None, per distinct value

    @cached_property
    def bad_u(self) -> np.ndarray:
        return np.array([error is not None for error in self.errors], dtype=bool)

    def row_values(self) -> np.ndarray:
        return self.values[self.column.codes]


def _check(column: Column, rule: Rule) -> _Checked:
    size = len(column.uniques)
    values, errors = np.empty(size, dtype=object), np.empty(size, dtype=object)
    for index, text in enumerate(column.uniques):
        values[index], errors[index] = rule(text)
    return _Checked(column, values, errors)


# --- problems ------------------------------------------------------------------------

Messages = str | np.ndarray | Callable[[int], str]


class _Problems:
    """Problems gathered as arrays of row indexes; Problem objects made only for those
    listed (the counts cover them all)."""

    def __init__(self, table: Table, positions: Mapping[str, int]):
        self.table = table
        self.positions = positions
        self.has_error = np.zeros(len(table), dtype=bool)
        self.entries: dict[bool, list[tuple]] = {False: [], True: []}
        self.counts: dict[bool, Counter] = {False: Counter(), True: Counter()}
        if table.too_long is not None and table.too_long.any():
            self.add(np.flatnonzero(table.too_long), None, "row", messages.UPLOAD_ROW_TOO_LONG)

    def add(
        self,
        rows: np.ndarray,
        name: str | None,
        kind: str,
        message: Messages,
        column: Column | None = None,
        warning: bool = False,
    ) -> None:
        if not len(rows):
            return
        self.entries[warning].append((rows, name, kind, message, column))
        self.counts[warning][kind] += len(rows)
        if not warning:
            self.has_error[rows] = True

    def add_field(self, checked: _Checked, name: str, kind: str, only=None) -> None:
        bad = checked.bad_u[checked.column.codes]
        if only is not None:
            bad &= only
        rows = np.flatnonzero(bad)
        self.add(rows, name, kind, checked.errors[checked.column.codes[rows]], checked.column)

    def listed(self, warning: bool, limit: int) -> list[Problem]:
        entries = self.entries[warning]
        if not entries:
            return []
        rows = np.concatenate([entry[0] for entry in entries])
        order = np.concatenate(
            [np.full(len(entry[0]), self.positions.get(entry[1], -1)) for entry in entries]
        )
        which = np.concatenate([np.full(len(entry[0]), i) for i, entry in enumerate(entries)])
        offset = np.concatenate([np.arange(len(entry[0])) for entry in entries])
        listed = []
        for k in np.lexsort((order, rows))[:limit]:
            entry_rows, name, kind, message, column = entries[which[k]]
            j, row = int(offset[k]), int(entry_rows[offset[k]])
            if not isinstance(message, str):
                message = message(j) if callable(message) else message[j]
            value = str(column.uniques[column.codes[row]]) if column is not None else ""
            heading = self.table.headers[self.positions[name]] if name in self.positions else None
            listed.append(
                Problem(
                    int(self.table.row_numbers[row]), heading, value[:VALUE_SHOWN], message, kind
                )
            )
        return listed


# --- rules across columns and rows ---------------------------------------------------


def _ordinals(values: np.ndarray) -> np.ndarray:
    return np.array([value.toordinal() if value else 0 for value in values], dtype=np.int64)


def _expiry(problems: _Problems, checked: Mapping[str, _Checked], n: int) -> np.ndarray:
    """EXPIRYDATE after DATECOMPLETED; blank, derived from VALIDITY; not matching VALIDITY,
    a warning. As staff_rules.expiry_date and validate_training, on whole columns."""
    completed, expiry, validity = (
        checked.get(name) for name in ("date_completed", "expiry_date", "validity")
    )
    result = expiry.row_values() if expiry else np.full(n, None, dtype=object)
    if completed is None:
        return result
    completed_codes = completed.column.codes
    completed_ok = ~completed.bad_u[completed_codes]
    completed_day = _ordinals(completed.values)[completed_codes]
    if expiry is not None:
        given = (expiry.column.uniques != "")[expiry.column.codes]
        expiry_ok = given & ~expiry.bad_u[expiry.column.codes]
        expiry_day = _ordinals(expiry.values)[expiry.column.codes]
    else:
        given = expiry_ok = np.zeros(n, dtype=bool)
        expiry_day = np.zeros(n, dtype=np.int64)
    expiry_column = expiry.column if expiry else None
    too_soon = completed_ok & expiry_ok & (expiry_day <= completed_day)
    problems.add(
        np.flatnonzero(too_soon),
        "expiry_date",
        "date",
        messages.EXPIRY_NOT_AFTER_COMPLETED,
        expiry_column,
    )
    result[too_soon] = None
    if validity is None:
        return result
    validity_codes = validity.column.codes
    validity_ok = ~validity.bad_u[validity_codes]
    is_months = np.array([bool(v) and v.isdigit() for v in validity.values])[validity_codes]
    is_none = np.array([v == "none" for v in validity.values])[validity_codes]
    months = validity_ok & is_months
    derive = completed_ok & ~given & months
    compare = completed_ok & expiry_ok & ~too_soon & months
    need = np.flatnonzero(derive | compare)
    if len(need):
        # staff_rules.derived_expiry once for each distinct (date completed, validity) pair
        width = len(validity.values)
        keys = completed_codes[need].astype(np.int64) * width + validity_codes[need]
        pairs, inverse = np.unique(keys, return_inverse=True)
        derived_u = np.empty(len(pairs), dtype=object)
        for i, key in enumerate(pairs):
            derived_u[i] = rules.derived_expiry(
                completed.values[key // width], validity.values[key % width]
            )
        derived = np.full(n, None, dtype=object)
        derived[need] = derived_u[inverse]
        derived_day = np.zeros(n, dtype=np.int64)
        derived_day[need] = _ordinals(derived_u)[inverse]
        result[derive] = derived[derive]
        far = compare & (np.abs(expiry_day - derived_day) > VALIDITY_TOLERANCE_DAYS)
        problems.add(
            np.flatnonzero(far),
            "expiry_date",
            "expiry",
            messages.UPLOAD_VALIDITY_MISMATCH,
            expiry_column,
            warning=True,
        )
    none_but_date = completed_ok & expiry_ok & ~too_soon & validity_ok & is_none
    problems.add(
        np.flatnonzero(none_but_date),
        "expiry_date",
        "expiry",
        messages.UPLOAD_VALIDITY_NONE_BUT_EXPIRY,
        expiry_column,
        warning=True,
    )
    return result


def _first_of(keys: np.ndarray) -> np.ndarray:
    """For each row, the index of the first row with the same key."""
    if not len(keys):
        return np.zeros(0, dtype=np.intp)
    codes, _ = pd.factorize(keys)
    _, first = np.unique(codes, return_index=True)
    return first[codes]


def _duplicates(problems: _Problems, columns: Sequence[Column], n: int) -> np.ndarray:
    """Rows the same as an earlier row in every column we read (after trimming): a warning,
    and they import once. Returns which rows are the later copies."""
    key = np.zeros(n, dtype=np.int64)
    for column in columns:
        key, _ = pd.factorize(key * max(len(column.uniques), 1) + column.codes)
        key = key.astype(np.int64, copy=False)
    first = _first_of(key)
    repeated = first != np.arange(n)
    rows = np.flatnonzero(repeated)
    if len(rows):
        first_rows = problems.table.row_numbers[first[rows]]
        problems.add(
            rows,
            None,
            "duplicate",
            lambda j: messages.upload_duplicate_row(int(first_rows[j])),
            warning=True,
        )
    return repeated


def _result(table, kind, problems, repeated, values, names, positions, max_listed):
    """The result: problems listed and counted, and the rows to import (no errors, once)."""
    keep = np.flatnonzero(~problems.has_error & ~repeated)
    n = len(table)
    data = {"row": table.row_numbers[keep].astype(object)}
    for name in names:
        column = values.get(name)
        data[name] = (column if column is not None else np.full(n, None, dtype=object))[keep]
    fields = frozenset(name for name in positions if name != "branch") | (
        {"branch_id"} if "branch" in positions else frozenset()
    )
    return ValidationResult(
        file=kind,
        filename=table.filename,
        errors=problems.listed(False, max_listed),
        warnings=problems.listed(True, max_listed),
        error_counts=dict(problems.counts[False]),
        warning_counts=dict(problems.counts[True]),
        rows=pd.DataFrame(data, dtype=object),  # Python values: date, int, Decimal, str, None
        row_count=n,
        fields=fields,
    )
