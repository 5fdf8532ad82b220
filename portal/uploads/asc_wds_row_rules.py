"""The rules of an ASC-WDS file that compare columns or rows, run on whole columns: the
EXPIRYDATE against DATECOMPLETED and VALIDITY (as ``staff_rules.expiry_date`` and
``validate_training`` do for one record), PROVIDERNAME against WHODELIVERED, CONTHOURS
with ZEROHRCONT and EMPLSTATUS (``ascwds_file_rules.file_hours``, as ``validate_staff`` with
``file=True``), and rows that repeat an earlier row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from forms import messages
from portal.returns import ascwds_file_rules
from portal.returns import staff_rules as rules
from portal.uploads.asc_wds_column_rules import Checked
from portal.uploads.asc_wds_problems import RowProblems
from portal.uploads.upload_table import Column

# An EXPIRYDATE within this many days of the one VALIDITY gives agrees with it: files use
# both "completed + months - 1 day" (ASC-WDS) and "completed + months".
VALIDITY_TOLERANCE_DAYS = 7


def _ordinals(values: np.ndarray) -> np.ndarray:
    return np.array([value.toordinal() if value else 0 for value in values], dtype=np.int64)


def expiry_dates(problems: RowProblems, checked: Mapping[str, Checked], n: int) -> np.ndarray:
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
    # A blank DATECOMPLETED (accepted, as in ASC-WDS) has nothing to compare or derive from.
    completed_ok &= completed_day > 0
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
    none_but_date = expiry_ok & ~too_soon & validity_ok & is_none
    problems.add(
        np.flatnonzero(none_but_date),
        "expiry_date",
        "expiry",
        messages.UPLOAD_VALIDITY_NONE_BUT_EXPIRY,
        expiry_column,
        warning=True,
    )
    return result


def training_providers(problems: RowProblems, checked: Mapping[str, Checked], n: int):
    """PROVIDERNAME as ASC-WDS takes it: given when WHODELIVERED is not 2 (external), a
    warning and ignored, whatever it holds; otherwise a code from the list or an error.
    Returns each row's value."""
    provider, who = checked.get("provider_name"), checked.get("who_delivered")
    if provider is None:
        return np.full(n, None, dtype=object)
    column = provider.column
    given = (column.uniques != "")[column.codes]
    external = (
        who.row_values() == rules.EXTERNAL_PROVIDER if who else np.zeros(n, dtype=bool)
    ).astype(bool)
    ignored = given & ~external
    heading = problems.table.headers[problems.positions["provider_name"]]
    why = np.array(
        [
            messages.upload_ignored(heading, value, messages.UPLOAD_PROVIDER_NOT_EXTERNAL)
            for value in column.uniques
        ],
        dtype=object,
    )
    rows = np.flatnonzero(ignored)
    problems.add(rows, "provider_name", "ignored", why[column.codes[rows]], column, warning=True)
    bad = given & external & provider.bad_u[column.codes]
    rows = np.flatnonzero(bad)
    problems.add(rows, "provider_name", "code", provider.errors[column.codes[rows]], column)
    values = provider.row_values().copy()
    values[ignored] = None
    return values


_HOURS_KINDS = {
    ascwds_file_rules.HOURS_ERROR: "code",
    ascwds_file_rules.HOURS_WARNING: "code",
    ascwds_file_rules.HOURS_IGNORED: "ignored",
}


def _texts(checked: Checked | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A column's codes and the text of each distinct value (all blank without it)."""
    if checked is None:
        return np.zeros(n, dtype=np.intp), np.array([""], dtype=object)
    return checked.column.codes, checked.column.uniques


def _message(found: ascwds_file_rules.FileHours, field_name: str, verdict: str) -> str:
    return next(
        (f.message for f in found.findings if f.field == field_name and f.verdict == verdict), ""
    )


def file_hours(
    problems: RowProblems, checked: Mapping[str, Checked], only: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """CONTHOURS with ZEROHRCONT and EMPLSTATUS (``ascwds_file_rules.file_hours``), once
    per distinct trio, on rows ``only``. Returns each row's hours and, for "zero_hours"
    and "contracted_hours", the rows whose value is ignored."""
    n = len(only)
    hours_values = np.full(n, None, dtype=object)
    ignored = {name: np.zeros(n, dtype=bool) for name in ("zero_hours", "contracted_hours")}
    hours, zero = checked.get("contracted_hours"), checked.get("zero_hours")
    rows = np.flatnonzero(only)
    if hours is None or not len(rows):
        return hours_values, ignored
    zero_codes, zero_texts = _texts(zero, n)
    status_codes, status_texts = _texts(checked.get("employment_status"), n)
    width_h, width_s = len(hours.values), len(status_texts)
    keys = (zero_codes[rows].astype(np.int64) * width_h + hours.column.codes[rows]) * width_s
    trios, inverse = np.unique(keys + status_codes[rows], return_inverse=True)
    found = [
        ascwds_file_rules.file_hours(
            hours.values[key // width_s % width_h],
            zero_texts[key // width_s // width_h],
            status_texts[key % width_s],
        )
        for key in trios
    ]
    hours_values[rows] = np.array([f.hours for f in found], dtype=object)[inverse]
    columns = {"zero_hours": zero, "contracted_hours": hours}
    for field_name, column in columns.items():
        if column is None:  # no ZEROHRCONT column: nothing to check it against
            continue
        for verdict, kind in _HOURS_KINDS.items():
            texts = np.array([_message(f, field_name, verdict) for f in found], dtype=object)
            at = np.flatnonzero(texts[inverse] != "")
            problems.add(
                rows[at],
                field_name,
                kind,
                texts[inverse[at]],
                column.column,
                warning=verdict != ascwds_file_rules.HOURS_ERROR,
            )
            if verdict == ascwds_file_rules.HOURS_IGNORED:
                ignored[field_name][rows[at]] = True
    return hours_values, ignored


def first_of(keys: np.ndarray) -> np.ndarray:
    """For each row, the index of the first row with the same key."""
    if not len(keys):
        return np.zeros(0, dtype=np.intp)
    codes, _ = pd.factorize(keys)
    _, first = np.unique(codes, return_index=True)
    return first[codes]


def duplicates(problems: RowProblems, columns: Sequence[Column], n: int) -> np.ndarray:
    """Rows the same as an earlier row in every column we read (after trimming): a warning,
    and they import once. Returns which rows are the later copies."""
    key = np.zeros(n, dtype=np.int64)
    for column in columns:
        key, _ = pd.factorize(key * max(len(column.uniques), 1) + column.codes)
        key = key.astype(np.int64, copy=False)
    first = first_of(key)
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
