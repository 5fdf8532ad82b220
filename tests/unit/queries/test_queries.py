"""The query modules the pages read through: each list comes back in the order the page
shows it, and nothing of another council, provider or user comes back at all."""

from __future__ import annotations

from datetime import date, timedelta

from portal.api.auth import new_key
from portal.clock import utcnow
from portal.documents import save_document
from portal.extensions import db
from portal.feedback import FEEDBACK
from portal.models import Job, MeetingAction, Notification
from portal.queries import accounts, jobs, organisations, oversight
from portal.queries import returns as return_queries
from portal.vocabulary import JOB_DONE, JOB_FAILED, JOB_QUEUED, ContractType, Role
from tests.factories import (
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_user,
    open_return,
)


def test_council_contracts_are_the_councils_only_by_provider_with_spot_contracts_last(app):
    council, other_council = make_council(), make_council()
    framework = make_framework(council)
    zeta, alpha = make_provider("Zeta Care Ltd"), make_provider("Alpha Care Ltd")
    alpha_spot = make_contract(alpha, council)
    alpha_framework = make_contract(alpha, council, framework)
    zeta_framework = make_contract(zeta, council, framework)
    make_contract(alpha, other_council, make_framework(other_council))
    db.session.commit()

    found = organisations.council_contracts(council.id)
    assert [c.id for c in found] == [alpha_framework.id, alpha_spot.id, zeta_framework.id]

    spot_only = organisations.council_contracts(council.id, outside_framework=True)
    assert [c.id for c in spot_only] == [alpha_spot.id]
    of_framework = organisations.council_contracts(council.id, framework_id=framework.id)
    assert [c.id for c in of_framework] == [alpha_framework.id, zeta_framework.id]
    by_type = organisations.council_contracts(council.id, contract_type=ContractType.SPOT)
    assert [c.id for c in by_type] == [alpha_spot.id]
    # Another council's framework as a filter finds nothing of this council.
    foreign = make_framework(other_council)
    assert organisations.council_contracts(council.id, framework_id=foreign.id) == []


def test_a_framework_or_return_of_another_council_is_not_found(app):
    ret = open_return()
    council_id = ret.contract.council_id
    other_council = make_council()
    db.session.commit()

    assert return_queries.council_return(council_id, ret.id).id == ret.id
    assert return_queries.council_return(other_council.id, ret.id) is None
    framework_id = ret.contract.framework_id
    assert organisations.council_framework(council_id, framework_id).id == framework_id
    assert organisations.council_framework(other_council.id, framework_id) is None


def test_returns_of_contracts_come_newest_month_first(app):
    ret = open_return(on=date(2027, 1, 20))  # October, November and December are open
    periods = [r.period for r in return_queries.returns_of_contracts([ret.contract_id])]
    assert periods == sorted(periods, reverse=True) and len(periods) >= 3
    in_months = return_queries.return_glances([ret.contract], date(2026, 11, 1), date(2026, 12, 1))
    assert [r.period for r in in_months] == [date(2026, 11, 1), date(2026, 12, 1)]


def test_feedback_documents_only_from_councils_the_provider_has_a_contract_with(app):
    provider = make_provider()
    council, former_council = make_council("Brook Council"), make_council("Ash Council")
    make_contract(provider, council, make_framework(council))
    db.session.commit()
    for period in ("2026-09", "2026-08"):
        save_document(FEEDBACK, council.id, period, "pdf", "f.pdf", b"%PDF", provider.id)
    # A report from a council it no longer has a contract with, and another provider's.
    save_document(FEEDBACK, former_council.id, "2026-09", "pdf", "f.pdf", b"%PDF", provider.id)
    save_document(FEEDBACK, council.id, "2026-09", "pdf", "f.pdf", b"%PDF", make_provider().id)
    save_document(FEEDBACK, council.id, "2026-09", "xlsx", "f.xlsx", b"PK", provider.id)

    found = jobs.provider_documents(provider.id, FEEDBACK, "pdf")
    assert [(d.period, name) for d, name in found] == [
        ("2026-09", "Brook Council"),
        ("2026-08", "Brook Council"),
    ]


