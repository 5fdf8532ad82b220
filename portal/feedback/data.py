"""The figures of a feedback report: one council x provider x period (a month ``2026-10``
or a calendar quarter ``2026-Q3``). Plain dataclasses, so the page and the PDF show the
same thing and tests can check the numbers without HTML.

- KPIs: per framework the provider works under for the council, its percentages from the
  counts of its latest submitted versions (summed over the months and its contracts on the
  framework, so a quarter is its three months together), against the targets, and against
  the other providers on the framework (median and quartiles, like a spreadsheet's
  QUARTILE.INC; not shown when fewer than 3 of them have a figure).
- Trends: the same percentages for each of the 6 months ending with the period.
- Training: its % compliant per mandatory category against the council area's, from the
  super training matrix as at the period end (the area's only with 3 or more providers).
- Expiring: its staff whose current record in a category expires within 90 days after
  the period end (its own worker ids: the provider's eyes only).
- Queries: what the council asked about the period's returns, with the replies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    Contract,
    Council,
    MonthlyReturn,
    Provider,
    ReturnComment,
    ReturnVersion,
    StaffMember,
)
from portal.queries.organisations import contracts_between
from portal.returns import kpis
from portal.returns import staff_rules as rules
from portal.returns.calendar import (
    last_day_of,
    months_to,
    parse_quarter,
    quarter_label,
    quarter_months,
)
from portal.returns.service import SECTION_TITLES
from portal.training_compliance import training_comparison
from portal.training_matrix_suppression import MIN_PROVIDERS

EXPIRING_DAYS = rules.EXPIRING_WITHIN_DAYS
NOT_ENOUGH = "Not enough providers to compare"
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


# --- the period ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    name: str  # "2026-10" or "2026-Q3"
    months: tuple[date, ...]  # first days of the months covered

    @property
    def is_quarter(self) -> bool:
        return len(self.months) > 1

    @property
    def start(self) -> date:
        return self.months[0]

    @property
    def end(self) -> date:
        return last_day_of(self.months[-1])

    @property
    def label(self) -> str:
        return quarter_label(self.start) if self.is_quarter else f"{self.start:%B %Y}"


def parse_period(text: str | None) -> Period | None:
    """A month ``YYYY-MM`` or a quarter ``YYYY-Qn``; None for anything else."""
    text = (text or "").strip().upper()
    quarter = parse_quarter(text)
    if quarter is not None:
        return Period(text, tuple(quarter_months(quarter)))
    match = _MONTH.match(text)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        return None
    return Period(text, (date(int(match.group(1)), int(match.group(2)), 1),))


def trend_months(period: Period) -> list[date]:
    """The 6 months ending with the period's last month, oldest first."""
    return months_to(period.months[-1])


# --- the figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerStats:
    """The other providers' figures for one KPI: how many have one, and (3 or more only)
    their median and quartiles."""

    count: int
    lower_quartile: Decimal | None = None
    median: Decimal | None = None
    upper_quartile: Decimal | None = None

    @property
    def enough(self) -> bool:
        return self.median is not None


@dataclass(frozen=True)
class KpiLine:
    code: str
    name: str
    percent: Decimal | None
    target_label: str
    rag: str | None
    rag_label: str
    direction: str | None
    peers: PeerStats

    @property
    def percent_label(self) -> str:
        return percent_text(self.percent)

    @property
    def position(self) -> str:
        """Where the provider sits among the others, in words ("" when it cannot say)."""
        p, stats = self.percent, self.peers
        if p is None or not stats.enough:
            return ""
        if p == stats.median:
            return "At the median"
        if self.direction is None:
            return "Above the median" if p > stats.median else "Below the median"
        better = p > stats.median if self.direction == "higher" else p < stats.median
        best, worst = (
            (stats.upper_quartile, stats.lower_quartile)
            if self.direction == "higher"
            else (stats.lower_quartile, stats.upper_quartile)
        )
        if better:
            beyond = p >= best if self.direction == "higher" else p <= best
            return "In the best quarter" if beyond else "Better than the median"
        beyond = p <= worst if self.direction == "higher" else p >= worst
        return "In the worst quarter" if beyond else "Worse than the median"


@dataclass(frozen=True)
class TrendLine:
    code: str
    name: str
    values: list[Decimal | None]  # one per trend month
    target: Decimal | None


@dataclass
class FrameworkFeedback:
    """The KPIs of the provider's contracts under one framework (or its spot contracts)."""

    framework_id: int | None
    name: str
    months_reported: list[date]  # months of the period with a submitted return
    kpis: list[KpiLine]
    trend_months: list[date]
    trends: list[TrendLine]


@dataclass(frozen=True)
class TrainingLine:
    code: int
    name: str
    provider_percent: float | None
    provider_staff: int
    area_percent: float | None  # None when there is nothing to show (see area_shown)
    area_shown: bool  # False when fewer than 3 providers make up the area's figure


@dataclass(frozen=True)
class ExpiringStaff:
    worker_id: str
    branch: str
    category: str
    expiry_date: date


