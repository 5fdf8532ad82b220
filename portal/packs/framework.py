"""The framework summary pack: every provider with a contract under one of the council's
frameworks, side by side, for a quarter. Each provider's figures are built exactly as in its
own pack (``portal.packs.data``) from its contracts under this framework, then summed up:
the quarter's KPIs over the summed counts, the latest workforce figures, training
compliance across the mandatory categories, the risk rating and the open actions. A
"Whole framework" row adds every provider's counts together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import clock, risk_triggers
from portal.extensions import db
from portal.models import Contract, Council, Framework, Provider
from portal.packs.data import ContractBlock, actions_for, contract_block, trigger_rows
from portal.packs.kpi_table import commentary_for, quarter_results
from portal.packs.months import MonthReturn, PackError, Quarter, month_returns
from portal.packs.sections import area_overall_percent, overall_percent, training_rows
from portal.returns import kpis

WHOLE_FRAMEWORK = "Whole framework"


@dataclass(frozen=True)
class KpiColumn:
    code: str
    name: str
    target_label: str


@dataclass
class ProviderSummary:
    provider: Provider
    blocks: list[ContractBlock]
    kpis: dict[str, kpis.KpiResult]
    training_percent: float | None
    rating: str
    triggers: list[str]
    open_actions: int
    actions_this_quarter: int

    @property
    def name(self) -> str:
        return self.provider.name

    @property
    def submitted(self) -> int:
        return sum(b.submitted for b in self.blocks)

    @property
    def expected(self) -> int:
        return sum(len(b.months) for b in self.blocks)

    @property
    def handbacks(self) -> int:
        return sum(len(b.handbacks) for b in self.blocks)

    @property
    def handback_hours(self) -> Decimal:
        return sum((b.handback_hours for b in self.blocks), Decimal(0))

    @property
    def spare_hours(self) -> Decimal | None:
        figures = [b.spare_hours for b in self.blocks if b.spare_hours is not None]
        return sum(figures, Decimal(0)) if figures else None

    @property
    def workforce(self):
        """The first contract's workforce figures that were reported (they are the
        provider's, the same on each of its returns)."""
        return next((b.workforce for b in self.blocks if b.workforce.reported), None)

    def latest(self, label: str) -> Decimal | str | None:
        """The latest month's value of a workforce figure, by its label."""
        workforce = self.workforce
        if workforce is None:
            return None
        row = next((r for r in workforce.rows if r.label == label), None)
        values = [v for v in (row.values if row else []) if v is not None]
        return values[-1] if values else None

    @property
    def rating_label(self) -> str:
        return risk_triggers.LEVEL_LABELS[self.rating]


@dataclass
class FrameworkPack:
    council: Council
    framework: Framework
    quarter: Quarter
    built_on: date
    risk_on: date
    columns: list[KpiColumn]
    providers: list[ProviderSummary]
    whole: dict[str, kpis.KpiResult]
    area_training_percent: float | None


def _months(blocks: list[ContractBlock]) -> list[MonthReturn]:
    return sorted((m for b in blocks for m in b.months), key=lambda m: m.period)


def framework_contracts(council_id: int, framework_id: int) -> list[Contract]:
    return list(
        db.session.scalars(
            select(Contract)
            .where(Contract.council_id == council_id, Contract.framework_id == framework_id)
            .options(
                selectinload(Contract.provider),
                selectinload(Contract.framework),
                selectinload(Contract.area),
            )
            .order_by(Contract.id)
        )
    )


def _summary(council_id, provider, blocks, quarter: Quarter, on: date) -> ProviderSummary:
    triggers = trigger_rows(council_id, provider.id, on)
    actions = actions_for(council_id, provider.id, quarter)
    return ProviderSummary(
        provider=provider,
        blocks=blocks,
        kpis=quarter_results(blocks[0].contract, _months(blocks)),
        training_percent=overall_percent(training_rows(council_id, provider.id, quarter.end)),
        rating=risk_triggers.worst(triggers),
        triggers=[f"{t.level_label}: {t.label}" for t in triggers],
        open_actions=sum(1 for a in actions if a.done_on is None),
        actions_this_quarter=sum(1 for a in actions if a.quarter == quarter.name),
    )


def _columns(framework_id: int, quarter: Quarter) -> list[KpiColumn]:
    results = kpis.compute({}, kpis.definitions_for(framework_id, quarter.months[-1]))
    return [KpiColumn(r.code, r.name, r.target_label) for r in results]


def load(council_id: int, framework_id: int, quarter_text: str) -> FrameworkPack:
    quarter = Quarter.parse(quarter_text)
    council = db.session.get(Council, council_id)
    framework = db.session.get(Framework, framework_id)
    if council is None or framework is None or framework.council_id != council_id:
        raise PackError("The framework is not one of this council's frameworks")
    contracts = framework_contracts(council_id, framework_id)
    if not contracts:
        raise PackError(f"No provider has a contract under {framework.name}")
    history = month_returns(contracts, list(quarter.months))
    commentary = commentary_for(list(history.values()))
    by_provider: dict[int, list[ContractBlock]] = {}
    for contract in contracts:
        block = contract_block(contract, quarter, history, commentary)
        by_provider.setdefault(contract.provider_id, []).append(block)
    today = clock.today()
    on = min(quarter.end, today)
    summaries = [
        _summary(council_id, blocks[0].contract.provider, blocks, quarter, on)
        for blocks in by_provider.values()
    ]
    every = [b for blocks in by_provider.values() for b in blocks]
    return FrameworkPack(
        council=council,
        framework=framework,
        quarter=quarter,
        built_on=today,
        risk_on=on,
        columns=_columns(framework_id, quarter),
        providers=sorted(summaries, key=lambda s: s.name.lower()),
        whole=quarter_results(contracts[0], _months(every)),
        area_training_percent=area_overall_percent(council_id, quarter.end),
    )
