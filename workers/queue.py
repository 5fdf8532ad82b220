"""Plain RQ tasks (no job row): the daily reminders run and housekeeping, queued by the
worker's scheduler by dotted name. Job rows go through ``portal.background``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from flask import current_app

from portal.background.kinds import QUEUES
from portal.background.outbox import redis_connection

__all__ = ["QUEUES", "enqueue", "redis_connection"]


def enqueue(func: Callable | str, *args: Any, queue: str = "default", **options: Any):
    """Queue ``func(*args)`` (a function or its dotted name); run it now, in-process, when
    ``REDIS_URL`` is unset."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    if not current_app.config.get("REDIS_URL"):
        if isinstance(func, str):
            module, _, name = func.rpartition(".")
            func = getattr(importlib.import_module(module), name)
        return func(*args)
    from rq import Queue

    return Queue(queue, connection=redis_connection()).enqueue(func, *args, **options)
