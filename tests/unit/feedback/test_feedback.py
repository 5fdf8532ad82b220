"""Feedback reports for providers: the figures (checked by hand), the page and the PDF,
the job that builds them (once, telling the provider once), the council's accept that
starts it, the quarter's reports, and who may see what."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from portal.extensions import db
from portal.feedback import FEEDBACK, feedback_key
from portal.feedback.data import NOT_ENOUGH, feedback_for, parse_period
from portal.feedback.jobs import queue_quarter_feedback, report_link
from portal.feedback.kpi_charts import kpi_charts
from portal.feedback.kpi_comparison import peer_stats
from portal.models import (
    Contract,
    Council,
    Document,
    Framework,
    Job,
    MonthlyReturn,
    Notification,
    Provider,
    ReturnComment,
    Role,
    StaffMember,
    TrainingRecord,
    User,
)
from portal.returns import service
from tests.conftest import csrf_token_from, shows
from tests.factories import (
    add_version,
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_user,
)
from tests.unit.conftest import get_page, sign_in

ON = date(2026, 11, 23)  # August, September and October 2026 returns are open
AUG, SEP, OCT = date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)
SAFEGUARDING, FIRST_AID, DEMENTIA = 20, 7, 2
CARE_WORKER = 8


def counts(missed: int, on_time: int, planned: int = 100) -> dict[str, str]:
    """Counts giving missed visits = missed% and punctuality = on_time% (of 100)."""
    return {
        "planned_visits": str(planned),
        "delivered_visits": str(planned),
        "missed_visits": str(missed),
        "on_time_visits": str(on_time),
        "ecm_visits": str(planned),
    }


def person(worker_id: str, expiry: str) -> dict:
    """A care worker in a training snapshot with one safeguarding record."""
    return {
        "worker_id": worker_id,
        "job_role": CARE_WORKER,
        "training": [
            {"category": SAFEGUARDING, "date_completed": "2025-01-01", "expiry_date": expiry}
        ],
    }


@dataclass
class World:
    council: Council
    framework: Framework
    provider: Provider
    peers: list[Provider]
    user: User  # the provider's submitter

    def ret(self, provider: Provider, month: date) -> MonthlyReturn:
        return db.session.scalar(
            db.select(MonthlyReturn)
            .join(Contract)
            .where(
                Contract.provider_id == provider.id,
                Contract.council_id == self.council.id,
                MonthlyReturn.period == month,
            )
        )

    def send(self, provider: Provider, month: date, kpis: dict, staff: list | None = None):
        """A submitted version of the provider's return for ``month``."""
        ret = self.ret(provider, month)
        sections: dict = {"kpis": kpis}
        if staff is not None:
            sections["training"] = {"confirmed": True, "as_at": "2026-10-31", "staff": staff}
        add_version(ret, self.user, sections)  # sent at noon on 5 November 2026
        return ret


def make_world(app, peers: int = 4) -> World:
    app.config["TODAY"] = ON.isoformat()
    council = make_council()
    framework = make_framework(council)
    provider = make_provider("Subject Care Ltd")
    others = [make_provider(f"Peer {n} Ltd") for n in range(1, peers + 1)]
    contracts = [make_contract(p, council, framework) for p in [provider, *others]]
    db.session.commit()
    service.ensure_returns(contracts, on=ON)
    user = make_user(Role.PROVIDER_SUBMITTER, provider=provider, email="sub@subject.example")
    return World(council, framework, provider, others, user)


@pytest.fixture
def subject(app) -> World:
    """The subject: missed 2%, punctuality 85% in October. Four peers: missed 1, 3, 6 and
    10%; punctuality 80, 90, 95 and 99%. Training snapshots from the subject and 2 peers."""
    w = make_world(app)
    w.send(w.provider, AUG, counts(1, 90))
    w.send(w.provider, SEP, counts(3, 80))
    w.send(
        w.provider,
        OCT,
        counts(2, 85),
        staff=[person("W-001", "2027-06-01"), person("W-002", "2026-10-01")],
    )
    for peer, (missed, on_time) in zip(w.peers, [(1, 80), (3, 90), (6, 95), (10, 99)], strict=True):
        staff = [person(f"P{peer.id}", "2027-06-01")] if peer in w.peers[:2] else None
        w.send(peer, OCT, counts(missed, on_time), staff=staff)
    return w


def line(feedback, code: str):
    return next(k for k in feedback.frameworks[0].kpis if k.code == code)


# --- the figures ------------------------------------------------------------------------


