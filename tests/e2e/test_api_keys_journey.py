"""API keys in a real browser: a manager finds the page from Users, makes a key, copies it
from the one page that shows it, the key works, and revoking it stops it; axe checks
every page."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def _api_status(tab, path: str, secret: str) -> int:
    """The API's answer to the key, sent from the signed-in browser: its cookie is ignored."""
    response = tab.page.request.get(
        tab.base_url + path, headers={"Authorization": f"Bearer {secret}"}
    )
    return response.status


def test_a_manager_makes_uses_and_revokes_a_key(tab):
    page = tab.page
    tab.sign_in("manager@provider.example")
    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", level=1, name="API keys")).to_be_visible()
    tab.check()
    provider_id = re.search(r"/provider/(\d+)/api-keys$", page.url)[1]
    api = f"/api/v1/providers/{provider_id}/staff"

    page.get_by_role("button", name="Create key").click()  # no name: an error
    expect(page.get_by_role("alert")).to_contain_text("Enter a name for the key")
    tab.check()
    page.get_by_label("Name of the key").fill("Rota system")
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("heading", level=1, name="API key created")).to_be_visible()
    tab.check()
    secret = page.locator("#api-key").inner_text().strip()
    assert len(secret) >= 40
    assert _api_status(tab, api, secret) == 200

    page.get_by_role("link", name="Go back to your API keys").click()
    expect(page.get_by_text(secret)).to_have_count(0)
    page.get_by_role("button", name="Revoke the key Rota system").click()
    expect(page.get_by_text("has been revoked")).to_be_visible()
    tab.check()
    assert _api_status(tab, api, secret) == 401
