"""Demo returns: opening six months of returns for Medway's framework contracts, their
training sections from the providers' staff, and the council's reviews (some accepted,
some queried, the rest never reviewed)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.coverage import contract_branch_ids
from portal.demo import workforce
from portal.extensions import db
from portal.models import Contract, MonthlyReturn, User
from portal.returns import review
from portal.returns.calendar import last_day_of

COMMISSIONER = "commissioner@medway.example"


def add_workforces(contracts: list[Contract], today: date) -> int:
    added = 0
    for index, provider in enumerate(dict.fromkeys(c.provider for c in contracts)):
        added += workforce.add_workforce(provider, index, today)
    db.session.commit()
    return added


def open_periods(contracts: list[Contract], today: date, months: int) -> list[date]:
    """The ``months`` periods before last month's, oldest last. The calendar opened their
    returns (``service.ensure_returns``, from the council's go-live month on); a month
    the council did not ask for has no return and is skipped by the caller."""
    del contracts  # every contract is asked for the same months
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
    periods = []
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
        periods.append(first)
    return periods


def training_section(ret: MonthlyReturn) -> dict:
    contract = ret.contract
    return workforce.training_section(
        contract.provider_id,
        contract.council_id,
        last_day_of(ret.period),
        contract_branch_ids(contract),
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
