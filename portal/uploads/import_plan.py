"""What importing checked staff and training rows would change (reads only): the ``Plan``
that ``importing.import_checked`` then applies.

Staff go as the check's ``action`` says. Training records have no key of their own: a
record is its values (``TRAINING_VALUE_FIELDS``), and a staff member's records are
compared with the file's as SETS of such values. A file cannot hold the same record twice
(a repeated row imports once), so two identical records in the database and one row in
the file are the same training; a record stored with no expiry date but a VALIDITY in
months is compared by the expiry that VALIDITY gives, as a blank EXPIRYDATE in a file is.
That is what makes a downloaded training template, uploaded unchanged, change nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import select

from portal.extensions import db
from portal.models import StaffMember, TrainingRecord
from portal.returns.staff_rules import derived_expiry
from portal.uploads.asc_wds_results import ADD, LEAVE, UPDATE, ImportBatch

# Staff fields an "update" may change (worker_id is the key; branch_id when LOCALESTID given).
STAFF_VALUE_FIELDS = (
    "branch_id", "main_job_role", "start_date", "employment_status", "care_certificate",
    "hourly_rate", "health_care_visa", "zero_hours", "contracted_hours",
)  # fmt: skip
TRAINING_VALUE_FIELDS = (
    "category", "training_name", "accredited", "who_delivered", "provider_name",
    "how_delivered", "validity", "date_completed", "expiry_date", "notes",
)  # fmt: skip
CHUNK = 5_000  # rows per statement for reads and deletes by id
COUNT_NAMES = (
    "staff_new", "staff_updated", "staff_unchanged", "staff_leaving",
    "training_added", "training_changed", "training_unchanged", "training_removed",
    "training_staff_changed", "training_staff_unchanged",
)  # fmt: skip
_CATEGORY = TRAINING_VALUE_FIELDS.index("category")
_EXPIRY = TRAINING_VALUE_FIELDS.index("expiry_date")
_VALIDITY = TRAINING_VALUE_FIELDS.index("validity")
_COMPLETED = TRAINING_VALUE_FIELDS.index("date_completed")

TrainingKey = tuple


@dataclass
class Plan:
    counts: Counter = field(default_factory=Counter)
    staff_inserts: list[dict] = field(default_factory=list)
    staff_updates: list[dict] = field(default_factory=list)  # each with "id"
    # training: worker_id -> records to write; staff ids whose records are deleted first
    training_by_worker: dict[str, list[dict]] = field(default_factory=dict)
    training_delete_staff: list[int] = field(default_factory=list)
    # the records a changed worker has before the import, by worker_id
    training_before: dict[str, Counter] = field(default_factory=dict)

    @property
    def changes_anything(self) -> bool:
        c = self.counts
        return bool(
            c["staff_new"] + c["staff_updated"] + c["staff_leaving"] + c["training_staff_changed"]
        )

    def as_counts(self) -> dict[str, int]:
        return {name: int(self.counts[name]) for name in COUNT_NAMES}


def clean(value: Any) -> Any:
    """Python values for the database (numpy ints from the check become ints)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | date):
        return value.item()
    return value


def training_key(values) -> TrainingKey:
    """A training record's identity: its values, with the expiry its VALIDITY gives when
    it has none of its own."""
    key = list(values)
    if key[_EXPIRY] is None and key[_COMPLETED] is not None:
        key[_EXPIRY] = derived_expiry(key[_COMPLETED], key[_VALIDITY])
    return tuple(key)


def plan_import(provider_id: int, batch: ImportBatch, today: date) -> Plan:
    """What the import would do to the provider's records now (reads only)."""
    plan = Plan()
    existing = _existing_staff(provider_id)
    if batch.staff is not None and len(batch.staff):
        _plan_staff(plan, provider_id, batch, existing, today)
    if batch.training is not None and len(batch.training):
        _plan_training(plan, batch, existing)
    return plan


def _existing_staff(provider_id: int) -> dict[str, Any]:
    columns = (getattr(StaffMember, name) for name in STAFF_VALUE_FIELDS)
    query = select(StaffMember.id, StaffMember.worker_id, StaffMember.left_on, *columns)
    return {
        row.worker_id: row
        for row in db.session.execute(query.where(StaffMember.provider_id == provider_id))
    }


def _plan_staff(plan: Plan, provider_id: int, batch: ImportBatch, existing, today) -> None:
    fields = [name for name in STAFF_VALUE_FIELDS if name in batch.staff_fields]
    for row in batch.staff.to_dict("records"):
        worker, action = row["worker_id"], row["action"]
        current = existing.get(worker)
        if action == ADD or (current is None and action != LEAVE):
            values = {name: clean(row.get(name)) for name in STAFF_VALUE_FIELDS}
            plan.staff_inserts.append({"provider_id": provider_id, "worker_id": worker, **values})
            plan.counts["staff_new"] += 1
        elif action == LEAVE:
            _plan_leaver(plan, current, today)
        elif action == UPDATE:
            _plan_update(plan, row, current, fields)
        else:  # keep
            plan.counts["staff_unchanged"] += 1


