"""Building a pack's two files from ids: used by the job handlers (``workers.packs``)
and the ``flask build-pack`` command."""

from __future__ import annotations

from portal.exports import safe_filename
from portal.packs import data, framework
from portal.packs.pdf import framework_pdf, provider_pdf
from portal.packs.sheets import framework_sheets, provider_sheets
from portal.packs.xlsx import workbook


def slug(name: str) -> str:
    return safe_filename(name.lower()).replace(".", "-")


def build_pack(council_id: int, provider_id: int, quarter: str) -> tuple[bytes, bytes, str]:
    """(PDF, XLSX, file name without extension) of a provider's contract meeting pack.
    Raises ``months.PackError`` when it cannot be built (a bad quarter, no contract)."""
    pack = data.load(council_id, provider_id, quarter)
    stem = (
        f"contract-meeting-pack-{slug(pack.provider.name)}-{slug(pack.council.name)}-"
        f"{pack.quarter.name}"
    )
    return provider_pdf(pack), workbook(provider_sheets(pack)), stem


def build_framework_pack(
    council_id: int, framework_id: int, quarter: str
) -> tuple[bytes, bytes, str]:
    """(PDF, XLSX, file name without extension) of a framework's summary pack."""
    pack = framework.load(council_id, framework_id, quarter)
    stem = (
        f"framework-summary-pack-{slug(pack.framework.name)}-{slug(pack.council.name)}-"
        f"{pack.quarter.name}"
    )
    return framework_pdf(pack), workbook(framework_sheets(pack)), stem
