"""The council API: returns by period, a submitted return's answers and KPIs, the feed of
every submitted version by an opaque cursor (JSON and CSV), accept and query through the
review's own domain functions; another council's ids 404; forum keys only get the
forum's suppressed figures."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from portal.api import council_feed
from portal.api.auth import new_key
from portal.extensions import db
from portal.mandatory import mandatory_set
from portal.models import Job, Notification, ReturnComment
from portal.returns.sections import training_rules
from portal.vocabulary import ReturnStatus
from tests.examples import EXAMPLE_KPIS, SAFEGUARDING
from tests.factories import make_staff, submit_return


@pytest.fixture
def council_api(contracted):
    keys = {}
    for name, council, scope in (("council", contracted.council, "council"),
                                 ("forum", contracted.council, "forum"),
                                 ("other", contracted.other_council, "council")):  # fmt: skip
        _, secret = new_key(None, f"{name} system", contracted.commissioner.id,
                            council_id=council.id, scope=scope)  # fmt: skip
        keys[name] = {"Authorization": f"Bearer {secret}"}
    db.session.commit()
    return {"base": f"/api/v1/councils/{contracted.council.id}", "keys": keys}


def test_returns_by_period_with_status_and_version_only_of_the_council(
    client, council_api, contracted
):
    submit_return(contracted.ret, contracted.submitter, kpis=EXAMPLE_KPIS)
    url = council_api["base"] + "/returns?period=2026-10"
    found = client.get(url, headers=council_api["keys"]["council"]).get_json()["returns"]
    assert [(r["id"], r["status"], r["version"]) for r in found] == [
        (contracted.ret.id, "submitted", 1)
    ]
    assert found[0]["provider"] == contracted.provider.name
    everything = client.get(
        council_api["base"] + "/returns", headers=council_api["keys"]["council"]
    )
    assert contracted.other_ret.id not in {r["id"] for r in everything.get_json()["returns"]}
    bad = client.get(council_api["base"] + "/returns?period=2026-13",
                     headers=council_api["keys"]["council"])  # fmt: skip
    assert bad.status_code == 400 and "YYYY-MM" in bad.get_json()["detail"]


def test_a_return_reads_as_submitted_with_its_kpis_and_other_councils_ids_are_404(
    client, council_api, contracted
):
    submit_return(contracted.ret, contracted.submitter, kpis=EXAMPLE_KPIS)
    headers = council_api["keys"]["council"]
    found = client.get(f"{council_api['base']}/returns/{contracted.ret.id}", headers=headers)
    assert found.status_code == 200
    document = found.get_json()
    assert document["answers"]["kpis"]["planned_visits"] == "1000"
    assert {k["code"]: k["rag"] for k in document["kpis"]}["missed_visits"] == "green"
    theirs = client.get(f"{council_api['base']}/returns/{contracted.other_ret.id}", headers=headers)
    missing = client.get(f"{council_api['base']}/returns/999999", headers=headers)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.get_json() == missing.get_json()
    # The other council's key gets 404 for this council's URLs.
    other = client.get(council_api["base"] + "/returns", headers=council_api["keys"]["other"])
    assert other.status_code == 404


def test_the_versions_feed_gives_each_version_once_by_an_opaque_cursor(
    client, council_api, contracted
):
    headers = council_api["keys"]["council"]
    first = submit_return(contracted.ret, contracted.submitter, kpis=EXAMPLE_KPIS)
    submit_return(contracted.other_ret, contracted.other_submitter, kpis=EXAMPLE_KPIS)
    second = submit_return(contracted.ret, contracted.submitter,
                           kpis={**EXAMPLE_KPIS, "complaints": "3"})  # fmt: skip
    page = client.get(council_api["base"] + "/versions?limit=1", headers=headers).get_json()
    assert [v["version_reference"] for v in page["versions"]] == [first.reference]
    answers = {(a["section"], a["field"]): a["value"] for a in page["versions"][0]["answers"]}
    assert answers[("kpis", "planned_visits")] == "1000"
    nxt = client.get(f"{council_api['base']}/versions?cursor={page['next_cursor']}",
                     headers=headers).get_json()  # fmt: skip
    assert [v["version_reference"] for v in nxt["versions"]] == [second.reference]  # not theirs
    last = client.get(f"{council_api['base']}/versions?cursor={nxt['next_cursor']}",
                      headers=headers).get_json()  # fmt: skip
    assert last["versions"] == [] and last["next_cursor"] == nxt["next_cursor"]
    bad = client.get(council_api["base"] + "/versions?cursor=not-ours", headers=headers)
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"


def test_the_versions_feed_as_csv_has_one_row_per_answer_and_stable_columns(
    client, council_api, contracted
):
    version = submit_return(contracted.ret, contracted.submitter, kpis=EXAMPLE_KPIS)
    response = client.get(council_api["base"] + "/versions?format=csv",
                          headers=council_api["keys"]["council"])  # fmt: skip
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert tuple(rows[0]) == council_feed.COLUMNS
    kpi_rows = [r for r in rows[1:] if r[9] == "kpis"]
    assert len(kpi_rows) == len(EXAMPLE_KPIS)
    assert {r[0] for r in rows[1:]} == {version.reference}
    assert council_feed.decode_cursor(response.headers["Next-Cursor"]) == version.id


def test_accept_and_query_have_the_review_pages_effects(client, council_api, contracted):
    headers = council_api["keys"]["council"]
    submit_return(contracted.ret, contracted.submitter, kpis=EXAMPLE_KPIS)
    url = f"{council_api['base']}/returns/{contracted.ret.id}"
    empty = client.post(url + "/query", json={"text": " "}, headers=headers)
    assert empty.status_code == 422 and empty.get_json()["errors"][0]["field"] == "text"
    question = {"section": "kpis", "field": "complaints", "text": "Why 1?"}
    queried = client.post(url + "/query", json=question, headers=headers)
    assert queried.status_code == 200 and queried.get_json()["status"] == "queried"
    comment = db.session.scalar(select(ReturnComment).where(ReturnComment.kind == "query"))
    assert (comment.section, comment.field, comment.text) == ("kpis", "complaints", "Why 1?")
    told = db.session.scalars(select(Notification.user_id)).all()
    assert contracted.submitter.id in told
    # Not submitted any more: it cannot be accepted until the provider resubmits.
    assert client.post(url + "/accept", json={}, headers=headers).status_code == 409
    submit_return(contracted.ret, contracted.submitter)
    accepted = client.post(url + "/accept", json={"text": "Thank you"}, headers=headers)
    assert accepted.status_code == 200
    db.session.refresh(contracted.ret)
    assert contracted.ret.status is ReturnStatus.ACCEPTED
    assert db.session.scalar(select(Job.id).where(Job.kind == "feedback")) is not None


def test_a_forum_key_gets_only_the_forums_suppressed_figures(client, council_api, contracted):
    submit_return(contracted.ret, contracted.submitter, kpis=EXAMPLE_KPIS)
    forum = council_api["keys"]["forum"]
    gaps = client.get(council_api["base"] + "/training-gaps", headers=forum)
    assert gaps.status_code == 200
    assert contracted.provider.name not in gaps.get_data(as_text=True)
    for path in ("/returns", f"/returns/{contracted.ret.id}", "/versions"):
        assert client.get(council_api["base"] + path, headers=forum).status_code == 404, path
    accept = client.post(f"{council_api['base']}/returns/{contracted.ret.id}/accept",
                         json={}, headers=forum)  # fmt: skip
    assert accept.status_code == 404


def test_the_training_matrix_as_at_a_date_for_the_area_or_one_of_its_providers(
    client, council_api, contracted
):
    make_staff(contracted.provider, worker_id="W1", branch=contracted.branch,
               training=[{"category": SAFEGUARDING, "expiry_date": date(2027, 1, 1)}])  # fmt: skip
    ret = contracted.ret  # the matrix is built from submitted training sections
    as_at = training_rules.as_at_date(ret)
    rows = training_rules.staff_rows(training_rules.active_staff(ret), as_at,
                                     mandatory_set(contracted.council.id))  # fmt: skip
    submit_return(ret, contracted.submitter, training=training_rules.snapshot(rows, as_at))
    headers = council_api["keys"]["council"]
    url = council_api["base"] + "/training-matrix"
    area = client.get(url + "?as_at=2026-10-31", headers=headers).get_json()
    assert area["as_at"] == "2026-10-31" and area["cells"]
    assert max(int(c["staff_in_scope"]) for c in area["cells"]) == 1
    one = client.get(f"{url}?provider_id={contracted.provider.id}", headers=headers)
    assert one.status_code == 200
    theirs = client.get(f"{url}?provider_id={contracted.other_provider.id}", headers=headers)
    assert theirs.status_code == 404  # not one of this council's providers
    assert client.get(url + "?as_at=31/10/2026", headers=headers).status_code == 400
    assert client.get(url, headers=council_api["keys"]["forum"]).status_code == 404
