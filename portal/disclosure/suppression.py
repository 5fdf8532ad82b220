"""Suppression of single figures over linked tables, solved jointly (docs/disclosure.md).

Everything published together is one system of whole, non-negative *parts* (a matrix
cell's four status counts, a demand cell's staff), *relations* between parts that a reader
knows (sum of coefficient x part = 0: "All care roles", demand totals, the demand that
ties the two tables together) and published *figures*, each the sum of some parts (a
status count is one part; a cell's staff in scope is the sum of its four; the "%
compliant" gives away up to date + expiring). A figure is shown or hidden on its own.

``suppress`` hides each figure the rule hides (``portal.disclosure.rule.must_hide``:
primary suppression) and each figure that goes with a hidden one (``Figure.hidden_with``: a
percentage with its staff in scope). Then, for every hidden figure in turn (those the rule
hid and those hidden to protect others alike) and while what is shown narrows its range
too far (integer linear programming with scipy's HiGHS), it hides the **cheapest** shown
figure that widens that range (secondary suppression): candidates are the shown figures in
the equations that bound it, tried in the order of ``Figure.cost``, and the first one whose
hiding moves the bound is taken (when none does on its own, the cheapest is). Hiding more
only widens ranges, so each figure is checked until it passes, once. Every whole solution
found is kept as a witness: the values it gives other figures prove their ranges wide
without solving again. The published figures are checked again, from the published output
alone, by ``portal.disclosure.auditor``.

The answer depends on nothing but its inputs, and a council's figures change only when a
return is submitted, so answers are kept in the process (``_ANSWERS``) keyed by a digest of
every input: the forum's page, its CSVs and the providers' demand page, opened again and
again, solve once per change of the figures (about a second for an area of 15 providers)."""

from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array

from portal.disclosure.rule import MARGIN, must_hide, protected

PRIMARY = "primary"
SECONDARY = "secondary"

Part = Hashable
Relation = dict[Part, int]  # sum of coefficient x part == 0


@dataclass
class Figure:
    """A published figure: the sum of ``parts``."""

    parts: tuple[Part, ...]
    contributions: Counter = field(default_factory=Counter)  # provider -> staff counted
    cost: float = 1.0  # of hiding it to protect another
    hidden_with: Hashable | None = None  # hidden whenever this other figure is


_ANSWERS: OrderedDict[bytes, dict[Hashable, str | None]] = OrderedDict()
_ANSWERS_KEPT = 64
_ANSWERS_LOCK = threading.Lock()


def _digest(values: dict, figures: dict[Hashable, Figure], relations: list[Relation]) -> bytes:
    described = (
        sorted(map(repr, values.items())),
        sorted(
            repr((k, f.parts, sorted(f.contributions.items()), f.cost, f.hidden_with))
            for k, f in figures.items()
        ),
        [sorted(map(repr, r.items())) for r in relations],
    )
    return hashlib.sha256(repr(described).encode()).digest()


def suppress(
    values: dict[Part, int], figures: dict[Hashable, Figure], relations: list[Relation]
) -> dict[Hashable, str | None]:
    """Why each figure is hidden (PRIMARY: the rule; SECONDARY: to protect another, or
    with another), or None when it is shown. Solved once for the same inputs."""
    key = _digest(values, figures, relations)
    with _ANSWERS_LOCK:
        if key in _ANSWERS:
            _ANSWERS.move_to_end(key)
            return dict(_ANSWERS[key])
    reasons = _solve(values, figures, relations)
    with _ANSWERS_LOCK:
        _ANSWERS[key] = dict(reasons)
        while len(_ANSWERS) > _ANSWERS_KEPT:
            _ANSWERS.popitem(last=False)
    return reasons


def _solve(
    values: dict[Part, int], figures: dict[Hashable, Figure], relations: list[Relation]
) -> dict[Hashable, str | None]:
    reasons: dict[Hashable, str | None] = {
        key: PRIMARY if must_hide(f.contributions.values()) else None for key, f in figures.items()
    }
    system = _System(values, figures, relations, reasons)
    for key in list(reasons):
        if reasons[key]:
            system.hide(key, reasons[key])
    checked: set[Hashable] = set()
    while pending := sorted((k for k, r in reasons.items() if r and k not in checked), key=str):
        for key in pending:
            while (side := system.failing(key)) is not None:
                others = system.cheapest(key, side)
                if not others:  # pragma: no cover - whole changes are the LP's vertices here
                    raise RuntimeError(f"no whole change protects {key!r}")
                for other in others:
                    system.hide(other, SECONDARY)
            checked.add(key)
    return reasons


@dataclass
class _Equations:
    parts: list[Part]  # the unknowns: parts of hidden figures linked to the target's
    rows: list[np.ndarray]
    rhs: list[float]


