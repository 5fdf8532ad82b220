"""The council's review in a real browser: a commissioner queries a value of a submitted
return, the provider sees the question, replies, corrects and resubmits, and the
commissioner accepts. The provider's users are told each time by email (a real local
SMTP server), and every page and error state on the way passes axe.

Other tests in the session submit Riverside's October 2026 returns, so this one
prepares its own: Riverside's September 2026 return to Medway, reopened until the end of
December (it locked on 3 November), filled and submitted as version 1 in the app."""

from __future__ import annotations

import re
import time
from datetime import date

from playwright.sync_api import expect

from tests.e2e.conftest import submit_demo_return
from tests.e2e.test_monthly_return_journey import save_confirming_warnings
from tests.examples import EXAMPLE_KPIS

COMMISSIONER = "commissioner@medway.example"
SUBMITTER = "submitter@provider.example"
MANAGER = "manager@provider.example"
PROVIDER = "Riverside Home Support"
MONTH = "September 2026"
QUESTION = "Missed visits went up from last month: check the 10 missed visits is right."
REPLY = "We counted 2 visits twice as delivered; the right figure is 12 missed visits."
KPIS = EXAMPLE_KPIS


def _submitted_september_return(live_server) -> tuple[int, int, int, str]:
    """Riverside's September 2026 Medway return (due 14 October, locked from 3 November),
    reopened, filled and submitted (v1): council id, provider id, return id, reference."""
    sent = submit_demo_return(live_server, date(2026, 9, 1), KPIS, "e2e-review-key")
    return sent.council_id, sent.provider_id, sent.return_id, sent.reference


