"""A commissioner changes the council's mandatory training in a real browser: the page,
its error and its success banners pass axe. The test leaves the demo council on the
default set (the live server is shared by the session)."""

from __future__ import annotations

from playwright.sync_api import expect


def test_commissioner_changes_and_resets_mandatory_training(tab):
    page = tab.page
    tab.sign_in("commissioner@medway.example")
    page.get_by_role("link", name="Training matrix").first.click()
    page.get_by_role("link", name="Change which training is mandatory for each job role").click()
    expect(page.get_by_role("heading", level=1, name="Mandatory training")).to_be_visible()
    tab.check()

    box = page.get_by_label("Dementia care mandatory for Care worker")
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your mandatory training has been saved")).to_be_visible()
    expect(page.get_by_label("Dementia care mandatory for Care worker")).not_to_be_checked()
    tab.check()

    page.evaluate(
        "() => document.querySelectorAll('input[name=mandatory]')"
        ".forEach(box => { box.checked = false })"
    )
    page.get_by_role("button", name="Save").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(
        "Select at least one training category for at least one job role"
    )
    tab.check()

    page.get_by_role("button", name="Reset to the default").click()
    expect(page.get_by_text("Your mandatory training is back to the default")).to_be_visible()
    expect(page.get_by_label("Dementia care mandatory for Care worker")).to_be_checked()
    tab.check()
