"""Queries about a provider's uploads of ASC-WDS staff and training files."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models.uploads import UploadBatch


def provider_batch(provider_id: int, token: str) -> UploadBatch | None:
    """The provider's upload batch with this token; None for an unknown token or another
    provider's."""
    return db.session.scalar(
        select(UploadBatch).where(
            UploadBatch.token == token[:64], UploadBatch.provider_id == provider_id
        )
    )
