"""The council API's feed of submitted versions: an opaque cursor (the last version's
place in the feed, ``feed_seq``, encoded so clients do not build it; ADR 0015), and each
version's answers as rows of ``section, field, value`` with stable column names, for JSON
and CSV alike."""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING

from portal.clock import as_utc
from portal.returns import service

if TYPE_CHECKING:
    from portal.models import ReturnVersion

COLUMNS = ("version_reference", "return_id", "provider_id", "provider", "council", "framework",
           "period", "version", "submitted_at", "section", "field", "value")  # fmt: skip
BAD_CURSOR = "The cursor is not one this API gave: send the next_cursor of the last page"


def encode_cursor(after_seq: int) -> str:
    text = json.dumps({"v": 1, "after": after_seq}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The feed place a cursor stands for (0 for none); cursors given before the feed
    had its own order held the last version id, which is that version's place. Raises
    ValueError for junk."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        found = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        after = found["after"] if isinstance(found, dict) and found.get("v") == 1 else None
    except (ValueError, KeyError, binascii.Error, UnicodeError):
        after = None
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise ValueError(BAD_CURSOR)
    return after


def _head(version: ReturnVersion) -> dict:
    ret = version.monthly_return
    contract = ret.contract
    return {
        "version_reference": version.reference,
        "return_id": ret.id,
        "provider_id": contract.provider_id,
        "provider": contract.provider.name,
        "council": contract.council.name,
        "framework": contract.framework.name if contract.framework else None,
        "period": f"{ret.period:%Y-%m}",
        "version": version.number,
        # Stored in UTC; SQLite gives it back without its offset, so it is put back here.
        "submitted_at": as_utc(version.submitted_at).isoformat(),
    }


def answers(version: ReturnVersion) -> list[dict[str, str]]:
    """Every answer of the version: ``kpis.planned_visits`` -> section kpis, field
    planned_visits; list rows keep their position (``rows[1].reference``)."""
    found = []
    sections = (version.data or {}).get("sections") or {}
    for code, _ in service.SECTIONS:
        for field, value in service.flatten(sections.get(code) or {}).items():
            if field:
                found.append({"section": code, "field": field, "value": value})
    return found


def version_document(version: ReturnVersion) -> dict:
    return {**_head(version), "nil_return": bool((version.data or {}).get("nil_return")),
            "answers": answers(version)}  # fmt: skip


def csv_rows(versions: list[ReturnVersion]) -> list[list]:
    rows = []
    for version in versions:
        head = _head(version)
        for answer in answers(version):
            rows.append([*(head[c] for c in COLUMNS[:9]), *answer.values()])
    return rows
