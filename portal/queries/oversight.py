"""Queries about what councils record about their providers. Every list has an order."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import MeetingAction


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