def test_periods_are_months_and_calendar_quarters():
    october = parse_period("2026-10")
    assert october.months == (OCT,) and october.end == date(2026, 10, 31)
    assert october.label == "October 2026" and not october.is_quarter
    q3 = parse_period("2026-q3")
    assert q3.name == "2026-Q3" and q3.months == (date(2026, 7, 1), AUG, SEP)
    assert q3.end == date(2026, 9, 30) and q3.label == "July to September 2026"
    for bad in ("", "2026-13", "2026-Q5", "26-10", "2026-10-01", None):
        assert parse_period(bad) is None


def test_median_and_quartiles_of_four_peers_checked_by_hand(subject):
    feedback = feedback_for(subject.council.id, subject.provider.id, "2026-10")
    missed = line(feedback, "missed_visits")
    # Peers 1, 3, 6, 10: Q1 = 1 + 0.75 x 2, median = (3 + 6) / 2, Q3 = 6 + 0.25 x 4.
    assert missed.percent == Decimal("2.0") and missed.rag == "green"
    assert missed.peers.count == 4
    assert (missed.peers.lower_quartile, missed.peers.median, missed.peers.upper_quartile) == (
        Decimal("2.5"),
        Decimal("4.5"),
        Decimal("7.0"),
    )
    assert missed.position == "In the best quarter"  # lower is better: 2.0 <= 2.5
    punctuality = line(feedback, "punctuality")
    # Peers 80, 90, 95, 99: Q1 87.5, median 92.5, Q3 96.0; 85 is below Q1 (higher is better).
    assert (punctuality.peers.lower_quartile, punctuality.peers.median) == (
        Decimal("87.5"),
        Decimal("92.5"),
    )
    assert punctuality.peers.upper_quartile == Decimal("96.0")
    assert punctuality.position == "In the worst quarter" and punctuality.rag == "amber"
    # Three values: the middle one is the median; quartiles halfway to each end.
    three = peer_stats([Decimal("10"), None, Decimal("20"), Decimal("40")])
    assert (three.lower_quartile, three.median, three.upper_quartile) == (
        Decimal("15.0"),
        Decimal("20.0"),
        Decimal("30.0"),
    )


def test_two_peers_are_not_enough_to_compare(app):
    w = make_world(app, peers=2)
    w.send(w.provider, OCT, counts(2, 85))
    w.send(w.peers[0], OCT, counts(1, 80))
    w.send(w.peers[1], OCT, counts(3, 90))
    feedback = feedback_for(w.council.id, w.provider.id, "2026-10")
    missed = line(feedback, "missed_visits")
    assert missed.peers.count == 2 and not missed.peers.enough
    assert missed.peers.median is None and missed.position == ""
    client = app.test_client()
    sign_in(client, w.user.email)
    html = get_page(
        client, f"/provider/{w.provider.id}/feedback/report?council={w.council.id}&period=2026-10"
    )
    assert html.count(NOT_ENOUGH) == len(feedback.frameworks[0].kpis)
    assert html.count(">Not shown<") == len(feedback.training)
    assert "4.5%" not in html and "2.0%" in html


def test_peers_are_other_providers_on_the_framework_for_the_same_month(subject):
    # A provider on another framework of the council, and a peer's September return,
    # do not count; nor does the subject itself.
    elsewhere = make_provider()
    contract = make_contract(elsewhere, subject.council, make_framework(subject.council))
    db.session.commit()
    service.ensure_returns([contract], on=ON)
    subject.send(elsewhere, OCT, counts(50, 10))
    subject.send(subject.peers[0], SEP, counts(50, 10))
    missed = line(feedback_for(subject.council.id, subject.provider.id, "2026-10"), "missed_visits")
    assert missed.peers.count == 4 and missed.peers.median == Decimal("4.5")


def test_a_quarter_adds_its_months_up_and_trends_cover_six_months(subject):
    q3 = feedback_for(subject.council.id, subject.provider.id, "2026-Q3")
    block = q3.frameworks[0]
    assert block.months_reported == [AUG, SEP]
    # (1 + 3) missed of (100 + 100) planned; (90 + 80) on time of 200 delivered.
    assert line(q3, "missed_visits").percent == Decimal("2.0")
    assert line(q3, "punctuality").percent == Decimal("85.0")
    assert not line(q3, "missed_visits").peers.enough  # no peer sent August or September
    october = feedback_for(subject.council.id, subject.provider.id, "2026-10").frameworks[0]
    assert october.trend_months == [date(2026, m, 1) for m in range(5, 11)]
    trend = next(t for t in october.trends if t.code == "missed_visits")
    assert trend.values == [None, None, None, Decimal("1.0"), Decimal("3.0"), Decimal("2.0")]
    assert trend.target == Decimal("2")


