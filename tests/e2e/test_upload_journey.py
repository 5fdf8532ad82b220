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


def _upload(tab, check, provider_id: int, data: bytes) -> None:
    page = tab.page
    tab.goto(f"/provider/{provider_id}/uploads/staff-and-training")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Upload your staff")
    check()
    page.get_by_label("Staff file (optional)").set_input_files(
        {"name": "staff export.csv", "mimeType": "text/csv", "buffer": data}
    )
    page.get_by_role("button", name="Check files").click()
    expect(page.get_by_role("heading", level=1, name="Check your files")).to_be_visible()


def _summary_value(page, list_id: str, key: str) -> str:
    row = page.locator(f"#{list_id} .govuk-summary-list__row", has_text=key).first
    return row.locator(".govuk-summary-list__value").inner_text().strip()


def _journey(tab, check, live_server, worker_prefix: str) -> tuple[list[str], dict[str, str]]:
    """Upload a messy file, then the corrected one, and import it. Returns the problem
    rows shown for the messy file and the counts on the done page."""
    provider_id, local_est_id = _branch_and_provider(live_server)
    page = tab.page
    tab.sign_in("manager@other-provider.example")
    messy = _staff(
        local_est_id,
        [
            f"{worker_prefix}01,NEW,8,01/02/2023,1,2,1,12.60,2,37.5",
            # EMPLSTATUS 5 is an error; a start date that is not real, a warning (ignored)
            f"{worker_prefix}02,NEW,8,31/02/2023,5,2,1,12.60,2,37.5",
            f"{worker_prefix}03,NEW,99,01/03/2023,1,2,1,12.60,2,37.5",  # unknown job role
        ],
    )
    _upload(tab, check, provider_id, messy)
    main = page.locator("main")
    expect(main).to_contain_text("You need to fix")
    # The problems name the spreadsheet's own rows (header is row 1) and the columns.
    table = main.locator("table").first
    expect(table).to_contain_text("EMPLSTATUS")
    expect(table).to_contain_text("MAINJOBROLE")
    rows = table.locator("tbody tr")
    problems = [rows.nth(i).inner_text() for i in range(rows.count())]
    warnings = page.get_by_role("table", name="Warnings in the staff file")
    expect(warnings).to_contain_text("We will ignore STARTDATE ‘31/02/2023’ because")
    expect(page.get_by_role("button", name="Confirm and import")).to_have_count(0)
    check()
    fixed = _staff(
        local_est_id,
        [
            f"{worker_prefix}01,NEW,8,01/02/2023,1,2,1,12.60,2,37.5",
            f"{worker_prefix}02,NEW,8,28/02/2023,1,2,1,12.60,2,37.5",
            f"{worker_prefix}03,NEW,7,01/03/2023,1,2,1,13.10,2,30",
        ],
    )
    _upload(tab, check, provider_id, fixed)
    assert _summary_value(page, "changes", "New staff") == "3"  # what will change
    check()
    page.get_by_role("button", name="Confirm and import").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("imported", ignore_case=True)
    check()
    counts = {
        key: _summary_value(page, "import-counts", key)
        for key in ("New staff", "Staff updated", "Staff unchanged")
    }
    return problems, counts


def _assert_shown(problems: list[str], counts: dict[str, str]) -> None:
    # The bad status is on spreadsheet row 3 and the unknown job role on row 4 (header = 1).
    assert any(re.match(r"\s*3\b", t) and "EMPLSTATUS" in t for t in problems), problems
    assert any(re.match(r"\s*4\b", t) and "MAINJOBROLE" in t for t in problems), problems
    assert counts == {"New staff": "3", "Staff updated": "0", "Staff unchanged": "0"}


def test_messy_then_corrected_staff_file_with_javascript(tab, live_server):
    problems, counts = _journey(tab, tab.check, live_server, "JS")
    _assert_shown(problems, counts)


def test_messy_then_corrected_staff_file_without_javascript(tab_without_js, live_server):
    tab = tab_without_js
    problems, counts = _journey(tab, tab.check_accessibility, live_server, "NOJS")
    _assert_shown(problems, counts)
