"""Staff and training rows sent to the API: checked and imported by the bulk upload's code.

Rows sent as JSON (one object per row, keyed by ASC-WDS column names) are written out as
the CSV an ASC-WDS bulk upload would be, the keys as its headings, and handed to
``check_upload``; a CSV body goes to it as it is. The import is the upload's own
``import_checked`` (the provider's row locked, checked, planned and applied) in one
transaction. Nothing here
knows a rule, so the web form, the upload and the API cannot disagree about one.

Row numbers: for a CSV body they are the spreadsheet's (the headings are row 1), as the
upload's are; for JSON, row 1 is the first object of the list, and the messages that name
another row ("This worker ID is also on row 3") are numbered the same way.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from forms import messages
from portal.extensions import db
from portal.models import Branch, StaffMember, TrainingRecord, User
from portal.returns import staff_rules
from portal.uploads.asc_wds import check_upload
from portal.uploads.asc_wds_results import (
    STAFF_FILE,
    TRAINING_FILE,
    ImportBatch,
    Problem,
    UploadCheck,
)
from portal.uploads.import_plan import TRAINING_VALUE_FIELDS, Plan, plan_import
from portal.uploads.importing import existing_worker_ids, import_checked, provider_branches
from portal.uploads.reading import MAX_BYTES, MAX_COLUMNS, MAX_SIZE_TEXT
from portal.uploads.upload_table import MAX_ROWS, FileProblem

PAGE_SIZE = 500
# Problems with the whole file that mean "send less": the API answers them with 413.
SIZE_KINDS = frozenset({"too_large", "too_many_rows"})
MAX_SHAPE_ERRORS = 1_000  # errors listed for a body of the wrong shape
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ROW_IN_MESSAGE = re.compile(r"\brow ([0-9][0-9,]*)")
_TRAINING_NAMES = {name: column for column, name in staff_rules.ASCWDS_TRAINING_COLUMNS.items()}


class RequestProblem(Exception):
    """The request cannot be checked at all: answered with ``status`` and ``errors``."""

    def __init__(self, message: str, status: int = 400, errors: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = errors or []


@dataclass(frozen=True)
class Rows:
    """One file's rows as CSV bytes; ``from_json``: numbered from 1, not as a spreadsheet."""

    data: bytes
    from_json: bool
    kind: str  # STAFF_FILE or TRAINING_FILE


# --- JSON rows -> the CSV the upload reads ---------------------------------------------


