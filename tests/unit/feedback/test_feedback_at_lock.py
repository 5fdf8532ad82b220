"""Every submitted return gets feedback: when it is accepted, or at the latest when its
month locks, whatever its review state (and the report says which); once per report."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.feedback import FEEDBACK, feedback_key
from portal.feedback.at_lock import queue_locked_month_feedback
from portal.feedback.data import feedback_for
from portal.feedback.jobs import report_link
from portal.models import Document, Job, Notification, Role
from portal.returns import review
from portal.returns.calendar import deadlines_for
from tests.conftest import csrf_token_from
from tests.factories import make_user
from tests.unit.conftest import get_page, sign_in
from tests.unit.feedback.world import OCT, line, subject  # noqa: F401 - a fixture


def _october_locks_on(world):
    council = world.council
    return deadlines_for(OCT, council.due_working_day, council.lock_days).locks_on


def _reports(period: str) -> set[int]:
    return set(db.session.scalars(db.select(Document.provider_id).where(Document.period == period)))


def test_a_return_nobody_reviewed_gets_its_report_when_the_month_locks(app, subject):  # noqa: F811
    locks_on = _october_locks_on(subject)
    app.config["TODAY"] = (locks_on - timedelta(days=1)).isoformat()
    queue_locked_month_feedback(locks_on - timedelta(days=1))
    assert _reports("2026-10") == set()  # not locked yet: the council may still review

    app.config["TODAY"] = locks_on.isoformat()
    assert queue_locked_month_feedback(locks_on) >= 5
    everyone = {subject.provider.id, *(p.id for p in subject.peers)}
    assert _reports("2026-10") == everyone
    feedback = feedback_for(subject.council.id, subject.provider.id, "2026-10")
    assert [r.text for r in feedback.reviews] == [
        f"Not reviewed by {subject.council.name} before the month locked on "
        f"{locks_on.day} {locks_on:%B %Y}: this report is made from the return as you "
        "submitted it."
    ]
    assert line(feedback, "missed_visits").peers.count == 4  # compared with its peers
    client = app.test_client()
    sign_in(client, subject.user.email)
    page = get_page(client, report_link(subject.council.id, subject.provider.id, "2026-10"))
    assert "Review of your return" in page and "Not reviewed by" in page
    told = db.session.scalar(
        db.select(db.func.count(Notification.id)).where(
            Notification.kind == FEEDBACK, Notification.user_id == subject.user.id
        )
    )
    assert told == db.session.scalar(
        db.select(db.func.count(Document.id)).where(Document.provider_id == subject.provider.id)
    )
    # The next day's run queues nothing again and tells nobody twice.
    assert queue_locked_month_feedback(locks_on + timedelta(days=1)) == 0
    assert (
        db.session.scalar(
            db.select(db.func.count(Notification.id)).where(
                Notification.kind == FEEDBACK, Notification.user_id == subject.user.id
            )
        )
        == told
    )


def test_queried_and_accepted_returns_say_so_and_are_not_made_twice(app, subject):  # noqa: F811
    commissioner = make_user(Role.COMMISSIONER, council=subject.council)
    mine, peer = subject.ret(subject.provider, OCT), subject.ret(subject.peers[0], OCT)
    review.query(mine, commissioner, "kpis:missed_visits", "Why did missed visits go up?")
    review.accept(peer, commissioner, "Thank you")  # its report is made now
    accepted_key = feedback_key(subject.council.id, subject.peers[0].id, "2026-10")
    assert db.session.scalar(db.select(db.func.count(Job.id)).where(Job.key == accepted_key)) == 1

    locks_on = _october_locks_on(subject)
    app.config["TODAY"] = locks_on.isoformat()
    queue_locked_month_feedback(locks_on)
    assert db.session.scalar(db.select(db.func.count(Job.id)).where(Job.key == accepted_key)) == 1
    mine_report = feedback_for(subject.council.id, subject.provider.id, "2026-10")
    assert mine_report.reviews[0].text.startswith(
        f"Queried by {subject.council.name}: questions were still open when the month locked"
    )
    peer_report = feedback_for(subject.council.id, subject.peers[0].id, "2026-10")
    assert peer_report.reviews[0].text == f"Accepted by {subject.council.name}."


def test_a_commissioner_makes_the_quarters_reports_sooner_from_the_packs_page(
    app,
    subject,  # noqa: F811
):
    commissioner = make_user(Role.COMMISSIONER, council=subject.council)
    client = app.test_client()
    sign_in(client, commissioner.email)
    page = get_page(client, f"/council/{subject.council.id}/packs?quarter=2026-Q3")
    assert "Make feedback reports for July to September 2026 now" in page
    url = f"/council/{subject.council.id}/packs/feedback"
    done = client.post(url, data={"csrf_token": csrf_token_from(page), "quarter": "2026-Q3"})
    assert done.status_code == 302
    # Only the subject sent a return in Q3 (August and September); October is in Q4.
    assert _reports("2026-Q3") == {subject.provider.id}
    assert "asked for: 1 provider" in get_page(client, done.headers["Location"])
    bad = client.post(url, data={"csrf_token": csrf_token_from(page), "quarter": "Q9"})
    assert bad.status_code == 400 and "Select a quarter" in bad.get_data(as_text=True)


def test_the_report_opens_with_a_summary_in_words(app, subject):  # noqa: F811
    """The subject in October: missed visits 2% (target at most 2%: met), punctuality 85%
    (target at least 90%: below), among the worst quarter of 4 peers for punctuality; one
    of its two care workers has no safeguarding in date, and neither has any other
    mandatory training."""
    feedback = feedback_for(subject.council.id, subject.provider.id, "2026-10")
    text = feedback.summary
    assert "1 KPI below target: visits started on time 85.0% (target at least 90%)." in text
    assert "Among the worst quarter of providers for visits started on time." in text
    # Its staff have no record of the other mandatory categories: 0% comes first.
    assert "Lowest training compliance: Assisting and moving people 0.0%" in text
    client = app.test_client()
    sign_in(client, subject.user.email)
    page = get_page(client, report_link(subject.council.id, subject.provider.id, "2026-10"))
    assert text.split(":")[0] in page
    demand = f"/provider/{subject.provider.id}/training-demand?council={subject.council.id}"
    assert f'{demand}&amp;period=2026-10#demand"' in page
