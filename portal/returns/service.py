"""The life of a monthly return: which returns exist, their deadlines and statuses,
saving a section (optimistic locking and the audit log) and submitting a version."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload

from portal.client import client_ip
from portal.clock import as_utc, today, utcnow
from portal.extensions import db
from portal.models import (
    AuditEntry,
    Contract,
    MonthlyReturn,
    ReturnSection,
    ReturnStatus,
    ReturnVersion,
    SectionState,
    User,
)
from portal.queries import returns as return_queries
from portal.returns import receipts, telling
from portal.returns.calendar import Deadlines, deadlines_for
from portal.returns.opening import (  # noqa: F401  (the lifecycle's names, in one place)
    is_expected,
    open_due_returns,
    open_returns,
    open_returns_for_contract,
    periods_due,
)

SECTIONS: list[tuple[str, str]] = [
    ("kpis", "KPIs"),
    ("capacity", "Capacity"),
    ("handbacks", "Handbacks"),
    ("training", "Training and staff"),
    ("workforce", "Workforce"),
]
SECTION_TITLES = dict(SECTIONS)


def period_label(period: date) -> str:
    return period.strftime("%B %Y")


def deadlines(ret: MonthlyReturn) -> Deadlines:
    council = ret.contract.council
    return deadlines_for(ret.period, council.due_working_day, council.lock_days)


def is_locked(ret: MonthlyReturn, on: date | None = None) -> bool:
    on = on or today()
    if ret.reopened_until and on <= ret.reopened_until:
        return False
    return on >= deadlines(ret).locks_on


def can_edit(ret: MonthlyReturn) -> bool:
    return ret.status is not ReturnStatus.ACCEPTED and not is_locked(ret)


@dataclass(frozen=True)
class DisplayStatus:
    text: str
    colour: str  # GOV.UK tag modifier


def changed_since_sent(ret: MonthlyReturn) -> bool:
    """Sent, and its training section went back to in progress since (staff or training
    records changed after it was confirmed): confirm it again and submit again."""
    if ret.status not in (ReturnStatus.SUBMITTED, ReturnStatus.QUERIED) or ret.nil_return:
        return False
    return ret.training_unconfirmed


def display_status(ret: MonthlyReturn, on: date | None = None) -> DisplayStatus:
    on = on or today()
    if changed_since_sent(ret) and not is_locked(ret, on):
        return DisplayStatus("Changed since sent", "orange")
    if ret.status in (ReturnStatus.NOT_STARTED, ReturnStatus.IN_PROGRESS):
        if not ret.sent and is_locked(ret, on):
            return DisplayStatus("Missing", "red")  # locked without ever being sent
        if on > deadlines(ret).due_on:
            return DisplayStatus("Overdue", "red")
        if ret.status is ReturnStatus.NOT_STARTED:
            return DisplayStatus("Not started", "grey")
        return DisplayStatus("In progress", "light-blue")
    return {
        ReturnStatus.SUBMITTED: DisplayStatus("Submitted", "blue"),
        ReturnStatus.QUERIED: DisplayStatus("Queried", "orange"),
        ReturnStatus.ACCEPTED: DisplayStatus("Accepted", "green"),
    }[ret.status]


def reference_for(ret: MonthlyReturn, number: int) -> str:
    """Council, period, provider and version, readable over the phone."""
    contract = ret.contract
    return (
        f"{contract.council.slug.upper()[:6]}-{ret.period:%Y%m}-"
        f"P{contract.provider_id}C{contract.id}-V{number}"
    )


# --- which returns exist (portal/returns/opening.py makes them) ---------------------

ensure_returns = open_returns  # the older name, still used by tests and the demo


def returns_for_provider(provider_id: int) -> list[MonthlyReturn]:
    """The provider's returns that are expected (or were sent), newest first. Reads only."""
    returns = db.session.scalars(
        select(MonthlyReturn)
        .join(Contract)
        .where(Contract.provider_id == provider_id)
        .options(*list_options(), contains_eager(MonthlyReturn.contract).options(*_CONTRACT))
        .order_by(MonthlyReturn.period.desc(), Contract.council_id, Contract.id)
    )
    return [r for r in returns if r.versions or is_expected(r.contract, r.period)]


