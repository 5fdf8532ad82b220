"""Queries about what councils record about their providers. Every list has an order."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Branch, Concern, FactChange, MeetingAction, QaVisit


def meeting_actions(council_id: int, provider_id: int) -> list[MeetingAction]:
    """The actions agreed at the provider's contract meetings with the council: open ones
    first, then the newest meeting first, in the order they were recorded."""
    return list(
        db.session.scalars(
            select(MeetingAction)
            .where(MeetingAction.council_id == council_id, MeetingAction.provider_id == provider_id)
            .order_by(
                MeetingAction.done_on.is_not(None),
                MeetingAction.quarter.desc(),
                MeetingAction.id,
            )
        )
    )


def council_action(council_id: int, action_id: int) -> MeetingAction | None:
    """One of the council's meeting actions; None for another council's."""
    return db.session.scalar(
        select(MeetingAction).where(
            MeetingAction.id == action_id, MeetingAction.council_id == council_id
        )
    )


def provider_concerns(council_id: int, provider_id: int) -> list[Concern]:
    """The concerns the council has recorded about the provider, newest raised first, each
    with who recorded it loaded."""
    return list(
        db.session.scalars(
            select(Concern)
            .where(Concern.council_id == council_id, Concern.provider_id == provider_id)
            .options(selectinload(Concern.recorded_by))
            .order_by(Concern.raised_on.desc(), Concern.id.desc())
        )
    )


def council_concern(council_id: int, provider_id: int, concern_id: int) -> Concern | None:
    """One of the council's concerns about the provider; None for any other."""
    return db.session.scalar(
        select(Concern).where(
            Concern.id == concern_id,
            Concern.council_id == council_id,
            Concern.provider_id == provider_id,
        )
    )


def provider_visits(council_id: int, provider_id: int) -> list[QaVisit]:
    """The council's quality-assurance visits to the provider, newest first, each with who
    recorded it loaded."""
    return list(
        db.session.scalars(
            select(QaVisit)
            .where(QaVisit.council_id == council_id, QaVisit.provider_id == provider_id)
            .options(selectinload(QaVisit.recorded_by))
            .order_by(QaVisit.visited_on.desc(), QaVisit.id.desc())
        )
    )


def provider_fact_changes(provider_id: int) -> list[FactChange]:
    """The history of the facts of the provider's branches (facts belong to the provider,
    not to one council), newest first, each with its branch loaded."""
    return list(
        db.session.scalars(
            select(FactChange)
            .join(Branch, FactChange.branch_id == Branch.id)
            .where(Branch.provider_id == provider_id)
            .options(selectinload(FactChange.branch))
            .order_by(FactChange.effective_on.desc(), FactChange.id.desc())
        )
    )