def _cell(value: Any) -> str | None:
    """A JSON value as the text a CSV cell would hold; None when it cannot be one."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as a spreadsheet writes it: the rules decide
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, str) and not _CONTROL.search(value):
        return value
    return None


def _shape_error(row: int | None, column: str | None, message: str) -> dict:
    return {"row": row, "column": column, "value": "", "message": message}


def rows_to_csv(rows: Any, what: str, kind: str) -> Rows:
    """A list of row objects as CSV bytes with their keys as headings. ``what`` names the
    list in messages ("rows", "staff"). Raises RequestProblem for anything but a list of
    objects of text, numbers and nulls."""
    if not isinstance(rows, list) or not rows:
        raise RequestProblem(
            f'"{what}" must be a list of rows, each an object with ASC-WDS column names as '
            "keys, with at least one row"
        )
    if len(rows) > MAX_ROWS:
        raise RequestProblem(
            f'Send {MAX_ROWS:,} rows or fewer in "{what}": split them into several requests',
            status=413,
        )
    errors: list[dict] = []
    headings: dict[str, None] = {}
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors.append(_shape_error(number, None, "Each row must be an object"))
            continue
        for key, value in row.items():
            if _CONTROL.search(key):
                errors.append(_shape_error(number, None, "Remove control characters from keys"))
            elif _cell(value) is None:
                errors.append(
                    _shape_error(
                        number,
                        key,
                        f"{key} must be text, a number or null, without control characters",
                    )
                )
            headings.setdefault(key, None)
        if len(headings) > MAX_COLUMNS:
            raise RequestProblem(
                f'The rows in "{what}" must have {MAX_COLUMNS:,} different keys or fewer: '
                "leave out the ones the portal does not use"
            )
        if len(errors) >= MAX_SHAPE_ERRORS:
            break
    if errors:
        raise RequestProblem(
            f'Some rows in "{what}" are not objects of text, numbers and nulls',
            errors=errors[:MAX_SHAPE_ERRORS],
        )
    if len(rows) * len(headings) > MAX_BYTES:  # a byte a cell at least: refuse it unwritten
        raise RequestProblem(_too_large(kind), 413)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key in headings])
    return Rows(buffer.getvalue().encode("utf-8"), from_json=True, kind=kind)


# --- checking ----------------------------------------------------------------------------


def check(provider_id: int, today: date, *rows: Rows) -> UploadCheck:
    """Check a staff file and/or a training file against the provider's records now.
    Raises RequestProblem (413) when one is too big to check, as the upload refuses it."""
    given = {r.kind: r for r in rows}
    result = check_upload(
        staff=_as_upload(given.get(STAFF_FILE)),
        training=_as_upload(given.get(TRAINING_FILE)),
        today=today,
        branches=provider_branches(provider_id),
        existing_worker_ids=existing_worker_ids(provider_id),
    )
    _refuse_too_large(given, result)
    return result


def _refuse_too_large(given: dict[str, Rows], result: UploadCheck) -> None:
    """Raise RequestProblem (413) when a file is too big to check, as the upload refuses it."""
    for validation in result.results:
        for problem in validation.file_problems:
            if problem.kind in SIZE_KINDS:
                raise RequestProblem(_size_message(given[validation.file], problem), 413)


def _as_upload(rows: Rows | None) -> tuple[bytes, str] | None:
    return None if rows is None else (rows.data, f"{rows.kind}.csv")


def _size_message(rows: Rows, problem: FileProblem) -> str:
    if rows.from_json and problem.kind == "too_large":  # the upload's message names a file
        return _too_large(rows.kind)
    return problem.message


def _too_large(kind: str) -> str:
    return (
        f"The {kind} rows come to more than {MAX_SIZE_TEXT} ({MAX_BYTES:,} bytes) as a CSV "
        "file: split them into several requests"
    )


def _renumbered(message: str) -> str:
    """A message naming a spreadsheet row, renumbered for a JSON list (row 2 -> row 1)."""
    found = _ROW_IN_MESSAGE.search(message)
    if not found:
        return message
    number = int(found[1].replace(",", ""))
    for make in (messages.upload_worker_twice, messages.upload_duplicate_row):
        if make(number) == message:
            return make(number - 1)
    return message


def _problem(problem: Problem, from_json: bool) -> dict:
    row, message = problem.row, problem.message
    if from_json:
        row, message = row - 1, _renumbered(message)
    return {"row": row, "column": problem.column, "value": problem.value, "message": message}


def problems(result: UploadCheck, from_json: bool, with_file: bool) -> dict[str, Any]:
    """Errors and warnings as JSON: a problem with a whole file has row and column null."""
    errors, warnings = [], []
    error_count = warning_count = 0
    for validation in result.results:
        extra = {"file": validation.file} if with_file else {}
        errors += [
            {**_shape_error(None, None, p.message), **extra} for p in validation.file_problems
        ]
        errors += [{**_problem(p, from_json), **extra} for p in validation.errors]
        warnings += [{**_problem(p, from_json), **extra} for p in validation.warnings]
        error_count += validation.error_count + len(validation.file_problems)
        warning_count += validation.warning_count
    return {
        "errors": errors,
        "warnings": warnings,
        "error_count": error_count,  # the lists stop at 10,000 each
        "warning_count": warning_count,
        "summary": "; ".join(r.summary for r in result.results if r.summary),
    }


# --- what an import changes --------------------------------------------------------------


def changes(provider_id: int, batch: ImportBatch, plan: Plan) -> dict[str, dict[str, int]]:
    """What ``plan`` does to each file's records, as new, updated, unchanged and deleted
    (from the plan alone: before or after it is applied). Staff "deleted" are marked as
    left (their records stay for past returns). Training records have no key of their own,
    so a changed record counts as one deleted and one new, and "updated" is always 0."""
    counted = {}
    if batch.staff is not None:
        c = plan.counts
        counted[STAFF_FILE] = {
            "new": c["staff_new"],
            "updated": c["staff_updated"],
            "unchanged": c["staff_unchanged"],
            "deleted": c["staff_leaving"],
        }
    if batch.training is not None:
        counted[TRAINING_FILE] = _training_changes(plan)
    return counted


def _training_changes(plan: Plan) -> dict[str, int]:
    """Records added, removed and kept, from the plan's counts: a changed record (the same
    course completion, other values) is one removed and one new."""
    c = plan.counts
    return {
        "new": c["training_added"] + c["training_changed"],
        "updated": 0,
        "unchanged": c["training_unchanged"],
        "deleted": c["training_removed"] + c["training_changed"],
    }


def check_changes(
    provider_id: int, result: UploadCheck, today: date
) -> dict[str, dict[str, int]] | None:
    """What importing the checked rows would change now; None while they have errors."""
    if not result.ok:
        return None
    batch = result.to_import()
    return changes(provider_id, batch, plan_import(provider_id, batch, today))


def import_rows(
    provider_id: int, today: date, user: User | None, *rows: Rows
) -> tuple[UploadCheck, dict[str, dict[str, int]] | None]:
    """Check and import in one transaction, by the upload's own ``import_checked``: the
    check and its changes, or the check and None (nothing stored) when it has errors.

    The provider's row is locked first (PostgreSQL), so two imports of one provider (from
    the API or an upload) run one after the other, each checked against what the other
    wrote. Raises RequestProblem (413) when a file is too big to check."""
    given = {r.kind: r for r in rows}
    imported = import_checked(
        provider_id,
        _as_upload(given.get(STAFF_FILE)),
        _as_upload(given.get(TRAINING_FILE)),
        today,
        user,
    )
    if not imported.ok:
        db.session.rollback()
        _refuse_too_large(given, imported.check)
        return imported.check, None
    counted = changes(provider_id, imported.batch, imported.plan)
    db.session.commit()
    return imported.check, counted


# --- reading back ------------------------------------------------------------------------


def _ascwds_date(value: date | None) -> str | None:
    return f"{value:%d/%m/%Y}" if value else None


def _page(query, page: int) -> tuple[list, bool]:
    rows = db.session.execute(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def staff_page(provider_id: int, page: int) -> tuple[list[dict], bool]:
    """One page of the provider's staff, and whether there is another."""
    query = (
        select(StaffMember, Branch.local_est_id)
        .join(Branch, StaffMember.branch_id == Branch.id)
        .where(StaffMember.provider_id == provider_id)
        .order_by(StaffMember.worker_id, StaffMember.id)
    )
    rows, more = _page(query, page)
    return [
        {
            "UNIQUEWORKERID": staff.worker_id,
            "LOCALESTID": local_est_id,
            "MAINJOBROLE": staff.main_job_role,
            "status": "left" if staff.left_on else "current",
            "left_on": _ascwds_date(staff.left_on),
        }
        for staff, local_est_id in rows
    ], more


