"""Returns exist because the calendar says so: the daily job (``open_due_returns``) and
adding a contract (``open_returns_for_contract``) make them, from the council's go-live
month on and within the contract's dates; nothing that reads them does."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.clock import today
from portal.extensions import db
from portal.models import Contract, MonthlyReturn, ReturnSection
from portal.returns.calendar import in_window, month_of, months_opened
from portal.returns.staff_rules import add_months

LOOKBACK_MONTHS = 3  # without a go-live month or contract start: this many recent periods
SECTION_CODES = ("kpis", "capacity", "handbacks", "training", "workforce")  # service.SECTIONS


def _window(contract: Contract) -> tuple[list, list]:
    council, framework = contract.council, contract.framework
    starts = [council.go_live_month, contract.start_date]
    ends = [contract.end_date]
    if framework is not None:
        starts.append(framework.start_date)
        ends.append(framework.end_date)
    return starts, ends


def is_expected(contract: Contract, period: date) -> bool:
    """Whether the council asks this contract for a return for ``period``: not before the
    council's go-live month, and within the contract's (and its framework's) dates."""
    starts, ends = _window(contract)
    return in_window(period, starts, ends)


def periods_due(contract: Contract, on: date) -> list[date]:
    """The expected periods whose return has opened by ``on``, oldest first. Where neither
    the council's go-live month nor the contract's start is known, only the last
    ``LOOKBACK_MONTHS`` (nobody said when returns began, so none is assumed older)."""
    starts, ends = _window(contract)
    known = [month_of(s) for s in starts if s]
    if contract.council.go_live_month is None and contract.start_date is None:
        known.append(add_months(on.replace(day=1), -LOOKBACK_MONTHS))
    first = max(known) if known else add_months(on.replace(day=1), -LOOKBACK_MONTHS)
    return [p for p in months_opened(first, on) if in_window(p, starts, ends)]


def open_returns(contracts: list[Contract], on: date | None = None) -> int:
    """Create the due returns of ``contracts`` that do not exist yet; commits. Idempotent
    and safe to race (the unique constraint decides). Returns how many it created."""
    on = on or today()
    existing = {
        (r.contract_id, r.period)
        for r in db.session.scalars(
            select(MonthlyReturn).where(MonthlyReturn.contract_id.in_([c.id for c in contracts]))
        )
    }
    created = 0
    for contract in contracts:
        for period in periods_due(contract, on):
            if (contract.id, period) in existing:
                continue
            try:
                with db.session.begin_nested():
                    ret = MonthlyReturn(contract_id=contract.id, period=period)
                    db.session.add(ret)
                    db.session.flush()
                    for code in SECTION_CODES:
                        db.session.add(ReturnSection(return_id=ret.id, code=code, data={}))
                created += 1
            except IntegrityError:
                pass  # another process created it first
    db.session.commit()
    return created


def open_returns_for_contract(contract: Contract, on: date | None = None) -> int:
    """Call when a contract is added (or its dates change): opens its due returns."""
    return open_returns([contract], on)


def open_due_returns(on: date | None = None) -> int:
    """The daily job's step: every contract's due returns, from the go-live month on."""
    contracts = list(db.session.scalars(select(Contract).order_by(Contract.id)))
    return open_returns(contracts, on) if contracts else 0
