"""Importing a checked staff and/or training upload: storage between check and confirm,
what will change, and the import job.

The uploaded bytes wait in ``instance/uploads/<token>.staff`` / ``.training`` (the user's
file name is never part of a path). The import job re-checks them against the provider's
records as they are now, then writes everything in ONE transaction:

- staff, as the check's ``action`` says: "add" inserts, "update" changes the fields the
  file has columns for (counted unchanged when nothing differs), "keep" leaves them, and
  "leave" sets ``left_on`` to today unless they had already left;
- training: each staff member the training file names has their records replaced by the
  file's (a staff member whose records are already exactly the file's is left alone), so the
  same file twice changes nothing and a corrected file replaces what it covers;
- the counts, stored on the batch;
- confirmed training sections of the provider's open returns go back to in progress.

Any error rolls the whole transaction back, and the batch is marked failed with the reason.
Rows are written with bulk ``insert``/``update`` statements on the tables (Core
"insertmanyvalues": a thousand rows per round trip), not one ORM object at a time; the ORM
bulk insert would split the rows into a statement per pattern of blank values.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import delete, insert, select, update

from portal.background.jobs import JobError, handler
from portal.extensions import db
from portal.models import (
    Branch,
    Contract,
    Job,
    MonthlyReturn,
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
from portal.timeutil import utcnow
from portal.uploads.asc_wds import ADD, LEAVE, UPDATE, ImportBatch, UploadCheck, check_upload

logger = logging.getLogger(__name__)

STAFF_FILE, TRAINING_FILE = "staff", "training"
# Staff fields an "update" may change (worker_id is the key; branch_id when LOCALESTID given).
STAFF_VALUE_FIELDS = (
    "branch_id", "main_job_role", "start_date", "employment_status", "care_certificate",
    "hourly_rate", "health_care_visa", "zero_hours", "contracted_hours",
)  # fmt: skip
TRAINING_VALUE_FIELDS = (
    "category", "training_name", "accredited", "who_delivered", "provider_name",
    "how_delivered", "validity", "date_completed", "expiry_date", "notes",
)  # fmt: skip
STORED_FOR = timedelta(days=1)  # an upload not confirmed within a day must be uploaded again
CHUNK = 5_000  # rows per statement for deletes by id
COUNT_NAMES = (
    "staff_new", "staff_updated", "staff_unchanged", "staff_leaving",
    "training_added", "training_replaced", "training_staff_changed", "training_staff_unchanged",
)  # fmt: skip


_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class ImportRefused(Exception):
    """The stored files no longer pass the check (the records changed meanwhile)."""


# --- storage -----------------------------------------------------------------------------


def upload_folder() -> Path:
    folder = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path, "uploads")
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_token() -> str:
    return secrets.token_urlsafe(24)


def stored_path(token: str, kind: str) -> Path:
    if kind not in (STAFF_FILE, TRAINING_FILE) or not _TOKEN.fullmatch(token or ""):
        raise ValueError("bad upload token")
    return upload_folder() / f"{token}.{kind}"


def store(token: str, kind: str, data: bytes) -> None:
    stored_path(token, kind).write_bytes(data)


def discard_files(token: str) -> None:
    for kind in (STAFF_FILE, TRAINING_FILE):
        try:
            stored_path(token, kind).unlink(missing_ok=True)
        except (OSError, ValueError):
            logger.warning("Could not delete an uploaded file of batch %s", token[:6])


def discard_stale(provider_id: int, older_than: timedelta = STORED_FOR) -> None:
    """Delete the files of this provider's uploads never confirmed (and a day old)."""
    stale = db.session.scalars(
        select(UploadBatch.token).where(
            UploadBatch.provider_id == provider_id,
            UploadBatch.status == UPLOAD_CHECKED,
            UploadBatch.created_at < utcnow() - older_than,
        )
    ).all()
    for token in stale:
        discard_files(token)


