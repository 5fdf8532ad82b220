"""The market figures of a council's overview: hours, weekly cost, hourly rates and spare
capacity, from each contract's latest submitted return (its latest version).

Hours per week = delivered hours in the month x 12 / 52, weekly cost = hours per week x
the contract's hourly rate. A nil return counts as no hours. Framework contracts are
compared with the rest (spot, DPS and block). Rates are the contracts' hourly rates, each
contract once. Capacity: spare weekly hours by area. A figure without data is ``None``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Contract, ContractType, MonthlyReturn, Provider

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
PENNY = Decimal("0.01")
FRAMEWORK, OTHER = "framework", "other"
GROUP_LABELS = {FRAMEWORK: "Framework", OTHER: "Spot, DPS and block"}


def number(value) -> Decimal | None:
    """A stored figure ("1498.25", 12, ...) as a Decimal; None when not a finite number."""
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def group_of(contract: Contract) -> str:
    return FRAMEWORK if contract.contract_type is ContractType.FRAMEWORK else OTHER


# --- market: hours, cost and rates ---------------------------------------------------


@dataclass
class ContractFigures:
    """One contract's figures from its latest submitted return (None: not reported)."""

    contract: Contract
    period: date | None = None
    hours_per_week: Decimal | None = None
    weekly_cost: Decimal | None = None
    capacity: list[dict] = field(default_factory=list)


@dataclass
class Totals:
    contracts: int = 0
    providers: int = 0
    reporting: int = 0  # contracts whose latest return gave delivered hours
    hours_per_week: Decimal | None = None
    weekly_cost: Decimal | None = None


def _add(total: Decimal | None, value: Decimal | None) -> Decimal | None:
    if value is None:
        return total
    return value if total is None else total + value


@dataclass
class ProviderHours:
    provider: Provider
    framework_hours: Decimal | None = None
    other_hours: Decimal | None = None
    weekly_cost: Decimal | None = None

    @property
    def hours_per_week(self) -> Decimal | None:
        return _add(self.framework_hours, self.other_hours)


@dataclass
class RateRow:
    label: str
    contracts: int
    average: Decimal | None
    lowest: Decimal | None
    highest: Decimal | None


@dataclass
class Market:
    totals: dict[str, Totals]  # framework, other, all
    providers: list[ProviderHours]  # with hours reported, most hours first
    rates: list[RateRow]  # all, framework, other
    periods: list[date]  # the months of the returns used, oldest first

    @property
    def has_hours(self) -> bool:
        return self.totals["all"].hours_per_week is not None


def latest_figures(contracts: list[Contract]) -> list[ContractFigures]:
    """Each contract's figures from the latest version of its latest submitted return."""
    if not contracts:
        return []
    latest: dict[int, MonthlyReturn] = {}
    for ret in db.session.scalars(
        select(MonthlyReturn)
        .where(
            MonthlyReturn.contract_id.in_([c.id for c in contracts]),
            MonthlyReturn.versions.any(),
        )
        .options(selectinload(MonthlyReturn.versions))
        .order_by(MonthlyReturn.period)
    ):
        latest[ret.contract_id] = ret  # ordered by period: the last one wins
    found = []
    for contract in contracts:
        figures = ContractFigures(contract)
        ret = latest.get(contract.id)
        if ret is not None:
            _read_return(figures, ret)
        found.append(figures)
    return found


