"""Sign-in limits per account and per network, and which client address is counted.

A probe found that the per-address lock locked everyone at that address out, with a
message about "this email address", and that behind a load balancer every client had
the balancer's address (issue 12).
"""

import re
from datetime import timedelta

from sqlalchemy import select, update

from forms import messages
from portal.app import create_app
from portal.clock import utcnow
from portal.extensions import db
from portal.models import LoginThrottle, Role, SecurityEvent
from tests.conftest import FreshContextClient, base_config, csrf_token_from
from tests.factories import PASSWORD, make_user
from tests.unit.conftest import sign_in


def _error_text(response) -> str:
    html = response.get_data(as_text=True)
    found = re.findall(r'class="govuk-error-message">\s*<span[^>]*>[^<]*</span>\s*([^<]+)<', html)
    return " ".join(" ".join(found).split())


def _busy_network(app, failures: int) -> None:
    """``failures`` wrong passwords from this client's address, for other accounts."""
    for n in range(failures):
        sign_in(app.test_client(), f"guess{n}@example.org", "a wrong password")


def test_busy_network_slows_a_known_account_for_at_most_a_minute(app):
    app.config.update(LOGIN_ADDRESS_MAX_FAILURES=5)
    user = make_user(Role.ADMIN)
    _busy_network(app, 5)
    client = app.test_client()
    # Over the network's limit, the first try for this account in a minute is checked...
    typo = sign_in(client, user.email, "a typo in the password")
    assert _error_text(typo) == messages.SIGN_IN_FAILED
    # ...the next one within the minute is not, and the message is about the network.
    right_too_soon = sign_in(client, user.email, PASSWORD)
    assert right_too_soon.status_code == 400
    assert _error_text(right_too_soon) == messages.SIGN_IN_SLOWED_NETWORK
    assert "your network" in _error_text(right_too_soon)
    assert "Wait 1 minute" in _error_text(right_too_soon)
    # A minute later the right password signs in, though the network is still busy.
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key.startswith("ip-email:"))
        .values(window_started_at=utcnow() - timedelta(seconds=61))
    )
    db.session.commit()
    assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_busy_network_does_not_stop_a_colleague_signing_in(app):
    app.config.update(LOGIN_ADDRESS_MAX_FAILURES=5)
    colleague = make_user(Role.ADMIN)
    _busy_network(app, 30)
    assert sign_in(app.test_client(), colleague.email, PASSWORD).status_code == 302


def test_account_lock_message_is_about_the_account_not_the_network(app):
    user = make_user(Role.ADMIN)
    for attempt in range(10):
        response = sign_in(app.test_client(), user.email, f"wrong password number {attempt}")
    locked = _error_text(response)
    assert locked == messages.SIGN_IN_LOCKED.format(minutes="15 minutes")
    assert "to this account" in locked and "network" not in locked
    right = sign_in(app.test_client(), user.email, PASSWORD)
    assert "too many attempts to sign in to this account" in _error_text(right)
    assert re.search(r"Wait 1[45] minutes", _error_text(right))
    # Others on the same network are not locked out by this account's lock.
    assert sign_in(app.test_client(), make_user(Role.ADMIN).email).status_code == 302


def test_a_successful_sign_in_clears_the_account_count(app):
    user = make_user(Role.ADMIN)
    for attempt in range(9):
        sign_in(app.test_client(), user.email, f"wrong password number {attempt}")
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 302
    key = f"email:{user.email}"
    assert db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == key)) is None
    wrong = sign_in(app.test_client(), user.email, "wrong again")
    assert _error_text(wrong) == messages.SIGN_IN_FAILED  # a fresh count, not a lock


def _counted_addresses() -> set[str]:
    keys = db.session.scalars(select(LoginThrottle.key).where(LoginThrottle.key.startswith("ip:")))
    return {key.removeprefix("ip:") for key in keys}


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(app):
    spoofed = {"X-Forwarded-For": "203.0.113.9"}
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").text)
    data = {"email": "a@example.org", "password": "x", "csrf_token": token}
    assert client.post("/sign-in", data=data, headers=spoofed).status_code == 400
    assert app.config["TRUSTED_PROXY_COUNT"] == 0
    assert _counted_addresses() == {"127.0.0.1"}


def test_with_one_trusted_proxy_the_address_it_saw_is_counted(tmp_path):
    app = create_app(
        base_config(
            f"sqlite:///{tmp_path / 'proxy.db'}", TRUSTED_PROXY_COUNT=1, WTF_CSRF_ENABLED=False
        )
    )
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        client = app.test_client()
        # The client made up the first address; our one proxy appended the real one.
        headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
        client.post("/sign-in", data={"email": "a@example.org", "password": "x"}, headers=headers)
        assert _counted_addresses() == {"203.0.113.9"}
        event = db.session.scalar(
            select(SecurityEvent).where(SecurityEvent.kind == "sign-in-failed")
        )
        assert event.ip_address == "203.0.113.9"
        db.session.remove()