def staff_exists(provider_id: int, worker_id: str) -> bool:
    return (
        db.session.scalar(
            select(StaffMember.id).where(
                StaffMember.provider_id == provider_id, StaffMember.worker_id == worker_id
            )
        )
        is not None
    )


def training_page(provider_id: int, worker_id: str | None, page: int) -> tuple[list[dict], bool]:
    """One page of training records (of one worker, or all), as ASC-WDS columns."""
    query = (
        select(TrainingRecord, StaffMember.worker_id, Branch.local_est_id)
        .join(StaffMember, TrainingRecord.staff_id == StaffMember.id)
        .join(Branch, StaffMember.branch_id == Branch.id)
        .where(StaffMember.provider_id == provider_id)
        .order_by(
            StaffMember.worker_id,
            TrainingRecord.date_completed,
            TrainingRecord.category,
            TrainingRecord.id,
        )
    )
    if worker_id is not None:
        query = query.where(StaffMember.worker_id == worker_id)
    rows, more = _page(query, page)
    return [_training_row(*row) for row in rows], more


def _training_row(record: TrainingRecord, worker_id: str, local_est_id: str | None) -> dict:
    row: dict[str, Any] = {"LOCALESTID": local_est_id, "UNIQUEWORKERID": worker_id}
    for name in TRAINING_VALUE_FIELDS:
        value = getattr(record, name)
        row[_TRAINING_NAMES[name]] = _ascwds_date(value) if isinstance(value, date) else value
    return row
