"""Loads ``portal.demo.data`` into the database. Every row is found by its natural key
first, so running it again adds nothing and changes nothing (passwords included)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from portal.auth.passwords import hash_password
from portal.clock import today
from portal.demo.data import COUNCILS, PROVIDERS
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
    SponsorLicenceStatus,
    User,
)
from portal.returns.kpis import seed_reference_targets
from portal.returns.opening import open_due_returns
from portal.returns.staff_rules import add_months

DEMO_PASSWORD_ENV = "PORTAL_DEMO_PASSWORD"
DEFAULT_DEMO_PASSWORD = "demo sign-in for care returns"


@dataclass
class Summary:
    councils: int = 0
    providers: int = 0
    contracts: int = 0
    created: int = 0
    password: str = ""
    sign_ins: list[tuple[str, str, str]] = field(default_factory=list)


def _get_or_add(summary: Summary, model, key: dict, **values):
    row = db.session.scalar(select(model).filter_by(**key))
    if row is None:
        row = model(**key, **values)
        db.session.add(row)
        db.session.flush()
        summary.created += 1
    return row


def load_demo(on: date | None = None) -> Summary:
    on = on or today()
    summary = Summary(password=os.environ.get(DEMO_PASSWORD_ENV, DEFAULT_DEMO_PASSWORD))
    councils: dict[str, Council] = {}
    frameworks: dict[tuple[str, str], Framework] = {}
    areas: dict[tuple[int, str], Area] = {}
    for spec in COUNCILS:
        council = _get_or_add(summary, Council, {"slug": spec["slug"]}, name=spec["name"])
        _go_live(council, spec, on)
        councils[spec["slug"]] = council
        for fspec in spec["frameworks"]:
            framework = _get_or_add(
                summary,
                Framework,
                {"council_id": council.id, "name": fspec["name"]},
                service_type=ServiceType(fspec["service_type"]),
                start_date=fspec["start_date"],
                end_date=fspec["end_date"],
            )
            frameworks[(spec["slug"], fspec["name"])] = framework
            summary.created += seed_reference_targets(framework.id, framework.start_date)
            for aspec in fspec["areas"]:
                areas[(framework.id, aspec["name"])] = _get_or_add(
                    summary,
                    Area,
                    {"framework_id": framework.id, "name": aspec["name"]},
                    kind=AreaKind(aspec["kind"]),
                )
    providers: dict[str, Provider] = {}
    for pspec in PROVIDERS:
        provider = _get_or_add(summary, Provider, {"slug": pspec["slug"]}, name=pspec["name"])
        providers[pspec["slug"]] = provider
        for bspec in pspec["branches"]:
            _get_or_add(
                summary,
                Branch,
                {"provider_id": provider.id, "local_est_id": bspec["local_est_id"]},
                name=bspec["name"],
                cqc_location_id=bspec["cqc_location_id"],
                cqc_rating=CqcRating(bspec["cqc_rating"]),
                cqc_rating_date=bspec["cqc_rating_date"],
                registered_manager_in_post=bspec["registered_manager_in_post"],
                sponsor_licence_status=SponsorLicenceStatus(bspec["sponsor_licence_status"]),
            )
        for cspec in pspec["contracts"]:
            council = councils[cspec["council"]]
            framework = frameworks.get((cspec["council"], cspec["framework"] or ""))
            area = areas.get((framework.id, cspec["area"])) if framework and cspec["area"] else None
            contract = _get_or_add(
                summary,
                Contract,
                {
                    "provider_id": provider.id,
                    "council_id": council.id,
                    "framework_id": framework.id if framework else None,
                    "area_id": area.id if area else None,
                    "contract_type": ContractType(cspec["contract_type"]),
                },
                hourly_rate=cspec["hourly_rate"],
            )
            _cover(contract, provider, cspec.get("branches"))
    _demo_users(summary, councils, providers)
    db.session.commit()
    open_due_returns(on)  # what the daily job would do: the calendar's returns
    summary.councils = len(councils)
    summary.providers = len(providers)
    summary.contracts = db.session.query(Contract).count()
    return summary


def _go_live(council: Council, spec: dict, on: date) -> None:
    if council.go_live_month is None:  # a council's own choice is never overwritten
        council.go_live_month = add_months(on.replace(day=1), -spec["go_live_months_ago"])


def _cover(contract: Contract, provider: Provider, named: list[str] | None) -> None:
    """The branches the contract covers: those named, or all the provider's."""
    if not contract.branches:
        contract.branches = [b for b in provider.branches if not named or b.name in named]


def _two_council_provider(providers: dict[str, Provider]) -> Provider:
    for pspec in PROVIDERS:
        if len({c["council"] for c in pspec["contracts"]}) > 1:
            return providers[pspec["slug"]]
    return providers[PROVIDERS[0]["slug"]]


def _demo_users(summary: Summary, councils: dict[str, Council], providers: dict[str, Provider]):
    """One user per role: the provider users work for the provider with two councils."""
    shared = _two_council_provider(providers)
    other = next(p for slug, p in providers.items() if p.id != shared.id)
    first_council = councils[COUNCILS[0]["slug"]]
    second_council = councils[COUNCILS[1]["slug"]]
    people = [
        ("submitter@provider.example", "Sam Submitter", Role.PROVIDER_SUBMITTER, shared, None),
        ("manager@provider.example", "Morgan Manager", Role.PROVIDER_MANAGER, shared, None),
        ("manager@other-provider.example", "Olu Otherprovider", Role.PROVIDER_MANAGER, other, None),
        (
            f"commissioner@{first_council.slug}.example",
            "Chris Commissioner",
            Role.COMMISSIONER,
            None,
            first_council,
        ),
        (f"qa@{first_council.slug}.example", "Quinn Quality", Role.QA_OFFICER, None, first_council),
        (
            f"forum@{first_council.slug}.example",
            "Frankie Forum",
            Role.FORUM_MEMBER,
            None,
            first_council,
        ),
        (
            f"commissioner@{second_council.slug}.example",
            "Dev Commissioner",
            Role.COMMISSIONER,
            None,
            second_council,
        ),
        ("admin@portal.example", "Ada Admin", Role.ADMIN, None, None),
    ]
    password_hash: str | None = None
    for email, name, role, provider, council in people:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            password_hash = password_hash or hash_password(summary.password)
            user = User(email=email, name=name, password_hash=password_hash)
            db.session.add(user)
            db.session.flush()
            summary.created += 1
        _get_or_add(
            summary,
            Membership,
            {
                "user_id": user.id,
                "role": role,
                "provider_id": provider.id if provider else None,
                "council_id": council.id if council else None,
            },
        )
        organisation = provider.name if provider else (council.name if council else "Service")
        summary.sign_ins.append((email, role.value, organisation))
    # The commissioners can set their councils up (frameworks, targets, contracts).
    for membership in db.session.scalars(
        select(Membership).where(Membership.role == Role.COMMISSIONER)
    ):
        membership.council_admin = True
