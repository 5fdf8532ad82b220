"""The monthly return journey in a real browser: a provider user fills every section of a
seeded return, is shown errors for bad values, fixes them, submits, and gets a reference
on screen and by email (a real local SMTP server). Every page and error state passes axe.

The first journey uses the keyboard only (JavaScript on): every control is reached with
Tab and used with Enter, Space, the arrow keys and typing, so a control the keyboard
cannot reach fails the test. The second makes the same journey with JavaScript off.

Both share the session's live server, so each uses its own return (October 2026, to
Medway and to Waltham Forest) and its own staff members."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import DEMO_PASSWORD

SUBMITTER = "submitter@provider.example"
TAB_LIMIT = 150  # presses of Tab to reach a control, wrapping round the page at most once


# --- the keyboard ---------------------------------------------------------------------


class Keys:
    """Moves and acts with the keyboard only: Tab to a control, then type or press."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def focus(self, target: Locator, limit: int = TAB_LIMIT) -> None:
        """Press Tab until ``target`` has focus; fail if it never gets it."""
        for _ in range(limit):
            if target.evaluate("el => el === document.activeElement"):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"{target} cannot be reached with the Tab key")

    def press(self, target: Locator, key: str = "Enter") -> None:
        self.focus(target)
        self.page.keyboard.press(key)

    def type(self, target: Locator, text: str) -> None:
        """Tab to a box and replace what is in it."""
        self.focus(target)
        self.replace(text)

    def replace(self, text: str) -> None:
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.press("Delete")
        if text:
            self.page.keyboard.type(text)

    def date(self, prefix: str, day: str, month: str, year: str) -> None:
        """A GOV.UK date input: day, then Tab to month and year."""
        self.type(self.page.locator(f"#{prefix}-day"), day)
        for part, value in (("month", month), ("year", year)):
            self.page.keyboard.press("Tab")
            expect(self.page.locator(f"#{prefix}-{part}")).to_be_focused()
            self.replace(value)

    def tick(self, checkbox: Locator) -> None:
        self.focus(checkbox)
        if not checkbox.is_checked():
            self.page.keyboard.press("Space")
        expect(checkbox).to_be_checked()

    def choose(self, radio: Locator) -> None:
        """Tab into the radio group, select with Space, then arrow on to ``radio``."""
        name = radio.get_attribute("name")
        for _ in range(TAB_LIMIT):
            if self.page.evaluate(
                "name => document.activeElement?.type === 'radio'"
                " && document.activeElement.name === name",
                name,
            ):
                break
            self.page.keyboard.press("Tab")
        else:
            raise AssertionError(f"the {name} radios cannot be reached with the Tab key")
        self.page.keyboard.press("Space")
        for _ in range(10):
            if radio.is_checked():
                break
            self.page.keyboard.press("ArrowDown")
        expect(radio).to_be_checked()
        expect(radio).to_be_focused()

    def select(self, select: Locator, option: str) -> None:
        """Tab to a select and type the start of an option (the browser's type-ahead)."""
        self.focus(select)
        self.page.keyboard.type(option)
        assert select.evaluate("el => el.selectedOptions[0].textContent.trim()") == option

    def follow(self, link: Locator) -> None:
        self.press(link, "Enter")


def radio(page: Page, name: str, value: str) -> Locator:
    return page.locator(f'input[type="radio"][name="{name}"][value="{value}"]')


def error_summary_link_moves_focus(keys: Keys, text: str, field: Locator) -> None:
    """The summary has focus when the page loads; its link takes focus to the field."""
    page = keys.page
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    keys.follow(summary.get_by_role("link", name=text))
    expect(field).to_be_focused()


def tick_soft_warnings(page: Page, keys: Keys | None = None) -> int:
    """Tick "this is correct" for every soft warning shown. Returns how many."""
    boxes = page.locator("#soft-warnings input[name='confirm_warning']")
    for index in range(boxes.count()):
        if keys:
            keys.tick(boxes.nth(index))
        else:
            boxes.nth(index).check()
    return boxes.count()


