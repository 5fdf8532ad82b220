"""The return calendar: bank holidays from the maintained library, which months a
contract's returns are expected for (go-live month, contract dates), the daily job that
opens them (idempotently), "Not expected" and "Missing"."""

from __future__ import annotations

from datetime import date

import pytest

from portal.extensions import db
from portal.models import MonthlyReturn, Role
from portal.returns import opening, service
from portal.returns.calendar import deadlines_for
from portal.risk_triggers import triggers_for
from tests.factories import make_contract, make_council, make_framework, make_provider, make_user
from tests.unit.conftest import get_page, sign_in
from workers.reminders import send_reminders

ON = date(2026, 11, 23)  # August to October 2026 have opened; October is due 13 November


def _periods(contract) -> list[date]:
    return list(
        db.session.scalars(
            db.select(MonthlyReturn.period)
            .where(MonthlyReturn.contract_id == contract.id)
            .order_by(MonthlyReturn.period)
        )
    )


@pytest.fixture
def contract(app):
    council = make_council()
    council.go_live_month = date(2026, 9, 1)
    contract = make_contract(make_provider(), council, make_framework(council))
    db.session.commit()
    return contract


def test_bank_holidays_come_from_the_library_beyond_any_hand_kept_list():
    # December 2029's return opens on Tuesday 1 January 2030, New Year's Day, so the 10th
    # working day is Tuesday 15 January (a list that ended in 2028 would say the 14th).
    assert deadlines_for(date(2029, 12, 1)).due_on == date(2030, 1, 15)
    # Boxing Day 2026 is a Saturday: the substitute day, Monday 28 December, is skipped.
    assert deadlines_for(date(2026, 11, 1), due_working_day=19).due_on == date(2026, 12, 29)


def test_the_daily_job_opens_returns_from_go_live_on_and_twice_changes_nothing(contract):
    assert opening.open_due_returns(ON) == 2
    assert _periods(contract) == [date(2026, 9, 1), date(2026, 10, 1)]  # not August
    assert opening.open_due_returns(ON) == 0
    send_reminders(ON)  # the scheduled job runs it too
    assert _periods(contract) == [date(2026, 9, 1), date(2026, 10, 1)]
    # A month later November has opened, and nothing before go-live ever does.
    opening.open_due_returns(date(2026, 12, 2))
    assert _periods(contract) == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]


def test_returns_stay_within_the_contracts_dates(contract):
    contract.start_date = date(2026, 10, 12)
    db.session.commit()
    assert service.open_returns_for_contract(contract, date(2027, 1, 20)) == 3
    assert _periods(contract) == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    other = make_contract(make_provider(), contract.council)
    other.end_date = date(2026, 9, 30)
    db.session.commit()
    service.open_returns_for_contract(other, date(2027, 1, 20))
    assert _periods(other) == [date(2026, 9, 1)]
    assert not service.is_expected(other, date(2026, 10, 1))


def test_section_codes_match_the_lifecycles_sections():
    assert opening.SECTION_CODES == tuple(code for code, _ in service.SECTIONS)


def test_grid_says_not_expected_before_go_live_and_missing_once_locked(app, client, contract):
    app.config["TODAY"] = "2026-12-07"  # October locked on 3 December, unsent
    opening.open_due_returns(date(2026, 12, 7))
    commissioner = make_user(Role.COMMISSIONER, council=contract.council)
    sign_in(client, commissioner.email)
    html = get_page(client, f"/council/{contract.council_id}/returns")
    row = html.split(contract.provider.name, 1)[1].split("</tr>", 1)[0]
    # November (open), October and September (locked, never sent), then months before go-live.
    assert row.count("Missing") == 2 and row.count("Not expected") == 3
    assert "Not open" not in row and "Overdue" not in row
    ret = db.session.scalar(
        db.select(MonthlyReturn).where(
            MonthlyReturn.contract_id == contract.id, MonthlyReturn.period == date(2026, 10, 1)
        )
    )
    assert service.display_status(ret, date(2026, 12, 7)).text == "Missing"
    assert service.display_status(ret, date(2026, 11, 20)).text == "Overdue"


def test_a_return_left_from_before_go_live_never_counts_as_late(app, contract):
    contract.council.go_live_month = None
    db.session.commit()
    opening.open_due_returns(ON)  # August to October, as if nobody had said
    contract.council.go_live_month = date(2026, 11, 1)  # then the council goes live later
    db.session.commit()
    late = [
        t
        for t in triggers_for(contract.council_id, contract.provider_id, ON)
        if t.code == "late_returns"
    ]
    assert late == []
    contract.council.go_live_month = None
    db.session.commit()
    late = [
        t
        for t in triggers_for(contract.council_id, contract.provider_id, ON)
        if t.code == "late_returns"
    ]
    assert late  # the same three unsent returns are late when they were asked for


def test_the_daily_job_re_rates_risk_and_pages_only_read_it(app, client, contract):
    from portal import risk
    from portal.models import RiskRating
    from workers.reminders import daily_reminders_job

    app.config["TODAY"] = "2026-11-23"
    contract.council.go_live_month = None
    db.session.commit()
    opening.open_due_returns(ON)  # August to October: three unsent returns
    assert risk.current(contract.council_id, contract.provider_id).rating == "amber"
    assert db.session.scalar(db.select(db.func.count(RiskRating.id))) == 0  # not stored
    qa = make_user(Role.QA_OFFICER, council=contract.council)
    sign_in(client, qa.email)
    assert "Amber" in get_page(client, f"/council/{contract.council_id}/risk")
    assert db.session.scalar(db.select(db.func.count(RiskRating.id))) == 0
    daily_reminders_job()
    stored = risk.stored(contract.council_id, contract.provider_id)
    assert stored is not None and stored.rating == "amber"