def saved_part(data: dict, key: str) -> dict:
    """``data[key]`` when it is a dict (saved data of an unexpected shape gives {})."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def latest_version_data(ret: MonthlyReturn) -> dict:
    return max(ret.versions, key=lambda v: v.number).data or {}


def _read_return(figures: ContractFigures, ret: MonthlyReturn) -> None:
    """The return's month, weekly hours and cost (a nil return: none delivered) and
    capacity rows."""
    data = latest_version_data(ret)
    sections = saved_part(data, "sections")
    nil = data.get("nil_return") is True
    figures.period = ret.period
    monthly = Decimal(0) if nil else number(saved_part(sections, "kpis").get("delivered_hours"))
    if monthly is not None and monthly >= 0:
        figures.hours_per_week = monthly / WEEKS_PER_MONTH
        if figures.contract.hourly_rate is not None:
            figures.weekly_cost = figures.hours_per_week * figures.contract.hourly_rate
    areas = saved_part(sections, "capacity").get("areas")
    if not nil:
        figures.capacity = (
            [a for a in areas if isinstance(a, dict)] if isinstance(areas, list) else []
        )


def _rate_row(label: str, contracts: list[Contract]) -> RateRow:
    rates = [c.hourly_rate for c in contracts if c.hourly_rate is not None]
    if not rates:
        return RateRow(label, 0, None, None, None)
    average = (sum(rates, Decimal(0)) / len(rates)).quantize(PENNY, "ROUND_HALF_UP")
    return RateRow(label, len(rates), average, min(rates), max(rates))


def market(figures: list[ContractFigures]) -> Market:
    totals = {key: Totals() for key in (FRAMEWORK, OTHER, "all")}
    providers_in: dict[str, set[int]] = defaultdict(set)
    by_provider: dict[int, ProviderHours] = {}
    for item in figures:
        group = group_of(item.contract)
        for key in (group, "all"):
            _add_to_total(totals[key], item)
            providers_in[key].add(item.contract.provider_id)
        if item.hours_per_week is not None:
            _add_to_provider(by_provider, item, group)
    for key, total in totals.items():
        total.providers = len(providers_in[key])
    contracts = [item.contract for item in figures]
    rates = [
        _rate_row("All contracts", contracts),
        _rate_row("Framework", [c for c in contracts if group_of(c) == FRAMEWORK]),
        _rate_row(GROUP_LABELS[OTHER], [c for c in contracts if group_of(c) == OTHER]),
    ]
    providers = sorted(
        by_provider.values(), key=lambda p: (-(p.hours_per_week or 0), p.provider.name)
    )
    periods = sorted({item.period for item in figures if item.period is not None})
    return Market(totals, providers, rates, periods)


def _add_to_total(total: Totals, item: ContractFigures) -> None:
    total.contracts += 1
    if item.hours_per_week is not None:
        total.reporting += 1
        total.hours_per_week = _add(total.hours_per_week, item.hours_per_week)
        total.weekly_cost = _add(total.weekly_cost, item.weekly_cost)


def _add_to_provider(by_provider: dict[int, ProviderHours], item: ContractFigures, group) -> None:
    contract = item.contract
    row = by_provider.setdefault(contract.provider_id, ProviderHours(contract.provider))
    if group == FRAMEWORK:
        row.framework_hours = _add(row.framework_hours, item.hours_per_week)
    else:
        row.other_hours = _add(row.other_hours, item.hours_per_week)
    row.weekly_cost = _add(row.weekly_cost, item.weekly_cost)


# --- capacity ---------------------------------------------------------------------------


@dataclass
class CapacityRow:
    area: str
    spare_hours: Decimal
    providers: int  # providers offering more than nothing


def is_out_of_date(row: dict, on: date) -> bool:
    """Capacity past its valid-until date on ``on``."""
    try:
        return date.fromisoformat(str(row.get("valid_until"))) < on
    except ValueError:
        return False


def out_of_date_capacity(figures: list[ContractFigures], on: date) -> int:
    """How many areas' answers were left out of the spare hours for being out of date."""
    return sum(1 for item in figures for row in item.capacity if is_out_of_date(row, on))


def capacity_by_area(figures: list[ContractFigures], on: date | None = None) -> list[CapacityRow]:
    """Spare hours by area; answers past their valid-until date on ``on`` are left out."""
    hours: dict[str, Decimal] = defaultdict(Decimal)
    offering: dict[str, set[int]] = defaultdict(set)
    for item in figures:
        for row in item.capacity:
            spare = number(row.get("spare_hours"))
            area = str(row.get("area") or "").strip()
            if spare is None or spare < 0 or not area or (on and is_out_of_date(row, on)):
                continue
            hours[area] += spare
            if spare > 0:
                offering[area].add(item.contract.provider_id)
    return sorted(
        (CapacityRow(area, total, len(offering[area])) for area, total in hours.items()),
        key=lambda r: (-r.spare_hours, r.area),
    )
