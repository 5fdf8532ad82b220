"""Users, their memberships (role at an organisation), sessions and sign-in security."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from portal.clock import utcnow
from portal.extensions import db
from portal.models.organisations import Council, Provider, _enum

# Defined in the vocabulary; importable from here too, as older code does.
from portal.vocabulary import COUNCIL_ROLES, PROVIDER_ROLES, Role  # noqa: F401


class SignedInMixin(UserMixin):
    """What Flask-Login and the pages ask of a signed-in person, for the ``User`` row (at
    sign-in) and for ``portal.auth.signed_in.SignedInUser`` (every request after): both
    have ``active``, ``session_token`` and ``memberships``."""

    def get_id(self) -> str | None:  # Flask-Login keeps the session token, not the user id
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def primary_membership(self):
        return self.memberships[0] if self.memberships else None

    def has_role(self, *roles: Role) -> bool:
        return any(m.role in roles for m in self.memberships)


class User(SignedInMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200))
    # None until an invited user sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", order_by="Membership.id", cascade="all, delete-orphan"
    )

    # Set by the session loader: the server-side session this request belongs to.
    session_token = None  # type: str | None
    unread_when_loaded = None  # type: int | None  (unread notifications, portal/auth/sessions.py)


class Membership(db.Model):
    """A user's role at a provider, at a council (or its provider forum), or as admin."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "provider_id", "council_id"),
        CheckConstraint(
            "(role IN ('provider-submitter', 'provider-manager')"
            "   AND provider_id IS NOT NULL AND council_id IS NULL)"
            " OR (role IN ('commissioner', 'qa-officer', 'forum-member')"
            "   AND council_id IS NOT NULL AND provider_id IS NULL)"
            " OR (role = 'admin' AND provider_id IS NULL AND council_id IS NULL)",
            name="role_matches_organisation",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), index=True)
    council_id: Mapped[int | None] = mapped_column(ForeignKey("council.id"), index=True)
    # A commissioner who may set up the council: frameworks, targets, contracts, users.
    council_admin: Mapped[bool] = mapped_column(default=False, server_default=false())

    user: Mapped[User] = relationship(back_populates="memberships")
    provider: Mapped[Provider | None] = relationship()
    council: Mapped[Council | None] = relationship()

    @property
    def organisation_name(self) -> str:
        return organisation_name(
            self.role,
            self.provider.name if self.provider is not None else None,
            self.council.name if self.council is not None else None,
        )


def organisation_name(role: Role, provider_name: str | None, council_name: str | None) -> str:
    """The name the header shows for a membership (also for the signed-in user's, read as
    plain values by ``portal/auth/signed_in.py``)."""
    if provider_name is not None:
        return provider_name
    if council_name is not None:
        if role is Role.FORUM_MEMBER:
            return f"{council_name} provider forum"
        return council_name
    return "Service administration"


class UserSession(db.Model):
    """A signed-in session, held on the server so sign-out and timeouts are enforced."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ip_address: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship()


class LoginThrottle(db.Model):
    """Failed sign-in attempts per key (an email address or an IP address)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EmailToken(db.Model):
    """A single-use link sent by email: a password reset or an invitation."""

    __tablename__ = "email_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))  # "reset" or "invite"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class SecurityEvent(db.Model):
    """Sign-in, sign-out, lock-outs, resets and user management, for investigation."""

    __tablename__ = "security_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    email: Mapped[str | None] = mapped_column(String(320))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[str | None] = mapped_column(String(500))
