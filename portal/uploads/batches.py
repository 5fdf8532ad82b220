"""An upload batch's steps that the upload pages (and any other door) take: recording the
files a user uploaded, and confirming the import (claimed in SQL, so two confirms cannot
both start one, then queued as a job). Each commits."""

from __future__ import annotations

from sqlalchemy import update

from portal.background.jobs import submit
from portal.background.kinds import IMPORT
from portal.extensions import db
from portal.models.uploads import UPLOAD_CHECKED, UPLOAD_IMPORTING, UploadBatch
from portal.uploads import importing


def record_batch(provider_id: int, user_id: int, token: str, names: dict[str, str]) -> UploadBatch:
    """A batch for the files stored under ``token`` (file names by kind), to be checked."""
    batch = UploadBatch(
        provider_id=provider_id,
        user_id=user_id,
        token=token,
        staff_name=names.get(importing.STAFF_FILE),
        training_name=names.get(importing.TRAINING_FILE),
        status=UPLOAD_CHECKED,
        counts={},
    )
    db.session.add(batch)
    db.session.commit()
    return batch


def start_import(batch: UploadBatch, user_id: int) -> bool:
    """Claim a checked batch for importing and queue the import job; False when another
    confirm claimed it first (a double click)."""
    claimed = db.session.execute(
        update(UploadBatch)
        .where(UploadBatch.id == batch.id, UploadBatch.status == UPLOAD_CHECKED)
        .values(status=UPLOAD_IMPORTING)
    ).rowcount
    db.session.commit()
    if claimed:
        submit(
            IMPORT,
            f"{IMPORT}:{batch.id}",
            {"batch_id": batch.id},
            provider_id=batch.provider_id,
            user_id=user_id,
        )
    return bool(claimed)
