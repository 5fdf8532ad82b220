"""The monthly return: deadlines, the list, the KPI section, nil returns, submitting,
versions, history, the audit log, stale saves and who may see what."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.models import AuditEntry, ReturnStatus, ReturnVersion, Role, SectionState
from portal.returns import kpis, service
from portal.returns.calendar import deadlines_for, due_label
from tests.conftest import csrf_token_from, shows
from tests.examples import EXAMPLE_KPIS
from tests.factories import make_provider, make_user, open_return
from tests.unit.conftest import get_page, sign_in

GOOD_KPIS = EXAMPLE_KPIS


@pytest.fixture
def today(app):
    app.config["TODAY"] = "2026-11-23"


@pytest.fixture
def ret(app, today):
    return open_return()


@pytest.fixture
def submitter(ret):
    return make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider)


def url(ret, tail: str = "") -> str:
    return f"/provider/{ret.contract.provider_id}/returns/{ret.id}{tail}"


def post_form(client, page_url: str, data: dict, action: str | None = None):
    html = client.get(page_url).get_data(as_text=True)
    token = csrf_token_from(html)
    hidden = {name: _hidden(html, name) for name in ("revision", "submission_key")}
    payload = {"csrf_token": token, **{k: v for k, v in hidden.items() if v}, **data}
    return client.post(action or page_url, data=payload)


def _hidden(html: str, name: str) -> str | None:
    match = (
        re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)
        or re.search(rf'type="hidden" name="{name}" value="([^"]*)"', html)
        or re.search(rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html)
    )
    return match.group(1) if match else None


# --- deadlines -----------------------------------------------------------------------


def test_due_on_the_tenth_working_day_skipping_bank_holidays():
    # December 2026's return opens on 1 January 2027, a bank holiday, so the 10th working
    # day is Friday 15 January.
    d = deadlines_for(date(2026, 12, 1))
    assert d.opens_on == date(2027, 1, 1)
    assert d.due_on == date(2027, 1, 15)
    assert d.locks_on == date(2027, 2, 4)
    # October 2026: opens 1 November, 10th working day is Friday 13 November.
    assert deadlines_for(date(2026, 10, 1)).due_on == date(2026, 11, 13)
    # A council setting changes it.
    assert deadlines_for(date(2026, 10, 1), due_working_day=5, lock_days=7).locks_on == date(
        2026, 11, 13
    )


def test_due_labels():
    assert due_label(date(2026, 11, 10), date(2026, 11, 13)) == "Due in 3 days"
    assert due_label(date(2026, 11, 12), date(2026, 11, 13)) == "Due tomorrow"
    assert due_label(date(2026, 11, 13), date(2026, 11, 13)) == "Due today"
    assert due_label(date(2026, 11, 15), date(2026, 11, 13)) == "Overdue by 2 days"
    assert due_label(date(2026, 11, 14), date(2026, 11, 13)) == "Overdue by 1 day"


def test_returns_open_for_recent_months_only_once(app, today, ret):
    contract = ret.contract
    service.ensure_returns([contract], on=date(2026, 11, 23))
    service.ensure_returns([contract], on=date(2026, 11, 23))
    periods = sorted(r.period for r in db.session.scalars(db.select(type(ret))))
    assert periods == [date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)]


def test_your_returns_lists_open_returns_with_due_labels_and_past_below(client, ret, submitter):
    sign_in(client, submitter.email)
    html = get_page(client, f"/provider/{ret.contract.provider_id}/returns")
    assert "Returns to do" in html and "Past returns" in html
    assert "October 2026" in html
    assert "Overdue by 10 days" in html  # due 13 November, today 23 November
    todo, past = html.split("Past returns", 1)
    assert "October 2026" in todo and "September 2026" in past  # September locked 3 Nov


# --- KPIs ------------------------------------------------------------------------------


def test_kpi_rules_catch_impossible_counts():
    values, errors = kpis.parse_counts(
        {**GOOD_KPIS, "delivered_visits": "1200", "on_time_visits": "1300", "outcomes_met": "21"}
    )
    assert errors == {
        "delivered_visits": "Visits delivered must be the same as or fewer than planned visits",
        "on_time_visits": "Visits started on time must be the same as or fewer than visits "
        "delivered",
        "outcomes_met": "Reviewed service users who said their outcomes were met must be the "
        "same as or fewer than service users reviewed",
    }
    _, errors = kpis.parse_counts(
        {**GOOD_KPIS, "planned_visits": "12.5", "complaints": "-1", "compliments": "lots",
         "delivered_hours": "1.234", "referrals_offered": ""}
    )  # fmt: skip
    assert errors["planned_visits"] == "Planned visits must be a whole number"
    assert errors["complaints"] == "Complaints must be 0 or more"
    assert errors["compliments"] == "Compliments must be a whole number, like 120"
    assert errors["delivered_hours"] == "Delivered hours must have no more than 2 decimal places"
    assert errors["referrals_offered"].startswith("Enter the number of new referrals")


def test_kpi_percentages_and_rag():
    values, errors = kpis.parse_counts(GOOD_KPIS)
    assert not errors
    results = {r.code: r for r in kpis.compute(values, kpis.REFERENCE_KPIS)}
    assert results["missed_visits"].percent == Decimal("1.0")
    assert results["missed_visits"].rag == "green"  # at most 2%
    assert results["punctuality"].percent == Decimal("96.0")
    assert results["ecm_compliance"].percent == Decimal("90.9")
    assert results["outcomes_met"].percent == Decimal("85.0")
    values["missed_visits"] = "40"  # 4%: within 3 points of 2%
    assert kpis.compute(values, kpis.REFERENCE_KPIS)[0].rag == "amber"
    values["missed_visits"] = "60"
    assert kpis.compute(values, kpis.REFERENCE_KPIS)[0].rag == "red"
    values["users_reviewed"] = "0"
    values["outcomes_met"] = "0"
    outcome = next(r for r in kpis.compute(values, kpis.REFERENCE_KPIS) if r.code == "outcomes_met")
    assert outcome.percent is None and outcome.rag is None


def test_framework_targets_are_versioned_data(app, today, ret):
    framework = ret.contract.framework
    kpis.seed_reference_targets(framework.id, date(2024, 4, 1))
    from portal.models import KpiTarget

    db.session.add(
        KpiTarget(
            framework_id=framework.id, version=2, effective_from=date(2026, 10, 1),
            code="missed_visits", name="Missed visits", numerator="missed_visits",
            denominator="planned_visits", target=Decimal("0"), direction="lower",
            amber_band=Decimal("1"),
        )
    )  # fmt: skip
    db.session.commit()
    october = kpis.definitions_for(framework.id, date(2026, 10, 1))
    september = kpis.definitions_for(framework.id, date(2026, 9, 1))
    assert [d.target for d in october] == [Decimal("0")]
    assert len(september) == 5 and september[0].target == Decimal("2")


def test_kpi_section_errors_then_saves_and_shows_results(client, ret, submitter):
    sign_in(client, submitter.email)
    page = url(ret, "/section/kpis")
    response = post_form(client, page, {**GOOD_KPIS, "missed_visits": "2000"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and 'href="#missed_visits"' in html
    assert shows(html, "Missed visits must be the same as or fewer than planned visits")
    assert html.count("<title>Error: ") == 1
    sec = service.section(ret, "kpis")
    db.session.refresh(sec)
    assert sec.revision == 0 and sec.data == {}
    response = post_form(client, page, GOOD_KPIS)
    assert response.status_code == 302
    db.session.refresh(sec)
    assert sec.state is SectionState.COMPLETED and sec.data["planned_visits"] == "1000"
    html = get_page(client, page)
    assert "96.0%" in html and "Green" in html


def test_kpi_preview_fragment_computes_as_you_type(client, ret, submitter):
    sign_in(client, submitter.email)
    token = csrf_token_from(client.get(url(ret, "/section/kpis")).get_data(as_text=True))
    response = client.post(
        url(ret, "/section/kpis/preview"),
        data={"planned_visits": "200", "missed_visits": "20"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "10.0%" in html and "Red" in html and "<html" not in html
    sec = service.section(ret, "kpis")
    assert sec.revision == 0  # nothing saved


def test_soft_warnings_need_ticking_but_do_not_block_saving(client, ret, submitter):
    sign_in(client, submitter.email)
    page = url(ret, "/section/kpis")
    over = {**GOOD_KPIS, "delivered_hours": "1600"}
    response = post_form(client, page, over)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Delivered hours (1600) are more than commissioned hours (1520.5)" in html
    sec = service.section(ret, "kpis")
    db.session.refresh(sec)
    assert sec.data["delivered_hours"] == "1600"  # saved, but not completed
    assert sec.state is SectionState.IN_PROGRESS
    response = post_form(
        client, page, {**over, "confirm_warning": "delivered_hours:over_commissioned"}
    )
    assert response.status_code == 302
    db.session.refresh(sec)
    assert sec.state is SectionState.COMPLETED


def test_a_stale_save_is_refused_and_both_answers_stay_visible(client, app, ret, submitter):
    colleague = make_user(
        Role.PROVIDER_MANAGER, provider=ret.contract.provider, name="Priya Colleague"
    )
    sign_in(client, submitter.email)
    page = url(ret, "/section/kpis")
    html = client.get(page).get_data(as_text=True)
    token, revision = csrf_token_from(html), _hidden(html, "revision")
    other = app.test_client()
    sign_in(other, colleague.email)
    assert post_form(other, page, {**GOOD_KPIS, "complaints": "7"}).status_code == 302
    response = client.post(
        page, data={"csrf_token": token, "revision": revision, **GOOD_KPIS, "complaints": "2"}
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Priya Colleague changed this section at" in html
    assert 'value="2"' in html  # mine, in the form
    theirs = html.split("Answers saved by Priya Colleague", 1)[1].split("</details>")[0]
    assert re.search(r"Complaints\s*</dt>\s*<dd[^>]*>\s*7\s*</dd>", theirs)
    sec = service.section(ret, "kpis")
    db.session.refresh(sec)
    assert sec.data["complaints"] == "7"  # the first save is intact
    # Saving again, having seen both, is deliberate and works.
    again = client.post(
        page,
        data={"csrf_token": token, "revision": _hidden(html, "revision"), **GOOD_KPIS,
              "complaints": "2"},
    )  # fmt: skip
    assert again.status_code == 302
    db.session.refresh(sec)
    assert sec.data["complaints"] == "2"


# --- submitting ----------------------------------------------------------------------


def complete_all(ret, user):
    for s in ret.sections:
        service.save_section(ret, s.code, {"done": "yes"}, SectionState.COMPLETED, s.revision, user)


def test_cannot_submit_until_every_section_is_complete(client, ret, submitter):
    sign_in(client, submitter.email)
    response = post_form(client, url(ret, "/check"), {}, action=url(ret, "/submit"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Complete every section before you submit: KPIs, Capacity" in html
    assert db.session.scalar(db.select(db.func.count(ReturnVersion.id))) == 0


def test_submit_gives_reference_receipt_and_immutable_versions(
    client, app, ret, submitter, mail_server
):
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=mail_server.port)
    complete_all(ret, submitter)
    sign_in(client, submitter.email)
    check = client.get(url(ret, "/check")).get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(check),
        "submission_key": _hidden(check, "submission_key"),
    }
    first = client.post(url(ret, "/submit"), data=data)
    assert first.status_code == 302
    double_click = client.post(url(ret, "/submit"), data=data)
    assert double_click.location == first.location  # the same version, not a second one
    html = get_page(client, first.location)
    reference = f"{ret.contract.council.slug.upper()[:6]}-202610-P{ret.contract.provider_id}C"
    assert "Return submitted" in html and reference in html and "-V1" in html
    assert len(mail_server) == 1
    receipt = mail_server[0]
    assert receipt["To"] == submitter.email and "-V1" in receipt["Subject"]
    assert "October 2026" in receipt.get_body().get_content()
    db.session.expire_all()
    assert ret.status is ReturnStatus.SUBMITTED
    # Change a section and resubmit: version 2, version 1 unchanged.
    kpi = service.section(ret, "kpis")
    service.save_section(
        ret, "kpis", {"done": "changed"}, SectionState.COMPLETED, kpi.revision, submitter
    )
    check = client.get(url(ret, "/check")).get_data(as_text=True)
    second = client.post(
        url(ret, "/submit"),
        data={"csrf_token": csrf_token_from(check),
              "submission_key": _hidden(check, "submission_key")},
    )  # fmt: skip
    assert second.location.endswith("/versions/2/confirmation")
    versions = db.session.scalars(db.select(ReturnVersion).order_by(ReturnVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].data["sections"]["kpis"] == {"done": "yes"}
    history = get_page(client, url(ret, "/history"))
    # What changed, in words: the section, the answer's label, was and now.
    assert "Version 2" in history and "Done: Yes -&gt; changed" in history
    assert "kpis.done" not in history
    audit = get_page(client, url(ret, "/audit"))
    assert "Submitted version 1" in audit and "Submitted version 2" in audit
    assert "127.0.0.1" in audit and "submit-v" not in audit


def test_nil_return_needs_no_sections(client, ret, submitter):
    sign_in(client, submitter.email)
    response = post_form(client, url(ret, "/nil"), {})
    assert response.status_code == 400
    assert shows(response.get_data(as_text=True), "Select yes if you had no service users")
    assert post_form(client, url(ret, "/nil"), {"nil": "yes"}).status_code == 302
    check = client.get(url(ret, "/check")).get_data(as_text=True)
    assert "None: this is a nil return" in check
    response = client.post(
        url(ret, "/submit"),
        data={"csrf_token": csrf_token_from(check),
              "submission_key": _hidden(check, "submission_key")},
    )  # fmt: skip
    assert response.status_code == 302
    version = db.session.scalar(db.select(ReturnVersion))
    assert version.data["nil_return"] is True


def test_every_change_is_audited_with_old_and_new_values(client, ret, submitter):
    sign_in(client, submitter.email)
    page = url(ret, "/section/kpis")
    post_form(client, page, GOOD_KPIS)
    post_form(client, page, {**GOOD_KPIS, "complaints": "3"})
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["save", "save"]
    assert entries[1].changes == [{"field": "Complaints", "old": "1", "new": "3"}]
    assert entries[1].user_id == submitter.id and entries[1].ip_address == "127.0.0.1"


def test_locked_and_accepted_returns_cannot_change(client, app, ret, submitter):
    sign_in(client, submitter.email)
    app.config["TODAY"] = "2026-12-03"  # the lock date
    response = post_form(client, url(ret, "/section/kpis"), GOOD_KPIS)
    assert response.status_code == 302
    html = get_page(client, response.location)
    assert "This return is locked" in html
    assert service.section(ret, "kpis").revision == 0
    # A commissioner reopening it (until a date) lets the provider change it again.
    ret.reopened_until = date(2026, 12, 10)
    db.session.commit()
    assert post_form(client, url(ret, "/section/kpis"), GOOD_KPIS).status_code == 302
    app.config["TODAY"] = "2026-11-23"
    ret.status = ReturnStatus.ACCEPTED
    db.session.commit()
    response = post_form(client, url(ret, "/section/kpis"), GOOD_KPIS)
    assert "has been accepted and cannot be changed" in get_page(client, response.location)


RETURN_URLS = [
    "",
    "/section/kpis",
    "/section/kpis/preview",
    "/section/capacity",
    "/section/handbacks",
    "/section/training",
    "/section/workforce",
    "/nil",
    "/check",
    "/submit",
    "/versions/1/confirmation",
    "/history",
    "/audit",
]


@pytest.mark.parametrize("tail", RETURN_URLS)
def test_other_providers_and_councils_get_404_or_403_on_every_return_url(client, ret, tail):
    from portal.models import Council

    other_provider = make_user(Role.PROVIDER_MANAGER, provider=make_provider())
    sign_in(client, other_provider.email)
    # Their own provider id with our return id: not found.
    mine = f"/provider/{other_provider.memberships[0].provider_id}/returns/{ret.id}{tail}"
    refused = 405 if tail == "/submit" else 404  # POST only: a GET reveals nothing either
    assert client.get(mine).status_code == refused
    # Our provider id: not their organisation, so not found.
    assert client.get(url(ret, tail)).status_code == refused
    token = csrf_token_from(client.get("/accessibility").get_data(as_text=True))
    assert client.post(url(ret, tail), data={"csrf_token": token}).status_code in (404, 405)
    client.post("/sign-out", data={"csrf_token": token})
    council = db.session.get(Council, ret.contract.council_id)
    council_user = make_user(Role.COMMISSIONER, council=council)
    sign_in(client, council_user.email)
    if tail == "/submit":
        token = csrf_token_from(client.get("/accessibility").get_data(as_text=True))
        wrong_role = client.post(url(ret, tail), data={"csrf_token": token})
    else:
        wrong_role = client.get(url(ret, tail))
    assert wrong_role.status_code == 404  # a council user: a provider's return is hidden
