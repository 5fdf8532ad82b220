"""Configuration from the environment, migrations on SQLite, and the CLI commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from portal.app import create_app
from portal.config import ConfigError, from_environment, normalise_database_url
from portal.extensions import db
from portal.models import Role, User
from tests.factories import make_council, make_provider
from tests.unit.conftest import sign_in

REPO = Path(__file__).resolve().parents[2]


def test_production_needs_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        from_environment(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="at least 32"):
        from_environment(str(tmp_path))


def test_local_secret_key_is_made_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = from_environment(str(tmp_path))["SECRET_KEY"]
    assert len(first) >= 32
    assert from_environment(str(tmp_path))["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_defaults_are_sqlite_in_instance_and_in_process_jobs(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "REDIS_URL", "MAIL_HOST"):
        monkeypatch.delenv(name, raising=False)
    config = from_environment(str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.db'}"
    assert config["REDIS_URL"] is None and config["MAIL_HOST"] is None
    assert config["MAX_CONTENT_LENGTH"] == 41 * 1024 * 1024  # two 20MB files and the form
    assert normalise_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"


def test_importing_the_package_creates_nothing(tmp_path):
    code = "import portal, portal.models, workers.queue"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_migrations_build_the_models_schema_on_sqlite(tmp_path):
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}", "TESTING": True})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []


def test_create_user_command(app, monkeypatch):
    council = make_council("Sheffield City Council")
    db.session.commit()
    runner = app.test_cli_runner()
    monkeypatch.setenv("PORTAL_PASSWORD", "a perfectly fine passphrase")
    result = runner.invoke(
        args=["create-user", "Com@Example.org", "--role", "commissioner", "--council", council.name]
    )
    assert result.exit_code == 0, result.output
    assert "Created com@example.org as Commissioner at Sheffield City Council" in result.output
    user = db.session.scalar(select(User).where(User.email == "com@example.org"))
    assert user.memberships[0].role is Role.COMMISSIONER
    assert (
        sign_in(app.test_client(), "com@example.org", "a perfectly fine passphrase").status_code
        == 302
    )


@pytest.mark.parametrize(
    ("args", "password", "error"),
    [
        (["--role", "commissioner"], "a perfectly fine passphrase", "--council is needed"),
        (
            ["--role", "provider-manager", "--provider", "Nobody Ltd"],
            "a perfectly fine passphrase",
            "no provider called",
        ),
        (["--role", "admin"], "short", "10 characters or more"),
        (
            ["--role", "admin"],
            "Sheffield City Council",
            "do not use the name of this service or a council",
        ),
    ],
)
def test_create_user_refuses_bad_input(app, monkeypatch, args, password, error):
    make_council("Sheffield City Council")
    make_provider()
    db.session.commit()
    monkeypatch.setenv("PORTAL_PASSWORD", password)
    result = app.test_cli_runner().invoke(args=["create-user", "x@example.org", *args])
    assert result.exit_code != 0
    assert error in result.output
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None
