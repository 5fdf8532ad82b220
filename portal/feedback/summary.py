"""The paragraph at the top of a feedback report, in words: the KPIs below target, where
the provider stands among its peers, the mandatory training with the lowest compliance,
staff training expiring soon, and what the council asked."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portal.feedback.data import Feedback

LOWEST_TRAINING = 3


def _kpi_sentences(feedback: Feedback) -> list[str]:
    lines = [k for block in feedback.frameworks for k in block.kpis]
    below = [k for k in lines if k.rag in ("red", "amber")]
    rated = [k for k in lines if k.rag]
    sentences = []
    if below:
        items = ", ".join(
            f"{k.name.lower()} {k.percent_label} (target {k.target_label})" for k in below
        )
        count = f"{len(below)} KPI{'' if len(below) == 1 else 's'}"
        sentences.append(f"{count} below target: {items}.")
    elif rated:
        sentences.append(f"Every KPI with a target met it ({len(rated)} of {len(rated)}).")
    return sentences + _peer_sentences(lines)


def _peer_sentences(lines) -> list[str]:
    sentences = []
    for which in ("best", "worst"):
        names = [k.name.lower() for k in lines if k.position == f"In the {which} quarter"]
        if names:
            sentences.append(f"Among the {which} quarter of providers for {', '.join(names)}.")
    return sentences


def _training_sentences(feedback: Feedback) -> list[str]:
    known = [t for t in feedback.training if t.provider_percent is not None]
    low = sorted((t for t in known if t.provider_percent < 100), key=lambda t: t.provider_percent)
    sentences = []
    if low:
        items = ", ".join(
            f"{t.name} {t.provider_percent:.1f}%"
            + (f" (area {t.area_percent:.1f}%)" if t.area_shown else "")
            for t in low[:LOWEST_TRAINING]
        )
        sentences.append(f"Lowest training compliance: {items}.")
    elif known:
        sentences.append("All your staff in scope are compliant in every mandatory category.")
    if feedback.expiring:
        staff = len({s.worker_id for s in feedback.expiring})
        until = feedback.expiring_until
        sentences.append(
            f"{staff} staff member{'' if staff == 1 else 's'} "
            f"{'has' if staff == 1 else 'have'} training expiring by "
            f"{until.day} {until:%B %Y}."
        )
    return sentences


def summary(feedback: Feedback) -> str:
    """One paragraph, in words."""
    sentences = _kpi_sentences(feedback) + _training_sentences(feedback)
    if feedback.queries:
        asked = len(feedback.queries)
        sentences.append(
            f"{feedback.council_name} asked {asked} question{'' if asked == 1 else 's'}."
        )
    return " ".join(sentences) or "There are no figures to report for this period."
