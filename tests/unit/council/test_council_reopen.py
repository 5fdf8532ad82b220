"""A commissioner reopens one provider's locked return; nobody else can."""

from __future__ import annotations

from datetime import date

from portal.extensions import db
from portal.models import AuditEntry, Council, Role
from portal.returns import service
from tests.conftest import csrf_token_from
from tests.factories import make_council, make_provider, make_user, open_return
from tests.unit.conftest import get_page, sign_in


def _token(client) -> str:
    return csrf_token_from(client.get("/accessibility").get_data(as_text=True))


def test_commissioner_reopens_a_locked_return_for_seven_days(client, app):
    app.config["TODAY"] = "2026-11-23"
    ret = open_return()
    council = db.session.get(Council, ret.contract.council_id)
    commissioner = make_user(Role.COMMISSIONER, council=council)
    submitter = make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider)
    app.config["TODAY"] = "2026-12-05"  # October's return locked on 3 December
    assert service.is_locked(ret)
    sign_in(client, commissioner.email)
    page = f"/council/{council.id}/providers/{ret.contract.provider_id}/returns"
    html = get_page(client, page)
    assert "Reopen the October 2026 return for 7 days" in html
    response = client.post(
        f"/council/{council.id}/returns/{ret.id}/reopen", data={"csrf_token": _token(client)}
    )
    assert response.status_code == 302
    html = get_page(client, page)
    assert "can change the October 2026 return until 12 December 2026" in html
    db.session.refresh(ret)
    assert ret.reopened_until == date(2026, 12, 12) and not service.is_locked(ret)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "reopen"))
    assert entry.user_id == commissioner.id
    # The provider can change it again; after the reopening ends it locks again.
    client.post("/sign-out", data={"csrf_token": _token(client)})
    sign_in(client, submitter.email)
    task_list = get_page(client, f"/provider/{ret.contract.provider_id}/returns/{ret.id}")
    assert "Check your answers and submit" in task_list
    app.config["TODAY"] = "2026-12-13"
    task_list = get_page(client, f"/provider/{ret.contract.provider_id}/returns/{ret.id}")
    assert "This return is locked" in task_list


def test_an_open_return_cannot_be_reopened_and_other_councils_get_404(client, app):
    app.config["TODAY"] = "2026-11-23"
    ret = open_return()
    council = db.session.get(Council, ret.contract.council_id)
    commissioner = make_user(Role.COMMISSIONER, council=council)
    sign_in(client, commissioner.email)
    client.post(
        f"/council/{council.id}/returns/{ret.id}/reopen", data={"csrf_token": _token(client)}
    )
    page = f"/council/{council.id}/providers/{ret.contract.provider_id}/returns"
    assert "Only a locked return that has not been accepted can be reopened" in get_page(
        client, page
    )
    db.session.refresh(ret)
    assert ret.reopened_until is None
    client.post("/sign-out", data={"csrf_token": _token(client)})
    other_council = make_council()
    outsider = make_user(Role.COMMISSIONER, council=other_council)
    sign_in(client, outsider.email)
    token = _token(client)
    # Their own council id with our return or our provider: not found.
    reopen = f"/council/{other_council.id}/returns/{ret.id}/reopen"
    assert client.post(reopen, data={"csrf_token": token}).status_code == 404
    their = f"/council/{other_council.id}/providers/{ret.contract.provider_id}/returns"
    assert client.get(their).status_code == 404
    # Our council id: not theirs.
    assert client.get(page).status_code == 404
    # A provider of another council is not listed under this one.
    stranger = make_provider()
    assert (
        client.get(f"/council/{other_council.id}/providers/{stranger.id}/returns").status_code
        == 404
    )


def test_commissioner_sets_the_councils_return_deadlines(client, app):
    app.config["TODAY"] = "2026-11-23"
    ret = open_return()
    council = db.session.get(Council, ret.contract.council_id)
    commissioner = make_user(Role.COMMISSIONER, council=council)
    sign_in(client, commissioner.email)
    page = f"/council/{council.id}/return-settings"
    html = get_page(client, page)
    token = csrf_token_from(html)
    bad = client.post(page, data={"csrf_token": token, "due_working_day": "31", "lock_days": "x"})
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "The working day a return is due must be between 1 and 20" in html
    assert 'href="#due_working_day"' in html
    # A box that is not a number says what to type, never WTForms' own words.
    assert "Days until a return locks must be a whole number, like 20" in html
    assert "Not a valid integer value" not in html
    db.session.refresh(council)
    assert (council.due_working_day, council.lock_days) == (10, 20)
    ok = client.post(page, data={"csrf_token": token, "due_working_day": "5", "lock_days": "7"})
    assert ok.status_code == 302
    db.session.refresh(council)
    # October's return is now due on the 5th working day of November and locks 7 days on.
    deadlines = service.deadlines(ret)
    assert (deadlines.due_on, deadlines.locks_on) == (date(2026, 11, 6), date(2026, 11, 13))
    assert service.is_locked(ret)
    # A QA officer of the same council may not change deadlines.
    client.post("/sign-out", data={"csrf_token": _token(client)})
    qa = make_user(Role.QA_OFFICER, council=council)
    sign_in(client, qa.email)
    assert client.get(page).status_code == 403
