"""The one disclosure rule for every figure the provider forum sees (docs/disclosure.md).

A figure is shown only if at least ``MIN_PROVIDERS`` providers contribute to it and no
provider dominates it: by the ONS business-statistics rule, the total minus the two
largest providers' contributions must be at least 10% of the largest. A hidden figure is
protected only if what is shown leaves it a wide range: its lower bound at most
max(0, true value - ``MARGIN``) and its upper bound at least true value + ``MARGIN``."""

from __future__ import annotations

from collections.abc import Iterable

MIN_PROVIDERS = 3
DOMINANCE_PERCENT = 10  # the rest must be at least this % of the largest contribution
MARGIN = 3
HIDDEN = "[c]"


def too_few(contributions: Iterable[int]) -> bool:
    """Built from fewer than ``MIN_PROVIDERS`` providers (a figure with no one in it is a
    known zero, not a hidden one)."""
    values = [v for v in contributions if v > 0]
    return 0 < len(values) < MIN_PROVIDERS


def dominated(contributions: Iterable[int]) -> bool:
    """The ONS dominance rule fails: total - two largest < 10% of the largest."""
    values = sorted((v for v in contributions if v > 0), reverse=True)
    if len(values) < 2:
        return bool(values)
    rest = sum(values) - values[0] - values[1]
    return rest * 100 < DOMINANCE_PERCENT * values[0]


def must_hide(contributions: Iterable[int]) -> bool:
    """Primary suppression: a figure with contributors that is too few or dominated."""
    values = list(contributions)
    return too_few(values) or (any(values) and dominated(values))


def protected(value: int, lower: float, upper: float) -> bool:
    """Whether a hidden figure's range, given everything shown, is wide enough."""
    return lower <= max(0, value - MARGIN) and upper >= value + MARGIN
