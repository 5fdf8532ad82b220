"""A council's contracts: one line of the contract register (typed in a form or read from
the register file) adds or updates a contract. The provider is found by its CQC provider
ID (one provider, however many councils contract it, never a duplicate) and its branches
by CQC location ID; a new provider's first manager is invited by e-mail, and the managers
of a provider already on the service are told which council added it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from forms import messages
from portal.auth import security_emails
from portal.extensions import db
from portal.models import (
    Area,
    Branch,
    Contract,
    Council,
    Framework,
    Membership,
    MonthlyReturn,
    Provider,
    ReturnSection,
    User,
)
from portal.notifications import notify
from portal.returns.calendar import first_of_next_month
from portal.returns.service import ensure_returns
from portal.setup.audit import plain, record_change
from portal.vocabulary import ContractType, ReturnStatus, Role

CQC_ID = re.compile(r"^1-\d{6,12}$")


@dataclass(frozen=True)
class ContractLine:
    provider_name: str
    cqc_provider_id: str | None
    location_ids: tuple[str, ...]
    framework_id: int | None
    area_id: int | None
    contract_type: ContractType
    hourly_rate: Decimal | None
    start_date: date | None
    end_date: date | None
    contact_email: str | None = None


@dataclass
class LinePlan:
    """What one line will do: to the provider, its branches and the contract."""

    provider: Provider | None  # None: a new provider will be added
    contract: Contract | None  # None: a new contract will be added
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)
    new_locations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return self.provider is None or self.contract is None or bool(self.changes)


def find_provider(line: ContractLine) -> Provider | None:
    if line.cqc_provider_id:
        return db.session.scalar(
            select(Provider).where(Provider.cqc_provider_id == line.cqc_provider_id)
        )
    return _provider_named(line.provider_name)


def check_line(council: Council, line: ContractLine) -> dict[str, str]:
    """Errors by field (empty when the line can be applied)."""
    errors = _id_errors(line)
    errors.update(_framework_errors(council, line))
    if line.start_date and line.end_date and line.end_date < line.start_date:
        errors["end_date"] = messages.CONTRACT_END_BEFORE_START
    provider = find_provider(line)
    if provider is None and _provider_named(line.provider_name) is not None:
        errors["provider_name"] = messages.PROVIDER_NAME_TAKEN
    for location in line.location_ids:
        branch = _branch_by_location(location)
        if branch is not None and (provider is None or branch.provider_id != provider.id):
            errors["location_ids"] = messages.LOCATION_OF_ANOTHER_PROVIDER.format(value=location)
    return errors


def _id_errors(line: ContractLine) -> dict[str, str]:
    errors = {}
    if line.cqc_provider_id and not CQC_ID.match(line.cqc_provider_id):
        errors["cqc_provider_id"] = messages.CQC_PROVIDER_ID_INVALID
    bad_location = next((x for x in line.location_ids if not CQC_ID.match(x)), None)
    if bad_location:
        errors["location_ids"] = messages.CQC_LOCATION_ID_INVALID.format(value=bad_location)
    return errors


def _framework_errors(council: Council, line: ContractLine) -> dict[str, str]:
    errors = {}
    framework = db.session.get(Framework, line.framework_id) if line.framework_id else None
    if framework is not None and framework.council_id != council.id:
        framework = None
    if line.framework_id and framework is None:
        errors["framework_id"] = messages.FRAMEWORK_NOT_FOUND
    elif line.contract_type is ContractType.FRAMEWORK and framework is None:
        errors["framework_id"] = messages.FRAMEWORK_REQUIRED
    area = db.session.get(Area, line.area_id) if line.area_id else None
    if line.area_id and (area is None or framework is None or area.framework_id != framework.id):
        errors["area_id"] = messages.LOT_NOT_IN_FRAMEWORK
    return errors


def _provider_named(name: str) -> Provider | None:
    return db.session.scalar(
        select(Provider).where(func.lower(Provider.name) == " ".join(name.split()).lower())
    )


def plan_line(council: Council, line: ContractLine) -> LinePlan:
    """What applying the line would change (nothing is written)."""
    provider = find_provider(line)
    plan = LinePlan(provider=provider, contract=None)
    if not line.cqc_provider_id:
        plan.warnings.append(messages.PROVIDER_WITHOUT_CQC_ID)
    known = {b.cqc_location_id for b in provider.branches} if provider else set()
    plan.new_locations = [x for x in line.location_ids if x not in known]
    if provider is None:
        return plan
    plan.contract = _same_contract(council, provider, line)
    if plan.contract is not None:
        plan.changes = _contract_changes(plan.contract, line)
    return plan


def apply_line(council: Council, line: ContractLine, actor: User) -> Contract:
    """Apply a checked line in the current transaction (the caller commits)."""
    plan = plan_line(council, line)
    provider = plan.provider or _add_provider(council, line, actor)
    if plan.provider is not None and plan.contract is None:
        _tell_managers(provider, council)
    branches = [_branch_for(provider, location, actor) for location in line.location_ids]
    contract = plan.contract
    if contract is None:
        contract = Contract(
            provider_id=provider.id, council_id=council.id, framework_id=line.framework_id,
            area_id=line.area_id, contract_type=line.contract_type,
        )  # fmt: skip
        db.session.add(contract)
        changes = _contract_changes(contract, line)
    else:
        changes = plan.changes
    if not changes and plan.contract is not None:
        return contract
    contract.hourly_rate = line.hourly_rate
    contract.start_date, contract.end_date = line.start_date, line.end_date
    contract.branches = branches
    db.session.flush()
    record_change(
        actor, "contract", contract.id, "added" if plan.contract is None else "changed",
        f"{'Added' if plan.contract is None else 'Changed'} {line.contract_type.label.lower()} "
        f"contract with {provider.name}",
        before={k: old for k, (old, _) in changes.items()} if plan.contract else None,
        after={k: new for k, (_, new) in changes.items()},
        council_id=council.id, provider_id=provider.id,
    )  # fmt: skip
    if plan.contract is None:
        _invite_first_manager(provider, line, actor)
    return contract


def open_returns(added: list[Contract]) -> None:
    """Open the returns of contracts just added or changed (after their commit)."""
    # opens returns: wired to the calendar after merge
    ensure_returns(added)


def location_list(text: str) -> tuple[str, ...]:
    """CQC location IDs separated by commas, semicolons, spaces or new lines (repeats once)."""
    return tuple(x for x in dict.fromkeys(re.split(r"[\s,;]+", text or "")) if x)


def add_contract(
    council: Council, line: ContractLine, actor: User
) -> tuple[Contract | None, dict[str, str]]:
    """Add one contract (the contract form). Returns (the contract, {}) or (None, errors)."""
    errors = check_line(council, line)
    provider = find_provider(line)
    if not errors and provider is not None and _same_contract(council, provider, line):
        errors["contract_type"] = messages.CONTRACT_EXISTS
    if errors:
        return None, errors
    contract = apply_line(council, line, actor)
    db.session.commit()
    open_returns([contract])
    return contract, {}


def end_contract(contract: Contract, end_date: date, actor: User) -> list[date]:
    """End the contract on ``end_date`` and close its returns for the months after it that
    nobody has started; returns those months."""
    before = plain(contract.end_date)
    contract.end_date = end_date
    after_end = first_of_next_month(end_date)
    closing = db.session.scalars(
        select(MonthlyReturn).where(
            MonthlyReturn.contract_id == contract.id,
            MonthlyReturn.period >= after_end,
            MonthlyReturn.status == ReturnStatus.NOT_STARTED,
            ~MonthlyReturn.versions.any(),
        )
    ).all()
    months = sorted(r.period for r in closing)
    ids = [r.id for r in closing]
    if ids:
        db.session.execute(delete(ReturnSection).where(ReturnSection.return_id.in_(ids)))
        db.session.execute(delete(MonthlyReturn).where(MonthlyReturn.id.in_(ids)))
    record_change(
        actor, "contract", contract.id, "ended",
        f"Ended the contract with {contract.provider.name} on {end_date:%-d %B %Y}",
        before={"end_date": before},
        after={"end_date": end_date.isoformat(), "returns_closed": [f"{m:%B %Y}" for m in months]},
        council_id=contract.council_id, provider_id=contract.provider_id,
    )  # fmt: skip
    db.session.commit()
    return months


def _same_contract(council: Council, provider: Provider, line: ContractLine) -> Contract | None:
    return db.session.scalar(
        select(Contract).where(
            Contract.provider_id == provider.id,
            Contract.council_id == council.id,
            Contract.framework_id.is_(None)
            if line.framework_id is None
            else Contract.framework_id == line.framework_id,
            Contract.area_id.is_(None)
            if line.area_id is None
            else Contract.area_id == line.area_id,
            Contract.contract_type == line.contract_type,
        )
    )


def _contract_changes(contract: Contract, line: ContractLine) -> dict[str, tuple]:
    now = {
        "hourly_rate": plain(contract.hourly_rate),
        "start_date": plain(contract.start_date),
        "end_date": plain(contract.end_date),
        "branches": sorted(b.cqc_location_id or b.name for b in contract.branches),
    }
    wanted = {
        "hourly_rate": plain(line.hourly_rate),
        "start_date": plain(line.start_date),
        "end_date": plain(line.end_date),
        "branches": sorted(line.location_ids),
    }
    return {k: (now[k], wanted[k]) for k in now if now[k] != wanted[k]}


def _branch_by_location(location: str) -> Branch | None:
    return db.session.scalar(select(Branch).where(Branch.cqc_location_id == location))


def _branch_for(provider: Provider, location: str, actor: User) -> Branch:
    branch = _branch_by_location(location)
    if branch is not None:
        return branch
    branch = Branch(provider_id=provider.id, name=f"CQC location {location}",
                    cqc_location_id=location)  # fmt: skip
    db.session.add(branch)
    db.session.flush()
    record_change(
        actor, "branch", branch.id, "added", f"Added branch {location} of {provider.name}",
        after={"cqc_location_id": location}, provider_id=provider.id,
    )  # fmt: skip
    return branch


def slug_for(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:70] or "provider"
    slug, n = base, 1
    while db.session.scalar(select(Provider.id).where(Provider.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _add_provider(council: Council, line: ContractLine, actor: User) -> Provider:
    """Add the provider; when another council added it at the same moment (its CQC
    provider ID or name is taken by then), link to theirs instead."""
    name = " ".join(line.provider_name.split())
    provider = Provider(name=name, slug=slug_for(name), cqc_provider_id=line.cqc_provider_id)
    try:
        with db.session.begin_nested():
            db.session.add(provider)
            db.session.flush()
    except IntegrityError:
        existing = find_provider(line)
        if existing is None:
            raise
        _tell_managers(existing, council)
        return existing
    record_change(
        actor, "provider", provider.id, "added", f"Added provider {name}",
        after={"name": name, "cqc_provider_id": line.cqc_provider_id},
        council_id=council.id, provider_id=provider.id,
    )  # fmt: skip
    return provider


def _invite_first_manager(provider: Provider, line: ContractLine, actor: User) -> None:
    """Invite the contact as the provider's first manager, when it has nobody yet."""
    email = (line.contact_email or "").strip().lower()
    has_people = db.session.scalar(
        select(func.count(Membership.id)).where(Membership.provider_id == provider.id)
    )
    if not email or has_people:
        return
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and user.memberships:
        return  # they belong to another organisation: the provider invites someone itself
    if user is None:
        user = User(email=email, name=f"{provider.name} manager")
        db.session.add(user)
    db.session.add(Membership(user=user, role=Role.PROVIDER_MANAGER, provider_id=provider.id))
    db.session.flush()
    security_emails.queue_invitation(user, provider, actor)
    record_change(
        actor, "user", user.id, "invited",
        f"Invited {email} as the first manager of {provider.name}",
        after={"email": email, "role": Role.PROVIDER_MANAGER.label},
        provider_id=provider.id,
    )  # fmt: skip


def _tell_managers(provider: Provider, council: Council) -> None:
    managers = db.session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.provider_id == provider.id, Membership.role == Role.PROVIDER_MANAGER)
        .order_by(User.id)
    ).all()
    for manager in managers:
        notify(
            manager, "contract", f"{council.name} has added a contract with {provider.name}",
            f"{council.name} can now ask {provider.name} for monthly returns.", commit=False,
        )  # fmt: skip
