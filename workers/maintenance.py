"""Housekeeping: forget ended sessions, used links and old throttle counters."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_

from portal.clock import utcnow
from portal.extensions import db
from portal.models import EmailToken, LoginThrottle, UserSession

KEEP_FOR = timedelta(days=30)


def purge_expired_security_records() -> dict[str, int]:
    """Delete sessions, email links and throttle rows that can no longer matter. Idempotent."""
    now = utcnow()
    cutoff = now - KEEP_FOR
    sessions = db.session.execute(
        delete(UserSession).where(
            or_(UserSession.ended_at < cutoff, UserSession.created_at < cutoff)
        )
    ).rowcount
    tokens = db.session.execute(delete(EmailToken).where(EmailToken.expires_at < cutoff)).rowcount
    throttles = db.session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.window_started_at < now - timedelta(days=1),
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
        )
    ).rowcount
    db.session.commit()
    return {"sessions": sessions, "tokens": tokens, "throttles": throttles}
