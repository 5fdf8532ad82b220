"""Every endpoint carries an access mark, and every protected one refuses the wrong user.

Walks ``app.url_map``: a new route without ``@public`` or ``@requires`` fails here, and a
protected route that forgets its tenancy check fails the wrong-organisation case. API routes
(``@api_key_required``) take a key, not a session: they are proved to refuse a missing,
unknown or revoked key and another provider's key, and to ignore a signed-in session.
"""

from __future__ import annotations

import pytest

from portal.access import Access
from portal.api.auth import ApiAccess, new_key
from portal.clock import utcnow
from portal.extensions import db
from portal.models import Document, ReturnComment, Role
from portal.returns import service
from portal.uploads.batches import record_batch
from portal.uploads.importing import store
from tests.factories import make_user
from tests.unit.conftest import sign_in

KNOWN_PUBLIC = {
    "static",
    "assets",
    "pages.home",
    "pages.accessibility",
    "pages.healthz",
    "sign_in.sign_in",
    "password_reset.request_reset",
    "password_reset.choose_password",
    "password_reset.accept_invitation",
    "api_docs.openapi_json",  # the API's description: every call still takes a key
    "api_docs.reference",
}


@pytest.fixture
def tenancy(app, contracted):
    """The contracted ('own') side, with a user of every role; another provider and council
    ('other'); the own return submitted once (so version 1 exists); API keys."""
    app.config["WTF_CSRF_ENABLED"] = False  # this test is about access, not CSRF
    own_users = (contracted.submitter, contracted.manager, contracted.commissioner,
                 contracted.qa, contracted.forum, contracted.admin)  # fmt: skip
    by_role = {user.memberships[0].role: user for user in own_users}
    users = {role: by_role[role] for role in Role}  # a new role needs a user here
    colleague = make_user(Role.PROVIDER_SUBMITTER, provider=contracted.provider)
    # The user the administrator's user pages act on (suspending them harms no one here).
    bystander = make_user(Role.PROVIDER_SUBMITTER, provider=contracted.provider)
    outsider = contracted.other_submitter
    own_return, other_return = contracted.ret, contracted.other_ret
    service.submit(own_return.id, colleague, "guardrail-submission-key")
    # API keys: a live one and a revoked one of the own provider, one of the other.
    keys = {
        name: new_key(provider.id, name, None)
        for name, provider in (
            ("own", contracted.provider),
            ("revoked", contracted.provider),
            ("other", contracted.other_provider),
        )
    }
    # Council and forum keys: the own council's (live, revoked, forum) and the other's.
    council_keys = {
        name: new_key(None, name, contracted.commissioner.id, council_id=council.id,
                      scope=scope)
        for name, council, scope in (
            ("own", contracted.council, "council"),
            ("revoked", contracted.council, "council"),
            ("forum", contracted.council, "forum"),
            ("other", contracted.other_council, "council"),
        )
    }  # fmt: skip
    keys["revoked"][0].revoked_at = utcnow()
    council_keys["revoked"][0].revoked_at = utcnow()
    db.session.commit()
    for side in ("own", "other"):  # a kept training file for each provider's upload
        store(f"guardrail-upload-{side}", "training", b"LOCALESTID,UNIQUEWORKERID\n")
    # A question on each return, and a feedback report of each provider, for the API.
    questions, reports = {}, {}
    for side, ret, council, user in (
        ("own", own_return, contracted.council, contracted.commissioner),
        ("other", other_return, contracted.other_council, contracted.other_commissioner),
    ):
        questions[side] = ReturnComment(return_id=ret.id, kind="query", text="Why?",
                                        author_id=user.id)  # fmt: skip
        reports[side] = Document(kind="feedback", council_id=council.id, period="2026-10",
                                 provider_id=ret.contract.provider_id, format="pdf",
                                 filename="report.pdf", content=b"%PDF-1.4")  # fmt: skip
        db.session.add_all([questions[side], reports[side]])
    db.session.commit()
    uploads = {
        side: record_batch(provider.id, None, f"guardrail-upload-{side}", {"training": "t.csv"})
        for side, provider in (("own", contracted.provider), ("other", contracted.other_provider))
    }
    return {
        "own": {
            "provider_id": contracted.provider.id,
            "council_id": contracted.council.id,
            "membership_id": colleague.memberships[0].id,
            "return_id": own_return.id,
            "user_id": bystander.id,
            "upload_id": uploads["own"].id,
            "comment_id": questions["own"].id,
            "report_id": reports["own"].id,
        },
        "other": {
            "provider_id": contracted.other_provider.id,
            "council_id": contracted.other_council.id,
            "membership_id": outsider.memberships[0].id,
            "return_id": other_return.id,
            "upload_id": uploads["other"].id,
            "comment_id": questions["other"].id,
            "report_id": reports["other"].id,
        },
        "users": users,
        "keys": {name: secret for name, (_, secret) in keys.items()},
        "council_keys": {name: secret for name, (_, secret) in council_keys.items()},
    }


