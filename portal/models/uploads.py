"""Bulk uploads of staff and training files: one row per upload, from the check to the
end of its import. The files themselves wait under ``instance/uploads/<token>.<kind>``
until the import (or are never read again when the user does not confirm)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import utcnow

UPLOAD_CHECKED = "checked"
UPLOAD_IMPORTING = "importing"
UPLOAD_DONE = "done"
UPLOAD_FAILED = "failed"


class UploadBatch(db.Model):
    """A provider's staff file and/or training file, checked and maybe imported.

    ``token`` names the stored files and is the ``?batch=`` of every page of the journey
    (looked up within the provider of the URL, so another provider's users get 404).
    ``counts`` is the import's summary (new, updated, unchanged and leaving staff, training
    records added and replaced); ``error`` why an import failed."""

    __tablename__ = "upload_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    staff_name: Mapped[str | None] = mapped_column(String(255))
    training_name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default=UPLOAD_CHECKED)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
