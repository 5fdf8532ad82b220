"""Importing a checked staff and/or training upload: storage between check and confirm,
the one import path, and the import job.

The uploaded bytes wait in the database (``file_store``, kinds "staff" and "training" of
the batch's token), so the import job runs on any worker of any machine. The import job and
the API's import both run ``import_checked``: it locks the provider's row, re-checks the
files against the provider's records as they are now, then writes everything in ONE
transaction (the caller commits), so an upload and an API import of one provider run one
after the other, the second checked against what the first wrote:

- staff, as the check's ``action`` says: "add" inserts, "update" changes the fields the
  file has columns for (counted unchanged when nothing differs), "keep" leaves them, and
  "leave" sets ``left_on`` to today unless they had already left;
- training: each staff member the training file names has their records replaced by the
  file's (a staff member whose records are already the file's is left alone, see
  ``import_plan``), so the same file twice changes nothing and a corrected file replaces
  what it covers;
- the counts, stored on the batch;
- confirmed training sections of the provider's open returns go back to in progress.

Any error rolls the whole transaction back, and the batch is marked failed with the reason.
New rows are written with ``COPY`` on PostgreSQL (``bulk_copy``; Core "insertmanyvalues"
elsewhere) and changes with bulk ``update`` statements, not one ORM object at a time; the
ORM bulk insert would split the rows into a statement per pattern of blank values.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from portal import clock
from portal.background.jobs import JobError
from portal.clock import utcnow
from portal.extensions import db
from portal.models import (
    Branch,
    Contract,
    Job,
    MonthlyReturn,
    Provider,
    ReturnSection,
    StaffMember,
    TrainingRecord,
    User,
)
from portal.models.uploads import (
    UPLOAD_CHECKED,
    UPLOAD_DONE,
    UPLOAD_FAILED,
    UPLOAD_IMPORTING,
    UploadBatch,
)
from portal.uploads import bulk_copy, file_store
from portal.uploads.asc_wds import check_upload
from portal.uploads.asc_wds_results import ImportBatch, UploadCheck
from portal.uploads.import_plan import CHUNK, Plan, plan_import
from portal.uploads.set_based_import import import_set_based

logger = logging.getLogger(__name__)

STAFF_FILE, TRAINING_FILE = "staff", "training"
STORED_FOR = timedelta(days=1)  # an upload not confirmed within a day must be uploaded again


class ImportRefused(Exception):
    """The stored files no longer pass the check (the records changed meanwhile)."""


# --- storage -----------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(24)


def store(token: str, kind: str, data: bytes) -> None:
    """Keep an uploaded file until the import (in the caller's transaction)."""
    if kind not in (STAFF_FILE, TRAINING_FILE):
        raise ValueError("bad upload file kind")
    file_store.put(token, kind, data)


def discard_files(token: str) -> None:
    """Delete the batch's stored files (in the caller's transaction)."""
    file_store.delete_files(token, (STAFF_FILE, TRAINING_FILE))


def discard_stale(provider_id: int, older_than: timedelta = STORED_FOR) -> None:
    """Delete the files of this provider's uploads never confirmed (and a day old)."""
    stale = db.session.scalars(
        select(UploadBatch.token).where(
            UploadBatch.provider_id == provider_id,
            UploadBatch.status == UPLOAD_CHECKED,
            UploadBatch.created_at < utcnow() - older_than,
        )
    ).all()
    file_store.delete_tokens(stale, (STAFF_FILE, TRAINING_FILE))


def _read(batch: UploadBatch, kind: str) -> tuple[bytes, str] | None:
    name = batch.staff_name if kind == STAFF_FILE else batch.training_name
    if name is None:
        return None
    data = file_store.get(batch.token, kind)
    if data is None:
        raise FileNotFoundError("the uploaded file is no longer stored")
    return data, name


# --- checking ----------------------------------------------------------------------------


def provider_branches(provider_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Branch.local_est_id, Branch.id).where(Branch.provider_id == provider_id)
    )
    return {str(key): branch_id for key, branch_id in rows if key}


