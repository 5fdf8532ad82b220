"""The provider API and its keys page: keys, checks and imports by the upload's rules."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from forms import messages
from portal.api import records
from portal.api.auth import new_key
from portal.clock import utcnow
from portal.extensions import db
from portal.models import ApiKey, Role, StaffMember, TrainingRecord
from portal.uploads.asc_wds import check_upload
from portal.uploads.importing import provider_branches
from tests.conftest import csrf_token_from, signed_in
from tests.factories import make_user
from tests.unit.conftest import get_page

NOT_JSON = "The request body is not valid JSON"


def staff_row(branch: str, worker: str, **changes) -> dict:
    row = {
        "LOCALESTID": branch,
        "UNIQUEWORKERID": worker,
        "STATUS": "UNCHECKED",
        "MAINJOBROLE": 8,
        "STARTDATE": "01/09/2021",
        "EMPLSTATUS": 1,
        "ZEROHRCONT": 2,
        "CARECERT": 1,
        "HOURLYRATE": 12.6,
        "HANDCVISA": 2,
        "CONTHOURS": 37.5,
    }
    return {**row, **changes}


def training_row(branch: str, worker: str, **changes) -> dict:
    row = {
        "LOCALESTID": branch,
        "UNIQUEWORKERID": worker,
        "CATEGORY": 20,
        "TRAININGNAME": "Safeguarding",
        "ACCREDITED": 1,
        "WHODELIVERED": 1,
        "PROVIDERNAME": "",
        "HOWDELIVERED": 1,
        "VALIDITY": 12,
        "DATECOMPLETED": "01/03/2026",
        "EXPIRYDATE": "",
        "NOTES": "",
    }
    return {**row, **changes}


def as_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.fixture
def api_keys(contracted):
    """The contracted provider with a live key made by its manager; another provider's key."""
    provider, other = contracted.provider, contracted.other_provider
    own_key, own_secret = new_key(provider.id, "Rota system", contracted.manager.id)
    other_key, other_secret = new_key(other.id, "Their system", None)
    db.session.commit()
    return {
        "provider_id": provider.id,
        "branch": contracted.branch.local_est_id,
        "manager": contracted.manager,
        "submitter": contracted.submitter,
        "other_manager": make_user(Role.PROVIDER_MANAGER, provider=other),
        "commissioner": contracted.other_commissioner,
        "other_provider_id": other.id,
        "key": own_secret,
        "key_id": own_key.id,
        "other_key": other_secret,
        "other_key_id": other_key.id,
        "api": f"/api/v1/providers/{provider.id}",
        "page": f"/provider/{provider.id}/api-keys",
    }


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def post_json(client, api_keys, path: str, body, secret: str | None = None):
    return client.post(api_keys["api"] + path, json=body, headers=bearer(secret or api_keys["key"]))


def staff_count(provider_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(StaffMember).where(StaffMember.provider_id == provider_id)
    )


# --- authentication ----------------------------------------------------------------------


def test_a_request_without_a_key_is_refused_with_a_bearer_challenge(client, api_keys):
    response = client.get(api_keys["api"] + "/staff")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.get_json()["error"]
    assert response.get_json()["errors"] == []


