"""Queries about monthly returns and what hangs off them. Every list has an order."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Contract, KpiCommentary, MonthlyReturn


def returns_of_contracts(contract_ids: Collection[int]) -> list[MonthlyReturn]:
    """Every return of these contracts, newest month first."""
    return list(
        db.session.scalars(
            select(MonthlyReturn)
            .where(MonthlyReturn.contract_id.in_(list(contract_ids)))
            .order_by(MonthlyReturn.period.desc(), MonthlyReturn.contract_id)
        )
    )


def returns_in_months(
    contract_ids: Collection[int], first: date, last: date
) -> list[MonthlyReturn]:
    """The returns of these contracts for the months ``first`` to ``last`` (inclusive),
    with their versions loaded; by contract, then month."""
    return list(
        db.session.scalars(
            select(MonthlyReturn)
            .where(
                MonthlyReturn.contract_id.in_(list(contract_ids)),
                MonthlyReturn.period >= first,
                MonthlyReturn.period <= last,
            )
            .options(selectinload(MonthlyReturn.versions))
            .order_by(MonthlyReturn.contract_id, MonthlyReturn.period)
        )
    )


def council_return(council_id: int, return_id: int) -> MonthlyReturn | None:
    """A return on one of the council's contracts; None for another council's."""
    return db.session.scalar(
        select(MonthlyReturn)
        .join(Contract, MonthlyReturn.contract_id == Contract.id)
        .where(MonthlyReturn.id == return_id, Contract.council_id == council_id)
    )


def kpi_commentary(return_id: int) -> list[KpiCommentary]:
    """The provider's commentary on a return's red KPIs, by KPI code."""
    return list(
        db.session.scalars(
            select(KpiCommentary)
            .where(KpiCommentary.return_id == return_id)
            .order_by(KpiCommentary.kpi, KpiCommentary.id)
        )
    )
