"""The administrator's changes: councils, their first users, and switching users off."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from forms import messages
from portal.auth import security_emails
from portal.auth.sessions import end_all_sessions
from portal.extensions import db
from portal.models import Council, Membership, User
from portal.setup.audit import record_change, snapshot
from portal.vocabulary import Role

COUNCIL_FIELDS = ("name", "go_live_month", "due_working_day", "lock_days")


@dataclass(frozen=True)
class CouncilDetails:
    name: str
    go_live_month: date | None
    due_working_day: int
    lock_days: int


def slug_for(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:70] or "council"


def add_council(details: CouncilDetails, actor: User) -> tuple[Council | None, str | None]:
    """Add a council; returns (the council, None) or (None, why not), changing nothing."""
    name = details.name.strip()
    taken = db.session.scalar(
        select(func.count(Council.id)).where(func.lower(Council.name) == name.lower())
    )
    if taken:
        return None, messages.COUNCIL_NAME_TAKEN
    slug, n = slug_for(name), 1
    while db.session.scalar(select(Council.id).where(Council.slug == slug)) is not None:
        n += 1
        slug = f"{slug_for(name)}-{n}"
    council = Council(
        name=name,
        slug=slug,
        go_live_month=details.go_live_month.replace(day=1) if details.go_live_month else None,
        due_working_day=details.due_working_day,
        lock_days=details.lock_days,
    )
    db.session.add(council)
    db.session.flush()
    record_change(
        actor, "council", council.id, "added", f"Added council {name}",
        after=snapshot(council, COUNCIL_FIELDS), council_id=council.id,
    )  # fmt: skip
    db.session.commit()
    return council, None


def invite_council_user(
    council: Council, email: str, name: str, actor: User, council_admin: bool = True
) -> str | None:
    """Make ``email`` (new, or without an organisation) a commissioner of the council and
    queue their invitation; returns why they cannot be invited instead, changing nothing."""
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and any(m.council_id == council.id for m in user.memberships):
        return messages.USER_ALREADY_MEMBER
    if user is not None and user.memberships:
        return messages.USER_BELONGS_ELSEWHERE
    if user is None:
        user = User(email=email, name=name.strip())
        db.session.add(user)
    user.active = True
    membership = Membership(
        user=user, role=Role.COMMISSIONER, council_id=council.id, council_admin=council_admin
    )
    db.session.add(membership)
    db.session.flush()
    security_emails.queue_invitation(user, council, actor)
    record_change(
        actor, "user", user.id, "invited",
        f"Invited {email} as a commissioner of {council.name}"
        + (" who can set up the council" if council_admin else ""),
        after={"email": email, "name": user.name, "role": Role.COMMISSIONER.label,
               "council_admin": council_admin},
        council_id=council.id,
    )  # fmt: skip
    db.session.commit()
    return None


def resend_invitation(user: User, actor: User) -> bool:
    """Send a fresh invitation link to someone who has not yet set a password (the last
    link stops working); False when they already have."""
    membership = user.primary_membership
    if user.password_hash is not None or membership is None or not user.active:
        return False
    organisation = membership.council or membership.provider
    security_emails.queue_invitation(user, organisation, actor)
    record_change(
        actor, "user", user.id, "invitation re-sent", f"Re-sent the invitation to {user.email}",
        council_id=membership.council_id, provider_id=membership.provider_id,
    )  # fmt: skip
    db.session.commit()
    return True


def set_user_active(user: User, active: bool, actor: User) -> bool:
    """Suspend (ending every session) or re-enable a user; False when nothing changes
    (already so, or an administrator suspending themself)."""
    if user.active == active or (not active and user.id == actor.id):
        return False
    membership = user.primary_membership
    user.active = active
    if not active:
        end_all_sessions(user.id)
    record_change(
        actor, "user", user.id, "re-enabled" if active else "suspended",
        f"{'Re-enabled' if active else 'Suspended'} {user.email}",
        before={"active": not active}, after={"active": active},
        council_id=membership.council_id if membership else None,
        provider_id=membership.provider_id if membership else None,
    )  # fmt: skip
    db.session.commit()
    return True


def set_council_admin(membership: Membership, allowed: bool, actor: User) -> bool:
    """Give or take away a commissioner's permission to set up their council."""
    if membership.role is not Role.COMMISSIONER or membership.council_admin == allowed:
        return False
    if not allowed and membership.user_id == actor.id:
        return False
    membership.council_admin = allowed
    record_change(
        actor, "user", membership.user_id, "permission changed",
        f"{'Allowed' if allowed else 'Stopped'} {membership.user.email} "
        f"{'to set' if allowed else 'from setting'} up {membership.council.name}",
        before={"council_admin": not allowed}, after={"council_admin": allowed},
        council_id=membership.council_id,
    )  # fmt: skip
    db.session.commit()
    return True
