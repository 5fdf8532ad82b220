"""The calendar quarter a pack covers, and each contract's months in it: the latest
submitted version of each month's return (``review.latest_version``), or nothing submitted
("No return submitted"), or a month the council did not ask for ("Not expected")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Contract, MonthlyReturn
from portal.returns import service
from portal.returns.calendar import (
    last_day_of,
    months_to,
    parse_quarter,
    quarter_label,
    quarter_months,
    quarter_name,
)
from portal.returns.review import latest_version

NO_RETURN = "No return submitted"
NOT_EXPECTED = "Not expected: before the council went live or outside the contract"
NIL_RETURN = "Nil return: no service this month"


class PackError(Exception):
    """A pack that cannot be built, with the reason in words for the person who asked."""


@dataclass(frozen=True)
class Quarter:
    name: str  # 2026-Q3
    start: date  # the first day of its first month
    months: tuple[date, ...]
    label: str  # July to September 2026

    @property
    def end(self) -> date:
        return last_day_of(self.months[-1])

    @classmethod
    def parse(cls, text: str) -> Quarter:
        start = parse_quarter(text)
        if start is None:
            raise PackError(
                f"Enter the quarter as a year and quarter number, like 2026-Q3 (not {text!r})"
            )
        return cls(quarter_name(start), start, tuple(quarter_months(start)), quarter_label(start))


def short_month(period: date) -> str:
    return f"{period:%b %Y}"


def trend_months(quarter: Quarter) -> list[date]:
    """The six months up to the quarter's last month, oldest first."""
    return months_to(quarter.months[-1])


def contract_name(contract: Contract) -> str:
    """ "Support to Live at Home, ME4" or "Spot contract"."""
    if contract.framework is None:
        return f"{contract.contract_type.label} contract"
    return contract.framework.name + (f", {contract.area.name}" if contract.area else "")


# --- each month's submitted data ------------------------------------------------------------


@dataclass
class MonthReturn:
    """One contract's month: the latest submitted version's data, or nothing submitted."""

    period: date
    ret: MonthlyReturn | None = None
    data: dict = field(default_factory=dict)
    version_number: int | None = None
    expected: bool = True  # the council asked for this month (go-live, contract dates)

    @property
    def submitted(self) -> bool:
        return self.version_number is not None

    @property
    def nil(self) -> bool:
        return self.submitted and self.data.get("nil_return") is True

    @property
    def reported(self) -> bool:
        """Submitted with figures (not a nil return)."""
        return self.submitted and not self.nil

    @property
    def label(self) -> str:
        return service.period_label(self.period)

    @property
    def note(self) -> str:
        if not self.submitted:
            return NO_RETURN if self.expected else NOT_EXPECTED
        return NIL_RETURN if self.nil else ""

    def section(self, code: str) -> dict:
        sections = self.data.get("sections") if isinstance(self.data.get("sections"), dict) else {}
        found = sections.get(code) if self.reported else None
        return found if isinstance(found, dict) else {}


def month_returns(
    contracts: list[Contract], months: list[date]
) -> dict[tuple[int, date], MonthReturn]:
    """(contract id, month) -> its submitted data, for every contract and month asked for."""
    found = {
        (c.id, m): MonthReturn(m, expected=service.is_expected(c, m))
        for c in contracts
        for m in months
    }
    if not contracts:
        return found
    rows = db.session.scalars(
        select(MonthlyReturn)
        .where(
            MonthlyReturn.contract_id.in_([c.id for c in contracts]),
            MonthlyReturn.period.in_(months),
            MonthlyReturn.versions.any(),
        )
        .options(selectinload(MonthlyReturn.versions))
        .order_by(MonthlyReturn.id)
    )
    for ret in rows:
        version = latest_version(ret)
        found[(ret.contract_id, ret.period)] = MonthReturn(
            ret.period, ret, version.data or {}, version.number
        )
    return found
