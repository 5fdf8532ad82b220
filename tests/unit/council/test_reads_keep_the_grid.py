"""The returns grid's counts move only with the calendar and the providers' submissions:
building every pack of a quarter, opening the pages and running the daily job twice
change none of them, and no return is ever made for a month before go-live."""

from __future__ import annotations

import re
from datetime import date

from portal.extensions import db
from portal.models import MonthlyReturn, Role
from portal.packs.build import build_framework_pack, build_pack
from portal.returns import opening
from tests.factories import make_contract, make_council, make_framework, make_provider, make_user
from tests.unit.conftest import get_page, sign_in
from workers.reminders import daily_reminders_job

TODAY = date(2026, 12, 7)


def _counts(html: str) -> list[str]:
    summary = html.split("Submitted on time", 1)[1].split("Still open means", 1)[0]
    return re.findall(r'govuk-summary-list__value">\s*(\d+)', summary)


def test_packs_pages_and_the_daily_job_leave_the_grid_unchanged(app, client):
    app.config["TODAY"] = TODAY.isoformat()
    council = make_council()
    council.go_live_month = date(2026, 9, 1)
    framework = make_framework(council)
    providers = [make_provider() for _ in range(3)]
    for provider in providers:
        make_contract(provider, council, framework)
    db.session.commit()
    opening.open_due_returns(TODAY)
    commissioner = make_user(Role.COMMISSIONER, council=council)
    sign_in(client, commissioner.email)
    grid = f"/council/{council.id}/returns"
    before = _counts(get_page(client, grid))
    assert before == ["0", "0", "6", "3"]  # September and October missing, November open
    returns_before = db.session.scalar(db.select(db.func.count(MonthlyReturn.id)))

    for provider in providers:  # July to September: two months before go-live
        pdf, _, _ = build_pack(council.id, provider.id, "2026-Q3")
        assert pdf.startswith(b"%PDF")
    build_framework_pack(council.id, framework.id, "2026-Q3")
    for page in ("overview", "returns", "risk", "training-matrix"):
        client.get(f"/council/{council.id}/{page}")
    for provider in providers:
        client.get(f"/council/{council.id}/providers/{provider.id}/returns")
    daily_reminders_job()
    daily_reminders_job()

    assert _counts(get_page(client, grid)) == before
    assert db.session.scalar(db.select(db.func.count(MonthlyReturn.id))) == returns_before == 9
    earliest = db.session.scalar(db.select(db.func.min(MonthlyReturn.period)))
    assert earliest == date(2026, 9, 1)  # never a return before go-live
