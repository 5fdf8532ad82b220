"""Notifications in the portal, email choices per kind, and the reminder ladder."""

from __future__ import annotations

from datetime import date, timedelta

from portal.extensions import db
from portal.models import (
    Council,
    Notification,
    NotificationPreference,
    ReminderSent,
    ReturnStatus,
    Role,
)
from portal.notifications import notify
from tests.conftest import csrf_token_from, mail_config
from tests.factories import make_user, open_return
from tests.unit.conftest import get_page, sign_in
from workers.reminders import main, send_reminders

DUE = date(2026, 11, 13)  # the October 2026 return of open_return()
STAGE_DAYS = {
    DUE - timedelta(days=5): {"due-5"},
    DUE - timedelta(days=1): {"due-1"},
    DUE: {"due-0"},
    DUE + timedelta(days=1): {"overdue-1"},
    DUE + timedelta(days=7): {"overdue-7", "commissioner-7"},
}


def _world():
    ret = open_return()
    council = db.session.get(Council, ret.contract.council_id)
    provider = ret.contract.provider
    submitter = make_user(Role.PROVIDER_SUBMITTER, provider=provider, email="sub@prov.example")
    invited = make_user(Role.PROVIDER_MANAGER, provider=provider, password=None)
    commissioner = make_user(Role.COMMISSIONER, council=council, email="com@council.example")
    make_user(Role.QA_OFFICER, council=council, email="qa@council.example")
    return ret, submitter, invited, commissioner


def _stages(return_id: int) -> list[tuple[str, int]]:
    return sorted(
        db.session.execute(
            db.select(ReminderSent.stage, ReminderSent.user_id).where(
                ReminderSent.return_id == return_id
            )
        ).all()
    )


def test_each_stage_fires_on_its_day_and_only_then(app, mail_server):
    app.config.update(mail_config(mail_server))
    ret, submitter, invited, commissioner = _world()
    day = date(2026, 11, 1)
    while day <= date(2026, 11, 30):
        before = {s for s, _ in _stages(ret.id)}
        sent = send_reminders(day)
        new = {s for s, _ in _stages(ret.id)} - before
        assert new == STAGE_DAYS.get(day, set()), day
        assert sent == len(STAGE_DAYS.get(day, ())), day
        day += timedelta(days=1)
    # The provider user with a password got five; the invited user (no password) none;
    # the commissioner only the +7 notice; the QA officer nothing.
    assert [s for s, u in _stages(ret.id) if u == submitter.id] == sorted(
        ["due-5", "due-1", "due-0", "overdue-1", "overdue-7"]
    )
    assert [s for s, u in _stages(ret.id) if u == commissioner.id] == ["commissioner-7"]
    assert not [s for s, u in _stages(ret.id) if u == invited.id]
    assert len(mail_server.to("sub@prov.example")) == 5
    assert len(mail_server.to("qa@council.example")) == 0
    [told] = mail_server.to("com@council.example")
    assert "7 days overdue" in told["Subject"] and ret.contract.provider.name in told["Subject"]
    assert "due in 5 days" in mail_server.to("sub@prov.example")[0]["Subject"]


def test_running_twice_on_the_same_day_sends_each_reminder_once(app, mail_server):
    app.config.update(mail_config(mail_server))
    ret, submitter, _, commissioner = _world()
    day = DUE + timedelta(days=7)
    assert send_reminders(day) == 2
    assert send_reminders(day) == 0
    assert main(["--date", day.isoformat()]) == 0  # the command line, as after a restart
    assert len(mail_server) == 2
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 2


def test_submitted_returns_get_no_reminders(app, mail_server):
    app.config.update(mail_config(mail_server))
    ret, submitter, _, _ = _world()
    ret.status = ReturnStatus.SUBMITTED
    db.session.commit()
    for day in STAGE_DAYS:
        assert send_reminders(day) == 0
    assert len(mail_server) == 0 and not _stages(ret.id)


