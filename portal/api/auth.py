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
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import Response, current_app, g, request
from sqlalchemy import select

from portal.access import Access
from portal.api import calls
from portal.api.problems import problem
from portal.clock import as_utc, utcnow
from portal.display import long_date
from portal.extensions import db
from portal.models import ApiKey
from portal.models.api import PREFIX_LENGTH

MAX_ID = 2_147_483_647  # PostgreSQL's integer
# last_used_at is written at most this often: a busy system does not write on each call.
LAST_USED_RESOLUTION = timedelta(minutes=1)
NO_KEY = (
    "Send your API key in the Authorization header, as Authorization: Bearer <key>. "
    "A provider manager can create a key on the API keys page of the portal"
)
EXPIRED = "The API key expired on {date}: ask for a new key from the API keys page of the portal"
BAD_KEY = (
    "The API key is not valid or has been revoked: ask a provider manager for a new key "
    "from the API keys page of the portal"
)


@dataclass(frozen=True)
class ApiAccess(Access):
    """The access mark of an API route: a key of the URL's provider (``org="provider"``)
    or council (``org="council"``, with the key ``scopes`` it takes), no signed-in user or
    role. ``tests/unit/test_access_guardrail.py`` recognises it and proves missing,
    unknown, revoked and other organisations' keys are refused."""

    scopes: tuple[str, ...] = ("provider",)


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key(
    provider_id: int | None,
    name: str,
    created_by: int | None,
    *,
    council_id: int | None = None,
    scope: str = "provider",
    expires_at: datetime | None = None,
) -> tuple[ApiKey, str]:
    """Add a key to the session; returns it and its secret (shown once, never stored).
    A provider's key names ``provider_id``; a council's or forum's key ``council_id``."""
    secret = secrets.token_urlsafe(32)  # 32 random bytes
    key = ApiKey(
        provider_id=provider_id,
        council_id=council_id,
        scope=scope,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        key_hash=key_hash(secret),
        created_by=created_by,
        expires_at=expires_at,
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


def _live_key() -> ApiKey | Any:
    """The request's key, or the 401 answer refusing it."""
    secret = _bearer()
    if secret is None:
        return _refused(NO_KEY, 401)
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash(secret)))
    if key is None or key.revoked_at is not None:
        return _refused(BAD_KEY, 401)
    if key.expires_at is not None and as_utc(key.expires_at) <= utcnow():
        return _refused(EXPIRED.format(date=long_date(as_utc(key.expires_at).date())), 401)
    return key


def _belongs(key: ApiKey, access: ApiAccess, kwargs: dict) -> bool:
    if key.scope not in access.scopes:
        return False
    if access.org == "council":
        return key.council_id is not None and key.council_id == kwargs.get("council_id")
    return key.provider_id is not None and key.provider_id == kwargs.get("provider_id")


def _ids_in_range(kwargs: dict) -> bool:
    """Ids in the URL fit the database's integers (a bigger one is an id nothing has)."""
    return all(v <= MAX_ID for v in kwargs.values() if isinstance(v, int))


def _run(view: Callable, key: ApiKey, args, kwargs) -> Response:
    """The view's answer (its blueprint's error handlers turning problems into answers),
    replayed or kept under the request's Idempotency-Key when it has one."""
    try:
        idempotency = calls.idempotency_key() if request.method in ("POST", "PUT") else None
    except ValueError as error:
        return problem(400, str(error))
    if idempotency is not None:
        stored = calls.reserve(key, idempotency)
        if stored is not None:
            return _answer_again(stored)
    response = None
    try:
        try:
            answer = view(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 (the handlers decide; unhandled re-raise)
            answer = current_app.handle_user_exception(error)
        response = current_app.make_response(answer)
    finally:
        if idempotency is not None:
            calls.keep_answer(key, idempotency, response)
    return response


def _answer_again(stored) -> Response:
    """A request whose Idempotency-Key was taken first: refused when it is another
    request or the first is still running; otherwise the first answer again."""
    if not calls.same_request(stored):
        return problem(422, calls.KEY_USED_ELSEWHERE)
    if calls.in_flight(stored):
        response = problem(409, calls.STILL_RUNNING)
        response.headers["Retry-After"] = "2"
        return response
    return calls.replay(stored)


def _guarded(view: Callable, access: ApiAccess) -> Callable:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        key = _live_key()
        if not isinstance(key, ApiKey):
            return key
        if not _belongs(key, access, kwargs) or not _ids_in_range(kwargs):
            return _refused("Not found", 404)
        g.api_key = key
        g.api_allowance = allowance = calls.allowance(key)
        if allowance.remaining < 0:
            response = _refused(calls.TOO_MANY.format(seconds=allowance.reset), 429)
            response.headers["Retry-After"] = str(allowance.reset)
            return response
        now = utcnow()
        if key.last_used_at is None or now - as_utc(key.last_used_at) > LAST_USED_RESOLUTION:
            key.last_used_at = now
            db.session.commit()
        return _run(view, key, args, kwargs)

    wrapped.access = access  # type: ignore[attr-defined]
    return wrapped


def api_key_required(view: Callable) -> Callable:
    """Let in a request whose bearer key is live and belongs to the URL's ``provider_id``;
    the key is ``g.api_key`` in the view. Every call is audited and rate limited
    (``portal.api.calls``)."""
    return _guarded(view, ApiAccess(org="provider"))


def council_key_required(*scopes: str) -> Callable[[Callable], Callable]:
    """As ``api_key_required``, for a key of the URL's ``council_id`` whose scope is one
    of ``scopes`` ("council": a commissioners' key; "forum": the provider forum's)."""

    def decorator(view: Callable) -> Callable:
        return _guarded(view, ApiAccess(org="council", scopes=scopes))

    return decorator
