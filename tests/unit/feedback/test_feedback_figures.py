"""Feedback reports' figures, checked by hand: periods, the framework's median and
quartiles of unnamed peers, quarters and trends, expiring training, training compliance
against the area, and what the council asked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.extensions import db
from portal.feedback.data import NOT_ENOUGH, feedback_for, parse_period
from portal.feedback.kpi_comparison import peer_stats
from portal.models import (
    ReturnComment,
    Role,
)
from portal.returns import service
from tests.factories import (
    make_contract,
    make_framework,
    make_provider,
    make_user,
)
from tests.unit.conftest import get_page, sign_in
from tests.unit.feedback.world import (
    AUG,
    DEMENTIA,
    FIRST_AID,
    OCT,
    ON,
    SAFEGUARDING,
    SEP,
    _query,
    _staff,
    counts,
    line,
    make_world,
    person,
)

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
