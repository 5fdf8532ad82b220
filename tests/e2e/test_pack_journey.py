"""Quarterly contract-meeting packs in a real browser: a commissioner opens Packs, builds
Riverside's pack for July to September 2026 with the real builder (jobs run in-process in
the live server, so it may be ready at once), downloads the PDF and reads it, and records
an action from the meeting; the provider explains its red KPIs for the meeting. Every
page on the way passes axe.

Other tests in the session use Riverside's September and October 2026 returns, so this
one prepares its own: Riverside's August 2026 Medway return, submitted as version 1 with
two red KPIs (missed visits and punctuality)."""

from __future__ import annotations

import io
import re
from datetime import date

from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from tests.e2e.conftest import submit_demo_return
from tests.examples import EXAMPLE_KPIS

COMMISSIONER = "commissioner@medway.example"
SUBMITTER = "submitter@provider.example"
PROVIDER = "Riverside Home Support"
QUARTER_LABEL = "July to September 2026"
BUILD_TIMEOUT = 60_000  # ms: the builder renders the PDF inside the request here
RED_KPIS = {
    **EXAMPLE_KPIS,
    "delivered_visits": "940",
    "missed_visits": "60",
    "on_time_visits": "658",
}


def test_commissioner_builds_and_downloads_a_pack_and_the_provider_explains(tab, live_server):
    # Riverside's August 2026 Medway return, submitted with red KPIs.
    august = submit_demo_return(live_server, date(2026, 8, 1), RED_KPIS, "e2e-pack-journey-key")
    provider_id, return_id = august.provider_id, august.return_id
    page = tab.page
    main = page.locator("main")

    # --- The commissioner opens Packs: Riverside's pack is not built yet. -----------------
    tab.sign_in(COMMISSIONER)
    expect(page.get_by_role("heading", level=1, name="Your providers")).to_be_visible()
    page.get_by_role("link", name="Packs", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Contract-meeting packs")).to_be_visible()
    expect(page.get_by_label("Quarter")).to_have_value("2026-Q3")
    expect(main).to_contain_text(f"Provider packs for {QUARTER_LABEL}")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=PROVIDER, exact=True))
    expect(row).to_contain_text("Not built")
    tab.check()

    # --- Builds it, and watches it until it is ready. -------------------------------------
    row.get_by_role("button", name=f"Build pack for {PROVIDER}").click()
    expect(
        page.get_by_role("heading", level=1, name=f"{PROVIDER}: contract-meeting pack")
    ).to_be_visible(timeout=BUILD_TIMEOUT)
    expect(main).to_contain_text(QUARTER_LABEL)
    # Queued or being built, the fragment polls itself (every 2 seconds) until it is done.
    expect(page.get_by_text("The pack is ready.")).to_be_visible(timeout=BUILD_TIMEOUT)
    expect(page.get_by_text("could not be built")).to_have_count(0)
    pdf_link = page.get_by_role("link", name="Download the pack (PDF)")
    expect(pdf_link).to_be_visible()
    expect(page.get_by_role("link", name="Download the pack (XLSX)")).to_be_visible()
    expect(page.get_by_role("button", name=f"Build again for {PROVIDER}")).to_be_visible()
    tab.check()

    # --- Downloads the PDF: it is Riverside's, for the quarter. ---------------------------
    with page.expect_download() as download_info:
        pdf_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    text = " ".join((p.extract_text() or "") for p in PdfReader(download.path()).pages)
    text = " ".join(text.split())
    assert PROVIDER in text, text[:500]
    assert QUARTER_LABEL in text, text[:500]

    # --- Records an action from the meeting (an empty one first: an error). -----------------
    actions = page.locator("#actions")
    expect(actions).to_be_visible()
    expect(main).to_contain_text(f"No actions have been recorded for {PROVIDER} yet.")
    page.get_by_role("button", name="Add action").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the action agreed at the meeting")
    assert page.title().startswith("Error: "), page.title()
    tab.check()
    page.get_by_label("Action", exact=True).fill("Send the missed visits recovery plan")
    page.get_by_label("Owner (optional)").fill("Registered manager")
    page.get_by_label("Day").fill("15")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Add action").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Action added")
    action_row = page.get_by_role("row").filter(has_text="Send the missed visits recovery plan")
    expect(action_row).to_contain_text("15 January 2027")
    expect(action_row).to_contain_text("Open")
    tab.check()

    # --- Back on the list, the pack is ready. ------------------------------------------------
    page.get_by_role("link", name="Back to contract-meeting packs").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=PROVIDER, exact=True))
    expect(row).to_contain_text("Ready")
    expect(row).to_contain_text(re.compile(r"Built \d{1,2} \w+ 2026"))
    tab.check()
    tab.sign_out()

    # --- The provider explains its red KPIs for the meeting. --------------------------------
    tab.sign_in(SUBMITTER)
    expect(page.get_by_role("heading", level=1, name="Your returns")).to_be_visible()
    tab.goto(f"/provider/{provider_id}/returns/{return_id}")
    page.get_by_role("link", name="Explain the red KPIs for the contract meeting").click()
    expect(page.get_by_role("heading", level=1, name="Explain red KPIs")).to_be_visible()
    expect(main).to_contain_text("2 KPIs were red")
    tab.check()
    page.get_by_label("Missed visits").fill("Two carers left in August; three have started.")
    page.get_by_role("button", name="Save commentary").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your commentary has been saved"
    )
    expect(page.get_by_label("Missed visits")).to_have_value(
        "Two carers left in August; three have started."
    )
    tab.check()


