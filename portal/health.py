"""Whether the services the portal needs answer: the database and Redis (for the
``/healthz`` check a load balancer or monitor calls)."""

from __future__ import annotations

import logging

from sqlalchemy import text

from portal.extensions import db

log = logging.getLogger(__name__)

OK = "ok"
UNREACHABLE = "unreachable"
NOT_CONFIGURED = "not configured"


def database_state() -> str:
    """``ok`` or ``unreachable`` (and the session is rolled back, ready for the next use)."""
    try:
        db.session.execute(text("SELECT 1"))
        return OK
    except Exception:  # noqa: BLE001 - any failure means "unreachable"
        log.exception("health check: database unreachable")
        db.session.rollback()
        return UNREACHABLE


def redis_state(url: str | None) -> str:
    """``ok``, ``unreachable``, or ``not configured`` when no Redis is set."""
    if not url:
        return NOT_CONFIGURED
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return OK
    except RedisError:
        return UNREACHABLE
