"""A record of security events: sign-ins, failures, lock-outs, resets, user changes."""

from __future__ import annotations

from portal.client import client_ip
from portal.extensions import db
from portal.models import SecurityEvent, User


def record_event(
    kind: str, user: User | None = None, email: str | None = None, detail: str | None = None
) -> None:
    db.session.add(
        SecurityEvent(
            kind=kind,
            user_id=user.id if user is not None else None,
            email=email or (user.email if user is not None else None),
            ip_address=client_ip(),
            detail=detail,
        )
    )
    db.session.commit()
