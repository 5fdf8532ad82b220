"""Feedback reports: the provider's page and the council's view of it (no staff ids),
each KPI's chart, the job that builds one PDF and tells the provider once, the accept
that starts it, and the quarter's reports."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from portal.extensions import db
from portal.feedback import FEEDBACK, feedback_key
from portal.feedback.data import feedback_for
from portal.feedback.jobs import queue_quarter_feedback, report_link
from portal.feedback.kpi_charts import kpi_charts
from portal.models import (
    Document,
    Job,
    Notification,
    Role,
)
from tests.conftest import csrf_token_from, shows
from tests.factories import (
    make_provider,
    make_user,
)
from tests.unit.conftest import get_page, sign_in
from tests.unit.feedback.world import (
    OCT,
    SAFEGUARDING,
    _build,
    _report_url,
    _staff,
    counts,
)


def test_provider_page_shows_the_report_and_the_council_sees_it_without_staff_ids(app, subject):
    _staff(subject.provider, "W-100", [(SAFEGUARDING, "2026-12-15")])
    commissioner = make_user(Role.COMMISSIONER, council=subject.council)
    subject.send(subject.peers[2], OCT, counts(6, 95))  # a resubmission: the latest version counts
    client = app.test_client()
    sign_in(client, subject.user.email)
    html = get_page(client, _report_url(subject))
    assert "Feedback for October 2026" in html and "Subject Care Ltd" in html
    for text in ("Missed visits", "2.0%", "2.5%", "4.5%", "7.0%", "In the best quarter",
                 "at most 2%", "Safeguarding adults", "50.0%", "75.0%", "W-100",
                 "15 December 2026", "Training expiring by 29 January 2027"):  # fmt: skip
        assert shows(html, text), text
    assert "Peer 1 Ltd" not in html  # peers are not named
    # Where to pool courses: a page the provider can open (the forum's needs the forum role).
    demand = f"/provider/{subject.provider.id}/training-demand?council={subject.council.id}"
    assert f'href="{demand}&amp;period=2026-10#demand"' in html
    assert "Training needed next quarter" in get_page(client, f"{demand}&period=2026-10")
    assert "The PDF of this report is not ready yet" in html and "report.pdf" not in html
    not_ready = client.get(_report_url(subject).replace("report?", "report.pdf?"))
    assert not_ready.status_code == 404
    assert "This report is not ready yet" in not_ready.get_data(as_text=True)

    _build(subject)
    html = get_page(client, _report_url(subject))
    assert "Download PDF" in html
    listed = get_page(client, f"/provider/{subject.provider.id}/feedback")
    assert "October 2026" in listed and subject.council.name in listed
    returns = get_page(client, f"/provider/{subject.provider.id}/returns")
    assert f"/provider/{subject.provider.id}/feedback" in returns

    council_client = app.test_client()
    sign_in(council_client, commissioner.email)
    query = f"provider={subject.provider.id}&period=2026-10"
    url = f"/council/{subject.council.id}/feedback/report?{query}"
    html = get_page(council_client, url)
    assert "Feedback for October 2026" in html and "4.5%" in html and "75.0%" in html
    assert "come from the lists of 3 providers" in html
    assert "W-100" not in html and "Training expiring" not in html
    assert "Download PDF" not in html


def test_each_kpi_has_its_own_small_chart_with_its_figures_in_words(app, subject):
    feedback = feedback_for(subject.council.id, subject.provider.id, "2026-10")
    drawn = kpi_charts(feedback)
    trends = feedback.frameworks[0].trends
    with_figures = [t for t in trends if any(v is not None for v in t.values)]
    assert {code for _, code in drawn} == {t.code for t in with_figures}
    missed = drawn[(subject.framework.id, "missed_visits")]
    assert missed.src.startswith("data:image/png;base64,")
    assert "Missed visits, May 2026 to October 2026:" in missed.alt
    assert "1.0% in August 2026, 3.0% in September 2026, 2.0% in October 2026" in missed.alt
    assert missed.alt.endswith("target at most 2%.")
    # On the page: one image per KPI, each with its words as the text alternative.
    client = app.test_client()
    sign_in(client, subject.user.email)
    html = get_page(client, _report_url(subject))
    assert html.count('class="app-chart app-kpi-chart__image"') == len(with_figures)
    assert f'alt="{missed.alt}"' in html


def test_job_builds_one_pdf_and_tells_the_provider_once(app, subject):
    _staff(subject.provider, "W-100", [(SAFEGUARDING, "2026-12-15")])
    manager = make_user(Role.PROVIDER_MANAGER, provider=subject.provider)
    make_user(Role.PROVIDER_SUBMITTER, provider=subject.provider, password=None)  # invited only
    make_user(Role.PROVIDER_SUBMITTER, provider=subject.peers[0])
    first = _build(subject)
    assert first.status == "done", first.detail
    feedback = feedback_for(subject.council.id, subject.provider.id, "2026-10")
    drawn = kpi_charts(feedback)  # one small chart per KPI with a figure, in the PDF too
    assert (subject.framework.id, "missed_visits") in drawn and len(drawn) > 1
    second = _build(subject)
    assert second.status == "done" and second.id != first.id
    documents = db.session.scalars(db.select(Document).where(Document.kind == FEEDBACK)).all()
    assert len(documents) == 1 and documents[0].job_id == second.id
    assert (documents[0].council_id, documents[0].provider_id) == (
        subject.council.id,
        subject.provider.id,
    )
    link = report_link(subject.council.id, subject.provider.id, "2026-10")
    told = db.session.scalars(db.select(Notification).where(Notification.kind == "feedback")).all()
    assert sorted(n.user_id for n in told) == sorted([subject.user.id, manager.id])
    assert {n.link for n in told} == {link}
    assert second.result["notified"] == 0

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(documents[0].content)).pages)
    expected_texts = ["Feedback for October 2026", "Subject Care Ltd", "Missed visits", "4.5%"]
    expected_texts += ["Safeguarding adults", "75.0%", "W-100", "What the council asked"]
    for expected in expected_texts:
        assert expected in text, expected
    client = app.test_client()
    sign_in(client, subject.user.email)
    pdf = client.get(_report_url(subject).replace("report?", "report.pdf?"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data == documents[0].content


def test_a_job_for_a_provider_without_a_contract_fails_with_a_message(subject):
    from portal.background import jobs

    stranger = make_provider()
    job = jobs.submit(
        FEEDBACK,
        feedback_key(subject.council.id, stranger.id, "2026-10"),
        {"council_id": subject.council.id, "provider_id": stranger.id, "period": "2026-10"},
    )
    assert job.status == "failed" and job.error == "The provider has no contract with this council."
    assert db.session.scalar(db.select(db.func.count(Document.id))) == 0


def test_accepting_a_return_builds_the_report_and_tells_the_provider(app, subject):
    commissioner = make_user(Role.COMMISSIONER, council=subject.council)
    october = subject.ret(subject.provider, OCT)
    client = app.test_client()
    sign_in(client, commissioner.email)
    page = f"/council/{subject.council.id}/returns/{october.id}/review"
    html = get_page(client, page)
    accepted = client.post(
        page, data={"csrf_token": csrf_token_from(html), "action": "accept", "accept-text": "Ok"}
    )
    assert accepted.status_code == 302
    job = db.session.scalar(db.select(Job).where(Job.kind == FEEDBACK))
    assert job.key == feedback_key(subject.council.id, subject.provider.id, "2026-10")
    assert job.status == "done" and job.requested_by_id == commissioner.id
    assert db.session.scalar(db.select(db.func.count(Document.id))) == 1

    provider_client = app.test_client()
    sign_in(provider_client, subject.user.email)
    inbox = get_page(provider_client, "/notifications")
    assert shows(inbox, f"Your feedback from {subject.council.name} for October 2026 is ready")
    assert shows(inbox, report_link(subject.council.id, subject.provider.id, "2026-10"))

    # The commissioner finds the same report from the provider's returns.
    returns = get_page(
        client, f"/council/{subject.council.id}/providers/{subject.provider.id}/returns"
    )
    cid, pid = subject.council.id, subject.provider.id
    link = f"/council/{cid}/feedback/report?provider={pid}&amp;period=2026-10"
    assert link in returns
    assert "Feedback sent to" in returns
    assert get_page(client, link.replace("&amp;", "&"))


def test_quarter_reports_are_queued_once_for_each_provider_with_a_return(app, subject):
    # Q3 2026: the subject sent August and September; no peer sent anything. September's
    # returns were due on 14 October and lock on 3 November: the report waits till then.
    assert queue_quarter_feedback(date(2026, 10, 2)) == 0
    assert queue_quarter_feedback(date(2026, 11, 2)) == 0
    assert db.session.scalar(db.select(db.func.count(Document.id))) == 0
    assert queue_quarter_feedback(date(2026, 11, 3)) == 1
    document = db.session.scalar(db.select(Document))
    assert (document.period, document.provider_id) == ("2026-Q3", subject.provider.id)
    assert queue_quarter_feedback(date(2026, 11, 4)) == 0
    assert queue_quarter_feedback(date(2026, 11, 23)) == 0
    result = app.test_cli_runner().invoke(args=["queue-feedback", "--date", "2026-11-05"])
    assert result.exit_code == 0 and "Queued 0 feedback reports." in result.output
    bad = app.test_cli_runner().invoke(args=["queue-feedback", "--date", "4 October"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
    # The command also made August's and September's reports: both months have locked.
    assert "Queued 2 monthly reports of locked months." in result.output
    assert set(db.session.scalars(db.select(Document.period))) == {"2026-Q3", "2026-08", "2026-09"}


def test_the_daily_job_queues_the_quarter_reports(app, subject):
    from workers.reminders import daily_reminders_job

    app.config["TODAY"] = "2026-11-03"
    daily_reminders_job()
    # The quarter's report, and the locked months' reports nobody had asked for yet.
    periods = set(db.session.scalars(db.select(Document.period)))
    assert periods == {"2026-Q3", "2026-08", "2026-09"}
