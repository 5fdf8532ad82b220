"""The provider API's questions and feedback: read the council's questions on a return and
reply (the council is told, as from the page); list feedback reports and read each PDF;
another provider's ids are 404."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forms import messages
from portal.api.auth import new_key
from portal.extensions import db
from portal.models import Document, Notification
from portal.returns import review
from tests.examples import EXAMPLE_KPIS
from tests.factories import submit_return


@pytest.fixture
def api(contracted):
    _, secret = new_key(contracted.provider.id, "Care system", contracted.manager.id)
    db.session.commit()
    return {
        "base": f"/api/v1/providers/{contracted.provider.id}",
        "headers": {"Authorization": f"Bearer {secret}"},
    }


def test_questions_are_read_and_replied_to_and_the_council_is_told(client, api, contracted):
    submit_return(contracted.ret, contracted.submitter, kpis=EXAMPLE_KPIS)
    question = review.query(contracted.ret, contracted.commissioner, "kpis:complaints", "Why 1?")
    url = f"{api['base']}/returns/{contracted.ret.id}/questions"
    (found,) = client.get(url, headers=api["headers"]).get_json()["comments"]
    assert (found["id"], found["field"], found["text"]) == (question.id, "complaints", "Why 1?")
    empty = client.post(f"{url}/{question.id}/reply", json={"text": " "}, headers=api["headers"])
    assert empty.status_code == 422
    assert empty.get_json()["errors"] == [{"field": "text", "message": messages.REPLY_REQUIRED}]
    told_before = db.session.scalars(select(Notification.user_id)).all()
    made = client.post(f"{url}/{question.id}/reply", json={"text": "A late visit"},
                       headers=api["headers"])  # fmt: skip
    assert made.status_code == 201 and made.get_json()["author"] == contracted.manager.name
    told = db.session.scalars(select(Notification.user_id)).all()
    assert contracted.commissioner.id in set(told) - set(told_before)
    (found,) = client.get(url, headers=api["headers"]).get_json()["comments"]
    assert [r["text"] for r in found["replies"]] == ["A late visit"]


def test_feedback_reports_are_listed_and_their_pdfs_read_only_by_their_provider(
    client, api, contracted
):
    own = Document(kind="feedback", council_id=contracted.council.id, period="2026-10",
                   provider_id=contracted.provider.id, format="pdf", filename="own.pdf",
                   content=b"%PDF-1.4 own")  # fmt: skip
    theirs = Document(kind="feedback", council_id=contracted.other_council.id,
                      period="2026-10", provider_id=contracted.other_provider.id,
                      format="pdf", filename="theirs.pdf", content=b"%PDF-1.4 theirs")  # fmt: skip
    db.session.add_all([own, theirs])
    db.session.commit()
    (listed,) = client.get(api["base"] + "/feedback", headers=api["headers"]).get_json()["reports"]
    assert (listed["id"], listed["council"], listed["period"]) == (
        own.id, contracted.council.name, "2026-10")  # fmt: skip
    pdf = client.get(listed["pdf_url"], headers=api["headers"])
    assert pdf.status_code == 200 and pdf.data == b"%PDF-1.4 own"
    other = client.get(f"{api['base']}/feedback/{theirs.id}.pdf", headers=api["headers"])
    assert other.status_code == 404 and b"theirs" not in other.data
