"""The figures of a council's overview, worked out from the stored data only.

- Risk: each provider's current RAG rating (``risk.council_ratings`` recomputes any that
  are missing or stale).
- CQC: each provider is counted once, at its worst rated branch (inadequate, then
  requires improvement, good, outstanding); a provider none of whose branches has been
  rated counts as "Not yet rated". Framework providers (a framework contract with the
  council) are compared with all the providers the council contracts with.
- Market: hours and weekly cost come from each contract's latest submitted return (its
  latest version): hours per week = delivered hours in the month x 12 / 52, weekly cost =
  hours per week x the contract's hourly rate. A nil return counts as no hours. Framework
  contracts are compared with the rest (spot, DPS and block). Rates are the contracts'
  hourly rates, each contract once.
- Handbacks: rows of the latest version of each return for a month in the current
  calendar quarter.
- Capacity: spare weekly hours by area from each contract's latest submitted return.

Nothing is filled in: a figure without data is ``None`` and the page says so."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import risk
from portal.extensions import db
from portal.models import (
    Contract,
    ContractType,
    CqcRating,
    MonthlyReturn,
    Provider,
)
from portal.returns import service
from portal.returns.sections.handbacks_rules import REASON_LABELS

WEEKS_PER_MONTH = Decimal(52) / Decimal(12)
PENNY = Decimal("0.01")
FRAMEWORK, OTHER = "framework", "other"
GROUP_LABELS = {FRAMEWORK: "Framework", OTHER: "Spot, DPS and block"}
# Worst first: a provider is counted at the first of these any branch has.
CQC_ORDER = [
    CqcRating.INADEQUATE,
    CqcRating.REQUIRES_IMPROVEMENT,
    CqcRating.GOOD,
    CqcRating.OUTSTANDING,
]
CQC_SHOWN = [*CQC_ORDER, CqcRating.NOT_YET_RATED]


def number(value) -> Decimal | None:
    """A stored figure ("1498.25", 12, ...) as a Decimal; None when not a finite number."""
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def percent(part: int, whole: int) -> int | None:
    """Whole per cent, rounded half up; None when there is nothing to divide by."""
    if not whole:
        return None
    return int((Decimal(part * 100) / Decimal(whole)).quantize(Decimal(1), "ROUND_HALF_UP"))


def quarter_of(day: date) -> tuple[date, date]:
    """The first days of the first and last months of ``day``'s calendar quarter."""
    first_month = (day.month - 1) // 3 * 3 + 1
    return date(day.year, first_month, 1), date(day.year, first_month + 2, 1)


def group_of(contract: Contract) -> str:
    return FRAMEWORK if contract.contract_type is ContractType.FRAMEWORK else OTHER


# --- RAG ----------------------------------------------------------------------------


@dataclass
class RagSummary:
    counts: dict[str, int]  # red, amber, green
    ratings: list  # RiskRating, red first

    @property
    def total(self) -> int:
        return len(self.ratings)


def rag_summary(council_id: int) -> RagSummary:
    ratings = risk.council_ratings(council_id)
    counts = {level: sum(1 for r in ratings if r.rating == level) for level in risk.SEVERITY}
    return RagSummary(counts, ratings)


# --- CQC ----------------------------------------------------------------------------


def provider_rating(provider: Provider) -> CqcRating:
    """The provider's worst rated branch; "not yet rated" when none is rated."""
    found = {branch.cqc_rating for branch in provider.branches}
    for rating in CQC_ORDER:
        if rating in found:
            return rating
    return CqcRating.NOT_YET_RATED


@dataclass
class CqcRow:
    rating: CqcRating
    framework: int
    framework_percent: int | None
    all: int
    all_percent: int | None


@dataclass
class CqcComparison:
    framework_total: int
    all_total: int
    rows: list[CqcRow]


def cqc_comparison(contracts: list[Contract]) -> CqcComparison:
    providers = {c.provider_id: c.provider for c in contracts}
    framework_ids = {c.provider_id for c in contracts if group_of(c) == FRAMEWORK}
    ratings = {pid: provider_rating(p) for pid, p in providers.items()}
    every = Counter(ratings.values())
    framework = Counter(r for pid, r in ratings.items() if pid in framework_ids)
    rows = [
        CqcRow(
            rating,
            framework[rating],
            percent(framework[rating], len(framework_ids)),
            every[rating],
            percent(every[rating], len(providers)),
        )
        for rating in CQC_SHOWN
    ]
    return CqcComparison(len(framework_ids), len(providers), rows)


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


def _part(data: dict, key: str) -> dict:
    """``data[key]`` when it is a dict (saved data of an unexpected shape gives {})."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _latest_data(ret: MonthlyReturn) -> dict:
    return max(ret.versions, key=lambda v: v.number).data or {}


def _read_return(figures: ContractFigures, ret: MonthlyReturn) -> None:
    """The return's month, weekly hours and cost (a nil return: none delivered) and
    capacity rows."""
    data = _latest_data(ret)
    sections = _part(data, "sections")
    nil = data.get("nil_return") is True
    figures.period = ret.period
    monthly = Decimal(0) if nil else number(_part(sections, "kpis").get("delivered_hours"))
    if monthly is not None and monthly >= 0:
        figures.hours_per_week = monthly / WEEKS_PER_MONTH
        if figures.contract.hourly_rate is not None:
            figures.weekly_cost = figures.hours_per_week * figures.contract.hourly_rate
    areas = _part(sections, "capacity").get("areas")
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


def capacity_by_area(figures: list[ContractFigures]) -> list[CapacityRow]:
    hours: dict[str, Decimal] = defaultdict(Decimal)
    offering: dict[str, set[int]] = defaultdict(set)
    for item in figures:
        for row in item.capacity:
            spare = number(row.get("spare_hours"))
            area = str(row.get("area") or "").strip()
            if spare is None or spare < 0 or not area:
                continue
            hours[area] += spare
            if spare > 0:
                offering[area].add(item.contract.provider_id)
    return sorted(
        (CapacityRow(area, total, len(offering[area])) for area, total in hours.items()),
        key=lambda r: (-r.spare_hours, r.area),
    )


# --- handbacks ---------------------------------------------------------------------------


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
    data = _latest_data(ret)
    if data.get("nil_return") is True:
        return []
    rows = _part(_part(data, "sections"), "handbacks").get("rows")
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


# --- everything ----------------------------------------------------------------------


@dataclass
class Overview:
    rag: RagSummary
    cqc: CqcComparison
    market: Market
    capacity: list[CapacityRow]
    handbacks: Handbacks
    contracts: int


def council_contracts(council_id: int) -> list[Contract]:
    return list(
        db.session.scalars(
            select(Contract)
            .where(Contract.council_id == council_id)
            .options(
                selectinload(Contract.provider).selectinload(Provider.branches),
                selectinload(Contract.framework),
                selectinload(Contract.area),
            )
            .order_by(Contract.id)
        )
    )


def build(council_id: int, on: date | None = None) -> Overview:
    on = on or service.today()
    contracts = council_contracts(council_id)
    figures = latest_figures(contracts)
    return Overview(
        rag=rag_summary(council_id),
        cqc=cqc_comparison(contracts),
        market=market(figures),
        capacity=capacity_by_area(figures),
        handbacks=handbacks(contracts, on),
        contracts=len(contracts),
    )
