"""The feedback tests' world: a council, its framework, the subject provider and four
peers with their returns open (the ``subject`` fixture), and the helpers the feedback
tests share: sending a version, staff with training, a commissioner's query, building a
report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from portal.extensions import db
from portal.feedback import FEEDBACK, feedback_key
from portal.models import (
    Contract,
    Council,
    Framework,
    Job,
    MonthlyReturn,
    Provider,
    ReturnComment,
    Role,
    StaffMember,
    TrainingRecord,
    User,
)
from portal.returns import service
from tests.factories import (
    add_version,
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_user,
)

ON = date(2026, 11, 23)  # August, September and October 2026 returns are open
AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)
SAFEGUARDING, FIRST_AID, DEMENTIA = 20, 7, 2
CARE_WORKER = 8


def counts(missed: int, on_time: int, planned: int = 100) -> dict[str, str]:
    """Counts giving missed visits = missed% and punctuality = on_time% (of 100)."""
    return {
        "planned_visits": str(planned),
        "delivered_visits": str(planned),
        "missed_visits": str(missed),
        "on_time_visits": str(on_time),
        "ecm_visits": str(planned),
    }


def person(worker_id: str, expiry: str) -> dict:
    """A care worker in a training snapshot with one safeguarding record."""
    return {
        "worker_id": worker_id,
        "job_role": CARE_WORKER,
        "training": [
            {"category": SAFEGUARDING, "date_completed": "2025-01-01", "expiry_date": expiry}
        ],
    }


@dataclass
class World:
    council: Council
    framework: Framework
    provider: Provider
    peers: list[Provider]
    user: User  # the provider's submitter

    def ret(self, provider: Provider, month: date) -> MonthlyReturn:
        return db.session.scalar(
            db.select(MonthlyReturn)
            .join(Contract)
            .where(
                Contract.provider_id == provider.id,
                Contract.council_id == self.council.id,
                MonthlyReturn.period == month,
            )
        )

    def send(self, provider: Provider, month: date, kpis: dict, staff: list | None = None):
        """A submitted version of the provider's return for ``month``."""
        ret = self.ret(provider, month)
        sections: dict = {"kpis": kpis}
        if staff is not None:
            sections["training"] = {"confirmed": True, "as_at": "2026-10-31", "staff": staff}
        add_version(ret, self.user, sections)  # sent at noon on 5 November 2026
        return ret


def make_world(app, peers: int = 4) -> World:
    app.config["TODAY"] = ON.isoformat()
    council = make_council()
    framework = make_framework(council)
    provider = make_provider("Subject Care Ltd")
    others = [make_provider(f"Peer {n} Ltd") for n in range(1, peers + 1)]
    contracts = [make_contract(p, council, framework) for p in [provider, *others]]
    db.session.commit()
    service.ensure_returns(contracts, on=ON)
    user = make_user(Role.PROVIDER_SUBMITTER, provider=provider, email="sub@subject.example")
    return World(council, framework, provider, others, user)


@pytest.fixture
def subject(app) -> World:
    """The subject: missed 2%, punctuality 85% in October. Four peers: missed 1, 3, 6 and
    10%; punctuality 80, 90, 95 and 99%. Training snapshots from the subject and 2 peers."""
    w = make_world(app)
    w.send(w.provider, AUG, counts(1, 90))
    w.send(w.provider, SEP, counts(3, 80))
    w.send(
        w.provider,
        OCT,
        counts(2, 85),
        staff=[person("W-001", "2027-06-01"), person("W-002", "2026-10-01")],
    )
    for peer, (missed, on_time) in zip(w.peers, [(1, 80), (3, 90), (6, 95), (10, 99)], strict=True):
        staff = [person(f"P{peer.id}", "2027-06-01")] if peer in w.peers[:2] else None
        w.send(peer, OCT, counts(missed, on_time), staff=staff)
    return w


def line(feedback, code: str):
    return next(k for k in feedback.frameworks[0].kpis if k.code == code)


def _staff(provider: Provider, worker_id: str, records, left_on=None) -> StaffMember:
    member = StaffMember(
        provider_id=provider.id,
        branch_id=provider.branches[0].id,
        worker_id=worker_id,
        main_job_role=CARE_WORKER,
        left_on=left_on,
    )
    db.session.add(member)
    db.session.flush()
    for category, expiry in records:
        db.session.add(
            TrainingRecord(
                staff_id=member.id,
                category=category,
                date_completed=date(2025, 1, 1),
                expiry_date=date.fromisoformat(expiry) if expiry else None,
            )
        )
    db.session.commit()
    return member


def _query(ret: MonthlyReturn, by: User, text: str, field: str | None = "missed_visits"):
    comment = ReturnComment(
        return_id=ret.id, kind="query", section="kpis", field=field, text=text, author_id=by.id
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def _report_url(subject: World, period: str = "2026-10") -> str:
    query = f"council={subject.council.id}&period={period}"
    return f"/provider/{subject.provider.id}/feedback/report?{query}"


def _build(subject: World, period: str = "2026-10") -> Job:
    from portal.background import jobs

    return jobs.submit(
        FEEDBACK,
        feedback_key(subject.council.id, subject.provider.id, period),
        {"council_id": subject.council.id, "provider_id": subject.provider.id, "period": period},
        council_id=subject.council.id,
        provider_id=subject.provider.id,
    )
