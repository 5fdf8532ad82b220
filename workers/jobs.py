"""Warming a worker process: import every job handler and the PDF and chart libraries once
before RQ forks a work-horse per job. The job-row machinery is ``portal.background.jobs``."""

from __future__ import annotations

HANDLER_MODULES = (
    "workers.feedback",
    "workers.imports",
    "workers.notifications",
    "workers.packs",
    "portal.uploads.importing",
)


def _load_handlers() -> None:
    """Import every handler module (handlers are found by dotted name; this only warms)."""
    import importlib

    for name in HANDLER_MODULES:
        importlib.import_module(name)


def preload() -> None:
    """Import every handler and the PDF and chart libraries once, in the worker process,
    so each forked job starts warm (about 0.8 s saved per pack)."""
    _load_handlers()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import weasyprint  # noqa: F401