_CONTRACT = (
    joinedload(Contract.council),
    joinedload(Contract.framework),
    joinedload(Contract.area),
)


def list_options() -> tuple:
    """Loader options for a list of returns with their statuses: the versions and sections
    in one query each, without their data (a version holds the whole return as JSON;
    decoding it for every row was most of a list page's time). A status needs a section's
    data only for a sent return whose training section is in progress again, and then
    loads it on its own."""
    return (
        selectinload(MonthlyReturn.versions).load_only(
            ReturnVersion.number, ReturnVersion.submitted_at
        ),
        selectinload(MonthlyReturn.sections).options(
            defer(ReturnSection.data), defer(ReturnSection.confirmed_warnings)
        ),
    )


def get_return_for_provider(provider_id: int, return_id: int) -> MonthlyReturn | None:
    return return_queries.provider_return(provider_id, return_id)


def section(ret: MonthlyReturn, code: str) -> ReturnSection:
    for s in ret.sections:
        if s.code == code:
            return s
    raise KeyError(code)


def previous_versions(ret: MonthlyReturn, months: int = 3) -> list[dict]:
    """The latest submitted data of the ``months`` periods before ``ret``, newest first
    (an empty dict for a month with nothing submitted)."""
    found = []
    period = ret.period
    for _ in range(months):
        period = (period - date.resolution).replace(day=1)
        data = db.session.scalar(
            select(ReturnVersion.data)
            .join(MonthlyReturn)
            .where(MonthlyReturn.contract_id == ret.contract_id, MonthlyReturn.period == period)
            .order_by(ReturnVersion.number.desc())
            .limit(1)
        )
        found.append(data or {})
    return found


# --- saving ------------------------------------------------------------------------


def flatten(value, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list):
        out = {}
        for index, item in enumerate(value, start=1):
            out.update(flatten(item, f"{prefix}[{index}]"))
        return out or {prefix: ""}
    return {prefix: "" if value is None else str(value)}


def diff(old: dict, new: dict) -> list[dict]:
    """Field-by-field changes between two nested values: [{field, old, new}]."""
    before, after = flatten(old or {}), flatten(new or {})
    return [
        {"field": key, "old": before.get(key, ""), "new": after.get(key, "")}
        for key in sorted(set(before) | set(after))
        if before.get(key, "") != after.get(key, "")
    ]


def _change_rows(code: str | None, old: dict, new: dict) -> list[dict]:
    """The audit log's changes in words, records compared by identity."""
    from portal.returns import changes  # it reads the sections' rules, which import this

    return changes.audit_rows(code, old, new)


def audit(ret: MonthlyReturn, user: User | None, action: str, section_code=None, changes=None):
    db.session.add(
        AuditEntry(
            return_id=ret.id,
            user_id=user.id if user else None,
            ip_address=client_ip(),
            action=action,
            section=section_code,
            changes=changes or [],
        )
    )


@dataclass
class Stale:
    """A save refused because someone saved the section after the form was opened."""

    by: str
    at: datetime
    data: dict
    revision: int


