"""Packs of the same council and quarter share the area's training figures: the first pack
job counts the area matrix and keeps the figures in Redis; the next job (a fresh fork on a
worker, so nothing in its memory) reads them instead of counting again. A new submission
makes new figures: the key names the newest version, so the next pack counts again and
shows the change."""

from __future__ import annotations

from datetime import date

import pytest
from redis import Redis
from sqlalchemy import event, select

from portal import training_compliance
from portal.extensions import db
from portal.mandatory import mandatory_codes
from portal.models import MonthlyReturn, Role
from portal.packs.build import build_pack
from portal.returns import service
from tests.factories import (
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_user,
    submit_return,
)

QUARTER, QUARTER_END = "2026-Q3", date(2026, 9, 30)
SAFEGUARDING = 20


def _snapshot(valid: int, expired: int) -> dict:
    """Care workers, each with safeguarding either valid until 2028 or expired in 2025."""
    staff = [
        {
            "worker_id": f"W{n}",
            "job_role": 8,
            "branch": "",
            "left_on": None,
            "training": [
                {
                    "category": SAFEGUARDING,
                    "date_completed": "2024-06-01",
                    "expiry_date": "2028-06-01" if n < valid else "2025-06-01",
                }
            ],
            "missing": [],
        }
        for n in range(valid + expired)
    ]
    return {"confirmed": True, "as_at": QUARTER_END.isoformat(), "staff": staff}


def _september(contract) -> MonthlyReturn:
    return db.session.scalar(
        select(MonthlyReturn).where(
            MonthlyReturn.contract_id == contract.id, MonthlyReturn.period == date(2026, 9, 1)
        )
    )


@pytest.fixture
def council_with_three_providers(app, redis_db):
    app.config["TODAY"] = "2026-11-23"
    app.config["REDIS_URL"] = redis_db  # the shared cache; jobs are built in-process here
    council = make_council("Shared Figures Borough Council")
    framework = make_framework(council)
    world = []
    for n, (valid, expired) in enumerate([(4, 0), (2, 2), (3, 1)]):
        provider = make_provider(f"Shared Figures Care {n} Ltd")
        contract = make_contract(provider, council, framework)
        db.session.commit()
        service.ensure_returns([contract], on=date(2026, 10, 5))
        user = make_user(Role.PROVIDER_MANAGER, provider=provider)
        submit_return(_september(contract), user, training=_snapshot(valid, expired))
        world.append((provider, contract, user))
    return council, world


class AreaCounts:
    """How many times the whole area's matrix was counted (the matrix statement run with
    no provider), watched on the real connection."""

    def __init__(self):
        self.count = 0

    def __call__(self, _conn, _cursor, statement, parameters, _context, _many):
        if "WITH latest AS" in statement and (parameters or {}).get("provider") is None:
            self.count += 1


def _pack_job(council_id: int, provider_id: int) -> bytes:
    """A pack as a worker's fresh fork builds it: nothing kept in the process from before."""
    training_compliance._AREA_CACHE.clear()
    pdf, _xlsx, _stem = build_pack(council_id, provider_id, QUARTER)
    return pdf


def _area_percent(council_id: int) -> float | None:
    training_compliance._AREA_CACHE.clear()
    figures = training_compliance.area_figures(
        council_id, QUARTER_END, mandatory_codes(council_id)
    ).cells[SAFEGUARDING]
    return training_compliance.compliant(figures.compliant, figures.in_scope)


def test_the_second_pack_reuses_the_area_figures_and_a_submission_renews_them(
    council_with_three_providers, redis_db
):
    council, world = council_with_three_providers
    counted = AreaCounts()
    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        _pack_job(council.id, world[0][0].id)
        assert counted.count == 1
        _pack_job(council.id, world[1][0].id)
        assert counted.count == 1  # the second job read the figures, it did not count
        assert len(Redis.from_url(redis_db).keys("portal:area-figures:*")) == 1
        before = _area_percent(council.id)
        assert before == 75.0  # 9 of 12 care workers' safeguarding is valid
        assert counted.count == 1

        provider, contract, user = world[1]  # resubmits September: now all 4 valid
        submit_return(_september(contract), user, training=_snapshot(4, 0))

        _pack_job(council.id, world[2][0].id)
        assert counted.count == 2  # a new version: the area is counted again
        assert len(Redis.from_url(redis_db).keys("portal:area-figures:*")) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    assert _area_percent(council.id) == round(100 * 11 / 12, 1) != before
