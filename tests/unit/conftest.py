"""Unit tier: the app on a throw-away SQLite file; no services needed."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.extensions import db
from tests.conftest import FreshContextClient, base_config, check_page, csrf_token_from
from tests.factories import PASSWORD


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


def sign_in(client, email: str, password: str = PASSWORD, next_path: str | None = None):
    page = client.get("/sign-in")
    csrf_on = client.application.config.get("WTF_CSRF_ENABLED", True)
    token = csrf_token_from(page.get_data(as_text=True)) if csrf_on else ""
    url = "/sign-in" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def get_page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.location)
    html = response.get_data(as_text=True)
    check_page(html)
    return html
