"""A provider's own branches: name, CQC location ID, ASC-WDS workplace ID (LOCALESTID)
and postcode. The provider's managers add and edit them; each change is recorded."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from forms import messages
from portal.extensions import db
from portal.models import Branch, Provider, User
from portal.setup.audit import record_change, snapshot
from portal.setup.contracts import CQC_ID

BRANCH_FIELDS = ("name", "cqc_location_id", "local_est_id", "postcode")
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


@dataclass(frozen=True)
class BranchDetails:
    name: str
    cqc_location_id: str | None
    local_est_id: str | None
    postcode: str | None


def normal_postcode(text: str | None) -> str | None:
    """ "me4 4qb" as "ME4 4QB" (None when blank; unchanged when not a postcode)."""
    cleaned = re.sub(r"\s+", "", (text or "").upper())
    if not cleaned:
        return None
    return f"{cleaned[:-3]} {cleaned[-3:]}" if len(cleaned) > 3 else cleaned


def check_branch(provider: Provider, branch: Branch | None, d: BranchDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if d.cqc_location_id:
        if not CQC_ID.match(d.cqc_location_id):
            errors["cqc_location_id"] = messages.CQC_LOCATION_ID_FORMAT
        else:
            holder = db.session.scalar(
                select(Branch).where(Branch.cqc_location_id == d.cqc_location_id)
            )
            if holder is not None and holder is not branch:
                errors["cqc_location_id"] = messages.CQC_LOCATION_ID_TAKEN
    if d.local_est_id:
        twin = db.session.scalar(
            select(Branch).where(
                Branch.provider_id == provider.id, Branch.local_est_id == d.local_est_id
            )
        )
        if twin is not None and twin is not branch:
            errors["local_est_id"] = messages.LOCALESTID_TAKEN
    if d.postcode and not POSTCODE.match(d.postcode):
        errors["postcode"] = messages.POSTCODE_INVALID
    return errors


def save_branch(
    provider: Provider, branch: Branch | None, details: BranchDetails, actor: User
) -> tuple[Branch | None, dict[str, str]]:
    """Add a branch (``branch`` None) or change one. Returns (the branch, {}) or
    (None, errors by field), changing nothing."""
    errors = check_branch(provider, branch, details)
    if errors:
        return None, errors
    before = snapshot(branch, BRANCH_FIELDS) if branch is not None else None
    if branch is None:
        branch = Branch(provider_id=provider.id, name=details.name)
        db.session.add(branch)
    for name in BRANCH_FIELDS:
        setattr(branch, name, getattr(details, name) or (None if name != "name" else branch.name))
    db.session.flush()
    after = snapshot(branch, BRANCH_FIELDS)
    if before == after:
        return branch, {}
    record_change(
        actor, "branch", branch.id, "added" if before is None else "changed",
        f"{'Added' if before is None else 'Changed'} branch {branch.name} of {provider.name}",
        before=before, after=after, provider_id=provider.id,
    )  # fmt: skip
    db.session.commit()
    return branch, {}
