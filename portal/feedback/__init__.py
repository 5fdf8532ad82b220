"""Feedback reports for providers: after each accepted return (period ``2026-10``) and at
quarter end (``2026-Q3``), from each council the provider contracts with. Built by jobs of
kind ``feedback`` (``portal.feedback.jobs``): the PDF is kept as a ``Document``; the page
is drawn from the same figures."""

from __future__ import annotations

FEEDBACK = "feedback"


def feedback_key(council_id: int, provider_id: int, period: str) -> str:
    return f"{FEEDBACK}:{council_id}:{provider_id}:{period}"
