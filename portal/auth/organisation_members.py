"""The people of a provider: inviting someone and removing them, each one call that owns
its rows, its security event, the invitation job and the commit. The users page, and any
other door, call these and get the same effects."""

from __future__ import annotations

from typing import TYPE_CHECKING

from forms import messages
from portal.auth import security_emails
from portal.auth.security_log import record_event
from portal.auth.sessions import end_all_sessions
from portal.extensions import db
from portal.models import Membership, User
from portal.queries import accounts
from portal.vocabulary import Role

if TYPE_CHECKING:
    from portal.models import Provider


def invite(provider: Provider, email: str, name: str, role: Role, inviter: User) -> str | None:
    """Give the person with ``email`` (made if new) ``role`` at the provider and queue their
    invitation; returns the reason they cannot be invited instead, changing nothing."""
    user = accounts.user_by_email(email)
    if user is not None and any(m.provider_id == provider.id for m in user.memberships):
        return messages.USER_ALREADY_MEMBER
    if user is not None and user.memberships:
        return messages.USER_BELONGS_ELSEWHERE
    if user is None:
        user = User(email=email, name=name)
        db.session.add(user)
    user.active = True
    db.session.add(Membership(user=user, role=role, provider_id=provider.id))
    db.session.flush()
    security_emails.queue_invitation(user, provider, inviter)
    # commits the membership, the event and the invitation's job together
    record_event("user-invited", user=user, detail=f"by user {inviter.id}")
    return None


def remove(membership: Membership, removed_by: User) -> User:
    """End the membership (and, when it was their last, every session of its user);
    returns the user."""
    user = membership.user
    user.memberships.remove(membership)  # delete-orphan removes the row
    db.session.flush()
    if not user.memberships:
        end_all_sessions(user.id)
    db.session.commit()
    record_event("user-removed", user=user, detail=f"by user {removed_by.id}")
    return user
