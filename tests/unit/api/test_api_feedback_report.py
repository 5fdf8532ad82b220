"""A feedback report's figures as JSON through the provider API: the KPIs against target
and the other providers' median and quartiles (checked by hand in
``tests/unit/feedback/``), the summary, the training against the area,
expiring training; the PDF still there; no peer named; another provider's key gets 404;
and the document describes the answer."""

from __future__ import annotations

import jsonschema_rs

from portal.api.auth import new_key
from portal.extensions import db
from portal.feedback.data import feedback_for
from tests.factories import make_provider
from tests.unit.feedback.world import (  # noqa: F401 - subject is a fixture
    SAFEGUARDING,
    _build,
    _staff,
    subject,
)


def _key(provider_id: int) -> dict:
    _, secret = new_key(provider_id, "Care system", None)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_a_feedback_report_reads_as_json_with_its_figures_and_its_pdf_stays(app, subject):  # noqa: F811
    _staff(subject.provider, "W-100", [(SAFEGUARDING, "2026-12-15")])
    assert _build(subject).status == "done"
    auth = _key(subject.provider.id)
    client = app.test_client()
    (listed,) = client.get(f"/api/v1/providers/{subject.provider.id}/feedback",
                           headers=auth).get_json()["reports"]  # fmt: skip

    response = client.get(listed["json_url"], headers=auth)

    assert response.status_code == 200 and response.mimetype == "application/json"
    report = response.get_json()
    assert (report["id"], report["period"], report["period_label"]) == (
        listed["id"], "2026-10", "October 2026")  # fmt: skip
    assert report["provider"] == "Subject Care Ltd"
    assert report["council"] == subject.council.name
    kpis = {k["code"]: k for k in report["frameworks"][0]["kpis"]}
    missed = kpis["missed_visits"]
    assert (missed["percent"], missed["rag"], missed["position"]) == (
        "2.0", "green", "In the best quarter")  # fmt: skip
    assert missed["peers"] == {"count": 4, "lower_quartile": "2.5", "median": "4.5",
                               "upper_quartile": "7.0"}  # fmt: skip
    punctuality = kpis["punctuality"]
    assert (punctuality["percent"], punctuality["rag"]) == ("85.0", "amber")
    assert punctuality["target_label"] and punctuality["peers"]["median"] == "92.5"
    assert report["frameworks"][0]["months_reported"][-1] == "2026-10"
    expected = feedback_for(subject.council.id, subject.provider.id, "2026-10")
    assert report["summary"] == expected.summary and "below target" in report["summary"]
    (safeguarding,) = [t for t in report["training"] if t["category"] == SAFEGUARDING]
    (line,) = [t for t in expected.training if t.code == SAFEGUARDING]
    assert safeguarding["provider_percent"] == line.provider_percent == 50.0
    assert safeguarding["provider_staff"] == line.provider_staff
    assert "W-100" in {s["worker_id"] for s in report["expiring"]}
    for peer in subject.peers:  # peers are counted, never named
        assert peer.name not in response.get_data(as_text=True)
    # ...and the answer is what the OpenAPI document says it is.
    doc = client.get("/api/v1/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/FeedbackReport", "components": doc["components"]}
    jsonschema_rs.Draft202012Validator(schema).validate(report)

    pdf = client.get(report["pdf_url"], headers=auth)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"

    other = make_provider()
    refused = client.get(f"/api/v1/providers/{other.id}/feedback/{listed['id']}.json",
                         headers=_key(other.id))  # fmt: skip
    assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    assert "Subject Care" not in refused.get_data(as_text=True)


def test_the_document_describes_the_feedback_report(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/providers/{provider_id}/feedback/{report_id}.json"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/FeedbackReport")
    report = doc["components"]["schemas"]["FeedbackReport"]["properties"]
    assert {"summary", "frameworks", "training", "expiring", "pdf_url"} <= set(report)
    kpi = doc["components"]["schemas"]["FeedbackKpi"]["properties"]
    assert {"percent", "target_label", "rag", "peers"} <= set(kpi)
