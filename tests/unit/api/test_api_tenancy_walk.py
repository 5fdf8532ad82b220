"""The cross-tenant walk over every API endpoint that takes an id: a live key of one's own
provider (or council), in a URL of one's own organisation, naming another organisation's
return, question, upload or feedback report, gets 404 exactly as an id that does not
exist, and nothing of the other's; a forum key never gets a named provider.

(``tests/unit/test_access_guardrail.py`` proves the other half: another organisation's
key on one's own URL is 404, missing and revoked keys 401.)"""

from __future__ import annotations

from portal.api.auth import ApiAccess
from tests.unit.test_access_guardrail import (  # noqa: F401 - tenancy is a fixture
    _api_keys,
    _endpoints,
    _method,
    _url,
    tenancy,
)

ORGANISATION_IDS = {"provider_id", "council_id"}
NOT_THERE = 2_000_000_000  # an id nothing has


def _id_endpoints(app):
    for endpoint, rule in _endpoints(app):
        access = getattr(app.view_functions[endpoint], "access", None)
        if isinstance(access, ApiAccess) and set(rule.arguments) - ORGANISATION_IDS:
            yield endpoint, rule, access


def test_another_organisations_ids_answer_404_as_ids_that_do_not_exist(
    app,
    client,
    tenancy,  # noqa: F811
    contracted,
):
    own, other = tenancy["own"], tenancy["other"]
    walked = set()
    for endpoint, rule, access in _id_endpoints(app):
        key = _api_keys(tenancy, access)["own"]
        headers = {"Authorization": f"Bearer {key}"}
        method = _method(rule)
        own_org = {name: own[name] for name in ORGANISATION_IDS}
        for name in sorted(set(rule.arguments) - ORGANISATION_IDS):
            if name not in other:  # a section code, not an id
                continue
            theirs = _url(app, rule, {**own, **own_org, name: other[name]})
            nowhere = _url(app, rule, {**own, **own_org, name: NOT_THERE})
            found = client.open(theirs, method=method, headers=headers, json={"text": "x"})
            missing = client.open(nowhere, method=method, headers=headers, json={"text": "x"})
            assert found.status_code == 404, (endpoint, name, found.status_code)
            assert found.mimetype == "application/problem+json", endpoint
            assert found.get_json() == missing.get_json(), (endpoint, name)
            text = found.get_data(as_text=True)
            assert contracted.other_provider.name not in text, endpoint
            walked.add(endpoint)
    assert len(walked) >= 10, sorted(walked)


def test_a_forum_key_never_gets_a_named_provider(app, client, tenancy, contracted):  # noqa: F811
    forum = {"Authorization": f"Bearer {tenancy['council_keys']['forum']}"}
    council_id = tenancy["own"]["council_id"]
    reached = 0
    for endpoint, rule in _endpoints(app):
        access = getattr(app.view_functions[endpoint], "access", None)
        if not isinstance(access, ApiAccess) or access.org != "council":
            continue
        response = client.open(_url(app, rule, tenancy["own"]), method=_method(rule),
                               headers=forum)  # fmt: skip
        text = response.get_data(as_text=True)
        for provider in (contracted.provider, contracted.other_provider):
            assert provider.name not in text, endpoint
        if "forum" in access.scopes:
            assert response.status_code == 200, endpoint
            reached += 1
        else:
            assert response.status_code == 404, endpoint
    assert reached >= 1 and council_id
