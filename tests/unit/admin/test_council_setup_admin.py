"""The administrator adds a council, invites its first commissioner, suspends and
re-enables users, and reads every change on the audit page."""

from datetime import date

from sqlalchemy import select

from forms import messages
from portal.extensions import db
from portal.models import ChangeRecord, Council, Role, User
from tests.conftest import csrf_token_from, link_in, mail_config, shows
from tests.factories import make_council, make_provider, make_user
from tests.unit.conftest import get_page, sign_in


def _post(client, url, **data):
    token = csrf_token_from(get_page(client, url))
    return client.post(url, data={"csrf_token": token, **data})


def _admin(client):
    admin = make_user(Role.ADMIN, name="Ada Admin")
    sign_in(client, admin.email)
    return admin


def test_admin_adds_a_council_and_its_commissioner_accepts(app, client, mail_server):
    app.config.update(mail_config(mail_server))
    _admin(client)
    added = _post(
        client,
        "/admin/councils/new",
        name="Medway Council",
        go_live_month="April 2027",
        due_working_day="8",
        lock_days="15",
    )
    assert added.status_code == 302
    council = db.session.scalar(select(Council).where(Council.name == "Medway Council"))
    assert (council.go_live_month, council.due_working_day, council.lock_days) == (
        date(2027, 4, 1),
        8,
        15,
    )
    page = get_page(client, added.location)
    assert "April 2027" in page and "Nobody can use the portal" in page

    invited = _post(
        client,
        f"/admin/councils/{council.id}/invite",
        name="Cam Commissioner",
        email="Cam@Medway.example",
        council_admin="y",
    )
    assert invited.status_code == 302
    assert "Cam Commissioner" in get_page(client, added.location)
    message = mail_server[0]
    assert "set up and review contract returns for Medway Council" in message.get_content()
    path = link_in(message, "/invitation/")
    newcomer = app.test_client()
    token = csrf_token_from(get_page(newcomer, path))
    done = newcomer.post(
        path,
        data={
            "password": "cams own passphrase",
            "confirm": "cams own passphrase",
            "csrf_token": token,
        },
    )
    assert done.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "cam@medway.example"))
    membership = user.memberships[0]
    assert membership.role is Role.COMMISSIONER and membership.council_admin
    # The link is single use.
    used = app.test_client().get(path)
    assert used.status_code == 400 and "This link has expired" in used.get_data(as_text=True)


def test_council_form_says_what_to_fix_and_adds_nothing(app, client):
    make_council("Kent County Council")
    db.session.commit()
    _admin(client)
    bad = _post(
        client,
        "/admin/councils/new",
        name="",
        go_live_month="Smarch 2027",
        due_working_day="40",
        lock_days="",
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    for text in (
        messages.COUNCIL_NAME_REQUIRED,
        messages.MONTH_INVALID.format(subject="go-live month"),
        messages.DUE_DAY_RANGE,
        messages.LOCK_DAYS_REQUIRED,
    ):
        assert shows(html, text), text
    taken = _post(
        client,
        "/admin/councils/new",
        name="kent county council",
        go_live_month="4/2027",
        due_working_day="10",
        lock_days="20",
    )
    assert shows(taken.get_data(as_text=True), messages.COUNCIL_NAME_TAKEN)
    assert db.session.scalar(select(db.func.count(Council.id))) == 1


def test_admin_suspends_and_re_enables_a_user_and_both_are_audited(app, client):
    admin = _admin(client)
    provider = make_provider("Acme Care")
    person = make_user(Role.PROVIDER_MANAGER, provider=provider, email="pat@acme.example")
    theirs = app.test_client()
    assert sign_in(theirs, person.email).status_code == 302
    assert "Pat" in get_page(client, "/admin/users") or "pat@acme.example" in get_page(
        client, "/admin/users"
    )
    assert _post(client, "/admin/users", submit="x").status_code == 405
    token = csrf_token_from(get_page(client, "/admin/users"))
    done = client.post(f"/admin/users/{person.id}/suspend", data={"csrf_token": token})
    assert done.status_code == 302
    # Their open session has ended and they cannot sign in again.
    assert theirs.get(f"/provider/{provider.id}/users").status_code == 302
    assert sign_in(app.test_client(), person.email).status_code != 302
    assert "Suspended" in get_page(client, "/admin/users")
    client.post(f"/admin/users/{person.id}/re-enable", data={"csrf_token": token})
    assert sign_in(app.test_client(), person.email).status_code == 302
    # An administrator cannot suspend themself.
    client.post(f"/admin/users/{admin.id}/suspend", data={"csrf_token": token})
    assert db.session.get(User, admin.id).active

    audit = get_page(client, "/admin/audit")
    assert "Suspended pat@acme.example" in audit and "Re-enabled pat@acme.example" in audit
    assert "Can sign in: Yes" in audit and "Can sign in: No" in audit
    assert "Ada Admin" in audit
    actions = db.session.scalars(select(ChangeRecord.action).order_by(ChangeRecord.id)).all()
    assert actions == ["suspended", "re-enabled"]


def test_audit_page_filters_by_council_kind_and_person(app, client):
    _admin(client)
    for name in ("Alpha Council", "Beta Council"):
        _post(
            client,
            "/admin/councils/new",
            name=name,
            go_live_month="Apr 2027",
            due_working_day="10",
            lock_days="20",
        )
    alpha = db.session.scalar(select(Council).where(Council.name == "Alpha Council"))
    everything = get_page(client, "/admin/audit")
    assert "Added council Alpha Council" in everything
    assert "Added council Beta Council" in everything
    only_alpha = get_page(client, f"/admin/audit?council={alpha.id}")
    assert "Alpha Council" in only_alpha and "Added council Beta Council" not in only_alpha
    assert "No changes match" in get_page(client, "/admin/audit?entity=contract")
    assert "No changes match" in get_page(client, "/admin/audit?who=nobody-like-this")
    assert "Added council Beta" in get_page(client, "/admin/audit?who=ada")
    assert "No changes match" in get_page(client, "/admin/audit?since=1/1/2099")


def test_resending_an_invitation_voids_the_first_link(app, client, mail_server):
    app.config.update(mail_config(mail_server))
    _admin(client)
    council = make_council("Gamma Council")
    db.session.commit()
    _post(client, f"/admin/councils/{council.id}/invite", name="Gil", email="gil@gamma.example")
    first = link_in(mail_server[0], "/invitation/")
    user = db.session.scalar(select(User).where(User.email == "gil@gamma.example"))
    token = csrf_token_from(get_page(client, "/admin/users"))
    assert (
        client.post(
            f"/admin/users/{user.id}/resend-invitation", data={"csrf_token": token}
        ).status_code
        == 302
    )
    second = link_in(mail_server[1], "/invitation/")
    assert first != second
    assert app.test_client().get(first).status_code == 400
    assert app.test_client().get(second).status_code == 200
    assert not user.memberships[0].council_admin  # the box was not ticked
