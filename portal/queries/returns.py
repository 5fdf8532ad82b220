"""Queries about monthly returns and what hangs off them. Every list has an order."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Contract,
    KpiCommentary,
    MonthlyReturn,
    ReturnComment,
    ReturnVersion,
)
from portal.returns import service


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
            .options(*service.list_options())
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


def return_comment(return_id: int, comment_id: int) -> ReturnComment | None:
    """A comment on this return (the return already looked up within the provider in the
    URL); None for another return's."""
    return db.session.scalar(
        select(ReturnComment).where(
            ReturnComment.id == comment_id, ReturnComment.return_id == return_id
        )
    )


def version_made_by_key(return_id: int, key: str) -> ReturnVersion | None:
    """The version of this return a submission with this key made, if any (a double
    click or a retry)."""
    return db.session.scalar(
        select(ReturnVersion).where(
            ReturnVersion.return_id == return_id, ReturnVersion.submission_key == key
        )
    )


def audit_entries(return_id: int) -> list[AuditEntry]:
    """A return's audit log, newest first."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.return_id == return_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        )
    )


def council_versions_after(council_id: int, after_seq: int, limit: int) -> list[ReturnVersion]:
    """The council's submitted versions after ``after_seq`` in the feed's order, oldest
    first: the versions feed. ``feed_seq`` is taken under the council's lock, so versions
    become visible in that order and each is handed out once (ADR 0015)."""
    return list(
        db.session.scalars(
            select(ReturnVersion)
            .join(MonthlyReturn, ReturnVersion.return_id == MonthlyReturn.id)
            .join(Contract, MonthlyReturn.contract_id == Contract.id)
            .where(Contract.council_id == council_id, ReturnVersion.feed_seq > after_seq)
            .options(selectinload(ReturnVersion.monthly_return))
            .order_by(ReturnVersion.feed_seq)
            .limit(limit)
        )
    )
