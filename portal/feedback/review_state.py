"""What a feedback report says about the review of the returns it covers: accepted,
queried with questions open, or not reviewed before the month locked (a report is made at
the latest when the month locks, whatever the review state)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from portal import clock
from portal.extensions import db
from portal.models import Contract, MonthlyReturn
from portal.returns.calendar import deadlines_for
from portal.vocabulary import ReturnStatus


@dataclass(frozen=True)
class ReviewLine:
    """One return's review, in words, for the top of its report."""

    contract: str
    text: str


def review_lines(council_id: int, provider_id: int, months: tuple[date, ...]) -> list[ReviewLine]:
    """Each submitted return's review state as the report is made: accepted, queried with
    questions still open, or not reviewed (before its month locked, or not yet)."""
    returns = db.session.scalars(
        select(MonthlyReturn)
        .join(Contract, MonthlyReturn.contract_id == Contract.id)
        .where(
            Contract.council_id == council_id,
            Contract.provider_id == provider_id,
            MonthlyReturn.period.in_(months),
            MonthlyReturn.versions.any(),
        )
        .order_by(MonthlyReturn.period, Contract.id)
    )
    return [ReviewLine(_contract_name(ret), _review_text(ret)) for ret in returns]


def _contract_name(ret: MonthlyReturn) -> str:
    framework = ret.contract.framework
    name = framework.name if framework else "Contract outside a framework"
    return f"{ret.period:%B %Y}, {name}"


def _review_text(ret: MonthlyReturn) -> str:
    council = ret.contract.council
    locks_on = deadlines_for(ret.period, council.due_working_day, council.lock_days).locks_on
    when = f"{locks_on.day} {locks_on:%B %Y}"
    if ret.status is ReturnStatus.ACCEPTED:
        return f"Accepted by {council.name}."
    locked = clock.today() >= locks_on
    if ret.status is ReturnStatus.QUERIED:
        still = f"when the month locked on {when}" if locked else "now"
        return f"Queried by {council.name}: questions were still open {still} (see below)."
    if not locked:
        return f"Not reviewed by {council.name} yet. The month locks on {when}."
    return (
        f"Not reviewed by {council.name} before the month locked on {when}: this report "
        "is made from the return as you submitted it."
    )
