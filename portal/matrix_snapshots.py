"""Reading the training snapshots for the super training matrix in Python (``portal.matrix``
says the rules): each contract's newest confirmed snapshot, the staff it counts and their
records as at a date, and how the provider's records now say a course was delivered.
PostgreSQL does the same in one statement (``portal.matrix_sql``); this is the way on
SQLite, and the reference the SQL is tested against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from portal import coverage
from portal.extensions import db
from portal.models import Contract, MonthlyReturn, ReturnVersion, StaffMember, TrainingRecord
from portal.models.returns import confirmed_training
from portal.returns import training_status_rules

FACE_TO_FACE, E_LEARNING, MODE_NOT_KNOWN = 1, 2, None


@dataclass
class SnapshotStaff:
    provider_id: int
    worker_id: str
    job_role: int | None
    records: dict[int, list[dict]]  # by category, in snapshot order


def _current(records: list, code: int):
    """``training_status_rules.current_record`` of one category's records. A lone record is its own
    current one, and most categories hold one: with 100,000 records the call adds up."""
    return records[0] if len(records) == 1 else training_status_rules.current_record(records, code)


def status_of(records: list[dict], code: int, as_at: date) -> str:
    """``training_status_rules.staff_training_status``, given only the category's records."""
    if not records:
        return training_status_rules.STATUS_MISSING
    return training_status_rules.training_status(_current(records, code)["expiry_date"], as_at)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _latest_snapshots(council_id: int, as_at: date, provider_id: int | None):
    """(provider_id, snapshot, snapshot date, submitted at) for each contract: its newest
    version with a confirmed training snapshot. Versions are read a round at a time (each
    contract's newest, then the next newest of those without a snapshot...), one query a
    round, so a council's 60 or so contracts cost a query, not 60."""
    candidates = _candidates(council_id, as_at, provider_id)
    found: dict[int, tuple] = {}
    pending = list(candidates)
    depth = 0
    while pending:
        wanted = {candidates[c][depth][0]: c for c in pending if depth < len(candidates[c])}
        if not wanted:
            break
        versions = db.session.scalars(select(ReturnVersion).where(ReturnVersion.id.in_(wanted)))
        for version in versions:
            training = _confirmed_training(version)
            if training is None:
                continue
            contract_id = wanted[version.id]
            pid = candidates[contract_id][depth][1]
            found[contract_id] = (pid, training, _date(training.get("as_at")), version.submitted_at)
        pending = [c for c in pending if c not in found]
        depth += 1
    return [found[c] for c in candidates if c in found]


def _candidates(
    council_id: int, as_at: date, provider_id: int | None
) -> dict[int, list[tuple[int, int]]]:
    """Contract -> its versions of periods up to ``as_at``, newest first, as (version id,
    provider id)."""
    query = (
        select(
            ReturnVersion.id,
            Contract.id,
            Contract.provider_id,
        )
        .join(MonthlyReturn, ReturnVersion.return_id == MonthlyReturn.id)
        .join(Contract, MonthlyReturn.contract_id == Contract.id)
        .where(Contract.council_id == council_id, MonthlyReturn.period <= as_at)
        .order_by(Contract.id, MonthlyReturn.period.desc(), ReturnVersion.number.desc())
    )
    if provider_id is not None:
        query = query.where(Contract.provider_id == provider_id)
    candidates: dict[int, list[tuple[int, int]]] = {}
    for version_id, contract_id, pid in db.session.execute(query):
        candidates.setdefault(contract_id, []).append((version_id, pid))
    return candidates


def _confirmed_training(version: ReturnVersion) -> dict | None:
    """The version's training snapshot, if confirmed (a nil return has none)."""
    return confirmed_training(version.data)


def staff_in_scope(council_id: int, as_at: date, provider_id: int | None) -> list[SnapshotStaff]:
    newest: dict[tuple[int, str], tuple[tuple, SnapshotStaff]] = {}
    elsewhere = coverage.uncovered_branch_names(council_id)  # branches no contract covers
    for pid, training, snapshot_as_at, submitted_at in _latest_snapshots(
        council_id, as_at, provider_id
    ):
        order = (snapshot_as_at or date.min, submitted_at.replace(tzinfo=None))
        for member in training.get("staff") or []:
            if member.get("branch") in elsewhere.get(pid, ()):
                continue  # works at a branch that serves another council
            left_on = _date(member.get("left_on"))
            if left_on is not None and left_on < as_at:
                continue
            records: dict[int, list[dict]] = {}
            for r in member.get("training") or []:
                completed = _date(r.get("date_completed"))
                if completed and completed > as_at:
                    continue
                records.setdefault(r.get("category"), []).append(
                    {
                        "category": r.get("category"),
                        "date_completed": completed,
                        "expiry_date": _date(r.get("expiry_date")),
                    }
                )
            key = (pid, str(member.get("worker_id")))
            staff = SnapshotStaff(pid, key[1], member.get("job_role"), records)
            if key not in newest or order > newest[key][0]:
                newest[key] = (order, staff)
    return [staff for _, staff in newest.values()]


def records_now(provider_ids: set[int]) -> dict[tuple[int, str, int], list]:
    """(provider, worker, category) -> the records the provider holds now (snapshots do not
    say how training was delivered), in the order of the ``StaffMember.training``
    relationship. One query of plain rows: a council has about 100,000 records, too many
    to load as ORM objects on request."""
    rows = db.session.execute(
        select(
            StaffMember.provider_id,
            StaffMember.worker_id,
            TrainingRecord.category,
            TrainingRecord.expiry_date,
            TrainingRecord.date_completed,
            TrainingRecord.how_delivered,
        )
        .join(TrainingRecord, TrainingRecord.staff_id == StaffMember.id)
        .where(StaffMember.provider_id.in_(sorted(provider_ids)))
        .order_by(StaffMember.id, TrainingRecord.category, TrainingRecord.id)
    )
    groups: dict[tuple[int, str, int], list] = {}
    for row in rows:
        groups.setdefault((row[0], row[1], row[2]), []).append(row)
    return groups


def delivery_mode(records: list | None, as_at: date) -> int | None:
    """How the staff member's most recent course in the category was delivered: of the
    provider's records now, the one completed last on or before ``as_at`` (the later
    record on a tie); not known without one, or when it does not say. Worked out only for
    staff who need the training, not for every record."""
    done = [(r.date_completed, i, r) for i, r in enumerate(records or []) if r.date_completed]
    done = [d for d in done if d[0] <= as_at]
    mode = max(done, key=lambda d: d[:2])[2].how_delivered if done else None
    return mode if mode in (FACE_TO_FACE, E_LEARNING) else MODE_NOT_KNOWN
