"""Which training each job role must have: a council's own set (``MandatoryTraining`` rows,
edited by its commissioners), or the default when it has none.

The default is the same categories for every care-providing role
(``staff_reference.provides_care``) and nothing for other roles. A council's rows replace the
default entirely, so a commissioner can also make training mandatory for non-care roles.
The set is read in one query and kept for the rest of the request: the matrix and the
training section ask for it once per member of staff.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import g, has_request_context
from sqlalchemy import delete, insert, select

from portal.extensions import db
from portal.models import Council, MandatoryTraining
from portal.returns import staff_reference

# Training every member of staff in a care-providing role needs unless the council says
# otherwise (codes from portal/reference/training-categories.csv).
DEFAULT_MANDATORY_CATEGORIES: tuple[int, ...] = (
    20,  # Safeguarding adults
    13,  # Medication management
    15,  # Assisting and moving people
    7,  # Basic life support and first aid
    10,  # Infection prevention and control
    6,  # Fire safety
    8,  # Food hygiene
    9,  # Health and safety awareness
    2,  # Dementia care
    42,  # Oliver McGowan Mandatory Training (Tier 1)
    26,  # Data management and GDPR
)

MandatorySet = dict[int, frozenset[int]]  # job role code -> category codes
_CACHE = "_mandatory_sets"


def default_set() -> MandatorySet:
    """The default: the default categories for every care-providing role."""
    categories = frozenset(DEFAULT_MANDATORY_CATEGORIES)
    return {
        code: categories for code, role in staff_reference.job_roles().items() if role.provides_care
    }


def _cache() -> dict[int, tuple[MandatorySet, bool]]:
    """Per-request memo (``g`` lives for one request); outside a request, none, so a
    script or job that changes the rows never reads a stale set."""
    if not has_request_context():
        return {}
    return g.setdefault(_CACHE, {})


def _load(council_id: int) -> tuple[MandatorySet, bool]:
    """(the council's set, whether it is the default), in one query."""
    cache = _cache()
    if council_id not in cache:
        rows = db.session.execute(
            select(MandatoryTraining.job_role_code, MandatoryTraining.category_code)
            .where(MandatoryTraining.council_id == council_id)
            .order_by(MandatoryTraining.job_role_code, MandatoryTraining.category_code)
        ).all()
        if not rows:
            cache[council_id] = (default_set(), True)
        else:
            found: dict[int, set[int]] = {}
            for role, category in rows:
                found.setdefault(role, set()).add(category)
            cache[council_id] = ({k: frozenset(v) for k, v in found.items()}, False)
    return cache[council_id]


def mandatory_set(council_id: int) -> MandatorySet:
    """Job role code -> the training categories mandatory for it at this council."""
    return _load(council_id)[0]


def uses_default(council_id: int) -> bool:
    """True when the council has not set its own list (so it follows the default)."""
    return _load(council_id)[1]


def mandatory_for(council_id: int, job_role: int | None) -> frozenset[int]:
    """The categories mandatory for ``job_role`` at this council (none for no role)."""
    if job_role is None:
        return frozenset()
    return mandatory_set(council_id).get(job_role, frozenset())


def _forget(council_id: int) -> None:
    _cache().pop(council_id, None)


def _lock(council_id: int) -> None:
    """Hold the council's row until commit: two commissioners saving at once take turns
    (else both delete, then both insert the same rows and one fails on the unique key)."""
    db.session.execute(select(Council.id).where(Council.id == council_id).with_for_update())


def replace_set(council_id: int, pairs: Iterable[tuple[int, int]]) -> None:
    """Make ``pairs`` of (category code, job role code) the council's whole set, in one
    transaction: nobody ever sees half an old and half a new set."""
    rows = [
        {"council_id": council_id, "category_code": category, "job_role_code": role}
        for category, role in sorted(set(pairs))
    ]
    if not rows:
        raise ValueError("a council's mandatory set cannot be empty")
    _lock(council_id)
    db.session.execute(delete(MandatoryTraining).where(MandatoryTraining.council_id == council_id))
    db.session.execute(insert(MandatoryTraining), rows)
    db.session.commit()
    _forget(council_id)


def reset_to_default(council_id: int) -> None:
    """Remove the council's own set, so it follows the default (and any later change to
    the default)."""
    _lock(council_id)
    db.session.execute(delete(MandatoryTraining).where(MandatoryTraining.council_id == council_id))
    db.session.commit()
    _forget(council_id)


def mandatory_codes(council_id: int) -> list[int]:
    """The categories the council makes mandatory for any job role, by name."""
    codes = {code for categories in mandatory_set(council_id).values() for code in categories}
    return sorted(codes, key=staff_reference.category_name)
