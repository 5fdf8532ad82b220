"""The problems found in an ASC-WDS file, gathered as arrays of row indexes so that
100,000 rows stay quick: ``Problem`` objects are made only for those listed (the counts
cover them all); and the ``ValidationResult`` they make with the rows to import."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from forms import messages
from portal.uploads.asc_wds_column_rules import Checked
from portal.uploads.asc_wds_results import VALUE_SHOWN, Problem, ValidationResult
from portal.uploads.upload_table import Column, Table

Messages = str | np.ndarray | Callable[[int], str]


class RowProblems:
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

    def add_field(
        self, checked: Checked, name: str, kind: str, only=None, warning: bool = False
    ) -> None:
        bad = checked.bad_u[checked.column.codes]
        if only is not None:
            bad &= only
        rows = np.flatnonzero(bad)
        messages_ = checked.errors[checked.column.codes[rows]]
        self.add(rows, name, kind, messages_, checked.column, warning=warning)

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


def result_of(table, kind, problems, repeated, values, names, positions, max_listed):
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
