"""On PostgreSQL: sign-in guesses cannot race past the limit, and a password reset takes
the same time whether or not the address has an account (issue 12).

A probe found 20 parallel wrong passwords all checked (limit 10), and a reset answering
in 14.4 ms for a known address against 6.3 ms for an unknown one.
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from forms import messages
from portal.auth import sign_in as sign_in_module
from portal.extensions import db
from portal.models import LoginThrottle, Role, SecurityEvent
from tests.conftest import csrf_token_from, mail_config
from tests.factories import PASSWORD, make_user

PARALLEL = 50


def test_fifty_parallel_wrong_passwords_are_counted_exactly(committed_app, monkeypatch):
    app = committed_app
    app.config.update(WTF_CSRF_ENABLED=False)
    limit = app.config["LOGIN_MAX_FAILURES"]
    user = make_user(Role.ADMIN)
    email = user.email
    checked = []
    real_verify = sign_in_module.verify_password

    def counting_verify(password_hash, password):  # the real argon2 check, counted
        checked.append(1)
        return real_verify(password_hash, password)

    monkeypatch.setattr(sign_in_module, "verify_password", counting_verify)
    barrier = threading.Barrier(PARALLEL)

    def guess(n: int) -> tuple[int, str]:
        client = app.test_client()  # each request has its own app context and session
        barrier.wait()
        response = client.post(
            "/sign-in", data={"email": email, "password": f"wrong password number {n}"}
        )
        return response.status_code, response.get_data(as_text=True)

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        results = list(pool.map(guess, range(PARALLEL)))

    assert {status for status, _ in results} == {400}
    counted = db.session.scalar(
        select(LoginThrottle.failures).where(LoginThrottle.key == f"email:{email}")
    )
    assert counted == PARALLEL
    assert len(checked) == limit  # only the first LOGIN_MAX_FAILURES reached argon2
    events = dict(
        db.session.execute(
            select(SecurityEvent.kind, func.count(SecurityEvent.id)).group_by(SecurityEvent.kind)
        ).all()
    )
    assert events == {"sign-in-failed": limit, "sign-in-refused-throttled": PARALLEL - limit}
    plain_failures = [html for _, html in results if messages.SIGN_IN_FAILED in html]
    assert len(plain_failures) == limit - 1  # the limit-th check already says "locked"
    # The account is locked now, even for the right password.
    right = app.test_client().post("/sign-in", data={"email": email, "password": PASSWORD})
    assert right.status_code == 400
    assert "too many attempts to sign in to this account" in right.get_data(as_text=True)


def _ask_for_reset(client, email: str) -> float:
    token = csrf_token_from(client.get("/password-reset").get_data(as_text=True))
    started = time.perf_counter()
    response = client.post("/password-reset", data={"email": email, "csrf_token": token})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return elapsed


def _median_times(client, known: str, unknown: str, rounds: int) -> tuple[float, float]:
    """Known and unknown requests interleaved, so load from elsewhere hits both alike."""
    known_times, unknown_times = [], []
    for _ in range(rounds):
        known_times.append(_ask_for_reset(client, known))
        unknown_times.append(_ask_for_reset(client, unknown))
    return statistics.median(known_times), statistics.median(unknown_times)


def test_reset_takes_the_same_time_for_known_and_unknown_addresses(app, client, mail_server):
    app.config.update(
        mail_config(mail_server),
        PASSWORD_RESET_MAX_PER_EMAIL=1000,
        PASSWORD_RESET_MAX_PER_CLIENT=1000,
    )
    user = make_user(Role.ADMIN)
    _median_times(client, user.email, "nobody@example.org", rounds=3)  # warm up
    # A real difference (the probe's 14.4 ms against 6.3 ms) shows in every measurement;
    # noise from other processes on a shared machine rarely does, so allow 3 tries.
    ratios = []
    for _ in range(3):
        known, unknown = _median_times(client, user.email, "nobody@example.org", rounds=15)
        ratios.append(unknown / known)
        if 0.8 <= ratios[-1] <= 1.2:
            break
    assert 0.8 <= ratios[-1] <= 1.2, ratios
    assert len(mail_server.to(user.email)) == len(mail_server.to("nobody@example.org"))
