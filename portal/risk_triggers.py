"""What triggers a provider's risk (RAG) rating for one council, each named with its
evidence and its date, and the levels' names:

* CQC rated a branch Inadequate (red) or Requires improvement (amber);
* a concern raised in the last 90 days and still open (amber);
* a branch has no registered manager in post (amber);
* a branch's Home Office sponsor licence is suspended (amber) or revoked (red);
* 2 or more red KPIs in the latest submitted return of a contract (amber);
* 2 or more late returns among those due in the last 3 months (amber).

A provider may run several branches: each branch that triggers is listed, and the worst
level wins. Branch facts are the provider's own, so they count for every council it works
with; concerns, visits, KPIs and returns count only for the council they belong to. The
stored rating and the visits it makes due are ``portal.risk``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import clock
from portal.clock import as_utc
from portal.display import long_date
from portal.extensions import db
from portal.models import (
    Branch,
    Concern,
    Contract,
    CqcRating,
    FactChange,
    MonthlyReturn,
    SponsorLicenceStatus,
)
from portal.queries import organisations
from portal.returns import kpis, service
from portal.returns.staff_rules import add_months

RED, AMBER, GREEN = "red", "amber", "green"
SEVERITY = {RED: 0, AMBER: 1, GREEN: 2}  # sort order: red first
LEVEL_LABELS = {RED: "Red", AMBER: "Amber", GREEN: "Green"}
TAG_CLASSES = {RED: "govuk-tag--red", AMBER: "govuk-tag--orange", GREEN: "govuk-tag--green"}

CONCERN_DAYS = 90
LATE_WINDOW_MONTHS = 3
LATE_RETURNS_LIMIT = 2
RED_KPIS_LIMIT = 2

# FactChange.field values, as written by the QA pages.
FACT_CQC_RATING = "cqc_rating"
FACT_CQC_RATING_DATE = "cqc_rating_date"
FACT_REGISTERED_MANAGER = "registered_manager_in_post"
FACT_SPONSOR_LICENCE = "sponsor_licence_status"

# What a provider sees instead of a confidential concern.
CONFIDENTIAL_CONCERN = "A concern is open"


@dataclass(frozen=True)
class Trigger:
    code: str
    level: str  # "red" or "amber"
    label: str  # plain English: what it is
    evidence: str  # which branch, return or concern, with the facts
    date: date | None  # when it happened, when known
    confidential: bool = False  # a confidential concern: the provider sees only that one is open

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def tag_class(self) -> str:
        return TAG_CLASSES[self.level]

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "level": self.level,
            "label": self.label,
            "evidence": self.evidence,
            "date": self.date.isoformat() if self.date else None,
            "confidential": self.confidential,
        }

    @classmethod
    def from_json(cls, data: dict) -> Trigger:
        raw_date = data.get("date")
        return cls(
            code=str(data.get("code", "")),
            level=data.get("level") if data.get("level") in (RED, AMBER) else AMBER,
            label=str(data.get("label", "")),
            evidence=str(data.get("evidence", "")),
            date=date.fromisoformat(raw_date) if raw_date else None,
            confidential=bool(data.get("confidential")),
        )


def worst(triggers: list[Trigger]) -> str:
    return min((t.level for t in triggers), key=SEVERITY.__getitem__, default=GREEN)


# --- finding them ------------------------------------------------------------------------


def _latest_facts(branch_ids: list[int], on: date) -> dict[tuple[int, str], FactChange]:
    """The latest recorded change of each (branch, field), effective on or before ``on``."""
    if not branch_ids:
        return {}
    latest: dict[tuple[int, str], FactChange] = {}
    rows = db.session.scalars(
        select(FactChange)
        .where(FactChange.branch_id.in_(branch_ids), FactChange.effective_on <= on)
        .order_by(FactChange.effective_on, FactChange.id)
    )
    for row in rows:
        latest[(row.branch_id, row.field)] = row
    return latest


def _with_source(text: str, change: FactChange | None) -> str:
    return f"{text}. Source: {change.source}" if change is not None and change.source else text


def _branch_triggers(provider_id: int, on: date) -> list[Trigger]:
    branches = list(
        db.session.scalars(
            select(Branch).where(Branch.provider_id == provider_id).order_by(Branch.name, Branch.id)
        )
    )
    facts = _latest_facts([b.id for b in branches], on)
    found: list[Trigger] = []
    for branch in branches:
        rating = branch.cqc_rating
        if rating in (CqcRating.INADEQUATE, CqcRating.REQUIRES_IMPROVEMENT):
            inadequate = rating is CqcRating.INADEQUATE
            when = branch.cqc_rating_date
            text = f"CQC rated {branch.name} {rating.label}" + (
                f" on {long_date(when)}" if when else " (date of the rating not recorded)"
            )
            found.append(
                Trigger(
                    "cqc_inadequate" if inadequate else "cqc_requires_improvement",
                    RED if inadequate else AMBER,
                    f"CQC rating {rating.label}",
                    _with_source(text, facts.get((branch.id, FACT_CQC_RATING))),
                    when,
                )
            )
        if not branch.registered_manager_in_post:
            change = facts.get((branch.id, FACT_REGISTERED_MANAGER))
            when = change.effective_on if change else None
            text = f"No registered manager in post at {branch.name}" + (
                f" since {long_date(when)}" if when else ""
            )
            found.append(
                Trigger(
                    "no_registered_manager",
                    AMBER,
                    "No registered manager",
                    _with_source(text, change),
                    when,
                )
            )
        licence = branch.sponsor_licence_status
        if licence in (SponsorLicenceStatus.SUSPENDED, SponsorLicenceStatus.REVOKED):
            revoked = licence is SponsorLicenceStatus.REVOKED
            change = facts.get((branch.id, FACT_SPONSOR_LICENCE))
            when = change.effective_on if change else None
            word = "revoked" if revoked else "suspended"
            text = f"Home Office sponsor licence for {branch.name} {word}" + (
                f" on {long_date(when)}" if when else ""
            )
            found.append(
                Trigger(
                    f"sponsor_licence_{word}",
                    RED if revoked else AMBER,
                    f"Sponsor licence {word}",
                    _with_source(text, change),
                    when,
                )
            )
    return found


def _concern_triggers(council_id: int, provider_id: int, on: date) -> list[Trigger]:
    since = on - timedelta(days=CONCERN_DAYS)
    concerns = db.session.scalars(
        select(Concern)
        .where(
            Concern.council_id == council_id,
            Concern.provider_id == provider_id,
            Concern.raised_on > since,
            Concern.raised_on <= on,
        )
        .order_by(Concern.raised_on, Concern.id)
    )
    return [
        Trigger(
            "concern",
            AMBER,
            f"Concern raised in the last {CONCERN_DAYS} days",
            f"Concern raised on {long_date(c.raised_on)}: {c.summary}",
            c.raised_on,
            confidential=c.confidential,
        )
        for c in concerns
        if c.closed_on is None or c.closed_on > on
    ]


def _contract_name(contract: Contract) -> str:
    if contract.framework is None:
        return f"{contract.contract_type.label} contract"
    return contract.framework.name + (f", {contract.area.name}" if contract.area else "")


def _sent_on(version) -> date:
    return as_utc(version.submitted_at).astimezone(UTC).date()


def _returns(contracts: list[Contract], since: date | None = None) -> list[MonthlyReturn]:
    if not contracts:
        return []
    query = (
        select(MonthlyReturn)
        .where(MonthlyReturn.contract_id.in_([c.id for c in contracts]))
        .options(selectinload(MonthlyReturn.versions))
        .order_by(MonthlyReturn.period.desc(), MonthlyReturn.contract_id)
    )
    if since is not None:
        query = query.where(MonthlyReturn.period >= since)
    return list(db.session.scalars(query))


def _kpi_triggers(contracts: list[Contract], returns: list[MonthlyReturn], on: date):
    """Each contract's latest return with a version sent by ``on``: 2 or more red KPIs."""
    found: list[Trigger] = []
    for contract in contracts:
        latest = _latest_sent(contract, returns, on)
        if latest is not None:
            trigger = _red_kpis(contract, *latest)
            if trigger is not None:
                found.append(trigger)
    return found