def _plan_leaver(plan: Plan, current, today: date) -> None:
    if current is not None and current.left_on is None:
        plan.staff_updates.append({"id": current.id, "left_on": today})
        plan.counts["staff_leaving"] += 1
    else:
        plan.counts["staff_unchanged"] += 1


def _plan_update(plan: Plan, row: dict, current, fields: list[str]) -> None:
    """The fields whose values differ; a value the check ignored (a warning, as ASC-WDS
    ignores it) leaves the one held as it was, as in ASC-WDS."""
    ignored = row.get("ignored") or ()
    changed = {
        name: clean(row.get(name))
        for name in fields
        if name not in ignored and clean(row.get(name)) != getattr(current, name)
    }
    if changed:
        plan.staff_updates.append({"id": current.id, **changed})
        plan.counts["staff_updated"] += 1
    else:
        plan.counts["staff_unchanged"] += 1


def _stored_training(staff_ids: list[int]) -> dict[int, Counter]:
    """The records of these staff members, as a Counter of their values each."""
    have: dict[int, Counter] = defaultdict(Counter)
    columns = [getattr(TrainingRecord, name) for name in TRAINING_VALUE_FIELDS]
    for start in range(0, len(staff_ids), CHUNK):
        chunk = staff_ids[start : start + CHUNK]
        query = select(TrainingRecord.staff_id, *columns)
        for record in db.session.execute(query.where(TrainingRecord.staff_id.in_(chunk))):
            have[record.staff_id][tuple(record[1:])] += 1
    return have


def _identity(key: TrainingKey) -> tuple:
    """Which course completion a record is: its category and completion date."""
    return key[_CATEGORY], key[_COMPLETED]


def record_changes(old: Counter, new: list[TrainingKey]) -> Counter:
    """A worker's records before and after, counted by what happened to each: unchanged
    (the same values), changed (the same course and completion date, other values
    differ), added (new) and removed (no longer in the file)."""
    after = Counter(new)
    kept = old & after
    gone, came = old - kept, after - kept
    counts = Counter(training_unchanged=sum(kept.values()))
    left = Counter(_identity(k) for k in gone.elements())
    for key in came.elements():
        if left[_identity(key)]:
            left[_identity(key)] -= 1
            counts["training_changed"] += 1
        else:
            counts["training_added"] += 1
    counts["training_removed"] = sum(left.values())
    return counts


def python_columns(frame, names) -> list[list]:
    """Each named column of ``frame`` as a list of Python values (``clean``: each distinct
    value converted once), blank where the column is absent or the cell is blank."""
    columns = []
    for name in names:
        if name not in frame:
            columns.append([None] * len(frame))
            continue
        codes, uniques = pd.factorize(frame[name], use_na_sentinel=True)
        values = [clean(value) for value in uniques] + [None]  # a blank's code is -1
        columns.append([values[code] for code in codes.tolist()])
    return columns


def _file_key(record: tuple) -> TrainingKey:
    """As ``training_key``: the check has already derived a blank expiry where VALIDITY
    gives one, so most of a file's records are their own key."""
    if record[_EXPIRY] is None and record[_COMPLETED] is not None:
        return training_key(record)
    return record


def _records_by_worker(frame) -> dict[str, list[tuple]]:
    """The file's records (tuples of ``TRAINING_VALUE_FIELDS``) by worker, in file order."""
    wanted: dict[str, list[tuple]] = defaultdict(list)
    rows = zip(*python_columns(frame, TRAINING_VALUE_FIELDS), strict=True)
    for worker, record in zip(frame["worker_id"].tolist(), rows, strict=True):
        wanted[worker].append(record)
    return wanted


def _plan_training(plan: Plan, batch: ImportBatch, existing) -> None:
    wanted = _records_by_worker(batch.training)
    have = _stored_training([existing[w].id for w in wanted if w in existing])
    for worker, records in wanted.items():
        current = existing.get(worker)
        old = have.get(current.id, Counter()) if current is not None else Counter()
        if old and {_file_key(r) for r in records} == {training_key(v) for v in old}:
            plan.counts["training_staff_unchanged"] += 1
            plan.counts["training_unchanged"] += len(records)
            continue
        plan.counts["training_staff_changed"] += 1
        if old:
            plan.counts.update(record_changes(_keys(old), [_file_key(r) for r in records]))
        else:  # nothing to compare with: every record is new
            plan.counts["training_added"] += len(records)
        plan.training_by_worker[worker] = [
            dict(zip(TRAINING_VALUE_FIELDS, record, strict=True)) for record in records
        ]
        plan.training_before[worker] = old
        if current is not None and old:
            plan.training_delete_staff.append(current.id)


def _keys(old: Counter) -> Counter:
    return Counter(training_key(values) for values in old.elements())