def _endpoints(app):
    seen = {}
    for rule in app.url_map.iter_rules():
        seen.setdefault(rule.endpoint, rule)
    return sorted(seen.items())


def _url(app, rule, ids):
    defaults = {"code": "kpis", "action": "preview", "number": 1}
    values = {arg: ids.get(arg, defaults.get(arg, 1)) for arg in rule.arguments}
    if "filename" in rule.arguments:
        values["filename"] = "portal.css"
    if "token" in rule.arguments:
        values["token"] = "not-a-real-token"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _method(rule):
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS", "HEAD"})[0]


def test_every_endpoint_has_an_access_mark(app):
    missing = [
        endpoint
        for endpoint, _ in _endpoints(app)
        if not isinstance(getattr(app.view_functions[endpoint], "access", None), Access)
    ]
    assert not missing, f"endpoints without @public or @requires: {missing}"


def test_urls_naming_an_organisation_check_that_organisation(app):
    for endpoint, rule in _endpoints(app):
        access = app.view_functions[endpoint].access
        for kind in ("provider", "council"):
            if f"{kind}_id" in rule.arguments:
                if kind == "provider" and access.org == "council":
                    # A council's page about one of its providers: the view finds the
                    # provider through the council's contracts (404 otherwise).
                    assert "council_id" in rule.arguments, endpoint
                    continue
                assert access.org == kind, f"{endpoint} takes {kind}_id but does not check it"


def test_public_endpoints_are_the_known_ones(app):
    public = {e for e, _ in _endpoints(app) if app.view_functions[e].access.public}
    assert public == KNOWN_PUBLIC


def test_protected_endpoints_refuse_anonymous_users(app, client, tenancy):
    for endpoint, rule in _endpoints(app):
        access = app.view_functions[endpoint].access
        if access.public or isinstance(access, ApiAccess):  # API: see the test below
            continue
        url = _url(app, rule, tenancy["own"])
        response = client.open(url, method=_method(rule))
        assert response.status_code == 302, (endpoint, response.status_code)
        assert response.location.startswith("/sign-in"), endpoint


def test_protected_endpoints_refuse_the_wrong_role_and_the_wrong_tenancy(app, tenancy):
    checked = 0
    for endpoint, rule in _endpoints(app):
        access: Access = app.view_functions[endpoint].access
        if access.public:
            continue
        method = _method(rule)
        for role, user in tenancy["users"].items():
            client = app.test_client()
            assert sign_in(client, user.email).status_code == 302
            own = client.open(_url(app, rule, tenancy["own"]), method=method)
            if isinstance(access, ApiAccess):  # a session is no key, whatever the role
                assert own.status_code == 401, (endpoint, role, own.status_code)
                continue
            if role not in access.roles:
                expected = 404 if access.hidden else 403
                assert own.status_code == expected, (endpoint, role, own.status_code)
                continue
            # The right role at the user's own organisation gets in...
            assert own.status_code not in (403, 404), (endpoint, role, own.status_code)
            if {"provider_id", "council_id"} & set(rule.arguments):
                # ...and the same role at somebody else's organisation is refused.
                other = client.open(_url(app, rule, tenancy["other"]), method=method)
                assert other.status_code == 404, (endpoint, role, other.status_code)
            checked += 1
    assert checked >= 8


def _api_keys(tenancy, access: ApiAccess) -> dict[str, str]:
    if access.org == "council":
        return tenancy["council_keys"]
    return tenancy["keys"]