@dataclass(frozen=True)
class Reply:
    text: str
    at: date


@dataclass(frozen=True)
class Query:
    month: date
    about: str  # "KPIs: Missed visits"
    text: str
    at: date
    resolved: bool
    replies: list[Reply]


@dataclass
class Feedback:
    council_id: int
    council_name: str
    provider_id: int
    provider_name: str
    period: Period
    frameworks: list[FrameworkFeedback]
    training: list[TrainingLine]
    expiring: list[ExpiringStaff]
    queries: list[Query]
    training_staff: int = 0
    area_providers: int = 0

    @property
    def as_at(self) -> date:
        return self.period.end

    @property
    def expiring_until(self) -> date:
        return self.period.end + timedelta(days=EXPIRING_DAYS)


def percent_text(value: Decimal | float | None) -> str:
    return "No figure" if value is None else f"{value:.1f}%"


# --- reading submitted returns ---------------------------------------------------------------


@dataclass(frozen=True)
class _Sent:
    return_id: int
    period: date
    provider_id: int
    framework_id: int | None
    counts: dict


def _sent(council_id: int, months: Iterable[date], *conditions) -> list[_Sent]:
    """The latest submitted version of each return of the council in ``months``."""
    latest = (
        select(ReturnVersion.return_id, func.max(ReturnVersion.number).label("number"))
        .group_by(ReturnVersion.return_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            MonthlyReturn.id,
            MonthlyReturn.period,
            Contract.provider_id,
            Contract.framework_id,
            ReturnVersion.data,
        )
        .join(Contract, MonthlyReturn.contract_id == Contract.id)
        .join(latest, latest.c.return_id == MonthlyReturn.id)
        .join(
            ReturnVersion,
            (ReturnVersion.return_id == MonthlyReturn.id)
            & (ReturnVersion.number == latest.c.number),
        )
        .where(Contract.council_id == council_id, MonthlyReturn.period.in_(list(months)))
        .where(*conditions)
        .order_by(MonthlyReturn.period, MonthlyReturn.id)
    )
    found = []
    for return_id, period, provider_id, framework_id, data in rows:
        data = data or {}
        counts = {} if data.get("nil_return") else (data.get("sections") or {}).get("kpis") or {}
        found.append(_Sent(return_id, period, provider_id, framework_id, counts))
    return found


def quantile(ordered: list[Decimal], fraction: Decimal) -> Decimal:
    """The inclusive quantile (QUARTILE.INC) of sorted values, to 1 decimal place."""
    position = (len(ordered) - 1) * fraction
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    value = ordered[below] + (ordered[above] - ordered[below]) * (position - below)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def peer_stats(values: Iterable[Decimal | None]) -> PeerStats:
    known = sorted(v for v in values if v is not None)
    if len(known) < MIN_PROVIDERS:
        return PeerStats(len(known))
    return PeerStats(
        len(known),
        quantile(known, Decimal("0.25")),
        quantile(known, Decimal("0.5")),
        quantile(known, Decimal("0.75")),
    )


# --- the parts of the report ------------------------------------------------------------------


def _framework_name(contract: Contract) -> str:
    return contract.framework.name if contract.framework else "Contracts outside a framework"


def _by_provider(sent: list[_Sent]) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for item in sent:
        if item.counts:
            grouped.setdefault(item.provider_id, []).append(item.counts)
    return grouped


def _framework_feedback(
    council_id: int, provider_id: int, framework_id: int | None, name: str, period: Period
) -> FrameworkFeedback:
    same_framework = (
        Contract.framework_id.is_(None)
        if framework_id is None
        else Contract.framework_id == framework_id
    )
    definitions = kpis.definitions_for(framework_id, period.months[-1])
    months = trend_months(period)  # they end with the period's months
    history = _sent(council_id, months, same_framework, Contract.provider_id == provider_id)
    own = [s for s in history if s.period in period.months]
    results = kpis.compute(kpis.summed_counts(s.counts for s in own), definitions)
    peer_results = (
        _peer_results(council_id, provider_id, period, same_framework, definitions)
        if framework_id is not None
        else []
    )
    return FrameworkFeedback(
        framework_id=framework_id,
        name=name,
        months_reported=sorted({s.period for s in own if s.counts}),
        kpis=_kpi_lines(results, peer_results),
        trend_months=months,
        trends=_trends(history, months, results, definitions),
    )


def _peer_results(
    council_id: int, provider_id: int, period: Period, same_framework, definitions
) -> list[list[kpis.KpiResult]]:
    """Each other provider's KPI results on the framework for the period."""
    others = _sent(council_id, period.months, same_framework, Contract.provider_id != provider_id)
    return [
        kpis.compute(kpis.summed_counts(counts), definitions)
        for counts in _by_provider(others).values()
    ]