def _staff(provider: Provider, worker_id: str, records, left_on=None) -> StaffMember:
    member = StaffMember(
        provider_id=provider.id,
        branch_id=provider.branches[0].id,
        worker_id=worker_id,
        main_job_role=CARE_WORKER,
        left_on=left_on,
    )
    db.session.add(member)
    db.session.flush()
    for category, expiry in records:
        db.session.add(
            TrainingRecord(
                staff_id=member.id,
                category=category,
                date_completed=date(2025, 1, 1),
                expiry_date=date.fromisoformat(expiry) if expiry else None,
            )
        )
    db.session.commit()
    return member


def test_expiring_list_is_the_providers_staff_within_90_days_of_the_period_end(subject):
    # Period end 31 October 2026: the list runs to 29 January 2027 inclusive.
    _staff(subject.provider, "W-100", [(SAFEGUARDING, "2026-12-15"), (FIRST_AID, "2027-03-01")])
    _staff(subject.provider, "W-101", [(FIRST_AID, "2027-01-29"), (DEMENTIA, "2027-01-30")])
    _staff(subject.provider, "W-102", [(SAFEGUARDING, "2026-11-30"), (SAFEGUARDING, "2027-11-30")])
    _staff(subject.provider, "W-103", [(SAFEGUARDING, "2026-10-01"), (DEMENTIA, None)])
    _staff(subject.provider, "W-104", [(SAFEGUARDING, "2026-11-10")], left_on=date(2026, 9, 30))
    _staff(subject.peers[0], "W-900", [(SAFEGUARDING, "2026-11-10")])
    feedback = feedback_for(subject.council.id, subject.provider.id, "2026-10")
    assert feedback.expiring_until == date(2027, 1, 29)
    assert [(s.worker_id, s.category, s.expiry_date) for s in feedback.expiring] == [
        ("W-100", "Safeguarding adults", date(2026, 12, 15)),
        ("W-101", "Basic life support and first aid", date(2027, 1, 29)),
    ]
    assert feedback.expiring[0].branch == subject.provider.branches[0].name


def test_training_compliance_against_the_area(subject):
    feedback = feedback_for(subject.council.id, subject.provider.id, "2026-10")
    safeguarding = next(t for t in feedback.training if t.code == SAFEGUARDING)
    # Subject: W-001 up to date, W-002 expired -> 50%. Area: 3 of 4 staff at 3 providers.
    assert (safeguarding.provider_staff, safeguarding.provider_percent) == (2, 50.0)
    assert safeguarding.area_shown and safeguarding.area_percent == 75.0
    dementia = next(t for t in feedback.training if t.code == DEMENTIA)
    assert (dementia.provider_percent, dementia.area_percent) == (0.0, 0.0)  # all missing
    assert feedback.training_staff == 2 and feedback.area_providers == 3


def test_a_dominated_area_figure_is_not_compared(app):
    """Three providers, but the subject has 20 of the area's 22 care staff: 22 - 21 < 10%
    of 20, so the area's figure (mostly the subject's own) would give the two peers away."""
    w = make_world(app, peers=2)
    staff = [person(f"W-{n:03}", "2027-06-01") for n in range(20)]
    w.send(w.provider, OCT, counts(2, 85), staff=staff)
    for peer in w.peers:
        w.send(peer, OCT, counts(3, 90), staff=[person(f"P{peer.id}", "2026-10-01")])
    feedback = feedback_for(w.council.id, w.provider.id, "2026-10")
    safeguarding = next(t for t in feedback.training if t.code == SAFEGUARDING)
    assert feedback.area_providers == 3
    assert not safeguarding.area_shown and safeguarding.area_percent is None
    assert safeguarding.provider_percent == 100.0


