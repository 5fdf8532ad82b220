"""Fixtures shared by every tier."""

from __future__ import annotations

import contextlib
import os
import re
import socket
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest

from tests.factories import PASSWORD

CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/portal_test")
REDIS_URL = os.environ.get(
    "TEST_REDIS_URL", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
)

# Cheap argon2 in tests, except where a test asks for the real cost.
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024}


def base_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-to-be-safe",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": None,
        "MAIL_HOST": None,
        "SERVER_NAME": None,
        **FAST_HASHING,
    }
    config.update(overrides)
    return config


def service_missing(what: str) -> None:
    """Under CI a missing service fails the test; on a laptop it skips it."""
    message = f"{what} is not reachable"
    if CI:
        pytest.fail(message + " (CI=true: services are required)")
    pytest.skip(message)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _PageChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def check_page(html: str) -> str:
    """Every page: a meaningful title and no duplicate ids. Returns the title."""
    parser = _PageChecker()
    parser.feed(html)
    duplicates = {i for i in parser.ids if parser.ids.count(i) > 1}
    assert not duplicates, f"duplicate ids: {sorted(duplicates)}"
    escaped = re.search(r"&lt;/?(p|a|strong|span|br|ul|li)\b", html)
    assert not escaped, f"HTML shown as text near: {html[escaped.start() : escaped.end() + 80]}"
    title = " ".join(parser.title.split())
    assert title and not title.startswith("GOV.UK"), f"page has no title of its own: {title!r}"
    return title


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


class Inbox(list):
    """Messages received by a local SMTP server, oldest first."""

    port = 0

    def to(self, address: str) -> list:
        return [m for m in self if address in m["To"]]


@contextlib.contextmanager
def smtp_inbox() -> Iterator[Inbox]:
    """A real SMTP server (aiosmtpd) on a free port, collecting what it receives."""
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    received = Inbox()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    received.port = port
    try:
        yield received
    finally:
        controller.stop()


@pytest.fixture
def mail_server() -> Iterator[Inbox]:
    with smtp_inbox() as inbox:
        yield inbox


def mail_config(mail_server) -> dict:
    return {"MAIL_HOST": "127.0.0.1", "MAIL_PORT": mail_server.port}


def link_in(message, path_prefix: str) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"\S+)", body)
    assert match, f"no {path_prefix} link in: {body}"
    return match.group(1)


from flask.testing import FlaskClient  # noqa: E402


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (its own ``g`` and database session), as in
    production, even while the test itself holds an app context for its factories."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def shows(html: str, message: str) -> bool:
    """True when the page shows ``message`` (as the browser would read it)."""
    from markupsafe import escape

    return str(escape(message)) in html or message in html


# --- signing in, and a signed-in client per role ------------------------------------------


def sign_in(client, email: str, password: str = PASSWORD, next_path: str | None = None):
    """Sign in through the real form (with its CSRF token when CSRF is on)."""
    page = client.get("/sign-in")
    csrf_on = client.application.config.get("WTF_CSRF_ENABLED", True)
    token = csrf_token_from(page.get_data(as_text=True)) if csrf_on else ""
    url = "/sign-in" + (f"?next={next_path}" if next_path else "")
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post(url, data=data)


def get_page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.location)
    html = response.get_data(as_text=True)
    check_page(html)
    return html


def signed_in(app, user) -> FlaskClient:
    """A new client (its own cookies) signed in as ``user``."""
    client = app.test_client()
    response = sign_in(client, user.email)
    assert response.status_code == 302, f"{user.email} could not sign in"
    return client


@pytest.fixture
def contracted(app):
    """The common world (``tests.factories.Contracted``) on 23 November 2026: a council,
    its framework, a provider with a branch and a framework contract, the October 2026
    return, a user of every role, and another provider and council for tenancy tests."""
    from tests.factories import OPEN_ON, make_contracted

    app.config["TODAY"] = OPEN_ON.isoformat()
    return make_contracted()


@pytest.fixture
def provider_client(app, contracted):
    """The provider's submitter, signed in."""
    return signed_in(app, contracted.submitter)


@pytest.fixture
def provider_manager_client(app, contracted):
    return signed_in(app, contracted.manager)


@pytest.fixture
def commissioner_client(app, contracted):
    """A commissioner of the provider's council, signed in."""
    return signed_in(app, contracted.commissioner)


@pytest.fixture
def qa_client(app, contracted):
    return signed_in(app, contracted.qa)


@pytest.fixture
def forum_client(app, contracted):
    return signed_in(app, contracted.forum)


@pytest.fixture
def admin_client(app, contracted):
    return signed_in(app, contracted.admin)


@pytest.fixture
def other_provider_client(app, contracted):
    """A submitter of another provider (contracted with another council only)."""
    return signed_in(app, contracted.other_submitter)


@pytest.fixture
def other_council_client(app, contracted):
    """A commissioner of another council, with no contract with the provider."""
    return signed_in(app, contracted.other_commissioner)
