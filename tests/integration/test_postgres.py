"""On PostgreSQL: migrations agree with the models, counters and links are race-safe,
demo data loads once, and the core sign-in journeys behave as on SQLite."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from portal.auth import email_tokens, throttle
from portal.extensions import db
from portal.models import Contract, Council, Provider, Role, User
from portal.models.trigger_enforced import include_object
from tests.factories import make_provider, make_user
from tests.unit.conftest import sign_in


def test_latest_migration_matches_the_models(app):
    # Save the foreign keys PostgreSQL checks with triggers (ADR 0024; tested below).
    options = {"include_object": include_object("postgresql")}
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts=options), db.metadata)
    assert diff == []


def test_failure_counter_counts_every_concurrent_failure(committed_app):
    app = committed_app
    key = throttle.email_key("race@example.org")
    barrier = threading.Barrier(8)

    def fail_five_times(_):
        with app.app_context():
            barrier.wait()
            for _ in range(5):
                throttle.record_failure(key, max_failures=1000)
            db.session.remove()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(fail_five_times, range(8)))
    from portal.models import LoginThrottle

    assert db.session.scalar(select(LoginThrottle.failures).where(LoginThrottle.key == key)) == 40


def test_concurrent_failures_lock_at_exactly_the_limit(committed_app):
    app = committed_app
    key = throttle.email_key("lock-race@example.org")
    barrier = threading.Barrier(12)

    def fail(_):
        with app.app_context():
            barrier.wait()
            count = throttle.record_failure(key, max_failures=10)
            db.session.remove()
            return count

    with ThreadPoolExecutor(max_workers=12) as pool:
        counts = sorted(pool.map(fail, range(12)))
    assert counts == list(range(1, 13))  # every failure got its own number
    with app.app_context():
        assert throttle.locked_until(key) is not None


def test_a_reset_link_used_twice_at_once_works_once(committed_app):
    app = committed_app
    user = make_user(Role.ADMIN)
    token = email_tokens.issue(user, "reset")
    db.session.commit()
    barrier = threading.Barrier(6)

    def use(_):
        with app.app_context():
            record = email_tokens.find_usable(token, "reset")
            barrier.wait()
            ok = record is not None and email_tokens.consume(record)
            db.session.commit()
            db.session.remove()
            return ok

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(use, range(6)))
    assert results.count(True) == 1


def test_seed_demo_twice_changes_nothing(app):
    from portal.demo.seed import load_demo

    first = load_demo()
    counts = (
        db.session.scalar(select(func.count(Council.id))),
        db.session.scalar(select(func.count(Provider.id))),
        db.session.scalar(select(func.count(Contract.id))),
        db.session.scalar(select(func.count(User.id))),
    )
    hashes = dict(db.session.execute(select(User.email, User.password_hash)).all())
    second = load_demo()
    assert first.created > 0 and second.created == 0
    assert counts == (
        db.session.scalar(select(func.count(Council.id))),
        db.session.scalar(select(func.count(Provider.id))),
        db.session.scalar(select(func.count(Contract.id))),
        db.session.scalar(select(func.count(User.id))),
    )
    assert hashes == dict(db.session.execute(select(User.email, User.password_hash)).all())


def test_sign_in_sign_out_and_replay_on_postgres(app, client):
    provider = make_provider()
    user = make_user(Role.PROVIDER_MANAGER, provider=provider)
    assert sign_in(client, user.email).status_code == 302
    assert client.get(f"/provider/{provider.id}/returns").status_code == 200
    cookie = client.get_cookie("portal_session").value
    page = client.get(f"/provider/{provider.id}/users").get_data(as_text=True)
    from tests.conftest import csrf_token_from

    client.post("/sign-out", data={"csrf_token": csrf_token_from(page)})
    client.set_cookie("portal_session", cookie)
    assert client.get(f"/provider/{provider.id}/returns").status_code == 302


def test_other_providers_pages_are_not_found(app, client):
    own, other = make_provider(), make_provider()
    user = make_user(Role.PROVIDER_MANAGER, provider=own)
    sign_in(client, user.email)
    for url in (f"/provider/{other.id}/returns", f"/provider/{other.id}/users"):
        assert client.get(url).status_code == 404
