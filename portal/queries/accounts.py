"""Queries about people and what they hold: their notifications, and the API keys of a
provider with who made them. Every list has an order."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from portal.extensions import db
from portal.models import ApiKey, Membership, Notification, User


def latest_notifications(user_id: int, limit: int) -> list[Notification]:
    """The user's newest ``limit`` notifications, newest first."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def provider_api_keys(provider_id: int) -> list[ApiKey]:
    """The provider's keys: keys in use first, newest first."""
    return list(
        db.session.scalars(
            select(ApiKey)
            .where(ApiKey.provider_id == provider_id)
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
        )
    )


def provider_api_key(provider_id: int, key_id: int) -> ApiKey | None:
    """One of the provider's keys; None for another provider's."""
    return db.session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.provider_id == provider_id)
    )


def user_names(user_ids: Collection[int]) -> dict[int, str]:
    """Each user's name, by id (ids of no user are missing)."""
    if not user_ids:
        return {}
    return dict(
        db.session.execute(
            select(User.id, User.name).where(User.id.in_(list(user_ids))).order_by(User.id)
        ).all()
    )


def find_user(user_id: int) -> User | None:
    """The user, or None (for ids held by another row, such as a key's maker)."""
    return db.session.get(User, user_id)


def user_by_email(email: str) -> User | None:
    """The user with this (already lower-cased) e-mail address, if any."""
    return db.session.scalar(select(User).where(User.email == email))


def provider_members(provider_id: int) -> list[Membership]:
    """The provider's memberships, by the person's name, then e-mail."""
    return list(
        db.session.scalars(
            select(Membership)
            .join(User, Membership.user_id == User.id)
            .where(Membership.provider_id == provider_id)
            .order_by(User.name, User.email, Membership.id)
        )
    )


def provider_membership(provider_id: int, membership_id: int) -> Membership | None:
    """One of the provider's memberships; None for another organisation's."""
    return db.session.scalar(
        select(Membership).where(
            Membership.id == membership_id, Membership.provider_id == provider_id
        )
    )


def council_api_keys(council_id: int) -> list[ApiKey]:
    """The council's keys (its own and its forum's): keys in use first, newest first."""
    return list(
        db.session.scalars(
            select(ApiKey)
            .where(ApiKey.council_id == council_id)
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
        )
    )


def council_api_key(council_id: int, key_id: int) -> ApiKey | None:
    """One of the council's keys; None for another council's."""
    return db.session.scalar(
        select(ApiKey).where(ApiKey.id == key_id, ApiKey.council_id == council_id)
    )
