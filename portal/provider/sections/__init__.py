"""The provider's page for each section of the return: ``view(ret, section)`` (the GET
and POST of the section page) and ``actions`` (extra pages or htmx fragments by name),
paired with the section's summary from its rules module (``portal.returns.sections``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from portal.provider.sections import capacity, handbacks, kpis, training, workforce
from portal.returns.sections import SUMMARIES


@dataclass(frozen=True)
class SectionHandler:
    view: Callable
    summary: Callable[..., list[dict]]
    actions: dict[str, Callable] = field(default_factory=dict)


_PAGES = {"kpis": kpis, "capacity": capacity, "handbacks": handbacks,
          "training": training, "workforce": workforce}  # fmt: skip

HANDLERS: dict[str, SectionHandler] = {
    code: SectionHandler(page.view, SUMMARIES[code], page.actions) for code, page in _PAGES.items()
}
