"""Reads for the setup pages: users across the service and the change record. Every list
has an order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import (
    Branch,
    ChangeRecord,
    Contract,
    Council,
    CqcLocation,
    Framework,
    KpiTarget,
    Membership,
    Provider,
    User,
    contract_branch,
)
from portal.returns import kpis

CHANGES_SHOWN = 200
LONDON = ZoneInfo("Europe/London")

ENTITY_LABELS = {
    "council": "Councils",
    "user": "Users",
    "framework": "Frameworks and lots",
    "kpi_target": "KPI targets",
    "contract": "Contracts",
    "provider": "Providers",
    "branch": "Branches",
    "cqc_directory": "CQC directory",
}


def get_user(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def all_users() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .options(
                selectinload(User.memberships).selectinload(Membership.council),
                selectinload(User.memberships).selectinload(Membership.provider),
            )
            .order_by(User.name, User.email, User.id)
        )
    )


def council_commissioners(council_id: int) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(User, Membership.user_id == User.id)
            .where(Membership.council_id == council_id)
            .options(selectinload(Membership.user))
            .order_by(User.name, User.email, Membership.id)
        )
    )


def council_membership(council_id: int, membership_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            Membership.id == membership_id, Membership.council_id == council_id
        )
    )


def changes(
    council_id: int | None = None,
    entity: str | None = None,
    who: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = CHANGES_SHOWN,
) -> list[ChangeRecord]:
    """The newest changes first, narrowed by council, kind of record, who made them
    (part of a name or e-mail address) and the days they were made on (London time)."""
    query = select(ChangeRecord).outerjoin(User, ChangeRecord.user_id == User.id)
    if council_id is not None:
        query = query.where(ChangeRecord.council_id == council_id)
    if entity:
        query = query.where(ChangeRecord.entity == entity)
    if who:
        pattern = f"%{who.lower()}%"
        query = query.where(User.email.ilike(pattern) | User.name.ilike(pattern))
    if since is not None:
        query = query.where(ChangeRecord.at >= _utc_start(since))
    if until is not None:
        query = query.where(ChangeRecord.at < _utc_start(until + timedelta(days=1)))
    return list(
        db.session.scalars(
            query.options(
                selectinload(ChangeRecord.user),
                selectinload(ChangeRecord.council),
                selectinload(ChangeRecord.provider),
            )
            .order_by(ChangeRecord.at.desc(), ChangeRecord.id.desc())
            .limit(limit)
        )
    )


def councils_for_filter() -> list[Council]:
    return list(db.session.scalars(select(Council).order_by(Council.name)))


def _utc_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in London, in UTC."""
    return datetime.combine(day, time(), LONDON).astimezone(UTC)


FIELD_LABELS = {
    "name": "Name",
    "email": "Email address",
    "role": "Role",
    "active": "Can sign in",
    "council_admin": "Can set up the council",
    "go_live_month": "Go-live month",
    "due_working_day": "Working day a return is due",
    "lock_days": "Days until a return locks",
    "service_type": "Service type",
    "start_date": "Start date",
    "end_date": "End date",
    "lots": "Lots or areas",
    "effective_from": "Applies from",
    "version": "Version",
    "targets": "Targets",
    "provider": "Provider",
    "framework": "Framework",
    "lot": "Lot or area",
    "contract_type": "Contract type",
    "hourly_rate": "Hourly rate",
    "branches": "Branches covered",
    "cqc_provider_id": "CQC provider ID",
    "cqc_location_id": "CQC location ID",
    "local_est_id": "ASC-WDS workplace ID (LOCALESTID)",
    "postcode": "Postcode",
    "returns_closed": "Returns closed",
    "locations": "Locations",
}


def describe(values: dict | None) -> list[tuple[str, str]]:
    """A change's before or after values as (label, text) pairs people can read."""
    return [
        (FIELD_LABELS.get(key, key.replace("_", " ").capitalize()), _text(key, value))
        for key, value in (values or {}).items()
    ]


