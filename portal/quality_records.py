"""Quality-assurance changes to a provider, each one domain call that owns its
consequences: the rows (a concern, a visit, a branch's facts with a ``FactChange`` row per
changed value, who recorded it), the commit, and the provider's risk rating worked out
again. The QA pages, and any other door, call these and get the same effects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from portal import clock, risk
from portal.extensions import db
from portal.models import (
    Branch,
    Concern,
    CqcRating,
    FactChange,
    QaVisit,
    RiskRating,
    SponsorLicenceStatus,
    User,
)


@dataclass(frozen=True)
class Rerated:
    """The council's rating before the change and its stored row after it."""

    before: str | None
    after: RiskRating | None

    @property
    def moved(self) -> bool:
        return self.after is not None and self.after.rating != self.before


@dataclass(frozen=True)
class FactUpdate:
    """A branch's new facts: ``None`` for a fact that is not changing. Each changed fact
    carries where it came from and when it took effect."""

    cqc_rating: CqcRating | None = None
    cqc_rating_date: date | None = None
    cqc_source: str = ""
    registered_manager: bool | None = None
    registered_manager_source: str = ""
    registered_manager_date: date | None = None
    sponsor_licence: SponsorLicenceStatus | None = None
    sponsor_licence_source: str = ""
    sponsor_licence_date: date | None = None


def _rating(council_id: int, provider_id: int) -> str | None:
    row = risk.stored(council_id, provider_id)
    return row.rating if row else None


def _commit_and_rerate(
    council_id: int, provider_id: int, before: str | None, rerate: Callable | None = None
) -> Rerated:
    db.session.commit()
    row = rerate() if rerate else risk.recompute(council_id, provider_id)
    return Rerated(before, row)


def record_concern(
    council_id: int,
    provider_id: int,
    user: User,
    raised_on: date,
    summary: str,
    confidential: bool,
) -> Rerated:
    before = _rating(council_id, provider_id)
    db.session.add(
        Concern(
            council_id=council_id,
            provider_id=provider_id,
            raised_on=raised_on,
            summary=summary.strip(),
            confidential=confidential,
            recorded_by_id=user.id,
        )
    )
    return _commit_and_rerate(council_id, provider_id, before)


def close_concern(concern: Concern, on: date | None = None) -> Rerated:
    """Close an open concern (today by default)."""
    before = _rating(concern.council_id, concern.provider_id)
    concern.closed_on = on or clock.today()
    return _commit_and_rerate(concern.council_id, concern.provider_id, before)


def record_visit(
    council_id: int,
    provider_id: int,
    user: User,
    visited_on: date,
    outcome: str,
    actions: str | None = None,
) -> Rerated:
    before = _rating(council_id, provider_id)
    db.session.add(
        QaVisit(
            council_id=council_id,
            provider_id=provider_id,
            visited_on=visited_on,
            outcome=outcome.strip(),
            actions=(actions or "").strip() or None,
            recorded_by_id=user.id,
        )
    )
    return _commit_and_rerate(council_id, provider_id, before)


def update_facts(council_id: int, branch: Branch, user: User, update: FactUpdate) -> Rerated:
    """Change the branch and write a ``FactChange`` row for each value that changed. Facts
    belong to the provider: every council's rating is worked out again; the result is
    ``council_id``'s."""
    before = _rating(council_id, branch.provider_id)

    def record(field: str, old: str | None, new: str | None, source: str, effective) -> None:
        db.session.add(
            FactChange(
                branch_id=branch.id,
                field=field,
                old_value=old,
                new_value=new or "",
                source=source.strip(),
                effective_on=effective,
                recorded_by_id=user.id,
            )
        )

    if update.cqc_rating is not None:
        rating, when = update.cqc_rating, update.cqc_rating_date
        if rating is not branch.cqc_rating:
            record(risk.FACT_CQC_RATING, branch.cqc_rating.value, rating.value,
                   update.cqc_source, when)  # fmt: skip
        if when != branch.cqc_rating_date:
            old = branch.cqc_rating_date.isoformat() if branch.cqc_rating_date else None
            new = when.isoformat() if when else None
            record(risk.FACT_CQC_RATING_DATE, old, new, update.cqc_source, when)
        branch.cqc_rating, branch.cqc_rating_date = rating, when
    if update.registered_manager is not None:
        record(
            risk.FACT_REGISTERED_MANAGER,
            "yes" if branch.registered_manager_in_post else "no",
            "yes" if update.registered_manager else "no",
            update.registered_manager_source,
            update.registered_manager_date,
        )
        branch.registered_manager_in_post = update.registered_manager
    if update.sponsor_licence is not None:
        record(
            risk.FACT_SPONSOR_LICENCE,
            branch.sponsor_licence_status.value,
            update.sponsor_licence.value,
            update.sponsor_licence_source,
            update.sponsor_licence_date,
        )
        branch.sponsor_licence_status = update.sponsor_licence
    provider_id = branch.provider_id
    return _commit_and_rerate(
        council_id,
        provider_id,
        before,
        rerate=lambda: next(
            (r for r in risk.recompute_for_provider(provider_id) if r.council_id == council_id),
            None,
        ),
    )
