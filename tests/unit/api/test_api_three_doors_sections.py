"""One bad value in the capacity, handbacks or workforce section gets one message whichever
way it comes: the section's web form, the section's file upload and the API's PUT (the
KPI section's three ways are in ``test_api_returns.py``). All three load through the
section's marshmallow schema (``portal.schemas.section_rows``, ``sections``). A handback's
message on the page names the handback ("for handback 1"); in a file and through the API
the row number stands beside it instead, so that is the one difference."""

from __future__ import annotations

import html as html_lib
import io

from forms import messages
from portal.returns import service
from portal.returns.sections import capacity_rules
from tests.conftest import signed_in
from tests.unit.api.test_api_returns import api, put_section  # noqa: F401 - api is a fixture


def _page_and_upload(app, contracted, code: str, form: dict, csv: str):
    """(the form's answer, the upload's answer) for the same bad value."""
    app.config["WTF_CSRF_ENABLED"] = False
    ret = contracted.ret
    web = signed_in(app, contracted.submitter)
    page = f"/provider/{contracted.provider.id}/returns/{ret.id}"
    revision = service.section(ret, code).revision
    posted = web.post(f"{page}/section/{code}", data={**form, "revision": revision})
    uploaded = web.post(f"{page}/upload?section={code}",
                        data={"file": (io.BytesIO(csv.encode()), f"{code}.csv")},
                        content_type="multipart/form-data")  # fmt: skip
    return posted, uploaded


def _api_messages(client, api, code: str, answers: dict) -> list[str]:  # noqa: F811
    sent = put_section(client, api, code, answers)
    assert sent.status_code == 422
    return [e["message"] for e in sent.get_json()["errors"]]


def test_spare_hours_that_are_not_a_number_get_one_message(app, client, api, contracted):  # noqa: F811
    (area,) = capacity_rules.area_names(contracted.ret)
    message = messages.hours_not_number("spare weekly hours")
    form = {"areas-0-spare_hours": "lots", "areas-0-double_handed": "yes",
            "areas-0-night_support": "no", "areas-0-valid_until-day": "31",
            "areas-0-valid_until-month": "12", "areas-0-valid_until-year": "2026"}  # fmt: skip
    row = [area, "lots", "", "yes", "no", "", "31/12/2026"]
    csv = ("area,spare_hours,earliest_start,double_handed,night_support,specialist_needs,"
           "valid_until\n" + ",".join(row) + "\n")  # fmt: skip
    posted, uploaded = _page_and_upload(app, contracted, "capacity", form, csv)
    assert posted.status_code == 400 and html_lib.escape(message) in posted.get_data(as_text=True)
    assert html_lib.escape(message) in uploaded.get_data(as_text=True)
    columns = csv.splitlines()[0].split(",")
    by_api = _api_messages(
        client, api, "capacity", {"rows": [dict(zip(columns, row, strict=True))]}
    )
    assert message in by_api


def test_weekly_hours_of_0_for_a_handback_get_one_message(app, client, api, contracted):  # noqa: F811
    (area,) = capacity_rules.area_names(contracted.ret)
    message = messages.hours_not_positive("weekly hours")  # in a file and through the API
    form = {"rows-0-reference": "PKG-1", "rows-0-notice_date-day": "2",
            "rows-0-notice_date-month": "10", "rows-0-notice_date-year": "2026",
            "rows-0-end_date-day": "16", "rows-0-end_date-month": "10",
            "rows-0-end_date-year": "2026", "rows-0-weekly_hours": "0",
            "rows-0-service_type": "homecare", "rows-0-area": area,
            "rows-0-reason": "staffing"}  # fmt: skip
    row = ["PKG-1", "02/10/2026", "16/10/2026", "0", "homecare", area, "staffing", ""]
    columns = ["reference", "notice_date", "end_date", "weekly_hours", "service_type", "area",
               "reason", "reason_details"]  # fmt: skip
    csv = ",".join(columns) + "\n" + ",".join(row) + "\n"
    posted, uploaded = _page_and_upload(app, contracted, "handbacks", form, csv)
    on_the_page = messages.hours_not_positive("weekly hours for handback 1")
    assert posted.status_code == 400
    assert html_lib.escape(on_the_page) in posted.get_data(as_text=True)
    assert html_lib.escape(message) in uploaded.get_data(as_text=True)
    by_api = _api_messages(
        client, api, "handbacks", {"rows": [dict(zip(columns, row, strict=True))]}
    )
    assert message in by_api


def test_a_headcount_below_0_gets_one_message(app, client, api, contracted):  # noqa: F811
    from portal.returns.sections import workforce_rules
    from portal.schemas.sections import parse_section

    answers = {"headcount": "-3", "fte": "35.5", "vacancies": "2.5", "starters": "3",
               "leavers": "1", "sickness_days": "12.5", "agency_hours": "80",
               "visa_staff": "4", "sponsor_licence": "active", "registered_manager": "yes",
               "lowest_pay": "12.60", "median_pay": "13.10", "rlw_staff": "30",
               "travel_time_paid": "yes", "zero_hours_staff": "5",
               "care_cert_completed": "30", "care_cert_in_progress": "8",
               "care_cert_not_started": "4"}  # fmt: skip
    _, errors = parse_section("workforce", answers)
    message = errors["headcount"]
    assert message.startswith("Care staff headcount")
    csv = (",".join(workforce_rules.NAMES) + "\n"
           + ",".join(answers[name] for name in workforce_rules.NAMES) + "\n")  # fmt: skip
    posted, uploaded = _page_and_upload(app, contracted, "workforce", answers, csv)
    assert posted.status_code == 400 and html_lib.escape(message) in posted.get_data(as_text=True)
    assert html_lib.escape(message) in uploaded.get_data(as_text=True)
    assert message in _api_messages(client, api, "workforce", answers)


def test_the_kpi_page_post_loads_only_the_schemas_fields_and_keeps_the_good_counts():
    """The page posts its own fields beside the counts (revision, ticked warnings, token):
    the schema takes only its fields, so they are not refused as unknown, gives the API's
    message for the bad count and still hands back the good counts for the live figures."""
    from portal.schemas.sections import KpiAnswersSchema, parse_section
    from tests.examples import EXAMPLE_KPIS

    bad = {**EXAMPLE_KPIS, "missed_visits": "ten"}
    posted = {**bad, "revision": "3", "confirm_warning": "k1", "csrf_token": "t", "submit": ""}
    values, errors = KpiAnswersSchema().parse(posted)
    assert errors == parse_section("kpis", bad)[1]
    assert errors == {"missed_visits": messages.kpi_not_number("Missed visits", False)}
    assert "missed_visits" not in values
    assert values["planned_visits"] == str(EXAMPLE_KPIS["planned_visits"])