def existing_worker_ids(provider_id: int) -> set[str]:
    return set(
        db.session.scalars(
            select(StaffMember.worker_id).where(StaffMember.provider_id == provider_id)
        )
    )


def check_batch(batch: UploadBatch, today: date, max_listed: int | None = None) -> UploadCheck:
    """Check the stored files against the provider's records as they are now."""
    kwargs: dict[str, Any] = {} if max_listed is None else {"max_listed": max_listed}
    return check_upload(
        staff=_read(batch, STAFF_FILE),
        training=_read(batch, TRAINING_FILE),
        today=today,
        branches=provider_branches(batch.provider_id),
        existing_worker_ids=existing_worker_ids(batch.provider_id),
        **kwargs,
    )


# --- applying ----------------------------------------------------------------------------


def apply_staff(provider_id: int, plan: Plan) -> None:
    bulk_copy.insert_rows(StaffMember.__table__, plan.staff_inserts)
    # Group updates by the columns they set: one executemany per shape.
    shapes: dict[tuple, list[dict]] = defaultdict(list)
    for row in plan.staff_updates:
        shapes[tuple(sorted(row))].append(row)
    for rows in shapes.values():
        db.session.execute(update(StaffMember), rows)


def apply_training(provider_id: int, plan: Plan) -> None:
    ids = plan.training_delete_staff
    for start in range(0, len(ids), CHUNK):
        db.session.execute(
            delete(TrainingRecord).where(TrainingRecord.staff_id.in_(ids[start : start + CHUNK])),
            execution_options={"synchronize_session": False},
        )
    if not plan.training_by_worker:
        return
    staff_id = dict(
        db.session.execute(
            select(StaffMember.worker_id, StaffMember.id).where(
                StaffMember.provider_id == provider_id
            )
        ).all()
    )
    rows = [
        {"staff_id": staff_id[worker], **record}
        for worker, records in plan.training_by_worker.items()
        for record in records
    ]
    bulk_copy.insert_rows(TrainingRecord.__table__, rows)


def reopen_training_sections(provider_id: int, user: User | None) -> list[dict]:
    """Confirmed training sections of the provider's open returns go back to in progress:
    their snapshot no longer matches the records. Returns which returns, each as its id,
    council and month in words, and whether it had been sent (it must be sent again)."""
    from portal.returns import service
    from portal.returns.sections.training_rules import CODE, reopen_if_confirmed

    sections = db.session.scalars(
        select(ReturnSection)
        .join(MonthlyReturn, ReturnSection.return_id == MonthlyReturn.id)
        .join(Contract, MonthlyReturn.contract_id == Contract.id)
        .where(ReturnSection.code == CODE, Contract.provider_id == provider_id)
    ).all()
    reopened = []
    for sec in sorted(sections, key=lambda s: (s.monthly_return.period, s.return_id)):
        ret = sec.monthly_return
        if service.can_edit(ret) and reopen_if_confirmed(ret, sec, user):
            reopened.append(
                {
                    "id": ret.id,
                    "name": f"{ret.contract.council.name}, {service.period_label(ret.period)}",
                    "sent": bool(ret.versions),
                }
            )
    return reopened


# --- the one import path -----------------------------------------------------------------


@dataclass
class Imported:
    """What ``import_checked`` did: the check, and when it passed the rows imported, the
    plan applied and how many training sections went back to in progress."""

    check: UploadCheck
    batch: ImportBatch | None = None
    plan: Plan | None = None
    returns_reopened: list[dict] = field(default_factory=list)

    @property
    def sections_reopened(self) -> int:
        return len(self.returns_reopened)

    @property
    def ok(self) -> bool:
        return self.plan is not None

    def counts(self) -> dict:
        """The counts, and the returns whose training section went back to in progress."""
        return {
            **self.plan.as_counts(),
            "sections_reopened": self.sections_reopened,
            "returns_reopened": self.returns_reopened,
        }