def _text(key: str, value) -> str:
    if value is None or value == "":
        return "Not set"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_text(key, v) for v in value) or "None"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(k, v)}" for k, v in value.items())
    if key == "hourly_rate":
        return f"£{value}"
    if isinstance(value, str):
        return _date_text(key, value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _date_text(key: str, value: str) -> str:
    """ISO dates as "7 December 2026" (months as "December 2026"); other text as it is."""
    try:
        day = date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        return value
    return f"{day:%B %Y}" if key in ("go_live_month", "effective_from") else f"{day:%-d %B %Y}"


@dataclass(frozen=True)
class TargetVersion:
    version: int
    effective_from: date
    definitions: list[kpis.KpiDefinition]


def target_versions(framework_id: int) -> list[TargetVersion]:
    """Every version of the framework's targets, oldest first."""
    rows = db.session.scalars(
        select(KpiTarget)
        .where(KpiTarget.framework_id == framework_id)
        .order_by(KpiTarget.version, KpiTarget.id)
    ).all()
    versions: dict[int, TargetVersion] = {}
    for r in rows:
        found = versions.setdefault(r.version, TargetVersion(r.version, r.effective_from, []))
        found.definitions.append(
            kpis.KpiDefinition(
                r.code, r.name, r.numerator, r.denominator, r.target, r.direction, r.amber_band
            )
        )
    return list(versions.values())


def council_frameworks(council_id: int) -> list[Framework]:
    return list(
        db.session.scalars(
            select(Framework)
            .where(Framework.council_id == council_id)
            .options(selectinload(Framework.areas))
            .order_by(Framework.name, Framework.id)
        )
    )


def council_framework(council_id: int, framework_id: int) -> Framework:
    """The council's framework, or 404 (another council's frameworks do not exist here)."""
    return db.first_or_404(
        select(Framework).where(Framework.id == framework_id, Framework.council_id == council_id)
    )


def council_contracts(council_id: int) -> list[Contract]:
    return list(
        db.session.scalars(
            select(Contract)
            .join(Provider, Contract.provider_id == Provider.id)
            .outerjoin(Framework, Contract.framework_id == Framework.id)
            .where(Contract.council_id == council_id)
            .options(
                selectinload(Contract.provider),
                selectinload(Contract.framework),
                selectinload(Contract.area),
                selectinload(Contract.branches),
            )
            .order_by(Provider.name, Framework.name, Contract.id)
        )
    )


def council_contract(council_id: int, contract_id: int) -> Contract:
    return db.first_or_404(
        select(Contract).where(Contract.id == contract_id, Contract.council_id == council_id)
    )


def provider_branches(provider_id: int) -> list[tuple[Branch, list[str]]]:
    """The provider's branches, each with the names of the councils whose contracts
    cover it."""
    branches = db.session.scalars(
        select(Branch).where(Branch.provider_id == provider_id).order_by(Branch.name, Branch.id)
    ).all()
    covered = db.session.execute(
        select(contract_branch.c.branch_id, Council.name)
        .join(Contract, Contract.id == contract_branch.c.contract_id)
        .join(Council, Council.id == Contract.council_id)
        .where(Contract.provider_id == provider_id)
        .order_by(Council.name)
    ).all()
    councils: dict[int, list[str]] = {}
    for branch_id, name in covered:
        if name not in councils.setdefault(branch_id, []):
            councils[branch_id].append(name)
    return [(b, councils.get(b.id, [])) for b in branches]


def provider_branch(provider_id: int, branch_id: int) -> Branch:
    return db.first_or_404(
        select(Branch).where(Branch.id == branch_id, Branch.provider_id == provider_id)
    )


def describe_change(key: str, old, new) -> str:
    """ "Hourly rate: £24.50 to £25.00"."""
    label = FIELD_LABELS.get(key, key.replace("_", " ").capitalize())
    return f"{label}: {_text(key, old)} to {_text(key, new)}"


def directory_size() -> int:
    return db.session.scalar(select(func.count(CqcLocation.id))) or 0


def directory_search(text: str, limit: int = 20) -> list[CqcLocation]:
    """Locations whose location or provider ID is ``text``, or whose location or provider
    name contains it."""
    text = " ".join((text or "").split())[:100]
    if len(text) < 3:
        return []
    pattern = f"%{text.lower()}%"
    return list(
        db.session.scalars(
            select(CqcLocation)
            .where(
                (CqcLocation.location_id == text)
                | (CqcLocation.provider_id == text)
                | func.lower(CqcLocation.location_name).like(pattern)
                | func.lower(CqcLocation.provider_name).like(pattern)
            )
            .order_by(CqcLocation.provider_name, CqcLocation.location_name, CqcLocation.id)
            .limit(limit)
        )
    )


def pending_managers(provider_ids: list[int]) -> dict[int, list[User]]:
    """Provider id -> its managers invited but not yet signed up (no password)."""
    if not provider_ids:
        return {}
    rows = db.session.execute(
        select(Membership.provider_id, User)
        .join(User, Membership.user_id == User.id)
        .where(
            Membership.provider_id.in_(provider_ids),
            User.password_hash.is_(None),
            User.active.is_(True),
        )
        .order_by(User.email)
    ).all()
    found: dict[int, list[User]] = {}
    for provider_id, user in rows:
        found.setdefault(provider_id, []).append(user)
    return found
