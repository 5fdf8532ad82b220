"""The KPI part of a feedback report, per framework the provider works under for the
council: its percentages from the counts of its latest submitted versions (summed over
the months and its contracts on the framework, so a quarter is its three months
together), against the targets, and against the other providers on the framework (median
and quartiles, like a spreadsheet's QUARTILE.INC; not shown when fewer than 3 of them
have a figure); and the same percentages for each of the 6 months ending with the
period (the trends)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Contract, MonthlyReturn, ReturnVersion
from portal.returns import kpis
from portal.returns.calendar import months_to
from portal.returns.opening import is_expected
from portal.training_matrix_suppression import MIN_PROVIDERS

if TYPE_CHECKING:
    from portal.feedback.data import Period


def trend_months(period: Period) -> list[date]:
    """The 6 months ending with the period's last month, oldest first."""
    return months_to(period.months[-1])


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
    # Whether the council asked for a return that month (after its go-live month and
    # within a contract's dates); a month it did not is "Not expected", not a gap.
    expected: list[bool]


def percent_text(value: Decimal | float | None) -> str:
    return "No figure" if value is None else f"{value:.1f}%"


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


def _by_provider(sent: list[_Sent]) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for item in sent:
        if item.counts:
            grouped.setdefault(item.provider_id, []).append(item.counts)
    return grouped


def framework_feedback(
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
        expected=_expected(council_id, provider_id, same_framework, months),
    )


def _expected(council_id: int, provider_id: int, same_framework, months) -> list[bool]:
    contracts = list(
        db.session.scalars(
            select(Contract).where(
                Contract.council_id == council_id,
                Contract.provider_id == provider_id,
                same_framework,
            )
        )
    )
    return [any(is_expected(c, month) for c in contracts) for month in months]


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
