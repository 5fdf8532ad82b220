"""A provider's risk (RAG) rating for one council, stored in ``RiskRating``, and the
quality-assurance visit it makes due. What triggers a rating (CQC, concerns, managers,
sponsor licences, red KPIs, late returns) is ``portal.risk_triggers``.

Red or amber means a quality-assurance visit is due: within 28 days (red) or 90 days
(amber) of the rating turning red or amber. See ``visit_due_by`` for how a recorded visit
and a worsening rating move that date.

The rating is recomputed when its inputs change: the QA pages call ``recompute`` after
every change, the return submission, acceptance and reopening call
``recompute_for_return``, and the daily job calls ``rerate_all`` (time passing changes
the 90-day and 3-month windows). Pages only read: a rating never stored yet is worked out
for the page without being saved.
"""

from __future__ import annotations

from datetime import UTC, date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import clock
from portal.clock import as_utc, utcnow
from portal.extensions import db
from portal.models import Contract, MonthlyReturn, Provider, QaVisit, RiskRating

# Some of these are used here; all stay importable as ``risk.NAME`` for the modules that
# read them so (council/quality.py, returns/review.py, returns/views.py, overview.py).
# New code imports the trigger names from portal.risk_triggers.
from portal.risk_triggers import (  # noqa: F401
    AMBER,
    CONFIDENTIAL_CONCERN,
    FACT_CQC_RATING,
    FACT_CQC_RATING_DATE,
    FACT_REGISTERED_MANAGER,
    FACT_SPONSOR_LICENCE,
    GREEN,
    LEVEL_LABELS,
    RED,
    SEVERITY,
    TAG_CLASSES,
    Trigger,
    long_date,
    triggers_for,
    worst,
)

VISIT_DAYS = {RED: 28, AMBER: 90}


# --- the stored rating -------------------------------------------------------------------


def visit_due_by(
    rating: str,
    previous_rating: str | None,
    previous_due: date | None,
    last_visit: date | None,
    on: date,
) -> date | None:
    """When a quality-assurance visit is due.

    * Green: no visit due.
    * Newly red or amber, or worse than before (amber to red): ``on`` + 28 days (red) or
      + 90 days (amber), or the date already set if that is sooner.
    * Still red or amber (or better, red to amber): the date already set is kept, unless a
      visit has been recorded since it was set: then the next visit is due 28 or 90 days
      after that visit.
    """
    if rating == GREEN:
        return None
    days = timedelta(days=VISIT_DAYS[rating])
    flagged_before = previous_rating in VISIT_DAYS and previous_due is not None
    if not flagged_before or SEVERITY[rating] < SEVERITY[previous_rating]:
        return min(on + days, previous_due) if flagged_before else on + days
    set_on = previous_due - timedelta(days=VISIT_DAYS[previous_rating])
    if last_visit is not None and last_visit >= set_on:
        return last_visit + days
    return previous_due


def _last_visit(council_id: int, provider_id: int, on: date) -> date | None:
    return db.session.scalar(
        select(func.max(QaVisit.visited_on)).where(
            QaVisit.council_id == council_id,
            QaVisit.provider_id == provider_id,
            QaVisit.visited_on <= on,
        )
    )


def stored(council_id: int, provider_id: int) -> RiskRating | None:
    return db.session.scalar(
        select(RiskRating).where(
            RiskRating.council_id == council_id, RiskRating.provider_id == provider_id
        )
    )


