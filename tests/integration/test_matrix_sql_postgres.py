"""On PostgreSQL the super training matrix is counted by one SQL statement
(``portal.matrix_sql``). It must give exactly the figures the Python reading of the
snapshots gives (``build_matrix_in_python``, the way on SQLite and the reference): every
cell with its providers, for each status count too (the forum's suppression needs them),
next quarter's demand, the job-role columns, the staff and providers counted. The
councils here are generated from a seed, with what makes the rules matter: blank
completion dates, expiries inside 90 days, records that never expire, staff with no
record, non-care roles, staff who left, staff on two contracts, a branch no contract
covers, snapshots not confirmed, nil returns, records completed after the date, and
resubmitted versions."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.extensions import db
from portal.mandatory import replace_set
from portal.matrix import build_matrix, build_matrix_in_python, build_matrix_in_sql
from portal.models import Branch, MonthlyReturn, ReturnStatus, Role
from tests.factories import (
    add_version,
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_staff,
    make_training_record,
    make_user,
)

PERIODS = [date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]
CARE_ROLES, OTHER_ROLES = [8, 7, 5, 4, 23], [25, 27, 1]  # care worker...; administrative...
CATEGORIES = [20, 13, 15, 7, 10, 6, 8, 9, 2, 42, 26, 30, 33]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _record(rng: random.Random, as_at: date) -> dict:
    completed = None if rng.random() < 0.1 else as_at - timedelta(days=rng.randrange(-40, 1500))
    roll = rng.random()
    if roll < 0.2:
        expiry = None  # never expires
    elif roll < 0.4:
        expiry = as_at + timedelta(days=rng.randrange(-5, 95))  # around the 90-day edge
    else:
        expiry = as_at + timedelta(days=rng.randrange(-800, 800))
    return {
        "category": rng.choice(CATEGORIES),
        "date_completed": _iso(completed),
        "expiry_date": _iso(expiry),
        "status": "as the section saw it",
    }


def _member(rng: random.Random, worker_id: str, branch: str, as_at: date) -> dict:
    left = rng.random()
    return {
        "worker_id": worker_id,
        "job_role": rng.choice(CARE_ROLES * 3 + OTHER_ROLES + [None]),
        "branch": branch,
        "left_on": _iso(as_at - timedelta(days=rng.randrange(-20, 60))) if left < 0.1 else None,
        "training": [_record(rng, as_at) for _ in range(rng.choice([0, 0, 1, 2, 3, 5, 8]))],
        "missing": [],
    }


def _snapshot(rng: random.Random, workers: list[tuple[str, str]], period: date) -> dict:
    as_at = (period.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    staff = [_member(rng, w, b, as_at) for w, b in workers if rng.random() < 0.9]
    if staff and rng.random() < 0.1:
        staff.append(dict(staff[0], job_role=rng.choice(CARE_ROLES)))  # listed twice
    return {"confirmed": rng.random() > 0.15, "as_at": as_at.isoformat(), "staff": staff}


def _provider(rng: random.Random, council, framework, submitter_of) -> None:
    provider = make_provider()
    main = provider.branches[0].name
    away = Branch(provider=provider, name=f"{provider.name} far away", local_est_id="FAR")
    db.session.add(away)
    db.session.flush()
    contracts = [make_contract(provider, council, framework)]  # covers the first branch only
    if rng.random() < 0.4:
        contracts.append(make_contract(provider, council))  # a spot contract too
    workers = [(f"W{n:03d}", rng.choice([main, main, main, away.name])) for n in range(25)]
    user = submitter_of(provider)
    for member in workers:  # the provider's records now: how each course was delivered
        staff = make_staff(provider, worker_id=member[0])
        for _ in range(rng.randrange(0, 6)):
            make_training_record(
                staff,
                category=rng.choice(CATEGORIES),
                date_completed=None
                if rng.random() < 0.1
                else date(2026, 11, 15) - timedelta(days=rng.randrange(0, 1500)),
                how_delivered=rng.choice([1, 2, None, 3]),
            )
    for contract in contracts:
        for period in PERIODS:
            if rng.random() < 0.2:
                continue  # no return that month
            ret = MonthlyReturn(contract=contract, period=period, status=ReturnStatus.SUBMITTED)
            ret.nil_return = rng.random() < 0.05
            db.session.add(ret)
            db.session.commit()
            for number in range(rng.choice([1, 1, 2])):
                version = add_version(
                    ret,
                    user,
                    {"training": _snapshot(rng, workers, period)},
                    at=datetime(2026, period.month + 1, 5 + rng.randrange(3), 12, tzinfo=UTC)
                    + timedelta(days=number),
                )
                version.data = dict(version.data, nil_return=ret.nil_return)
                db.session.commit()


def _council(seed: int, own_mandatory_set: bool):
    rng = random.Random(seed)
    council = make_council()
    framework = make_framework(council)

    def submitter_of(provider):
        return make_user(Role.PROVIDER_SUBMITTER, provider=provider)

    for _ in range(6):
        _provider(rng, council, framework, submitter_of)
    if own_mandatory_set:  # mandatory for an administrator (a non-care role) too
        replace_set(council.id, [(20, 8), (20, 25), (6, 25), (13, 7), (42, 4)])
    return council


def _figures(matrix) -> dict:
    return {
        "cells": {
            key: (
                cell.figures(),
                dict(+cell.providers),
                # who makes up each status count: the forum's rule is applied to each
                {status: dict(+who) for status, who in cell.by_status.items() if +who},
            )
            for key, cell in matrix.cells.items()
        },
        "demand": {key: (d.staff, dict(+d.providers)) for key, d in matrix.demand.items()},
        "columns": matrix.columns,
        "groups": [(name, [c.code for c in items]) for name, items in matrix.groups],
        "staff": matrix.staff_count,
        "providers": matrix.provider_ids,
    }


@pytest.mark.parametrize(("seed", "own_set"), [(1, False), (2, True), (3, False), (4, True)])
def test_sql_and_python_count_the_same(app, seed, own_set):
    council = _council(seed, own_set)
    provider_ids = sorted(build_matrix_in_python(council.id, date(2026, 10, 31)).provider_ids)
    for as_at in (date(2026, 10, 31), date(2026, 9, 15), date(2026, 8, 31), date(2026, 6, 30)):
        python = _figures(build_matrix_in_python(council.id, as_at))
        sql = _figures(build_matrix_in_sql(council.id, as_at))
        assert sql == python, f"area as at {as_at}"
        assert _figures(build_matrix(council.id, as_at)) == sql  # PostgreSQL takes SQL
        for provider_id in provider_ids[:2]:
            mine = _figures(build_matrix_in_python(council.id, as_at, provider_id))
            assert _figures(build_matrix_in_sql(council.id, as_at, provider_id)) == mine


def test_the_generated_councils_exercise_every_status(app):
    """The comparison above means something: the data holds every status, demand in
    every delivery mode, non-care roles and the all-care-roles column."""
    council = _council(2, True)
    matrix = build_matrix_in_sql(council.id, date(2026, 10, 31))
    totals = [sum(c.figures()[i] for c in matrix.cells.values()) for i in range(1, 5)]
    assert all(totals), totals  # up to date, expiring, expired, missing
    assert {mode for _, mode in matrix.demand} == {1, 2, None}
    roles = {column.key for column in matrix.columns}
    assert roles & set(OTHER_ROLES) and roles & set(CARE_ROLES) and "all" in roles
    assert len(matrix.provider_ids) >= 5


def test_the_portal_runs_postgresql_without_jit(app):
    """With statistics the matrix's estimated cost passes PostgreSQL's JIT thresholds, and
    compiling it took twice as long as running it: every connection the portal opens turns
    JIT off (``portal.config.engine_options``)."""
    from sqlalchemy import text

    assert db.session.execute(text("SHOW jit")).scalar() == "off"
