"""One handler per section of the return. Each module exposes ``view(ret, section)``
(GET and POST of the section page), ``summary(ret, data)`` (summary-list rows for check
your answers) and optionally ``actions`` (extra pages or htmx fragments by name)."""

from __future__ import annotations

from types import ModuleType

from portal.returns.sections import capacity, handbacks, kpis, training, workforce

HANDLERS: dict[str, ModuleType] = {
    "kpis": kpis,
    "capacity": capacity,
    "handbacks": handbacks,
    "training": training,
    "workforce": workforce,
}