def lock_provider(provider_id: int) -> None:
    """Hold the provider's row until the transaction ends (PostgreSQL: ``FOR UPDATE``), so
    imports of one provider run one after the other."""
    db.session.execute(select(Provider.id).where(Provider.id == provider_id).with_for_update())


def import_checked(
    provider_id: int,
    staff: tuple[bytes, str] | None,
    training: tuple[bytes, str] | None,
    today: date,
    user: User | None = None,
    set_based: bool | None = None,
) -> Imported:
    """Check a staff file and/or a training file, each (bytes, file name), against the
    provider's records now and, when they pass, import them: staff, training, reopened
    training sections. The provider's row is locked first. Nothing is committed: the
    caller commits, or rolls back (also when the check did not pass, to free the lock).

    On PostgreSQL the plan is worked out and applied by set-based SQL over staging tables
    (``set_based_import``); elsewhere, or with ``set_based=False``, row by row in Python
    (``plan_import``). Both store the same records and give the same counts."""
    lock_provider(provider_id)
    check = check_upload(
        staff=staff,
        training=training,
        today=today,
        branches=provider_branches(provider_id),
        existing_worker_ids=existing_worker_ids(provider_id),
    )
    if not check.ok:
        return Imported(check)
    batch = check.to_import()
    if set_based is None:
        set_based = db.session.connection().dialect.name == "postgresql"
    if set_based:
        plan = import_set_based(provider_id, batch, today)
    else:
        plan = plan_import(provider_id, batch, today)
        apply_staff(provider_id, plan)
        apply_training(provider_id, plan)
    reopened = reopen_training_sections(provider_id, user) if plan.changes_anything else []
    return Imported(check, batch, plan, reopened)


def run_import(batch: UploadBatch, today: date) -> dict[str, int]:
    """Import the batch's files in the session's transaction (the caller commits)."""
    user = db.session.get(User, batch.user_id) if batch.user_id else None
    staff, training = _read(batch, STAFF_FILE), _read(batch, TRAINING_FILE)
    imported = import_checked(batch.provider_id, staff, training, today, user)
    if not imported.ok:
        raise ImportRefused(
            "The files no longer pass the check: the staff records changed after they were "
            "checked. Upload them again."
        )
    return imported.counts()


def import_batch(batch_id: int, final: bool = True) -> dict[str, Any]:
    """Import a confirmed batch, all or nothing. A refusal (the files no longer pass the
    check) ends it at once; any other failure is raised for the job to try again, and
    marks the batch failed only on the ``final`` attempt. Safe to run twice: a batch that
    is not importing any more is left as it is. The stored files are deleted with the
    outcome, in its transaction."""

    batch = db.session.get(UploadBatch, batch_id)
    if batch is None or batch.status != UPLOAD_IMPORTING:
        return {"skipped": True}
    token = batch.token
    try:
        counts = run_import(batch, clock.today())
        batch.counts = counts
        batch.status = UPLOAD_DONE
        batch.finished_at = utcnow()
        discard_files(token)
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        refused = isinstance(error, ImportRefused)
        if not refused:
            logger.exception("Import of upload batch %s failed", batch_id)
        if refused or final:
            _mark_failed(batch_id, error)
        if refused:
            raise JobError(str(error)) from error
        raise
    return counts


def _mark_failed(batch_id: int, error: Exception) -> None:
    batch = db.session.get(UploadBatch, batch_id)
    batch.status = UPLOAD_FAILED
    # Shown to the user only when it is an ImportRefused; otherwise kept for support.
    batch.error = (str(error) or type(error).__name__)[:2000]
    batch.finished_at = utcnow()
    discard_files(batch.token)
    db.session.commit()


def import_handler(job: Job) -> dict[str, Any]:
    """The import job's work (run by ``workers.imports``; a Job row, retries with back-off)."""
    return import_batch(job.params["batch_id"], final=job.attempts >= job.max_attempts)


def import_job(batch_id: int) -> None:
    """Import a batch now, in one attempt (scripts and benchmarks)."""
    try:
        import_batch(batch_id, final=True)
    except Exception:  # recorded on the batch
        return
