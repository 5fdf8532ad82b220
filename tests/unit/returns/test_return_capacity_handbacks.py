"""The capacity and handbacks sections of the monthly return: one capacity row per area,
copying last month's answers, soft warnings, handback rows added and removed without
JavaScript, validation, stale saves and who may see them."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.extensions import db
from portal.models import Area, AreaKind, MonthlyReturn, Role, SectionState
from portal.returns import service
from portal.returns.sections import capacity_rules, handbacks_rules
from tests.conftest import check_page, csrf_token_from, shows
from tests.factories import make_contract, make_council, make_framework, make_provider, make_user
from tests.unit.conftest import get_page, sign_in

OCTOBER = date(2026, 10, 1)


def _contract(areas=("North", "South"), framework=True, own_area=False):
    council = make_council()
    provider = make_provider()
    fw = make_framework(council) if framework else None  # comes with the area "North"
    if fw is not None:
        for name in areas:
            if name != "North":
                db.session.add(Area(framework=fw, name=name, kind=AreaKind.PATCH))
        db.session.flush()
    contract = make_contract(provider, council, fw)
    if not own_area:
        contract.area = None
    db.session.commit()
    service.ensure_returns([contract], on=date(2026, 11, 23))
    return contract


def _return(contract, period=OCTOBER) -> MonthlyReturn:
    return db.session.scalar(
        db.select(MonthlyReturn).where(
            MonthlyReturn.contract_id == contract.id, MonthlyReturn.period == period
        )
    )


@pytest.fixture
def ret(app):
    app.config["TODAY"] = "2026-11-23"
    return _return(_contract())


@pytest.fixture
def alice(ret):
    return make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider, name="Alice Able")


@pytest.fixture
def bob(ret):
    return make_user(Role.PROVIDER_MANAGER, provider=ret.contract.provider, name="Bob Baker")


def url(ret, tail: str = "") -> str:
    return f"/provider/{ret.contract.provider_id}/returns/{ret.id}{tail}"


def section(ret, code: str):
    db.session.expire_all()
    return service.section(db.session.get(MonthlyReturn, ret.id), code)


def hidden_revision(html: str) -> str:
    return re.search(r'name="revision" value="(-?\d+)"', html).group(1)


def post(client, page_url: str, data: dict, action: str | None = None, html: str | None = None):
    """Post as the browser would from the page at ``page_url`` (its token and revision)."""
    html = html or client.get(page_url).get_data(as_text=True)
    payload = {"csrf_token": csrf_token_from(html), "revision": hidden_revision(html), **data}
    return client.post(action or page_url, data=payload)


def date_fields(name: str, value: str) -> dict:
    day, month, year = value.split("/") if value else ("", "", "")
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def area_fields(i: int, hours="12.5", start="30/11/2026", double="yes", night="no",
                specialist=("dementia",), until="31/12/2026") -> dict:  # fmt: skip
    prefix = f"areas-{i}-"
    return {
        prefix + "spare_hours": hours,
        **date_fields(prefix + "earliest_start", start),
        **({prefix + "double_handed": double} if double else {}),
        **({prefix + "night_support": night} if night else {}),
        prefix + "specialist": list(specialist),
        **date_fields(prefix + "valid_until", until),
    }


GOOD_CAPACITY = {**area_fields(0), **area_fields(1, hours="0", start="", specialist=())}


def handback_fields(i: int, reference="PKG-001", notice="1/10/2026", end="31/10/2026",
                    hours="10.5", service_type="homecare", area="North", reason="staffing",
                    details="") -> dict:  # fmt: skip
    prefix = f"rows-{i}-"
    return {
        prefix + "reference": reference,
        **date_fields(prefix + "notice_date", notice),
        **date_fields(prefix + "end_date", end),
        prefix + "weekly_hours": hours,
        **({prefix + "service_type": service_type} if service_type else {}),
        prefix + "area": area,
        **({prefix + "reason": reason} if reason else {}),
        prefix + "reason_details": details,
    }


def submit_month(ret_month: MonthlyReturn, user, code: str, data: dict) -> None:
    sec = service.section(ret_month, code)
    assert (
        service.save_section(ret_month, code, data, SectionState.COMPLETED, sec.revision, user)
        is None
    )  # noqa: E501
    service.submit(ret_month.id, user, service.new_submission_key())


def error_links(html: str) -> list[str]:
    summary = html.split('class="govuk-error-summary', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="(#[^"]+)"', summary)


# --- capacity ------------------------------------------------------------------------


def test_capacity_asks_about_each_area_of_the_framework(client, ret, alice):
    sign_in(client, alice.email)
    html = get_page(client, url(ret, "/section/capacity"))
    assert check_page(html).startswith("Capacity - October 2026")
    for i, area in enumerate(["North", "South"]):
        assert f'<h2 class="govuk-heading-m">{area}</h2>' in html
        assert f'id="areas-{i}-spare_hours"' in html
        assert f'id="areas-{i}-earliest_start-day"' in html
        assert f'id="areas-{i}-valid_until-year"' in html
        # Each box says which area it is about, for screen reader users.
        assert f'<span class="govuk-visually-hidden"> in {area}</span>' in html
    assert 'id="areas-2-spare_hours"' not in html
    assert "Nothing has changed since last month" in html


@pytest.mark.parametrize(
    ("framework", "own_area", "expected"),
    [(True, True, "North"), (False, False, "Whole council area")],
)
def test_capacity_has_one_row_for_a_contract_for_one_area_or_without_framework(
    app, client, framework, own_area, expected
):
    app.config["TODAY"] = "2026-11-23"
    contract = _contract(framework=framework, own_area=own_area)
    one = _return(contract)
    user = make_user(Role.PROVIDER_SUBMITTER, provider=contract.provider)
    sign_in(client, user.email)
    html = get_page(client, url(one, "/section/capacity"))
    assert f'<h2 class="govuk-heading-m">{expected}</h2>' in html
    assert 'id="areas-1-spare_hours"' not in html
    response = post(client, url(one, "/section/capacity"), {"areas-0-spare_hours": ""})
    assert response.status_code == 400
    # One area: the message does not need to say which.
    assert shows(response.get_data(as_text=True), "Enter the spare weekly hours, or 0")


def test_capacity_invalid_answers_are_explained_and_nothing_is_saved(client, ret, alice):
    sign_in(client, alice.email)
    page = url(ret, "/section/capacity")
    response = post(client, page, {
        **area_fields(0, hours="-3", start="31/2/2026", double=None, until=""),
        **area_fields(1, hours="12.345", start="1/12/2026", until="30/11/2026"),
    })  # fmt: skip
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert check_page(html).startswith("Error: Capacity")
    expected = {
        "#areas-0-spare_hours": "Spare weekly hours for North must be 0 or more",
        "#areas-0-earliest_start-day": "Earliest start date for North must be a real date",
        "#areas-0-double_handed": "Select yes if you can take double-handed calls for North",
        "#areas-0-valid_until-day": "Enter the date these answers are valid until for North",
        "#areas-1-spare_hours": "Spare weekly hours for South must have no more than 2 "
        "decimal places",
        "#areas-1-valid_until-day": "Valid until date for South must be the same as or after "
        "the earliest start date",
    }
    assert error_links(html) == list(expected)
    for message in expected.values():
        # In the summary and by the field.
        assert html.count(message) == 2, message
    # What the user typed is still there.
    assert 'value="12.345"' in html and 'value="-3"' in html
    sec = section(ret, "capacity")
    assert sec.revision == 0 and sec.data == {} and sec.state is SectionState.NOT_STARTED


def test_capacity_earliest_start_is_needed_only_with_spare_hours(client, ret, alice):
    sign_in(client, alice.email)
    page = url(ret, "/section/capacity")
    response = post(client, page, {**GOOD_CAPACITY, **date_fields("areas-0-earliest_start", "")})
    assert response.status_code == 400
    assert error_links(response.get_data(as_text=True)) == ["#areas-0-earliest_start-day"]
    assert shows(response.get_data(as_text=True), "Enter the earliest start date for North")
    # South has 0 spare hours and no start date: that is fine.
    assert post(client, page, GOOD_CAPACITY).status_code == 302


@pytest.mark.parametrize(
    "junk",
    [
        {"areas-0-spare_hours": "1e999999999"},
        {"areas-0-spare_hours": "NaN"},
        {"areas-0-spare_hours": "9" * 5000},
        {"areas-0-spare_hours": "12 hours"},
        {"areas-0-earliest_start-year": "99999999999999999999"},
        {"areas-0-earliest_start-day": "²"},
        {"areas-0-valid_until-month": "-1"},
        {"areas-0-double_handed": "maybe", "areas-0-specialist": ["flying", "dementia"]},
        {"areas-7-spare_hours": "5", "revision": "not a number"},
    ],
)
def test_capacity_never_fails_on_odd_input(client, ret, alice, junk):
    sign_in(client, alice.email)
    response = post(client, url(ret, "/section/capacity"), {**GOOD_CAPACITY, **junk})
    assert response.status_code in (400, 409)
    assert "There is a problem" in response.get_data(as_text=True) or response.status_code == 409
    assert section(ret, "capacity").data == {}


def test_capacity_valid_answers_complete_the_section(client, ret, alice):
    sign_in(client, alice.email)
    response = post(client, url(ret, "/section/capacity"), GOOD_CAPACITY)
    assert response.status_code == 302
    assert response.location.endswith(url(ret))
    sec = section(ret, "capacity")
    assert sec.state is SectionState.COMPLETED and sec.revision == 1
    assert sec.data["areas"][0] == {
        "area": "North",
        "spare_hours": "12.5",
        "earliest_start": "2026-11-30",
        "double_handed": "yes",
        "night_support": "no",
        "specialist": ["dementia"],
        "valid_until": "2026-12-31",
    }
    assert sec.data["areas"][1]["spare_hours"] == "0"
    assert sec.data["areas"][1]["earliest_start"] is None
    # Check your answers reads like a person wrote it.
    rows = {r["key"]["text"]: r["value"]["text"] for r in capacity_rules.summary(ret, sec.data)}
    assert rows["North: earliest start date"] == "30 November 2026"
    assert rows["North: specialist needs"] == "Dementia"
    assert rows["South: valid until"] == "31 December 2026"
    # Opening the section again shows the saved answers.
    html = get_page(client, url(ret, "/section/capacity"))
    assert 'value="12.5"' in html and 'value="30"' in html


def test_copy_last_month_fills_the_form_without_saving(client, ret, alice):
    september = _return(ret.contract, date(2026, 9, 1))
    last_month = {"areas": [
        {"area": "North", "spare_hours": "40", "earliest_start": "2026-10-05",
         "double_handed": "no", "night_support": "yes",
         "specialist": ["complex_needs", "learning_disability"], "valid_until": "2026-11-30"},
        {"area": "South", "spare_hours": "0", "earliest_start": None, "double_handed": "yes",
         "night_support": "no", "specialist": [], "valid_until": "2026-11-30"},
    ]}  # fmt: skip
    submit_month(september, alice, "capacity", last_month)
    sign_in(client, alice.email)
    page = url(ret, "/section/capacity")
    html = client.get(page).get_data(as_text=True)
    response = post(client, page, {}, action=url(ret, "/section/capacity/copy-last-month"),
                    html=html)  # fmt: skip
    assert response.status_code == 200
    copied = response.get_data(as_text=True)
    check_page(copied)
    assert shows(copied, "We have copied your answers from last month. Check them and save")
    assert re.search(r'id="areas-0-spare_hours"[^>]*value="40"', copied)
    assert not re.search(r'id="areas-0-night_support-2"[^>]*value="no"\s+checked', copied)
    assert re.search(r'id="areas-0-night_support"[^>]*value="yes"\s+checked', copied)
    assert re.search(r'value="learning_disability"\s+checked', copied)
    # Nothing saved until the user checks and saves.
    assert section(ret, "capacity").revision == 0
    # The form saves to the section, not to the copy action.
    assert f'action="{page}"' in copied
    fields = {
        **area_fields(0, hours="40", start="5/10/2026", double="no", night="yes",
                      specialist=("complex_needs", "learning_disability"), until="30/11/2026"),
        **area_fields(1, hours="0", start="", double="yes", night="no", specialist=(),
                      until="30/11/2026"),
    }  # fmt: skip
    # The copied earliest start (5 October) has passed by 23 November: a soft warning.
    assert shows(copied, "The earliest start date for North, 5 October 2026, has passed")
    refused = post(client, page, fields, html=copied)
    assert refused.status_code == 400  # saved, but not complete until it is confirmed
    fields["confirm_warning"] = "area0.earliest_start:past"
    assert post(client, page, fields).status_code == 302
    assert section(ret, "capacity").data == last_month


def test_capacity_past_its_valid_until_date_is_out_of_date(client, app, ret, alice):
    app.config["TODAY"] = "2026-12-07"
    ret.reopened_until = date(2026, 12, 31)  # October's return, reopened to change it
    db.session.commit()
    sign_in(client, alice.email)
    page = url(ret, "/section/capacity")
    fields = {
        **area_fields(0, hours="0", start="", double="no", night="no", specialist=(),
                      until="1/12/2026"),
        **area_fields(1, hours="0", start="", double="no", night="no", specialist=(),
                      until="31/12/2026"),
    }  # fmt: skip
    refused = post(client, page, fields)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert shows(html, "The answers for North were valid until 1 December 2026, which has passed")
    fields["confirm_warning"] = "area0.valid_until:past"
    assert post(client, page, fields).status_code == 302
    answers = client.get(url(ret, "/check")).get_data(as_text=True)
    assert shows(answers, "1 December 2026: out of date, check this area's answers")
    assert not shows(answers, "31 December 2026: out of date")


def test_copy_last_month_says_when_there_is_nothing_to_copy(client, ret, alice):
    sign_in(client, alice.email)
    response = post(client, url(ret, "/section/capacity"), {},
                    action=url(ret, "/section/capacity/copy-last-month"))  # fmt: skip
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert shows(html, "There is no submitted return for last month to copy")
    assert section(ret, "capacity").revision == 0
    # Without a form post (a bookmarked link) it goes back to the section.
    assert client.get(url(ret, "/section/capacity/copy-last-month")).status_code == 302


def test_spare_hours_unchanged_for_3_months_must_be_confirmed(client, ret, alice):
    same = {"areas": [{"area": "North", "spare_hours": "12.5", "valid_until": "2026-12-31"}]}
    for period in (date(2026, 8, 1), date(2026, 9, 1)):
        submit_month(_return(ret.contract, period), alice, "capacity", same)
    sign_in(client, alice.email)
    page = url(ret, "/section/capacity")
    response = post(client, page, GOOD_CAPACITY)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    warning = "Spare weekly hours for North is 12.5, the same as in each of the last 2 months"
    assert shows(html, warning)
    assert error_links(html) == ["#confirm-area0-spare_hours-unchanged"]
    # Saved, but not complete until the user confirms it.
    sec = section(ret, "capacity")
    assert sec.revision == 1 and sec.state is SectionState.IN_PROGRESS
    response = post(
        client, page, {**GOOD_CAPACITY, "confirm_warning": "area0.spare_hours:unchanged"}, html=html
    )
    assert response.status_code == 302
    sec = section(ret, "capacity")
    assert sec.state is SectionState.COMPLETED
    assert sec.confirmed_warnings == ["area0.spare_hours:unchanged"]


def test_a_stale_capacity_save_keeps_both_answers(client, app, ret, alice, bob):
    sign_in(client, alice.email)
    page = url(ret, "/section/capacity")
    alices_form = client.get(page).get_data(as_text=True)
    other = app.test_client()
    sign_in(other, bob.email)
    assert post(other, page, {**GOOD_CAPACITY, **area_fields(0, hours="77")}).status_code == 302

    response = post(client, page, {**GOOD_CAPACITY, **area_fields(0, hours="33")},
                    html=alices_form)  # fmt: skip
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    check_page(html)
    assert "Bob Baker changed this section" in html
    assert re.search(r'id="areas-0-spare_hours"[^>]*value="33"', html)  # Alice's answer
    assert "77 hours" in html  # Bob's, in the summary of his answers
    assert section(ret, "capacity").data["areas"][0]["spare_hours"] == "77"
    # Saving again from this page deliberately overwrites Bob's answers.
    response = post(client, page, {**GOOD_CAPACITY, **area_fields(0, hours="33")}, html=html)
    assert response.status_code == 302
    assert section(ret, "capacity").data["areas"][0]["spare_hours"] == "33"


# --- handbacks -----------------------------------------------------------------------


def test_add_a_handback_row_without_javascript_keeps_answers_and_saves_nothing(client, ret, alice):
    sign_in(client, alice.email)
    page = url(ret, "/section/handbacks")
    html = get_page(client, page)
    assert 'id="rows-0-reference"' in html and 'id="rows-1-reference"' not in html
    # The same button works with htmx, swapping just the form.
    add = re.search(r'<button[^>]*value="add"[^>]*>', html, re.S).group(0)
    assert f'hx-post="{page}"' in add and 'hx-select="#handbacks-form"' in add
    assert 'hx-target="#handbacks-form"' in add and 'hx-swap="outerHTML"' in add

    response = post(client, page, {**handback_fields(0, reference="PKG-9", reason=None),
                                   "action": "add"}, html=html)  # fmt: skip
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    check_page(html)
    assert "There is a problem" not in html and "govuk-error-message" not in html
    assert 'value="PKG-9"' in html
    assert "Handback 2" in html and 'id="rows-1-reference"' in html
    assert "Remove handback 2" in html
    sec = section(ret, "handbacks")
    assert sec.revision == 0 and sec.data == {}
    # The revision the user opened the form at is kept.
    assert hidden_revision(html) == "0"


def test_remove_a_handback_row_keeps_the_others(client, ret, alice):
    sign_in(client, alice.email)
    page = url(ret, "/section/handbacks")
    response = post(client, page, {
        **handback_fields(0, reference="FIRST"),
        **handback_fields(1, reference="SECOND", reason="other", details="Moved away"),
        "remove_row": "0",
    })  # fmt: skip
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    check_page(html)
    assert "FIRST" not in html and 'value="SECOND"' in html
    assert "Moved away" in html and "Remove handback 2" not in html
    assert "There is a problem" not in html
    assert section(ret, "handbacks").revision == 0
    # A row that does not exist changes nothing.
    response = post(client, page, {**handback_fields(0), "remove_row": "99"})
    assert response.status_code == 200 and 'value="PKG-001"' in response.get_data(as_text=True)


def test_handbacks_save_completes_the_section(client, ret, alice):
    sign_in(client, alice.email)
    page = url(ret, "/section/handbacks")
    response = post(client, page, {
        **handback_fields(0),
        **handback_fields(1, reference="PKG-002", area="Whole council area", reason="other",
                          details="The family moved", service_type="reablement"),
        **handback_fields(2, reference="", notice="", end="", hours="", service_type="",
                          reason=""),  # an empty row is left out
        "action": "save",
    })  # fmt: skip
    assert response.status_code == 302 and response.location.endswith(url(ret))
    sec = section(ret, "handbacks")
    assert sec.state is SectionState.COMPLETED
    assert sec.data["none"] is False and len(sec.data["rows"]) == 2
    assert sec.data["rows"][0] == {
        "reference": "PKG-001",
        "notice_date": "2026-10-01",
        "end_date": "2026-10-31",
        "weekly_hours": "10.5",
        "service_type": "homecare",
        "area": "North",
        "reason": "staffing",
        "reason_details": "",
    }
    rows = handbacks_rules.summary(ret, sec.data)
    assert rows[0]["value"]["text"] == "2"
    assert rows[2]["key"]["text"] == "Handback 2 (PKG-002)"
    assert "1 October 2026" in rows[1]["value"]["text"]
    assert "Other: The family moved" in rows[2]["value"]["text"]


def test_handback_reason_other_needs_details(client, ret, alice):
    sign_in(client, alice.email)
    page = url(ret, "/section/handbacks")
    response = post(client, page, {**handback_fields(0, reason="other"), "action": "save"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert error_links(html) == ["#rows-0-reason_details"]
    assert html.count("Enter the details of the reason for handback 1") == 2
    assert section(ret, "handbacks").revision == 0


def test_handback_rows_are_checked(client, ret, alice):
    sign_in(client, alice.email)
    page = url(ret, "/section/handbacks")
    response = post(client, page, {
        **handback_fields(0, reference="X" * 51, notice="1/10/2026", end="30/9/2026",
                          hours="0", service_type="", area="Atlantis", reason="bored"),
        **handback_fields(1, reference="OK", notice="1/13/2026", end="/10/2026", hours="200"),
        "action": "save",
    })  # fmt: skip
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    expected = {
        "#rows-0-reference": "Council package reference for handback 1 must be 50 characters "
        "or fewer",
        "#rows-0-end_date-day": "End date for handback 1 must be the same as or after the "
        "notice date",
        "#rows-0-weekly_hours": "Weekly hours for handback 1 must be more than 0",
        "#rows-0-service_type": "Select the service type for handback 1",
        "#rows-0-area": "Select the area for handback 1",
        "#rows-0-reason": "Select the reason for handback 1",
        "#rows-1-notice_date-day": "Notice date for handback 2 must be a real date",
        "#rows-1-end_date-day": "End date for handback 2 must include a day",
        "#rows-1-weekly_hours": "Weekly hours for handback 2 must be 168 or fewer",
    }
    assert error_links(html) == list(expected)
    for message in expected.values():
        assert html.count(message) == 2, message
    assert section(ret, "handbacks").revision == 0


def test_no_handbacks_this_month_completes_the_section(client, ret, alice):
    sign_in(client, alice.email)
    page = url(ret, "/section/handbacks")
    # Neither handbacks nor "none": the user is told what to do.
    response = post(
        client,
        page,
        {
            **handback_fields(
                0, reference="", notice="", end="", hours="", service_type="", reason=""
            ),
            "action": "save",
        },
    )
    assert response.status_code == 400
    assert error_links(response.get_data(as_text=True)) == ["#none"]
    # "None" with a handback entered is contradictory.
    response = post(client, page, {**handback_fields(0), "none": "yes", "action": "save"})
    assert response.status_code == 400
    assert "#none" in error_links(response.get_data(as_text=True))

    response = post(client, page, {"none": "yes", "action": "save"})
    assert response.status_code == 302
    sec = section(ret, "handbacks")
    assert sec.state is SectionState.COMPLETED and sec.data == {"none": True, "rows": []}
    assert handbacks_rules.summary(ret, sec.data)[0]["value"]["text"] == "No handbacks this month"
    html = get_page(client, page)
    assert re.search(r'name="none" type="checkbox" value="yes"\s+checked', html)
    assert 'id="rows-0-reference"' not in html


def test_handbacks_are_limited_to_200(client, ret, alice):
    sign_in(client, alice.email)
    page = url(ret, "/section/handbacks")
    many = {k: v for i in range(201) for k, v in handback_fields(i, reference=f"R{i}").items()}
    response = post(client, page, {**many, "action": "save"})
    assert response.status_code == 400
    assert shows(response.get_data(as_text=True), "You can enter up to 200 handbacks in one return")
    assert section(ret, "handbacks").revision == 0
    two_hundred = {k: v for k, v in many.items() if not k.startswith("rows-200-")}
    response = post(client, page, {**two_hundred, "action": "add"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="rows-199-reference"' in html and 'id="rows-200-reference"' not in html


def test_a_stale_handbacks_save_shows_who_saved_first(client, app, ret, alice, bob):
    sign_in(client, alice.email)
    page = url(ret, "/section/handbacks")
    alices_form = client.get(page).get_data(as_text=True)
    other = app.test_client()
    sign_in(other, bob.email)
    assert post(other, page, {"none": "yes", "action": "save"}).status_code == 302

    response = post(client, page, {**handback_fields(0, reference="ALICE-1"), "action": "save"},
                    html=alices_form)  # fmt: skip
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Bob Baker changed this section" in html
    assert 'value="ALICE-1"' in html and "No handbacks this month" in html
    assert section(ret, "handbacks").data == {"none": True, "rows": []}
    assert hidden_revision(html) == "1"


# --- who may see them ------------------------------------------------------------------


def test_another_providers_user_cannot_see_or_change_these_sections(client, ret, alice):
    stranger_contract = _contract()
    stranger = make_user(Role.PROVIDER_MANAGER, provider=stranger_contract.provider)
    sign_in(client, stranger.email)
    token = csrf_token_from(client.get("/", follow_redirects=True).get_data(as_text=True))
    own = stranger_contract.provider_id
    for base in (url(ret), f"/provider/{own}/returns/{ret.id}"):
        for tail in ("/section/capacity", "/section/capacity/copy-last-month",
                     "/section/handbacks"):  # fmt: skip
            assert client.get(base + tail).status_code == 404, base + tail
            data = {"csrf_token": token, "revision": "0", "none": "yes", "action": "save",
                    **GOOD_CAPACITY}  # fmt: skip
            assert client.post(base + tail, data=data).status_code == 404, base + tail
    for code in ("capacity", "handbacks"):
        assert section(ret, code).revision == 0


def test_a_post_without_the_form_token_saves_nothing(client, ret, alice):
    sign_in(client, alice.email)
    response = client.post(url(ret, "/section/handbacks"), data={"none": "yes", "revision": "0"})
    assert response.status_code == 400
    assert section(ret, "handbacks").revision == 0


def test_a_copied_capacity_section_is_confirmed_once_not_once_an_area(client, ret, alice):
    same = {
        "areas": [
            {"area": "North", "spare_hours": "12.5", "valid_until": "2026-12-31"},
            {"area": "South", "spare_hours": "4", "valid_until": "2026-12-31"},
        ]
    }
    for period in (date(2026, 8, 1), date(2026, 9, 1)):
        submit_month(_return(ret.contract, period), alice, "capacity", same)
    sign_in(client, alice.email)
    page = url(ret, "/section/capacity")
    fields = {**area_fields(0), **area_fields(1, hours="4")}
    response = post(client, page, fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert shows(
        html, "Spare weekly hours are the same as in each of the last 2 months in North, South"
    )
    assert error_links(html) == ["#confirm-section-unchanged"]
    assert post(client, page, {**fields, "confirm_warning": "section:unchanged"}).status_code == 302
    assert section(ret, "capacity").confirmed_warnings == ["section:unchanged"]
