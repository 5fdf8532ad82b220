"""A provider's page of next quarter's training demand across a council's area: the
provider forum's table, suppressed exactly as the forum sees it, for a provider with a
contract with the council and nobody else."""

from __future__ import annotations

import re

from portal.models import Role
from tests.factories import make_council, make_provider, make_user, open_return
from tests.unit.conftest import get_page, sign_in
from tests.unit.council.test_training_matrix import _four_providers, four_providers  # noqa: F401


def _demand_section(html: str) -> str:
    """The demand table part of a page, from its heading to the end of its table."""
    match = re.search(r'<h2 class="govuk-heading-l" id="demand">.*?</table>', html, re.S)
    assert match, "no demand table"
    return match.group(0)


def test_a_provider_sees_the_forums_demand_table_exactly(app, four_providers):  # noqa: F811
    _four_providers(four_providers, supervisor_at=2)
    council, provider = four_providers["council"], four_providers["providers"][0]
    provider_client, forum_client = app.test_client(), app.test_client()
    sign_in(provider_client, four_providers["users"][0].email)
    sign_in(forum_client, make_user(Role.FORUM_MEMBER, council=council).email)

    url = f"/provider/{provider.id}/training-demand?council={council.id}"
    html = get_page(provider_client, url)
    forum = get_page(forum_client, f"/forum/{council.id}/training-gaps")
    assert _demand_section(html) == _demand_section(forum)
    assert "Safeguarding adults" in _demand_section(html)
    assert "SECRET" not in html and "Provider B Ltd" not in html
    assert 'id="hidden-figures"' in html
    # The forum's own page stays the forum's.
    assert provider_client.get(f"/forum/{council.id}/training-gaps").status_code == 403


def test_another_councils_provider_is_refused(app, four_providers):  # noqa: F811
    _four_providers(four_providers)
    council = four_providers["council"]
    elsewhere = open_return(make_provider("Elsewhere Care Ltd"), make_council())
    outsider = make_user(Role.PROVIDER_SUBMITTER, provider=elsewhere.contract.provider)
    client = app.test_client()
    sign_in(client, outsider.email)
    own = elsewhere.contract.provider.id
    # Its own provider id with a council it has no contract with: not found.
    assert client.get(f"/provider/{own}/training-demand?council={council.id}").status_code == 404
    # Another provider's id: not its organisation.
    other = four_providers["providers"][0].id
    assert client.get(f"/provider/{other}/training-demand?council={council.id}").status_code in (
        403,
        404,
    )
    # Its own council's table it can open, and choose it from a list of its councils.
    theirs = elsewhere.contract.council.id
    listed = get_page(client, f"/provider/{own}/training-demand")
    assert f"training-demand?council={theirs}" in listed and council.name not in listed
    assert client.get(f"/provider/{own}/training-demand?council={theirs}").status_code == 200
