"""The super training matrix: a council's training compliance, worked out on request from
each provider's latest submitted training and staff snapshot, with next quarter's
training demand. The provider forum's anonymous view of it (small cells suppressed) is
``portal.training_matrix_suppression``.

Sources: for each of a provider's contracts with the council, the newest submitted version
(newest period, then highest version number, period on or before ``as_at``) whose training
section holds a confirmed snapshot. A provider with several contracts counts each staff
member once (by ``worker_id``), from the newest snapshot. Staff who had left before
``as_at`` and records completed after it are left out.

A staff member's status in a category comes from their record with the latest expiry
(``training_status_rules.current_record``), recomputed as at ``as_at``; "missing" when the
category is mandatory for their job role in the council's set (``portal.mandatory``: its
own, or the default list for care-providing roles) and they have no record. Counts are of
staff. A cell's staff in scope are those with a record in the category or missing it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from portal import coverage
from portal.extensions import db
from portal.mandatory import mandatory_set
from portal.models import Contract, MonthlyReturn, ReturnVersion, StaffMember, TrainingRecord
from portal.returns import staff_reference, training_status_rules

ALL_CARE_ROLES = "all"
ALL_CARE_ROLES_NAME = "All care roles"
JOB_ROLE_NOT_KNOWN = "Job role not known"
FACE_TO_FACE, E_LEARNING, MODE_NOT_KNOWN = 1, 2, None
DELIVERY_MODES: list[tuple[int | None, str]] = [
    (FACE_TO_FACE, "Face to face"),
    (E_LEARNING, "E-learning"),
    (MODE_NOT_KNOWN, "Delivery mode not known"),
]
NEEDS_TRAINING = (
    training_status_rules.STATUS_EXPIRING,
    training_status_rules.STATUS_EXPIRED,
    training_status_rules.STATUS_MISSING,
)
EXPORT_HEADER = (  # labels, as every heading people read (CSV and XLSX alike)
    "Category code",
    "Training category",
    "Job role",
    "Staff in scope",
    "Up to date",
    "Expiring within 90 days",
    "Expired",
    "Missing",
    "% compliant",
)
# The same columns as stable names for machines (the API's JSON keys).
EXPORT_KEYS = (
    "category_code",
    "category",
    "job_role",
    "staff_in_scope",
    "up_to_date",
    "expiring_90_days",
    "expired",
    "missing",
    "percent_compliant",
)


def default_as_at(today: date) -> date:
    """The end of the latest period: the last day of the month before ``today``'s."""
    return today.replace(day=1) - timedelta(days=1)


# --- cells ---------------------------------------------------------------------------


@dataclass
class Cell:
    up_to_date: int = 0
    expiring: int = 0
    expired: int = 0
    missing: int = 0
    providers: Counter[int] = field(default_factory=Counter)  # provider -> staff counted
    # status -> provider -> staff counted: who makes up each count the cell publishes
    by_status: dict[str, Counter[int]] = field(default_factory=dict)

    @property
    def staff_in_scope(self) -> int:
        return self.up_to_date + self.expiring + self.expired + self.missing

    @property
    def size(self) -> int:
        return self.staff_in_scope

    @property
    def percent_compliant(self) -> float | None:
        """Compliant as providers and ASC-WDS count it: (up to date + expiring within 90
        days, both still valid) / in scope, to 1 decimal place (None if no staff)."""
        if not self.staff_in_scope:
            return None
        return round(100 * (self.up_to_date + self.expiring) / self.staff_in_scope, 1)

    def add(self, status: str, provider_id: int) -> None:
        setattr(self, status, getattr(self, status) + 1)
        self.providers[provider_id] += 1
        self.by_status.setdefault(status, Counter())[provider_id] += 1

    def contributions(self, *statuses: str) -> Counter[int]:
        """Provider -> staff counted in the sum of ``statuses``."""
        total: Counter[int] = Counter()
        for status in statuses:
            total.update(self.by_status.get(status, Counter()))
        return total

    def figures(self) -> list[int | float | None]:
        return [
            self.staff_in_scope,
            self.up_to_date,
            self.expiring,
            self.expired,
            self.missing,
            self.percent_compliant,
        ]


@dataclass
class DemandCell:
    staff: int = 0
    providers: Counter[int] = field(default_factory=Counter)  # provider -> staff counted

    @property
    def size(self) -> int:
        return self.staff

    def add(self, provider_id: int) -> None:
        self.staff += 1
        self.providers[provider_id] += 1


@dataclass(frozen=True)
class Column:
    key: int | str | None  # a job role code, ALL_CARE_ROLES, or None: not known
    name: str