def test_api_endpoints_take_only_a_live_key_of_the_urls_organisation(app, client, tenancy):
    checked = 0
    for endpoint, rule in _endpoints(app):
        access = app.view_functions[endpoint].access
        if not isinstance(access, ApiAccess):
            continue
        assert f"{access.org}_id" in rule.arguments, endpoint
        url, method = _url(app, rule, tenancy["own"]), _method(rule)
        keys = _api_keys(tenancy, access)
        for header in (None, "Bearer not-a-real-key", f"Bearer {keys['revoked']}"):
            headers = {"Authorization": header} if header else {}
            refused = client.open(url, method=method, headers=headers)
            assert refused.status_code == 401, (endpoint, header, refused.status_code)
            assert refused.headers["WWW-Authenticate"].startswith("Bearer"), endpoint
        other = client.open(
            url, method=method, headers={"Authorization": f"Bearer {keys['other']}"}
        )
        assert other.status_code == 404, (endpoint, other.status_code)
        own = client.open(url, method=method, headers={"Authorization": f"Bearer {keys['own']}"})
        assert own.status_code not in (401, 403, 404), (endpoint, own.status_code)
        if access.org == "council":
            # A forum key reaches only the forum's figures; a provider's key no council's.
            forum = client.open(
                url, method=method, headers={"Authorization": f"Bearer {keys['forum']}"}
            )
            assert (forum.status_code == 404) == ("forum" not in access.scopes), endpoint
            provider_key = {"Authorization": f"Bearer {tenancy['keys']['own']}"}
            assert client.open(url, method=method, headers=provider_key).status_code == 404
        checked += 1
    assert checked >= 10


JUNK_VALUES = ["", "-1", "99999999999999999999999", "2026-Q9", "2026-13", "'; DROP TABLE job;--",
               "../../etc/passwd", "\u202e\u0000x", "a" * 5000]  # fmt: skip
JUNK_NAMES = ("quarter", "provider", "council", "framework", "period", "job", "format",
              "section", "file", "upload", "batch", "status", "as_at", "date", "page",
              "worker", "key_id", "action", "action_id", "id", "return", "version", "text",
              "name", "owner", "day", "month", "year", "category", "role", "kpi")  # fmt: skip


def test_no_page_answers_junk_input_with_a_server_error(app, tenancy):
    """The right user sending nonsense in the query string and the form gets a page
    that says what is wrong (or ignores it), never a 500."""
    failures, sent = [], 0
    for endpoint, rule in _endpoints(app):
        access = app.view_functions[endpoint].access
        if access.public or isinstance(access, ApiAccess):
            continue
        role = next(r for r in access.roles if r in tenancy["users"])
        client = app.test_client()
        sign_in(client, tenancy["users"][role].email)
        url = _url(app, rule, tenancy["own"])
        for value in JUNK_VALUES:
            junk = {name: value for name in JUNK_NAMES}
            for method in sorted(rule.methods - {"OPTIONS", "HEAD"}):
                response = client.open(
                    url,
                    method=method,
                    query_string=junk,
                    data=junk if method == "POST" else None,
                )
                sent += 1
                if response.status_code >= 500:
                    failures.append((endpoint, method, value[:20], response.status_code))
    assert not failures, failures
    assert sent > 500, sent


def test_no_api_call_answers_junk_with_a_server_error(app, client, tenancy):
    bodies = [
        ({"Content-Type": "application/json"}, b"{not json"),
        ({"Content-Type": "application/json"}, b'{"rows": "x", "staff": 7, "training": [1]}'),
        ({"Content-Type": "application/json"}, b'{"rows": [{"UNIQUEWORKERID": null}]}'),
        ({"Content-Type": "text/csv"}, b"\x89PNG\r\n\x1a\n" + bytes(range(256))),
        ({"Content-Type": "application/xml"}, b"<rows/>"),
    ]
    sent = 0
    for endpoint, rule in _endpoints(app):
        access = app.view_functions[endpoint].access
        if not isinstance(access, ApiAccess):
            continue
        url = _url(app, rule, tenancy["own"])
        key = _api_keys(tenancy, access)["own"]
        for method in sorted(rule.methods - {"OPTIONS", "HEAD"}):
            for headers, body in bodies:
                response = client.open(
                    url,
                    method=method,
                    query_string={"page": "-1", "worker": "'; DROP"},
                    headers={**headers, "Authorization": f"Bearer {key}"},
                    data=body if method == "POST" else None,
                )
                sent += 1
                assert response.status_code < 500, (endpoint, method, body[:20])
                # Every refusal is JSON (a report's PDF is the one answer that is not).
                assert response.is_json or response.status_code == 200, (endpoint, method)
    assert sent >= 20
