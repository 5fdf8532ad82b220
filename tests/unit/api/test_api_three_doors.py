"""One bad value in a staff or training row gets one message whichever way it comes: the
training section's web form, the staff-and-training file upload, and the API's rows
(``POST /staff/check``, ``/training/check``). The KPI section's three ways are in
``test_api_returns.py``."""

from __future__ import annotations

import html as html_lib
import io
from types import SimpleNamespace

import pytest

from forms import messages
from portal.api.auth import new_key
from portal.extensions import db
from tests.unit.returns.test_return_training_workforce import (
    section_url,
    staff_form,
    submit,
    training_form,
)
from tests.unit.uploads.test_upload_journey import csv_bytes, staff_file, training_row

STAFF_HEADINGS = ["LOCALESTID", "UNIQUEWORKERID", "STATUS", "MAINJOBROLE", "STARTDATE",
                  "EMPLSTATUS", "ZEROHRCONT", "CARECERT", "HOURLYRATE", "HANDCVISA",
                  "CONTHOURS"]  # fmt: skip
TRAINING_HEADINGS = ["LOCALESTID", "UNIQUEWORKERID", "CATEGORY", "TRAININGNAME",
                     "ACCREDITED", "WHODELIVERED", "PROVIDERNAME", "HOWDELIVERED",
                     "VALIDITY", "DATECOMPLETED", "EXPIRYDATE", "NOTES"]  # fmt: skip


@pytest.fixture
def doors(app, contracted):
    app.config["WTF_CSRF_ENABLED"] = False
    _, secret = new_key(contracted.provider.id, "Care system", contracted.submitter.id)
    db.session.commit()
    return SimpleNamespace(
        provider=contracted.provider,
        ret=contracted.ret,
        branch=contracted.branch,
        api=f"/api/v1/providers/{contracted.provider.id}",
        auth={"Authorization": f"Bearer {secret}"},
        upload=f"/provider/{contracted.provider.id}/uploads/staff-and-training",
    )


def _uploaded_page(client, doors, staff: bytes | None = None, training: bytes | None = None):
    """The upload's check page for the files (the problems table)."""
    data = {}
    if staff is not None:
        data["staff_file"] = (io.BytesIO(staff), "staff.csv")
    if training is not None:
        data["training_file"] = (io.BytesIO(training), "training.csv")
    sent = client.post(doors.upload, data=data, content_type="multipart/form-data")
    page = client.get(sent.location) if sent.status_code == 302 else sent
    return page.get_data(as_text=True)


def _api_messages(client, doors, kind: str, row: dict) -> list[str]:
    found = client.post(f"{doors.api}/{kind}/check", json={"rows": [row]}, headers=doors.auth)
    assert found.status_code == 200
    return [e["message"] for e in found.get_json()["errors"]]


def test_a_bad_hourly_rate_gets_one_message_by_form_file_and_api(client, doors, provider_client):
    message = messages.money_out_of_range("Hourly rate")
    form = submit(provider_client, section_url(doors, "training", "add-staff"),
                  staff_form(doors, hourly_rate="250"))  # fmt: skip
    assert form.status_code == 400
    assert html_lib.escape(message) in form.get_data(as_text=True)

    page = _uploaded_page(provider_client, doors,
                          staff=staff_file(doors.branch.local_est_id, rate="250"))  # fmt: skip
    assert html_lib.escape(message) in page

    row = dict(zip(STAFF_HEADINGS, [doors.branch.local_est_id, "W9", "NEW", "8", "01/09/2021",
                                    "1", "2", "1", "250", "2", "37.5"], strict=True))  # fmt: skip
    assert message in _api_messages(client, doors, "staff", row)


def test_a_training_name_too_long_gets_one_message_by_form_file_and_api(
    client, doors, provider_client, contracted
):
    from tests.factories import make_staff

    member = make_staff(doors.provider, "W1", branch=doors.branch)
    db.session.commit()
    long_name = "Moving and handling " * 8  # 160 characters
    message = messages.TRAINING_NAME_TOO_LONG
    member_url = section_url(doors, "training", "add-training", staff=member.id)
    form = submit(provider_client, member_url,
                  training_form("20", "01/03/2026", training_name=long_name))  # fmt: skip
    assert form.status_code == 400
    assert html_lib.escape(message) in form.get_data(as_text=True)

    row = training_row(doors.branch.local_est_id, "W1")
    row[TRAINING_HEADINGS.index("TRAININGNAME")] = long_name
    page = _uploaded_page(provider_client, doors,
                          training=csv_bytes(TRAINING_HEADINGS, [row]))  # fmt: skip
    assert html_lib.escape(message) in page

    body = dict(zip(TRAINING_HEADINGS, row, strict=True))
    assert message in _api_messages(client, doors, "training", body)