def save_section(
    ret: MonthlyReturn,
    code: str,
    data: dict,
    state: SectionState,
    expected_revision: int,
    user: User,
    confirmed_warnings: list[str] | None = None,
    action: str = "save",
) -> Stale | None:
    """Save a section if nobody has saved it since ``expected_revision``; audit it.

    The compare-and-set is one UPDATE, so it is race-safe on any database."""
    current = section(ret, code)
    old_data = current.data or {}
    result = db.session.execute(
        update(ReturnSection)
        .where(ReturnSection.id == current.id, ReturnSection.revision == expected_revision)
        .values(
            data=data,
            state=state,
            confirmed_warnings=confirmed_warnings or [],
            revision=ReturnSection.revision + 1,
            updated_by_id=user.id,
            updated_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(current)
        who = current.updated_by.name if current.updated_by else "Someone"
        return Stale(
            by=who, at=as_utc(current.updated_at), data=current.data, revision=current.revision
        )
    if ret.status is ReturnStatus.NOT_STARTED:
        ret.status = ReturnStatus.IN_PROGRESS
    audit(ret, user, action, code, _change_rows(code, old_data, data))
    db.session.commit()
    db.session.refresh(current)
    return None


def set_nil_return(ret: MonthlyReturn, nil: bool, user: User) -> None:
    if ret.nil_return != nil:
        words = {True: "Yes", False: "No"}
        change = {"field": "Nil return", "old": words[bool(ret.nil_return)], "new": words[nil]}
        audit(ret, user, "nil-return", None, [change])
        ret.nil_return = nil
        if ret.status is ReturnStatus.NOT_STARTED:
            ret.status = ReturnStatus.IN_PROGRESS
    db.session.commit()


# --- submitting --------------------------------------------------------------------


def incomplete_sections(ret: MonthlyReturn) -> list[str]:
    if ret.nil_return:
        return []
    return [
        SECTION_TITLES[s.code]
        for s in ret.sections
        if s.state is not SectionState.COMPLETED and s.code in SECTION_TITLES
    ]


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


def snapshot(ret: MonthlyReturn) -> dict:
    return {
        "nil_return": ret.nil_return,
        "sections": {s.code: s.data or {} for s in ret.sections},
        "confirmed_warnings": {s.code: s.confirmed_warnings or [] for s in ret.sections},
    }


@dataclass
class Submitted:
    version: ReturnVersion
    new: bool  # False when this key had already made the version (a retry)


def _made_by_key(ret_id: int, key: str) -> ReturnVersion | None:
    return db.session.scalar(
        select(ReturnVersion).where(
            ReturnVersion.return_id == ret_id, ReturnVersion.submission_key == key
        )
    )


def submit(ret_id: int, user: User, key: str) -> Submitted:
    """Make version n+1 from the draft, with everything a submission causes: the receipt
    to the submitter, the council told when a queried return comes back (both as job rows
    in the same transaction) and the provider's risk rating worked out again.

    The return's row is locked while the number is chosen; a key already used returns the
    version it made (a double click or retry) and causes nothing again."""
    from portal import risk  # risk reads returns through this module

    ret = db.session.scalar(
        select(MonthlyReturn)
        .where(MonthlyReturn.id == ret_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    db.session.expire(ret, ["sections", "versions"])
    existing = _made_by_key(ret_id, key)
    if existing is not None:
        db.session.rollback()
        return Submitted(existing, new=False)
    number = (
        db.session.scalar(
            select(func.max(ReturnVersion.number)).where(ReturnVersion.return_id == ret_id)
        )
        or 0
    ) + 1
    data = snapshot(ret)
    previous = db.session.scalar(
        select(ReturnVersion.data)
        .where(ReturnVersion.return_id == ret_id)
        .order_by(ReturnVersion.number.desc())
        .limit(1)
    )
    version = ReturnVersion(
        return_id=ret.id,
        number=number,
        reference=reference_for(ret, number),
        submission_key=key,
        data=data,
        submitted_by_id=user.id,
    )
    db.session.add(version)
    was_queried = ret.status is ReturnStatus.QUERIED
    ret.status = ReturnStatus.SUBMITTED
    audit(
        ret, user, f"submit-v{number}", None, _change_rows(None, previous, data) if previous else []
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = _made_by_key(ret_id, key)
        if existing is None:
            raise
        return Submitted(existing, new=False)
    receipts.queue_receipt(version, ret.contract.provider_id)
    if was_queried:
        telling.notify_council(ret, "resubmitted")
    db.session.commit()
    risk.recompute_for_return(ret)  # red KPIs and late returns are risk triggers
    return Submitted(version, new=True)
