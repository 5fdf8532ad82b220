"""Job handlers (``portal.background.kinds``): kinds ``pack`` (a provider's contract
meeting pack) and ``framework_pack`` (a framework summary). Each builds the PDF and the XLSX
and keeps them as ``Document`` rows; building again replaces them, so a job that runs twice
leaves one copy of each."""

from __future__ import annotations

from portal.background.jobs import JobError
from portal.documents import save_document
from portal.models import Job
from portal.packs import FRAMEWORK_PACK, PACK
from portal.packs.build import build_framework_pack, build_pack
from portal.packs.months import PackError, Quarter


def _param(job: Job, name: str) -> int:
    try:
        return int(job.params[name])
    except (KeyError, TypeError, ValueError):
        raise JobError(f"The request is missing its {name.replace('_id', '')}") from None


def _save(kind: str, job: Job, built: tuple[bytes, bytes, str], **owner: int) -> dict:
    pdf, xlsx, stem = built
    quarter = Quarter.parse(str(job.params["quarter"])).name
    council_id = _param(job, "council_id")
    for fmt, content in (("pdf", pdf), ("xlsx", xlsx)):
        save_document(
            kind, council_id, quarter, fmt, f"{stem}.{fmt}", content, job_id=job.id, **owner
        )
    return {"pdf": f"{stem}.pdf", "xlsx": f"{stem}.xlsx", "pdf_bytes": len(pdf),
            "xlsx_bytes": len(xlsx)}  # fmt: skip


def run_pack(job: Job) -> dict:
    """params: council_id, provider_id, quarter ("2026-Q3")."""
    council_id, provider_id = _param(job, "council_id"), _param(job, "provider_id")
    try:
        built = build_pack(council_id, provider_id, str(job.params.get("quarter", "")))
    except PackError as error:
        raise JobError(str(error)) from error
    return _save(PACK, job, built, provider_id=provider_id)


def run_framework_pack(job: Job) -> dict:
    """params: council_id, framework_id, quarter ("2026-Q3")."""
    council_id, framework_id = _param(job, "council_id"), _param(job, "framework_id")
    try:
        built = build_framework_pack(council_id, framework_id, str(job.params.get("quarter", "")))
    except PackError as error:
        raise JobError(str(error)) from error
    return _save(FRAMEWORK_PACK, job, built, framework_id=framework_id)