class _System:
    def __init__(self, values, figures, relations, reasons):
        self.values, self.figures, self.relations = values, figures, relations
        self.reasons = reasons
        self.wide: set[tuple] = set()  # (figure, side) found wide enough
        self.witnesses: list[dict[Part, int]] = []  # solutions: parts off their true value
        self.witness_by_part: dict[Part, list[int]] = {}
        self.relations_of: dict[Part, list[int]] = {}
        self.figures_of: dict[Part, list[Hashable]] = {}
        self.followers: dict[Hashable, list[Hashable]] = {}
        for index, relation in enumerate(relations):
            for part in relation:
                self.relations_of.setdefault(part, []).append(index)
        for key, f in figures.items():
            for part in f.parts:
                self.figures_of.setdefault(part, []).append(key)
            if f.hidden_with is not None:
                self.followers.setdefault(f.hidden_with, []).append(key)

    def hide(self, key, reason: str) -> None:
        self.reasons[key] = self.reasons[key] or reason
        for follower in self.followers.get(key, ()):
            if not self.reasons[follower]:
                self.hide(follower, SECONDARY)

    def _fixed(self, part: Part) -> bool:
        """Shown on its own: a shown figure of this one part."""
        return any(
            not self.reasons[k] and len(self.figures[k].parts) == 1
            for k in self.figures_of.get(part, ())
        )

    def _linked(self, key) -> tuple[set[Part], set[int], set[Hashable]]:
        """The parts not shown on their own that are linked to the figure's through
        relations and shown figures, those relations and those shown figures."""
        start = [p for p in self.figures[key].parts if not self._fixed(p)]
        seen, frontier = set(start), list(start)
        relations, shown = set(), set()
        while frontier:
            part = frontier.pop()
            relations.update(self.relations_of.get(part, ()))
            linked = [self.relations[i] for i in self.relations_of.get(part, ())]
            for k in self.figures_of.get(part, ()):
                if not self.reasons[k] and len(self.figures[k].parts) > 1:
                    shown.add(k)
                    linked.append(dict.fromkeys(self.figures[k].parts, 1))
            for other in {p for equation in linked for p in equation} - seen:
                if not self._fixed(other):
                    seen.add(other)
                    frontier.append(other)
        return seen, relations, shown

    def equations(self, key) -> _Equations:
        """The equations bounding the figure's parts, with what is shown moved to the
        right-hand side."""
        linked, relations, shown = self._linked(key)
        found = _Equations(sorted(linked, key=str), [], [])
        column = {part: i for i, part in enumerate(found.parts)}
        stated = [(self.relations[i], 0) for i in sorted(relations)]
        for k in sorted(shown, key=str):
            stated.append((dict.fromkeys(self.figures[k].parts, 1), self._value(k)))
        for equation, total in stated:
            row = np.zeros(len(found.parts))
            constant = 0
            for part, coefficient in equation.items():
                if part in column:
                    row[column[part]] += coefficient
                else:
                    constant += coefficient * self.values[part]
            found.rows.append(row)
            found.rhs.append(total - constant)
        return found

    def _value(self, key) -> int:
        return sum(self.values[p] for p in self.figures[key].parts)

    def _witnessed(self, key, side: str) -> bool:
        """Whether a solution already found takes the figure far enough on ``side``."""
        parts, value = self.figures[key].parts, self._value(key)
        for i in {i for p in parts for i in self.witness_by_part.get(p, ())}:
            found = sum(self.witnesses[i].get(p, self.values[p]) for p in parts)
            upper, lower = (found, 0) if side == "upper" else (math.inf, found)
            if protected(value, lower, upper):
                return True
        return False

    def _keep(self, parts: list[Part], point) -> None:
        """Keep a whole-number solution as a witness (only the parts off their true value)."""
        moved = {
            part: int(x)
            for part, x in zip(parts, np.round(point), strict=True)
            if int(x) != self.values[part]
        }
        for part in moved:
            self.witness_by_part.setdefault(part, []).append(len(self.witnesses))
        self.witnesses.append(moved)

    def _bound(self, key, side: str) -> float:
        """The figure's greatest (``side`` "upper") or least value given what is shown,
        over whole, non-negative parts; the solution that reaches it is kept."""
        found = self.equations(key)
        sign = -1 if side == "upper" else 1
        objective = np.zeros(len(found.parts))
        constant = 0
        for part in self.figures[key].parts:
            if part in found.parts:
                objective[found.parts.index(part)] += sign
            else:
                constant += self.values[part]
        if not any(found.rhs) and (side == "lower" or self._value(key) > 0):
            # Nothing shown constrains these parts (every equation adds up to 0): all
            # zeros is a solution, and so is any multiple of the true values.
            return constant if side == "lower" else math.inf
        least, point = _minimum(objective, found.rows, found.rhs)
        if point is not None:
            self._keep(found.parts, point)
        return constant + sign * least

    def failing(self, key) -> str | None:
        """The side ("upper" or "lower") of the figure's range that is too narrow, if any."""
        value = self._value(key)
        for side in ("upper", "lower"):
            if (key, side) in self.wide or self._witnessed(key, side):
                self.wide.add((key, side))
                continue
            bound = self._bound(key, side)
            upper, lower = (bound, 0) if side == "upper" else (math.inf, bound)
            if not protected(value, lower, upper):
                return side
            self.wide.add((key, side))
        return None

    def cheapest(self, key, side: str) -> list[Hashable]:
        """The cheapest set of shown figures whose hiding lets the figure move far enough
        on ``side``: a linear programme over changes ``y`` to every part (the true values
        plus ``y`` whole and non-negative, every relation still holding, the figure moved
        by ``MARGIN``, or down to 0) that minimises the cost (``Figure.cost``) of the
        shown figures it changes; hidden figures change for free, so figures near hidden
        ones are taken first. When the changes are whole numbers they are a witness."""
        parts = list(self.values)
        shown = [k for k, reason in self.reasons.items() if not reason]
        result = self._cheapest_change(key, side, parts, shown)
        changes = result.x[: len(parts)]
        if np.allclose(changes, np.round(changes), atol=1e-7):
            self._keep(parts, np.array([self.values[p] for p in parts]) + changes)
        return [k for j, k in enumerate(shown) if result.x[len(parts) + j] > 1e-7]

    def _cheapest_change(self, key, side: str, parts: list[Part], shown: list[Hashable]):
        """The linear programme of ``cheapest``: unknowns are the change to each part,
        then each shown figure's slack t >= |the sum of its parts' changes|."""
        value = self._value(key)
        move = MARGIN if side == "upper" else -min(MARGIN, value)
        column = {part: i for i, part in enumerate(parts)}
        n, m = len(parts), len(shown)
        equal = [*self.relations, dict.fromkeys(self.figures[key].parts, 1)]
        b_eq = np.zeros(len(equal))
        b_eq[-1] = move
        rows = []
        for j, k in enumerate(shown):
            changes = {column[p]: 1 for p in self.figures[k].parts}
            rows += [{**changes, n + j: -1}, {**{i: -1 for i in changes}, n + j: -1}]
        lower = [-self.values[p] for p in parts] + [0] * m
        result = linprog(
            np.concatenate([np.zeros(n), [self.figures[k].cost for k in shown]]),
            A_ub=_sparse(rows, n + m),
            b_ub=np.zeros(len(rows)),
            A_eq=_sparse([{column[p]: c for p, c in row.items()} for row in equal], n + m),
            b_eq=b_eq,
            bounds=list(zip(lower, [None] * (n + m), strict=True)),
            method="highs",
        )
        if result.status != 0:  # pragma: no cover - hiding everything always works
            raise RuntimeError(f"nothing left to hide to protect {key!r}: {result.message}")
        return result