def _ask_by_api(client, contracted, text: str):
    """The council's system asks about the return's missed visits through the API."""
    _, secret = new_key(None, "Council system", contracted.commissioner.id,
                        council_id=contracted.council.id, scope="council")  # fmt: skip
    db.session.commit()
    return client.post(
        f"/api/v1/councils/{contracted.council.id}/returns/{contracted.ret.id}/query",
        json={"section": "kpis", "field": "missed_visits", "text": text},
        headers={"Authorization": f"Bearer {secret}"},
    )


def _reply_by_api(client, contracted, question, text: str):
    """The provider's system replies to ``question`` through the API."""
    _, secret = new_key(contracted.provider.id, "Care system", contracted.submitter.id)
    db.session.commit()
    url = (f"/api/v1/providers/{contracted.provider.id}/returns/{contracted.ret.id}"
           f"/questions/{question.id}/reply")  # fmt: skip
    return client.post(url, json={"text": text}, headers={"Authorization": f"Bearer {secret}"})


def test_a_comment_too_long_gets_one_message_on_the_pages_and_through_the_api(
    app, client, contracted
):
    """A question (council page, council API) and a reply (provider page, provider API)."""
    from portal.returns import review
    from tests.conftest import signed_in
    from tests.examples import EXAMPLE_KPIS
    from tests.factories import submit_return

    app.config["WTF_CSRF_ENABLED"] = False
    ret = contracted.ret
    submit_return(ret, contracted.submitter, kpis=EXAMPLE_KPIS)
    too_long = "Why? " * 401  # 2,005 characters
    message = messages.COMMENT_TOO_LONG

    page = f"/council/{contracted.council.id}/returns/{ret.id}/review"
    form = {"action": "query", "query-target": "kpis:missed_visits", "query-text": too_long}
    asked = signed_in(app, contracted.commissioner).post(page, data=form)
    assert asked.status_code == 400
    assert html_lib.escape(message) in asked.get_data(as_text=True)
    by_api = _ask_by_api(client, contracted, too_long)
    assert by_api.status_code == 422
    assert by_api.get_json()["errors"] == [{"field": "text", "message": message}]

    question = review.query(ret, contracted.commissioner, "kpis:missed_visits", "Why?")
    task_list = f"/provider/{contracted.provider.id}/returns/{ret.id}"
    replied = signed_in(app, contracted.submitter).post(
        task_list + "/reply", data={"comment": question.id, "text": too_long}
    )
    assert replied.status_code == 400
    assert html_lib.escape(message) in replied.get_data(as_text=True)
    by_api = _reply_by_api(client, contracted, question, too_long)
    assert by_api.status_code == 422
    assert by_api.get_json()["errors"] == [{"field": "text", "message": message}]


@pytest.mark.parametrize("text", ["   ", "\n\t"])
def test_a_blank_question_or_reply_gets_the_apis_message_on_the_pages(
    app, client, contracted, text
):
    """Spaces alone are no question and no reply: the pages go through the API's comment
    schema, so they refuse them with its words (WTForms alone took them, as empty text)."""
    from portal.models import ReturnComment
    from portal.returns import review
    from tests.conftest import signed_in
    from tests.examples import EXAMPLE_KPIS
    from tests.factories import submit_return

    app.config["WTF_CSRF_ENABLED"] = False
    ret = contracted.ret
    submit_return(ret, contracted.submitter, kpis=EXAMPLE_KPIS)

    page = f"/council/{contracted.council.id}/returns/{ret.id}/review"
    form = {"action": "query", "query-target": "kpis:missed_visits", "query-text": text}
    asked = signed_in(app, contracted.commissioner).post(page, data=form)
    assert asked.status_code == 400
    assert messages.QUERY_TEXT_REQUIRED in asked.get_data(as_text=True)
    by_api = _ask_by_api(client, contracted, text)
    assert by_api.get_json()["errors"] == [
        {"field": "text", "message": messages.QUERY_TEXT_REQUIRED}
    ]

    question = review.query(ret, contracted.commissioner, "kpis:missed_visits", "Why?")
    task_list = f"/provider/{contracted.provider.id}/returns/{ret.id}"
    replied = signed_in(app, contracted.submitter).post(
        task_list + "/reply", data={"comment": question.id, "text": text}
    )
    assert replied.status_code == 400
    assert messages.REPLY_REQUIRED in replied.get_data(as_text=True)
    by_api = _reply_by_api(client, contracted, question, text)
    assert by_api.get_json()["errors"] == [{"field": "text", "message": messages.REPLY_REQUIRED}]
    assert db.session.query(ReturnComment).filter_by(parent_id=question.id).count() == 0