def _read(batch: UploadBatch, kind: str) -> tuple[bytes, str] | None:
    name = batch.staff_name if kind == STAFF_FILE else batch.training_name
    if name is None:
        return None
    path = stored_path(batch.token, kind)
    if not path.exists():
        raise FileNotFoundError("the uploaded file is no longer stored")
    return path.read_bytes(), name


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


# --- planning: what will change ----------------------------------------------------------


@dataclass
class Plan:
    counts: Counter = field(default_factory=Counter)
    staff_inserts: list[dict] = field(default_factory=list)
    staff_updates: list[dict] = field(default_factory=list)  # each with "id"
    # training: worker_id -> records to write; staff ids whose records are deleted first
    training_by_worker: dict[str, list[dict]] = field(default_factory=dict)
    training_delete_staff: list[int] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        c = self.counts
        return bool(
            c["staff_new"] + c["staff_updated"] + c["staff_leaving"] + c["training_staff_changed"]
        )

    def as_counts(self) -> dict[str, int]:
        return {name: int(self.counts[name]) for name in COUNT_NAMES}


def _clean(value: Any) -> Any:
    """Python values for the database (numpy ints from the check become ints)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | date):
        return value.item()
    return value


def plan_import(provider_id: int, batch: ImportBatch, today: date) -> Plan:
    """What the import would do to the provider's records now (reads only)."""
    plan = Plan()
    existing = {
        row.worker_id: row
        for row in db.session.execute(
            select(
                StaffMember.id,
                StaffMember.worker_id,
                StaffMember.left_on,
                *(getattr(StaffMember, name) for name in STAFF_VALUE_FIELDS),
            ).where(StaffMember.provider_id == provider_id)
        )
    }
    if batch.staff is not None and len(batch.staff):
        fields = [name for name in STAFF_VALUE_FIELDS if name in batch.staff_fields]
        for row in batch.staff.to_dict("records"):
            worker, action = row["worker_id"], row["action"]
            current = existing.get(worker)
            if action == ADD or (current is None and action != LEAVE):
                values = {name: _clean(row.get(name)) for name in STAFF_VALUE_FIELDS}
                plan.staff_inserts.append(
                    {"provider_id": provider_id, "worker_id": worker, **values}
                )
                plan.counts["staff_new"] += 1
            elif action == LEAVE:
                if current is not None and current.left_on is None:
                    plan.staff_updates.append({"id": current.id, "left_on": today})
                    plan.counts["staff_leaving"] += 1
                else:
                    plan.counts["staff_unchanged"] += 1
            elif action == UPDATE:
                changed = {
                    name: _clean(row.get(name))
                    for name in fields
                    if _clean(row.get(name)) != getattr(current, name)
                }
                if changed:
                    plan.staff_updates.append({"id": current.id, **changed})
                    plan.counts["staff_updated"] += 1
                else:
                    plan.counts["staff_unchanged"] += 1
            else:  # keep
                plan.counts["staff_unchanged"] += 1

    if batch.training is not None and len(batch.training):
        wanted: dict[str, list[dict]] = defaultdict(list)
        for row in batch.training.to_dict("records"):
            wanted[row["worker_id"]].append(
                {name: _clean(row.get(name)) for name in TRAINING_VALUE_FIELDS}
            )
        have: dict[int, Counter] = defaultdict(Counter)
        staff_ids = [existing[w].id for w in wanted if w in existing]
        for start in range(0, len(staff_ids), CHUNK):
            for record in db.session.execute(
                select(
                    TrainingRecord.staff_id,
                    *(getattr(TrainingRecord, name) for name in TRAINING_VALUE_FIELDS),
                ).where(TrainingRecord.staff_id.in_(staff_ids[start : start + CHUNK]))
            ):
                have[record.staff_id][tuple(record[1:])] += 1
        for worker, records in wanted.items():
            current = existing.get(worker)
            new = Counter(tuple(r[name] for name in TRAINING_VALUE_FIELDS) for r in records)
            old = have.get(current.id, Counter()) if current is not None else Counter()
            if new == old:
                plan.counts["training_staff_unchanged"] += 1
                continue
            plan.counts["training_staff_changed"] += 1
            plan.counts["training_added"] += len(records)
            plan.counts["training_replaced"] += sum(old.values())
            plan.training_by_worker[worker] = records
            if current is not None and old:
                plan.training_delete_staff.append(current.id)
    return plan


