"""The council's contract-meeting pack pages and the provider's commentary on red KPIs.

Jobs run in-process here (no Redis). The pack builder is replaced, in these tests only,
by a small handler that saves a document naming the job, so the pages are tested on their
own; the e2e journey builds a real pack."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.background import jobs
from portal.documents import save_document
from portal.extensions import db
from portal.models import Role, SectionState
from portal.models.work import Job, KpiCommentary, MeetingAction
from portal.packs import FRAMEWORK_PACK, PACK, pack_key
from portal.returns import service
from tests.conftest import shows
from tests.examples import EXAMPLE_KPIS
from tests.factories import (
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_user,
    open_return,
)
from tests.unit.conftest import get_page, sign_in

QUARTER = "2026-Q3"
RED_KPIS = {  # missed visits 6% (red above 5%) and punctuality 70% (red below 75%)
    **EXAMPLE_KPIS,
    "delivered_visits": "940",
    "missed_visits": "60",
    "on_time_visits": "658",
}
GREEN_KPIS = {**RED_KPIS, "missed_visits": "10", "on_time_visits": "900"}


def _fake_builder(job: Job) -> dict:
    """Stands in for ``workers.packs``: a PDF and an XLSX naming the job."""
    params = job.params
    for fmt in ("pdf", "xlsx"):
        save_document(
            job.kind,
            params["council_id"],
            params["quarter"],
            fmt,
            f"pack-{job.id}.{fmt}",
            f"{fmt} for {job.key}".encode(),
            provider_id=params.get("provider_id", 0),
            framework_id=params.get("framework_id", 0),
            job_id=job.id,
        )
    return {"pages": 1}


def _failing_builder(job: Job) -> dict:
    raise jobs.JobError("There are no returns for this quarter.")


@pytest.fixture
def builder(monkeypatch):
    """Register the fake builder for both pack kinds (no module registers handlers when it
    is imported, so nothing replaces it). Returns a function that swaps in another handler."""

    def use(func):
        for kind in (PACK, FRAMEWORK_PACK):
            monkeypatch.setitem(jobs.HANDLERS, kind, jobs.Handler(func, "reports"))

    use(_fake_builder)
    return use


@pytest.fixture
def two_councils(app, builder):
    app.config["TODAY"] = "2026-11-23"
    app.config["WTF_CSRF_ENABLED"] = False
    council, other_council = make_council(), make_council()
    framework, other_framework = make_framework(council), make_framework(other_council)
    provider, other_provider = make_provider("Alpha Care Ltd"), make_provider("Beta Care Ltd")
    make_contract(provider, council, framework)
    make_contract(other_provider, other_council, other_framework)
    db.session.commit()
    return {
        "council": council,
        "other_council": other_council,
        "framework": framework,
        "other_framework": other_framework,
        "provider": provider,
        "other_provider": other_provider,
        "commissioner": make_user(Role.COMMISSIONER, council=council, name="Chris Commissioner"),
        "other_commissioner": make_user(Role.COMMISSIONER, council=other_council),
        "qa": make_user(Role.QA_OFFICER, council=council),
        "submitter": make_user(Role.PROVIDER_SUBMITTER, provider=provider),
    }


def _as(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def _base(two_councils) -> str:
    return f"/council/{two_councils['council'].id}/packs"


def _jobs() -> int:
    return db.session.scalar(select(func.count(Job.id)))


def _build(client, two_councils, **fields):
    data = {"provider": two_councils["provider"].id, "quarter": QUARTER, **fields}
    return client.post(_base(two_councils) + "/build", data=data)


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_each_provider_and_framework_for_the_latest_complete_quarter(
    app, two_councils
):
    client = _as(app, two_councils["commissioner"])
    html = get_page(client, _base(two_councils))
    assert "Contract-meeting packs" in html
    assert "Provider packs for July to September 2026" in html
    assert "Alpha Care Ltd" in html and two_councils["framework"].name in html
    assert "Beta Care Ltd" not in html and two_councils["other_framework"].name not in html
    assert html.count("Not built") == 2
    assert html.count('<option value="20') == 8  # the last 8 quarters
    assert 'value="2026-Q3" selected' in html and "2024-Q4" in html and "2024-Q3" not in html
    nav = get_page(client, f"/council/{two_councils['council'].id}/training-matrix")
    link = re.search(r'href="([^"]+)">\s*Packs\s*</a>', nav)
    assert link and link.group(1) == _base(two_councils)


def test_a_quarter_not_offered_is_an_error_on_the_list(app, two_councils):
    client = _as(app, two_councils["commissioner"])
    for bad in ("2026-Q5", "not a quarter", "2020-Q1", "2026-Q4"):
        html = get_page(client, _base(two_councils) + f"?quarter={bad}", status=400)
        assert "There is a problem" in html and "Select a quarter from the list" in html


# --- building, watching and downloading ------------------------------------------------------


def test_building_a_pack_runs_the_job_and_the_documents_download(app, two_councils):
    client = _as(app, two_councils["commissioner"])
    response = _build(client, two_councils)
    assert response.status_code == 302
    pack_url = (
        f"{_base(two_councils)}/pack?provider={two_councils['provider'].id}&quarter={QUARTER}"
    )
    assert response.location == pack_url
    job = db.session.scalar(select(Job))
    assert (job.kind, job.status, job.key) == (
        PACK,
        "done",
        pack_key(two_councils["council"].id, two_councils["provider"].id, QUARTER),
    )
    assert job.params == {
        "council_id": two_councils["council"].id,
        "provider_id": two_councils["provider"].id,
        "quarter": QUARTER,
    }
    assert job.requested_by_id == two_councils["commissioner"].id
    assert (
        job.provider_id == two_councils["provider"].id
        and job.council_id == two_councils["council"].id
    )
    html = get_page(client, pack_url)
    assert "The pack is ready." in html
    assert "Download the pack (PDF)" in html and "Download the pack (XLSX)" in html
    pdf = client.get(
        f"{_base(two_councils)}/download?provider={two_councils['provider'].id}&quarter={QUARTER}&format=pdf"
    )
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data == f"pdf for {job.key}".encode()
    assert f'filename="pack-{job.id}.pdf"' in pdf.headers["Content-Disposition"]
    xlsx = client.get(
        f"{_base(two_councils)}/download?provider={two_councils['provider'].id}&quarter={QUARTER}&format=xlsx"
    )
    assert xlsx.data == f"xlsx for {job.key}".encode()
    listing = get_page(client, _base(two_councils))
    assert "Ready" in listing and "Built " in listing and "Build again" in listing


def test_asking_twice_gives_one_job(app, two_councils):
    client = _as(app, two_councils["commissioner"])
    assert _build(client, two_councils).status_code == 302
    assert _build(client, two_councils).status_code == 302  # a double click: the pack is ready
    assert _jobs() == 1
    # Still queued (no worker has picked it up yet): asking again gives the same job.
    framework_job = Job(
        kind=FRAMEWORK_PACK,
        key=f"{FRAMEWORK_PACK}:{two_councils['council'].id}:{two_councils['framework'].id}:{QUARTER}",
        params={
            "council_id": two_councils["council"].id,
            "framework_id": two_councils["framework"].id,
            "quarter": QUARTER,
        },
        council_id=two_councils["council"].id,
        status="queued",
    )
    db.session.add(framework_job)
    db.session.commit()
    response = client.post(
        _base(two_councils) + "/build",
        data={"framework": two_councils["framework"].id, "quarter": QUARTER},
    )
    assert response.status_code == 302 and _jobs() == 2
    html = get_page(client, response.location)
    assert "The pack is waiting to start." in html and "Refresh" in html
    assert "Build pack" not in html
    # "Build again" on a ready pack does start a new job.
    assert _build(client, two_councils, again="yes").status_code == 302
    assert _jobs() == 3


def test_a_framework_summary_pack(app, two_councils):
    client = _as(app, two_councils["commissioner"])
    response = client.post(
        _base(two_councils) + "/build",
        data={"framework": two_councils["framework"].id, "quarter": QUARTER},
    )
    job = db.session.scalar(select(Job))
    assert job.kind == FRAMEWORK_PACK and job.status == "done"
    assert job.params["framework_id"] == two_councils["framework"].id and job.provider_id is None
    html = get_page(client, response.location)
    assert "framework summary pack" in html and "Actions from contract meetings" not in html
    pdf = client.get(
        f"{_base(two_councils)}/download?framework={two_councils['framework'].id}&quarter={QUARTER}&format=pdf"
    )
    assert pdf.data == f"pdf for {job.key}".encode()


def test_the_status_fragment_and_its_refresh_link(app, two_councils):
    client = _as(app, two_councils["commissioner"])
    _build(client, two_councils)
    job = db.session.scalar(select(Job))
    url = f"{_base(two_councils)}/pack/status?job={job.id}"
    fragment = client.get(url, headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in html
    assert "The pack is ready." in html and "Download the pack (PDF)" in html
    # Without htmx (the Refresh link in a browser without JavaScript): the whole page.
    plain = client.get(url)
    assert plain.status_code == 302 and "/pack?provider=" in plain.location
    assert client.get(f"{_base(two_councils)}/pack/status?job={job.id + 100}").status_code == 404
    for bad in ("", "x"):
        assert client.get(f"{_base(two_councils)}/pack/status?job={bad}").status_code == 400


def test_a_failed_build_says_why_and_can_be_tried_again(app, two_councils, builder):
    client = _as(app, two_councils["commissioner"])
    builder(_failing_builder)
    response = _build(client, two_councils)
    job = db.session.scalar(select(Job))
    assert job.status == "failed"
    html = get_page(client, response.location)
    assert "The pack could not be built. There are no returns for this quarter." in html
    assert "Try again" in html and "Download the pack" not in html
    assert "Failed" in get_page(client, _base(two_councils))
    builder(_fake_builder)
    retried = client.post(_base(two_councils) + "/retry", data={"job": job.id})
    assert retried.status_code == 302
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == "done" and _jobs() == 1
    assert "The pack is ready." in get_page(client, retried.location)


def test_invalid_requests_are_errors_and_queue_nothing(app, two_councils):
    client = _as(app, two_councils["commissioner"])
    provider = two_councils["provider"].id
    cases = [
        ({"provider": provider, "quarter": "2026-Q9"}, "Select a quarter from the list"),
        ({"provider": provider, "quarter": ""}, "Select a quarter from the list"),
        ({"provider": "abc", "quarter": QUARTER}, "Select a provider or a framework"),
        ({"quarter": QUARTER}, "Select a provider or a framework"),
        (
            {"provider": provider, "framework": two_councils["framework"].id, "quarter": QUARTER},
            "Select a provider or a framework",
        ),
    ]
    for data, message in cases:
        response = client.post(_base(two_councils) + "/build", data=data)
        assert response.status_code == 400, data
        assert shows(response.get_data(as_text=True), message), data
    html = get_page(client, f"{_base(two_councils)}/pack?provider=1x&quarter={QUARTER}", status=400)
    assert "Select a provider or a framework from the list" in html
    bad_format = f"{_base(two_councils)}/download?provider={provider}&quarter={QUARTER}&format=doc"
    assert client.get(bad_format).status_code == 400
    # Another council's provider or framework: not found.
    for data in (
        {"provider": two_councils["other_provider"].id, "quarter": QUARTER},
        {"framework": two_councils["other_framework"].id, "quarter": QUARTER},
        {"provider": 99999, "quarter": QUARTER},
    ):
        assert client.post(_base(two_councils) + "/build", data=data).status_code == 404, data
    other = (
        f"{_base(two_councils)}/pack?provider={two_councils['other_provider'].id}&quarter={QUARTER}"
    )
    assert client.get(other).status_code == 404
    assert _jobs() == 0
    # Not built yet: nothing to download.
    pdf = f"{_base(two_councils)}/download?provider={provider}&quarter={QUARTER}&format=pdf"
    assert client.get(pdf).status_code == 404
    assert client.post(_base(two_councils) + "/retry", data={"job": "x"}).status_code == 400


# --- actions from contract meetings ------------------------------------------------------------


def _pack_page(two_councils) -> str:
    return f"{_base(two_councils)}/pack?provider={two_councils['provider'].id}&quarter={QUARTER}"


def _add(client, two_councils, **fields):
    data = {"provider": two_councils["provider"].id, "quarter": QUARTER, "text": "", **fields}
    return client.post(_base(two_councils) + "/actions", data=data)


def test_recording_an_action_and_marking_it_done(app, two_councils):
    client = _as(app, two_councils["commissioner"])
    html = get_page(client, _pack_page(two_councils))
    assert "No actions have been recorded for Alpha Care Ltd yet." in html
    response = _add(
        client,
        two_councils,
        text="Send the missed visits action plan",
        owner="Registered manager",
        due_on=["15", "1", "2027"],
    )
    assert response.status_code == 302 and response.location.endswith("#actions")
    action = db.session.scalar(select(MeetingAction))
    assert (action.quarter, action.owner, action.due_on, action.done_on) == (
        QUARTER,
        "Registered manager",
        date(2027, 1, 15),
        None,
    )
    assert action.council_id == two_councils["council"].id
    assert action.recorded_by_id == two_councils["commissioner"].id
    html = get_page(client, _pack_page(two_councils))
    assert "Send the missed visits action plan" in html and "15 January 2027" in html
    assert "Agreed at the July to September 2026 meeting" in html and "Mark as done" in html
    done = client.post(
        _base(two_councils) + "/actions/done", data={"action_id": action.id, "quarter": QUARTER}
    )
    assert done.status_code == 302 and done.location.endswith("#actions")
    db.session.expire_all()
    assert db.session.get(MeetingAction, action.id).done_on == date(2026, 11, 23)
    html = get_page(client, _pack_page(two_councils))
    assert "23 November 2026" in html and "Mark as done" not in html
    # Optional fields left blank.
    assert _add(client, two_councils, text="Share the rota").status_code == 302
    assert db.session.scalar(select(MeetingAction).where(MeetingAction.text == "Share the rota"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "  "}, "Enter the action agreed at the meeting"),
        ({"text": "x" * 1001}, "Action must be 1000 characters or fewer"),
        ({"text": "Fine", "owner": "o" * 121}, "Owner must be 120 characters or fewer"),
        ({"text": "Fine", "due_on": ["31", "2", "2027"]}, "Due date must be a real date"),
        ({"text": "Fine", "due_on": ["", "2", "2027"]}, "Due date must include a day"),
        ({"text": "Fine", "due_on": ["1", "2", "27"]}, "Due date must be a real date"),
        ({"text": "Fine", "due_on": ["1", "2", "1999"]}, "on or after 1 January 2000"),
    ],
)
def test_an_invalid_action_is_an_error_and_stores_nothing(app, two_councils, fields, message):
    client = _as(app, two_councils["commissioner"])
    response = _add(client, two_councils, **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and shows(html, message)
    assert "Actions from contract meetings" in html  # the pack page, with the form refilled
    assert db.session.scalar(select(func.count(MeetingAction.id))) == 0


def test_actions_are_looked_up_within_the_council(app, two_councils):
    foreign = MeetingAction(
        council_id=two_councils["other_council"].id,
        provider_id=two_councils["other_provider"].id,
        quarter=QUARTER,
        text="Theirs",
        recorded_by_id=two_councils["other_commissioner"].id,
    )
    db.session.add(foreign)
    db.session.commit()
    client = _as(app, two_councils["commissioner"])
    assert (
        client.post(
            _base(two_councils) + "/actions/done", data={"action_id": foreign.id}
        ).status_code
        == 404
    )
    assert (
        client.post(_base(two_councils) + "/actions/done", data={"action_id": "x"}).status_code
        == 400
    )
    db.session.expire_all()
    assert db.session.get(MeetingAction, foreign.id).done_on is None
    response = _add(
        client, two_councils, provider=two_councils["other_provider"].id, text="Not ours to record"
    )
    assert response.status_code == 404
    framework = _add(
        client, two_councils, provider="", framework=two_councils["framework"].id, text="x"
    )
    assert framework.status_code == 400
    assert db.session.scalar(select(func.count(MeetingAction.id))) == 1


# --- who may use the pack pages ----------------------------------------------------------------


def _routes(two_councils, council_id: int) -> list[tuple[str, str, dict]]:
    base = f"/council/{council_id}/packs"
    pack = {"provider": two_councils["provider"].id, "quarter": QUARTER}
    return [
        ("GET", base, {}),
        ("GET", base + "/pack", pack),
        ("GET", base + "/pack/status", {"job": 1}),
        ("GET", base + "/download", {**pack, "format": "pdf"}),
        ("POST", base + "/build", pack),
        ("POST", base + "/retry", {"job": 1}),
        ("POST", base + "/actions", {**pack, "text": "An action"}),
        ("POST", base + "/actions/done", {"action_id": 1}),
    ]


def test_every_pack_route_refuses_other_roles_and_other_councils(app, two_councils):
    client = _as(app, two_councils["commissioner"])
    _build(client, two_councils)  # job 1 exists, in the own council
    _add(client, two_councils, text="Our action")  # action 1 too
    jobs_before = _jobs()
    for user, own_status in (
        (two_councils["qa"], 403),
        (two_councils["submitter"], 403),
        (two_councils["other_commissioner"], 404),
    ):
        outsider = _as(app, user)
        for method, url, values in _routes(two_councils, two_councils["council"].id):
            if method == "GET":
                response = outsider.get(url, query_string=values)
            else:
                response = outsider.post(url, data=values)
            assert response.status_code == own_status, (user.email, method, url)
    # A commissioner of the own council naming another council's id in the URL: 404.
    for method, url, values in _routes(two_councils, two_councils["other_council"].id):
        response = (
            client.get(url, query_string=values)
            if method == "GET"
            else client.post(url, data=values)
        )
        assert response.status_code == 404, (method, url)
    assert _jobs() == jobs_before
    assert db.session.scalar(select(func.count(MeetingAction.id))) == 1


# --- the provider's commentary on red KPIs -----------------------------------------------------


@pytest.fixture
def submitted(app, two_councils):
    """Alpha's October 2026 return, submitted with two red KPIs."""
    ret = open_return(two_councils["provider"], two_councils["council"])
    _submit(ret, two_councils["submitter"], RED_KPIS)
    return ret