def test_reminder_email_off_still_notifies_in_the_portal(app, client, mail_server):
    app.config.update(mail_config(mail_server))
    ret, submitter, _, _ = _world()
    db.session.add(NotificationPreference(user_id=submitter.id, kind="reminder", email=False))
    db.session.commit()
    assert send_reminders(DUE) == 1
    assert len(mail_server) == 0
    assert send_reminders(DUE + timedelta(days=1)) == 1  # 'overdue' email is still on
    assert len(mail_server) == 1 and "overdue" in mail_server[0]["Subject"]
    titles = db.session.scalars(
        db.select(Notification.title).where(Notification.user_id == submitter.id)
    ).all()
    assert len(titles) == 2 and any("due today" in t for t in titles)
    # Security mail cannot be switched off.
    db.session.add(NotificationPreference(user_id=submitter.id, kind="security", email=False))
    db.session.commit()
    notify(submitter, "security", "Your password was changed")
    assert mail_server[-1]["Subject"] == "Your password was changed"


def test_unread_count_in_header_and_list_shows_only_own(app, client):
    ret, submitter, _, commissioner = _world()
    notify(submitter, "reminder", "First for submitter", "Line one", "/notifications")
    notify(submitter, "queried", "Second for submitter")
    notify(commissioner, "overdue", "Only for the commissioner")
    sign_in(client, submitter.email)
    html = get_page(client, "/accessibility")
    assert "Notifications (2 unread)" in html
    html = get_page(client, "/notifications")
    assert "First for submitter" in html and "Second for submitter" in html
    assert "Only for the commissioner" not in html
    assert html.index("Second for submitter") < html.index("First for submitter")  # newest first
    assert "(2 unread)" in html  # reading the list marks nothing read
    assert get_page(client, "/accessibility").count("Notifications (2 unread)") == 1
    marked = client.post(
        "/notifications/read",
        data={"csrf_token": csrf_token_from(html), "notification": _ids_in(html)},
    )
    assert marked.status_code == 302
    html = get_page(client, "/accessibility")
    assert "unread)" not in html and ">Notifications</a>" in html
    assert (
        db.session.scalar(
            db.select(db.func.count(Notification.id)).where(Notification.read_at.is_(None))
        )
        == 1
    )  # the commissioner's is still unread


def _ids_in(html: str) -> list[str]:
    import re

    return re.findall(r'name="notification" value="(\d+)"', html)


def test_mark_as_read_ignores_another_users_notifications(app, client):
    _, submitter, _, commissioner = _world()
    notify(commissioner, "overdue", "Only for the commissioner")
    theirs = db.session.scalar(db.select(Notification.id))
    sign_in(client, submitter.email)
    html = get_page(client, "/notifications")
    client.post(
        "/notifications/read",
        data={"csrf_token": csrf_token_from(html), "notification": [str(theirs)]},
    )
    assert db.session.get(Notification, theirs).read_at is None


def test_settings_page_saves_choices_and_ignores_unknown_kinds(app, client):
    _, submitter, _, _ = _world()
    sign_in(client, submitter.email)
    html = get_page(client, "/notifications/settings")
    assert 'value="reminder" checked' in html
    token = csrf_token_from(html)
    response = client.post(
        "/notifications/settings",
        data={"csrf_token": token, "email": ["queried", "no-such-kind", "security", ""]},
    )
    assert response.status_code == 302
    prefs = dict(
        db.session.execute(
            db.select(NotificationPreference.kind, NotificationPreference.email).where(
                NotificationPreference.user_id == submitter.id
            )
        ).all()
    )
    assert prefs == {"queried": True, "accepted": False, "answered": False, "feedback": False,
                     "pack": False, "reminder": False, "overdue": False}  # fmt: skip
    html = get_page(client, response.location)
    assert "Your email choices have been saved" in html
    assert 'value="queried" checked' in html and 'value="reminder" checked' not in html
    # Nothing ticked, or a form with no fields at all: every email off, no error.
    assert client.post("/notifications/settings", data={"csrf_token": token}).status_code == 302
    assert not any(
        db.session.scalars(
            db.select(NotificationPreference.email).where(
                NotificationPreference.user_id == submitter.id
            )
        )
    )
    # Without a CSRF token the post is refused, not a server error.
    assert client.post("/notifications/settings", data={"email": "queried"}).status_code == 400


def test_signed_out_users_are_sent_to_sign_in(client):
    for url in ("/notifications", "/notifications/settings"):
        response = client.get(url)
        assert response.status_code == 302 and response.location.startswith("/sign-in")
