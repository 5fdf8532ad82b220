"""A feedback report end to end on PostgreSQL: the commissioner accepts a return through
the review page, the job builds the PDF in-process, and the provider's user opens the
report page and the PDF."""

from __future__ import annotations

import io

from pypdf import PdfReader

from portal.extensions import db
from portal.feedback import FEEDBACK
from portal.models import Council, Document, Notification, ReturnStatus, Role, SectionState
from portal.returns import service
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_user, open_return

KPIS = {"planned_visits": "200", "delivered_visits": "196", "missed_visits": "4",
        "on_time_visits": "180", "ecm_visits": "190", "commissioned_hours": "150",
        "delivered_hours": "148", "referrals_offered": "4", "referrals_accepted": "3",
        "packages_started_on_time": "3", "complaints": "0", "compliments": "2",
        "safeguarding_concerns": "0", "users_reviewed": "5", "outcomes_met": "4"}  # fmt: skip


def _sign_in(client, email: str) -> None:
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_accepting_a_return_makes_a_report_the_provider_can_open(app):
    app.config["TODAY"] = "2026-11-23"
    ret = open_return()
    provider = ret.contract.provider
    council = db.session.get(Council, ret.contract.council_id)
    submitter = make_user(Role.PROVIDER_SUBMITTER, provider=provider)
    commissioner = make_user(Role.COMMISSIONER, council=council)
    for s in ret.sections:
        data = KPIS if s.code == "kpis" else {"none": True}
        service.save_section(ret, s.code, data, SectionState.COMPLETED, s.revision, submitter)
    service.submit(ret.id, submitter, "feedback-postgres-key")

    council_client = app.test_client()
    _sign_in(council_client, commissioner.email)
    page = f"/council/{council.id}/returns/{ret.id}/review"
    html = council_client.get(page).get_data(as_text=True)
    accepted = council_client.post(
        page, data={"csrf_token": csrf_token_from(html), "action": "accept", "accept-text": ""}
    )
    assert accepted.status_code == 302
    db.session.refresh(ret)
    assert ret.status is ReturnStatus.ACCEPTED

    document = db.session.scalar(db.select(Document).where(Document.kind == FEEDBACK))
    assert document is not None
    assert (document.council_id, document.provider_id, document.period) == (
        council.id,
        provider.id,
        "2026-10",
    )
    notification = db.session.scalar(
        db.select(Notification).where(Notification.user_id == submitter.id,
                                      Notification.kind == "feedback")
    )  # fmt: skip
    assert notification is not None

    client = app.test_client()
    _sign_in(client, submitter.email)
    report = client.get(notification.link)
    assert report.status_code == 200
    html = report.get_data(as_text=True)
    assert "Feedback for October 2026" in html and "Missed visits" in html
    assert "2.0%" in html and "Download PDF" in html
    assert "Not enough providers to compare" in html  # the only provider on its framework
    pdf = client.get(notification.link.replace("report?", "report.pdf?"))
    assert pdf.status_code == 200
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Feedback for October 2026" in text
    listed = client.get(f"/provider/{provider.id}/feedback").get_data(as_text=True)
    assert "October 2026" in listed and council.name in listed