def _submit(ret, user, values):
    section = service.section(ret, "kpis")
    assert (
        service.save_section(ret, "kpis", values, SectionState.COMPLETED, section.revision, user)
        is None
    )
    service.submit(ret.id, user, f"key-{ret.id}-{section.revision}")


def _commentary_url(two_councils, ret) -> str:
    return f"/provider/{two_councils['provider'].id}/returns/{ret.id}/commentary"


def _comments() -> dict[str, str]:
    db.session.expire_all()
    return {c.kpi: c.text for c in db.session.scalars(select(KpiCommentary))}


def test_commentary_on_red_kpis_is_saved_changed_and_removed(app, two_councils, submitted):
    client = _as(app, two_councils["submitter"])
    task_list = get_page(client, f"/provider/{two_councils['provider'].id}/returns/{submitted.id}")
    assert "Explain the red KPIs for the contract meeting" in task_list
    url = _commentary_url(two_councils, submitted)
    html = get_page(client, url)
    assert "2 KPIs were red" in html
    assert "Missed visits" in html and "6.0% against a target of at most 2%" in html
    assert "Visits started on time" in html and "Outcomes met" not in html
    response = client.post(
        url,
        data={
            "kpi-missed_visits": "Two carers left in August; we have recruited three.",
            "kpi-punctuality": "",
        },
    )
    assert response.status_code == 302
    assert _comments() == {"missed_visits": "Two carers left in August; we have recruited three."}
    html = get_page(client, url)
    assert "Your commentary has been saved" in html and "Two carers left in August" in html
    assert "Last changed by" in html
    client.post(url, data={"kpi-missed_visits": "Changed.", "kpi-punctuality": "Traffic."})
    assert _comments() == {"missed_visits": "Changed.", "punctuality": "Traffic."}
    client.post(url, data={"kpi-missed_visits": "  ", "kpi-punctuality": "Traffic."})
    assert _comments() == {"punctuality": "Traffic."}


