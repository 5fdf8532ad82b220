"""The provider API's file uploads: upload (202 with an id), read the check's errors and
warnings by row and column, confirm (the page's own import job), poll until done."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.api.auth import new_key
from portal.extensions import db
from portal.models import TrainingRecord
from tests.unit.api.test_api import as_csv, staff_row, training_row


@pytest.fixture
def api(contracted):
    _, secret = new_key(contracted.provider.id, "Training system", contracted.manager.id)
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    base = f"/api/v1/providers/{contracted.provider.id}"
    return {"base": base, "headers": headers, "branch": contracted.branch.local_est_id}


def _upload(client, api, rows):
    return client.post(
        api["base"] + "/uploads?file=training",
        data=as_csv(rows),
        headers={**api["headers"], "Content-Type": "text/csv"},
    )


def test_a_training_file_is_uploaded_checked_confirmed_and_imported(client, api):
    staff = client.post(api["base"] + "/imports", headers=api["headers"],
                        json={"staff": [staff_row(api["branch"], "W1")]})  # fmt: skip
    assert staff.status_code == 200
    bad = _upload(client, api, [training_row(api["branch"], "W1", DATECOMPLETED="31/02/2026")])
    assert bad.status_code == 202
    status = client.get(bad.get_json()["status_url"], headers=api["headers"]).get_json()
    assert status["status"] == "checked" and status["error_count"] == 1
    (error,) = status["errors"]
    assert (error["row"], error["column"], error["value"]) == (2, "DATECOMPLETED", "31/02/2026")
    refused = client.post(f"{api['base']}/uploads/{status['id']}/confirm", headers=api["headers"])
    assert refused.status_code == 422 and refused.get_json()["errors"][0]["row"] == 2
    good = _upload(client, api, [training_row(api["branch"], "W1")])
    upload_id = good.get_json()["id"]
    checked = client.get(f"{api['base']}/uploads/{upload_id}", headers=api["headers"]).get_json()
    assert checked["errors"] == [] and checked["status"] == "checked"
    confirmed = client.post(f"{api['base']}/uploads/{upload_id}/confirm", headers=api["headers"])
    assert confirmed.status_code == 202
    done = client.get(f"{api['base']}/uploads/{upload_id}", headers=api["headers"]).get_json()
    assert done["status"] == "done"  # jobs run in-process without Redis, as in make run
    assert db.session.scalar(select(func.count()).select_from(TrainingRecord)) == 1
    again = client.post(f"{api['base']}/uploads/{upload_id}/confirm", headers=api["headers"])
    assert again.status_code == 409


def test_an_upload_needs_a_csv_body_and_says_which_file(client, api):
    headers = {**api["headers"], "Content-Type": "text/csv"}
    assert client.post(api["base"] + "/uploads", data=b"x", headers=headers).status_code == 400
    empty = client.post(api["base"] + "/uploads?file=staff", data=b"", headers=headers)
    assert empty.status_code == 422
    wrong = client.post(api["base"] + "/uploads?file=staff", json={}, headers=api["headers"])
    assert wrong.status_code == 415


def test_another_providers_upload_is_404_like_one_that_does_not_exist(client, api, contracted):
    _, theirs = new_key(contracted.other_provider.id, "Theirs", None)
    db.session.commit()
    other_base = f"/api/v1/providers/{contracted.other_provider.id}"
    made = client.post(other_base + "/uploads?file=training", data=b"LOCALESTID\n1\n",
                       headers={"Authorization": f"Bearer {theirs}",
                                "Content-Type": "text/csv"})  # fmt: skip
    their_id = made.get_json()["id"]
    for suffix, method in (("", "GET"), ("/confirm", "POST")):
        mine = client.open(f"{api['base']}/uploads/{their_id}{suffix}", method=method,
                           headers=api["headers"])  # fmt: skip
        missing = client.open(f"{api['base']}/uploads/999999{suffix}", method=method,
                              headers=api["headers"])  # fmt: skip
        assert mine.status_code == missing.status_code == 404
        assert mine.get_json() == missing.get_json()
    # An id too big for the database is one nothing has, not a server error.
    huge = client.get(f"{api['base']}/uploads/182894091970349297855102976", headers=api["headers"])
    assert huge.status_code == 404
