"""The OpenAPI document: served at /api/v1/openapi.json, OpenAPI 3.1, describing every API
route from the marshmallow schemas; the reference page made from it; and schemathesis
sending generated requests to every operation it describes (a short, time-boxed run:
``make bench-api-fuzz`` runs a long one) with no server error and no answer that breaks
the document."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from portal.api.auth import ApiAccess, new_key
from portal.extensions import db
from portal.queries import jobs as job_queries
from portal.returns import review
from tests.examples import EXAMPLE_KPIS
from tests.unit.conftest import get_page

# The answers' rules (one count no more than another...) are the sections' own, not JSON
# Schema, so a schema-valid body may rightly get 422: positive_data_acceptance is left out.
CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))


def test_the_document_is_openapi_3_1_and_describes_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    described = {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    for rule in app.url_map.iter_rules():
        if isinstance(getattr(app.view_functions[rule.endpoint], "access", None), ApiAccess):
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                assert (path, method) in described, (path, method)
    # The answers come from the section schemas, so each KPI count is described.
    kpis = document["components"]["schemas"]["KpisAnswers"]["properties"]
    assert set(EXAMPLE_KPIS) <= set(kpis)


def test_the_reference_page_is_made_from_the_document(client):
    html = get_page(client, "/api/v1/reference")
    assert "API reference" in html
    assert "/api/v1/providers/{provider_id}/returns/{return_id}/sections/{code}" in html
    assert "Write a section&#39;s answers" in html
    assert "<code>confirm_warnings</code>" in html  # the PUT body's fields, from its schema
    assert "cdn" not in html.lower()


def _feedback_report(contracted) -> int:
    """The contracted provider's return submitted and its feedback report built (the job,
    run in-process), so the report endpoints answer 200 with a real report's figures."""
    from portal.background import jobs
    from portal.feedback import FEEDBACK, feedback_key
    from portal.feedback.jobs import PDF
    from tests.factories import submit_return

    ret, council, provider = contracted.ret, contracted.council, contracted.provider
    submit_return(ret, contracted.submitter, kpis=EXAMPLE_KPIS)
    period = f"{ret.period:%Y-%m}"
    params = {"council_id": council.id, "provider_id": provider.id, "period": period}
    job = jobs.submit(FEEDBACK, feedback_key(council.id, provider.id, period), params,
                      council_id=council.id, provider_id=provider.id)  # fmt: skip
    assert job.status == "done"
    (report,) = job_queries.provider_documents(provider.id, FEEDBACK, PDF)
    return report[0].id


@pytest.fixture
def fuzzed(app, contracted):
    """The served document, live keys of the contracted provider and council, and the ids
    the paths take: the provider's return, a question on it and its feedback report."""
    report_id = _feedback_report(contracted)
    question = review.query(contracted.ret, contracted.commissioner, "kpis:missed_visits", "Why?")
    _, secret = new_key(contracted.provider.id, "Fuzzer", contracted.submitter.id)
    _, council_secret = new_key(None, "Fuzzer", contracted.commissioner.id,
                                council_id=contracted.council.id, scope="council")  # fmt: skip
    db.session.commit()
    return {
        "schema": schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app),
        "ids": {
            "provider_id": contracted.provider.id,
            "return_id": contracted.ret.id,
            "council_id": contracted.council.id,
            "report_id": report_id,
            "comment_id": question.id,
        },  # fmt: skip
        "headers": {"Authorization": f"Bearer {secret}"},
        "council_headers": {"Authorization": f"Bearer {council_secret}"},
    }


def test_generated_requests_get_no_server_error_and_answers_that_keep_the_document(app, fuzzed):
    """Every operation, ``API_FUZZ_EXAMPLES`` generated requests each (6 here), with the
    provider's own ids in the path so the requests reach the checks behind them."""
    app.config["API_RATE_LIMIT_PER_MINUTE"] = 1_000_000  # the limit has its own test
    operations = [result.ok() for result in fuzzed["schema"].get_all_operations()]
    assert len(operations) >= 10

    def run(operation) -> None:
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)  # fmt: skip
        def one(case) -> None:
            for name, value in fuzzed["ids"].items():
                if name in (case.path_parameters or {}):
                    case.path_parameters[name] = value
            council = case.path.startswith("/api/v1/councils")
            headers = fuzzed["council_headers" if council else "headers"]
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            answered.setdefault(operation.path, set()).add(response.status_code)

        one()

    answered: dict[str, set[int]] = {}
    for operation in operations:
        run(operation)
    # The fixture's report, question and return are real, so their 200s were checked too.
    for path in (
        "/api/v1/providers/{provider_id}/feedback/{report_id}.json",
        "/api/v1/providers/{provider_id}/feedback",
        "/api/v1/councils/{council_id}/returns/{return_id}",
        "/api/v1/providers/{provider_id}/staff",
    ):
        assert 200 in answered[path], (path, answered[path])
