"""Signing in, landing on the right home page, signing out, resetting a password and
inviting a colleague, in a real browser, with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import link_in

HOMES = [
    ("submitter@provider.example", "Your returns", "Riverside Home Support"),
    ("manager@provider.example", "Your returns", "Riverside Home Support"),
    ("commissioner@medway.example", "Your providers", "Medway Council"),
    ("qa@medway.example", "Provider risk", "Medway Council"),
    ("forum@medway.example", "Training gaps", "Medway Council"),
    ("commissioner@waltham-forest.example", "Your providers", "London Borough of Waltham Forest"),
    ("admin@portal.example", "Councils and providers", None),
]


@pytest.mark.parametrize(("email", "home", "organisation"), HOMES)
def test_each_role_lands_on_its_home_and_signs_out(tab, email, home, organisation):
    tab.sign_in(email)
    page = tab.page
    expect(page.get_by_role("heading", level=1, name=home)).to_be_visible()
    assert page.title() == f"{home} - Care provider returns"
    if organisation:
        assert organisation in page.locator("header").inner_text()
    tab.check()
    home_url = page.url
    tab.sign_out()
    tab.check()
    # The old session is gone on the server: going back to the home page asks for sign-in.
    page.goto(home_url)
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()


def test_administrators_find_the_background_jobs(tab):
    tab.sign_in("admin@portal.example")
    tab.page.get_by_role("link", name="Background jobs").click()
    expect(tab.page.get_by_role("heading", level=1, name="Background jobs")).to_be_visible()
    tab.check()
    tab.page.get_by_label("Show").select_option("failed")
    tab.page.get_by_role("button", name="Show jobs").click()
    assert "status=failed" in tab.page.url
    tab.check()


def test_session_cookie_is_secure_httponly_and_samesite(tab):
    tab.sign_in("submitter@provider.example")
    cookies = {c["name"]: c for c in tab.page.context.cookies()}
    session = cookies["portal_session"]
    assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Lax"


def test_keyboard_only_sign_in(tab):
    page = tab.page
    tab.goto("/sign-in")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    # Tab through to the email field, type, then on to the password and submit.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type("commissioner@medway.example")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type("demo sign-in for care returns")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Your providers")).to_be_visible()
    tab.check()


def test_sign_in_errors_without_javascript(tab_without_js):
    tab = tab_without_js
    page = tab.page
    tab.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert page.title().startswith("Error: Sign in")
    assert "Enter your email address" in summary.inner_text()
    tab.check_accessibility()
    # The summary links to the field.
    summary.get_by_role("link", name=re.compile("email address")).click()
    assert page.url.endswith("#email")
    page.get_by_label("Email address").fill("manager@provider.example")
    page.get_by_label("Password", exact=True).fill("not the right password at all")
    page.get_by_role("button", name="Sign in").click()
    assert "Enter a correct email address and password" in summary.inner_text()
    tab.check_accessibility()
    tab.sign_in("manager@provider.example")
    expect(page.get_by_role("heading", level=1, name="Your returns")).to_be_visible()
    tab.check_accessibility()


def test_other_tenants_pages_are_not_found_and_other_roles_forbidden(tab, live_server):
    from portal.models import Council, Provider

    with live_server.app.app_context():
        from portal.extensions import db

        other_provider = db.session.query(Provider).filter_by(slug="castle-view-care").one().id
        other_council = db.session.query(Council).filter_by(slug="waltham-forest").one().id
        own_council = db.session.query(Council).filter_by(slug="medway").one().id
    tab.sign_in("submitter@provider.example")
    response = tab.goto(f"/provider/{other_provider}/returns")
    assert response.status == 404
    expect(tab.page.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
    tab.check()
    tab.sign_out()
    tab.sign_in("forum@medway.example")
    response = tab.goto(f"/council/{own_council}/providers")
    assert response.status == 403
    tab.check()
    response = tab.goto(f"/council/{other_council}/providers")
    assert response.status in (403, 404)


def test_password_reset_by_emailed_link(tab, live_server):
    page = tab.page
    email = "qa@medway.example"
    before = len(live_server.inbox.to(email))
    tab.goto("/sign-in")
    page.get_by_role("link", name="I have forgotten my password").click()
    tab.check()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Send me a link").click()
    tab.check()
    messages = live_server.inbox.to(email)
    assert len(messages) == before + 1
    path = link_in(messages[-1], "/password-reset/")
    tab.goto(path)
    tab.check()
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Re-type your new password").fill("short")
    page.get_by_role("button", name="Save password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    tab.check()
    new_password = "estuary lighthouse marmalade kettle"
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Re-type your new password").fill(new_password)
    page.get_by_role("button", name="Save password").click()
    tab.check()
    # The link works once.
    assert tab.goto(path).status == 400
    expect(page.get_by_role("heading", level=1, name="Choose a new password")).to_have_count(0)
    tab.sign_in(email, new_password)
    expect(page.get_by_role("heading", level=1, name="Provider risk")).to_be_visible()


def test_manager_invites_a_colleague_who_sets_a_password(tab, live_server):
    page = tab.page
    tab.sign_in("manager@provider.example")
    page.get_by_role("link", name="Users").click()
    tab.check()
    page.get_by_role("button", name="Invite a user").click()
    tab.check()
    page.get_by_label("Full name").fill("Nia Newstarter")
    page.get_by_label("Email address").fill("nia@provider.example")
    page.get_by_role("radio", name=re.compile("^Submitter")).check()
    page.get_by_role("button", name=re.compile("Send invitation|Invite")).click()
    tab.check()
    assert "nia@provider.example" in page.locator("main").inner_text()
    tab.sign_out()
    invitation = live_server.inbox.to("nia@provider.example")[-1]
    tab.goto(link_in(invitation, "/invitation/"))
    tab.check()
    password = "harbour crane biscuit lantern"
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Re-type your new password").fill(password)
    page.get_by_role("button", name="Save password").click()
    tab.check()
    # Accepting the invitation signs the new user in.
    expect(page.get_by_role("heading", level=1, name="Your returns")).to_be_visible()
    expect(page.get_by_text("Your password is saved and you are signed in")).to_be_visible()
    assert "Riverside Home Support" in page.locator("header").inner_text()
