"""The council's API keys page: a commissioner makes a council or forum key (secret shown
once), the key works on the council API at its scope, and revoking stops it."""

from __future__ import annotations

import re
from datetime import timedelta

from portal.clock import utcnow
from tests.conftest import csrf_token_from
from tests.unit.conftest import get_page

SECRET = re.compile(r'<code id="api-key">([^<]+)</code>')


def _create(client, council_id: int, name: str, scope: str | None, expires: str = ""):
    page = get_page(client, f"/council/{council_id}/api-keys")
    data = {"csrf_token": csrf_token_from(page), "name": name, "expires": expires}
    if scope:
        data["scope"] = scope
    return client.post(f"/council/{council_id}/api-keys", data=data)


def _bearer(response) -> dict[str, str]:
    return {"Authorization": f"Bearer {SECRET.search(response.text)[1]}"}


def test_a_commissioner_makes_keys_that_read_at_their_scope_and_revokes_them(
    client, commissioner_client, contracted
):
    council_id = contracted.council.id
    api = f"/api/v1/councils/{council_id}"
    missing = _create(commissioner_client, council_id, "Monitoring", None)
    assert missing.status_code == 400 and "Select what the key can read" in missing.text
    council_key = _bearer(_create(commissioner_client, council_id, "Monitoring", "council"))
    assert client.get(api + "/versions", headers=council_key).status_code == 200
    forum_key = _bearer(_create(commissioner_client, council_id, "Forum site", "forum", "30"))
    assert client.get(api + "/versions", headers=forum_key).status_code == 404
    assert client.get(api + "/training-gaps", headers=forum_key).status_code == 200
    page = get_page(commissioner_client, f"/council/{council_id}/api-keys")
    assert "Monitoring" in page and "Provider forum" in page
    in_30_days = (utcnow() + timedelta(days=30)).strftime("%-d %B %Y")
    assert "Does not expire" in page and in_30_days in page
    assert council_key["Authorization"][7:] not in page  # the secret is shown once only
    newest = re.search(r'name="key_id" value="(\d+)"', page)[1]  # the forum key
    revoked = commissioner_client.post(
        f"/council/{council_id}/api-keys/revoke",
        data={"csrf_token": csrf_token_from(page), "key_id": newest},
    )
    assert revoked.status_code == 302
    assert client.get(api + "/training-gaps", headers=forum_key).status_code == 401
    assert client.get(api + "/training-gaps", headers=council_key).status_code == 200
