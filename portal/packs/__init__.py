"""Quarterly contract-meeting packs: one per provider (all its contracts with the council)
and a framework summary pack showing a framework's providers side by side. Built by jobs
of kind ``pack`` and ``framework_pack`` (``workers.packs``) as a PDF and an XLSX, kept
as ``Document`` rows (one copy each)."""

from __future__ import annotations

PACK = "pack"
FRAMEWORK_PACK = "framework_pack"


def pack_key(council_id: int, provider_id: int, quarter: str) -> str:
    return f"{PACK}:{council_id}:{provider_id}:{quarter}"


def framework_pack_key(council_id: int, framework_id: int, quarter: str) -> str:
    return f"{FRAMEWORK_PACK}:{council_id}:{framework_id}:{quarter}"