def test_a_framework_summary_pack_without_javascript(tab_without_js, live_server):
    """Without JavaScript the build is a plain POST and redirect; the pack page itself says
    how the pack is getting on (here it is built within the request)."""
    from openpyxl import load_workbook

    tab = tab_without_js
    page = tab.page
    tab.sign_in(COMMISSIONER)
    expect(page.get_by_role("heading", level=1, name="Your providers")).to_be_visible()
    page.get_by_role("link", name="Packs", exact=True).click()
    frameworks = page.locator("#frameworks + table")
    row = frameworks.get_by_role("row").nth(1)  # the first framework, below the header
    name = row.get_by_role("rowheader").inner_text().strip()
    expect(row).to_contain_text("Not built")
    tab.check()
    row.get_by_role("button", name=f"Build pack for {name}").click()
    expect(
        page.get_by_role("heading", level=1, name=f"{name}: framework summary pack")
    ).to_be_visible(timeout=BUILD_TIMEOUT)
    expect(page.get_by_text("The pack is ready.")).to_be_visible()
    expect(page.locator("#actions")).to_have_count(0)  # actions belong to provider packs
    tab.check()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the pack (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    workbook = load_workbook(io.BytesIO(download.path().read_bytes()), read_only=True)
    cells = " ".join(
        str(value)
        for sheet in workbook.worksheets
        for row_values in sheet.iter_rows(values_only=True)
        for value in row_values
        if value is not None
    )
    assert name in cells, cells[:500]


def test_the_pack_page_follows_a_queued_build_until_it_is_ready(tab, live_server):
    """A pack still waiting for a worker: the page says so and polls (htmx) until the job
    has run, then shows the downloads without a reload."""
    from portal.background.jobs import run_job
    from portal.extensions import db
    from portal.models import Council, Provider
    from portal.models.work import Job
    from portal.packs import PACK, pack_key

    with live_server.app.app_context():
        council = db.session.scalar(select(Council).where(Council.slug == "medway"))
        provider = db.session.scalar(select(Provider).where(Provider.name == "Castle View Care"))
        job = Job(
            kind=PACK,
            key=pack_key(council.id, provider.id, "2026-Q3"),
            queue="reports",
            status="queued",
            params={"council_id": council.id, "provider_id": provider.id, "quarter": "2026-Q3"},
            council_id=council.id,
            provider_id=provider.id,
        )
        db.session.add(job)
        db.session.commit()
        council_id, provider_id, job_id = council.id, provider.id, job.id

    page = tab.page
    tab.sign_in(COMMISSIONER)
    expect(page.get_by_role("heading", level=1, name="Your providers")).to_be_visible()
    tab.goto(f"/council/{council_id}/packs/pack?provider={provider_id}&quarter=2026-Q3")
    expect(page.get_by_role("status")).to_contain_text("The pack is waiting to start.")
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Build"))).to_have_count(0)
    tab.check()
    url = page.url
    with live_server.app.app_context():
        assert run_job(job_id) == "done"
    expect(page.get_by_text("The pack is ready.")).to_be_visible(timeout=BUILD_TIMEOUT)
    expect(page.get_by_role("link", name="Download the pack (PDF)")).to_be_visible()
    assert page.url == url
    tab.check()
