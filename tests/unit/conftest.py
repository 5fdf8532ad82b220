"""Unit tier: the app on a throw-away SQLite file; no services needed."""

from __future__ import annotations

import shutil

import pytest

from portal.app import create_app
from portal.extensions import db
from tests.conftest import FreshContextClient, base_config, get_page, sign_in

__all__ = ["get_page", "sign_in"]  # kept importable from here for the tests that do


@pytest.fixture(scope="session")
def schema_file(tmp_path_factory):
    """An empty database with every table, made once: each test copies the file, which
    takes a millisecond where creating the tables again takes 150."""
    path = tmp_path_factory.mktemp("schema") / "empty.db"
    app = create_app(base_config(f"sqlite:///{path}"))
    with app.app_context():
        db.create_all()
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture
def app(tmp_path, schema_file):
    shutil.copyfile(schema_file, tmp_path / "unit.db")
    app = create_app(base_config(f"sqlite:///{tmp_path / 'unit.db'}"))
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()
