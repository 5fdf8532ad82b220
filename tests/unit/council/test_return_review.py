"""The council reviews a return: query a value, the provider replies, corrects and
resubmits, the council accepts; both sides see the thread and the provider gets email."""

from __future__ import annotations

import re
from datetime import date

from portal.extensions import db
from portal.models import Council, ReturnComment, ReturnStatus, Role, SectionState
from portal.returns import service
from tests.conftest import csrf_token_from, mail_config, shows
from tests.factories import make_council, make_user, open_return
from tests.unit.conftest import get_page, sign_in

KPIS = {"planned_visits": "100", "delivered_visits": "98", "missed_visits": "2",
        "on_time_visits": "90", "ecm_visits": "95", "commissioned_hours": "75",
        "delivered_hours": "74", "referrals_offered": "3", "referrals_accepted": "2",
        "packages_started_on_time": "2", "complaints": "0", "compliments": "1",
        "safeguarding_concerns": "0", "users_reviewed": "4", "outcomes_met": "3"}  # fmt: skip


def _token(client, path="/accessibility") -> str:
    return csrf_token_from(client.get(path).get_data(as_text=True))


def _submitted(app, user):
    ret = open_return()
    for s in ret.sections:
        data = KPIS if s.code == "kpis" else {"none": True}
        service.save_section(ret, s.code, data, SectionState.COMPLETED, s.revision, user)
    service.submit(ret.id, user, "first-submission-key")
    return ret


