"""Provider managers invite and remove their own users."""

from sqlalchemy import select

from forms import messages
from portal.extensions import db
from portal.models import Membership, Role
from tests.conftest import csrf_token_from, link_in, mail_config, shows
from tests.factories import make_provider, make_user
from tests.unit.conftest import get_page, sign_in


def _invite(client, provider_id, **data):
    url = f"/provider/{provider_id}/users/invite"
    token = csrf_token_from(get_page(client, url))
    return client.post(url, data={"csrf_token": token, **data})


def test_manager_invites_a_colleague_who_sets_a_password(app, client, mail_server):
    app.config.update(mail_config(mail_server))
    provider = make_provider()
    manager = make_user(Role.PROVIDER_MANAGER, provider=provider)
    sign_in(client, manager.email)
    response = _invite(
        client, provider.id, name="Pat New", email="Pat.New@Example.org", role="provider-submitter"
    )
    assert response.status_code == 302
    assert "Pat New" in get_page(client, f"/provider/{provider.id}/users")
    path = link_in(mail_server[0], "/invitation/")

    newcomer = app.test_client()
    token = csrf_token_from(get_page(newcomer, path))
    done = newcomer.post(
        path,
        data={
            "password": "pats own passphrase",
            "confirm": "pats own passphrase",
            "csrf_token": token,
        },
    )
    assert done.status_code == 302
    assert "Your returns" in newcomer.get("/", follow_redirects=True).get_data(as_text=True)
    assert (
        sign_in(app.test_client(), "pat.new@example.org", "pats own passphrase").status_code == 302
    )


def test_invitation_errors_say_what_to_fix(app, client):
    provider = make_provider()
    manager = make_user(Role.PROVIDER_MANAGER, provider=provider)
    elsewhere = make_user(Role.PROVIDER_SUBMITTER, provider=make_provider())
    sign_in(client, manager.email)
    blank = _invite(client, provider.id, name="", email="not an email", role="")
    html = blank.get_data(as_text=True)
    assert blank.status_code == 400
    for message in (messages.NAME_REQUIRED, messages.EMAIL_INVALID, messages.ROLE_REQUIRED):
        assert shows(html, message)
    assert 'href="#name"' in html  # the error summary links to the field
    twice = _invite(client, provider.id, name="Me", email=manager.email, role="provider-manager")
    assert shows(twice.get_data(as_text=True), messages.USER_ALREADY_MEMBER)
    taken = _invite(client, provider.id, name="X", email=elsewhere.email, role="provider-manager")
    assert shows(taken.get_data(as_text=True), messages.USER_BELONGS_ELSEWHERE)
    assert (
        db.session.scalar(
            select(Membership).where(
                Membership.user_id == elsewhere.id, Membership.provider_id == provider.id
            )
        )
        is None
    )


def test_submitters_cannot_manage_users(app, client):
    provider = make_provider()
    submitter = make_user(Role.PROVIDER_SUBMITTER, provider=provider)
    sign_in(client, submitter.email)
    assert client.get(f"/provider/{provider.id}/users").status_code == 403


def test_manager_removes_a_colleague_whose_session_then_ends(app, client):
    provider = make_provider()
    manager = make_user(Role.PROVIDER_MANAGER, provider=provider, name="Morgan Manager")
    colleague = make_user(Role.PROVIDER_SUBMITTER, provider=provider, name="Tina Temp")
    colleague_client = app.test_client()
    sign_in(colleague_client, colleague.email)
    assert colleague_client.get(f"/provider/{provider.id}/returns").status_code == 200

    sign_in(client, manager.email)
    url = f"/provider/{provider.id}/users/{colleague.memberships[0].id}/remove"
    page = get_page(client, url)
    # The page names the person being removed, not the manager signed in.
    assert f"Remove {colleague.name}?" in page and colleague.email in page
    assert f"Remove {manager.name}" not in page and manager.email not in page
    token = csrf_token_from(page)
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    assert colleague_client.get(f"/provider/{provider.id}/returns").status_code == 302


def test_manager_cannot_remove_themself_or_another_providers_user(app, client):
    provider, other = make_provider(), make_provider()
    manager = make_user(Role.PROVIDER_MANAGER, provider=provider)
    outsider = make_user(Role.PROVIDER_SUBMITTER, provider=other)
    sign_in(client, manager.email)
    own = client.get(f"/provider/{provider.id}/users/{manager.memberships[0].id}/remove")
    assert own.status_code == 400 and shows(own.get_data(as_text=True), messages.CANNOT_REMOVE_SELF)
    assert (
        client.get(f"/provider/{provider.id}/users/{outsider.memberships[0].id}/remove").status_code
        == 404
    )
    assert (
        client.get(f"/provider/{other.id}/users/{outsider.memberships[0].id}/remove").status_code
        == 404
    )