def _query(ret: MonthlyReturn, by: User, text: str, field: str | None = "missed_visits"):
    comment = ReturnComment(
        return_id=ret.id, kind="query", section="kpis", field=field, text=text, author_id=by.id
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def test_queries_on_the_periods_returns_with_replies(subject):
    commissioner = make_user(Role.COMMISSIONER, council=subject.council)
    october = subject.ret(subject.provider, OCT)
    asked = _query(october, commissioner, "Were both people safe?")
    db.session.add(
        ReturnComment(
            return_id=october.id,
            parent_id=asked.id,
            kind="reply",
            section="kpis",
            field="missed_visits",
            text="Yes, a family member was there.",
            author_id=subject.user.id,
        )
    )
    db.session.add(ReturnComment(return_id=october.id, kind="note", text="n", author_id=1))
    _query(subject.ret(subject.provider, SEP), commissioner, "September question")
    _query(subject.ret(subject.peers[0], OCT), commissioner, "Another provider's question")
    db.session.commit()
    queries = feedback_for(subject.council.id, subject.provider.id, "2026-10").queries
    assert [(q.month, q.about, q.text) for q in queries] == [
        (OCT, "KPIs: Missed visits", "Were both people safe?")
    ]
    assert [r.text for r in queries[0].replies] == ["Yes, a family member was there."]
    quarter = feedback_for(subject.council.id, subject.provider.id, "2026-Q3").queries
    assert [q.text for q in quarter] == ["September question"]


# --- the page, the job and the PDF -------------------------------------------------------------


def _report_url(subject: World, period: str = "2026-10") -> str:
    query = f"council={subject.council.id}&period={period}"
    return f"/provider/{subject.provider.id}/feedback/report?{query}"


def _build(subject: World, period: str = "2026-10") -> Job:
    from portal.background import jobs

    return jobs.submit(
        FEEDBACK,
        feedback_key(subject.council.id, subject.provider.id, period),
        {"council_id": subject.council.id, "provider_id": subject.provider.id, "period": period},
        council_id=subject.council.id,
        provider_id=subject.provider.id,
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


# --- who may see what --------------------------------------------------------------------------


def test_wrong_provider_council_or_role_is_refused_on_every_route(app, subject):
    other_council = make_council()
    stranger_provider = make_provider()
    make_contract(stranger_provider, other_council, make_framework(other_council))
    db.session.commit()
    _build(subject)
    pid, cid = subject.provider.id, subject.council.id
    query = f"council={cid}&period=2026-10"
    routes = {
        "list": f"/provider/{pid}/feedback",
        "page": f"/provider/{pid}/feedback/report?{query}",
        "pdf": f"/provider/{pid}/feedback/report.pdf?{query}",
        "council": f"/council/{cid}/feedback/report?provider={pid}&period=2026-10",
    }

    def status(user: User, url: str) -> int:
        client = app.test_client()
        sign_in(client, user.email)
        return client.get(url).status_code

    outsider = make_user(Role.PROVIDER_MANAGER, provider=stranger_provider)
    peer_user = make_user(Role.PROVIDER_MANAGER, provider=subject.peers[0])
    commissioner = make_user(Role.COMMISSIONER, council=subject.council)
    other_commissioner = make_user(Role.COMMISSIONER, council=other_council)
    for name in ("list", "page", "pdf"):
        assert status(subject.user, routes[name]) == 200, name
        assert status(outsider, routes[name]) == 404, name
        assert status(peer_user, routes[name]) == 404, name
        assert status(commissioner, routes[name]) == 403, name
    assert status(commissioner, routes["council"]) == 200
    assert status(other_commissioner, routes["council"]) == 404
    for role in (Role.QA_OFFICER, Role.FORUM_MEMBER):
        assert status(make_user(role, council=subject.council), routes["council"]) == 403
    assert status(subject.user, routes["council"]) == 403
    # A council the provider has no contract with, or a provider not the council's: 404.
    elsewhere = f"/provider/{pid}/feedback/report?council={other_council.id}&period=2026-10"
    assert status(subject.user, elsewhere) == 404
    assert status(subject.user, elsewhere.replace("report?", "report.pdf?")) == 404
    not_theirs = f"/council/{cid}/feedback/report?provider={stranger_provider.id}&period=2026-10"
    assert status(commissioner, not_theirs) == 404
    # The other provider's list does not show this report.
    client = app.test_client()
    sign_in(client, peer_user.email)
    assert "You have no feedback reports yet" in get_page(
        client, f"/provider/{subject.peers[0].id}/feedback"
    )


def test_an_incomplete_link_says_what_is_missing(app, subject):
    client = app.test_client()
    sign_in(client, subject.user.email)
    response = client.get(f"/provider/{subject.provider.id}/feedback/report?council=x&period=10")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "The link does not say which council the report is from" in html
    assert "The link does not give a month (2026-10) or quarter (2026-Q3)" in html
    future = _report_url(subject, "2027-01")
    assert client.get(future).status_code == 404


def test_months_before_the_council_went_live_are_not_expected_in_the_trend(app, subject):
    subject.council.go_live_month = AUG  # asked for returns from August 2026 only
    db.session.commit()
    october = feedback_for(subject.council.id, subject.provider.id, "2026-10").frameworks[0]
    assert october.expected == [False, False, False, True, True, True]  # May to October
    client = app.test_client()
    sign_in(client, subject.user.email)
    html = get_page(client, _report_url(subject))
    assert html.count("Not expected") == 3 * len(october.trends)
