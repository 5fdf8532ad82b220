"""The role-named clients of ``tests/conftest.py``: each is signed in as the user its name
says, lands on that role's home page for the ``contracted`` organisations, and the
"other" clients are kept out of them (the fixtures tenancy tests rely on)."""

from __future__ import annotations

import pytest

from tests.unit.conftest import get_page

HOMES = {
    "provider_client": "/provider/{provider}/returns",
    "provider_manager_client": "/provider/{provider}/returns",
    "commissioner_client": "/council/{council}/providers",
    "qa_client": "/council/{council}/risk",
    "forum_client": "/forum/{council}/training-gaps",
    "admin_client": "/admin",
}


@pytest.mark.parametrize("name", sorted(HOMES))
def test_each_role_client_lands_on_its_own_home_page(request, contracted, name):
    client = request.getfixturevalue(name)
    home = client.get("/")
    assert home.status_code == 302
    expected = HOMES[name].format(provider=contracted.provider.id, council=contracted.council.id)
    assert home.location.split("?")[0].rstrip("/") == expected
    get_page(client, home.location)


def test_the_other_provider_cannot_see_the_providers_returns(contracted, other_provider_client):
    get_page(other_provider_client, f"/provider/{contracted.other_provider.id}/returns")
    response = other_provider_client.get(f"/provider/{contracted.provider.id}/returns")
    assert response.status_code == 404


def test_the_other_council_cannot_see_the_councils_providers(contracted, other_council_client):
    get_page(other_council_client, f"/council/{contracted.other_council.id}/providers")
    response = other_council_client.get(f"/council/{contracted.council.id}/providers")
    assert response.status_code == 404