def test_commentary_that_is_too_long_is_an_error_and_nothing_changes(app, two_councils, submitted):
    client = _as(app, two_councils["submitter"])
    url = _commentary_url(two_councils, submitted)
    client.post(url, data={"kpi-punctuality": "Kept."})
    response = client.post(
        url, data={"kpi-missed_visits": "x" * 2001, "kpi-punctuality": "Replaced?"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Explanation of missed visits must be 2000 characters or fewer" in html
    assert 'href="#kpi-missed_visits"' in html
    assert _comments() == {"punctuality": "Kept."}
    # Exactly the limit is fine.
    assert client.post(url, data={"kpi-missed_visits": "x" * 2000}).status_code == 302


def test_a_return_without_red_kpis_or_not_submitted_says_so(app, two_councils):
    client = _as(app, two_councils["submitter"])
    ret = open_return(two_councils["provider"], two_councils["council"])
    html = get_page(client, _commentary_url(two_councils, ret))
    assert "You have not submitted this return yet" in html
    _submit(ret, two_councils["submitter"], GREEN_KPIS)
    html = get_page(client, _commentary_url(two_councils, ret))
    assert "No KPIs were red" in html and "<textarea" not in html
    task_list = get_page(client, f"/provider/{two_councils['provider'].id}/returns/{ret.id}")
    assert "Explain the red KPIs" not in task_list


def test_only_the_providers_users_may_write_commentary(app, two_councils, submitted):
    manager = make_user(Role.PROVIDER_MANAGER, provider=two_councils["provider"])
    assert _as(app, manager).get(_commentary_url(two_councils, submitted)).status_code == 200
    other_user = make_user(Role.PROVIDER_MANAGER, provider=two_councils["other_provider"])
    other = _as(app, other_user)
    assert other.get(_commentary_url(two_councils, submitted)).status_code == 404
    own_url_other_return = (
        f"/provider/{two_councils['other_provider'].id}/returns/{submitted.id}/commentary"
    )
    assert other.get(own_url_other_return).status_code == 404
    assert other.post(own_url_other_return, data={"kpi-missed_visits": "x"}).status_code == 404
    for user in (two_councils["commissioner"], two_councils["qa"]):
        response = _as(app, user).post(
            _commentary_url(two_councils, submitted), data={"kpi-missed_visits": "x"}
        )
        assert response.status_code == 404, user.email
    assert _comments() == {}