def _minimum(objective, rows, rhs) -> tuple[float, np.ndarray | None]:
    """The least value of ``objective`` . x over whole x >= 0 with rows . x = rhs, and a
    whole x that reaches it (None when unbounded): the linear relaxation first (its
    optimum is the answer when it is whole), then integers."""
    if not len(objective) or not rows:
        if (objective >= 0).all():
            return 0.0, np.zeros(len(objective))
        return -math.inf, None
    a, b = np.array(rows), np.array(rhs, dtype=float)
    constraint, bounds = LinearConstraint(a, b, b), Bounds(0, np.inf)
    for whole in (np.zeros(len(objective)), np.ones(len(objective))):
        result = milp(objective, constraints=constraint, bounds=bounds, integrality=whole)
        if result.status == 3:  # unbounded (only the relaxation can say so first)
            return -math.inf, None
        if result.status != 0:  # pragma: no cover - the true figures are always a solution
            raise RuntimeError(result.message)
        if np.allclose(result.x, np.round(result.x), atol=1e-7):
            break
    return float(round(result.fun)), result.x


def _sparse(rows: list[dict[int, float]], width: int):
    """Rows given as {column: coefficient} as a sparse matrix."""
    data, row_index, col_index = [], [], []
    for i, row in enumerate(rows):
        for j, value in row.items():
            row_index.append(i)
            col_index.append(j)
            data.append(value)
    return coo_array((data, (row_index, col_index)), shape=(len(rows), width)).tocsr()
