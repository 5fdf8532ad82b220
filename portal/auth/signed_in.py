"""The signed-in user of a request, read as plain values: the session, the user, their
memberships with their organisations' names and the unread count in one round trip.

Every page starts here, and loading ``UserSession -> User -> Membership -> Provider /
Council`` as ORM objects with joined eager loads was about a quarter of a small page's
time (docs/adr/0023-pages-read-plain-values.md). Pages read the user's id, e-mail, name
and memberships (role, organisation ids, council-admin permission, organisation name);
lifecycle steps take ``current_user`` for its id, e-mail and name. A step that needs
the ``User`` row loads it by id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from portal.models import Council, Membership, Provider, Role, User, UserSession
from portal.models.accounts import SignedInMixin, organisation_name
from portal.notifications import unread_count_of


@dataclass(frozen=True)
class SignedInMembership:
    """A membership of the signed-in user, as the access checks and the header read it."""

    id: int
    role: Role
    provider_id: int | None
    council_id: int | None
    council_admin: bool
    organisation_name: str


@dataclass(frozen=True)
class SessionRecord:
    """The server-side session's times, to decide whether it has ended."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None


class SignedInUser(SignedInMixin):
    """``current_user``: what ``User`` offers pages, without the ORM."""

    def __init__(self, row, token: str, memberships: tuple[SignedInMembership, ...]) -> None:
        self.id: int = row.user_id
        self.email: str = row.email
        self.name: str = row.name
        self.active: bool = row.active
        self.session_token = token
        self.unread_when_loaded: int = row.unread
        self.memberships = memberships


_session, _user, _member = UserSession.__table__, User.__table__, Membership.__table__
_provider, _council = Provider.__table__, Council.__table__
# One statement, built once: a row per membership (one row with no membership columns
# for a user without any), in the memberships' order.
SIGNED_IN = (
    select(
        _session.c.id.label("session_id"),
        _session.c.created_at,
        _session.c.last_seen_at,
        _session.c.ended_at,
        _user.c.id.label("user_id"),
        _user.c.email,
        _user.c.name,
        _user.c.active,
        unread_count_of(_user.c.id).label("unread"),
        _member.c.id.label("membership_id"),
        _member.c.role,
        _member.c.provider_id,
        _member.c.council_id,
        _member.c.council_admin,
        _provider.c.name.label("provider_name"),
        _council.c.name.label("council_name"),
    )
    .select_from(_session)
    .join(_user, _user.c.id == _session.c.user_id)
    .outerjoin(_member, _member.c.user_id == _user.c.id)
    .outerjoin(_provider, _provider.c.id == _member.c.provider_id)
    .outerjoin(_council, _council.c.id == _member.c.council_id)
    .where(_session.c.token_hash == bindparam("token_hash"))
    .order_by(_member.c.id)
)


def _membership(row) -> SignedInMembership:
    return SignedInMembership(
        id=row.membership_id,
        role=row.role,
        provider_id=row.provider_id,
        council_id=row.council_id,
        council_admin=bool(row.council_admin),
        organisation_name=organisation_name(row.role, row.provider_name, row.council_name),
    )


def read_signed_in(connection, token: str, hashed: str):
    """(the session's times, the user) for the token's hash, or None for no such session."""
    rows = connection.execute(SIGNED_IN, {"token_hash": hashed}).all()
    if not rows:
        return None
    first = rows[0]
    memberships = tuple(_membership(r) for r in rows if r.membership_id is not None)
    record = SessionRecord(first.session_id, first.created_at, first.last_seen_at, first.ended_at)
    return record, SignedInUser(first, token, memberships)
