"""What a contract covers: the provider's branches (ASC-WDS workplaces, LOCALESTID) it
names. A council sees staff and training only at the branches its contracts with the
provider cover; these are the filters everything it sees of staff goes through."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Branch, Contract, contract_branch


def contract_branch_ids(contract: Contract) -> set[int]:
    """The branches this contract covers."""
    return {branch.id for branch in contract.branches}


def covered_branch_ids(council_id: int, provider_id: int) -> set[int]:
    """The provider's branches covered by any of its contracts with the council."""
    return set(
        db.session.scalars(
            select(contract_branch.c.branch_id)
            .join(Contract, Contract.id == contract_branch.c.contract_id)
            .where(Contract.council_id == council_id, Contract.provider_id == provider_id)
        )
    )


def uncovered_branch_names(council_id: int) -> dict[int, set[str]]:
    """Provider id -> the names of its branches that none of the council's contracts with
    it cover (training snapshots name each staff member's branch, not its id)."""
    rows = db.session.execute(
        select(Contract.provider_id, Branch.name, contract_branch.c.contract_id)
        .join(Branch, Branch.provider_id == Contract.provider_id)
        .outerjoin(
            contract_branch,
            (contract_branch.c.branch_id == Branch.id)
            & (contract_branch.c.contract_id == Contract.id),
        )
        .where(Contract.council_id == council_id)
    )
    names: dict[int, set[str]] = {}
    covered: dict[int, set[str]] = {}
    for provider_id, name, covering_contract in rows:
        names.setdefault(provider_id, set()).add(name)
        if covering_contract is not None:
            covered.setdefault(provider_id, set()).add(name)
    return {pid: found - covered.get(pid, set()) for pid, found in names.items()}
