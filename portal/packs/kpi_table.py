"""A contract's KPI table for the quarter (each month, and the quarter over its summed
counts, with the provider's commentary) and the six-month trends the charts draw. Figures
come from ``returns.kpis``, exactly as the return pages show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from portal.extensions import db
from portal.models import Contract, KpiCommentary
from portal.packs.months import MonthReturn, short_month
from portal.returns import kpis

if TYPE_CHECKING:
    from portal.packs.data import ContractBlock

NO_COMMENTARY = "No commentary given"


@dataclass
class KpiCell:
    month: MonthReturn
    result: kpis.KpiResult | None  # None: no figures that month
    commentary: str | None = None

    @property
    def red(self) -> bool:
        return self.result is not None and self.result.rag == "red"


@dataclass
class KpiRow:
    code: str
    name: str
    target_label: str
    cells: list[KpiCell]
    quarter: kpis.KpiResult | None

    @property
    def red_cells(self) -> list[KpiCell]:
        """The cells to show commentary for: red ones, and any the provider commented on."""
        return [c for c in self.cells if c.red or c.commentary]


def _results(contract: Contract, month: MonthReturn) -> dict[str, kpis.KpiResult]:
    if not month.reported:
        return {}
    values = month.section("kpis")
    definitions = kpis.definitions_for(contract.framework_id, month.period)
    return {r.code: r for r in kpis.compute(values, definitions)}


def quarter_results(contract: Contract, months: list[MonthReturn]) -> dict[str, kpis.KpiResult]:
    """The quarter's KPIs over its summed counts, against the last month's definitions."""
    reported = [m for m in months if m.reported]
    if not reported:
        return {}
    definitions = kpis.definitions_for(contract.framework_id, reported[-1].period)
    counts = kpis.summed_counts(m.section("kpis") for m in reported)
    return {r.code: r for r in kpis.compute(counts, definitions)}


def commentary_for(months: list[MonthReturn]) -> dict[tuple[int, str], str]:
    """(return id, KPI code) -> the provider's commentary."""
    ids = [m.ret.id for m in months if m.ret is not None]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(KpiCommentary).where(KpiCommentary.return_id.in_(ids)).order_by(KpiCommentary.id)
    )
    return {(row.return_id, row.kpi): row.text for row in rows}


def kpi_rows(
    contract: Contract, months: list[MonthReturn], commentary: dict[tuple[int, str], str]
) -> list[KpiRow]:
    by_month = [_results(contract, m) for m in months]
    quarter = quarter_results(contract, months)
    codes: dict[str, kpis.KpiResult] = {}
    for results in [*by_month, quarter]:
        for code, result in results.items():
            codes.setdefault(code, result)
    if not codes:  # nothing submitted: still list the KPIs the contract is measured on
        definitions = kpis.compute(
            {}, kpis.definitions_for(contract.framework_id, months[-1].period)
        )
        codes = {r.code: r for r in definitions}
    rows = []
    for code, first in codes.items():
        cells = [
            KpiCell(
                month,
                results.get(code),
                commentary.get((month.ret.id, code)) if month.ret is not None else None,
            )
            for month, results in zip(months, by_month, strict=True)
        ]
        shown = quarter.get(code) or first
        rows.append(KpiRow(code, first.name, shown.target_label, cells, quarter.get(code)))
    return rows


def targets_note(contract: Contract, months: list[MonthReturn]) -> str:
    """Which version of the targets judged each month ("July to September 2026: version 2
    of the framework's targets (from April 2026)"); months in a row with the same version
    are named together."""
    groups: list[tuple[list[str], str]] = []
    for month in months:
        label = kpis.targets_in_force(contract.framework_id, month.period)
        if groups and groups[-1][1] == label:
            groups[-1][0].append(month.label)
        else:
            groups.append(([month.label], label))
    parts = [
        f"{names[0] if len(names) == 1 else names[0] + ' to ' + names[-1]}: {label}"
        for names, label in groups
    ]
    return "Targets applied. " + "; ".join(parts) + "."


@dataclass
class Trend:
    """A KPI over the last six months, one line per contract."""

    code: str
    name: str
    labels: list[str]
    series: dict[str, list[float | None]]
    target: float | None

    @property
    def has_data(self) -> bool:
        """At least two months with a figure: one point is not a trend."""
        return any(sum(v is not None for v in values) >= 2 for values in self.series.values())

    @property
    def description(self) -> str:
        """The chart's figures in words, for readers who cannot see it."""
        parts = []
        for name, values in self.series.items():
            shown = [
                f"{label} {v:.1f}%"
                for label, v in zip(self.labels, values, strict=True)
                if v is not None
            ]
            parts.append(f"{name}: " + (", ".join(shown) or "no figures"))
        return "; ".join(parts)


def trends(
    blocks: list[ContractBlock], history: dict[tuple[int, date], MonthReturn], months: list[date]
) -> list[Trend]:
    """A trend for every KPI with a target that has figures for at least two months."""
    found: dict[str, Trend] = {}
    labels = [short_month(m) for m in months]
    for block in blocks:
        per_month = [_results(block.contract, history[(block.contract.id, m)]) for m in months]
        for row in block.kpis:
            _add_series(found, block.name, row, [r.get(row.code) for r in per_month], labels)
    return [t for t in found.values() if t.has_data]


def _add_series(found: dict[str, Trend], name: str, row, results: list, labels: list[str]) -> None:
    """One contract's line on the KPI's trend (made on first use). A KPI with no target is
    not charted; contracts with different targets get no single target line."""
    targets = {r.target for r in results if r is not None and r.target is not None}
    if not targets:
        return
    target = float(max(targets)) if len(targets) == 1 else None
    trend = found.setdefault(row.code, Trend(row.code, row.name, labels, {}, target))
    if trend.target != target:
        trend.target = None  # contracts with different targets: no single line
    values = [float(r.percent) if r and r.percent is not None else None for r in results]
    if any(v is not None for v in values):
        trend.series[name] = values