def save_confirming_warnings(tab, save: Locator, keys: Keys | None = None) -> None:
    """Save; if the page comes back asking to confirm soft warnings (values that may be
    mistakes, such as a figure unchanged for 3 months), tick each one and save again."""
    page = tab.page
    check = tab.check if tab.javascript else tab.check_accessibility
    act = (lambda: keys.press(save)) if keys else save.click
    with page.expect_navigation():
        act()
    if page.locator("#soft-warnings").count():
        expect(page.locator(".govuk-error-summary")).to_contain_text("Tick the box to confirm")
        check()
        tick_soft_warnings(page, keys)
        with page.expect_navigation():
            act()


def section_status(page: Page, code: str) -> Locator:
    return page.locator(f"#section-{code}-status")


def receipt_for(inbox, reference: str):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message in inbox.to(SUBMITTER):
            if reference in message["Subject"]:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no receipt for {reference} reached {SUBMITTER}")


# --- keyboard only, JavaScript on -------------------------------------------------------


def test_keyboard_only_journey_with_javascript(tab, live_server):
    page = tab.page
    keys = Keys(page)

    # Sign in.
    tab.goto("/sign-in")
    tab.check()
    keys.type(page.locator("#email"), SUBMITTER)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    keys.press(page.get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", level=1, name="Your returns")).to_be_visible()
    tab.check()

    # Open the October 2026 return to Medway.
    medway = page.locator("h3", has_text="Medway Council").locator("xpath=following-sibling::ul[1]")
    keys.follow(medway.get_by_role("link", name="October 2026: Support to Live at Home (Homecare)"))
    expect(page.get_by_role("heading", level=1, name="Return for October 2026")).to_be_visible()
    expect(page.locator(".govuk-caption-l, .govuk-caption-m").first).to_contain_text("Medway")
    for code in ("kpis", "capacity", "handbacks", "training", "workforce"):
        expect(section_status(page, code)).not_to_have_text("Completed")
    tab.check()

    # KPIs: the results update as the user types; visits delivered more than planned is
    # an error; delivered hours more than commissioned is a warning to confirm.
    keys.follow(page.get_by_role("link", name="KPIs", exact=True))
    expect(page.get_by_role("heading", level=1, name="KPIs")).to_be_visible()
    tab.check()
    results = page.locator("#kpi-results")
    missed_row = results.get_by_role("row").filter(has_text="Missed visits")
    expect(missed_row).to_contain_text("Not applicable")
    kpis = {
        "planned_visits": "400",
        "delivered_visits": "410",  # more than planned
        "missed_visits": "6",
        "on_time_visits": "360",
        "ecm_visits": "350",
        "commissioned_hours": "1520.5",
        "delivered_hours": "1530",  # more than commissioned: a soft warning
        "referrals_offered": "12",
        "referrals_accepted": "10",
        "packages_started_on_time": "9",
        "complaints": "1",
        "compliments": "4",
        "safeguarding_concerns": "0",
        "users_reviewed": "20",
        "outcomes_met": "17",
    }
    for name, value in kpis.items():
        keys.type(page.locator(f"#{name}"), value)
        if name == "missed_visits":
            # htmx: worked out from what is typed, before anything is saved.
            expect(results).to_contain_text("as you type, not saved yet")
            expect(missed_row).to_contain_text("1.5%")
            expect(missed_row).to_contain_text("Green")
    outcomes_row = results.get_by_role("row").filter(has_text="Outcomes met")
    expect(outcomes_row).to_contain_text("85.0%")
    tab.check()
    keys.press(page.get_by_role("button", name="Save and continue"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Visits delivered must be the same as or fewer than planned visits"
    )
    assert page.title().startswith("Error: KPIs")
    expect(page.locator("#delivered_visits-error")).to_be_visible()
    tab.check()
    error_summary_link_moves_focus(
        keys,
        "Visits delivered must be the same as or fewer than planned visits",
        page.locator("#delivered_visits"),
    )
    keys.replace("395")
    keys.press(page.get_by_role("button", name="Save and continue"))
    warning = "Delivered hours (1530) are more than commissioned hours (1520.5)"
    expect(page.locator(".govuk-error-summary")).to_contain_text(warning)
    expect(page.locator("#soft-warnings")).to_contain_text(f"{warning}: this is correct")
    tab.check()
    error_summary_link_moves_focus(
        keys,
        re.compile(re.escape(warning)),
        page.locator("#confirm-delivered_hours-over_commissioned"),
    )
    # The figures were saved (the section is in progress): the results are no longer
    # "as you type".
    expect(results).not_to_contain_text("as you type")
    expect(missed_row).to_contain_text("1.5%")
    assert tick_soft_warnings(page, keys) >= 1
    keys.press(page.get_by_role("button", name="Save and continue"))
    expect(page.get_by_role("heading", level=1, name="Return for October 2026")).to_be_visible()
    expect(section_status(page, "kpis")).to_have_text("Completed")
    tab.check()

    # Capacity: one row for each of the contract's 7 postcode districts.
    keys.follow(page.get_by_role("link", name="Capacity", exact=True))
    expect(page.get_by_role("heading", level=1, name="Capacity")).to_be_visible()
    areas = ["ME1", "ME2", "ME3", "ME4", "ME5", "ME7", "ME8"]
    expect(page.locator(".app-capacity-area h2")).to_have_text(areas)
    tab.check()
    for i, _area in enumerate(areas):
        row = f"areas-{i}-"
        if i == 0:
            keys.type(page.locator(f"#{row}spare_hours"), "12.5")
            keys.date(f"{row}earliest_start", "2", "11", "2026")
            keys.choose(radio(page, f"{row}double_handed", "yes"))
            keys.choose(radio(page, f"{row}night_support", "no"))
            keys.tick(page.locator(f"input[name='{row}specialist'][value='dementia']"))
            keys.date(f"{row}valid_until", "31", "2", "2027")  # not a real date
        else:
            keys.type(page.locator(f"#{row}spare_hours"), "0")
            keys.choose(radio(page, f"{row}double_handed", "no"))
            keys.choose(radio(page, f"{row}night_support", "no"))
            keys.date(f"{row}valid_until", "31", "12", "2026")
    keys.press(page.get_by_role("button", name="Save and continue"))
    date_error = "Valid until date for ME1 must be a real date"
    expect(page.locator(".govuk-error-summary")).to_contain_text(date_error)
    expect(page.locator("#areas-0-valid_until-error")).to_contain_text(date_error)
    tab.check()
    error_summary_link_moves_focus(keys, date_error, page.locator("#areas-0-valid_until-day"))
    keys.replace("28")
    # What was typed in the other areas is still there.
    expect(page.locator("#areas-6-valid_until-year")).to_have_value("2026")
    save_confirming_warnings(tab, page.get_by_role("button", name="Save and continue"), keys)
    expect(section_status(page, "capacity")).to_have_text("Completed")
    tab.check()

    # Handbacks: fill one, add another row (htmx swaps the form), fill it, save.
    keys.follow(page.get_by_role("link", name="Handbacks", exact=True))
    expect(page.get_by_role("heading", level=1, name="Handbacks")).to_be_visible()
    expect(page.locator(".app-handback")).to_have_count(1)
    tab.check()
    keys.type(page.locator("#rows-0-reference"), "MED-PKG-1041")
    keys.date("rows-0-notice_date", "2", "10", "2026")
    keys.date("rows-0-end_date", "30", "10", "2026")
    keys.type(page.locator("#rows-0-weekly_hours"), "10.5")
    keys.choose(radio(page, "rows-0-service_type", "homecare"))
    keys.select(page.locator("#rows-0-area"), "ME4")
    keys.choose(radio(page, "rows-0-reason", "staffing"))
    keys.press(page.get_by_role("button", name="Add another handback"))
    expect(page.locator(".app-handback")).to_have_count(2)
    # htmx keeps focus on the button (by its id), so the keyboard user is not lost.
    expect(page.get_by_role("button", name="Add another handback")).to_be_focused()
    expect(page.get_by_role("heading", level=2, name="Handback 2")).to_be_visible()
    expect(page.locator("#rows-0-reference")).to_have_value("MED-PKG-1041")
    expect(page.locator("#rows-1-reference")).to_have_value("")
    tab.check()
    keys.type(page.locator("#rows-1-reference"), "MED-PKG-1107")
    keys.date("rows-1-notice_date", "9", "10", "2026")
    keys.date("rows-1-end_date", "23", "10", "2026")
    keys.type(page.locator("#rows-1-weekly_hours"), "7")
    keys.choose(radio(page, "rows-1-service_type", "reablement"))
    keys.select(page.locator("#rows-1-area"), "Whole council area")
    keys.choose(radio(page, "rows-1-reason", "other"))
    keys.type(page.locator("#rows-1-reason_details"), "The person moved out of the area")
    keys.press(page.get_by_role("button", name="Save and continue"))
    expect(section_status(page, "handbacks")).to_have_text("Completed")
    tab.check()

    # Training and staff: add a staff member and a training record, then confirm.
    keys.follow(page.get_by_role("link", name="Training and staff", exact=True))
    expect(page.get_by_role("heading", level=1, name="Training and staff")).to_be_visible()
    tab.check()
    keys.follow(page.get_by_role("button", name="Add a staff member"))
    expect(page.get_by_role("heading", level=1, name="Add a staff member")).to_be_visible()
    tab.check()
    keys.type(page.locator("#worker_id"), "KB-CW-01")
    keys.select(page.locator("#branch"), "Riverside Home Support - Medway")
    keys.select(page.locator("#main_job_role"), "Care worker")
    keys.date("start_date", "3", "3", "2025")
    keys.choose(radio(page, "employment_status", "1"))
    keys.choose(radio(page, "zero_hours", "2"))
    keys.type(page.locator("#contracted_hours"), "30")
    keys.type(page.locator("#hourly_rate"), "12.85")
    keys.choose(radio(page, "care_certificate", "1"))
    keys.choose(radio(page, "health_care_visa", "2"))
    keys.press(page.get_by_role("button", name="Add staff member"))
    expect(page.get_by_text("Staff member KB-CW-01 added")).to_be_visible()
    card = page.locator(".govuk-summary-card", has_text="Worker ID KB-CW-01")
    expect(card).to_contain_text("Care worker")
    expect(card.get_by_role("row").filter(has_text="Safeguarding adults")).to_contain_text(
        "Missing"
    )
    tab.check()
    keys.follow(card.get_by_role("link", name="Add training KB-CW-01"))
    expect(page.get_by_role("heading", level=1, name="Add training for KB-CW-01")).to_be_visible()
    tab.check()
    keys.select(page.locator("#category"), "Safeguarding adults")
    keys.type(page.locator("#training_name"), "Safeguarding adults level 2")
    keys.date("date_completed", "14", "9", "2026")
    keys.type(page.locator("#validity"), "12")
    keys.choose(radio(page, "accredited", "1"))
    keys.choose(radio(page, "who_delivered", "1"))
    keys.choose(radio(page, "how_delivered", "1"))
    keys.press(page.get_by_role("button", name="Add training"))
    expect(page.get_by_text("Safeguarding adults training added for KB-CW-01")).to_be_visible()
    card = page.locator(".govuk-summary-card", has_text="Worker ID KB-CW-01")
    safeguarding = card.get_by_role("row").filter(has_text="Safeguarding adults level 2")
    expect(safeguarding).to_contain_text("13 September 2027")
    expect(safeguarding).to_contain_text("Up to date")
    tab.check()
    keys.tick(page.get_by_role("checkbox", name="I have added all staff and their training"))
    keys.press(page.get_by_role("button", name="Save and continue"))
    expect(section_status(page, "training")).to_have_text("Completed")
    tab.check()

    # Workforce: filled in from the staff records; replace every figure, provoke a
    # cross-field error (lowest pay above the median) and fix it.
    keys.follow(page.get_by_role("link", name="Workforce", exact=True))
    expect(page.get_by_role("heading", level=1, name="Workforce")).to_be_visible()
    expect(page.locator("#workforce-notice")).to_have_text(
        "We have filled in some figures from your staff records. Check them before you save"
    )
    tab.check()
    workforce = {
        "headcount": "12",
        "fte": "9.5",
        "vacancies": "1.5",
        "starters": "1",
        "leavers": "0",
        "sickness_days": "4.5",
        "agency_hours": "0",
        "visa_staff": "2",
        "lowest_pay": "14.00",  # more than the median
        "median_pay": "13.50",
        "rlw_staff": "7",
        "zero_hours_staff": "3",
        "care_cert_completed": "8",
        "care_cert_in_progress": "3",
        "care_cert_not_started": "1",
    }
    choices = {"sponsor_licence": "none", "registered_manager": "yes", "travel_time_paid": "yes"}
    page_order = [
        "headcount", "fte", "vacancies", "starters", "leavers", "sickness_days",
        "agency_hours", "visa_staff", "sponsor_licence", "registered_manager", "lowest_pay",
        "median_pay", "rlw_staff", "travel_time_paid", "zero_hours_staff",
        "care_cert_completed", "care_cert_in_progress", "care_cert_not_started",
    ]  # fmt: skip
    for name in page_order:
        if name in choices:
            keys.choose(radio(page, name, choices[name]))
        else:
            keys.type(page.locator(f"#{name}"), workforce[name])
    keys.press(page.get_by_role("button", name="Save and continue"))
    pay_error = "Lowest hourly pay must be the same as or less than median hourly pay"
    expect(page.locator(".govuk-error-summary")).to_contain_text(pay_error)
    expect(page.locator("#lowest_pay-error")).to_contain_text(pay_error)
    tab.check()
    error_summary_link_moves_focus(keys, pay_error, page.locator("#lowest_pay"))
    keys.replace("12.60")
    save_confirming_warnings(tab, page.get_by_role("button", name="Save and continue"), keys)
    for code in ("kpis", "capacity", "handbacks", "training", "workforce"):
        expect(section_status(page, code)).to_have_text("Completed")
    tab.check()

    # Check your answers, submit, and get a reference on screen and by email.
    keys.follow(page.get_by_role("button", name="Check your answers and submit"))
    expect(
        page.get_by_role("heading", level=1, name="Check your answers before you submit")
    ).to_be_visible()
    expect(page.get_by_text("Not completed")).to_have_count(0)
    sections = page.locator("#sections")
    expect(sections).to_contain_text("MED-PKG-1041")
    expect(sections).to_contain_text("Worker ID KB-CW-01")
    expect(sections).to_contain_text("£12.60")
    tab.check()
    keys.press(page.get_by_role("button", name="Submit return"))
    expect(page.get_by_role("heading", level=1, name="Return submitted")).to_be_visible()
    reference = page.locator("#reference").inner_text().strip()
    assert re.fullmatch(r"MEDWAY-202610-P\d+C\d+-V1", reference), reference
    expect(page.locator(".govuk-panel")).to_contain_text(reference)
    expect(page.get_by_text(f"We have sent a receipt to {SUBMITTER}")).to_be_visible()
    tab.check()
    receipt = receipt_for(live_server.inbox, reference)
    assert "Medway Council" in receipt["Subject"]
    assert f"Reference: {reference}" in receipt.get_body(("plain",)).get_content()


# --- the same journey with JavaScript off ---------------------------------------------


def test_same_journey_without_javascript(tab_without_js, live_server):
    tab = tab_without_js
    page = tab.page
    tab.sign_in(SUBMITTER)
    expect(page.get_by_role("heading", level=1, name="Your returns")).to_be_visible()
    tab.check_accessibility()

    waltham = page.locator("h3", has_text="London Borough of Waltham Forest").locator(
        "xpath=following-sibling::ul[1]"
    )
    waltham.get_by_role("link", name="October 2026: Spot contract").click()
    expect(page.get_by_role("heading", level=1, name="Return for October 2026")).to_be_visible()
    tab.check_accessibility()

    # KPIs: a value that is not a number, fixed; the results show once saved.
    page.get_by_role("link", name="KPIs", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="KPIs")).to_be_visible()
    expect(page.locator("#kpi-results")).not_to_contain_text("as you type")
    tab.check_accessibility()
    kpis = {
        "planned_visits": "two hundred",
        "delivered_visits": "196",
        "missed_visits": "3",
        "on_time_visits": "180",
        "ecm_visits": "190",
        "commissioned_hours": "640",
        "delivered_hours": "622.75",
        "referrals_offered": "5",
        "referrals_accepted": "4",
        "packages_started_on_time": "4",
        "complaints": "0",
        "compliments": "2",
        "safeguarding_concerns": "1",
        "users_reviewed": "8",
        "outcomes_met": "6",
    }
    for name, value in kpis.items():
        page.locator(f"#{name}").fill(value)
    page.get_by_role("button", name="Save and continue").click()
    number_error = "Planned visits must be a whole number, like 120"
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(number_error)
    assert page.title().startswith("Error: KPIs")
    tab.check_accessibility()
    summary.get_by_role("link", name=number_error).click()
    assert page.url.endswith("#planned_visits")
    page.locator("#planned_visits").fill("200")
    save_confirming_warnings(tab, page.get_by_role("button", name="Save and continue"))
    expect(section_status(page, "kpis")).to_have_text("Completed")
    tab.check_accessibility()
    page.get_by_role("link", name="KPIs", exact=True).click()
    results = page.locator("#kpi-results")
    expect(results.get_by_role("row").filter(has_text="Missed visits")).to_contain_text("1.5%")
    expect(results.get_by_role("row").filter(has_text="Outcomes met")).to_contain_text("75.0%")
    expect(results.get_by_role("row").filter(has_text="Outcomes met")).to_contain_text("Amber")
    expect(page.locator("#planned_visits")).to_have_value("200")
    tab.check_accessibility()
    page.get_by_role("link", name="Back to your return").click()

    # Capacity: a spot contract has one row, for the whole council area.
    page.get_by_role("link", name="Capacity", exact=True).click()
    expect(page.locator(".app-capacity-area h2")).to_have_text(["Whole council area"])
    tab.check_accessibility()
    page.get_by_label("Spare weekly hours for new packages").fill("20")
    page.locator("#areas-0-earliest_start-day").fill("31")
    page.locator("#areas-0-earliest_start-month").fill("9")  # 31 September
    page.locator("#areas-0-earliest_start-year").fill("2026")
    radio(page, "areas-0-double_handed", "yes").check()
    radio(page, "areas-0-night_support", "yes").check()
    page.get_by_label("Complex needs").check()
    page.locator("#areas-0-valid_until-day").fill("31")
    page.locator("#areas-0-valid_until-month").fill("1")
    page.locator("#areas-0-valid_until-year").fill("2027")
    page.get_by_role("button", name="Save and continue").click()
    date_error = "Earliest start date must be a real date"
    expect(summary).to_contain_text(date_error)
    tab.check_accessibility()
    summary.get_by_role("link", name=date_error).click()
    assert page.url.endswith("#areas-0-earliest_start-day")
    page.locator("#areas-0-earliest_start-day").fill("30")
    save_confirming_warnings(tab, page.get_by_role("button", name="Save and continue"))
    expect(section_status(page, "capacity")).to_have_text("Completed")
    tab.check_accessibility()

    # Handbacks: "Add another handback" and "Remove handback 2" are full form posts.
    page.get_by_role("link", name="Handbacks", exact=True).click()
    expect(page.locator(".app-handback")).to_have_count(1)
    tab.check_accessibility()
    page.get_by_label("Council package reference").fill("WF-HB-2290")
    page.locator("#rows-0-notice_date-day").fill("12")
    page.locator("#rows-0-notice_date-month").fill("10")
    page.locator("#rows-0-notice_date-year").fill("2026")
    page.locator("#rows-0-end_date-day").fill("26")
    page.locator("#rows-0-end_date-month").fill("10")
    page.locator("#rows-0-end_date-year").fill("2026")
    page.get_by_label("Weekly hours").fill("14")
    radio(page, "rows-0-service_type", "homecare").check()
    expect(page.locator("#rows-0-area")).to_have_value("Whole council area")
    radio(page, "rows-0-reason", "travel").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Add another handback").click()
    expect(page.locator(".app-handback")).to_have_count(2)
    expect(page.locator("#rows-0-reference")).to_have_value("WF-HB-2290")
    expect(page.locator("#rows-0-end_date-day")).to_have_value("26")
    expect(radio(page, "rows-0-reason", "travel")).to_be_checked()
    tab.check_accessibility()
    with page.expect_navigation():
        page.get_by_role("button", name="Remove handback 2").click()
    expect(page.locator(".app-handback")).to_have_count(1)
    expect(page.locator("#rows-0-reference")).to_have_value("WF-HB-2290")
    page.locator("#save-handbacks").click()
    expect(section_status(page, "handbacks")).to_have_text("Completed")
    tab.check_accessibility()

    # Training and staff: add a staff member and their training; saving without ticking
    # the confirmation is an error.
    page.get_by_role("link", name="Training and staff", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Training and staff")).to_be_visible()
    tab.check_accessibility()
    page.get_by_role("button", name="Add a staff member").click()
    expect(page.get_by_role("heading", level=1, name="Add a staff member")).to_be_visible()
    tab.check_accessibility()
    page.get_by_label("Worker ID").fill("NJ-SCW-02")
    page.get_by_label("Branch").select_option(label="Riverside Home Support - Walthamstow")
    page.get_by_label("Main job role").select_option(label="Senior care worker")
    page.locator("#start_date-day").fill("1")
    page.locator("#start_date-month").fill("6")
    page.locator("#start_date-year").fill("2024")
    radio(page, "employment_status", "1").check()
    radio(page, "zero_hours", "1").check()  # contracted hours may then be blank
    page.get_by_label("Hourly rate of pay").fill("15.10")
    radio(page, "care_certificate", "3").check()
    radio(page, "health_care_visa", "1").check()
    page.get_by_role("button", name="Add staff member").click()
    expect(page.get_by_text("Staff member NJ-SCW-02 added")).to_be_visible()
    tab.check_accessibility()
    page.get_by_role("link", name="Add training NJ-SCW-02").click()
    expect(page.get_by_role("heading", level=1, name="Add training for NJ-SCW-02")).to_be_visible()
    tab.check_accessibility()
    page.get_by_label("Training category").select_option(label="Infection prevention and control")
    page.locator("#date_completed-day").fill("5")
    page.locator("#date_completed-month").fill("1")
    page.locator("#date_completed-year").fill("2026")
    page.locator("#expiry_date-day").fill("4")
    page.locator("#expiry_date-month").fill("1")
    page.locator("#expiry_date-year").fill("2027")
    radio(page, "accredited", "0").check()
    radio(page, "who_delivered", "2").check()
    page.get_by_label("Training provider (optional)").select_option(label="Skills for Care")
    radio(page, "how_delivered", "2").check()
    page.get_by_role("button", name="Add training").click()
    expect(
        page.get_by_text("Infection prevention and control training added for NJ-SCW-02")
    ).to_be_visible()
    card = page.locator(".govuk-summary-card", has_text="Worker ID NJ-SCW-02")
    # Expires 4 January 2027: within 90 days of the end of October.
    expect(
        card.get_by_role("row").filter(has_text="Infection prevention and control")
    ).to_contain_text("Expiring within 90 days")
    tab.check_accessibility()
    page.get_by_role("button", name="Save and continue").click()
    expect(summary).to_contain_text("Confirm you have added all staff and their training")
    tab.check_accessibility()
    page.get_by_label("I have added all staff and their training").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(section_status(page, "training")).to_have_text("Completed")
    tab.check_accessibility()

    # Workforce: the Care Certificate numbers add up to more than the headcount.
    page.get_by_role("link", name="Workforce", exact=True).click()
    expect(page.locator("#workforce-notice")).to_be_visible()
    tab.check_accessibility()
    figures = {
        "headcount": "6",
        "fte": "4.8",
        "vacancies": "1",
        "starters": "0",
        "leavers": "1",
        "sickness_days": "2",
        "agency_hours": "12.5",
        "visa_staff": "1",
        "lowest_pay": "14.80",
        "median_pay": "15.10",
        "rlw_staff": "6",
        "zero_hours_staff": "2",
        "care_cert_completed": "4",
        "care_cert_in_progress": "2",
        "care_cert_not_started": "1",  # 7, more than the 6 staff
    }
    for name, value in figures.items():
        page.locator(f"#{name}").fill(value)
    radio(page, "sponsor_licence", "active").check()
    radio(page, "registered_manager", "yes").check()
    radio(page, "travel_time_paid", "no").check()
    page.get_by_role("button", name="Save and continue").click()
    cert_error = "The Care Certificate numbers must add up to no more than the care staff headcount"
    expect(summary).to_contain_text(cert_error)
    tab.check_accessibility()
    page.locator("#care_cert_not_started").fill("0")
    save_confirming_warnings(tab, page.get_by_role("button", name="Save and continue"))
    for code in ("kpis", "capacity", "handbacks", "training", "workforce"):
        expect(section_status(page, code)).to_have_text("Completed")
    tab.check_accessibility()

    # Check your answers and submit.
    page.get_by_role("button", name="Check your answers and submit").click()
    expect(page.get_by_text("Not completed")).to_have_count(0)
    expect(page.locator("#sections")).to_contain_text("WF-HB-2290")
    tab.check_accessibility()
    page.get_by_role("button", name="Submit return").click()
    expect(page.get_by_role("heading", level=1, name="Return submitted")).to_be_visible()
    reference = page.locator("#reference").inner_text().strip()
    assert re.fullmatch(r"WALTHA-202610-P\d+C\d+-V1", reference), reference
    tab.check_accessibility()
    receipt = receipt_for(live_server.inbox, reference)
    assert "London Borough of Waltham Forest" in receipt["Subject"]
