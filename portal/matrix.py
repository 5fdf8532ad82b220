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

from portal import coverage, matrix_snapshots, matrix_sql
from portal.extensions import db
from portal.mandatory import mandatory_set
from portal.returns import staff_reference, training_status_rules

ALL_CARE_ROLES = "all"
ALL_CARE_ROLES_NAME = "All care roles"
JOB_ROLE_NOT_KNOWN = "Job role not known"
FACE_TO_FACE, E_LEARNING, MODE_NOT_KNOWN = (
    matrix_snapshots.FACE_TO_FACE,
    matrix_snapshots.E_LEARNING,
    matrix_snapshots.MODE_NOT_KNOWN,
)
DELIVERY_MODES: list[tuple[int | None, str]] = [
    (FACE_TO_FACE, "Face to face"),
    (E_LEARNING, "E-learning"),
    (MODE_NOT_KNOWN, "Delivery mode not known"),
]
STATUSES = (  # a cell's counts, in the order SQL gives them
    training_status_rules.STATUS_UP_TO_DATE,
    training_status_rules.STATUS_EXPIRING,
    training_status_rules.STATUS_EXPIRED,
    training_status_rules.STATUS_MISSING,
)
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

    def add_counts(self, counts: list[int], provider_id: int) -> None:
        """A provider's staff by status: (up to date, expiring, expired, missing), counted
        into the totals, the provider's share and each status's contributions (the
        forum's suppression rules every status count by who makes it up). Called for
        every row of a council's SQL result: plain dictionary steps, no setattr."""
        up_to_date, expiring, expired, missing = counts
        self.up_to_date += up_to_date
        self.expiring += expiring
        self.expired += expired
        self.missing += missing
        self.providers[provider_id] += up_to_date + expiring + expired + missing
        by_status = self.by_status
        for status, count in zip(STATUSES, counts, strict=True):
            if count:
                who = by_status.get(status)
                if who is None:
                    who = by_status[status] = Counter()
                who[provider_id] += count

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

    def add(self, provider_id: int, staff: int = 1) -> None:
        self.staff += staff
        self.providers[provider_id] += staff


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


# --- the matrix ---------------------------------------------------------------------------


def build_matrix(council_id: int, as_at: date, provider_id: int | None = None) -> Matrix:
    """The matrix of the council's area (or of one provider in it) as at ``as_at``: counted
    by PostgreSQL in one statement (``portal.matrix_sql``), else read in Python."""
    if db.session.get_bind().dialect.name == "postgresql":
        return build_matrix_in_sql(council_id, as_at, provider_id)
    return build_matrix_in_python(council_id, as_at, provider_id)


def build_matrix_in_python(council_id: int, as_at: date, provider_id: int | None = None) -> Matrix:
    staff = matrix_snapshots.staff_in_scope(council_id, as_at, provider_id)
    cells, demand = _count(staff, as_at, mandatory_set(council_id))
    roles = Counter(member.job_role for member in staff)
    return _matrix(council_id, as_at, provider_id, cells, demand, roles,
                   {m.provider_id for m in staff})  # fmt: skip


def build_matrix_in_sql(council_id: int, as_at: date, provider_id: int | None = None) -> Matrix:
    rows = matrix_sql.matrix_rows(
        council_id,
        as_at,
        provider_id,
        coverage.uncovered_branch_names(council_id),
        mandatory_set(council_id),
    )
    cells: dict[tuple[int, int | str], Cell] = {}
    demand: dict[tuple[int, int | None], DemandCell] = {}
    columns_of: dict[int | None, tuple] = {}  # job role -> the columns it counts in
    for kind, code, key, pid, *counts in rows:
        if kind == "cell":
            columns = columns_of.get(key)
            if columns is None:
                care = staff_reference.provides_care(key)
                columns = columns_of[key] = (key, ALL_CARE_ROLES) if care else (key,)
            for column in columns:
                cell = cells.get((code, column))
                if cell is None:
                    cell = cells[(code, column)] = Cell()
                cell.add_counts(counts, pid)
        elif kind == "demand":
            demand.setdefault((code, key), DemandCell()).add(pid, counts[0])
    roles, providers = matrix_sql.staff_by_role(rows)
    return _matrix(council_id, as_at, provider_id, cells, demand, roles, providers)


def _matrix(council_id, as_at, provider_id, cells, demand, roles: Counter, providers) -> Matrix:
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
        columns=_columns(set(roles)),
        cells=cells,
        staff_count=sum(roles.values()),
        provider_ids=set(providers),
        demand=demand,
    )


def _count(staff: list[matrix_snapshots.SnapshotStaff], as_at: date, mandatory):
    """(cells, demand): each member counted in the cell of their job role and, for a care
    role, of all care roles, in every category they have a record of or are missing; and
    in next quarter's demand when they need the training."""
    cells: dict[tuple[int, int | str], Cell] = {}
    demand: dict[tuple[int, int | None], DemandCell] = {}
    now = matrix_snapshots.records_now({m.provider_id for m in staff}) if staff else {}
    for member in staff:
        care = staff_reference.provides_care(member.job_role)
        for code in member.records.keys() | mandatory.get(member.job_role, frozenset()):
            status = matrix_snapshots.status_of(member.records.get(code, []), code, as_at)
            cells.setdefault((code, member.job_role), Cell()).add(status, member.provider_id)
            if care:
                cells.setdefault((code, ALL_CARE_ROLES), Cell()).add(status, member.provider_id)
            if status in NEEDS_TRAINING:
                records = now.get((member.provider_id, member.worker_id, code))
                mode = matrix_snapshots.delivery_mode(records, as_at)
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
