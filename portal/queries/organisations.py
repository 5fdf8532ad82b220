"""Queries about councils, providers, branches and contracts. Every list has an order."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Branch, Contract, Council, Framework, Provider


def get_council(council_id: int) -> Council:
    return db.get_or_404(Council, council_id)


def get_provider(provider_id: int) -> Provider:
    return db.get_or_404(Provider, provider_id)


def contracts_by_council(provider_id: int) -> list[tuple[Council, list[Contract]]]:
    """A provider's contracts, grouped by the council that holds them."""
    contracts = db.session.scalars(
        select(Contract)
        .join(Council, Contract.council_id == Council.id)
        .where(Contract.provider_id == provider_id)
        .options(selectinload(Contract.framework), selectinload(Contract.area))
        .order_by(Council.name, Contract.id)
    ).all()
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
