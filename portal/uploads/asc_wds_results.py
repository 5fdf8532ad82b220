"""What checking ASC-WDS staff and training files gives: a ``ValidationResult`` for each
file (problems with the file as a whole, errors and warnings by row at the spreadsheet's
row and column, a summary, and the rows ready to import), an ``UploadCheck`` of both, and
the ``ImportBatch`` the import job writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from forms import messages
from portal.uploads.upload_table import FileProblem

STAFF_FILE = "staff"
TRAINING_FILE = "training"

VALUE_SHOWN = 100  # characters of a cell's value kept in a Problem
ADD, UPDATE, KEEP, LEAVE = "add", "update", "keep", "leave"


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
