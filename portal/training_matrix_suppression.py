"""The provider forum's anonymous view of the super training matrix (``forum_view``):
no provider named and no staff identified, with next quarter's training demand by category
and delivery mode; every figure published together (both tables, their totals and the
CSVs) suppressed jointly by ``portal.disclosure`` (docs/disclosure.md), figure by figure:
a cell's staff in scope, each status count and its % compliant are shown or hidden on
their own (the % compliant with its staff in scope), and secondary figures are chosen by
``hiding_cost``.

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
from portal.disclosure.suppression import PRIMARY, SECONDARY, Figure, Relation, suppress
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
IN_SCOPE, PERCENT = "staff_in_scope", "percent_compliant"
# A matrix cell's published figures, in the downloads' order (``Cell.figures``), and the
# status counts each adds up: "% compliant" gives away up to date + expiring.
FIGURES = {IN_SCOPE: STATUSES, **{s: (s,) for s in STATUSES}, PERCENT: ("up_to_date", "expiring")}
DEMAND_HEADER = ("Category code", "Training category", "Face to face", "E-learning", "Not known",
                 "Total")  # fmt: skip
# The cost of hiding a figure to protect another: a job role's status count is cheapest,
# then its staff in scope or % compliant or a demand cell, then a total ("All care roles",
# a demand total); within each, smaller figures first.
COUNT, CELL, TOTAL_FIGURE = 1, 4, 20


def hiding_cost(tier: int, value: int) -> float:
    return tier * (1 + value / 10)


@dataclass(frozen=True)
class Shown:
    """A demand cell as the forum sees it: its figure, or why it is not shown."""

    cell: DemandCell
    reason: str | None

    @property
    def hidden(self) -> bool:
        return self.reason is not None

    @property
    def text(self) -> str:
        return HIDDEN


@dataclass(frozen=True)
class ShownCell:
    """A matrix cell as the forum sees it: each figure shown, or why it is not."""

    cell: Cell
    reasons: dict[str, str | None]  # figure (``FIGURES``) -> why hidden, or None

    def hides(self, figure: str) -> bool:
        return self.reasons[figure] is not None

    @property
    def hidden(self) -> bool:
        """Any of its figures hidden."""
        return any(self.reasons.values())

    @property
    def reason(self) -> str | None:
        """PRIMARY if the rule hid any of its figures, else SECONDARY if any is hidden."""
        found = set(self.reasons.values())
        return PRIMARY if PRIMARY in found else SECONDARY if SECONDARY in found else None

    def figures(self) -> list:
        return [
            HIDDEN if self.reasons[name] else value
            for name, value in zip(FIGURES, self.cell.figures(), strict=True)
        ]


@dataclass
class ForumMatrix:
    as_at: date
    groups: list[tuple[str, list[staff_reference.TrainingCategory]]]
    columns: list[Column]
    cells: dict[tuple[int, int | str | None], ShownCell]
    provider_count: int
    demand_categories: list[staff_reference.TrainingCategory]
    demand: dict[tuple[int | str, int | str | None], Shown]  # "total" row and column

    def cell(self, category: int, column: int | str | None) -> ShownCell:
        return self.cells[(category, column)]

    def counts(self) -> dict[str, tuple[int, int]]:
        """(hidden, published) figures of the matrix and of the demand table."""
        matrix = [r for c in self.cells.values() for r in c.reasons.values()]
        return {
            "matrix": (sum(r is not None for r in matrix), len(matrix)),
            "demand": (sum(s.hidden for s in self.demand.values()), len(self.demand)),
        }

    def export_rows(self) -> Iterable[list]:
        for _, items in self.groups:
            for category in items:
                for column in self.columns:
                    shown = self.cell(category.code, column.key)
                    yield [category.code, category.name, column.name, *shown.figures()]

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
    hold neither), suppressed jointly, figure by figure."""
    categories = _demand_categories(matrix)
    grid = _demand_grid(matrix, categories)
    values, figures, relations = published_system(matrix, categories, grid)
    reasons = suppress(values, figures, relations)
    return ForumMatrix(
        as_at=matrix.as_at,
        groups=matrix.groups,
        columns=matrix.columns,
        cells={
            (c.code, col.key): ShownCell(
                matrix.cell(c.code, col.key),
                {name: reasons[("m", c.code, col.key, name)] for name in FIGURES},
            )
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


def published_system(matrix: Matrix, categories, grid) -> tuple[dict, dict[Hashable, Figure], list]:
    """Every part's true value, every figure published together and every relation
    between the parts (module docstring)."""
    values: dict[Hashable, int] = {}
    figures: dict[Hashable, Figure] = {}
    relations: list[Relation] = []
    for category in matrix.categories:
        for column in matrix.columns:
            key = ("m", category.code, column.key)
            cell = matrix.cell(category.code, column.key)
            values.update({(*key, s): getattr(cell, s) for s in STATUSES})
            figures.update(_cell_figures(key, cell, column.key == ALL_CARE_ROLES))
        relations += _matrix_relations(matrix, category.code)
    for key, cell in grid.items():
        values[("d", *key)] = cell.staff
        tier = TOTAL_FIGURE if TOTAL in key else CELL
        cost = hiding_cost(tier, cell.staff)
        figures[("d", *key)] = Figure((("d", *key),), Counter(cell.providers), cost)
    return values, figures, relations + _demand_relations(categories)


def _cell_figures(key: tuple, cell: Cell, total: bool) -> dict[Hashable, Figure]:
    """A matrix cell's figures, each under the rule with who makes it up; its "%
    compliant" is hidden with its staff in scope (a reader could otherwise compare it with
    other figures to narrow the staff in scope)."""
    found = {}
    for name, statuses in FIGURES.items():
        parts = tuple((*key, s) for s in statuses)
        value = sum(getattr(cell, s) for s in statuses)
        tier = TOTAL_FIGURE if total else (COUNT if len(statuses) == 1 else CELL)
        found[(*key, name)] = Figure(
            parts,
            cell.providers if name == IN_SCOPE else cell.contributions(*statuses),
            hiding_cost(tier, value),
            (*key, IN_SCOPE) if name == PERCENT else None,
        )
    return found


def _matrix_relations(matrix: Matrix, code: int) -> list[Relation]:
    """A category's "All care roles" = its care-role cells, count by count; its demand
    total = the staff needing training in every job-role column."""
    relations = []
    for status in STATUSES:
        relation = {("m", code, ALL_CARE_ROLES, status): -1}
        relation.update({("m", code, k, status): 1 for k in care_column_keys(matrix)})
        relations.append(relation)
    link: Relation = {("d", code, TOTAL): -1}
    for column in matrix.columns:
        if column.key != ALL_CARE_ROLES:
            link.update({("m", code, column.key, s): 1 for s in NEEDING})
    return [*relations, link]


def _demand_relations(categories) -> list[Relation]:
    """Row totals of the delivery modes and column totals of the categories."""
    relations = []
    modes = [m for m, _ in DELIVERY_MODES]
    for row in [c.code for c in categories] + [TOTAL]:
        relation = {("d", row, TOTAL): -1}
        relation.update({("d", row, m): 1 for m in modes})
        relations.append(relation)
    for mode in [*modes, TOTAL]:
        relation = {("d", TOTAL, mode): -1}
        relation.update({("d", c.code, mode): 1 for c in categories})
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
