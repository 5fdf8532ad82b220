"""The queries part of a feedback report: what the council asked about the period's
returns, with the provider's replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Contract, MonthlyReturn, ReturnComment
from portal.returns import question_targets

if TYPE_CHECKING:
    from portal.feedback.data import Period


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


def _about(comment: ReturnComment) -> str:
    return question_targets.about(comment.section, comment.field)


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
