"""Opening an ASC-WDS staff or training file and finding its columns by their headings
(whatever their case, spaces, underscores or hyphens; other columns are ignored), with
the problems a file's headings can have: a staff file given for training records or the
other way round, a required column missing, a column given twice."""

from __future__ import annotations

import re
from collections.abc import Mapping

from forms import messages
from portal.returns import staff_rules as rules
from portal.uploads.asc_wds_results import STAFF_FILE, TRAINING_FILE, ValidationResult
from portal.uploads.reading import display_filename, open_upload
from portal.uploads.upload_table import FileProblem

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


def normal_heading(heading: str) -> str:
    """Headings match whatever their case, spaces, underscores or hyphens."""
    return re.sub(r"[\s_\-\ufeff\u200b]+", "", heading).upper()


def open_table(data, filename, kind, columns, required, branches):
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
        if name not in positions and not (name == "branch" and len(branch_ids(branches)) == 1)
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


def branch_ids(branches: Mapping[str, int]) -> dict[str, int]:
    return {str(key).strip(): value for key, value in branches.items() if str(key or "").strip()}
