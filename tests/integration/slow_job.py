"""A job handler for the worker tests, found by its dotted name (``Job.kind``): the first
attempt takes a minute (long enough to be killed in the middle), later ones finish."""

from __future__ import annotations

import time

from portal.models import Job


def run(job: Job) -> dict:
    if job.attempts == 1:
        time.sleep(60)
    return {"attempt": job.attempts}