def _mail(inbox, address: str, subject: str):
    """The message to ``address`` whose subject contains ``subject`` (waits up to 10s)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message in inbox.to(address):
            if subject in message["Subject"]:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no email {subject!r} reached {address}")


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _open_review(tab, link_text: str) -> None:
    """Your providers -> Riverside Home Support -> the September return."""
    page = tab.page
    page.get_by_role("link", name="Your providers").first.click()
    expect(page.get_by_role("heading", level=1, name="Your providers")).to_be_visible()
    tab.check()
    # The link is the provider's name, with ": returns" hidden visually.
    page.get_by_role("link", name=re.compile(rf"^{PROVIDER}\s*: returns$")).click()
    expect(page.get_by_role("heading", level=1, name=f"Returns from {PROVIDER}")).to_be_visible()
    tab.check()
    page.get_by_role(
        "link", name=re.compile(rf"^{link_text} the {MONTH} return\s+from {PROVIDER}$")
    ).click()
    expect(page.get_by_role("heading", level=1, name=f"Review the {MONTH} return")).to_be_visible()
    tab.check()


def test_commissioner_queries_provider_corrects_and_commissioner_accepts(tab, live_server):
    council_id, provider_id, return_id, v1_reference = _submitted_september_return(live_server)
    assert v1_reference.endswith("-V1")
    page = tab.page
    inbox = live_server.inbox
    summary = page.locator(".govuk-error-summary")
    review_path = f"/council/{council_id}/returns/{return_id}/review"
    return_path = f"/provider/{provider_id}/returns/{return_id}"

    # --- The commissioner reviews version 1 and asks about missed visits. ---------------
    tab.sign_in(COMMISSIONER)
    expect(page.get_by_role("heading", level=1, name="Your providers")).to_be_visible()
    tab.check()
    _open_review(tab, "Review")
    assert page.url.endswith(review_path)
    expect(page.locator("main")).to_contain_text(f"Version 1 (reference {v1_reference})")
    expect(page.locator("main")).to_contain_text("submitted by Sam Submitter")
    kpi_table = page.locator("table", has=page.locator("caption", has_text="KPIs"))
    expect(kpi_table).to_be_visible()
    missed = kpi_table.get_by_role("row").filter(has_text="Missed visits")
    expect(missed).to_contain_text("1.0%")  # 10 of 1000 planned
    expect(kpi_table.get_by_role("row").filter(has_text="Outcomes met")).to_contain_text("85.0%")
    expect(page.get_by_text("Status: Submitted")).to_be_visible()

    # An empty question: both fields are errors, in the summary and at the fields.
    page.get_by_role("button", name="Send question").click()
    expect(summary).to_be_visible()
    assert page.title().startswith("Error: "), page.title()
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(page.locator(".govuk-error-message")).to_have_count(2)
    tab.check()
    # GOV.UK Frontend's error summary moves focus to the field its link names.
    summary.get_by_role("link").first.click()
    expect(page.locator("#query-target")).to_be_focused()

    page.get_by_label("Which answer is your question about?").select_option("kpis:missed_visits")
    page.get_by_label("Your question", exact=True).fill(QUESTION)
    page.get_by_role("button", name="Send question").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Your question has been sent to {PROVIDER}"
    )
    expect(summary).to_have_count(0)
    expect(page.get_by_text("Status: Queried")).to_be_visible()
    thread = page.locator("#thread ~ .app-comment")
    expect(thread).to_have_count(1)
    expect(thread).to_contain_text("About: KPIs: Missed visits")
    expect(thread).to_contain_text(QUESTION)
    expect(thread).to_contain_text("about version 1")
    # Queried: nothing more to do until the provider resubmits.
    expect(page.get_by_role("button", name="Send question")).to_have_count(0)
    expect(page.get_by_role("button", name="Accept return")).to_have_count(0)
    tab.check()
    tab.sign_out()
    tab.check()

    # The provider's users are emailed the question, with a link to the return.
    question_subject = f"Medway Council has a question about your {MONTH} return"
    for address in (SUBMITTER, MANAGER):
        message = _mail(inbox, address, question_subject)
        body = _body(message)
        assert f"- KPIs: Missed visits: {QUESTION}" in body, body
        assert return_path in body, body

    # --- The provider replies, corrects missed visits and resubmits. --------------------
    tab.sign_in(SUBMITTER)
    expect(page.get_by_role("heading", level=1, name="Your returns")).to_be_visible()
    tab.check()
    # Queried and reopened, it is among the returns to do.
    medway = page.locator("h3", has_text="Medway Council").locator("xpath=following-sibling::ul[1]")
    link = medway.get_by_role("link", name=re.compile(rf"^{MONTH}: "))
    expect(link).to_have_count(1)
    link.click()
    expect(page.get_by_role("heading", level=1, name=f"Return for {MONTH}")).to_be_visible()
    assert page.url.endswith(return_path)
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "Medway Council has a question about this return"
    )
    question = page.locator(".app-comment")
    expect(question).to_contain_text("About: KPIs: Missed visits")
    expect(question).to_contain_text(QUESTION)
    tab.check()

    # An empty reply is an error at the reply box.
    question.get_by_role("button", name="Send reply").click()
    expect(summary).to_be_visible()
    expect(page.locator(".app-comment .govuk-error-message")).to_be_visible()
    tab.check()
    page.get_by_label("Your reply to this question").fill(REPLY)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your reply has been sent"
    )
    expect(page.locator(".app-comment")).to_contain_text("Reply from Sam Submitter")
    expect(page.locator(".app-comment")).to_contain_text(REPLY)
    tab.check()

    page.get_by_role("link", name="KPIs", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="KPIs")).to_be_visible()
    expect(page.locator("#missed_visits")).to_have_value("10")
    tab.check()
    page.locator("#missed_visits").fill("12")
    save_confirming_warnings(tab, page.get_by_role("button", name="Save and continue"))
    expect(page.get_by_role("heading", level=1, name=f"Return for {MONTH}")).to_be_visible()
    expect(page.locator("#section-kpis-status")).to_have_text("Completed")
    tab.check()

    page.get_by_role("button", name="Check your answers and submit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your answers")
    expect(page.get_by_text("Not completed")).to_have_count(0)
    tab.check()
    page.get_by_role("button", name="Submit return").click()
    expect(page.get_by_role("heading", level=1, name="Return submitted")).to_be_visible()
    reference = page.locator("#reference").inner_text().strip()
    assert reference == v1_reference[: -len("V1")] + "V2", reference
    tab.check()
    _mail(inbox, SUBMITTER, f"Return received: Medway Council, {MONTH} ({reference})")
    # The commissioner was told of the reply and of the resubmission.
    replied = _mail(inbox, COMMISSIONER, f"{PROVIDER} replied to your question about their {MONTH}")
    assert REPLY in _body(replied)
    _mail(inbox, COMMISSIONER, f"{PROVIDER} has resubmitted their {MONTH} return")
    tab.sign_out()

    # --- The commissioner sees version 2 and the reply, and accepts. --------------------
    tab.sign_in(COMMISSIONER)
    expect(page.get_by_role("heading", level=1, name="Your providers")).to_be_visible()
    _open_review(tab, "Review")
    expect(page.locator("main")).to_contain_text(f"Version 2 (reference {reference})")
    expect(page.get_by_text("Status: Submitted")).to_be_visible()
    kpi_table = page.locator("table", has=page.locator("caption", has_text="KPIs"))
    expect(kpi_table.get_by_role("row").filter(has_text="Missed visits")).to_contain_text("1.2%")
    thread = page.locator(".app-comment")
    expect(thread).to_contain_text(QUESTION)
    expect(thread).to_contain_text("Reply from Sam Submitter")
    expect(thread).to_contain_text(REPLY)
    page.get_by_label("Comment for the provider (optional)").fill("Thank you for correcting it.")
    page.get_by_role("button", name="Accept return").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"You have accepted the {MONTH} return"
    )
    expect(page.get_by_text("Status: Accepted")).to_be_visible()
    expect(
        page.locator(".app-comment").filter(has_text="Thank you for correcting it.")
    ).to_contain_text("Accepted")
    expect(page.get_by_role("button", name="Accept return")).to_have_count(0)
    tab.check()
    tab.sign_out()

    accepted_subject = f"Medway Council has accepted your {MONTH} return"
    for address in (SUBMITTER, MANAGER):
        assert return_path in _body(_mail(inbox, address, accepted_subject))

    # --- The provider sees the return accepted. ---------------------------------------
    tab.sign_in(SUBMITTER)
    expect(page.get_by_role("heading", level=1, name="Your returns")).to_be_visible()
    past = page.get_by_role("table", name="Past returns")
    row = past.get_by_role("row").filter(
        has=page.get_by_role("link", name=f"{MONTH} return to Medway Council")
    )
    expect(row).to_contain_text("Accepted")
    tab.check()
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1, name=f"Return for {MONTH}")).to_be_visible()
    expect(page.get_by_text("Status: Accepted")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Medway Council has accepted this return")
    expect(page.locator(".govuk-warning-text")).to_have_count(0)
    expect(page.get_by_role("button", name="Send reply")).to_have_count(0)
    tab.check()
