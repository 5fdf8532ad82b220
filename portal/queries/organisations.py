"""Queries about councils, providers, branches and contracts. Every list has an order."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from portal.extensions import db
from portal.models import Area, Branch, Contract, Council, Framework, Provider
from portal.vocabulary import ContractType


def get_council(council_id: int) -> Council:
    return db.get_or_404(Council, council_id)


def get_provider(provider_id: int) -> Provider:
    return db.get_or_404(Provider, provider_id)


# Built once (bound parameters): *Your returns* asks on every request, and putting the
# statement and its loader options together was a large part of the query's CPU.
_PROVIDER_CONTRACTS = (
    select(Contract)
    .join(Council, Contract.council_id == Council.id)
    .join(Provider, Contract.provider_id == Provider.id)
    .where(Contract.provider_id == bindparam("provider_id"))
    .options(
        contains_eager(Contract.council),
        contains_eager(Contract.provider),  # a page's get_provider then needs no query
        joinedload(Contract.framework),
        joinedload(Contract.area),
    )
    .order_by(Council.name, Contract.id)
)


def contracts_by_council(provider_id: int) -> list[tuple[Council, list[Contract]]]:
    """A provider's contracts, grouped by the council that holds them."""
    contracts = db.session.scalars(_PROVIDER_CONTRACTS, {"provider_id": provider_id}).all()
    grouped: dict[int, list[Contract]] = defaultdict(list)
    councils: dict[int, Council] = {}
    for contract in contracts:
        grouped[contract.council_id].append(contract)
        councils[contract.council_id] = contract.council
    return [(councils[cid], grouped[cid]) for cid in grouped]


def council_providers(council_id: int) -> list[tuple[Provider, list[Contract]]]:
    """Providers holding a contract with the council, each with those contracts only."""
    contracts = db.session.scalars(
        select(Contract)
        .join(Provider, Contract.provider_id == Provider.id)
        .outerjoin(Framework, Contract.framework_id == Framework.id)
        .where(Contract.council_id == council_id)
        .options(
            selectinload(Contract.provider).selectinload(Provider.branches),
            selectinload(Contract.framework),
            selectinload(Contract.area),
        )
        .order_by(Provider.name, Framework.name, Contract.id)
    ).all()
    grouped: dict[int, list[Contract]] = defaultdict(list)
    providers: dict[int, Provider] = {}
    for contract in contracts:
        grouped[contract.provider_id].append(contract)
        providers[contract.provider_id] = contract.provider
    return [(providers[pid], grouped[pid]) for pid in grouped]


def council_branches(council_id: int) -> list[Branch]:
    """Branches of every provider the council contracts with."""
    provider_ids = select(Contract.provider_id).where(Contract.council_id == council_id)
    return list(
        db.session.scalars(
            select(Branch)
            .join(Provider, Branch.provider_id == Provider.id)
            .where(Branch.provider_id.in_(provider_ids))
            .options(selectinload(Branch.provider))
            .order_by(Provider.name, Branch.name, Branch.id)
        )
    )


def all_councils() -> list[Council]:
    return list(db.session.scalars(select(Council).order_by(Council.name)))


def all_providers() -> list[Provider]:
    return list(db.session.scalars(select(Provider).order_by(Provider.name)))


def contracts_between(council_id: int, provider_id: int) -> list[Contract]:
    """A provider's contracts with a council, with framework and area loaded."""
    return list(
        db.session.scalars(
            select(Contract)
            .where(Contract.council_id == council_id, Contract.provider_id == provider_id)
            .options(selectinload(Contract.framework), selectinload(Contract.area))
            .order_by(Contract.id)
        )
    )


def find_provider(provider_id: int) -> Provider | None:
    """The provider, or None (for ids read from a job's parameters, not a URL)."""
    return db.session.get(Provider, provider_id)


_COUNCIL_FRAMEWORKS = (
    select(Framework)
    .where(Framework.council_id == bindparam("council_id"))
    .options(joinedload(Framework.areas))
    .order_by(Framework.name, Framework.id)
)


def council_frameworks(council_id: int) -> list[Framework]:
    """The council's frameworks by name, each with its areas (lots) loaded."""
    return list(db.session.scalars(_COUNCIL_FRAMEWORKS, {"council_id": council_id}).unique())


def council_framework(council_id: int, framework_id: int) -> Framework | None:
    """One of the council's frameworks; None for another council's or none at all."""
    return db.session.scalar(
        select(Framework).where(Framework.id == framework_id, Framework.council_id == council_id)
    )


# The loader options and order built once; each call adds its filters.
_COUNCIL_CONTRACTS = (
    select(Contract)
    .join(Provider, Contract.provider_id == Provider.id)
    .join(Council, Contract.council_id == Council.id)
    .outerjoin(Framework, Contract.framework_id == Framework.id)
    .outerjoin(Area, Contract.area_id == Area.id)
    # Read from the joins the order needs anyway: one round trip, not five.
    .options(
        contains_eager(Contract.provider),
        contains_eager(Contract.framework),
        contains_eager(Contract.area),
        contains_eager(Contract.council),
    )
    .order_by(
        Provider.name,
        Contract.framework_id.is_(None),
        Framework.name,
        Area.name,
        Contract.contract_type,
        Contract.id,
    )
)


def council_contracts(
    council_id: int,
    *,
    framework_id: int | None = None,
    outside_framework: bool = False,
    area_id: int | None = None,
    contract_type: ContractType | None = None,
) -> list[Contract]:
    """The council's contracts, optionally only those outside any framework or of one
    framework, area and contract type; by provider, then framework (spot contracts last),
    area and type, with provider, framework, area and council loaded."""
    conditions = [Contract.council_id == council_id]
    if outside_framework:
        conditions.append(Contract.framework_id.is_(None))
    elif framework_id is not None:
        conditions.append(Contract.framework_id == framework_id)
    if area_id is not None:
        conditions.append(Contract.area_id == area_id)
    if contract_type is not None:
        conditions.append(Contract.contract_type == contract_type)
    return list(db.session.scalars(_COUNCIL_CONTRACTS.where(*conditions)))


def holds_contract(council_id: int, provider_id: int) -> bool:
    """Whether the provider holds a contract with the council."""
    found = db.session.scalar(
        select(Contract.id)
        .where(Contract.council_id == council_id, Contract.provider_id == provider_id)
        .limit(1)
    )
    return found is not None


def council_names_and_slugs() -> tuple[list[str], list[str]]:
    """Every council's name, and every council's slug, each in order."""
    names = list(db.session.scalars(select(Council.name).order_by(Council.name)))
    slugs = list(db.session.scalars(select(Council.slug).order_by(Council.slug)))
    return names, slugs