@dataclass
class Matrix:
    council_id: int
    as_at: date
    provider_id: int | None
    groups: list[tuple[str, list[staff_reference.TrainingCategory]]]
    columns: list[Column]
    cells: dict[tuple[int, int | str], Cell]
    staff_count: int
    provider_ids: set[int]
    # Next quarter's demand: (category, delivery mode) -> staff needing the training.
    demand: dict[tuple[int, int | None], DemandCell]

    def cell(self, category: int, column: int | str) -> Cell:
        return self.cells.get((category, column)) or Cell()

    @property
    def categories(self) -> list[staff_reference.TrainingCategory]:
        return [c for _, items in self.groups for c in items]

    def export_rows(self) -> Iterable[list]:
        for category in self.categories:
            for column in self.columns:
                cell = self.cell(category.code, column.key)
                yield [category.code, category.name, column.name, *cell.figures()]


# --- reading the snapshots --------------------------------------------------------------


@dataclass
class _Staff:
    provider_id: int
    worker_id: str
    job_role: int | None
    records: dict[int, list[dict]]  # by category, in snapshot order


def _current(records: list, code: int):
    """``training_status_rules.current_record`` of one category's records. A lone record is its own
    current one, and most categories hold one: with 100,000 records the call adds up."""
    return records[0] if len(records) == 1 else training_status_rules.current_record(records, code)


def _status(records: list[dict], code: int, as_at: date) -> str:
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
    data = version.data or {}
    training = (data.get("sections") or {}).get("training") or {}
    if data.get("nil_return") or not training.get("confirmed"):
        return None
    return training


def _staff(council_id: int, as_at: date, provider_id: int | None) -> list[_Staff]:
    newest: dict[tuple[int, str], tuple[tuple, _Staff]] = {}
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
            staff = _Staff(pid, key[1], member.get("job_role"), records)
            if key not in newest or order > newest[key][0]:
                newest[key] = (order, staff)
    return [staff for _, staff in newest.values()]


def _records_now(provider_ids: set[int]) -> dict[tuple[int, str, int], list]:
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


def _delivery_mode(records: list | None, as_at: date) -> int | None:
    """How the staff member's most recent course in the category was delivered: of the
    provider's records now, the one completed last on or before ``as_at`` (the later
    record on a tie); not known without one, or when it does not say. Worked out only for
    staff who need the training, not for every record."""
    done = [(r.date_completed, i, r) for i, r in enumerate(records or []) if r.date_completed]
    done = [d for d in done if d[0] <= as_at]
    mode = max(done, key=lambda d: d[:2])[2].how_delivered if done else None
    return mode if mode in (FACE_TO_FACE, E_LEARNING) else MODE_NOT_KNOWN


# --- the matrix ---------------------------------------------------------------------------


def build_matrix(council_id: int, as_at: date, provider_id: int | None = None) -> Matrix:
    staff = _staff(council_id, as_at, provider_id)
    cells, demand = _count(staff, as_at, mandatory_set(council_id))
    used = {code for code, _ in cells}
    groups = [
        (name, [c for c in items if c.code in used])
        for name, items in staff_reference.category_groups()
    ]
    return Matrix(
        council_id=council_id,
        as_at=as_at,
        provider_id=provider_id,
        groups=[(name, items) for name, items in groups if items],
        columns=_columns({member.job_role for member in staff}),
        cells=cells,
        staff_count=len(staff),
        provider_ids={m.provider_id for m in staff},
        demand=demand,
    )


def _count(staff: list[_Staff], as_at: date, mandatory):
    """(cells, demand): each member counted in the cell of their job role and, for a care
    role, of all care roles, in every category they have a record of or are missing; and
    in next quarter's demand when they need the training."""
    cells: dict[tuple[int, int | str], Cell] = {}
    demand: dict[tuple[int, int | None], DemandCell] = {}
    now = _records_now({m.provider_id for m in staff}) if staff else {}
    for member in staff:
        care = staff_reference.provides_care(member.job_role)
        for code in member.records.keys() | mandatory.get(member.job_role, frozenset()):
            status = _status(member.records.get(code, []), code, as_at)
            cells.setdefault((code, member.job_role), Cell()).add(status, member.provider_id)
            if care:
                cells.setdefault((code, ALL_CARE_ROLES), Cell()).add(status, member.provider_id)
            if status in NEEDS_TRAINING:
                mode = _delivery_mode(now.get((member.provider_id, member.worker_id, code)), as_at)
                demand.setdefault((code, mode), DemandCell()).add(member.provider_id)
    return cells, demand


def _columns(roles_seen: set[int | None]) -> list[Column]:
    """The job roles the staff hold, in the reference order (unknown codes after them),
    then all care roles."""
    known = staff_reference.job_roles()
    columns = [Column(code, role.name) for code, role in known.items() if code in roles_seen]
    columns += [
        Column(code, staff_reference.job_role_name(code))
        for code in sorted(c for c in roles_seen if c not in known and c is not None)
    ]
    if None in roles_seen:  # shown, so every job-role column adds up to the demand table
        columns.append(Column(None, JOB_ROLE_NOT_KNOWN))
    columns.append(Column(ALL_CARE_ROLES, ALL_CARE_ROLES_NAME))
    return columns
