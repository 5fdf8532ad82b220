"""Password reset by an emailed single-use link (sent through a real local SMTP server)."""

import re
from datetime import timedelta

from sqlalchemy import update

from forms import messages
from portal.clock import utcnow
from portal.extensions import db
from portal.models import EmailToken, LoginThrottle, Role
from tests.conftest import csrf_token_from, link_in, mail_config
from tests.factories import PASSWORD, make_user
from tests.unit.conftest import get_page, sign_in

NEW_PASSWORD = "a brand new passphrase"


def _ask_for_reset(client, email):
    token = csrf_token_from(get_page(client, "/password-reset"))
    return client.post("/password-reset", data={"email": email, "csrf_token": token})


def _choose(client, path, password, confirm=None):
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(
        path, data={"password": password, "confirm": confirm or password, "csrf_token": token}
    )


def test_reset_link_by_email_works_once(app, client, mail_server):
    app.config.update(mail_config(mail_server))
    user = make_user(Role.ADMIN)
    response = _ask_for_reset(client, user.email)
    assert "Check your email" in response.get_data(as_text=True)
    assert len(mail_server) == 1 and mail_server[0]["To"] == user.email
    path = link_in(mail_server[0], "/password-reset/")

    too_short = _choose(client, path, "short")
    assert too_short.status_code == 400
    assert messages.PASSWORD_TOO_SHORT in too_short.get_data(as_text=True)
    assert _choose(client, path, NEW_PASSWORD).status_code == 302

    assert sign_in(client, user.email, PASSWORD).status_code == 400
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    again = client.get(path)
    assert again.status_code == 400 and "This link has expired" in again.get_data(as_text=True)


def test_reset_link_expires_after_an_hour(app, client, mail_server):
    app.config.update(mail_config(mail_server))
    user = make_user(Role.ADMIN)
    _ask_for_reset(client, user.email)
    path = link_in(mail_server[0], "/password-reset/")
    db.session.execute(update(EmailToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert "This link has expired" in client.get(path).get_data(as_text=True)


def _main(response) -> str:
    html = response.get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'value="[^"]*"', "", main)  # the CSRF token differs between requests


def test_unknown_email_gets_the_same_page_and_an_email_saying_there_is_no_account(
    app, client, mail_server
):
    # Changed in issue 12: an unknown address now gets an e-mail too (the same work on
    # both paths, so the answer takes the same time), but never a reset link.
    app.config.update(mail_config(mail_server))
    user = make_user(Role.ADMIN)
    known = _ask_for_reset(client, user.email)
    response = _ask_for_reset(client, "nobody@example.org")
    assert response.status_code == known.status_code == 200
    assert "We are sending an email to nobody@example.org" in response.get_data(as_text=True)
    assert _main(response).replace("nobody@example.org", "EMAIL") == _main(known).replace(
        user.email, "EMAIL"
    )
    (message,) = mail_server.to("nobody@example.org")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "there is no account with this email address" in body
    assert "ask a manager at your organisation to invite you" in body
    assert "/password-reset/" not in body  # no reset link


def test_fourth_request_in_15_minutes_sends_no_email_and_shows_the_same_page(
    app, client, mail_server
):
    app.config.update(mail_config(mail_server))
    user = make_user(Role.ADMIN)
    first = _ask_for_reset(client, user.email)
    for _ in range(2):
        _ask_for_reset(client, user.email)
    assert len(mail_server) == 3
    fourth = _ask_for_reset(client, user.email)
    assert fourth.status_code == 200
    assert _main(fourth) == _main(first)
    assert len(mail_server) == 3  # no fourth e-mail
    # The limit is per address: another address still gets its e-mail.
    _ask_for_reset(client, "nobody@example.org")
    assert len(mail_server) == 4
    # After the window, the address gets e-mails again.
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == f"reset-email:{user.email}")
        .values(window_started_at=utcnow() - timedelta(minutes=16))
    )
    db.session.commit()
    _ask_for_reset(client, user.email)
    assert len(mail_server.to(user.email)) == 4


def test_one_client_asking_for_many_addresses_is_limited(app, client, mail_server):
    app.config.update(mail_config(mail_server), PASSWORD_RESET_MAX_PER_CLIENT=5)
    for n in range(7):
        response = _ask_for_reset(client, f"someone{n}@example.org")
        assert response.status_code == 200
        assert f"We are sending an email to someone{n}@example.org" in response.get_data(
            as_text=True
        )
    assert len(mail_server) == 5


def test_resetting_the_password_lifts_a_sign_in_lock(app, client, mail_server):
    app.config.update(mail_config(mail_server))
    user = make_user(Role.ADMIN)
    for attempt in range(10):
        sign_in(app.test_client(), user.email, f"wrong password number {attempt}")
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 400  # locked
    _ask_for_reset(client, user.email)
    _choose(client, link_in(mail_server[0], "/password-reset/"), NEW_PASSWORD)
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_reset_signs_out_other_sessions(app, client, mail_server):
    app.config.update(mail_config(mail_server))
    user = make_user(Role.ADMIN)
    elsewhere = app.test_client()
    sign_in(elsewhere, user.email)
    assert elsewhere.get("/admin").status_code == 200
    _ask_for_reset(client, user.email)
    _choose(client, link_in(mail_server[0], "/password-reset/"), NEW_PASSWORD)
    assert elsewhere.get("/admin").status_code == 302


def test_a_newer_link_replaces_an_older_one(app, client, mail_server):
    app.config.update(mail_config(mail_server))
    user = make_user(Role.ADMIN)
    _ask_for_reset(client, user.email)
    _ask_for_reset(client, user.email)
    first, second = (link_in(m, "/password-reset/") for m in mail_server)
    assert "This link has expired" in client.get(first).get_data(as_text=True)
    assert client.get(second).status_code == 200


def test_mail_server_down_is_not_a_500(app, client):
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    user = make_user(Role.ADMIN)
    assert _ask_for_reset(client, user.email).status_code == 200


def test_reset_request_only_writes_a_job_and_the_job_sends_the_right_email(app, mail_server):
    """With the queue unreachable the request still answers, and known and unknown
    addresses leave the same trace: one queued job naming the address, no link token (the
    raw token is never stored in a job row). Running the jobs sends the two e-mails."""
    from portal.background.jobs import run_job
    from portal.models import Job

    app.config.update(mail_config(mail_server), REDIS_URL="redis://127.0.0.1:1/0")
    user = make_user(Role.ADMIN)
    for address in (user.email, "nobody@example.org"):
        response = _ask_for_reset(app.test_client(), address)
        assert "Check your email" in response.get_data(as_text=True)
    queued = db.session.scalars(db.select(Job).order_by(Job.id)).all()
    assert [(j.kind, j.status, j.params) for j in queued] == [
        ("reset_email", "queued", {"email": user.email}),
        ("reset_email", "queued", {"email": "nobody@example.org"}),
    ]
    assert db.session.scalar(db.select(db.func.count(EmailToken.id))) == 0
    assert len(mail_server) == 0

    app.config["REDIS_URL"] = None
    for job in queued:
        assert run_job(job.id) == "done"
    assert [m["To"] for m in mail_server] == [user.email, "nobody@example.org"]
    assert "/password-reset/" in link_in(mail_server[0], "/password-reset/")
    assert "no account" in mail_server[1].get_body().get_content().lower()
