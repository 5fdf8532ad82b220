"""The rules of each section of the return, with no request or template code: parsing,
checks, soft warnings, snapshots and ``summary(ret, data)`` (the summary-list rows of
check your answers and the review page). The section pages are in
``portal.provider.sections``."""

from __future__ import annotations

from collections.abc import Callable

from portal.returns.sections import (
    capacity_rules,
    handbacks_rules,
    kpis_rules,
    training_rules,
    workforce_rules,
)

SUMMARIES: dict[str, Callable[..., list[dict]]] = {
    "kpis": kpis_rules.summary,
    "capacity": capacity_rules.summary,
    "handbacks": handbacks_rules.summary,
    "training": training_rules.summary,
    "workforce": workforce_rules.summary,
}
