"""Cell suppression over linked tables, solved jointly (docs/disclosure.md).

Everything published together is one system: *units* (what a reader sees whole or not at
all: a matrix cell with its four status counts, a demand cell), each made of whole,
non-negative *parts*, and *relations* between parts (sum of coefficient x part = 0) that
a reader knows: row and column totals, "all care roles", demand totals by category and
mode, and the demand that ties the two tables together.

``suppress`` hides each unit the rule (``portal.disclosure.rule.must_hide``) hides for any
of the figures it publishes, then, for each hidden unit in turn (those hidden by the rule
and those hidden to protect them alike), hides more shown units next to it until every
figure of the unit has a wide range given everything still shown (integer linear
programming with scipy's HiGHS, ``milp``). Hiding more only widens ranges, so each unit is
checked until it passes, once. Every solution found is kept as a witness: the values it
gives other figures prove their ranges wide without solving again (hiding more keeps it a
solution, with the newly hidden parts at their true values). The figures shown are checked
again, from the published output alone, by ``portal.disclosure.auditor``."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from portal.disclosure.rule import MARGIN, must_hide, protected

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
    # Who makes up each further figure the unit publishes (a matrix cell's status counts):
    # the rule applies to each of them too.
    figure_contributions: tuple[Counter, ...] = ()

    @property
    def size(self) -> int:
        return sum(self.parts.values())

    def targets(self) -> dict[str, tuple[str, ...]]:
        return self.figures or {name: (name,) for name in self.parts}

    def must_hide(self) -> bool:
        """The rule hides the unit if it hides any figure the unit publishes."""
        counts = (self.contributions, *self.figure_contributions)
        return any(must_hide(c.values()) for c in counts)


def suppress(units: dict[Hashable, Unit], relations: list[Relation]) -> dict[Hashable, str | None]:
    """Why each unit is hidden (PRIMARY: the rule; SECONDARY: to protect another), or None."""
    reasons: dict[Hashable, str | None] = {
        key: PRIMARY if unit.must_hide() else None for key, unit in units.items()
    }
    system = _System(units, relations, reasons)
    checked: set[Hashable] = set()
    while True:
        pending = sorted((k for k, r in reasons.items() if r and k not in checked), key=str)
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
        self.witnesses: list[dict[Part, int]] = []  # solutions: parts off their true value
        self.witness_by_part: dict[Part, list[int]] = {}
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

    def _equations(self, key) -> tuple[list[Part], list, list]:
        """The hidden parts linked to ``key``'s and the relations among them, with what
        is shown moved to the right-hand side."""
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
        return parts, rows, rhs

    def _witnessed(self, key, names, side: str) -> bool:
        """Whether a solution already found takes the figure far enough on ``side``."""
        unit = self.units[key]
        value = sum(unit.parts[name] for name in names)
        ids = {i for name in names for i in self.witness_by_part.get((key, name), ())}
        for i in ids:
            found = sum(self.witnesses[i].get((key, name), unit.parts[name]) for name in names)
            upper, lower = (found, 0) if side == "upper" else (math.inf, found)
            if protected(value, lower, upper):
                return True
        return False

    def _keep(self, parts: list[Part], point) -> None:
        """Keep a whole-number solution as a witness (only the parts off their true value)."""
        moved = {
            part: int(x)
            for part, x in zip(parts, np.round(point), strict=True)
            if int(x) != self.units[part[0]].parts[part[1]]
        }
        for part in moved:
            self.witness_by_part.setdefault(part, []).append(len(self.witnesses))
        self.witnesses.append(moved)

    def protected(self, key) -> bool:
        unit = self.units[key]
        equations = None
        for figure, names in unit.targets().items():
            value = sum(unit.parts[name] for name in names)
            # Hiding more only widens a range: a bound found wide enough stays so.
            for side, sign in (("upper", -1), ("lower", 1)):
                if (key, figure, side) in self.wide or self._witnessed(key, names, side):
                    self.wide.add((key, figure, side))
                    continue
                parts, rows, rhs = equations = equations or self._equations(key)
                if not any(rhs) and (side == "lower" or value > 0):
                    # Nothing shown constrains these parts (every relation adds up to 0):
                    # all zeros is a solution, and so is any multiple of the true values.
                    self.wide.add((key, figure, side))
                    continue
                objective = np.zeros(len(parts))
                for name in names:
                    objective[parts.index((key, name))] += 1
                least, point = _minimum(sign * objective, rows, rhs)
                if point is not None:
                    self._keep(parts, point)
                upper, lower = (-least, 0) if side == "upper" else (math.inf, least)
                if not protected(value, lower, upper):
                    return False
                self.wide.add((key, figure, side))
        return True

    def next_to_hide(self, key) -> Hashable:
        """A shown unit in a relation with the hidden parts linked to ``key``'s, in the
        order of ``_preference``. (Choosing only from the relations of the figure that
        failed hid more on the demo data: 75 of 84 matrix cells against 72.)"""
        _, touched = self._component(key)
        room: dict[Hashable, int] = {}
        for index in touched:
            for part in self.relations[index]:
                if not self._hidden(part):
                    value = self.units[part[0]].parts[part[1]]
                    room[part[0]] = max(room.get(part[0], 0), value)
        if not room:  # pragma: no cover - a fully hidden system is always protected
            raise RuntimeError(f"nothing left to hide to protect {key!r}")
        return min(room, key=lambda k: self._preference(k, room[k]))

    def _preference(self, key, room: int) -> tuple:
        """Largest first among units that can absorb a change of ``MARGIN``: a large
        unit hidden to protect another is itself protected by the small ones around it,
        where a small one would need yet more hidden to protect it (on the demo data and
        generated councils this hid the fewest cells of the orders tried)."""
        size = self.units[key].size
        return (room < MARGIN, size == 0, -size, str(key))


def _minimum(objective, rows, rhs) -> tuple[float, np.ndarray | None]:
    """The least value of ``objective`` . x over whole x >= 0 with rows . x = rhs, and a
    whole x that reaches it (None when unbounded): the linear relaxation first (its
    optimum is the answer when it is whole), then integers."""
    if not rows:
        return (0.0, np.zeros(len(objective))) if (objective >= 0).all() else (-math.inf, None)
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