def test_latest_job_per_key_is_the_newest_of_the_councils_own(app):
    council, other_council = make_council(), make_council()
    older = Job(kind="pack", key="pack:a", council_id=council.id, status=JOB_FAILED)
    newer = Job(kind="pack", key="pack:a", council_id=council.id, status=JOB_QUEUED)
    other = Job(kind="pack", key="pack:b", council_id=other_council.id, status=JOB_DONE)
    db.session.add_all([older, newer, other])
    db.session.commit()

    latest = jobs.latest_council_jobs(council.id, ["pack:a", "pack:b"])
    assert {key: job.id for key, job in latest.items()} == {"pack:a": newer.id}
    assert jobs.latest_job("pack:a").id == newer.id
    assert [j.id for j in jobs.recent_jobs(10)] == [other.id, newer.id, older.id]
    assert [j.id for j in jobs.recent_jobs(10, JOB_FAILED)] == [older.id]
    assert [j.id for j in jobs.recent_jobs(1)] == [other.id]


def test_meeting_actions_open_first_then_newest_meeting_and_only_the_councils(app):
    council, other_council = make_council(), make_council()
    provider = make_provider()
    user = make_user(Role.COMMISSIONER, council=council)

    def action(quarter: str, done: bool = False, of=council) -> MeetingAction:
        row = MeetingAction(
            council_id=of.id,
            provider_id=provider.id,
            quarter=quarter,
            text=f"Action {quarter}",
            done_on=date(2026, 11, 1) if done else None,
            recorded_by_id=user.id,
        )
        db.session.add(row)
        db.session.flush()
        return row

    done_recent = action("2026-Q3", done=True)
    open_old = action("2026-Q1")
    open_recent = action("2026-Q3")
    foreign = action("2026-Q3", of=other_council)
    db.session.commit()

    found = oversight.meeting_actions(council.id, provider.id)
    assert [a.id for a in found] == [open_recent.id, open_old.id, done_recent.id]
    assert oversight.council_action(council.id, open_old.id).id == open_old.id
    assert oversight.council_action(council.id, foreign.id) is None


def test_api_keys_in_use_first_newest_first_and_another_providers_key_is_not_found(app):
    provider, other = make_provider(), make_provider()
    manager = make_user(Role.PROVIDER_MANAGER, provider=provider, name="Mo Manager")
    first, _ = new_key(provider.id, "First", manager.id)
    revoked, _ = new_key(provider.id, "Revoked", manager.id)
    latest, _ = new_key(provider.id, "Latest", None)
    theirs, _ = new_key(other.id, "Theirs", None)
    now = utcnow()
    first.created_at = now - timedelta(days=3)
    revoked.created_at, revoked.revoked_at = now - timedelta(days=1), now
    latest.created_at = now - timedelta(days=2)
    db.session.commit()

    keys = accounts.provider_api_keys(provider.id)
    assert [k.name for k in keys] == ["Latest", "First", "Revoked"]
    assert accounts.provider_api_key(provider.id, theirs.id) is None
    assert accounts.provider_api_key(provider.id, first.id).id == first.id
    assert accounts.user_names({manager.id}) == {manager.id: "Mo Manager"}
    assert accounts.user_names(set()) == {}


def test_notifications_newest_first_and_only_the_users_own(app):
    user = make_user(Role.ADMIN)
    someone_else = make_user(Role.ADMIN)
    now = utcnow()
    for n, who in enumerate([user, user, someone_else, user]):
        db.session.add(
            Notification(
                user_id=who.id, kind="pack", title=f"N{n}", created_at=now + timedelta(minutes=n)
            )
        )
    db.session.commit()

    assert [n.title for n in accounts.latest_notifications(user.id, 10)] == ["N3", "N1", "N0"]
    assert [n.title for n in accounts.latest_notifications(user.id, 2)] == ["N3", "N1"]
