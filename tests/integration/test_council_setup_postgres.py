"""Setting councils up on PostgreSQL: two councils uploading registers that name the same
new provider at the same moment link one provider (never a duplicate), and a register
applied twice changes nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ChangeRecord, Contract, Council, Provider, Role, User
from portal.setup import contract_register
from tests.factories import make_council, make_user

REGISTER = (
    b"Provider name,CQC provider ID,CQC location IDs,Framework,Lot,Contract type,Hourly rate,"
    b"Start date,End date,Provider contact email\r\n"
    b"Twin Care,1-700000001,1-700000002,,,Spot,24.00,01/04/2026,,\r\n"
)


def test_two_councils_adding_the_same_new_provider_at_once_link_one(committed_app):
    app = committed_app
    with app.app_context():
        app.config["TODAY"] = "2026-11-23"
        people = []
        for name in ("North Council", "South Council"):
            council = make_council(name)
            db.session.commit()
            user = make_user(Role.COMMISSIONER, council=council, council_admin=True)
            people.append((council.id, user.id))
        db.session.remove()
    barrier = threading.Barrier(2)

    def apply(ids: tuple[int, int]) -> bool:
        council_id, user_id = ids
        with app.app_context():
            council, user = db.session.get(Council, council_id), db.session.get(User, user_id)
            barrier.wait()
            check = contract_register.apply_register(council, REGISTER, "register.csv", user)
            return check.ok

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(apply, people)) == [True, True]
    with app.app_context():
        providers = db.session.scalars(
            select(Provider).where(Provider.cqc_provider_id == "1-700000001")
        ).all()
        assert len(providers) == 1
        contracts = db.session.scalars(
            select(Contract).where(Contract.provider_id == providers[0].id)
        ).all()
        assert sorted(c.council_id for c in contracts) == sorted(c for c, _ in people)


def test_the_same_register_twice_changes_nothing(committed_app):
    app = committed_app
    with app.app_context():
        app.config["TODAY"] = "2026-11-23"
        council = make_council("Only Council")
        db.session.commit()
        user = make_user(Role.COMMISSIONER, council=council, council_admin=True)
        assert contract_register.apply_register(council, REGISTER, "r.csv", user).ok
        records = db.session.scalar(select(func.count(ChangeRecord.id)))
        assert contract_register.apply_register(council, REGISTER, "r.csv", user).ok
        assert db.session.scalar(select(func.count(ChangeRecord.id))) == records
        assert db.session.scalar(select(func.count(Contract.id))) == 1
