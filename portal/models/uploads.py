"""Bulk uploads of staff and training files: one row per upload, from the check to the
end of its import. The files themselves wait in the database (``StoredFile``, through
``portal.uploads.file_store``) until the import, so a worker on any machine can read them;
a file never confirmed is deleted after a day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.clock import utcnow
from portal.extensions import db

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


class StoredFile(db.Model):
    """An uploaded file kept between its check and its import or save: ``token`` is the
    upload's (an ``UploadBatch``'s, or a section upload's), ``kind`` which file of it
    ("staff", "training", "section", "section-note"). Only ``portal.uploads.file_store``
    reads and writes these rows."""

    __tablename__ = "stored_file"
    __table_args__ = (UniqueConstraint("token", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
