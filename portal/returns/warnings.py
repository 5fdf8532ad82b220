"""Soft warnings: values that are probably mistakes but may be right. They do not block
saving; the user ticks "this is correct" for each before the section is completed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


@dataclass(frozen=True)
class SoftWarning:
    code: str  # stable id, stored when the user confirms it
    field: str  # the form field it is about, for the link
    message: str


def _number(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def numeric_warnings(
    values: dict, earlier: list[dict], labels: dict[str, str], prefix: str = ""
) -> list[SoftWarning]:
    """``earlier``: the same section's values in the previous months, newest first.

    - a value the same for 3 months running (this month and the 2 before), when not 0;
    - a value more than 3 times last month's.
    """
    found = []
    last = earlier[0] if earlier else {}
    before = earlier[1] if len(earlier) > 1 else {}
    for name, label in labels.items():
        now = _number(values.get(name))
        if now is None:
            continue
        previous = _number(last.get(name))
        older = _number(before.get(name))
        if now != 0 and previous == now and older == now:
            found.append(
                SoftWarning(
                    f"{prefix}{name}:unchanged",
                    name,
                    f"{label} is {now.normalize():f}, the same as in each of the last 2 months",
                )
            )
        if previous is not None and previous > 0 and now > previous * 3:
            found.append(
                SoftWarning(
                    f"{prefix}{name}:jump",
                    name,
                    f"{label} is {now.normalize():f}, more than 3 times last month's "
                    f"{previous.normalize():f}",
                )
            )
    return found
