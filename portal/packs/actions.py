"""Actions agreed at a provider's contract meeting with a council: recording one and
marking it done. Open actions carry into the next quarter's pack. Each function owns its
commit; the pack pages (``portal.council.packs``) only parse, call and render."""

from __future__ import annotations

from datetime import date

from portal.extensions import db
from portal.models import MeetingAction


def record_action(
    council_id: int,
    provider_id: int,
    quarter: str,
    text: str,
    *,
    owner: str | None,
    due_on: date | None,
    recorded_by_id: int,
) -> MeetingAction:
    """Record an action agreed at the meeting of ``quarter`` (``2026-Q3``)."""
    action = MeetingAction(
        council_id=council_id,
        provider_id=provider_id,
        quarter=quarter,
        text=text,
        owner=owner or None,
        due_on=due_on,
        recorded_by_id=recorded_by_id,
    )
    db.session.add(action)
    db.session.commit()
    return action


def mark_done(action: MeetingAction, on: date) -> bool:
    """Mark the action done on ``on``; False (and nothing changed) if it already was."""
    if action.done_on is not None:
        return False
    action.done_on = on
    db.session.commit()
    return True