def _kpi_lines(
    results: list[kpis.KpiResult], peer_results: list[list[kpis.KpiResult]]
) -> list[KpiLine]:
    return [
        KpiLine(
            r.code,
            r.name,
            r.percent,
            r.target_label,
            r.rag,
            r.rag_label,
            r.direction,
            peer_stats(p[index].percent for p in peer_results),
        )
        for index, r in enumerate(results)
    ]


def _trends(
    history: list[_Sent], months: list[date], results: list[kpis.KpiResult], definitions
) -> list[TrendLine]:
    """Each KPI's percentage month by month over the trend months."""
    by_month = [
        kpis.compute(kpis.summed_counts(s.counts for s in history if s.period == m), definitions)
        for m in months
    ]
    return [
        TrendLine(r.code, r.name, [month[index].percent for month in by_month], r.target)
        for index, r in enumerate(results)
    ]


def _training(
    council_id: int, provider_id: int, as_at: date
) -> tuple[list[TrainingLine], int, int]:
    comparison = training_comparison(council_id, provider_id, as_at)
    lines = []
    for row in comparison.rows:
        shown = row.area_providers >= MIN_PROVIDERS
        lines.append(
            TrainingLine(
                code=row.code,
                name=row.name,
                provider_percent=row.percent,
                provider_staff=row.in_scope,
                area_percent=row.area_percent if shown else None,
                area_shown=shown,
            )
        )
    return lines, comparison.staff_count, comparison.area_provider_count


def expiring_staff(provider_id: int, as_at: date) -> list[ExpiringStaff]:
    """Staff still employed at ``as_at`` whose current record in a category expires
    within 90 days after it (from the provider's records as they are now, so training
    renewed since drops off the list)."""
    members = db.session.scalars(
        select(StaffMember)
        .where(
            StaffMember.provider_id == provider_id,
            or_(StaffMember.left_on.is_(None), StaffMember.left_on >= as_at),
        )
        .options(selectinload(StaffMember.training), selectinload(StaffMember.branch))
        .order_by(StaffMember.worker_id)
    )
    found = []
    for member in members:
        for code in sorted({r.category for r in member.training}):
            record = rules.current_record(member.training, code)
            expiry = record.expiry_date
            if expiry and rules.training_status(expiry, as_at) == rules.STATUS_EXPIRING:
                found.append(
                    ExpiringStaff(
                        member.worker_id,
                        member.branch.name if member.branch else "",
                        rules.category_name(code),
                        expiry,
                    )
                )
    return sorted(found, key=lambda s: (s.expiry_date, s.worker_id, s.category))


def _about(comment: ReturnComment) -> str:
    section = SECTION_TITLES.get(comment.section or "", "The whole return")
    if not comment.field:
        return section
    return f"{section}: {kpis.LABELS.get(comment.field, comment.field)}"


def council_queries(council_id: int, provider_id: int, period: Period) -> list[Query]:
    rows = db.session.execute(
        select(ReturnComment, MonthlyReturn.period)
        .join(MonthlyReturn, ReturnComment.return_id == MonthlyReturn.id)
        .join(Contract, MonthlyReturn.contract_id == Contract.id)
        .where(
            Contract.council_id == council_id,
            Contract.provider_id == provider_id,
            MonthlyReturn.period.in_(period.months),
            ReturnComment.kind == "query",
        )
        .options(selectinload(ReturnComment.replies))
        .order_by(MonthlyReturn.period, ReturnComment.at, ReturnComment.id)
    ).all()
    return [
        Query(
            month=month,
            about=_about(c),
            text=c.text,
            at=c.at.date(),
            resolved=c.resolved,
            replies=[Reply(r.text, r.at.date()) for r in c.replies if r.kind == "reply"],
        )
        for c, month in rows
    ]


# --- the report -----------------------------------------------------------------------------


def feedback_for(council_id: int, provider_id: int, period: str | Period) -> Feedback:
    """The whole report. Raises ValueError for a period that is not a month or quarter
    or a provider without a contract with the council."""
    parsed = period if isinstance(period, Period) else parse_period(period)
    if parsed is None:
        raise ValueError(f"not a month or quarter: {period!r}")
    contracts = contracts_between(council_id, provider_id)
    if not contracts:
        raise ValueError("the provider has no contract with the council")
    frameworks: dict[int | None, str] = {}
    for contract in contracts:
        frameworks.setdefault(contract.framework_id, _framework_name(contract))
    ordered = sorted(frameworks.items(), key=lambda item: (item[0] is None, item[1]))
    training, staff, area_providers = _training(council_id, provider_id, parsed.end)
    return Feedback(
        council_id=council_id,
        council_name=db.session.get(Council, council_id).name,
        provider_id=provider_id,
        provider_name=db.session.get(Provider, provider_id).name,
        period=parsed,
        frameworks=[
            _framework_feedback(council_id, provider_id, fid, name, parsed) for fid, name in ordered
        ],
        training=training,
        expiring=expiring_staff(provider_id, parsed.end),
        queries=council_queries(council_id, provider_id, parsed),
        training_staff=staff,
        area_providers=area_providers,
    )
