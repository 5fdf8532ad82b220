"""Queries about monthly returns and what hangs off them. Every list has an order."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, exists, false, func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload, with_expression

from portal.extensions import db
from portal.models import (
    AuditEntry,
    Contract,
    Framework,
    KpiCommentary,
    MonthlyReturn,
    ReturnComment,
    ReturnSection,
    ReturnVersion,
)
from portal.vocabulary import ReturnStatus, SectionState


def _provider_return_statement():
    contract = contains_eager(MonthlyReturn.contract)
    sent = exists().where(ReturnVersion.return_id == MonthlyReturn.id)
    talked = exists().where(ReturnComment.return_id == MonthlyReturn.id)
    return (
        select(MonthlyReturn)
        .join(Contract)
        .where(
            MonthlyReturn.id == bindparam("return_id"),
            Contract.provider_id == bindparam("provider_id"),
        )
        .options(
            contract.joinedload(Contract.council),
            contract.joinedload(Contract.framework),
            contract.joinedload(Contract.area),
            joinedload(MonthlyReturn.sections),
            with_expression(MonthlyReturn.sent_when_loaded, sent),
            with_expression(MonthlyReturn.thread_when_loaded, talked),
        )
    )


# Built once: putting the statement and its loader options together was a third of the
# query's time, on every return page.
_PROVIDER_RETURN = _provider_return_statement()


def provider_return(provider_id: int, return_id: int) -> MonthlyReturn | None:
    """The provider's return, or None. The contract with its council, framework and area
    (deadlines, lock, caption), the sections (task list, section pages), whether any
    version was sent (the status) and whether it has a review thread come in one query:
    every return page needs them, and lazily they were up to six more round trips."""
    found = db.session.execute(
        _PROVIDER_RETURN, {"return_id": return_id, "provider_id": provider_id}
    )
    return found.unique().scalar_one_or_none()


def returns_of_contracts(contract_ids: Collection[int]) -> list[MonthlyReturn]:
    """Every return of these contracts, newest month first."""
    return list(
        db.session.scalars(
            select(MonthlyReturn)
            .where(MonthlyReturn.contract_id.in_(list(contract_ids)))
            .order_by(MonthlyReturn.period.desc(), MonthlyReturn.contract_id)
        )
    )


@dataclass(frozen=True, slots=True)
class ReturnGlance:
    """What a grid of returns shows of one, as plain values read in one query: its
    status, when its first version was sent and how many there are, and whether its
    training changed since it was sent. It answers what ``service.display_status`` and
    ``service.deadlines`` ask of a return (``contract`` is the page's, already loaded),
    without loading the return, its versions and its sections as objects (that was most
    of the council's returns grid's time)."""

    id: int
    contract: Contract
    period: date
    status: ReturnStatus
    nil_return: bool
    reopened_until: date | None
    first_sent_at: datetime | None
    version_count: int
    training_unconfirmed: bool

    @property
    def contract_id(self) -> int:
        return self.contract.id

    @property
    def sent(self) -> bool:
        return self.version_count > 0


def _glances_statement(first: bool, last: bool):
    training_unconfirmed = exists().where(
        ReturnSection.return_id == MonthlyReturn.id,
        ReturnSection.code == "training",
        ReturnSection.state == SectionState.IN_PROGRESS,
        ReturnSection.data["confirmed"].as_boolean() == false(),
    )
    conditions = [MonthlyReturn.contract_id.in_(bindparam("contract_ids", expanding=True))]
    if first:
        conditions.append(MonthlyReturn.period >= bindparam("first"))
    if last:
        conditions.append(MonthlyReturn.period <= bindparam("last"))
    return (
        select(
            MonthlyReturn.id,
            MonthlyReturn.contract_id,
            MonthlyReturn.period,
            MonthlyReturn.status,
            MonthlyReturn.nil_return,
            MonthlyReturn.reopened_until,
            func.min(ReturnVersion.submitted_at),
            func.count(ReturnVersion.id),
            training_unconfirmed,
        )
        .outerjoin(ReturnVersion, ReturnVersion.return_id == MonthlyReturn.id)
        .where(*conditions)
        .group_by(MonthlyReturn.id)
        .order_by(MonthlyReturn.contract_id, MonthlyReturn.period)
    )


# Built once for each kind of range (the busiest lists ask on every request).
_GLANCES = {(f, t): _glances_statement(f, t) for f in (False, True) for t in (False, True)}


def return_glances(
    contracts: Collection[Contract], first: date | None = None, last: date | None = None
) -> list[ReturnGlance]:
    """The returns of these contracts (for the months ``first`` to ``last``, inclusive,
    when given) as glances; by contract, then month."""
    by_id = {c.id: c for c in contracts}
    statement = _GLANCES[first is not None, last is not None]
    values = {"contract_ids": list(by_id), "first": first, "last": last}
    rows = db.session.execute(statement, values)
    return [
        ReturnGlance(rid, by_id[cid], period, status, nil, reopened, sent_at, count, bool(flag))
        for rid, cid, period, status, nil, reopened, sent_at, count, flag in rows
    ]


def _council_return_statement():
    contract = contains_eager(MonthlyReturn.contract)
    return (
        select(MonthlyReturn)
        .join(Contract, MonthlyReturn.contract_id == Contract.id)
        .where(
            MonthlyReturn.id == bindparam("return_id"),
            Contract.council_id == bindparam("council_id"),
        )
        .options(
            contract.joinedload(Contract.provider),
            contract.joinedload(Contract.council),
            contract.joinedload(Contract.framework).joinedload(Framework.areas),
            contract.joinedload(Contract.area),
            joinedload(MonthlyReturn.sections),
            selectinload(MonthlyReturn.versions).joinedload(ReturnVersion.submitted_by),
        )
    )


_COUNCIL_RETURN = _council_return_statement()


def council_return(council_id: int, return_id: int) -> MonthlyReturn | None:
    """A return on one of the council's contracts; None for another council's. Its
    contract (provider, council, framework with its lots, area) and sections come in the
    same query, its versions with who sent them in one more: the review page reads them
    all, and lazily they were seven round trips."""
    found = db.session.execute(_COUNCIL_RETURN, {"return_id": return_id, "council_id": council_id})
    return found.unique().scalar_one_or_none()


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
