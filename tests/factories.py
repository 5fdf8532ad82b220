"""Factories for test data: each call makes a new, valid row with unique names."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from portal.auth.passwords import hash_password
from portal.extensions import db
from portal.models import (
    Area,
    AreaKind,
    Branch,
    Contract,
    ContractType,
    Council,
    CqcRating,
    Framework,
    Membership,
    MonthlyReturn,
    Provider,
    ReturnStatus,
    ReturnVersion,
    Role,
    SectionState,
    ServiceType,
    StaffMember,
    TrainingRecord,
    User,
)
from tests.examples import CARE_WORKER

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def make_council(name: str | None = None) -> Council:
    n = _n()
    council = Council(name=name or f"Test Council {n}", slug=f"test-council-{n}")
    db.session.add(council)
    db.session.flush()
    return council


def make_framework(council: Council, service_type: ServiceType = ServiceType.HOMECARE) -> Framework:
    framework = Framework(
        council=council,
        name=f"Framework {_n()}",
        service_type=service_type,
        start_date=date(2024, 4, 1),
        end_date=date(2028, 3, 31),
    )
    db.session.add(framework)
    db.session.add(Area(framework=framework, name="North", kind=AreaKind.PATCH))
    db.session.flush()
    return framework


def make_provider(name: str | None = None) -> Provider:
    n = _n()
    provider = Provider(name=name or f"Test Care {n} Ltd", slug=f"test-care-{n}")
    db.session.add(provider)
    db.session.add(
        Branch(
            provider=provider,
            name=f"Test Care {n} Branch",
            cqc_location_id=f"1-{n:010d}",
            local_est_id=f"TC{n}",
            cqc_rating=CqcRating.GOOD,
        )
    )
    db.session.flush()
    return provider


def make_contract(
    provider: Provider, council: Council, framework: Framework | None = None
) -> Contract:
    contract = Contract(
        provider=provider,
        council=council,
        framework=framework,
        area=framework.areas[0] if framework and framework.areas else None,
        contract_type=ContractType.FRAMEWORK if framework else ContractType.SPOT,
        hourly_rate=Decimal("24.50"),
        branches=list(provider.branches),
    )
    db.session.add(contract)
    db.session.flush()
    return contract


def make_user(
    role: Role,
    provider: Provider | None = None,
    council: Council | None = None,
    password: str | None = PASSWORD,
    email: str | None = None,
    name: str | None = None,
    council_admin: bool = False,
) -> User:
    n = _n()
    user = User(
        email=email or f"user{n}@example.org",
        name=name or f"Test User {n}",
        password_hash=hash_password(password) if password else None,
    )
    user.memberships.append(
        Membership(role=role, provider=provider, council=council, council_admin=council_admin)
    )
    db.session.add(user)
    db.session.commit()
    return user


OPEN_ON = date(2026, 11, 23)  # the tests' usual "today": August to October 2026 are open
OCTOBER = date(2026, 10, 1)


def return_for(contract: Contract, period: date = OCTOBER) -> MonthlyReturn | None:
    return db.session.scalar(
        db.select(MonthlyReturn).where(
            MonthlyReturn.contract_id == contract.id, MonthlyReturn.period == period
        )
    )


def open_return(provider: Provider | None = None, council: Council | None = None, on=None):
    """A provider with a framework contract and its October 2026 return, open on
    23 November 2026 (due 13 November, locks 3 December)."""
    from portal.returns import service

    council = council or make_council()
    provider = provider or make_provider()
    contract = make_contract(provider, council, make_framework(council))
    db.session.commit()
    service.ensure_returns([contract], on=on or OPEN_ON)
    return return_for(contract)


# --- submitted returns ---------------------------------------------------------------

_keys = itertools.count(1)


def add_version(
    ret: MonthlyReturn,
    submitted_by: User,
    sections: dict | None = None,
    at: datetime | None = None,
    status: ReturnStatus = ReturnStatus.SUBMITTED,
) -> ReturnVersion:
    """Version n+1 of ``ret`` written straight to the table, as history: no audit entry,
    receipt or notification (use ``submit_return`` for the real lifecycle step)."""
    number = len(ret.versions) + 1
    n = next(_keys)
    version = ReturnVersion(
        return_id=ret.id,
        number=number,
        reference=f"TEST-{ret.id}-V{number}-{n}",
        submission_key=f"key-{n:016d}",
        data={"nil_return": False, "sections": sections or {}},
        submitted_by_id=submitted_by.id,
        submitted_at=at or datetime(2026, 11, 5, 12, tzinfo=UTC),
    )
    db.session.add(version)
    ret.status = status
    db.session.commit()
    db.session.refresh(ret)
    return version


def submit_return(
    ret: MonthlyReturn,
    user: User,
    key: str | None = None,
    at: datetime | None = None,
    **sections: dict,
) -> ReturnVersion:
    """Save each named section as completed, then submit the return as the provider's
    "Submit" button does (``service.submit``); ``at`` back-dates the version."""
    from portal.returns import service

    for code, data in sections.items():
        section = service.section(ret, code)
        section.data = data
        section.state = SectionState.COMPLETED
    db.session.commit()
    version = service.submit(ret.id, user, key or f"test-key-{next(_keys):08d}").version
    if at is not None:
        version.submitted_at = at
        db.session.commit()
    return version


def accept_return(ret: MonthlyReturn, commissioner: User, text: str = "") -> MonthlyReturn:
    """The commissioner accepts the latest version (``review.accept``)."""
    from portal.returns import review

    review.accept(ret, commissioner, text)
    return ret


# --- staff and training records (ASC-WDS fields) ----------------------------------------


def make_staff(
    provider: Provider,
    worker_id: str | None = None,
    main_job_role: int = CARE_WORKER,
    branch: Branch | None = None,
    training: list[dict] | tuple = (),
    **fields,
) -> StaffMember:
    """A staff member (ASC-WDS UNIQUEWORKERID ``worker_id``) at the provider's first branch,
    with a ``TrainingRecord`` for each dict in ``training``; committed."""
    member = StaffMember(
        provider_id=provider.id,
        branch_id=(branch or provider.branches[0]).id,
        worker_id=worker_id or f"W{_n():05d}",
        main_job_role=main_job_role,
        **fields,
    )
    db.session.add(member)
    db.session.flush()
    for record in training:
        make_training_record(member, **record)
    db.session.commit()
    return member


def make_training_record(
    staff: StaffMember,
    category: int,
    date_completed: date = date(2025, 1, 1),
    expiry_date: date | None = None,
    **fields,
) -> TrainingRecord:
    """One ASC-WDS training row (CATEGORYID ``category``) of ``staff``; flushed."""
    record = TrainingRecord(
        staff_id=staff.id,
        category=category,
        date_completed=date_completed,
        expiry_date=expiry_date,
        **fields,
    )
    db.session.add(record)
    db.session.flush()
    return record


# --- the common world: a provider contracted with a council, and a user per role ---------


@dataclass
class Contracted:
    """A council with a framework; a provider (one branch) with a framework contract and its
    October 2026 return; a user of every role on each side; and another provider with a
    contract with another council, for tenancy tests."""

    council: Council
    framework: Framework
    provider: Provider
    branch: Branch
    contract: Contract
    ret: MonthlyReturn
    submitter: User
    manager: User
    commissioner: User
    qa: User
    forum: User
    admin: User
    other_council: Council
    other_provider: Provider
    other_ret: MonthlyReturn
    other_submitter: User
    other_commissioner: User


def make_contracted(on: date = OPEN_ON) -> Contracted:
    council = make_council()
    provider = make_provider()
    framework = make_framework(council)
    contract = make_contract(provider, council, framework)
    other_ret = open_return(council=make_council())
    other_council, other_provider = other_ret.contract.council, other_ret.contract.provider
    from portal.returns import service

    db.session.commit()
    service.ensure_returns([contract], on=on)
    return Contracted(
        council=council,
        framework=framework,
        provider=provider,
        branch=provider.branches[0],
        contract=contract,
        ret=return_for(contract),
        submitter=make_user(Role.PROVIDER_SUBMITTER, provider=provider),
        manager=make_user(Role.PROVIDER_MANAGER, provider=provider),
        commissioner=make_user(Role.COMMISSIONER, council=council, council_admin=True),
        qa=make_user(Role.QA_OFFICER, council=council),
        forum=make_user(Role.FORUM_MEMBER, council=council),
        admin=make_user(Role.ADMIN),
        other_council=other_council,
        other_provider=other_provider,
        other_ret=other_ret,
        other_submitter=make_user(Role.PROVIDER_SUBMITTER, provider=other_provider),
        other_commissioner=make_user(Role.COMMISSIONER, council=other_council),
    )
