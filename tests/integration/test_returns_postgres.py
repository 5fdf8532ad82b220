"""Monthly returns on PostgreSQL under concurrency: parallel resubmissions number their
versions 1..n with no gap or duplicate, retries make one version, and of two saves from
the same form only the first is kept."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import ReturnSection, ReturnVersion, Role, SectionState, User
from portal.returns import service
from tests.factories import make_user, open_return


def _setup(app):
    app.config["TODAY"] = "2026-11-23"
    ret = open_return(on=date(2026, 11, 23))
    user = make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider)
    for s in ret.sections:
        service.save_section(ret, s.code, {"v": "1"}, SectionState.COMPLETED, s.revision, user)
    db.session.commit()
    return ret.id, user.id


def test_fifty_parallel_resubmissions_make_versions_one_to_fifty(committed_app):
    app = committed_app
    with app.app_context():
        return_id, user_id = _setup(app)
        db.session.remove()
    barrier = threading.Barrier(50)

    def submit(n: int) -> int:
        barrier.wait()  # all start together; connections are then shared from the pool
        with app.app_context():
            user = db.session.get(User, user_id)
            result = service.submit(return_id, user, f"parallel-key-{n:04d}")
            number = result.version.number
            db.session.remove()
            return number

    with ThreadPoolExecutor(max_workers=50) as pool:
        numbers = sorted(pool.map(submit, range(50)))
    assert numbers == list(range(1, 51))
    with app.app_context():
        stored = db.session.scalars(
            select(ReturnVersion.number)
            .where(ReturnVersion.return_id == return_id)
            .order_by(ReturnVersion.number)
        ).all()
        assert stored == list(range(1, 51))


def test_the_same_submission_sent_twenty_times_at_once_makes_one_version(committed_app):
    app = committed_app
    with app.app_context():
        return_id, user_id = _setup(app)
        db.session.remove()
    barrier = threading.Barrier(20)

    def submit(_: int) -> tuple[int, bool]:
        barrier.wait()
        with app.app_context():
            user = db.session.get(User, user_id)
            result = service.submit(return_id, user, "the-same-key-from-a-double-click")
            out = (result.version.number, result.new)
            db.session.remove()
            return out

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(submit, range(20)))
    assert {number for number, _ in results} == {1}
    assert sum(1 for _, new in results if new) == 1
    with app.app_context():
        assert db.session.scalar(select(db.func.count(ReturnVersion.id))) == 1


def test_of_many_saves_from_one_stale_form_only_the_first_is_kept(committed_app):
    app = committed_app
    with app.app_context():
        return_id, user_id = _setup(app)
        revision = db.session.scalar(
            select(ReturnSection.revision).where(
                ReturnSection.return_id == return_id, ReturnSection.code == "kpis"
            )
        )
        db.session.remove()
    barrier = threading.Barrier(10)

    def save(n: int):
        with app.app_context():
            from portal.models import MonthlyReturn

            ret = db.session.get(MonthlyReturn, return_id)
            user = db.session.get(User, user_id)
            service.section(ret, "kpis")  # loaded before the race
            db.session.commit()  # give the connection back while waiting
            barrier.wait()
            stale = service.save_section(
                ret, "kpis", {"writer": str(n)}, SectionState.COMPLETED, revision, user
            )
            db.session.remove()
            return n if stale is None else None

    with ThreadPoolExecutor(max_workers=10) as pool:
        winners = [n for n in pool.map(save, range(10)) if n is not None]
    assert len(winners) == 1
    with app.app_context():
        sec = db.session.scalar(
            select(ReturnSection).where(
                ReturnSection.return_id == return_id, ReturnSection.code == "kpis"
            )
        )
        assert sec.data == {"writer": str(winners[0])}
        assert sec.revision == revision + 1