def test_query_reply_resubmit_accept(client, app, mail_server):
    app.config.update(TODAY="2026-11-23", **mail_config(mail_server))
    ret = open_return()
    provider = ret.contract.provider
    council = db.session.get(Council, ret.contract.council_id)
    submitter = make_user(Role.PROVIDER_SUBMITTER, provider=provider, email="sub@prov.example")
    commissioner = make_user(Role.COMMISSIONER, council=council)
    for s in ret.sections:
        data = KPIS if s.code == "kpis" else {"none": True}
        service.save_section(ret, s.code, data, SectionState.COMPLETED, s.revision, submitter)
    service.submit(ret.id, submitter, "first-submission-key")
    # The service call sends the receipt itself (not only the page that calls it).
    [receipt] = mail_server
    assert "Return received:" in receipt["Subject"]
    mail_server.clear()

    sign_in(client, commissioner.email)
    page = f"/council/{council.id}/returns/{ret.id}/review"
    html = get_page(client, page)
    assert "Review the October 2026 return" in html
    assert "Missed visits" in html and "Framework median" in html
    assert "Fewer than 3 providers" in html  # no peers: no median shown
    token = csrf_token_from(html)
    empty = client.post(page, data={"csrf_token": token, "action": "query", "query-target": "",
                                     "query-text": ""})  # fmt: skip
    assert empty.status_code == 400
    assert shows(empty.get_data(as_text=True), "Select the answer your question is about")
    sent = client.post(
        page,
        data={"csrf_token": token, "action": "query", "query-target": "kpis:missed_visits",
              "query-text": "Two missed visits: were both people safe?"},
    )  # fmt: skip
    assert sent.status_code == 302
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.QUERIED
    assert len(mail_server) == 1 and "has a question" in mail_server[0]["Subject"]
    body = mail_server[0].get_body().get_content()
    assert "- KPIs: Missed visits: Two missed visits" in body and "missed_visits" not in body
    client.post("/sign-out", data={"csrf_token": _token(client)})

    # The provider sees the question next to the return, replies, corrects, resubmits.
    sign_in(client, submitter.email)
    task_list = f"/provider/{provider.id}/returns/{ret.id}"
    html = get_page(client, task_list)
    assert "has a question about this return" in html
    assert "Two missed visits: were both people safe?" in html
    # The question names the answer in words, never by its key.
    assert "About: <strong>KPIs: Missed visits</strong>" in html and "missed_visits" not in html
    # ... and next to the answers, on the section's page.
    section_page = get_page(client, task_list + "/section/kpis")
    assert "has a question about this section" in section_page
    assert "Two missed visits: were both people safe?" in section_page
    assert "about this section" not in get_page(client, task_list + "/section/capacity")
    # ... and beside the answer itself when checking the answers.
    row = re.search(
        r"Missed visits\s*</dt>(.*?)</div>", get_page(client, task_list + "/check"), re.S
    )
    assert row and "Question</strong> Two missed visits: were both people safe?" in row.group(1)
    query = db.session.scalar(db.select(ReturnComment).where(ReturnComment.kind == "query"))
    blank = client.post(task_list + "/reply", data={"csrf_token": csrf_token_from(html),
                                                     "comment": query.id, "text": ""})  # fmt: skip
    assert blank.status_code == 400 and shows(blank.get_data(as_text=True), "Enter your reply")
    replied = client.post(
        task_list + "/reply",
        data={"csrf_token": csrf_token_from(html), "comment": query.id,
              "text": "Yes: a family member was there. One was cancelled late."},
    )  # fmt: skip
    assert replied.status_code == 302
    told = mail_server.to(commissioner.email)
    assert len(told) == 1 and "replied to your question" in told[0]["Subject"]
    assert "a family member was there" in told[0].get_body().get_content()
    kpis_section = service.section(ret, "kpis")
    service.save_section(
        ret, "kpis", {**KPIS, "missed_visits": "1"}, SectionState.COMPLETED,
        kpis_section.revision, submitter,
    )  # fmt: skip
    check = client.get(task_list + "/check").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', check).group(1)
    assert (
        client.post(
            task_list + "/submit",
            data={"csrf_token": csrf_token_from(check), "submission_key": key},
        ).status_code
        == 302
    )
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.SUBMITTED and len(ret.versions) == 2
    told = mail_server.to(commissioner.email)
    assert len(told) == 2 and "has resubmitted" in told[1]["Subject"]
    client.post("/sign-out", data={"csrf_token": _token(client)})

    # The council sees the reply and version 2, and accepts.
    sign_in(client, commissioner.email)
    html = get_page(client, page)
    assert "Version 2" in html and "a family member was there" in html
    # What changed since version 1, in words, on the review page itself.
    assert "Changed since version 1" in html and "Missed visits: 2 -&gt; 1" in html
    history = get_page(client, f"/council/{council.id}/returns/{ret.id}/history")
    assert "Missed visits: 2 -&gt; 1" in history and "1 change" in history
    audit = get_page(client, f"/council/{council.id}/returns/{ret.id}/audit")
    assert "Submitted version 2" in audit and "Missed visits: 2 -&gt; 1" in audit
    accepted = client.post(page, data={"csrf_token": csrf_token_from(html), "action": "accept",
                                        "accept-text": "Thank you"})  # fmt: skip
    assert accepted.status_code == 302
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.ACCEPTED
    assert any("has accepted" in m["Subject"] for m in mail_server.to(submitter.email))
    html = get_page(client, page)
    assert "Thank you" in html and "Accept this return" not in html
    # Accepted returns cannot be queried again.
    again = client.post(
        page,
        data={"csrf_token": csrf_token_from(html), "action": "query",
              "query-target": "kpis:complaints", "query-text": "?"},
    )  # fmt: skip
    assert again.status_code == 302
    assert db.session.scalar(db.select(db.func.count(ReturnComment.id))) == 3


def test_only_the_councils_commissioner_reviews_and_replies_stay_with_their_return(client, app):
    app.config["TODAY"] = "2026-11-23"
    ret = open_return()
    submitter = make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider)
    for s in ret.sections:
        service.save_section(ret, s.code, {"x": "1"}, SectionState.COMPLETED, s.revision, submitter)
    service.submit(ret.id, submitter, "a-key-for-this-submission")
    council = db.session.get(Council, ret.contract.council_id)
    other = make_council()
    outsider = make_user(Role.COMMISSIONER, council=other)
    qa = make_user(Role.QA_OFFICER, council=council)
    sign_in(client, outsider.email)
    assert client.get(f"/council/{other.id}/returns/{ret.id}/review").status_code == 404
    assert client.get(f"/council/{council.id}/returns/{ret.id}/review").status_code == 404
    client.post("/sign-out", data={"csrf_token": _token(client)})
    sign_in(client, qa.email)
    assert client.get(f"/council/{council.id}/returns/{ret.id}/review").status_code == 403
    client.post("/sign-out", data={"csrf_token": _token(client)})
    # A reply naming a comment of another return is refused.
    other_ret = open_return()
    stranger = make_user(
        Role.COMMISSIONER, council=db.session.get(Council, other_ret.contract.council_id)
    )
    db.session.add(
        ReturnComment(return_id=other_ret.id, kind="query", text="?", author_id=stranger.id)
    )
    db.session.commit()
    foreign = db.session.scalar(
        db.select(ReturnComment).where(ReturnComment.return_id == other_ret.id)
    )
    sign_in(client, submitter.email)
    url = f"/provider/{ret.contract.provider_id}/returns/{ret.id}/reply"
    response = client.post(
        url, data={"csrf_token": _token(client), "comment": foreign.id, "text": "hi"}
    )
    assert response.status_code == 404
    response = client.post(
        url, data={"csrf_token": _token(client), "comment": "junk", "text": "hi"}
    )
    assert response.status_code == 302
    assert "Choose the question you are replying to" in get_page(client, response.location)


