"""Uploading the KPI section as a CSV in a real browser: a file with a mistake is refused
with the spreadsheet row and column of the problem, the corrected file shows what will
change, and confirming updates the KPI section. axe checks every page."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

KPIS = {
    "planned_visits": "1200", "delivered_visits": "1180", "missed_visits": "12",
    "on_time_visits": "1100", "ecm_visits": "1050", "commissioned_hours": "1810.5",
    "delivered_hours": "1790.25", "referrals_offered": "14", "referrals_accepted": "11",
    "packages_started_on_time": "10", "complaints": "2", "compliments": "6",
    "safeguarding_concerns": "1", "users_reviewed": "25", "outcomes_met": "21",
}  # fmt: skip


def _return_ids(live_server) -> tuple[int, int]:
    """The demo provider Castle View Care and its October 2026 return (open on TODAY)."""
    from portal.extensions import db
    from portal.models import Contract, MonthlyReturn, Provider
    from portal.returns import service

    with live_server.app.app_context():
        provider = db.session.scalar(select(Provider).where(Provider.slug == "castle-view-care"))
        service.returns_for_provider(provider.id)  # opens the returns if nobody has yet
        ret = db.session.scalar(
            select(MonthlyReturn)
            .join(Contract)
            .where(Contract.provider_id == provider.id, MonthlyReturn.period == date(2026, 10, 1))
            .order_by(Contract.id)
        )
        return provider.id, ret.id


def _kpi_csv(values: dict[str, str]) -> bytes:
    lines = ["kpi_code,value", *(f"{code},{value}" for code, value in values.items())]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _choose_and_check(page, label: str, data: bytes) -> None:
    page.get_by_label(label).set_input_files(
        {"name": "october kpis.csv", "mimeType": "text/csv", "buffer": data}
    )
    page.get_by_role("button", name="Check file").click()


def test_a_kpi_file_with_a_mistake_then_corrected_updates_the_section(tab, live_server):
    provider_id, return_id = _return_ids(live_server)
    page = tab.page
    tab.sign_in("manager@other-provider.example")
    tab.goto(f"/provider/{provider_id}/returns/{return_id}/section/kpis")
    expect(page.get_by_role("heading", level=1, name="KPIs")).to_be_visible()
    tab.check()
    page.get_by_role("link", name="Upload a file instead").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a file for KPIs")
    expect(page.get_by_role("link", name="Download the KPIs template as CSV")).to_be_visible()
    tab.check()

    # Missed visits (spreadsheet row 4: the headings are row 1) is not a number.
    _choose_and_check(page, "Upload your file", _kpi_csv({**KPIS, "missed_visits": "twelve"}))
    expect(page.get_by_role("heading", level=1)).to_contain_text("There are problems")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "You need to fix 1 value in Missed visits"
    )
    cells = page.locator("#problem-table tbody tr").first.locator("td, th")
    expect(cells.nth(0)).to_have_text("4")
    expect(cells.nth(1)).to_have_text("value")
    expect(cells.nth(2)).to_have_text("twelve")
    expect(cells.nth(3)).to_contain_text("Missed visits must be a whole number")
    tab.check()

    _choose_and_check(page, "Upload the corrected file", _kpi_csv(KPIS))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what will change in KPIs")
    expect(page.locator("#changes")).to_contain_text("Missed visits")
    tab.check()
    for box in page.locator("input[name=confirm_warning]").all():  # last months' figures
        box.check()
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1, name="KPIs")).to_be_visible()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "KPIs saved from your file october kpis.csv"
    )
    expect(page.locator("#missed_visits")).to_have_value("12")
    expect(page.locator("#commissioned_hours")).to_have_value("1810.5")
    tab.check()
