"""The figures of a quarterly contract-meeting pack for one provider and one council: every
contract the provider holds with the council, for the three months of a calendar quarter.

Each month's figures come from the latest submitted version of that month's return
(``review.latest_version``); a month with no submitted version shows "No return submitted".
KPIs are worked out as the return pages do (``returns.kpis``); the quarter's figure is the
same percentage over the quarter's summed counts, so a quiet month weighs less than a busy
one. Trends look back six months. Training compliance compares the provider with the whole
council area (``matrix.build_matrix`` as at the quarter's last day). Risk triggers come from
``portal.risk`` as at the quarter's end (or today, for a quarter still running).

Nothing is filled in: a figure without data is ``None`` and the pack says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select

from portal import clock, risk_triggers
from portal.extensions import db
from portal.models import Contract, Council, MeetingAction, Provider
from portal.packs.kpi_table import (
    KpiCell,
    KpiRow,
    Trend,
    commentary_for,
    kpi_rows,
    targets_note,
    trends,
)
from portal.packs.months import (
    MonthReturn,
    PackError,
    Quarter,
    contract_name,
    month_returns,
    trend_months,
)
from portal.packs.sections import (
    CapacityRow,
    HandbackRow,
    TrainingRow,
    WorkforceBlock,
    capacity_rows,
    handback_rows,
    training_rows,
    workforce_block,
)
from portal.queries import organisations

# --- one contract ---------------------------------------------------------------------------


@dataclass
class ContractBlock:
    contract: Contract
    name: str
    months: list[MonthReturn]
    kpis: list[KpiRow]
    capacity_month: MonthReturn | None
    capacity: list[CapacityRow]
    handbacks: list[HandbackRow]
    workforce: WorkforceBlock
    targets_note: str = ""  # which version of the KPI targets judged each month

    @property
    def submitted(self) -> int:
        return sum(1 for m in self.months if m.submitted)

    @property
    def handback_hours(self) -> Decimal:
        return sum((r.weekly_hours or Decimal(0) for r in self.handbacks), Decimal(0))

    @property
    def spare_hours(self) -> Decimal | None:
        figures = [r.spare_hours for r in self.capacity if r.spare_hours is not None]
        return sum(figures, Decimal(0)) if figures else None


def contract_block(
    contract: Contract,
    quarter: Quarter,
    history: dict[tuple[int, date], MonthReturn],
    commentary: dict[tuple[int, str], str],
) -> ContractBlock:
    months = [history[(contract.id, m)] for m in quarter.months]
    latest = next((m for m in reversed(months) if m.reported), None)
    return ContractBlock(
        contract=contract,
        name=contract_name(contract),
        months=months,
        kpis=kpi_rows(contract, months, commentary),
        capacity_month=latest,
        capacity=capacity_rows(latest.section("capacity")) if latest else [],
        handbacks=[row for m in months for row in handback_rows(m.period, m.section("handbacks"))],
        workforce=workforce_block(contract, months),
        targets_note=targets_note(contract, months),
    )


# --- the provider's pack --------------------------------------------------------------------


@dataclass
class ActionRow:
    quarter: str
    text: str
    owner: str
    due_on: date | None
    done_on: date | None

    @property
    def status(self) -> str:
        return f"Done on {risk_triggers.long_date(self.done_on)}" if self.done_on else "Open"


@dataclass
class TriggerRow:
    level: str
    level_label: str
    label: str
    evidence: str
    date: date | None


@dataclass
class ProviderPack:
    council: Council
    provider: Provider
    quarter: Quarter
    built_on: date
    contracts: list[ContractBlock]
    trends: list[Trend]
    training: list[TrainingRow]
    training_as_at: date
    rating: str
    risk_on: date
    triggers: list[TriggerRow]
    actions: list[ActionRow]

    @property
    def rating_label(self) -> str:
        return risk_triggers.LEVEL_LABELS[self.rating]

    @property
    def red_count(self) -> int:
        return sum(1 for b in self.contracts for row in b.kpis for c in row.cells if c.red)

    @property
    def red_cells(self) -> list[tuple[ContractBlock, KpiRow, KpiCell]]:
        return [(b, row, c) for b in self.contracts for row in b.kpis for c in row.red_cells]


def actions_for(council_id: int, provider_id: int, quarter: Quarter) -> list[ActionRow]:
    """Actions recorded at this quarter's meeting, and earlier ones still open or done
    during the quarter: what the meeting goes through."""
    rows = db.session.scalars(
        select(MeetingAction)
        .where(
            MeetingAction.council_id == council_id,
            MeetingAction.provider_id == provider_id,
            MeetingAction.quarter <= quarter.name,
            or_(
                MeetingAction.quarter == quarter.name,
                MeetingAction.done_on.is_(None),
                MeetingAction.done_on.between(quarter.start, quarter.end),
            ),
        )
        .order_by(MeetingAction.quarter, MeetingAction.due_on, MeetingAction.id)
    )
    return [ActionRow(a.quarter, a.text, a.owner or "", a.due_on, a.done_on) for a in rows]


def trigger_rows(council_id: int, provider_id: int, on: date) -> list[TriggerRow]:
    """The provider's risk triggers. The pack is shared with the provider at the meeting, so
    a confidential concern shows only that one is open."""
    return [
        TriggerRow(
            t.level,
            t.level_label,
            t.label,
            risk_triggers.CONFIDENTIAL_CONCERN if t.confidential else t.evidence,
            t.date,
        )
        for t in risk_triggers.triggers_for(council_id, provider_id, on)
    ]


def load(council_id: int, provider_id: int, quarter_text: str) -> ProviderPack:
    quarter = Quarter.parse(quarter_text)
    council = db.session.get(Council, council_id)
    provider = db.session.get(Provider, provider_id)
    if council is None or provider is None:
        raise PackError("The council or provider no longer exists")
    contracts = organisations.contracts_between(council_id, provider_id)
    if not contracts:
        raise PackError(f"{provider.name} has no contract with {council.name}")
    today = clock.today()
    months = trend_months(quarter)
    history = month_returns(contracts, months)
    quarter_months_data = [history[(c.id, m)] for c in contracts for m in quarter.months]
    commentary = commentary_for(quarter_months_data)
    blocks = [contract_block(c, quarter, history, commentary) for c in contracts]
    on = min(quarter.end, today)
    triggers = trigger_rows(council_id, provider_id, on)
    return ProviderPack(
        council=council,
        provider=provider,
        quarter=quarter,
        built_on=today,
        contracts=blocks,
        trends=trends(blocks, history, months),
        training=training_rows(council_id, provider_id, quarter.end),
        training_as_at=quarter.end,
        rating=risk_triggers.worst(triggers),
        risk_on=on,
        triggers=triggers,
        actions=actions_for(council_id, provider_id, quarter),
    )
