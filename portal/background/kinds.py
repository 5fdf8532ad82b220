"""The kinds of background job: for each, its label, its RQ queue and the dotted name of
its handler in ``workers`` (imported by name, in the worker process or, without
``REDIS_URL``, in-process). A handler takes the ``Job`` and returns a result dict."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

QUEUES = ("imports", "reports", "scheduled", "default")

# Kinds named in the application (the feature packages hold the same strings).
PACK, FRAMEWORK_PACK, FEEDBACK, IMPORT = "pack", "framework_pack", "feedback", "import"
RECEIPT, NOTIFICATION_EMAIL = "receipt", "notification_email"
RESET_EMAIL, INVITATION_EMAIL = "reset_email", "invitation_email"


@dataclass(frozen=True)
class Handler:
    """``target``: a dotted name ``module.function``, or (tests) the function itself."""

    target: str | Callable[..., dict | None]
    queue: str
    label: str = ""

    def function(self) -> Callable[..., dict | None]:
        if callable(self.target):
            return self.target
        module, _, name = self.target.rpartition(".")
        return getattr(importlib.import_module(module), name)


HANDLERS: dict[str, Handler] = {
    PACK: Handler("workers.packs.run_pack", "reports", "Contract meeting pack"),
    FRAMEWORK_PACK: Handler("workers.packs.run_framework_pack", "reports", "Framework summary"),
    FEEDBACK: Handler("workers.feedback.build_feedback", "reports", "Feedback report"),
    IMPORT: Handler("workers.imports.run_import", "imports", "Staff and training import"),
    RECEIPT: Handler("workers.notifications.send_receipt", "default", "Return receipt email"),
    RESET_EMAIL: Handler("workers.notifications.send_reset", "default", "Password reset email"),
    INVITATION_EMAIL: Handler(
        "workers.notifications.send_invitation", "default", "Invitation email"
    ),
    NOTIFICATION_EMAIL: Handler(
        "workers.notifications.send_notification_email", "default", "Notification email"
    ),
}


_DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")


def find(kind: str) -> Handler | None:
    """The kind's handler; a kind that is itself a dotted name (``module.function``, up to
    40 characters) is its own handler, on the default queue."""
    if kind in HANDLERS:
        return HANDLERS[kind]
    if _DOTTED.fullmatch(kind):
        return Handler(kind, "default")
    return None


def label(kind: str) -> str:
    found = HANDLERS.get(kind)
    return found.label if found and found.label else kind


def handler(kind: str, queue: str = "reports") -> Callable[[Callable], Callable]:
    """Register ``func(job)`` itself as the handler of ``kind`` (tests register throw-away
    kinds this way); the service's own kinds are named in ``HANDLERS`` above."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        previous = HANDLERS.get(kind)
        HANDLERS[kind] = Handler(func, queue, previous.label if previous else "")
        return func

    return register
