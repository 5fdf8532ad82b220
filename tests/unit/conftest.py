"""Unit tier: the app on a throw-away SQLite file; no services needed."""

from __future__ import annotations

import pytest

from portal.app import create_app
from portal.extensions import db
from tests.conftest import FreshContextClient, base_config, get_page, sign_in

__all__ = ["get_page", "sign_in"]  # kept importable from here for the tests that do


@pytest.fixture
def app(tmp_path):
    app = create_app(base_config(f"sqlite:///{tmp_path / 'unit.db'}"))
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()
