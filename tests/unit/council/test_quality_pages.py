"""Quality-assurance pages: a QA officer records concerns, visits and branch facts and
the rating follows; commissioners only look; other councils and providers are refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.extensions import db
from portal.models import (
    Branch,
    Concern,
    CqcRating,
    FactChange,
    QaVisit,
    RiskRating,
    Role,
    SponsorLicenceStatus,
)
from portal.risk_triggers import long_date
from tests.conftest import csrf_token_from, shows
from tests.factories import make_council, make_provider, make_user
from tests.unit.conftest import get_page, sign_in
from tests.unit.council.test_risk import ON, make_world

CONCERN = {
    "raised_on": ["16", "11", "2026"],
    "summary": "Family report missed teatime calls on three days",
    "confidential": "no",
}
DUE_AMBER = long_date(ON + timedelta(days=90))  # 21 February 2027


@pytest.fixture
def punctual(app):
    return make_world(app)


def _urls(punctual) -> dict[str, str]:
    base = f"/council/{punctual.council.id}/providers/{punctual.provider.id}/quality"
    return {
        "page": base,
        "concern": base + "/concerns/new",
        "close": base + "/concerns/close",
        "visit": base + "/visits/new",
        "facts": base + f"/facts?branch={punctual.branch.id}",
    }


def _token(client) -> str:
    return csrf_token_from(client.get("/accessibility").get_data(as_text=True))


def _signed_in(app, role, **org):
    client = app.test_client()
    user = make_user(role, **org)
    assert sign_in(client, user.email).status_code == 302
    return client, user


def _rating(punctual) -> RiskRating | None:
    db.session.expire_all()
    return db.session.scalar(
        db.select(RiskRating).where(
            RiskRating.council_id == punctual.council.id,
            RiskRating.provider_id == punctual.provider.id,
        )
    )


def test_qa_officer_records_a_concern_and_the_rating_turns_amber(app, punctual):
    client, officer = _signed_in(app, Role.QA_OFFICER, council=punctual.council)
    urls = _urls(punctual)
    html = get_page(client, urls["page"])
    assert "Nothing has triggered a risk" in html and "Record a concern" in html
    form = get_page(client, urls["concern"])
    response = client.post(urls["concern"], data={**CONCERN, "csrf_token": csrf_token_from(form)})
    assert response.status_code == 302
    concern = db.session.scalar(db.select(Concern))
    assert (concern.raised_on, concern.confidential, concern.recorded_by_id) == (
        date(2026, 11, 16),
        False,
        officer.id,
    )
    html = get_page(client, urls["page"])
    assert "Concern recorded" in html
    assert shows(html, f"{punctual.provider.name} is now rated Amber")
    assert "Concern raised in the last 90 days" in html
    assert "Family report missed teatime calls on three days" in html
    assert DUE_AMBER in html  # visit due: 90 days after 23 November 2026
    rating = _rating(punctual)
    assert (rating.rating, rating.visit_due_by) == ("amber", ON + timedelta(days=90))
    # The risk home lists it, amber, with its trigger count and a link.
    home = get_page(client, f"/council/{punctual.council.id}/risk")
    assert urls["page"] in home and "Amber" in home and DUE_AMBER in home


@pytest.mark.parametrize(
    ("data", "message", "anchor"),
    [
        ({"raised_on": ["", "", ""]}, "Enter the date the concern was raised", "raised_on-day"),
        (
            {"raised_on": ["16", "", "2026"]},
            "Date the concern was raised must include a month",
            "raised_on-month",
        ),
        (
            {"raised_on": ["31", "2", "2026"]},
            "Date the concern was raised must be a real date",
            "raised_on-day",
        ),
        (  # one parser for every GOV.UK date input: a day has at most 2 digits
            {"raised_on": ["001", "11", "2026"]},
            "Date the concern was raised must be a real date",
            "raised_on-day",
        ),
        (
            {"raised_on": ["24", "11", "2026"]},
            "Date the concern was raised must be today or in the past",
            "raised_on-day",
        ),
        ({"summary": "   "}, "Enter what the concern is about", "summary"),
        ({"summary": "x" * 2001}, "Summary of the concern must be 2000 characters", "summary"),
        ({"confidential": ""}, "Select yes if the concern is confidential", "confidential"),
        ({"confidential": "maybe"}, "Not a valid choice", "confidential"),
    ],
)
def test_an_invalid_concern_is_refused_with_a_linked_error_and_nothing_stored(
    app, punctual, data, message, anchor
):
    client, _ = _signed_in(app, Role.QA_OFFICER, council=punctual.council)
    url = _urls(punctual)["concern"]
    response = client.post(url, data={**CONCERN, **data, "csrf_token": _token(client)})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert f'href="#{anchor}"' in html
    assert db.session.scalar(db.select(db.func.count(Concern.id))) == 0


def test_a_post_with_fields_missing_altogether_is_a_400_not_a_500(app, punctual):
    client, _ = _signed_in(app, Role.QA_OFFICER, council=punctual.council)
    token = _token(client)
    urls = _urls(punctual)
    for name in ("concern", "visit", "facts", "close"):
        assert client.post(urls[name], data={"csrf_token": token}).status_code == 400, name
    response = client.post(
        urls["concern"], data={"csrf_token": token, "raised_on": ["1"] * 5, "summary": "x"}
    )
    assert response.status_code == 400


def test_a_confidential_concern_shows_the_provider_only_that_a_concern_is_open(app, punctual):
    client, _ = _signed_in(app, Role.QA_OFFICER, council=punctual.council)
    urls = _urls(punctual)
    secret = "Whistleblower says rotas are falsified"
    client.post(
        urls["concern"],
        data={**CONCERN, "summary": secret, "confidential": "yes", "csrf_token": _token(client)},
    )
    assert secret in get_page(client, urls["page"])  # the council sees it
    provider_client, _ = _signed_in(app, Role.PROVIDER_MANAGER, provider=punctual.provider)
    html = get_page(provider_client, f"/provider/{punctual.provider.id}/risk")
    assert "A concern is open" in html
    assert secret not in html and "16 November 2026" not in html
    assert punctual.council.name in html and "Amber" in html
    assert DUE_AMBER in html  # the visit due date
    assert "Your risk rating" in html  # in the menu
    # A concern that is not confidential is shown with what it is about.
    client.post(urls["concern"], data={**CONCERN, "csrf_token": _token(client)})
    html = get_page(provider_client, f"/provider/{punctual.provider.id}/risk")
    assert CONCERN["summary"] in html and secret not in html


def test_closing_a_concern_clears_its_trigger(app, punctual):
    client, _ = _signed_in(app, Role.QA_OFFICER, council=punctual.council)
    urls = _urls(punctual)
    client.post(urls["concern"], data={**CONCERN, "csrf_token": _token(client)})
    concern = db.session.scalar(db.select(Concern))
    html = get_page(client, urls["page"])
    assert "Close<span" in html
    response = client.post(
        urls["close"], data={"concern_id": str(concern.id), "csrf_token": csrf_token_from(html)}
    )
    assert response.status_code == 302
    db.session.refresh(concern)
    assert concern.closed_on == ON
    assert _rating(punctual).rating == "green" and _rating(punctual).visit_due_by is None
    html = get_page(client, urls["page"])
    assert shows(html, f"{punctual.provider.name} is now rated Green")
    # Closing it again: no change, a message.
    client.post(urls["close"], data={"concern_id": str(concern.id), "csrf_token": _token(client)})
    assert "That concern was already closed" in get_page(client, urls["page"])


def test_qa_officer_records_a_visit(app, punctual):
    punctual.branch.cqc_rating = CqcRating.INADEQUATE
    db.session.commit()
    client, _ = _signed_in(app, Role.QA_OFFICER, council=punctual.council)
    urls = _urls(punctual)
    assert "21 December 2026" in get_page(client, urls["page"])  # red: 28 days
    bad = client.post(
        urls["visit"], data={"visited_on": ["20", "11", "2026"], "csrf_token": _token(client)}
    )
    assert bad.status_code == 400 and "Enter the outcome of the visit" in bad.get_data(True)
    response = client.post(
        urls["visit"],
        data={
            "visited_on": ["20", "11", "2026"],
            "outcome": "Medication records incomplete",
            "actions": "Action plan by 1 December",
            "csrf_token": _token(client),
        },
    )
    assert response.status_code == 302
    visit = db.session.scalar(db.select(QaVisit))
    assert (visit.visited_on, visit.actions) == (date(2026, 11, 20), "Action plan by 1 December")
    html = get_page(client, urls["page"])
    assert "Medication records incomplete" in html
    # That visit came before the rating turned red on 23 November: the date stands.
    assert _rating(punctual).visit_due_by == date(2026, 12, 21)
    # A visit a week later: the next is due 28 days after it.
    app.config["TODAY"] = "2026-11-30"
    client.post(
        urls["visit"],
        data={
            "visited_on": ["30", "11", "2026"],
            "outcome": "Records now complete",
            "csrf_token": _token(client),
        },
    )
    assert _rating(punctual).visit_due_by == date(2026, 12, 28)
    assert "28 December 2026" in get_page(client, urls["page"])


def test_a_fact_update_writes_fact_changes_and_changes_the_rating(app, punctual):
    client, officer = _signed_in(app, Role.QA_OFFICER, council=punctual.council)
    url = _urls(punctual)["facts"]
    form = get_page(client, url)
    assert punctual.branch.name in form
    current = {
        "cqc_rating": "good",
        "cqc_rating_date": ["", "", ""],
        "registered_manager": "yes",
        "sponsor_licence": "none",
        "csrf_token": csrf_token_from(form),
    }
    # Nothing changed, then a change with no source or date: refused, nothing stored.
    unchanged = client.post(url, data=current)
    assert unchanged.status_code == 400
    assert "Change the CQC rating" in unchanged.get_data(as_text=True)
    no_source = client.post(url, data={**current, "cqc_rating": "requires_improvement"})
    assert no_source.status_code == 400
    html = no_source.get_data(as_text=True)
    assert "Enter the date of the CQC rating" in html
    assert "Enter where the CQC rating information came from" in html
    assert 'href="#cqc_rating_date-day"' in html and 'href="#cqc_source"' in html
    assert db.session.scalar(db.select(db.func.count(FactChange.id))) == 0
    db.session.refresh(punctual.branch)
    assert punctual.branch.cqc_rating is CqcRating.GOOD
    # A valid change.
    response = client.post(
        url,
        data={
            **current,
            "cqc_rating": "requires_improvement",
            "cqc_rating_date": ["3", "1", "2026"],
            "cqc_source": "CQC website, report published 3 January 2026",
            "sponsor_licence": "revoked",
            "sponsor_licence_date": ["1", "11", "2026"],
            "sponsor_licence_source": "Home Office letter",
        },
    )
    assert response.status_code == 302
    changes = {c.field: c for c in db.session.scalars(db.select(FactChange))}
    assert set(changes) == {"cqc_rating", "cqc_rating_date", "sponsor_licence_status"}
    cqc = changes["cqc_rating"]
    assert (cqc.old_value, cqc.new_value, cqc.effective_on, cqc.recorded_by_id) == (
        "good",
        "requires_improvement",
        date(2026, 1, 3),
        officer.id,
    )
    assert changes["sponsor_licence_status"].source == "Home Office letter"
    db.session.refresh(punctual.branch)
    assert punctual.branch.cqc_rating is CqcRating.REQUIRES_IMPROVEMENT
    assert punctual.branch.sponsor_licence_status is SponsorLicenceStatus.REVOKED
    rating = _rating(punctual)
    assert rating.rating == "red"
    assert {t["code"] for t in rating.triggers} == {
        "cqc_requires_improvement",
        "sponsor_licence_revoked",
    }
    html = get_page(client, _urls(punctual)["page"])
    assert "Home Office letter" in html and "Requires improvement" in html


def test_facts_are_the_providers_own_and_count_for_every_council(app, punctual):
    other = make_council()
    from tests.factories import make_contract, make_framework

    make_contract(punctual.provider, other, make_framework(other))
    db.session.commit()
    client, _ = _signed_in(app, Role.QA_OFFICER, council=punctual.council)
    client.post(
        _urls(punctual)["facts"],
        data={
            "cqc_rating": "good",
            "registered_manager": "no",
            "registered_manager_date": ["1", "11", "2026"],
            "registered_manager_source": "Provider's email",
            "sponsor_licence": "none",
            "csrf_token": _token(client),
        },
    )
    ratings = {r.council_id: r for r in db.session.scalars(db.select(RiskRating))}
    assert {ratings[punctual.council.id].rating, ratings[other.id].rating} == {"amber"}


def test_a_qa_officer_of_another_council_gets_404_everywhere_and_changes_nothing(app, punctual):
    urls = _urls(punctual)
    # Something to try to close.
    own, _ = _signed_in(app, Role.QA_OFFICER, council=punctual.council)
    own.post(urls["concern"], data={**CONCERN, "csrf_token": _token(own)})
    concern = db.session.scalar(db.select(Concern))
    other_council = make_council()
    client, _ = _signed_in(app, Role.QA_OFFICER, council=other_council)
    token = _token(client)
    theirs = {
        name: url.replace(f"/council/{punctual.council.id}/", f"/council/{other_council.id}/")
        for name, url in urls.items()
    }
    posts = {
        "concern": CONCERN,
        "close": {"concern_id": str(concern.id)},
        "visit": {"visited_on": ["1", "11", "2026"], "outcome": "Fine"},
        "facts": {"cqc_rating": "inadequate", "cqc_rating_date": ["1", "11", "2026"]},
    }
    for url_set in (urls, theirs):  # our council's URLs, and theirs naming our provider
        for name, url in url_set.items():
            if name != "close":
                assert client.get(url).status_code == 404, url
            if name in posts:
                data = {**posts[name], "csrf_token": token}
                assert client.post(url, data=data).status_code == 404, url
    assert client.get(f"/council/{punctual.council.id}/risk").status_code == 404
    # Their own risk home does not list our provider.
    assert punctual.provider.name not in get_page(client, f"/council/{other_council.id}/risk")
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Concern.id))) == 1
    assert db.session.get(Concern, concern.id).closed_on is None
    assert db.session.scalar(db.select(db.func.count(QaVisit.id))) == 0
    assert db.session.scalar(db.select(db.func.count(FactChange.id))) == 0
    assert db.session.get(Branch, punctual.branch.id).cqc_rating is CqcRating.GOOD


def test_a_foreign_concern_or_branch_is_not_found(app, punctual):
    stranger = make_world(app)  # another provider of another council
    stranger_concern = Concern(
        council_id=stranger.council.id,
        provider_id=stranger.provider.id,
        raised_on=ON,
        summary="Theirs",
        recorded_by_id=stranger.submitter.id,
    )
    db.session.add(stranger_concern)
    db.session.commit()
    client, _ = _signed_in(app, Role.QA_OFFICER, council=punctual.council)
    urls = _urls(punctual)
    token = _token(client)
    response = client.post(
        urls["close"], data={"concern_id": str(stranger_concern.id), "csrf_token": token}
    )
    assert response.status_code == 404
    for junk in (str(stranger.branch.id), "abc", "99999999"):
        url = urls["facts"].split("?")[0] + f"?branch={junk}"
        assert client.get(url).status_code == 404, junk
    # A provider with no contract with this council is not found either.
    loner = make_provider()
    assert client.get(
        f"/council/{punctual.council.id}/providers/{loner.id}/quality"
    ).status_code == (404)


def test_a_commissioner_can_look_but_not_record(app, punctual):
    client, _ = _signed_in(app, Role.COMMISSIONER, council=punctual.council)
    urls = _urls(punctual)
    html = get_page(client, urls["page"])
    assert "Record a concern" not in html and "Update facts" not in html
    get_page(client, f"/council/{punctual.council.id}/risk")
    token = _token(client)
    for name in ("concern", "visit", "facts"):
        assert client.get(urls[name]).status_code == 403, name
    for name, data in (
        ("concern", CONCERN),
        ("close", {"concern_id": "1"}),
        ("visit", {"visited_on": ["1", "11", "2026"], "outcome": "Fine"}),
        ("facts", {"cqc_rating": "inadequate"}),
    ):
        assert client.post(urls[name], data={**data, "csrf_token": token}).status_code == 403
    assert db.session.scalar(db.select(db.func.count(Concern.id))) == 0


def test_a_provider_user_gets_403_on_council_pages_and_404_for_another_provider(app, punctual):
    client, _ = _signed_in(app, Role.PROVIDER_MANAGER, provider=punctual.provider)
    urls = _urls(punctual)
    token = _token(client)
    for url in (urls["page"], urls["concern"], f"/council/{punctual.council.id}/risk"):
        assert client.get(url).status_code == 403, url
    assert client.post(urls["concern"], data={**CONCERN, "csrf_token": token}).status_code == 403
    other = make_provider()
    assert client.get(f"/provider/{other.id}/risk").status_code == 404
    # A council user cannot open a provider's risk page.
    qa, _ = _signed_in(app, Role.QA_OFFICER, council=punctual.council)
    assert qa.get(f"/provider/{punctual.provider.id}/risk").status_code == 403


def test_the_risk_home_lists_red_then_amber_then_green(app, punctual):
    amber = make_world(app, council=punctual.council)
    red = make_world(app, council=punctual.council)
    amber.branch.registered_manager_in_post = False
    red.branch.cqc_rating = CqcRating.INADEQUATE
    db.session.commit()
    client, _ = _signed_in(app, Role.QA_OFFICER, council=punctual.council)
    html = get_page(client, f"/council/{punctual.council.id}/risk")
    positions = [html.index(w.provider.name) for w in (red, amber, punctual)]
    assert positions == sorted(positions)
    assert "1 red, 1 amber and 1 green" in html
