"""The change record: who changed what, when, and the values before and after."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from portal.client import client_ip
from portal.extensions import db
from portal.models import ChangeRecord, User


def plain(value: Any) -> Any:
    """A value as JSON can hold it (dates as ISO text, amounts as text, enums as labels)."""
    if isinstance(value, Enum):
        return getattr(value, "label", value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def snapshot(record: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: plain(getattr(record, name)) for name in fields}


def record_change(
    actor: User | None,
    entity: str,
    entity_id: int | None,
    action: str,
    summary: str,
    *,
    before: dict | None = None,
    after: dict | None = None,
    council_id: int | None = None,
    provider_id: int | None = None,
) -> ChangeRecord:
    """Add the change record to the current transaction (the caller commits)."""
    record = ChangeRecord(
        user_id=actor.id if actor is not None else None,
        ip_address=client_ip(),
        entity=entity,
        entity_id=entity_id,
        action=action,
        summary=summary[:300],
        council_id=council_id,
        provider_id=provider_id,
        before=before,
        after=after,
    )
    db.session.add(record)
    return record
