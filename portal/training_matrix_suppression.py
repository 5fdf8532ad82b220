"""The provider forum's anonymous view of the super training matrix (``forum_view``):
no provider named and no staff identified, with next quarter's training demand by category
and delivery mode; every figure published together (both tables, their totals and the
CSVs) suppressed jointly by ``portal.disclosure`` (docs/disclosure.md).

The relations a reader knows, all used: a matrix cell's staff in scope is the sum of its
four status counts; each category's "All care roles" cell is the sum of its care-role
cells (count by count); a demand row's total is the sum of its delivery modes, a demand
column's total the sum of its categories; and each category's demand total is the staff
needing training (expiring, expired, missing) summed over every job-role column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date

from portal.disclosure.rule import HIDDEN, MIN_PROVIDERS
from portal.disclosure.suppression import PRIMARY, SECONDARY, Relation, Unit, suppress
from portal.matrix import (
    ALL_CARE_ROLES,
    DELIVERY_MODES,
    Cell,
    Column,
    DemandCell,
    Matrix,
)
from portal.returns import staff_reference

__all__ = ["MIN_PROVIDERS", "PRIMARY", "SECONDARY", "forum_view"]

TOTAL = "total"
STATUSES = ("up_to_date", "expiring", "expired", "missing")
NEEDING = ("expiring", "expired", "missing")
MATRIX_FIGURES = {
    "staff_in_scope": STATUSES,
    **{status: (status,) for status in STATUSES},
    "needing_training": NEEDING,
    "compliant": ("up_to_date", "expiring"),
}
# The counts a matrix cell publishes besides its staff in scope, each under the rule too:
# every status column, and the compliant staff its "% compliant" gives away.
RULED = (*((status,) for status in STATUSES), ("up_to_date", "expiring"))
DEMAND_HEADER = ("Category code", "Training category", "Face to face", "E-learning", "Not known",
                 "Total")  # fmt: skip


@dataclass(frozen=True)
class Shown:
    """A cell as the forum sees it: its figures, or why they are not shown."""

    cell: Cell | DemandCell
    reason: str | None

    @property
    def hidden(self) -> bool:
        return self.reason is not None

    @property
    def text(self) -> str:
        return HIDDEN


@dataclass
class ForumMatrix:
    as_at: date
    groups: list[tuple[str, list[staff_reference.TrainingCategory]]]
    columns: list[Column]
    cells: dict[tuple[int, int | str | None], Shown]
    provider_count: int
    demand_categories: list[staff_reference.TrainingCategory]
    demand: dict[tuple[int | str, int | str | None], Shown]  # "total" row and column

    def cell(self, category: int, column: int | str | None) -> Shown:
        return self.cells[(category, column)]

    @property
    def hidden_count(self) -> int:
        return sum(s.hidden for s in self.cells.values()) + sum(
            s.hidden for s in self.demand.values()
        )

    def export_rows(self) -> Iterable[list]:
        for _, items in self.groups:
            for category in items:
                for column in self.columns:
                    shown = self.cell(category.code, column.key)
                    figures = [HIDDEN] * 6 if shown.hidden else shown.cell.figures()
                    yield [category.code, category.name, column.name, *figures]

    def demand_rows(self) -> Iterable[list]:
        for category in [*self.demand_categories, None]:
            key = category.code if category else TOTAL
            figures = []
            for mode in [*(m for m, _ in DELIVERY_MODES), TOTAL]:
                shown = self.demand[(key, mode)]
                figures.append(HIDDEN if shown.hidden else shown.cell.size)
            yield [
                category.code if category else "",
                category.name if category else "All categories",
                *figures,
            ]


def forum_view(matrix: Matrix) -> ForumMatrix:
    """The matrix and its demand table with no provider named and no staff identified (they
    hold neither), suppressed jointly."""
    categories = _demand_categories(matrix)
    grid = _demand_grid(matrix, categories)
    units, relations = published_system(matrix, categories, grid)
    reasons = suppress(units, relations)
    return ForumMatrix(
        as_at=matrix.as_at,
        groups=matrix.groups,
        columns=matrix.columns,
        cells={
            (c.code, col.key): Shown(matrix.cell(c.code, col.key), reasons[("m", c.code, col.key)])
            for c in matrix.categories
            for col in matrix.columns
        },
        provider_count=len(matrix.provider_ids),
        demand_categories=categories,
        demand={k: Shown(grid[k], reasons[("d", *k)]) for k in grid},
    )


def care_column_keys(matrix: Matrix) -> list:
    return [
        c.key
        for c in matrix.columns
        if isinstance(c.key, int) and staff_reference.provides_care(c.key)
    ]


def published_system(matrix: Matrix, categories, grid) -> tuple[dict[Hashable, Unit], list]:
    """Every unit published together and every relation between them (module docstring)."""
    units: dict[Hashable, Unit] = {}
    relations: list[Relation] = []
    for category in matrix.categories:
        for column in matrix.columns:
            cell = matrix.cell(category.code, column.key)
            units[("m", category.code, column.key)] = Unit(
                ("m", category.code, column.key),
                {s: getattr(cell, s) for s in STATUSES},
                Counter(cell.providers),
                MATRIX_FIGURES,
                tuple(cell.contributions(*statuses) for statuses in RULED),
            )
        relations += _matrix_relations(matrix, category.code)
    for key, cell in grid.items():
        units[("d", *key)] = Unit(("d", *key), {"staff": cell.staff}, Counter(cell.providers))
    return units, relations + _demand_relations(categories)


def _matrix_relations(matrix: Matrix, code: int) -> list[Relation]:
    """A category's "All care roles" = its care-role cells, count by count; its demand
    total = the staff needing training in every job-role column."""
    relations = []
    for status in STATUSES:
        relation = {(("m", code, ALL_CARE_ROLES), status): -1}
        relation.update({(("m", code, k), status): 1 for k in care_column_keys(matrix)})
        relations.append(relation)
    link: Relation = {(("d", code, TOTAL), "staff"): -1}
    for column in matrix.columns:
        if column.key != ALL_CARE_ROLES:
            link.update({(("m", code, column.key), s): 1 for s in NEEDING})
    return [*relations, link]


def _demand_relations(categories) -> list[Relation]:
    """Row totals of the delivery modes and column totals of the categories."""
    relations = []
    modes = [m for m, _ in DELIVERY_MODES]
    for row in [c.code for c in categories] + [TOTAL]:
        relation = {(("d", row, TOTAL), "staff"): -1}
        relation.update({(("d", row, m), "staff"): 1 for m in modes})
        relations.append(relation)
    for mode in [*modes, TOTAL]:
        relation = {(("d", TOTAL, mode), "staff"): -1}
        relation.update({(("d", c.code, mode), "staff"): 1 for c in categories})
        relations.append(relation)
    return relations


def _demand_categories(matrix: Matrix) -> list[staff_reference.TrainingCategory]:
    """Every category of the matrix (a row of zeros says no one needs it), then any
    category with demand that the matrix does not list."""
    categories = list(matrix.categories)
    known = {c.code for c in categories}
    categories += [
        staff_reference.TrainingCategory(code, staff_reference.category_name(code), "Other")
        for code in sorted({code for code, _ in matrix.demand} - known)
    ]
    return categories


def _demand_grid(matrix: Matrix, categories: list[staff_reference.TrainingCategory]) -> dict:
    """(category or TOTAL, delivery mode or TOTAL) -> demand, with row and column totals."""
    modes = [m for m, _ in DELIVERY_MODES]
    grid: dict[Hashable, DemandCell] = {}
    for category in categories:
        row_total = DemandCell()
        for mode in modes:
            cell = matrix.demand.get((category.code, mode)) or DemandCell()
            grid[(category.code, mode)] = cell
            _add(row_total, cell)
        grid[(category.code, TOTAL)] = row_total
    for mode in [*modes, TOTAL]:
        column_total = DemandCell()
        for category in categories:
            _add(column_total, grid[(category.code, mode)])
        grid[(TOTAL, mode)] = column_total
    return grid


def _add(total: DemandCell, cell: DemandCell) -> None:
    total.staff += cell.staff
    total.providers.update(cell.providers)
