"""The disclosure auditor: separate from the suppressor, it reads only what the provider
forum is given (the two CSV downloads, which carry every figure of the page) and the
relations the page publishes, and for each hidden figure works out the range it could
take given everything shown and that counts are whole and non-negative (integer linear
programming with scipy's HiGHS, ``milp``: the relaxation, then whole numbers). A hidden
figure is protected only if its range is wide (``portal.disclosure.rule.protected``),
whether the rule hid it or it was hidden to protect another. Every whole solution found is
kept: when one already takes a figure far enough, that side of its range needs no solving.
docs/disclosure.md says what is published.

Each figure is shown or hidden on its own. The published relations, as a reader would
write them down from the page:

- a matrix row's staff in scope = up to date + expiring + expired + missing (whichever
  of them are shown);
- a shown "% compliant" p (to 1 decimal place) ties up to date + expiring to the staff in
  scope: 100 x (up to date + expiring) is within 0.05 x staff in scope of p x staff in
  scope (so with the staff in scope shown, below 1,000 staff, it gives the compliant staff
  exactly); a blank one says the staff in scope is 0;
- "All care roles" = the sum of the care-role columns, count by count (the care roles
  are the national job-role list's care-providing roles);
- in the demand table, a row's total = the sum of its delivery modes, and the "All
  categories" row = the sum of the category rows, column by column;
- a category's demand total = the staff expiring, expired or missing in it, summed over
  every job-role column (not "All care roles"); 0 for a category without a demand row.

The true values come from the caller (``truth``): the auditor only compares."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from portal.disclosure.rule import HIDDEN, MARGIN, protected

ALL_CARE_ROLES = "All care roles"
ALL_CATEGORIES = "All categories"
STATUS_COLUMNS = ("up_to_date", "expiring_90_days", "expired", "missing")
NEEDING = ("expiring_90_days", "expired", "missing")
COMPLIANT = ("up_to_date", "expiring_90_days")
MODE_COLUMNS = ("face_to_face", "e_learning", "not_known")
IN_SCOPE, PERCENT = "staff_in_scope", "percent_compliant"
# A matrix row's published figures and the counts each stands for: a hidden "% compliant"
# must keep the compliant staff (up to date + expiring) wide.
MATRIX_FIGURES = {IN_SCOPE: (IN_SCOPE,), **{n: (n,) for n in STATUS_COLUMNS}, PERCENT: COMPLIANT}
ROUNDING = 0.05 + 1e-9  # a percentage to 1 decimal place is within 0.05 of the exact one


@dataclass(frozen=True)
class Finding:
    """A hidden figure whose range is too narrow."""

    figure: str
    value: int
    lower: float
    upper: float

    def __str__(self) -> str:
        return f"{self.figure} = {self.value} can be narrowed to [{self.lower}, {self.upper}]"


# The downloads' headings are labels people read; the auditor names columns by these keys.
HEADING_KEYS = {
    "Category code": "category_code",
    "Training category": "category",
    "Job role": "job_role",
    "Staff in scope": "staff_in_scope",
    "Up to date": "up_to_date",
    "Expiring within 90 days": "expiring_90_days",
    "Expired": "expired",
    "Missing": "missing",
    "% compliant": "percent_compliant",
    "Face to face": "face_to_face",
    "E-learning": "e_learning",
    "Not known": "not_known",
    "Total": "total",
}


def read_csv(text: str) -> list[dict[str, str]]:
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return [{HEADING_KEYS.get(key, key): value for key, value in row.items()} for row in rows]


Term = tuple[dict[int, float], float]  # (coefficients of unknowns, constant)


class _Unknowns:
    """The linear system: one whole, non-negative unknown per hidden count, and
    constraints lower <= coefficients . unknowns <= upper."""

    def __init__(self):
        self.index: dict[tuple, int] = {}
        self.equations: list[tuple[dict[int, float], float, float]] = []
        self.witnesses: list[dict[int, int]] = []  # whole solutions found, unknown -> value
        self.witness_by_column: dict[int, list[int]] = {}
        self.by_column: dict[int, list[int]] | None = None  # equations by unknown, once built
        self.components: dict[int, tuple] = {}

    def keep(self, point: dict[int, int]) -> None:
        for column in point:
            self.witness_by_column.setdefault(column, []).append(len(self.witnesses))
        self.witnesses.append(point)

    def reaches(self, objective: dict[int, float], target: float, below: bool = False) -> bool:
        """Whether a kept solution gives the objective at least ``target`` (at most, if
        ``below``): a whole solution that does proves the range reaches that far."""
        for i in set(self.witness_by_column.get(next(iter(objective)), ())):
            point = self.witnesses[i]
            if not all(column in point for column in objective):
                continue
            got = sum(v * point[column] for column, v in objective.items())
            if (got <= target) if below else (got >= target):
                return True
        return False

    def term(self, name: tuple, text: str) -> Term:
        """A published figure as (coefficients of unknowns, constant)."""
        if text == HIDDEN:
            column = self.index.setdefault(name, len(self.index))
            return {column: 1.0}, 0.0
        return {}, float(text or 0)

    def within(self, terms: Iterable[tuple[float, Term]], lower: float, upper: float):
        """lower <= sum(factor x term) <= upper."""
        coefficients: dict[int, float] = {}
        constant = 0.0
        for factor, (coeffs, value) in terms:
            for column, c in coeffs.items():
                coefficients[column] = coefficients.get(column, 0.0) + factor * c
            constant += factor * value
        if any(coefficients.values()):
            self.equations.append((coefficients, lower - constant, upper - constant))
        elif not lower - 1e-9 <= constant <= upper + 1e-9:
            raise AssertionError(f"published figures do not add up ({constant})")

    def equal(self, left: Iterable[Term], right: Iterable[Term]):
        """sum(left) = sum(right)."""
        self.within([*((1, t) for t in left), *((-1, t) for t in right)], 0.0, 0.0)


def _matrix_relations(system: _Unknowns, rows: list[dict], care_roles: set[str], demand):
    by_category: dict[str, list[dict]] = {}
    for row in rows:
        by_category.setdefault(row["category_code"], []).append(row)
    for code, cells in by_category.items():
        for row in cells:
            _cell_relations(system, (code, row["job_role"]), row)
        _care_relations(system, code, cells, care_roles)
        needing = [
            system.term(("m", code, r["job_role"], s), r[s])
            for r in cells
            if r["job_role"] != ALL_CARE_ROLES
            for s in NEEDING
        ]
        demand_row = demand.get(code)
        total = system.term(("d", code, "total"), demand_row["total"]) if demand_row else ({}, 0)
        system.equal([total], needing)


def _cell_relations(system: _Unknowns, key: tuple, row: dict) -> None:
    """Staff in scope = the four status counts; a shown % compliant p: 100 x compliant is
    within 0.05 x staff in scope of p x staff in scope (a blank one: no staff)."""
    in_scope = system.term(("m", *key, IN_SCOPE), row[IN_SCOPE])
    parts = [system.term(("m", *key, s), row[s]) for s in STATUS_COLUMNS]
    system.equal([in_scope], parts)
    percent = row[PERCENT]
    if percent == HIDDEN:
        return
    if not percent:
        system.equal([in_scope], [])
        return
    compliant = [(100.0, system.term(("m", *key, s), row[s])) for s in COMPLIANT]
    p = float(percent)
    # 100 x compliant - (p + 0.05) x in scope <= 0 <= 100 x compliant - (p - 0.05) x in scope
    system.within([*compliant, (-(p + ROUNDING), in_scope)], -math.inf, 0.0)
    system.within([*compliant, (-(p - ROUNDING), in_scope)], 0.0, math.inf)


def _care_relations(system: _Unknowns, code: str, cells: list[dict], care_roles: set[str]):
    """ "All care roles" = the sum of the care-role columns, count by count."""
    care = [r for r in cells if r["job_role"] in care_roles]
    for total in (r for r in cells if r["job_role"] == ALL_CARE_ROLES):
        for status in STATUS_COLUMNS:
            system.equal(
                [system.term(("m", code, ALL_CARE_ROLES, status), total[status])],
                [system.term(("m", code, r["job_role"], status), r[status]) for r in care],
            )


def _demand_relations(system: _Unknowns, demand: dict[str, dict]):
    rows = [r for code, r in demand.items() if code != ""]
    for code, row in demand.items():
        system.equal(
            [system.term(("d", code, "total"), row["total"])],
            [system.term(("d", code, m), row[m]) for m in MODE_COLUMNS],
        )
    everything = demand.get("")
    if everything is not None:
        for column in (*MODE_COLUMNS, "total"):
            system.equal(
                [system.term(("d", "", column), everything[column])],
                [system.term(("d", r["category_code"], column), r[column]) for r in rows],
            )


def _linked(system: _Unknowns, column: int) -> tuple[list[int], list[int]]:
    """The unknowns tied to ``column`` through the equations, and those equations: the
    rest cannot change their range."""
    if system.by_column is None:
        system.by_column = {}
        for i, (coefficients, _, _) in enumerate(system.equations):
            for other in coefficients:
                system.by_column.setdefault(other, []).append(i)
    seen, rows, frontier = {column}, set(), [column]
    while frontier:
        for i in system.by_column.get(frontier.pop(), ()):
            if i not in rows:
                rows.add(i)
                new = set(system.equations[i][0]) - seen
                seen |= new
                frontier.extend(new)
    return sorted(seen), sorted(rows)


def _component(system: _Unknowns, column: int):
    """The unknowns linked to ``column``, their positions, and the constraints among
    them as a matrix and bounds (worked out once per set of linked unknowns: what is
    published does not change while it is audited)."""
    if column not in system.components:
        columns, rows = _linked(system, column)
        position = {c: k for k, c in enumerate(columns)}
        a = np.zeros((len(rows), len(columns)))
        low, high = np.zeros(len(rows)), np.zeros(len(rows))
        for k, i in enumerate(rows):
            coefficients, low[k], high[k] = system.equations[i]
            for other, value in coefficients.items():
                a[k, position[other]] = value
        found = (columns, position, a, low, high)
        for other in columns:
            system.components[other] = found
    return system.components[column]


def _least(system: _Unknowns, objective: dict[int, float], scales: bool = False) -> float:
    """The least value of the objective over whole, non-negative unknowns; a whole
    solution that reaches it is kept as a witness (``_Unknowns.witnesses``). ``scales``:
    the true values give the objective a value below 0, so where nothing shown
    constrains the unknowns (every bound is 0 or infinite) any multiple of them is a
    solution and the objective has no least value. The objective's unknowns are linked
    (one hidden figure's counts, or one demand figure)."""
    columns, position, a, low, high = _component(system, next(iter(objective)))
    c = np.zeros(len(columns))
    for column, value in objective.items():
        c[position[column]] = value
    if not len(low):
        return -math.inf if (c < 0).any() else 0.0
    bounds = np.concatenate([low, high])
    homogeneous = not bounds[np.isfinite(bounds)].any()
    if homogeneous and (c >= 0).all():
        return 0.0  # nothing shown in these relations: all zeros is a solution
    if homogeneous and scales:
        return -math.inf
    constraint, whole = LinearConstraint(a, low, high), Bounds(0, np.inf)
    result = milp(c, constraints=constraint, bounds=whole, integrality=np.zeros(len(c)))
    if result.status == 3:
        return -math.inf
    assert result.status == 0, result.message
    if not np.allclose(result.x, np.round(result.x), atol=1e-7):
        result = milp(c, constraints=constraint, bounds=whole, integrality=np.ones(len(c)))
        assert result.status == 0, result.message
    system.keep(dict(zip(columns, np.round(result.x).astype(int).tolist(), strict=True)))
    return round(result.fun)


def audit(
    matrix_csv: str,
    demand_csv: str,
    care_roles: set[str],
    truth: Callable[[tuple], int],
) -> list[Finding]:
    """Every hidden figure of the two downloads whose range is too narrow, whether the
    rule hid it or it was hidden to protect another. ``truth`` gives a count's true value
    by its name: ("m", category code, job role, column) or ("d", category code or "",
    column)."""
    system = _Unknowns()
    matrix_rows = read_csv(matrix_csv)
    demand = {row["category_code"]: row for row in read_csv(demand_csv)}
    _matrix_relations(system, matrix_rows, care_roles, demand)
    _demand_relations(system, demand)
    findings = []
    for row in matrix_rows:
        for figure, columns in MATRIX_FIGURES.items():
            if row[figure] != HIDDEN:
                continue
            names = [("m", row["category_code"], row["job_role"], c) for c in columns]
            terms = [system.term(name, row[c]) for name, c in zip(names, columns, strict=True)]
            label = f"{row['category']} / {row['job_role']}: {figure}"
            findings += _check(system, terms, sum(truth(n) for n in names), label)
    for code, row in demand.items():
        for column in (*MODE_COLUMNS, "total"):
            if row[column] == HIDDEN:
                name = ("d", code, column)
                label = f"demand {row['category']}: {column}"
                findings += _check(system, [system.term(name, HIDDEN)], truth(name), label)
    return findings


def _check(system: _Unknowns, terms: list[Term], value: int, label: str) -> list[Finding]:
    """The range of the sum of ``terms`` (a hidden figure) against its true ``value``."""
    objective: dict[int, float] = {}
    for coefficients, _ in terms:
        for column, c in coefficients.items():
            objective[column] = objective.get(column, 0.0) + c
    shown = sum(constant for _, constant in terms)
    if not objective:  # every count it stands for is shown
        return [Finding(label, value, shown, shown)]
    # A solution already found that takes the figure far enough proves that side wide.
    target = value + MARGIN - shown
    if system.reaches(objective, target):
        upper = value + MARGIN
    else:
        negated = {k: -v for k, v in objective.items()}
        upper = shown - _least(system, negated, scales=value - shown > 0)
    if upper < value + MARGIN:
        return [Finding(label, value, value, upper)]
    floor = max(0, value - MARGIN)
    if system.reaches(objective, floor - shown, below=True):
        lower = floor
    else:
        lower = shown + _least(system, objective)
    if protected(value, lower, upper):
        return []
    return [Finding(label, value, lower, upper)]