def recompute(council_id: int, provider_id: int, on: date | None = None) -> RiskRating:
    """Work the rating out again and store it (one row per council and provider). Commits."""
    on = on or clock.today()
    triggers = triggers_for(council_id, provider_id, on)
    rating = worst(triggers)
    row = stored(council_id, provider_id)
    previous_rating = previous_due = None
    if row is None:
        try:
            with db.session.begin_nested():
                row = RiskRating(
                    council_id=council_id, provider_id=provider_id, rating=GREEN, triggers=[]
                )
                db.session.add(row)
        except IntegrityError:  # another request stored it first
            row = stored(council_id, provider_id)
            previous_rating, previous_due = row.rating, row.visit_due_by
    else:
        previous_rating, previous_due = row.rating, row.visit_due_by
    row.visit_due_by = visit_due_by(
        rating, previous_rating, previous_due, _last_visit(council_id, provider_id, on), on
    )
    row.rating = rating
    row.triggers = [t.to_json() for t in triggers]
    row.computed_at = utcnow()
    db.session.commit()
    return row


def recompute_for_return(ret: MonthlyReturn) -> RiskRating:
    """Call after a return is submitted (or accepted) and committed: its KPIs and whether
    it was late are inputs of the provider's rating for that council."""
    contract = ret.contract
    return recompute(contract.council_id, contract.provider_id)


def council_ids_of(provider_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Contract.council_id)
            .where(Contract.provider_id == provider_id)
            .distinct()
            .order_by(Contract.council_id)
        )
    )


def recompute_for_provider(provider_id: int) -> list[RiskRating]:
    """For every council the provider works with: after a change to a branch's facts,
    which are the provider's own and count for every council."""
    return [recompute(council_id, provider_id) for council_id in council_ids_of(provider_id)]


def provider_ids_of(council_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Contract.provider_id)
            .where(Contract.council_id == council_id)
            .distinct()
            .order_by(Contract.provider_id)
        )
    )


def recompute_all(council_id: int, on: date | None = None) -> list[RiskRating]:
    """Every provider the council contracts with."""
    return [recompute(council_id, pid, on) for pid in provider_ids_of(council_id)]


def is_stale(row: RiskRating, on: date | None = None) -> bool:
    """Worked out on an earlier day than ``on``: the day-based windows may have moved."""
    on = on or clock.today()
    computed = as_utc(row.computed_at)
    return computed is None or computed.astimezone(UTC).date() < on


def unsaved(council_id: int, provider_id: int, on: date | None = None) -> RiskRating:
    """The rating worked out now, not stored (for a page showing a provider never rated)."""
    on = on or clock.today()
    triggers = triggers_for(council_id, provider_id, on)
    rating = worst(triggers)
    return RiskRating(
        council_id=council_id,
        provider_id=provider_id,
        provider=db.session.get(Provider, provider_id),
        rating=rating,
        triggers=[t.to_json() for t in triggers],
        visit_due_by=visit_due_by(rating, None, None, _last_visit(council_id, provider_id, on), on),
        computed_at=utcnow(),
    )


def current(council_id: int, provider_id: int) -> RiskRating:
    """The stored rating; one never stored yet is worked out without being saved."""
    return stored(council_id, provider_id) or unsaved(council_id, provider_id)


def council_ratings(council_id: int) -> list[RiskRating]:
    """The rating of every provider the council contracts with, red first, then amber,
    then green; soonest visit first, then by provider name. Reads only."""
    provider_ids = provider_ids_of(council_id)
    rows = {
        r.provider_id: r
        for r in db.session.scalars(
            select(RiskRating)
            .where(RiskRating.council_id == council_id, RiskRating.provider_id.in_(provider_ids))
            .options(selectinload(RiskRating.provider))
        )
    }
    ratings = [rows.get(pid) or unsaved(council_id, pid) for pid in provider_ids]
    return sorted(
        ratings,
        key=lambda r: (SEVERITY[r.rating], r.visit_due_by or date.max, r.provider.name),
    )


def rerate_all(on: date | None = None) -> int:
    """The daily job's step: every council's ratings worked out again for ``on``."""
    council_ids = list(
        db.session.scalars(select(Contract.council_id).distinct().order_by(Contract.council_id))
    )
    return sum(len(recompute_all(council_id, on)) for council_id in council_ids)


def triggers_of(row: RiskRating) -> list[Trigger]:
    return [Trigger.from_json(t) for t in (row.triggers or [])]
