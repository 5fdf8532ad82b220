"""Feedback report jobs (kind ``feedback``): build the PDF and tell the provider's users."""

from __future__ import annotations

from portal.feedback.jobs import build_report
from portal.models import Job


def build_feedback(job: Job) -> dict:
    """params: council_id, provider_id, period ("2026-10" or "2026-Q3")."""
    return build_report(job.params or {}, job_id=job.id)