# --- applying ----------------------------------------------------------------------------


def apply_staff(provider_id: int, plan: Plan) -> None:
    if plan.staff_inserts:
        db.session.execute(insert(StaffMember.__table__), plan.staff_inserts)
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
    db.session.execute(insert(TrainingRecord.__table__), rows)


def reopen_training_sections(provider_id: int, user: User | None) -> int:
    """Confirmed training sections of the provider's open returns go back to in progress:
    their snapshot no longer matches the records. Returns how many."""
    from portal.returns import service
    from portal.returns.sections.training import CODE, reopen_if_confirmed

    sections = db.session.scalars(
        select(ReturnSection)
        .join(MonthlyReturn, ReturnSection.return_id == MonthlyReturn.id)
        .join(Contract, MonthlyReturn.contract_id == Contract.id)
        .where(ReturnSection.code == CODE, Contract.provider_id == provider_id)
    ).all()
    reopened = 0
    for sec in sections:
        ret = sec.monthly_return
        if service.can_edit(ret) and reopen_if_confirmed(ret, sec, user):
            reopened += 1
    return reopened


def run_import(batch: UploadBatch, today: date) -> dict[str, int]:
    """Re-check, then write everything in the session's transaction (the caller commits)."""
    check = check_batch(batch, today)
    if not check.ok:
        raise ImportRefused(
            "The files no longer pass the check: the staff records changed after they were "
            "checked. Upload them again."
        )
    plan = plan_import(batch.provider_id, check.to_import(), today)
    apply_staff(batch.provider_id, plan)
    apply_training(batch.provider_id, plan)
    counts = plan.as_counts()
    user = db.session.get(User, batch.user_id) if batch.user_id else None
    counts["sections_reopened"] = (
        reopen_training_sections(batch.provider_id, user) if plan.changes_anything else 0
    )
    return counts


IMPORT = "import"


def import_batch(batch_id: int, final: bool = True) -> dict[str, Any]:
    """Import a confirmed batch, all or nothing. A refusal (the files no longer pass the
    check) ends it at once; any other failure is raised for the job to try again, and
    marks the batch failed only on the ``final`` attempt. Safe to run twice: a batch that
    is not importing any more is left as it is."""
    from portal.returns import service

    batch = db.session.get(UploadBatch, batch_id)
    if batch is None or batch.status != UPLOAD_IMPORTING:
        return {"skipped": True}
    token = batch.token
    try:
        counts = run_import(batch, service.today())
        batch.counts = counts
        batch.status = UPLOAD_DONE
        batch.finished_at = utcnow()
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        refused = isinstance(error, ImportRefused)
        if not refused:
            logger.exception("Import of upload batch %s failed", batch_id)
        if refused or final:
            batch = db.session.get(UploadBatch, batch_id)
            batch.status = UPLOAD_FAILED
            # Shown to the user only when it is an ImportRefused; otherwise kept for support.
            batch.error = (str(error) or type(error).__name__)[:2000]
            batch.finished_at = utcnow()
            db.session.commit()
            discard_files(token)
        if refused:
            raise JobError(str(error)) from error
        raise
    discard_files(token)
    return counts


@handler(IMPORT, queue="imports")
def import_handler(job: Job) -> dict[str, Any]:
    """The "imports" queue's job (``workers.jobs``: a Job row, retries with back-off)."""
    return import_batch(job.params["batch_id"], final=job.attempts >= job.max_attempts)


def import_job(batch_id: int) -> None:
    """Import a batch now, in one attempt (scripts and benchmarks)."""
    try:
        import_batch(batch_id, final=True)
    except Exception:  # recorded on the batch
        return
