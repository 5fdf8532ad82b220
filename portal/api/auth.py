"""API keys: making them, and ``@api_key_required``, the access mark of API routes.

An API route is called by a provider's system, not by a signed-in person: it takes
``Authorization: Bearer <key>`` and nothing else (a session cookie is ignored, so a page
open in a browser cannot be turned against the API, which is why the API needs no CSRF
token). No key, an unknown key or a revoked one gets 401 with ``WWW-Authenticate:
Bearer``; a key of another provider than the URL's gets 404, as a signed-in user of
another organisation does, so provider ids reveal nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import g, request
from sqlalchemy import select

from portal.access import Access
from portal.api.problems import problem
from portal.clock import as_utc, utcnow
from portal.extensions import db
from portal.models import ApiKey
from portal.models.api import PREFIX_LENGTH

# last_used_at is written at most this often: a busy system does not write on each call.
LAST_USED_RESOLUTION = timedelta(minutes=1)
NO_KEY = (
    "Send your API key in the Authorization header, as Authorization: Bearer <key>. "
    "A provider manager can create a key on the API keys page of the portal"
)
BAD_KEY = (
    "The API key is not valid or has been revoked: ask a provider manager for a new key "
    "from the API keys page of the portal"
)


@dataclass(frozen=True)
class ApiAccess(Access):
    """The access mark of an API route: a key of the URL's provider (``org="provider"``),
    no signed-in user or role. ``tests/unit/test_access_guardrail.py`` recognises it and
    proves missing, unknown, revoked and other providers' keys are refused."""


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key(provider_id: int, name: str, created_by: int | None) -> tuple[ApiKey, str]:
    """Add a key to the session; returns it and its secret (shown once, never stored)."""
    secret = secrets.token_urlsafe(32)  # 32 random bytes
    key = ApiKey(
        provider_id=provider_id,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        key_hash=key_hash(secret),
        created_by=created_by,
    )
    db.session.add(key)
    return key, secret


def _bearer() -> str | None:
    scheme, _, secret = request.headers.get("Authorization", "").strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or len(secret) > 200:
        return None
    return secret


def _refused(message: str, status: int) -> Any:
    response = problem(status, message)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def api_key_required(view: Callable) -> Callable:
    """Let in a request whose bearer key is live and belongs to the URL's ``provider_id``;
    the key is ``g.api_key`` in the view."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        secret = _bearer()
        if secret is None:
            return _refused(NO_KEY, 401)
        key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash(secret)))
        if key is None or key.revoked_at is not None:
            return _refused(BAD_KEY, 401)
        if key.provider_id != kwargs.get("provider_id"):
            return _refused("Not found", 404)
        now = utcnow()
        if key.last_used_at is None or now - as_utc(key.last_used_at) > LAST_USED_RESOLUTION:
            key.last_used_at = now
            db.session.commit()
        g.api_key = key
        return view(*args, **kwargs)

    wrapped.access = ApiAccess(org="provider")  # type: ignore[attr-defined]
    return wrapped
