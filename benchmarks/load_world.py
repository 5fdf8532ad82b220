"""The load test's world (``benchmarks/load.py``): on top of the demo data, ``count``
providers on Medway's homecare framework, each with a branch, a submitter
(``load<N>@provider.example``, the demo password) and this month's open return with every
section but the KPIs and training completed. Run in a process of its own with DATABASE_URL set."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from upload import BRANCHES

from portal.app import create_app
from portal.auth.passwords import hash_password
from portal.extensions import db
from portal.models import (
    Branch,
    Contract,
    ContractType,
    Council,
    CqcRating,
    Framework,
    Membership,
    MonthlyReturn,
    Provider,
    Role,
    SectionState,
    User,
)
from portal.returns import service

PASSWORD = os.environ.get("PORTAL_DEMO_PASSWORD", "demo sign-in for care returns")


def build(count: int) -> None:
    app = create_app()
    with app.app_context():
        council = db.session.scalar(select(Council).where(Council.name == "Medway Council"))
        framework = db.session.scalar(
            select(Framework)
            .where(Framework.council_id == council.id, Framework.name.like("%Homecare%"))
            .order_by(Framework.id)
        )
        password_hash = hash_password(PASSWORD)  # one hash for all: argon2 is slow on purpose
        contracts, users = [], {}
        for n in range(1, count + 1):
            provider = Provider(name=f"Load Test Care {n} Ltd", slug=f"load-test-care-{n}")
            # The branches the benchmark's ASC-WDS files name (benchmarks/upload.py).
            branches = [
                Branch(
                    provider=provider,
                    name=f"Load Test Care {n} {local}",
                    cqc_location_id=f"1-9{n:07d}{b:02d}",
                    local_est_id=local,
                    cqc_rating=CqcRating.GOOD,
                )
                for b, local in enumerate(BRANCHES)
            ]
            contract = Contract(
                provider=provider,
                council=council,
                framework=framework,
                area=framework.areas[0] if framework.areas else None,
                contract_type=ContractType.FRAMEWORK,
                hourly_rate=Decimal("24.50"),
                branches=branches,
            )
            user = User(email=f"load{n:04d}@provider.example", name=f"Load Submitter {n}")
            user.password_hash = password_hash
            user.memberships.append(Membership(role=Role.PROVIDER_SUBMITTER, provider=provider))
            db.session.add_all([provider, *branches, contract, user])
            contracts.append(contract)
            users[provider] = user
        db.session.commit()
        service.ensure_returns(contracts)
        latest = {}
        for ret in db.session.scalars(
            select(MonthlyReturn)
            .where(MonthlyReturn.contract_id.in_([c.id for c in contracts]))
            .order_by(MonthlyReturn.period)
        ):
            latest[ret.contract_id] = ret
        for ret in latest.values():
            # Late in a month last month's return has locked: reopened, it runs any day.
            ret.reopened_until = date.today() + timedelta(days=7)
            user = users[ret.contract.provider]
            for sec in ret.sections:
                if sec.code not in {"kpis", "training"}:
                    service.save_section(
                        ret, sec.code, {"done": "yes"}, SectionState.COMPLETED, sec.revision, user
                    )
        # Only the latest month is left to submit: earlier ones are out of the test.
        db.session.commit()
