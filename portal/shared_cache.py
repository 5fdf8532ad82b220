"""Figures that many jobs need and that never change for a key, kept in Redis so every
worker process reuses them (RQ forks a fresh work-horse for each job, so a cache in the
process's memory dies with the job). Values are JSON; keys are hashed. Without Redis, or
when it does not answer, nothing is cached and the caller computes the figures."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from flask import current_app

from portal.background.outbox import redis_connection

log = logging.getLogger(__name__)

KEEP_SECONDS = 7 * 24 * 3600  # keys name immutable inputs: this only bounds memory


def _name(kind: str, key: tuple) -> str:
    return f"portal:{kind}:" + hashlib.sha256(repr(key).encode()).hexdigest()


def get(kind: str, key: tuple) -> Any | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    try:
        raw = redis_connection(url).get(_name(kind, key))
    except Exception:  # noqa: BLE001 - a cache that does not answer is a miss
        log.warning("shared cache unreachable", exc_info=True)
        return None
    return json.loads(raw) if raw else None


def put(kind: str, key: tuple, value: Any) -> None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return
    try:
        redis_connection(url).set(_name(kind, key), json.dumps(value), ex=KEEP_SECONDS)
    except Exception:  # noqa: BLE001 - the figures are still returned
        log.warning("shared cache unreachable", exc_info=True)
