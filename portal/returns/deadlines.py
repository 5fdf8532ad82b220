"""What a council's commissioners change about return deadlines: the council's due day and
lock days, and reopening one provider's locked return for a week. Each function owns its
commit; the pages in ``portal.council.provider_returns`` only parse, call and render."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from portal.display import long_date
from portal.extensions import db
from portal.returns import service
from portal.vocabulary import ReturnStatus

if TYPE_CHECKING:
    from portal.models import Council, MonthlyReturn, User

REOPEN_DAYS = 7
SETTINGS = ("due_working_day", "lock_days")


def can_reopen(ret: MonthlyReturn, on: date) -> bool:
    """Only a locked return that has not been accepted can be reopened."""
    return ret.status is not ReturnStatus.ACCEPTED and service.is_locked(ret, on)


def reopen(ret: MonthlyReturn, user: User, on: date) -> date:
    """Let the provider change the return again until ``REOPEN_DAYS`` after ``on``
    (inclusive), with an audit entry; returns that last day. The caller checks
    ``can_reopen`` first."""
    until = on + timedelta(days=REOPEN_DAYS)
    service.audit(
        ret,
        user,
        "reopen",
        None,
        [
            {
                "field": "Reopened until",
                "old": long_date(ret.reopened_until),
                "new": long_date(until),
            }
        ],
    )
    ret.reopened_until = until
    db.session.commit()
    return until


def save_settings(council: Council, due_working_day: int, lock_days: int) -> list[dict]:
    """Set the council's return deadlines; returns what changed (field, old, new)."""
    wanted = {"due_working_day": due_working_day, "lock_days": lock_days}
    changes = [
        {"field": name, "old": str(getattr(council, name)), "new": str(wanted[name])}
        for name in SETTINGS
        if getattr(council, name) != wanted[name]
    ]
    council.due_working_day = due_working_day
    council.lock_days = lock_days
    db.session.commit()
    return changes
