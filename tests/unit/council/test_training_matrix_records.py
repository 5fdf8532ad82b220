"""The matrix reads providers' training records as plain rows (a council has about 100,000):
the record that decides a delivery mode is still the latest-expiring one, and the number of
queries does not grow with the number of staff or records."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from portal.extensions import db
from portal.matrix import E_LEARNING, FACE_TO_FACE, MODE_NOT_KNOWN, build_matrix
from portal.models import Role, SectionState, StaffMember, TrainingRecord
from portal.returns import service
from tests.factories import make_council, make_provider, make_user, open_return

AS_AT = date(2026, 10, 31)
CARE_WORKER, SAFEGUARDING, FIRE = 8, 20, 6


@pytest.fixture
def two_providers(app):
    app.config["TODAY"] = "2026-11-23"
    council = make_council()
    providers = [make_provider() for _ in range(2)]
    returns = [open_return(p, council) for p in providers]
    users = [make_user(Role.PROVIDER_SUBMITTER, provider=p) for p in providers]
    return {"council": council, "providers": providers, "returns": returns, "users": users}


def _staff(provider, worker_id: str, records: list[tuple[int, date, date | None, int | None]]):
    member = StaffMember(
        provider=provider,
        branch=provider.branches[0],
        worker_id=worker_id,
        main_job_role=CARE_WORKER,
    )
    for category, completed, expiry, how in records:
        member.training.append(
            TrainingRecord(
                category=category,
                date_completed=completed,
                expiry_date=expiry,
                how_delivered=how,
            )
        )
    db.session.add(member)
    return member


def _submit(ret, user, members: list[StaffMember]) -> None:
    """The training snapshot as the section saves it: every record, as dicts."""
    staff = [
        {
            "worker_id": m.worker_id,
            "job_role": m.main_job_role,
            "branch": "Main",
            "left_on": None,
            "training": [
                {
                    "category": r.category,
                    "date_completed": r.date_completed.isoformat(),
                    "expiry_date": r.expiry_date.isoformat() if r.expiry_date else None,
                    "status": "x",
                }
                for r in m.training
            ],
            "missing": [],
        }
        for m in members
    ]
    sec = service.section(ret, "training")
    data = {"confirmed": True, "as_at": AS_AT.isoformat(), "staff": staff}
    assert (
        service.save_section(ret, "training", data, SectionState.COMPLETED, sec.revision, user)
        is None
    )
    service.submit(ret.id, user, f"key-{ret.id}-{sec.revision}")


def test_delivery_mode_comes_from_the_latest_expiring_record(two_providers):
    provider, ret, user = (
        two_providers["providers"][0],
        two_providers["returns"][0],
        two_providers["users"][0],
    )
    members = [
        # Expired; the later-expiring record was face to face, the older one e-learning.
        _staff(
            provider,
            "W1",
            [
                (SAFEGUARDING, date(2022, 1, 1), date(2023, 1, 1), E_LEARNING),
                (SAFEGUARDING, date(2023, 1, 1), date(2024, 1, 1), FACE_TO_FACE),
                (SAFEGUARDING, date(2021, 1, 1), date(2022, 1, 1), E_LEARNING),
            ],
        ),
        # Expiring: same expiry twice, the later completed one (e-learning) decides.
        _staff(
            provider,
            "W2",
            [
                (SAFEGUARDING, date(2025, 12, 1), date(2026, 12, 1), E_LEARNING),
                (SAFEGUARDING, date(2025, 1, 1), date(2026, 12, 1), FACE_TO_FACE),
            ],
        ),
        # Expired record with no mode known.
        _staff(provider, "W3", [(FIRE, date(2022, 1, 1), date(2023, 1, 1), None)]),
    ]
    db.session.commit()
    _submit(ret, user, members)
    matrix = build_matrix(two_providers["council"].id, AS_AT)
    # W1 expired, W2 expiring, W3 missing.
    assert matrix.cell(SAFEGUARDING, CARE_WORKER).figures()[1:5] == [0, 1, 1, 1]
    assert matrix.demand[(SAFEGUARDING, FACE_TO_FACE)].staff == 1  # W1
    assert matrix.demand[(SAFEGUARDING, E_LEARNING)].staff == 1  # W2
    assert matrix.demand[(FIRE, MODE_NOT_KNOWN)].staff == 1 + 2  # W3 expired, W1 and W2 missing


def _queries_for(council_id: int) -> int:
    statements = []

    def count(*_args) -> None:
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        db.session.expire_all()
        build_matrix(council_id, AS_AT)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_queries_do_not_grow_with_staff(two_providers):
    council_id = two_providers["council"].id
    few = [_staff(p, "A1", [(FIRE, date(2025, 1, 1), None, 1)]) for p in two_providers["providers"]]
    db.session.commit()
    for ret, user, member in zip(
        two_providers["returns"], two_providers["users"], few, strict=True
    ):
        _submit(ret, user, [member])
    before = _queries_for(council_id)

    more = {
        p.id: [
            _staff(p, f"B{n}", [(c, date(2025, 1, 1), None, 2) for c in (FIRE, SAFEGUARDING)])
            for n in range(15)
        ]
        for p in two_providers["providers"]
    }
    db.session.commit()
    for ret, user, member in zip(
        two_providers["returns"], two_providers["users"], few, strict=True
    ):
        _submit(ret, user, [member, *more[ret.contract.provider_id]])
    assert build_matrix(council_id, AS_AT).staff_count == 32
    assert _queries_for(council_id) == before
