"""One handler per section of the return. Each section has a page module (``view(ret,
section)``, the GET and POST of the section page, and ``actions``: extra pages or htmx
fragments by name) and a rules module with no request or template code (``<name>_rules``,
whose ``summary(ret, data)`` gives the summary-list rows for check your answers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from portal.returns.sections import (
    capacity,
    capacity_rules,
    handbacks,
    handbacks_rules,
    kpis,
    kpis_rules,
    training,
    training_rules,
    workforce,
    workforce_rules,
)


@dataclass(frozen=True)
class SectionHandler:
    view: Callable
    summary: Callable[..., list[dict]]
    actions: dict[str, Callable] = field(default_factory=dict)


HANDLERS: dict[str, SectionHandler] = {
    "kpis": SectionHandler(kpis.view, kpis_rules.summary, kpis.actions),
    "capacity": SectionHandler(capacity.view, capacity_rules.summary, capacity.actions),
    "handbacks": SectionHandler(handbacks.view, handbacks_rules.summary, handbacks.actions),
    "training": SectionHandler(training.view, training_rules.summary, training.actions),
    "workforce": SectionHandler(workforce.view, workforce_rules.summary, workforce.actions),
}
