"""The provider forum's anonymous view of the super training matrix (``forum_view``):
no provider named and no staff identified, small cells suppressed, and totals suppressed
where they would give a hidden cell away; with next quarter's training demand by category
and delivery mode, suppressed the same way.

A cell built from fewer than ``MIN_PROVIDERS`` providers is hidden (primary suppression);
``suppress`` then hides one more cell of any total that would let a hidden cell be worked
out by subtraction (secondary suppression)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date

from portal.matrix import (
    ALL_CARE_ROLES,
    DELIVERY_MODES,
    Cell,
    Column,
    DemandCell,
    Matrix,
)
from portal.returns import staff_reference

MIN_PROVIDERS = 3
FEWER_THAN_3 = "fewer than 3 providers"
HIDDEN_TO_PROTECT = "not shown, to protect a hidden figure"
PRIMARY = "primary"
SECONDARY = "secondary"
TOTAL = "total"
DEMAND_HEADER = ("Category code", "Training category", "Face to face", "E-learning", "Not known",
                 "Total")  # fmt: skip


def suppress(
    cells: dict[Hashable, Cell | DemandCell],
    equations: Iterable[tuple[Hashable, list[Hashable]]],
    minimum: int = MIN_PROVIDERS,
) -> dict[Hashable, str | None]:
    """Why each cell is hidden (PRIMARY, SECONDARY) or None.

    Primary: a cell with staff, built from fewer than ``minimum`` providers. Secondary: for
    every ``total = sum(members)`` equation with exactly one hidden cell, another one is
    hidden too (the total if a member is hidden, else the smallest shown member), repeated
    until no equation can be solved for a hidden cell. Cells with no staff are known zeros."""
    equations = list(equations)
    reasons: dict[Hashable, str | None] = {
        key: PRIMARY if cell.size and len(cell.providers) < minimum else None
        for key, cell in cells.items()
    }
    changed = True
    while changed:
        changed = False
        for total, members in equations:
            hidden = [k for k in (total, *members) if reasons.get(k)]
            if len(hidden) != 1:
                continue
            if hidden[0] != total:
                pick = total
            else:
                shown = [k for k in members if not reasons.get(k) and cells[k].size]
                if not shown:  # pragma: no cover - a hidden total has a hidden member
                    continue
                pick = min(shown, key=lambda k: (cells[k].size, str(k)))
            reasons[pick] = SECONDARY
            changed = True
    return reasons


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
        return FEWER_THAN_3 if self.reason == PRIMARY else HIDDEN_TO_PROTECT


@dataclass
class ForumMatrix:
    as_at: date
    groups: list[tuple[str, list[staff_reference.TrainingCategory]]]
    columns: list[Column]
    cells: dict[tuple[int, int | str], Shown]
    provider_count: int
    demand_categories: list[staff_reference.TrainingCategory]
    demand: dict[tuple[int | str, int | str | None], Shown]  # "total" row and column

    def cell(self, category: int, column: int | str) -> Shown:
        return self.cells[(category, column)]

    def export_rows(self) -> Iterable[list]:
        for _, items in self.groups:
            for category in items:
                for column in self.columns:
                    shown = self.cell(category.code, column.key)
                    figures = [shown.text] * 6 if shown.hidden else shown.cell.figures()
                    yield [category.code, category.name, column.name, *figures]

    def demand_rows(self) -> Iterable[list]:
        for category in [*self.demand_categories, None]:
            key = category.code if category else TOTAL
            figures = []
            for mode in [*(m for m, _ in DELIVERY_MODES), TOTAL]:
                shown = self.demand[(key, mode)]
                figures.append(shown.text if shown.hidden else shown.cell.size)
            yield [
                category.code if category else "",
                category.name if category else "All categories",
                *figures,
            ]


def forum_view(matrix: Matrix) -> ForumMatrix:
    """The matrix with no provider named and no staff identified (it holds neither), small
    cells hidden, and row totals ("All care roles" = the sum of the care-role cells) hidden
    where they would give a hidden cell away. Demand gets the same, with row and column
    totals."""
    cells, reasons = _suppressed_cells(matrix)
    categories = _demand_categories(matrix)
    grid = _demand_grid(matrix, categories)
    demand_reasons = suppress(grid, _demand_equations(categories))
    return ForumMatrix(
        as_at=matrix.as_at,
        groups=matrix.groups,
        columns=matrix.columns,
        cells={k: Shown(cells[k], reasons[k]) for k in cells},
        provider_count=len(matrix.provider_ids),
        demand_categories=categories,
        demand={k: Shown(grid[k], demand_reasons[k]) for k in grid},
    )


def _suppressed_cells(matrix: Matrix) -> tuple[dict[Hashable, Cell], dict]:
    """Every cell of the matrix, and why each is hidden: each category's "All care roles"
    cell is the total of its care-role cells."""
    care_columns = [c.key for c in matrix.columns if c.key != ALL_CARE_ROLES]
    care_columns = [
        k for k in care_columns if isinstance(k, int) and staff_reference.provides_care(k)
    ]
    cells: dict[Hashable, Cell] = {}
    equations = []
    for category in matrix.categories:
        for column in matrix.columns:
            cells[(category.code, column.key)] = matrix.cell(category.code, column.key)
        equations.append(
            ((category.code, ALL_CARE_ROLES), [(category.code, k) for k in care_columns])
        )
    return cells, suppress(cells, equations)


def _demand_categories(matrix: Matrix) -> list[staff_reference.TrainingCategory]:
    """The categories with demand, in the matrix's order, then any others."""
    demand_codes = sorted({code for code, _ in matrix.demand})
    categories = [c for c in matrix.categories if c.code in demand_codes]
    categories += [
        staff_reference.TrainingCategory(code, staff_reference.category_name(code), "Other")
        for code in demand_codes
        if code not in {c.code for c in categories}
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
            row_total.staff += cell.staff
            row_total.providers |= cell.providers
        grid[(category.code, TOTAL)] = row_total
    for mode in [*modes, TOTAL]:
        column_total = DemandCell()
        for category in categories:
            column_total.staff += grid[(category.code, mode)].staff
            column_total.providers |= grid[(category.code, mode)].providers
        grid[(TOTAL, mode)] = column_total
    return grid


def _demand_equations(categories: list[staff_reference.TrainingCategory]) -> list:
    modes = [m for m, _ in DELIVERY_MODES]
    return [
        ((key, TOTAL), [(key, m) for m in modes]) for key in [c.code for c in categories] + [TOTAL]
    ] + [((TOTAL, mode), [(c.code, mode) for c in categories]) for mode in [*modes, TOTAL]]
