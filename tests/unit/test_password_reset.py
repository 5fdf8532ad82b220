"""Password reset by an emailed single-use link (sent through a real local SMTP server)."""

from datetime import timedelta

from sqlalchemy import update

from forms import messages
from portal.extensions import db
from portal.models import EmailToken, Role
from portal.timeutil import utcnow
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


def test_unknown_email_gets_the_same_page_and_no_mail(app, client, mail_server):
    app.config.update(mail_config(mail_server))
    response = _ask_for_reset(client, "nobody@example.org")
    assert response.status_code == 200
    assert "If nobody@example.org has an account" in response.get_data(as_text=True)
    assert len(mail_server) == 0


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
