"""Demo returns: opening six months of returns for Medway's framework contracts, their
training sections from the providers' staff, and the council's reviews (some accepted,
some queried, the rest never reviewed)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.demo import workforce
from portal.extensions import db
from portal.models import Contract, MonthlyReturn, ReturnSection, User
from portal.returns import review, service
from portal.returns.calendar import last_day_of

COMMISSIONER = "commissioner@medway.example"


def add_workforces(contracts: list[Contract], today: date) -> int:
    added = 0
    for index, provider in enumerate(dict.fromkeys(c.provider for c in contracts)):
        added += workforce.add_workforce(provider, index, today)
    db.session.commit()
    return added


def open_periods(contracts: list[Contract], today: date, months: int) -> list[date]:
    """The ``months`` periods before last month's, each contract's return opened for each
    (the portal itself opens only the most recent ones)."""
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
    periods = []
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
        periods.append(first)
    existing = {
        (r.contract_id, r.period)
        for r in db.session.scalars(
            select(MonthlyReturn).where(MonthlyReturn.contract_id.in_([c.id for c in contracts]))
        )
    }
    for contract in contracts:
        framework = contract.framework
        for period in periods:
            if (contract.id, period) in existing:
                continue
            if framework and not framework.start_date.replace(day=1) <= period:
                continue
            ret = MonthlyReturn(contract_id=contract.id, period=period)
            db.session.add(ret)
            db.session.flush()
            for code, _ in service.SECTIONS:
                db.session.add(ReturnSection(return_id=ret.id, code=code, data={}))
    db.session.commit()
    return periods


def training_section(ret: MonthlyReturn) -> dict:
    contract = ret.contract
    return workforce.training_section(
        contract.provider_id, contract.council_id, last_day_of(ret.period)
    )


def review_return(ret: MonthlyReturn, index: int, months_back: int) -> None:
    """A few older returns accepted, a few of the latest month's queried, the rest never
    reviewed (they get their feedback when their month locks: ``flask queue-feedback``
    or the daily job)."""
    commissioner = db.session.scalar(select(User).where(User.email == COMMISSIONER))
    if commissioner is None:
        return
    if months_back == 0 and index % 4 == 1:
        review.query(
            ret,
            commissioner,
            "kpis:missed_visits",
            "Missed visits are higher than last month: what happened, and what are you doing?",
        )
    elif months_back in (1, 2) and index % 5 == 0:  # each builds a PDF: a few will do
        review.accept(ret, commissioner, "Thank you: accepted.")
