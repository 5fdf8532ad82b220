"""Asking for a password reset and setting a password from an e-mailed link (a reset or an
invitation), each one call that owns its rows, its security event and the commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.auth import email_tokens, security_emails, throttle
from portal.auth.passwords import hash_password
from portal.auth.security_log import record_event
from portal.auth.sessions import end_all_sessions
from portal.clock import utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from portal.models import EmailToken, User


def request_reset(email: str) -> None:
    """Queue the reset e-mail's job and commit. Known and unknown addresses take the same
    step here (one job row, one commit), so the answer takes the same time and does not say
    whether the address has an account; the job finds out and sends the right e-mail
    (``portal.auth.security_emails``)."""
    security_emails.queue_reset_email(email)
    db.session.commit()


def set_password(record: EmailToken, password: str, purpose: str) -> User | None:
    """Use the link (``purpose`` "reset" or "invite") to set its user's password, ending
    every session they had; None, changing nothing, when the link was used meanwhile."""
    if not email_tokens.consume(record):
        db.session.rollback()
        return None
    user = record.user
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    end_all_sessions(user.id)
    db.session.commit()
    throttle.clear(throttle.email_key(user.email))  # "or reset your password" unlocks
    record_event("password-set" if purpose == "invite" else "password-reset", user=user)
    return user
