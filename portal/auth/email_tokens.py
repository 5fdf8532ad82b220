"""Single-use links sent by email (password resets and invitations)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update

from portal.auth.sessions import token_hash
from portal.clock import as_utc, utcnow
from portal.extensions import db
from portal.models import EmailToken, User

LIFETIMES = {"reset": timedelta(hours=1), "invite": timedelta(days=7)}


def issue(user: User, purpose: str) -> str:
    """Make a new link token for ``user``; earlier unused ones of that purpose stop working."""
    now = utcnow()
    db.session.execute(
        update(EmailToken)
        .where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        EmailToken(
            token_hash=token_hash(token),
            purpose=purpose,
            user_id=user.id,
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    return token


def find_usable(token: str, purpose: str) -> EmailToken | None:
    record = db.session.scalar(
        select(EmailToken).where(
            EmailToken.token_hash == token_hash(token), EmailToken.purpose == purpose
        )
    )
    if record is None or record.used_at is not None or as_utc(record.expires_at) <= utcnow():
        return None
    return record


def consume(record: EmailToken) -> bool:
    """Mark the token used; False if another request used it first."""
    result = db.session.execute(
        update(EmailToken)
        .where(EmailToken.id == record.id, EmailToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return result.rowcount == 1
