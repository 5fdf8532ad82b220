"""The figures of a council's overview, worked out from the stored data only.

- Risk: each provider's current RAG rating (``risk.council_ratings`` reads the stored
  ratings, which their inputs' changes and the daily job keep up to date).
- CQC: each provider is counted once, at its worst rated branch (inadequate, then
  requires improvement, good, outstanding); a provider none of whose branches has been
  rated counts as "Not yet rated". Framework providers (a framework contract with the
  council) are compared with all the providers the council contracts with.
- Market and capacity: hours, weekly cost, rates and spare hours by area from each
  contract's latest submitted return (``overview_market``).
- Handbacks: rows of the latest version of each return for a month in the current
  calendar quarter (``overview_handbacks``).

Nothing is filled in: a figure without data is ``None`` and the page says so."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import clock, risk
from portal.extensions import db
from portal.market.figures import (
    FRAMEWORK,
    CapacityRow,
    Market,
    capacity_by_area,
    group_of,
    latest_figures,
    market,
    out_of_date_capacity,
)
from portal.market.handbacks import Handbacks, handbacks
from portal.models import Contract, CqcRating, Provider
from portal.risk_triggers import SEVERITY

# Worst first: a provider is counted at the first of these any branch has.
CQC_ORDER = [
    CqcRating.INADEQUATE,
    CqcRating.REQUIRES_IMPROVEMENT,
    CqcRating.GOOD,
    CqcRating.OUTSTANDING,
]
CQC_SHOWN = [*CQC_ORDER, CqcRating.NOT_YET_RATED]


def percent(part: int, whole: int) -> int | None:
    """Whole per cent, rounded half up; None when there is nothing to divide by."""
    if not whole:
        return None
    return int((Decimal(part * 100) / Decimal(whole)).quantize(Decimal(1), "ROUND_HALF_UP"))


# --- RAG ----------------------------------------------------------------------------


@dataclass
class RagSummary:
    counts: dict[str, int]  # red, amber, green
    ratings: list  # RiskRating, red first

    @property
    def total(self) -> int:
        return len(self.ratings)


def rag_summary(council_id: int) -> RagSummary:
    ratings = risk.council_ratings(council_id)
    counts = {level: sum(1 for r in ratings if r.rating == level) for level in SEVERITY}
    return RagSummary(counts, ratings)


# --- CQC ----------------------------------------------------------------------------


def provider_rating(provider: Provider) -> CqcRating:
    """The provider's worst rated branch; "not yet rated" when none is rated."""
    found = {branch.cqc_rating for branch in provider.branches}
    for rating in CQC_ORDER:
        if rating in found:
            return rating
    return CqcRating.NOT_YET_RATED


@dataclass
class CqcRow:
    rating: CqcRating
    framework: int
    framework_percent: int | None
    all: int
    all_percent: int | None


@dataclass
class CqcComparison:
    framework_total: int
    all_total: int
    rows: list[CqcRow]


def cqc_comparison(contracts: list[Contract]) -> CqcComparison:
    providers = {c.provider_id: c.provider for c in contracts}
    framework_ids = {c.provider_id for c in contracts if group_of(c) == FRAMEWORK}
    ratings = {pid: provider_rating(p) for pid, p in providers.items()}
    every = Counter(ratings.values())
    framework = Counter(r for pid, r in ratings.items() if pid in framework_ids)
    rows = [
        CqcRow(
            rating,
            framework[rating],
            percent(framework[rating], len(framework_ids)),
            every[rating],
            percent(every[rating], len(providers)),
        )
        for rating in CQC_SHOWN
    ]
    return CqcComparison(len(framework_ids), len(providers), rows)


# --- everything ----------------------------------------------------------------------


@dataclass
class Overview:
    rag: RagSummary
    cqc: CqcComparison
    market: Market
    capacity: list[CapacityRow]
    handbacks: Handbacks
    contracts: int
    capacity_out_of_date: int = 0  # areas left out of the spare hours: past valid-until


def council_contracts(council_id: int) -> list[Contract]:
    return list(
        db.session.scalars(
            select(Contract)
            .where(Contract.council_id == council_id)
            .options(
                selectinload(Contract.provider).selectinload(Provider.branches),
                selectinload(Contract.framework),
                selectinload(Contract.area),
            )
            .order_by(Contract.id)
        )
    )


def build(council_id: int, on: date | None = None) -> Overview:
    on = on or clock.today()
    contracts = council_contracts(council_id)
    figures = latest_figures(contracts)
    return Overview(
        rag=rag_summary(council_id),
        cqc=cqc_comparison(contracts),
        market=market(figures),
        capacity=capacity_by_area(figures, on),
        handbacks=handbacks(contracts, on),
        contracts=len(contracts),
        capacity_out_of_date=out_of_date_capacity(figures, on),
    )
