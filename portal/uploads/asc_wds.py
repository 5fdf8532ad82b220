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

The parts: ``asc_wds_headings`` (opening a file, finding its columns),
``asc_wds_column_rules`` (each column's rule), ``asc_wds_row_rules`` (expiry and repeated
rows), ``asc_wds_problems`` (gathering problems into a result) and ``asc_wds_results``
(what a check gives); this module checks each file and reads STATUS.

STATUS (staff file), as ASC-WDS uses it (NEW, UPDATE, UNCHECKED, NOCHANGE, DELETE; the
rest are the portal's, see docs/ascwds.md). ASC-WDS checks each value against its own records;
here "exists" means the provider already has a staff member with that UNIQUEWORKERID in the
portal (``existing_worker_ids``). A file with no STATUS column reads as all UNCHECKED.

- NEW: add them (action "add"); an error if they exist, as in ASC-WDS.
- UPDATE: change them ("update"); an error if they do not exist, as in ASC-WDS.
- CHGSUB: not accepted by ASC-WDS any more (its bulk upload refuses it; a move between
  workplaces is TRANSFERSTAFFRECORD there). Older files still use it, so here it is taken
  as UPDATE, the branch being the row's LOCALESTID; an error if they do not exist.
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
from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from forms import messages
from portal.returns.ascwds_file_rules import FILE_STAFF_IGNORED
from portal.uploads import asc_wds_row_rules
from portal.uploads.asc_wds_column_rules import (
    KINDS,
    Checked,
    RuleContext,
    check_column,
)
from portal.uploads.asc_wds_headings import (
    STAFF_COLUMNS,
    STAFF_REQUIRED,
    TRAINING_COLUMNS,
    TRAINING_REQUIRED,
    open_table,
)
from portal.uploads.asc_wds_problems import RowProblems, result_of
from portal.uploads.asc_wds_results import (
    ADD,
    KEEP,
    LEAVE,
    STAFF_FILE,
    TRAINING_FILE,
    UPDATE,
    UploadCheck,
    ValidationResult,
)
from portal.uploads.asc_wds_row_rules import duplicates, first_of
from portal.uploads.reading import display_filename
from portal.uploads.upload_table import FileProblem

logger = logging.getLogger(__name__)


MAX_LISTED = 10_000  # problems kept in each list; the counts and summary cover them all
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
    opened = open_table(
        data, filename, TRAINING_FILE, TRAINING_COLUMNS, TRAINING_REQUIRED, branches
    )
    if isinstance(opened, ValidationResult):
        return opened
    table, positions = opened
    context = RuleContext(table, positions, today, branches, worker_ids)
    problems = RowProblems(table, positions)
    columns = {name: table.columns[position] for name, position in positions.items()}
    checked: dict[str, Checked] = {}
    for name, rule in context.training_rules().items():
        if name in columns:
            checked[name] = check_column(columns[name], rule)
            if name != "provider_name":  # it depends on WHODELIVERED: below
                problems.add_field(checked[name], name, KINDS[name])

    values = {name: result.row_values() for name, result in checked.items()}
    values["provider_name"] = asc_wds_row_rules.training_providers(problems, checked, len(table))
    values["expiry_date"] = asc_wds_row_rules.expiry_dates(problems, checked, len(table))
    values["branch_id"] = values.pop("branch", None)
    if values["branch_id"] is None:  # no LOCALESTID column: the provider's one branch
        values["branch_id"] = np.full(len(table), context.only_branch, dtype=object)
    repeated = duplicates(problems, list(columns.values()), len(table))
    return result_of(
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
    opened = open_table(data, filename, STAFF_FILE, STAFF_COLUMNS, STAFF_REQUIRED, branches)
    if isinstance(opened, ValidationResult):
        return opened
    table, positions = opened
    n = len(table)
    context = RuleContext(table, positions, today, branches, None)
    problems = RowProblems(table, positions)
    columns = {name: table.columns[position] for name, position in positions.items()}
    staff_rules = context.staff_rules()

    worker = check_column(columns["worker_id"], staff_rules["worker_id"])
    problems.add_field(worker, "worker_id", "worker_id")
    status = _StaffStatus.read(columns, staff_rules, problems, n)
    exists = np.array([value in existing_worker_ids for value in worker.values], dtype=bool)
    exists = exists[worker.column.codes]
    worker_ok = ~worker.bad_u[worker.column.codes]
    status.check_exists(problems, exists, worker_ok)
    leaving = status.is_(_LEAVING)
    checked = _check_fields(columns, staff_rules, problems, worker, leaving)

    # The same worker twice: an error unless the rows are the same (then a warning).
    repeated = duplicates(problems, list(columns.values()), n)
    _worker_twice(problems, table, worker, worker_ok & ~repeated)

    values = {name: result.row_values() for name, result in checked.items()}
    hours, ignored = asc_wds_row_rules.file_hours(problems, checked, ~leaving)
    if "contracted_hours" in values:
        values["contracted_hours"] = hours
    if "zero_hours" in values:
        values["zero_hours"] = np.where(ignored["zero_hours"], None, values["zero_hours"])
    for name in FILE_STAFF_IGNORED & set(checked):
        column = checked[name].column
        ignored[name] = checked[name].bad_u[column.codes] & (column.uniques != "")[column.codes]
    values["ignored"] = _ignored_fields(ignored, ~leaving)
    values["branch_id"] = values.pop("branch", None)
    if values["branch_id"] is None:
        values["branch_id"] = np.full(n, context.only_branch, dtype=object)
    for name in STAFF_FIELDS:  # a leaver's row carries only who they are
        if name not in ("worker_id",) and name in values:
            values[name] = np.where(leaving, None, values[name])
    values["action"] = status.actions(exists)
    values["status"] = status.of[status.codes]
    result = result_of(
        table,
        STAFF_FILE,
        problems,
        repeated,
        values,
        ("action", "status", *STAFF_FIELDS, "ignored"),
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

    checked: Any  # the check_column result, or None without the column
    of: np.ndarray
    codes: np.ndarray

    @classmethod
    def read(cls, columns, staff_rules, problems: RowProblems, n: int) -> _StaffStatus:
        if "status" not in columns:
            return cls(None, np.array(["UNCHECKED"], dtype=object), np.zeros(n, dtype=np.intp))
        status = check_column(columns["status"], staff_rules["status"])
        problems.add_field(status, "status", "status")
        return cls(status, status.values, status.column.codes)

    @property
    def column(self):
        return self.checked.column if self.checked else None

    def is_(self, names: Set[str]) -> np.ndarray:
        return np.array([value in names for value in self.of], dtype=bool)[self.codes]

    def check_exists(self, problems: RowProblems, exists: np.ndarray, worker_ok: np.ndarray):
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


def _check_fields(columns, staff_rules, problems: RowProblems, worker, leaving: np.ndarray) -> dict:
    """Every column but the worker ID and status, checked (not on a leaver's row). A value
    ASC-WDS ignores gives a warning and is left out; a blank STARTDATE, a warning."""
    checked = {"worker_id": worker}
    for name, rule in staff_rules.items():
        if name in columns and name not in ("worker_id", "status"):
            checked[name] = check_column(columns[name], rule)
            if name in FILE_STAFF_IGNORED:
                blank = (checked[name].column.uniques == "")[checked[name].column.codes]
                for kind, rows in (("ignored", ~blank), ("start_date_blank", blank)):
                    problems.add_field(
                        checked[name], name, kind, only=rows & ~leaving, warning=True
                    )
            else:
                problems.add_field(checked[name], name, KINDS[name], only=~leaving)
    return checked


def _ignored_fields(ignored: Mapping[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """Each row's fields whose value is ignored (among ``rows``), as a tuple: an update
    leaves what is held for them as it was."""
    names = sorted(ignored)
    bits = np.zeros(len(rows), dtype=np.int64)
    for bit, name in enumerate(names):
        bits |= (ignored[name] & rows).astype(np.int64) << bit
    codes, inverse = np.unique(bits, return_inverse=True)
    tuples = np.empty(len(codes), dtype=object)
    for index, code in enumerate(codes):
        tuples[index] = tuple(name for bit, name in enumerate(names) if code >> bit & 1)
    return tuples[inverse]


def _worker_twice(problems: RowProblems, table, worker, candidates: np.ndarray) -> None:
    """A worker ID on an earlier row too (among ``candidates``: valid, not repeated rows)."""
    first = first_of(worker.column.codes)
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
