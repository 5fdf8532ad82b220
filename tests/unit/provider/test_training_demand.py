"""A provider's page of next quarter's training demand across a council's area: the
provider forum's table, suppressed exactly as the forum sees it, for a provider with a
contract with the council and nobody else; and its CSV, the same figures."""

from __future__ import annotations

import csv
import io
import re

from portal.models import Role
from tests.factories import make_council, make_provider, make_user, open_return
from tests.unit.conftest import get_page, sign_in
from tests.unit.council.test_training_matrix import DEMENTIA, _four_providers, four_providers  # noqa: F401


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


def _outsider(app, world):
    """A client signed in as a submitter of a provider contracted with another council
    only, and that provider's open return."""
    _four_providers(world)
    elsewhere = open_return(make_provider("Elsewhere Care Ltd"), make_council())
    outsider = make_user(Role.PROVIDER_SUBMITTER, provider=elsewhere.contract.provider)
    client = app.test_client()
    sign_in(client, outsider.email)
    return client, elsewhere


def test_another_councils_provider_is_refused(app, four_providers):  # noqa: F811
    council = four_providers["council"]
    client, elsewhere = _outsider(app, four_providers)
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


def _page_rows(html: str) -> list[list[str]]:
    """The demand table's rows as a reader sees them (category, then each figure; "[c]"
    for a hidden one), without the thousands commas."""
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", _demand_section(html), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        text = [re.sub(r"<span class=\"govuk-visually-hidden\">.*?</span>", "", c) for c in cells]
        rows.append([re.sub(r"<[^>]+>", "", t).strip().replace(",", "") for t in text])
    return rows[1:]  # the heading row is not figures


def test_the_demand_csv_has_exactly_the_pages_figures(app, four_providers):  # noqa: F811
    _four_providers(four_providers, supervisor_at=2)
    council, provider = four_providers["council"], four_providers["providers"][0]
    client = app.test_client()
    sign_in(client, four_providers["users"][0].email)
    page = get_page(client, f"/provider/{provider.id}/training-demand?council={council.id}")
    link = f"/provider/{provider.id}/training-demand.csv?council={council.id}"
    assert link.replace("&", "&amp;") in page
    response = client.get(link)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == [
        "Category code", "Training category", "Face to face", "E-learning", "Not known", "Total",
    ]  # fmt: skip
    assert [r[1:] for r in rows[1:]] == _page_rows(page)
    dementia = next(r for r in rows if r[0] == str(DEMENTIA))
    assert "[c]" in dementia  # hidden as on the page
    assert "SECRET" not in response.get_data(as_text=True)


def test_the_demand_csv_refuses_another_providers_user(app, four_providers):  # noqa: F811
    council = four_providers["council"]
    client, elsewhere = _outsider(app, four_providers)
    other = four_providers["providers"][0].id
    refused = client.get(f"/provider/{other}/training-demand.csv?council={council.id}")
    assert refused.status_code in (403, 404)
    assert b"Safeguarding" not in refused.data
    own = elsewhere.contract.provider.id
    # Its own id with a council it has no contract with, or a council id that is none.
    for query in (f"council={council.id}", "council=x", "council=99999999999"):
        assert client.get(f"/provider/{own}/training-demand.csv?{query}").status_code == 404
    # No council named: the page to choose one.
    chooser = client.get(f"/provider/{own}/training-demand.csv")
    assert chooser.status_code == 302
    assert chooser.location.endswith(f"/provider/{own}/training-demand")
