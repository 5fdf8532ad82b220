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


def provider_batch_by_id(provider_id: int, batch_id: int) -> UploadBatch | None:
    """The provider's upload batch ``batch_id`` (the API's upload id); None for another
    provider's, so it answers as one that does not exist."""
    return db.session.scalar(
        select(UploadBatch).where(
            UploadBatch.id == batch_id, UploadBatch.provider_id == provider_id
        )
    )
