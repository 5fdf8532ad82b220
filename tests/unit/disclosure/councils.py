"""Councils made in memory for the disclosure tests: each staff member's provider, job role
and, per training category, their status and how their most recent course was delivered.
The matrix is counted with the matrix's own cells (``Cell.add``, ``DemandCell.add``), as
``portal.matrix.build_matrix`` counts a council's snapshots."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from portal.disclosure.forum_check import check_forum
from portal.matrix import (
    ALL_CARE_ROLES,
    EXPORT_HEADER,
    NEEDS_TRAINING,
    Cell,
    DemandCell,
    Matrix,
    _columns,
)
from portal.returns import staff_reference
from portal.training_matrix_suppression import DEMAND_HEADER, ForumMatrix, forum_view

AS_AT = date(2026, 10, 31)
UP, EXPIRING, EXPIRED, MISSING = "up_to_date", "expiring", "expired", "missing"
F2F, ELEARN, UNKNOWN = 1, 2, None


@dataclass
class Person:
    provider: int
    role: int | None
    training: dict[int, tuple[str, int | None]] = field(default_factory=dict)


def matrix_of(people: list[Person]) -> Matrix:
    cells: dict = {}
    demand: dict = {}
    for person in people:
        care = staff_reference.provides_care(person.role)
        for code, (status, mode) in person.training.items():
            cells.setdefault((code, person.role), Cell()).add(status, person.provider)
            if care:
                cells.setdefault((code, ALL_CARE_ROLES), Cell()).add(status, person.provider)
            if status in NEEDS_TRAINING:
                demand.setdefault((code, mode), DemandCell()).add(person.provider)
    used = {code for code, _ in cells}
    groups = [
        (name, [c for c in items if c.code in used])
        for name, items in staff_reference.category_groups()
    ]
    return Matrix(
        council_id=0,
        as_at=AS_AT,
        provider_id=None,
        groups=[(name, items) for name, items in groups if items],
        columns=_columns({p.role for p in people}),
        cells=cells,
        staff_count=len(people),
        provider_ids={p.provider for p in people},
        demand=demand,
    )


def csv_text(header, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def published(view: ForumMatrix) -> tuple[str, str]:
    return csv_text(EXPORT_HEADER, view.export_rows()), csv_text(DEMAND_HEADER, view.demand_rows())


def audit_view(matrix: Matrix, view: ForumMatrix | None = None):
    view = view or forum_view(matrix)
    return view, check_forum(matrix, *published(view))
