"""Putting jobs on a queue, or running them in-process when no Redis is configured."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, has_app_context

QUEUES = ("imports", "reports", "scheduled", "default")
_worker_app: Flask | None = None


def app_job(func: Callable) -> Callable:
    """Run the job inside an app context (a worker process makes its own app once)."""

    @wraps(func)
    def wrapped(*args: Any, **kwargs: Any):
        global _worker_app
        if has_app_context():
            return func(*args, **kwargs)
        if _worker_app is None:
            from portal import create_app

            _worker_app = create_app()
        with _worker_app.app_context():
            return func(*args, **kwargs)

    return wrapped


def redis_connection(url: str | None = None):
    from redis import Redis

    return Redis.from_url(url or current_app.config["REDIS_URL"])


def enqueue(func: Callable, *args: Any, queue: str = "default", **options: Any):
    """Queue ``func(*args)``; run it now, in-process, when ``REDIS_URL`` is unset."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    if not current_app.config.get("REDIS_URL"):
        return func(*args)
    from rq import Queue

    return Queue(queue, connection=redis_connection()).enqueue(func, *args, **options)
