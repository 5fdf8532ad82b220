"""Staff and training import jobs (kind ``import``): the import itself, with its checks and
its one transaction, lives in ``portal.uploads.importing``."""

from __future__ import annotations

from typing import Any

from portal.models import Job


def run_import(job: Job) -> dict[str, Any]:
    """params: batch_id. The last attempt marks the batch failed if it fails too."""
    from portal.uploads import importing

    return importing.import_handler(job)
