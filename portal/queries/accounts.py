"""Queries about people and what they hold: their notifications, and the API keys of a
provider with who made them. Every list has an order."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select

from portal.extensions import db
from portal.models import ApiKey, Notification, User


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
