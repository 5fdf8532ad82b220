"""Signing in: the same answer for unknown emails, throttling, sessions, cookies."""

import re
import statistics
import time
from datetime import timedelta

from sqlalchemy import select, update

from forms import messages
from portal.clock import utcnow
from portal.extensions import db
from portal.models import LoginThrottle, Role, UserSession
from tests.conftest import check_page, csrf_token_from
from tests.factories import PASSWORD, make_provider, make_user
from tests.unit.conftest import get_page, sign_in


def _error_text(response) -> str:
    html = response.get_data(as_text=True)
    return " ".join(
        re.findall(r'class="govuk-error-message">\s*<span[^>]*>[^<]*</span>\s*([^<]+)<', html)
    )


def _main(response) -> str:
    html = response.get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'value="[^"]*"', "", main)  # the CSRF token differs between requests


def test_correct_password_signs_in_and_lands_home(app, client):
    provider = make_provider()
    user = make_user(Role.PROVIDER_SUBMITTER, provider=provider)
    response = sign_in(client, user.email)
    assert response.status_code == 302
    home = client.get("/", follow_redirects=True)
    html = home.get_data(as_text=True)
    assert '<h1 class="govuk-heading-l">Your returns</h1>' in html
    assert provider.name in html  # the user's organisation is in the header
    check_page(html)


def test_email_is_case_insensitive(app, client):
    user = make_user(Role.ADMIN)
    assert sign_in(client, user.email.upper()).status_code == 302


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(app, client):
    user = make_user(Role.ADMIN)
    wrong_password = sign_in(client, user.email, "not the password at all")
    unknown = sign_in(client, "nobody@example.org", "not the password at all")
    assert wrong_password.status_code == unknown.status_code == 400
    assert messages.SIGN_IN_FAILED in _error_text(wrong_password)
    assert _main(wrong_password).replace(user.email, "EMAIL") == _main(unknown).replace(
        "nobody@example.org", "EMAIL"
    )


def test_unknown_email_takes_about_as_long_as_a_wrong_password(app, client):
    # Real argon2 cost: without the dummy hash an unknown email answers many times faster.
    app.config.update(ARGON2_TIME_COST=3, ARGON2_MEMORY_COST=65536)
    user = make_user(Role.ADMIN)

    def timed(email):
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            sign_in(client, email, "not the password at all")
            samples.append(time.perf_counter() - started)
        return statistics.median(samples)

    known, unknown = timed(user.email), timed("nobody@example.org")
    assert 0.5 < unknown / known < 2.0, (known, unknown)


def test_tenth_failure_locks_the_account_even_for_the_right_password(app, client):
    user = make_user(Role.ADMIN)
    for attempt in range(1, 10):
        response = sign_in(client, user.email, f"wrong password number {attempt}")
        assert messages.SIGN_IN_FAILED in _error_text(response)
    tenth = sign_in(client, user.email, "wrong password number 10")
    assert "too many attempts" in _error_text(tenth)
    right = sign_in(client, user.email, PASSWORD)
    assert right.status_code == 400
    assert "too many attempts" in _error_text(right)
    assert client.get("/admin").status_code == 302  # still not signed in


def test_lock_ends_after_its_time_and_failures_outside_the_window_do_not_count(app, client):
    user = make_user(Role.ADMIN)
    for attempt in range(10):
        sign_in(client, user.email, f"wrong password number {attempt}")
    past = utcnow() - timedelta(minutes=16)
    db.session.execute(
        update(LoginThrottle).values(
            locked_until=past, window_started_at=past - timedelta(minutes=5)
        )
    )
    db.session.commit()
    assert sign_in(client, user.email, "still the wrong password").status_code == 400
    failures = db.session.scalar(
        select(LoginThrottle.failures).where(LoginThrottle.key == f"email:{user.email}")
    )
    assert failures == 1  # a new window started
    assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_unknown_emails_are_locked_too(app, client):
    for attempt in range(10):
        sign_in(client, "nobody@example.org", f"guess number {attempt}")
    assert "too many attempts" in _error_text(sign_in(client, "nobody@example.org", "guess 11"))


def test_sign_in_makes_a_new_session(app, client):
    user = make_user(Role.ADMIN)
    sign_in(client, user.email)
    first = client.get_cookie("portal_session").value
    client.post("/sign-out", data={"csrf_token": csrf_token_from(get_page(client, "/admin"))})
    sign_in(client, user.email)
    second = client.get_cookie("portal_session").value
    tokens = db.session.scalars(select(UserSession.token_hash).order_by(UserSession.id)).all()
    assert len(set(tokens)) == 2
    assert first != second


def test_cookie_from_before_sign_in_is_not_signed_in(app, client):
    user = make_user(Role.ADMIN)
    client.get("/sign-in")
    before = client.get_cookie("portal_session").value
    sign_in(client, user.email)
    after = client.get_cookie("portal_session").value
    assert before != after
    client.set_cookie("portal_session", before)
    assert client.get("/admin").status_code == 302


def test_sign_out_ends_the_session_on_the_server(app, client):
    user = make_user(Role.ADMIN)
    sign_in(client, user.email)
    stolen = client.get_cookie("portal_session").value
    token = csrf_token_from(get_page(client, "/admin"))
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    client.set_cookie("portal_session", stolen)  # replay the cookie from before sign-out
    response = client.get("/admin")
    assert response.status_code == 302 and response.location.startswith("/sign-in")


def test_idle_for_30_minutes_signs_out(app, client):
    user = make_user(Role.ADMIN)
    sign_in(client, user.email)
    assert client.get("/admin").status_code == 200
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db.session.commit()
    response = client.get("/admin", follow_redirects=True)
    assert "because you had not done anything for 30 minutes" in response.get_data(as_text=True)


def test_active_for_29_minutes_keeps_the_session(app, client):
    user = make_user(Role.ADMIN)
    sign_in(client, user.email)
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
    db.session.commit()
    assert client.get("/admin").status_code == 200


def test_twelve_hours_after_sign_in_signs_out_even_when_active(app, client):
    user = make_user(Role.ADMIN)
    sign_in(client, user.email)
    db.session.execute(
        update(UserSession).values(created_at=utcnow() - timedelta(hours=12, minutes=1))
    )
    db.session.commit()
    response = client.get("/admin", follow_redirects=True)
    assert "because you had been signed in for 12 hours" in response.get_data(as_text=True)


def test_session_cookie_is_secure_httponly_samesite(app, client):
    user = make_user(Role.ADMIN)
    response = sign_in(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_next_only_goes_to_paths_on_this_site(app, client):
    user = make_user(Role.ADMIN)
    assert sign_in(client, user.email, next_path="//evil.example/x").location == "/"
    client2 = app.test_client()
    assert sign_in(client2, user.email, next_path="/accessibility").location == "/accessibility"
