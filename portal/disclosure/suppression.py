"""Cell suppression over linked tables, solved jointly (docs/disclosure.md).

Everything published together is one system: *units* (what a reader sees whole or not at
all: a matrix cell with its four status counts, a demand cell), each made of whole,
non-negative *parts*, and *relations* between parts (sum of coefficient x part = 0) that
a reader knows: row and column totals, "all care roles", demand totals by category and
mode, and the demand that ties the two tables together.

``suppress`` hides each unit the rule (``portal.disclosure.rule.must_hide``) hides, then,
for each hidden unit in turn, hides more shown units next to it until every figure of the
unit has a wide range given everything still shown (integer linear programming with
scipy's HiGHS, ``milp``). Hiding more only widens ranges, so one pass suffices. The figures
shown are checked again, from the published output alone, by ``portal.disclosure.auditor``."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from portal.disclosure.rule import must_hide, protected

PRIMARY = "primary"
SECONDARY = "secondary"

Part = tuple[Hashable, str]  # (unit key, part name)
Relation = dict[Part, int]  # sum of coefficient x part == 0


@dataclass
class Unit:
    key: Hashable
    parts: dict[str, int]
    contributions: Counter = field(default_factory=Counter)  # provider -> staff counted
    # Published figure -> its parts (with coefficient 1); default: each part, on its own.
    figures: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(self.parts.values())

    def targets(self) -> dict[str, tuple[str, ...]]:
        return self.figures or {name: (name,) for name in self.parts}


def suppress(units: dict[Hashable, Unit], relations: list[Relation]) -> dict[Hashable, str | None]:
    """Why each unit is hidden (PRIMARY: the rule; SECONDARY: to protect another), or None."""
    reasons: dict[Hashable, str | None] = {
        key: PRIMARY if must_hide(unit.contributions.values()) else None
        for key, unit in units.items()
    }
    system = _System(units, relations, reasons)
    checked: set[Hashable] = set()
    while True:
        pending = sorted(
            (k for k, r in reasons.items() if r == PRIMARY and k not in checked), key=str
        )
        if not pending:
            return reasons
        for key in pending:
            while not system.protected(key):
                reasons[system.next_to_hide(key)] = SECONDARY
            checked.add(key)


class _System:
    def __init__(self, units, relations, reasons):
        self.units, self.relations, self.reasons = units, relations, reasons
        self.wide: set[tuple] = set()  # (unit, figure, "upper" or "lower") found wide enough
        self.by_part: dict[Part, list[int]] = {}
        for index, relation in enumerate(relations):
            for part in relation:
                self.by_part.setdefault(part, []).append(index)

    def _hidden(self, part: Part) -> bool:
        return bool(self.reasons.get(part[0]))

    def _component(self, key) -> tuple[list[Part], list[int]]:
        """The hidden parts linked to the unit's through relations, and those relations."""
        start = [(key, name) for name in self.units[key].parts]
        seen, touched, frontier = set(start), set(), list(start)
        while frontier:
            part = frontier.pop()
            for index in self.by_part.get(part, ()):
                if index in touched:
                    continue
                touched.add(index)
                for other in self.relations[index]:
                    if self._hidden(other) and other not in seen:
                        seen.add(other)
                        frontier.append(other)
        return sorted(seen, key=str), sorted(touched)

    def protected(self, key) -> bool:
        parts, touched = self._component(key)
        column = {part: i for i, part in enumerate(parts)}
        rows, rhs = [], []
        for index in touched:
            row = np.zeros(len(parts))
            constant = 0
            for part, coefficient in self.relations[index].items():
                if part in column:
                    row[column[part]] += coefficient
                else:
                    constant += coefficient * self.units[part[0]].parts[part[1]]
            rows.append(row)
            rhs.append(-constant)
        unit = self.units[key]
        for figure, names in unit.targets().items():
            objective = np.zeros(len(parts))
            for name in names:
                objective[column[(key, name)]] += 1
            value = sum(unit.parts[name] for name in names)
            # Hiding more only widens a range: a bound found wide enough stays so.
            for side, sign in (("upper", -1), ("lower", 1)):
                if (key, figure, side) in self.wide:
                    continue
                bound = sign * _minimum(sign * objective, rows, rhs)
                upper, lower = (bound, 0) if side == "upper" else (math.inf, bound)
                if not protected(value, lower, upper):
                    return False
                self.wide.add((key, figure, side))
        return True

    def next_to_hide(self, key) -> Hashable:
        """The smallest shown unit in a relation with the hidden parts linked to ``key``'s
        (units with no staff last: hiding a known zero says little)."""
        _, touched = self._component(key)
        shown = {
            part[0] for index in touched for part in self.relations[index] if not self._hidden(part)
        }
        if not shown:  # pragma: no cover - a fully hidden system is always protected
            raise RuntimeError(f"nothing left to hide to protect {key!r}")
        return min(shown, key=lambda k: (self.units[k].size == 0, self.units[k].size, str(k)))


def _minimum(objective, rows, rhs) -> float:
    """The least value of ``objective`` . x over whole x >= 0 with rows . x = rhs: the
    linear relaxation first (its optimum is the answer when it is whole), then integers."""
    if not rows:
        return 0.0 if (objective >= 0).all() else -math.inf
    a, b = np.array(rows), np.array(rhs, dtype=float)
    constraint, bounds = LinearConstraint(a, b, b), Bounds(0, np.inf)
    for whole in (np.zeros(len(objective)), np.ones(len(objective))):
        result = milp(objective, constraints=constraint, bounds=bounds, integrality=whole)
        if result.status == 3:  # unbounded (only the relaxation can say so first)
            return -math.inf
        if result.status != 0:  # pragma: no cover - the true figures are always a solution
            raise RuntimeError(result.message)
        if np.allclose(result.x, np.round(result.x), atol=1e-7):
            break
    return float(round(result.fun))
