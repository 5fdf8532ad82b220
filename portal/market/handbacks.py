"""The handbacks of a council's overview: rows of the latest version of each return for
a month in the current calendar quarter, counted by reason and by area."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.market.figures import latest_version_data, number, saved_part
from portal.models import Contract, MonthlyReturn
from portal.returns.sections.handbacks_rules import REASON_LABELS


def quarter_of(day: date) -> tuple[date, date]:
    """The first days of the first and last months of ``day``'s calendar quarter."""
    first_month = (day.month - 1) // 3 * 3 + 1
    return date(day.year, first_month, 1), date(day.year, first_month + 2, 1)


@dataclass
class HandbackGroup:
    label: str
    count: int
    weekly_hours: Decimal


@dataclass
class Handbacks:
    quarter_start: date
    quarter_end: date  # first day of the quarter's last month
    returns: int  # submitted returns for the quarter's months
    count: int
    by_reason: list[HandbackGroup]
    by_area: list[HandbackGroup]


def _groups(counts: Counter, hours: dict[str, Decimal], labels: dict[str, str]):
    return sorted(
        (HandbackGroup(labels.get(key, key), n, hours[key]) for key, n in counts.items()),
        key=lambda g: (-g.count, g.label),
    )


def handbacks(contracts: list[Contract], on: date) -> Handbacks:
    start, end = quarter_of(on)
    returns = _quarter_returns(contracts, start, end) if contracts else []
    reasons: Counter = Counter()
    areas: Counter = Counter()
    reason_hours: dict[str, Decimal] = defaultdict(Decimal)
    area_hours: dict[str, Decimal] = defaultdict(Decimal)
    for ret in returns:
        for row in _handback_rows(ret):
            reason = str(row.get("reason") or "") or "not_given"
            area = str(row.get("area") or "").strip() or "Not given"
            weekly = number(row.get("weekly_hours")) or Decimal(0)
            reasons[reason] += 1
            areas[area] += 1
            reason_hours[reason] += weekly
            area_hours[area] += weekly
    labels = {**REASON_LABELS, "not_given": "Not given"}
    return Handbacks(
        start,
        end,
        len(returns),
        sum(reasons.values()),
        _groups(reasons, reason_hours, labels),
        _groups(areas, area_hours, {}),
    )


def _quarter_returns(contracts: list[Contract], start: date, end: date) -> list[MonthlyReturn]:
    """The contracts' submitted returns for the quarter's months."""
    return list(
        db.session.scalars(
            select(MonthlyReturn)
            .where(
                MonthlyReturn.contract_id.in_([c.id for c in contracts]),
                MonthlyReturn.period >= start,
                MonthlyReturn.period <= end,
                MonthlyReturn.versions.any(),
            )
            .options(selectinload(MonthlyReturn.versions))
        )
    )


def _handback_rows(ret: MonthlyReturn) -> list[dict]:
    """The handback rows of the return's latest version (none for a nil return)."""
    data = latest_version_data(ret)
    if data.get("nil_return") is True:
        return []
    rows = saved_part(saved_part(data, "sections"), "handbacks").get("rows")
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []
