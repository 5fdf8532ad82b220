"""Uploading ASC-WDS files in a real browser: a messy file's problems are shown with the
spreadsheet's row numbers, the corrected file imports, and the counts are shown; axe
checks every page, with and without JavaScript."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

STAFF_HEADER = "LOCALESTID,UNIQUEWORKERID,STATUS,MAINJOBROLE,STARTDATE,EMPLSTATUS,ZEROHRCONT,CARECERT,HOURLYRATE,HANDCVISA,CONTHOURS\r\n"  # noqa: E501


def _branch_and_provider(live_server):
    from portal.extensions import db
    from portal.models import Provider

    with live_server.app.app_context():
        provider = db.session.scalar(select(Provider).where(Provider.slug == "castle-view-care"))
        return provider.id, provider.branches[0].local_est_id


def _staff(local_est_id: str, rows: list[str]) -> bytes:
    body = "".join(f"{local_est_id},{row}\r\n" for row in rows)
    return ("\ufeff" + STAFF_HEADER + body).encode("utf-8")


def _upload(tab, provider_id: int, data: bytes) -> None:
    page = tab.page
    tab.goto(f"/provider/{provider_id}/uploads/staff-and-training")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Upload your staff")
    tab.check()
    page.get_by_label("Staff file (optional)").set_input_files(
        {"name": "staff export.csv", "mimeType": "text/csv", "buffer": data}
    )
    page.get_by_role("button", name="Check files").click()
    expect(page.get_by_role("heading", level=1, name="Check your files")).to_be_visible()


def _journey(tab, live_server, worker_prefix: str) -> None:
    provider_id, local_est_id = _branch_and_provider(live_server)
    page = tab.page
    tab.sign_in("manager@other-provider.example")
    messy = _staff(
        local_est_id,
        [
            f"{worker_prefix}01,NEW,8,01/02/2023,1,2,1,12.60,2,37.5",
            f"{worker_prefix}02,NEW,8,31/02/2023,1,2,1,12.60,2,37.5",  # not a real date
            f"{worker_prefix}03,NEW,99,01/03/2023,1,2,1,12.60,2,37.5",  # unknown job role
        ],
    )
    _upload(tab, provider_id, messy)
    main = page.locator("main")
    expect(main).to_contain_text("You need to fix")
    # The problems name the spreadsheet's own rows (header is row 1) and the columns.
    table = main.locator("table").first
    expect(table).to_contain_text("STARTDATE")
    expect(table).to_contain_text("MAINJOBROLE")
    rows = table.locator("tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert any(re.match(r"\s*3\b", t) for t in texts), texts
    assert any(re.match(r"\s*4\b", t) for t in texts), texts
    expect(page.get_by_role("button", name="Confirm and import")).to_have_count(0)
    tab.check()
    fixed = _staff(
        local_est_id,
        [
            f"{worker_prefix}01,NEW,8,01/02/2023,1,2,1,12.60,2,37.5",
            f"{worker_prefix}02,NEW,8,28/02/2023,1,2,1,12.60,2,37.5",
            f"{worker_prefix}03,NEW,7,01/03/2023,1,2,1,13.10,2,30",
        ],
    )
    _upload(tab, provider_id, fixed)
    expect(main).to_contain_text("3")  # what will change: 3 new staff
    tab.check()
    page.get_by_role("button", name="Confirm and import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("imported", ignore_case=True)
    summary = page.locator(".govuk-summary-list").first
    expect(summary).to_contain_text("New staff")
    expect(summary.locator(".govuk-summary-list__row").first).to_contain_text("3")
    tab.check()


def test_messy_then_corrected_staff_file_with_javascript(tab, live_server):
    _journey(tab, live_server, "JS")


def test_messy_then_corrected_staff_file_without_javascript(tab_without_js, live_server):
    tab_without_js.check = tab_without_js.check_accessibility  # no htmx console to check
    _journey(tab_without_js, live_server, "NOJS")