def _latest_sent(contract: Contract, returns: list[MonthlyReturn], on: date):
    """(the contract's first return in ``returns`` with a version sent by ``on``, that
    version), or None."""
    for ret in (r for r in returns if r.contract_id == contract.id):
        sent = [v for v in ret.versions if _sent_on(v) <= on]
        if sent:
            return ret, sent[-1]
    return None


def _red_kpis(contract: Contract, ret: MonthlyReturn, version) -> Trigger | None:
    values = ((version.data or {}).get("sections") or {}).get("kpis") or {}
    results = kpis.compute(
        values if isinstance(values, dict) else {},
        kpis.definitions_for(contract.framework_id, ret.period),
    )
    red = [r for r in results if r.rag == "red"]
    if len(red) < RED_KPIS_LIMIT:
        return None
    listed = ", ".join(f"{r.name} {r.percent_label}" for r in red)
    return Trigger(
        "red_kpis",
        AMBER,
        f"{len(red)} red KPIs in the latest return",
        f"{len(red)} KPIs were red in the {service.period_label(ret.period)} "
        f"return ({_contract_name(contract)}), version {version.number} sent "
        f"on {long_date(_sent_on(version))}: {listed}",
        _sent_on(version),
    )


def _late_trigger(contracts: list[Contract], returns: list[MonthlyReturn], on: date):
    """Returns due in the last 3 months whose first version was sent after the due date,
    or that are past their due date and not sent at all (they can only be late now)."""
    since = add_months(on, -LATE_WINDOW_MONTHS)
    names = {c.id: _contract_name(c) for c in contracts}
    late: list[tuple[date, str]] = []
    for ret in sorted(returns, key=lambda r: (r.period, r.contract_id)):
        due = service.deadlines(ret).due_on
        if not since <= due < on:
            continue
        sent = [v for v in ret.versions if _sent_on(v) <= on]
        what = f"{service.period_label(ret.period)} return ({names.get(ret.contract_id, '')})"
        if not sent:
            late.append((due, f"{what} due {long_date(due)}, not sent"))
        elif _sent_on(sent[0]) > due:
            sent_on = _sent_on(sent[0])
            late.append((sent_on, f"{what} due {long_date(due)}, sent {long_date(sent_on)}"))
    if len(late) < LATE_RETURNS_LIMIT:
        return []
    return [
        Trigger(
            "late_returns",
            AMBER,
            f"{len(late)} late returns in the last {LATE_WINDOW_MONTHS} months",
            "; ".join(text for _, text in late),
            max(when for when, _ in late),
        )
    ]


def triggers_for(council_id: int, provider_id: int, on: date | None = None) -> list[Trigger]:
    """Every trigger of the provider's rating for the council, on ``on`` (default today),
    red ones first.

    Reads only: the returns it counts were opened by the calendar (the daily job), and a
    month the council did not ask for (before go-live, outside the contract) never counts."""
    on = on or clock.today()
    contracts = organisations.contracts_between(council_id, provider_id)
    by_id = {c.id: c for c in contracts}
    returns = [
        r
        for r in _returns(contracts)
        if r.versions or service.is_expected(by_id[r.contract_id], r.period)
    ]
    found = [
        *_branch_triggers(provider_id, on),
        *_concern_triggers(council_id, provider_id, on),
        *_kpi_triggers(contracts, returns, on),
        *_late_trigger(contracts, returns, on),
    ]
    return sorted(found, key=lambda t: SEVERITY[t.level])  # red first, otherwise in order
