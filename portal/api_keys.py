"""A provider's or a council's API keys: making one (its secret is shown once, never
stored) and revoking one, each with a security event. Each function owns its commit; the
API keys pages (``portal.provider.api_keys``, ``portal.council.api_keys``) only parse,
call and render."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from portal.api.auth import new_key
from portal.auth.security_log import record_event
from portal.clock import utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from portal.models import ApiKey, User


def expiry(days: str | None) -> datetime | None:
    """When a key made now for ``days`` days (text from a form; blank: never) expires."""
    return utcnow() + timedelta(days=int(days)) if days else None


def create_key(
    provider_id: int, name: str, user: User, expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key of the provider named ``name``; returns it and its secret."""
    key, secret = new_key(provider_id, name, user.id, expires_at=expires_at)
    db.session.commit()
    record_event("api-key-created", user=user, detail=f"key {key.id} {key.prefix}")
    return key, secret


def create_council_key(
    council_id: int, name: str, scope: str, user: User, expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key of the council ("council": its commissioners' systems; "forum": the
    provider forum's, which reads only suppressed figures); returns it and its secret."""
    if scope not in ("council", "forum"):
        raise ValueError(scope)
    key, secret = new_key(
        None, name, user.id, council_id=council_id, scope=scope, expires_at=expires_at
    )
    db.session.commit()
    record_event("api-key-created", user=user, detail=f"key {key.id} {key.prefix} {scope}")
    return key, secret


def revoke_key(key: ApiKey, user: User) -> bool:
    """Stop the key working at once; False (and nothing changed) if it already had."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    db.session.commit()
    record_event("api-key-revoked", user=user, detail=f"key {key.id} {key.prefix}")
    return True
