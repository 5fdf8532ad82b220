"""Integration tier: the real PostgreSQL and Redis on this machine.

The schema comes from the Alembic migrations (so they are tested too). Each test runs
inside a transaction that is rolled back; tests about concurrency use ``committed_app``
and clean up after themselves. Under CI=true a missing service fails, never skips.
"""

from __future__ import annotations

from urllib.parse import urlparse

import psycopg
import pytest
from flask_sqlalchemy.session import _app_ctx_id
from redis import Redis
from sqlalchemy import text
from sqlalchemy.orm import scoped_session, sessionmaker

from portal.app import create_app
from portal.config import normalise_database_url
from portal.extensions import db
from tests.conftest import (
    PG_URL,
    REDIS_URL,
    FreshContextClient,
    base_config,
    port_open,
    service_missing,
)


def _admin_dsn(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres", scheme="postgresql").geturl()
    return admin, name


def recreate_database(url: str) -> None:
    admin, name = _admin_dsn(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="session")
def pg_url() -> str:
    parsed = urlparse(PG_URL)
    if not port_open(parsed.hostname or "127.0.0.1", parsed.port or 5432):
        service_missing(f"PostgreSQL at {parsed.hostname}:{parsed.port}")
    recreate_database(PG_URL)
    return normalise_database_url(PG_URL)


@pytest.fixture(scope="session")
def redis_url() -> str:
    parsed = urlparse(REDIS_URL)
    if not port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379):
        service_missing(f"Redis at {parsed.hostname}:{parsed.port}")
    return REDIS_URL


@pytest.fixture
def redis_db(redis_url):
    """An empty Redis database for the test, emptied again after it."""
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    yield redis_url
    connection.flushdb()


@pytest.fixture(scope="session")
def pg_app(pg_url):
    from flask_migrate import upgrade

    app = create_app(base_config(pg_url))
    app.test_client_class = FreshContextClient
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(autouse=True)
def _restore_config(request):
    """The app lives for the session: each test's config changes (REDIS_URL, TODAY...)
    are undone after it, so no test changes how the next one runs."""
    if "pg_app" not in request.fixturenames:
        yield
        return
    pg_app = request.getfixturevalue("pg_app")
    saved = dict(pg_app.config)
    yield
    pg_app.config.clear()
    pg_app.config.update(saved)


@pytest.fixture
def app(pg_app):
    """The app with every database change of the test rolled back afterwards."""
    with pg_app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        # One session per app context, as Flask-SQLAlchemy does, so each request of the
        # test client gets its own; all of them share the connection and its transaction.
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
        try:
            yield pg_app
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def committed_app(pg_app):
    """For tests that need real commits seen by other connections; tables emptied after."""
    with pg_app.app_context():
        yield pg_app
        db.session.remove()
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
