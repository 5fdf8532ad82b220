"""The API's pages pass axe: the API reference (made from the OpenAPI document), and the
council's API keys page, empty, with an error, and after a key is made."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select


def _council_id(live_server) -> int:
    from portal.extensions import db
    from portal.models import Council

    with live_server.app.app_context():
        return db.session.scalar(select(Council.id).where(Council.slug == "medway"))


def test_the_api_reference_passes_axe(tab):
    tab.goto("/api/v1/reference")
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("API reference")
    expect(tab.page.get_by_text("Write a section's answers").first).to_be_visible()
    tab.check()


def test_the_council_api_keys_page_passes_axe(tab, live_server):
    tab.sign_in("commissioner@medway.example")
    tab.goto(f"/council/{_council_id(live_server)}/api-keys")
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("API keys")
    tab.check()
    tab.page.get_by_label("Name of the key").fill("Contract monitoring")
    tab.page.get_by_role("button", name="Create key").click()
    expect(tab.page.locator(".govuk-error-summary")).to_contain_text("Select what the key")
    tab.check()
    tab.page.get_by_label("Provider forum", exact=False).check()
    tab.page.get_by_role("button", name="Create key").click()
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("API key created")
    tab.check()
