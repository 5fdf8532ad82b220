"""The provider API's monthly returns: list, read, write a section (the section's own rules
and messages, soft warnings, ETag/If-Match), submit (the web's own step and effects, an
Idempotency-Key), errors as problem+json, and another provider's ids answering 404."""

from __future__ import annotations

import html as html_lib
import io

import jsonschema_rs
import pytest
from sqlalchemy import func, select

from forms import messages
from portal.api.auth import new_key
from portal.extensions import db
from portal.models import AuditEntry, Job, ReturnVersion, RiskRating
from portal.returns import service
from portal.vocabulary import SectionState
from tests.conftest import mail_config, signed_in
from tests.examples import EXAMPLE_KPIS
from tests.factories import make_staff, open_return

PROBLEM = "application/problem+json"


@pytest.fixture
def api(contracted):
    """The contracted provider's key (made by its submitter) and another provider's."""
    _, secret = new_key(contracted.provider.id, "Care system", contracted.submitter.id)
    _, other_secret = new_key(contracted.other_provider.id, "Theirs", None)
    db.session.commit()
    ret = contracted.ret
    return {
        "ret": ret,
        "base": f"/api/v1/providers/{contracted.provider.id}",
        "headers": {"Authorization": f"Bearer {secret}"},
        "other_headers": {"Authorization": f"Bearer {other_secret}"},
        "return_url": f"/api/v1/providers/{contracted.provider.id}/returns/{ret.id}",
    }


def put_section(client, api, code: str, answers: dict, ret=None, **extra):
    url = api["return_url"] if ret is None else f"{api['base']}/returns/{ret.id}"
    headers = {**api["headers"], **extra.pop("headers", {})}
    body = {"answers": answers, **extra}
    return client.put(f"{url}/sections/{code}", json=body, headers=headers)


def complete_other_sections(ret, user, skip=("kpis",)):
    for sec in ret.sections:
        if sec.code not in skip:
            service.save_section(
                ret, sec.code, {"done": "yes"}, SectionState.COMPLETED, sec.revision, user
            )


def test_returns_are_listed_with_council_period_status_due_date_and_version(
    client, api, contracted
):
    response = client.get(api["base"] + "/returns", headers=api["headers"])
    assert response.status_code == 200
    found = response.get_json()["returns"]
    ret = api["ret"]
    assert contracted.other_ret.id not in {r["id"] for r in found}
    periods = [r["period"] for r in found]
    assert periods == sorted(periods, reverse=True)  # newest month first
    (listed,) = [r for r in found if r["id"] == ret.id]
    assert listed["id"] == ret.id and listed["period"] == "2026-10"
    assert listed["council"] == ret.contract.council.name
    assert listed["status"] == "not_started" and listed["version"] is None
    assert listed["due_date"] == service.deadlines(ret).due_on.isoformat()


def test_a_return_reads_with_every_section_and_its_computed_kpis(client, api):
    assert (
        put_section(client, api, "kpis", {**EXAMPLE_KPIS, "on_time_visits": 700}).status_code == 200
    )
    found = client.get(api["return_url"], headers=api["headers"]).get_json()
    doc = client.get("/api/v1/openapi.json").get_json()  # the answer keeps the document
    schema = {"$ref": "#/components/schemas/Return", "components": doc["components"]}
    jsonschema_rs.Draft202012Validator(schema).validate(found)
    assert [s["code"] for s in found["sections"]] == [c for c, _ in service.SECTIONS]
    kpis = {s["code"]: s for s in found["sections"]}["kpis"]
    assert kpis["state"] == "completed" and kpis["answers"]["on_time_visits"] == "700"
    punctuality = {k["code"]: k for k in found["kpis"]}["punctuality"]
    assert (punctuality["percent"], punctuality["rag"]) == ("70.7", "red")  # 700 of 990


def test_bad_answers_get_each_fields_message_as_problem_json_and_nothing_is_saved(client, api):
    sec = service.section(api["ret"], "kpis")
    before = sec.revision
    response = put_section(
        client, api, "kpis", {**EXAMPLE_KPIS, "missed_visits": "ten", "complaints": -1, "x": 1}
    )
    assert response.status_code == 422 and response.mimetype == PROBLEM
    problem = response.get_json()
    assert problem["status"] == 422 and problem["title"] == "Unprocessable Entity"
    assert {"field": "x", "message": problem["errors"][0]["message"]} in problem["errors"]
    response = put_section(client, api, "kpis", {**EXAMPLE_KPIS, "missed_visits": "ten",
                                                  "complaints": -1})  # fmt: skip
    errors = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert errors == {
        "missed_visits": "Missed visits must be a whole number, like 120",
        "complaints": "Complaints must be 0 or more",
    }
    db.session.refresh(sec)
    assert sec.revision == before and sec.data == {}