def test_no_replies_once_a_return_is_accepted(client, app):
    app.config["TODAY"] = "2026-11-23"
    ret = open_return()
    submitter = make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider)
    commissioner = make_user(
        Role.COMMISSIONER, council=db.session.get(Council, ret.contract.council_id)
    )
    for s in ret.sections:
        service.save_section(ret, s.code, {"x": "1"}, SectionState.COMPLETED, s.revision, submitter)
    service.submit(ret.id, submitter, "a-key-for-this-submission")
    from portal.returns import review

    question = review.query(ret, commissioner, "kpis:x", "Why?")
    review.accept(ret, commissioner, "")
    sign_in(client, submitter.email)
    url = f"/provider/{ret.contract.provider_id}/returns/{ret.id}/reply"
    response = client.post(
        url, data={"csrf_token": _token(client), "comment": question.id, "text": "Late reply"}
    )
    assert response.status_code == 302
    assert "This question is closed" in get_page(client, response.location)
    assert (
        db.session.scalar(
            db.select(db.func.count(ReturnComment.id)).where(ReturnComment.kind == "reply")
        )
        == 0
    )


def test_ask_about_this_points_the_question_form_at_the_row(client, app):
    app.config.update(TODAY="2026-11-23")
    ret = open_return()
    council = db.session.get(Council, ret.contract.council_id)
    submitter = make_user(Role.PROVIDER_SUBMITTER, provider=ret.contract.provider)
    commissioner = make_user(Role.COMMISSIONER, council=council)
    rows = [{"reference": "PKG-7", "weekly_hours": "7", "service_type": "homecare",
             "area": "Whole council area", "reason": "staffing", "end_date": "2026-10-20",
             "notice_date": "2026-10-01", "reason_details": ""}]  # fmt: skip
    for s in ret.sections:
        data = {"kpis": KPIS, "handbacks": {"none": False, "rows": rows}}.get(s.code)
        service.save_section(ret, s.code, data or {"none": True}, SectionState.COMPLETED,
                             s.revision, submitter)  # fmt: skip
    service.submit(ret.id, submitter, "ask-about-key")
    sign_in(client, commissioner.email)
    page = f"/council/{council.id}/returns/{ret.id}/review"
    html = get_page(client, page)
    # Each answer and each row has its own link, named for what it is about.
    assert f'href="{page}?about=handbacks:PKG-7#ask"' in html
    assert 'Ask about this<span class="govuk-visually-hidden"> Handback 1 (PKG-7)' in html
    assert f'href="{page}?about=kpis:missed_visits#ask"' in html
    # The list groups answers by section and names them by label, never by key.
    assert '<optgroup label="Handbacks">' in html and ">Handback PKG-7</option>" in html
    assert ">Missed visits (2)</option>" in html and "areas[" not in html
    # Without JavaScript the link opens the page with the answer chosen ...
    chosen = get_page(client, f"{page}?about=handbacks:PKG-7")
    assert '<option value="handbacks:PKG-7" selected>' in chosen
    # ... and htmx gets the form alone, pointed at it.
    fragment = client.get(f"{page}?about=kpis:missed_visits", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200
    assert '<div id="ask">' in text and "<html" not in text
    assert '<option value="kpis:missed_visits" selected>' in text


def _missed_visits_row(html: str) -> str:
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Missed visits(?:(?!</tr>).)*</tr>", html, re.S)
    assert row, "no Missed visits row"
    return " ".join(re.sub(r"<[^>]+>", " ", row.group(0)).split())


def test_the_framework_median_uses_each_peers_latest_version(app, contracted):
    from tests.conftest import signed_in
    from tests.factories import add_version, make_contract, make_provider, return_for

    add_version(contracted.ret, contracted.submitter, sections={"kpis": KPIS})
    for versions in (["1"], ["0", "4"], ["5"]):  # missed visits of 100; a resubmission
        contract = make_contract(make_provider(), contracted.council, contracted.framework)
        db.session.commit()
        service.ensure_returns([contract], on=date(2026, 11, 23))
        peer = return_for(contract)
        for missed in versions:
            add_version(peer, contracted.submitter,
                        sections={"kpis": {**KPIS, "missed_visits": missed}})  # fmt: skip
    client = signed_in(app, contracted.commissioner)
    html = get_page(client, f"/council/{contracted.council.id}/returns/{contracted.ret.id}/review")
    # 1%, 4% and 5%: the median is 4.0% (with the first version, 0%, it would be 1.0%)
    assert _missed_visits_row(html).endswith("4.0%")


def test_ask_about_this_links_are_the_urls_flask_builds(app):
    """The links are built from the page's URL without a URL build each; a reference
    with spaces, slashes, ampersands or a hash still opens the form at that answer."""
    from flask import url_for

    from portal.council.review import ask_href

    with app.test_request_context():
        page = url_for("return_review.review_return", council_id=3, return_id=41)
        for target in ("kpis:missed_visits", "handbacks:PKG 7/A&B#2", "staff:Zoë+1?x=y", ""):
            built = url_for(
                "return_review.review_return",
                council_id=3,
                return_id=41,
                about=target,
                _anchor="ask",
            )
            assert ask_href(page, target) == built


# The review page's KPI table as it was built before: govukTable over rows of cells.
KPI_TABLE_WITH_MACRO = """
{%- from "govuk_frontend_jinja/components/table/macro.html" import govukTable -%}
  {% set rows = [] %}
  {% for k in kpi_rows %}
    {% set tag = {'green': 'govuk-tag--green', 'amber': 'govuk-tag--yellow', 'red': 'govuk-tag--red'}.get(k.rag, 'govuk-tag--grey') %}
    {% set rag_html %}<strong class="govuk-tag {{ tag }}">{{ k.rag_label }}</strong>{% endset %}
    {% set _ = rows.append([{'text': k.name}, {'text': k.value, 'format': 'numeric'}, {'text': k.target}, {'html': rag_html}, {'text': k.last_month, 'format': 'numeric'}, {'text': k.framework_median, 'format': 'numeric'}]) %}
  {% endfor %}
  {{ govukTable({
    'caption': 'KPIs', 'captionClasses': 'govuk-table__caption--m', 'firstCellIsHeader': true,
    'head': [{'text': 'KPI'}, {'text': 'This month', 'format': 'numeric'}, {'text': 'Target'}, {'text': 'Rating'}, {'text': 'Last month', 'format': 'numeric'}, {'text': 'Framework median', 'format': 'numeric'}],
    'rows': rows,
  }) }}"""  # noqa: E501 - the template as it was


def test_the_written_out_kpi_table_is_the_markup_govuk_table_gives(app):
    from flask import render_template_string

    from portal.returns.review import KpiRow

    rows = [
        KpiRow(f"KPI & <{rag}>", "1.5%", rag, f"{rag} 'label'", "at most 2%", "3.0%", "1.0%")
        for rag in ("green", "amber", "red", None)
    ]
    with app.test_request_context():
        expected = render_template_string(KPI_TABLE_WITH_MACRO, kpi_rows=rows).strip()
        written = render_template_string(
            '{% include "council/_review_kpi_table.html" %}', kpi_rows=rows
        ).strip()
    assert "KPI &amp; &lt;amber&gt;" in written and "govuk-tag--yellow" in written
    assert written == expected
