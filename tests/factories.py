"""Factories for test data: each call makes a new, valid row with unique names."""

from __future__ import annotations

import itertools
from datetime import date
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
    Provider,
    Role,
    ServiceType,
    User,
)

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
) -> User:
    n = _n()
    user = User(
        email=email or f"user{n}@example.org",
        name=name or f"Test User {n}",
        password_hash=hash_password(password) if password else None,
    )
    user.memberships.append(Membership(role=role, provider=provider, council=council))
    db.session.add(user)
    db.session.commit()
    return user


def open_return(provider: Provider | None = None, council: Council | None = None, on=None):
    """A provider with a framework contract and its October 2026 return, open on
    23 November 2026 (due 13 November, locks 3 December)."""
    from portal.returns import service

    council = council or make_council()
    provider = provider or make_provider()
    contract = make_contract(provider, council, make_framework(council))
    db.session.commit()
    service.ensure_returns([contract], on=on or date(2026, 11, 23))
    from portal.models import MonthlyReturn

    return db.session.scalar(
        db.select(MonthlyReturn).where(
            MonthlyReturn.contract_id == contract.id, MonthlyReturn.period == date(2026, 10, 1)
        )
    )