@pytest.mark.parametrize("header", ["Bearer not-a-real-key", "Basic dXNlcjpwYXNz", "Bearer "])
def test_an_unknown_or_malformed_key_is_refused(client, api_keys, header):
    response = client.get(api_keys["api"] + "/staff", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working(client, api_keys):
    assert (
        client.get(api_keys["api"] + "/staff", headers=bearer(api_keys["key"])).status_code == 200
    )
    db.session.get(ApiKey, api_keys["key_id"]).revoked_at = utcnow()
    db.session.commit()
    response = client.get(api_keys["api"] + "/staff", headers=bearer(api_keys["key"]))
    assert response.status_code == 401
    assert "revoked" in response.get_json()["error"]


def test_another_providers_key_cannot_reach_this_provider(client, api_keys):
    response = client.get(api_keys["api"] + "/staff", headers=bearer(api_keys["other_key"]))
    assert response.status_code == 404
    response = post_json(client, api_keys, "/imports", {"staff": [staff_row("X", "W1")]},
                         api_keys["other_key"])  # fmt: skip
    assert response.status_code == 404
    assert staff_count(api_keys["provider_id"]) == 0


def test_a_signed_in_session_is_not_a_key(api_keys, provider_manager_client):
    assert provider_manager_client.get(api_keys["api"] + "/staff").status_code == 401


def test_a_key_records_when_it_was_last_used(client, api_keys):
    assert db.session.get(ApiKey, api_keys["key_id"]).last_used_at is None
    client.get(api_keys["api"] + "/staff", headers=bearer(api_keys["key"]))
    db.session.expire_all()
    assert db.session.get(ApiKey, api_keys["key_id"]).last_used_at is not None


# --- checking ----------------------------------------------------------------------------


def test_checking_good_staff_rows_says_what_would_change_and_stores_nothing(client, api_keys):
    rows = [staff_row(api_keys["branch"], w) for w in ("W1", "W2", "W3")]
    response = post_json(client, api_keys, "/staff/check", {"rows": rows})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["errors"] == []
    assert body["changes"] == {"new": 3, "updated": 0, "unchanged": 0, "deleted": 0}
    assert staff_count(api_keys["provider_id"]) == 0


def test_a_bad_date_gets_the_uploads_message_numbered_by_position(client, api_keys):
    rows = [
        training_row(api_keys["branch"], "W1", NOTES="Two lines:\nstill one row"),
        training_row(api_keys["branch"], "W1", DATECOMPLETED="31/02/2026", CATEGORY=13),
    ]
    import_both(client, api_keys, staff=[staff_row(api_keys["branch"], "W1")])
    response = post_json(client, api_keys, "/training/check", {"rows": rows})
    assert response.status_code == 200
    body = response.get_json()
    # The upload, given the same rows as a CSV file, says exactly the same.
    upload = check_upload(
        training=(as_csv(rows), "training.csv"),
        today=date(2026, 11, 23),
        branches=provider_branches(api_keys["provider_id"]),
        existing_worker_ids={"W1"},
    )
    assert [p.message for p in upload.training.errors] == [e["message"] for e in body["errors"]]
    assert body["errors"] == [
        {
            "row": 2,  # the second object of "rows"; the upload calls it row 3
            "column": "DATECOMPLETED",
            "value": "31/02/2026",
            "message": messages.upload_date_not_real("Date completed"),
        }
    ]
    assert upload.training.errors[0].row == 3
    assert body["changes"] is None
    assert "1 date" in body["summary"]


def test_a_csv_body_is_checked_as_an_upload_with_spreadsheet_row_numbers(client, api_keys):
    rows = [
        staff_row(api_keys["branch"], "W1"),
        staff_row(api_keys["branch"], "W2", MAINJOBROLE=9999),
    ]
    response = client.post(
        api_keys["api"] + "/staff/check",
        data=as_csv(rows),
        headers={**bearer(api_keys["key"]), "Content-Type": "text/csv; charset=utf-8"},
    )
    assert response.status_code == 200
    (error,) = response.get_json()["errors"]
    assert (error["row"], error["column"], error["value"]) == (3, "MAINJOBROLE", "9999")
    assert error["message"].startswith("MAINJOBROLE must be an ASC-WDS main job role code")


def test_messages_naming_another_row_use_the_same_numbers(client, api_keys):
    rows = [staff_row(api_keys["branch"], "W1"), staff_row(api_keys["branch"], "W1", HOURLYRATE=13)]
    body = post_json(client, api_keys, "/staff/check", {"rows": rows}).get_json()
    (error,) = body["errors"]
    assert error["row"] == 2
    assert error["message"] == messages.upload_worker_twice(1)


def test_a_missing_column_is_an_error_of_the_whole_file(client, api_keys):
    body = post_json(client, api_keys, "/staff/check", {"rows": [{"UNIQUEWORKERID": "W1"}]})
    assert body.status_code == 200
    (error,) = body.get_json()["errors"]
    assert error["row"] is None and "MAINJOBROLE" in error["message"]


# --- importing ---------------------------------------------------------------------------


def import_both(client, api_keys, staff=None, training=None):
    body = {}
    if staff is not None:
        body["staff"] = staff
    if training is not None:
        body["training"] = training
    return post_json(client, api_keys, "/imports", body)


def test_an_import_stores_the_rows_and_the_same_import_again_changes_nothing(client, api_keys):
    staff = [staff_row(api_keys["branch"], w) for w in ("W1", "W2")]
    training = [
        training_row(api_keys["branch"], "W1"),
        training_row(api_keys["branch"], "W1", CATEGORY=13),
        training_row(api_keys["branch"], "W2"),
    ]
    first = import_both(client, api_keys, staff, training)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["counts"] == {
        "staff": {"new": 2, "updated": 0, "unchanged": 0, "deleted": 0},
        "training": {"new": 3, "updated": 0, "unchanged": 0, "deleted": 0},
    }
    ids = sorted(db.session.scalars(select(TrainingRecord.id)))
    assert len(ids) == 3

    again = import_both(client, api_keys, staff, training)
    assert again.status_code == 200
    assert again.get_json()["counts"] == {
        "staff": {"new": 0, "updated": 0, "unchanged": 2, "deleted": 0},
        "training": {"new": 0, "updated": 0, "unchanged": 3, "deleted": 0},
    }
    db.session.expire_all()
    assert sorted(db.session.scalars(select(TrainingRecord.id))) == ids


def test_an_import_counts_changes_updates_and_leavers(client, api_keys):
    branch = api_keys["branch"]
    import_both(client, api_keys, [staff_row(branch, w) for w in ("W1", "W2", "W3")],
                [training_row(branch, "W1"), training_row(branch, "W1", CATEGORY=13)])  # fmt: skip
    response = import_both(
        client,
        api_keys,
        [staff_row(branch, "W1", HOURLYRATE=13.5), staff_row(branch, "W2", STATUS="DELETE"),
         staff_row(branch, "W3")],
        [training_row(branch, "W1"), training_row(branch, "W1", CATEGORY=6)],
    )  # fmt: skip
    assert response.get_json()["counts"] == {
        "staff": {"new": 0, "updated": 1, "unchanged": 1, "deleted": 1},
        "training": {"new": 1, "updated": 0, "unchanged": 1, "deleted": 1},
    }
    left = db.session.scalar(select(StaffMember).where(StaffMember.worker_id == "W2"))
    assert left.left_on is not None


def test_an_import_with_an_error_stores_nothing_and_lists_the_errors(client, api_keys):
    staff = [staff_row(api_keys["branch"], "W1")]
    training = [training_row(api_keys["branch"], "W1", DATECOMPLETED="31/02/2026")]
    response = import_both(client, api_keys, staff, training)
    assert response.status_code == 422
    body = response.get_json()
    assert "nothing was imported" in body["error"]
    assert body["errors"] == [
        {
            "file": "training",
            "row": 1,
            "column": "DATECOMPLETED",
            "value": "31/02/2026",
            "message": messages.upload_date_not_real("Date completed"),
        }
    ]
    assert staff_count(api_keys["provider_id"]) == 0


def test_training_for_an_unknown_worker_is_refused(client, api_keys):
    response = import_both(client, api_keys, training=[training_row(api_keys["branch"], "NOBODY")])
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["message"] == messages.UPLOAD_UNKNOWN_WORKER


def test_the_api_needs_no_csrf_token(app, client, api_keys):
    assert app.config.get("WTF_CSRF_ENABLED", True)
    response = import_both(client, api_keys, [staff_row(api_keys["branch"], "W1")])
    assert response.status_code == 200


# --- bad requests ------------------------------------------------------------------------


def test_malformed_json_is_a_400_with_a_clear_message(client, api_keys):
    for body in (b"{not json", b'{"rows": [NaN]}', b"[" * 100_000):
        response = client.post(
            api_keys["api"] + "/staff/check",
            data=body,
            headers={**bearer(api_keys["key"]), "Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.mimetype == "application/problem+json"
        found = response.get_json()
        assert (found["status"], found["detail"], found["errors"]) == (400, NOT_JSON, [])
        assert found["error"] == NOT_JSON  # the first version's member, still there


def test_a_wrong_content_type_is_a_415(client, api_keys):
    response = client.post(
        api_keys["api"] + "/imports",
        data="staff=W1",
        headers={**bearer(api_keys["key"]), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415
    assert "application/json" in response.get_json()["error"]


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ([], "JSON object"),
        ({"rows": "W1"}, '"rows" must be a list'),
        ({"rows": []}, "at least one row"),
        ({}, '"rows" must be a list'),
    ],
)
def test_a_body_of_the_wrong_shape_is_a_400(client, api_keys, body, what):
    response = post_json(client, api_keys, "/staff/check", body)
    assert response.status_code == 400
    assert what in response.get_json()["error"]


def test_values_that_are_not_text_or_numbers_are_listed(client, api_keys):
    rows = [staff_row(api_keys["branch"], "W1", NOTES={"a": 1}), "W2",
            staff_row(api_keys["branch"], "W3", UNIQUEWORKERID="W\x00")]  # fmt: skip
    response = post_json(client, api_keys, "/staff/check", {"rows": rows})
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.get_json()["errors"]] == [
        (1, "NOTES"),
        (2, None),
        (3, "UNIQUEWORKERID"),
    ]


def test_an_import_with_no_rows_is_a_400(client, api_keys):
    response = import_both(client, api_keys, staff=[], training=None)
    assert response.status_code == 400
    assert '"staff"' in response.get_json()["error"]


def test_a_body_over_the_size_limit_is_a_413_with_a_json_message(app, client, api_keys):
    app.config["API_MAX_CONTENT_LENGTH"] = 10_000
    rows = [staff_row(api_keys["branch"], f"W{n}") for n in range(200)]
    response = import_both(client, api_keys, rows)
    assert response.status_code == 413
    assert "10,000 bytes or smaller" in response.get_json()["error"]
    assert staff_count(api_keys["provider_id"]) == 0


def test_more_rows_than_the_upload_allows_is_a_413(client, api_keys):
    response = post_json(client, api_keys, "/staff/check", {"rows": [{}] * 200_001})
    assert response.status_code == 413
    assert "200,000" in response.get_json()["error"]


def test_an_unknown_page_number_is_a_400(client, api_keys):
    for page in ("0", "x", "²", "99999999"):
        response = client.get(
            api_keys["api"] + f"/staff?page={page}", headers=bearer(api_keys["key"])
        )
        assert response.status_code == 400, page
        assert "page must be" in response.get_json()["error"]


# --- reading back ------------------------------------------------------------------------


def test_staff_and_training_read_back_a_page_at_a_time(client, api_keys, monkeypatch):
    branch = api_keys["branch"]
    workers = ("W1", "W2", "W3")
    import_both(client, api_keys, [staff_row(branch, w) for w in workers],
                [training_row(branch, "W2"), training_row(branch, "W2", CATEGORY=13),
                 training_row(branch, "W3")])  # fmt: skip
    monkeypatch.setattr(records, "PAGE_SIZE", 2)
    first = client.get(api_keys["api"] + "/staff", headers=bearer(api_keys["key"])).get_json()
    assert [s["UNIQUEWORKERID"] for s in first["staff"]] == ["W1", "W2"]
    assert first["staff"][0] == {
        "UNIQUEWORKERID": "W1",
        "LOCALESTID": branch,
        "MAINJOBROLE": 8,
        "status": "current",
        "left_on": None,
    }
    second = client.get(first["next"], headers=bearer(api_keys["key"])).get_json()
    assert [s["UNIQUEWORKERID"] for s in second["staff"]] == ["W3"]
    assert second["next"] is None

    training = client.get(api_keys["api"] + "/training?worker=W2", headers=bearer(api_keys["key"]))
    rows = training.get_json()["training"]
    assert {(r["UNIQUEWORKERID"], r["CATEGORY"]) for r in rows} == {("W2", 20), ("W2", 13)}
    assert rows[0]["DATECOMPLETED"] == "01/03/2026"
    assert training.get_json()["next"] is None


def test_training_of_an_unknown_worker_is_a_404(client, api_keys):
    response = client.get(
        api_keys["api"] + "/training?worker=NOBODY", headers=bearer(api_keys["key"])
    )
    assert response.status_code == 404
    assert "NOBODY" in response.get_json()["error"]


# --- the keys page -----------------------------------------------------------------------


def test_a_manager_creates_a_key_and_sees_its_secret_once(app, api_keys, provider_manager_client):
    page = get_page(provider_manager_client, api_keys["page"])
    assert "Rota system" in page
    response = provider_manager_client.post(
        api_keys["page"], data={"name": "  Training system ", "csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    secret = re.search(r'<code id="api-key">([^<]+)</code>', html).group(1)
    assert "only time you will see this key" in html
    key = db.session.scalar(select(ApiKey).where(ApiKey.name == "Training system"))
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert key.prefix == secret[:8] and secret not in (key.key_hash, key.prefix)
    # The list shows the prefix, never the secret again; the key works.
    listing = get_page(provider_manager_client, api_keys["page"])
    assert secret not in listing and key.prefix in listing
    api = app.test_client()
    assert api.get(api_keys["api"] + "/staff", headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize(
    ("name", "message"),
    [("   ", "Enter a name for the key"), ("x" * 81, "80 characters or fewer")],
)
def test_a_key_needs_a_name_of_80_characters_or_fewer(
    api_keys, name, message, provider_manager_client
):
    page = get_page(provider_manager_client, api_keys["page"])
    response = provider_manager_client.post(
        api_keys["page"], data={"name": name, "csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert db.session.scalar(select(func.count()).select_from(ApiKey)) == 2


def test_a_manager_revokes_a_key(app, api_keys, provider_manager_client):
    page = get_page(provider_manager_client, api_keys["page"])
    revoke = api_keys["page"] + "/revoke"
    token = csrf_token_from(page)
    response = provider_manager_client.post(
        revoke, data={"key_id": api_keys["key_id"], "csrf_token": token}
    )
    assert response.status_code == 302
    assert "has been revoked" in get_page(provider_manager_client, api_keys["page"])
    api = app.test_client()
    assert api.get(api_keys["api"] + "/staff", headers=bearer(api_keys["key"])).status_code == 401
    # Another provider's key, or none, cannot be revoked from here.
    other = provider_manager_client.post(
        revoke, data={"key_id": api_keys["other_key_id"], "csrf_token": token}
    )
    assert other.status_code == 404
    assert db.session.get(ApiKey, api_keys["other_key_id"]).revoked_at is None
    missing = provider_manager_client.post(revoke, data={"csrf_token": token})
    assert missing.status_code == 400
    assert "Select the key to revoke" in missing.get_data(as_text=True)


def test_only_the_providers_managers_reach_the_keys_page(app, api_keys):
    app.config["WTF_CSRF_ENABLED"] = False  # about access: the right token is irrelevant
    for user, status in (
        (api_keys["submitter"], 403),
        (api_keys["commissioner"], 403),
        (api_keys["other_manager"], 404),
    ):
        client = signed_in(app, user)
        assert client.get(api_keys["page"]).status_code == status
        revoke = client.post(api_keys["page"] + "/revoke", data={"key_id": api_keys["key_id"]})
        assert revoke.status_code == status
        create = client.post(api_keys["page"], data={"name": "Sneaky"})
        assert create.status_code == status
    assert db.session.get(ApiKey, api_keys["key_id"]).revoked_at is None
    assert db.session.scalar(select(ApiKey).where(ApiKey.name == "Sneaky")) is None


def test_the_users_page_links_to_the_keys_page(api_keys, provider_manager_client):
    html = get_page(provider_manager_client, f"/provider/{api_keys['provider_id']}/users")
    assert f'href="{api_keys["page"]}"' in html


def test_rows_bigger_than_an_upload_may_be_are_a_413(client, api_keys):
    """The upload's 20MB limit holds for a CSV body, and for JSON rows written as CSV."""
    big = "x" * (21 * 1024 * 1024)
    csv_body = client.post(
        api_keys["api"] + "/training/check",
        data=b"UNIQUEWORKERID,NOTES\r\nW1," + big.encode(),
        headers={**bearer(api_keys["key"]), "Content-Type": "text/csv"},
    )
    assert csv_body.status_code == 413
    assert csv_body.get_json()["error"] == messages.FILE_TOO_LARGE.format(size="20MB")
    json_body = post_json(client, api_keys, "/training/check", {"rows": [{"NOTES": big}]})
    assert json_body.status_code == 413
    assert "as a CSV file: split them" in json_body.get_json()["error"]


def test_rows_too_wide_to_write_out_are_refused_unwritten(client, api_keys):
    wide = post_json(client, api_keys, "/staff/check", {"rows": [{f"K{n}": 1 for n in range(501)}]})
    assert wide.status_code == 400
    assert "500 different keys or fewer" in wide.get_json()["error"]
    # 50,000 rows x 500 keys: at least 25MB of CSV, though the JSON is small.
    rows = [{f"K{n}": 1 for n in range(500)}] + [{}] * 50_000
    sparse = post_json(client, api_keys, "/staff/check", {"rows": rows})
    assert sparse.status_code == 413
    assert "as a CSV file: split them" in sparse.get_json()["error"]


def test_unknown_api_urls_and_methods_answer_in_the_api_error_shape(client):
    for method, url, status in (
        ("GET", "/api/v1/no-such-thing", 404),
        ("DELETE", "/api/v1/providers/1/imports", 405),
    ):
        response = client.open(url, method=method)
        assert response.status_code == status
        body = response.get_json()
        assert body["errors"] == [] and body["error"]