def test_one_bad_value_gets_one_message_by_web_form_file_upload_and_api(
    app, client, api, contracted
):
    """The same bad value sent all three ways gets the same words back."""
    app.config["WTF_CSRF_ENABLED"] = False
    ret, bad = api["ret"], {**EXAMPLE_KPIS, "delivered_visits": "1200"}  # more than planned
    by_api = put_section(client, api, "kpis", bad).get_json()["errors"]
    (message,) = [e["message"] for e in by_api if e["field"] == "delivered_visits"]
    assert message == messages.kpi_more_than("Visits delivered", "Planned visits")
    web = signed_in(app, contracted.submitter)
    page = f"/provider/{contracted.provider.id}/returns/{ret.id}"
    sec = service.section(ret, "kpis")
    form = web.post(f"{page}/section/kpis", data={**bad, "revision": sec.revision})
    assert form.status_code == 400
    assert html_lib.escape(message) in form.get_data(as_text=True)
    upload_file = "kpi_code,value\n" + "".join(f"{k},{v}\n" for k, v in bad.items())
    uploaded = web.post(
        f"{page}/upload?section=kpis",
        data={"file": (io.BytesIO(upload_file.encode()), "kpis.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 400
    assert html_lib.escape(message) in uploaded.get_data(as_text=True)


def test_soft_warnings_come_back_and_confirming_them_completes_the_section(client, api):
    over = {**EXAMPLE_KPIS, "delivered_hours": "1600"}  # more than the 1520.5 commissioned
    first = put_section(client, api, "kpis", over)
    assert first.status_code == 200
    found = first.get_json()
    (warning,) = found["warnings"]
    assert warning["code"] == "delivered_hours:over_commissioned" and not warning["confirmed"]
    assert found["state"] == "in_progress"
    confirmed = put_section(client, api, "kpis", over, confirm_warnings=[warning["code"]])
    assert confirmed.get_json()["state"] == "completed"
    assert confirmed.get_json()["warnings"][0]["confirmed"] is True


def test_a_stale_if_match_is_412_and_changes_nothing(client, api):
    read = client.get(api["return_url"] + "/sections/kpis", headers=api["headers"])
    etag = read.headers["ETag"]
    saved = put_section(client, api, "kpis", EXAMPLE_KPIS, headers={"If-Match": etag})
    assert saved.status_code == 200 and saved.headers["ETag"] != etag
    stale = put_section(
        client, api, "kpis", {**EXAMPLE_KPIS, "complaints": "9"}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412 and stale.mimetype == PROBLEM
    sec = service.section(api["ret"], "kpis")
    db.session.refresh(sec)
    assert sec.data["complaints"] == EXAMPLE_KPIS["complaints"]


def test_the_training_section_is_confirmed_as_the_page_confirms_it(client, api, contracted):
    unticked = put_section(client, api, "training", {})
    assert unticked.status_code == 422
    assert unticked.get_json()["errors"] == [
        {"field": "confirmed", "message": messages.TRAINING_CONFIRM_REQUIRED}
    ]
    nobody = put_section(client, api, "training", {"confirmed": "yes"})
    assert nobody.status_code == 422 and nobody.get_json()["detail"] == messages.TRAINING_NO_STAFF
    make_staff(contracted.provider, worker_id="W1", branch=contracted.branch)
    confirmed = put_section(client, api, "training", {"confirmed": "yes"})
    assert confirmed.status_code == 200 and confirmed.get_json()["state"] == "completed"
    assert confirmed.get_json()["answers"]["confirmed"] is True  # the page's own snapshot


def test_capacity_and_handbacks_are_rows_checked_by_the_section_uploads_own_check(client, api):
    area = {"area": "North", "spare_hours": "40", "earliest_start": "01/12/2026",
            "double_handed": "yes", "night_support": "no",
            "specialist_needs": "dementia", "valid_until": "31/01/2027"}  # fmt: skip
    saved = put_section(client, api, "capacity", {"rows": [area]})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["state"] == "completed"
    assert saved.get_json()["answers"]["areas"][0]["spare_hours"] == "40"
    none = put_section(client, api, "handbacks", {"none": True})
    assert none.status_code == 200 and none.get_json()["answers"]["none"] is True
    handback = {"reference": "PKG-2", "notice_date": "31/02/2026", "end_date": "20/10/2026",
                "weekly_hours": "7", "service_type": "homecare", "area": "North",
                "reason": "staffing", "reason_details": ""}  # fmt: skip
    bad = put_section(client, api, "handbacks", {"rows": [handback]})
    assert bad.status_code == 422
    (error,) = bad.get_json()["errors"]
    assert (error["row"], error["column"]) == (1, "notice_date")
    assert error["message"] == "Notice date must be a real date"
    shapeless = put_section(client, api, "capacity", {"rows": "North"})
    assert shapeless.status_code == 422 and shapeless.get_json()["errors"][0]["field"] == "rows"


def test_submit_needs_every_section_then_gives_a_receipt_once_per_idempotency_key(
    client, api, contracted
):
    url = api["return_url"] + "/submit"
    headers = {**api["headers"], "Idempotency-Key": "nightly-2026-10-run-1"}
    refused = client.post(url, headers={**api["headers"], "Idempotency-Key": "too-early-try"})
    assert refused.status_code == 422
    assert "Complete every section before you submit" in refused.get_json()["detail"]
    assert put_section(client, api, "kpis", EXAMPLE_KPIS).status_code == 200
    complete_other_sections(api["ret"], contracted.submitter)
    first = client.post(url, headers=headers)
    assert first.status_code == 201
    receipt = first.get_json()
    assert receipt["version"] == 1 and receipt["reference"].endswith("-V1")
    again = client.post(url, headers=headers)
    assert again.status_code == 201 and again.get_json() == receipt
    versions = db.session.scalar(select(func.count()).select_from(ReturnVersion))
    assert versions == 1


def test_a_retried_put_with_its_idempotency_key_gets_the_first_answer_and_changes_nothing(
    client, api
):
    key = {"Idempotency-Key": "rota-sync-2026-11-23"}
    first = put_section(client, api, "kpis", EXAMPLE_KPIS, headers=key)
    assert first.status_code == 200
    sec = service.section(api["ret"], "kpis")
    db.session.refresh(sec)
    revision = sec.revision
    again = put_section(client, api, "kpis", EXAMPLE_KPIS, headers=key)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    db.session.refresh(sec)
    assert sec.revision == revision
    saves = select(func.count()).select_from(AuditEntry).where(AuditEntry.section == "kpis")
    assert db.session.scalar(saves) == 1
    elsewhere = put_section(client, api, "workforce", {}, headers=key)
    assert elsewhere.status_code == 422 and "another request" in elsewhere.get_json()["detail"]
    bad = put_section(client, api, "kpis", EXAMPLE_KPIS, headers={"Idempotency-Key": "x y"})
    assert bad.status_code == 400


def _effects(ret) -> dict:
    db.session.expire_all()
    contract = ret.contract
    version = db.session.scalar(select(ReturnVersion).where(ReturnVersion.return_id == ret.id))
    return {
        "audit": sorted(
            (a.action, a.user_id)
            for a in db.session.scalars(select(AuditEntry).where(AuditEntry.return_id == ret.id))
        ),
        "jobs": sorted(
            j.kind
            for j in db.session.scalars(select(Job).where(Job.key.contains(f":{version.id}")))
        ),
        "rated": db.session.scalar(
            select(func.count())
            .select_from(RiskRating)
            .where(
                RiskRating.council_id == contract.council_id,
                RiskRating.provider_id == contract.provider_id,
            )
        ),
        "status": ret.status.value,
        "by": version.submitted_by_id,
    }


def test_submitting_by_api_has_the_same_effects_as_the_web_page(
    app, client, api, contracted, mail_server
):
    app.config.update(mail_config(mail_server), WTF_CSRF_ENABLED=False)
    by_web, by_api = contracted.ret, open_return(provider=contracted.provider)
    for ret in (by_web, by_api):
        complete_other_sections(ret, contracted.submitter, skip=())
    web = signed_in(app, contracted.submitter)
    page = f"/provider/{contracted.provider.id}/returns/{by_web.id}/submit"
    assert web.post(page, data={"submission_key": "web-submission-key-1"}).status_code == 302
    response = client.post(f"{api['base']}/returns/{by_api.id}/submit", headers=api["headers"])
    assert response.status_code == 201
    assert _effects(by_web) == _effects(by_api)
    assert _effects(by_api)["rated"] == 1 and _effects(by_api)["jobs"]
    assert len(mail_server) == 2
    assert all("-V1" in m["Subject"] for m in mail_server), [m["Subject"] for m in mail_server]
    assert {m["To"] for m in mail_server} == {contracted.submitter.email}


def test_another_providers_return_ids_answer_404_like_ids_that_do_not_exist(
    client, api, contracted
):
    other = contracted.other_ret
    for path, method in (("", "GET"), ("/sections/kpis", "GET"), ("/sections/kpis", "PUT"),
                         ("/submit", "POST")):  # fmt: skip
        theirs = client.open(f"{api['base']}/returns/{other.id}{path}", method=method,
                             json={"answers": EXAMPLE_KPIS}, headers=api["headers"])  # fmt: skip
        missing = client.open(f"{api['base']}/returns/999999{path}", method=method,
                              json={"answers": EXAMPLE_KPIS}, headers=api["headers"])  # fmt: skip
        assert theirs.status_code == missing.status_code == 404, (path, method)
        assert theirs.get_json() == missing.get_json()
    # ...and their key gets 404 for our provider's URLs.
    ours = client.get(api["return_url"], headers=api["other_headers"])
    assert ours.status_code == 404
    db.session.refresh(other)
    assert other.versions == [] and all(not s.data for s in other.sections)
