"""Feedback reports: who may see what, an incomplete link, and the trend's months
before the council went live."""

from __future__ import annotations

from portal.extensions import db
from portal.feedback.data import feedback_for
from portal.models import (
    Role,
    User,
)
from tests.factories import (
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_user,
)
from tests.unit.conftest import get_page, sign_in
from tests.unit.feedback.world import (
    AUG,
    _build,
    _report_url,
)

# --- who may see what --------------------------------------------------------------------------


def test_wrong_provider_council_or_role_is_refused_on_every_route(app, subject):
    other_council = make_council()
    stranger_provider = make_provider()
    make_contract(stranger_provider, other_council, make_framework(other_council))
    db.session.commit()
    _build(subject)
    pid, cid = subject.provider.id, subject.council.id
    query = f"council={cid}&period=2026-10"
    routes = {
        "list": f"/provider/{pid}/feedback",
        "page": f"/provider/{pid}/feedback/report?{query}",
        "pdf": f"/provider/{pid}/feedback/report.pdf?{query}",
        "council": f"/council/{cid}/feedback/report?provider={pid}&period=2026-10",
    }

    def status(user: User, url: str) -> int:
        client = app.test_client()
        sign_in(client, user.email)
        return client.get(url).status_code

    outsider = make_user(Role.PROVIDER_MANAGER, provider=stranger_provider)
    peer_user = make_user(Role.PROVIDER_MANAGER, provider=subject.peers[0])
    commissioner = make_user(Role.COMMISSIONER, council=subject.council)
    other_commissioner = make_user(Role.COMMISSIONER, council=other_council)
    for name in ("list", "page", "pdf"):
        assert status(subject.user, routes[name]) == 200, name
        assert status(outsider, routes[name]) == 404, name
        assert status(peer_user, routes[name]) == 404, name
        assert status(commissioner, routes[name]) == 403, name
    assert status(commissioner, routes["council"]) == 200
    assert status(other_commissioner, routes["council"]) == 404
    for role in (Role.QA_OFFICER, Role.FORUM_MEMBER):
        assert status(make_user(role, council=subject.council), routes["council"]) == 403
    assert status(subject.user, routes["council"]) == 403
    # A council the provider has no contract with, or a provider not the council's: 404.
    elsewhere = f"/provider/{pid}/feedback/report?council={other_council.id}&period=2026-10"
    assert status(subject.user, elsewhere) == 404
    assert status(subject.user, elsewhere.replace("report?", "report.pdf?")) == 404
    not_theirs = f"/council/{cid}/feedback/report?provider={stranger_provider.id}&period=2026-10"
    assert status(commissioner, not_theirs) == 404
    # The other provider's list does not show this report.
    client = app.test_client()
    sign_in(client, peer_user.email)
    assert "You have no feedback reports yet" in get_page(
        client, f"/provider/{subject.peers[0].id}/feedback"
    )


def test_an_incomplete_link_says_what_is_missing(app, subject):
    client = app.test_client()
    sign_in(client, subject.user.email)
    response = client.get(f"/provider/{subject.provider.id}/feedback/report?council=x&period=10")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "The link does not say which council the report is from" in html
    assert "The link does not give a month (2026-10) or quarter (2026-Q3)" in html
    future = _report_url(subject, "2027-01")
    assert client.get(future).status_code == 404


def test_months_before_the_council_went_live_are_not_expected_in_the_trend(app, subject):
    subject.council.go_live_month = AUG  # asked for returns from August 2026 only
    db.session.commit()
    october = feedback_for(subject.council.id, subject.provider.id, "2026-10").frameworks[0]
    assert october.expected == [False, False, False, True, True, True]  # May to October
    client = app.test_client()
    sign_in(client, subject.user.email)
    html = get_page(client, _report_url(subject))
    assert html.count("Not expected") == 3 * len(october.trends)
