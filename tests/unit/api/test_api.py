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
from portal.extensions import db
from portal.models import ApiKey, Branch, Role, StaffMember, TrainingRecord
from portal.timeutil import utcnow
from portal.uploads.asc_wds import check_upload
from portal.uploads.importing import provider_branches
from tests.conftest import csrf_token_from
from tests.factories import make_council, make_provider, make_user, open_return
from tests.unit.conftest import get_page, sign_in

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
        "PROVIDERNAME": "In-house",
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
def world(app):
    app.config["TODAY"] = "2026-11-23"
    ret = open_return()
    provider = ret.contract.provider
    branch = db.session.scalar(select(Branch).where(Branch.provider_id == provider.id))
    manager = make_user(Role.PROVIDER_MANAGER, provider=provider)
    other = make_provider()
    own_key, own_secret = new_key(provider.id, "Rota system", manager.id)
    other_key, other_secret = new_key(other.id, "Their system", None)
    db.session.commit()
    return {
        "provider_id": provider.id,
        "branch": branch.local_est_id,
        "manager": manager,
        "submitter": make_user(Role.PROVIDER_SUBMITTER, provider=provider),
        "other_manager": make_user(Role.PROVIDER_MANAGER, provider=other),
        "commissioner": make_user(Role.COMMISSIONER, council=make_council()),
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


def post_json(client, world, path: str, body, secret: str | None = None):
    return client.post(world["api"] + path, json=body, headers=bearer(secret or world["key"]))


def staff_count(provider_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(StaffMember).where(StaffMember.provider_id == provider_id)
    )


def signed_in(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


# --- authentication ----------------------------------------------------------------------


def test_a_request_without_a_key_is_refused_with_a_bearer_challenge(client, world):
    response = client.get(world["api"] + "/staff")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in response.get_json()["error"]
    assert response.get_json()["errors"] == []


@pytest.mark.parametrize("header", ["Bearer not-a-real-key", "Basic dXNlcjpwYXNz", "Bearer "])
def test_an_unknown_or_malformed_key_is_refused(client, world, header):
    response = client.get(world["api"] + "/staff", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working(client, world):
    assert client.get(world["api"] + "/staff", headers=bearer(world["key"])).status_code == 200
    db.session.get(ApiKey, world["key_id"]).revoked_at = utcnow()
    db.session.commit()
    response = client.get(world["api"] + "/staff", headers=bearer(world["key"]))
    assert response.status_code == 401
    assert "revoked" in response.get_json()["error"]


def test_another_providers_key_cannot_reach_this_provider(client, world):
    response = client.get(world["api"] + "/staff", headers=bearer(world["other_key"]))
    assert response.status_code == 404
    response = post_json(client, world, "/imports", {"staff": [staff_row("X", "W1")]},
                         world["other_key"])  # fmt: skip
    assert response.status_code == 404
    assert staff_count(world["provider_id"]) == 0


def test_a_signed_in_session_is_not_a_key(app, world):
    client = signed_in(app, world["manager"])
    assert client.get(world["api"] + "/staff").status_code == 401


def test_a_key_records_when_it_was_last_used(client, world):
    assert db.session.get(ApiKey, world["key_id"]).last_used_at is None
    client.get(world["api"] + "/staff", headers=bearer(world["key"]))
    db.session.expire_all()
    assert db.session.get(ApiKey, world["key_id"]).last_used_at is not None


# --- checking ----------------------------------------------------------------------------


def test_checking_good_staff_rows_says_what_would_change_and_stores_nothing(client, world):
    rows = [staff_row(world["branch"], w) for w in ("W1", "W2", "W3")]
    response = post_json(client, world, "/staff/check", {"rows": rows})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["errors"] == []
    assert body["changes"] == {"new": 3, "updated": 0, "unchanged": 0, "deleted": 0}
    assert staff_count(world["provider_id"]) == 0


def test_a_bad_date_gets_the_uploads_message_numbered_by_position(client, world):
    rows = [
        training_row(world["branch"], "W1", NOTES="Two lines:\nstill one row"),
        training_row(world["branch"], "W1", DATECOMPLETED="31/02/2026", CATEGORY=13),
    ]
    import_both(client, world, staff=[staff_row(world["branch"], "W1")])
    response = post_json(client, world, "/training/check", {"rows": rows})
    assert response.status_code == 200
    body = response.get_json()
    # The upload, given the same rows as a CSV file, says exactly the same.
    upload = check_upload(
        training=(as_csv(rows), "training.csv"),
        today=date(2026, 11, 23),
        branches=provider_branches(world["provider_id"]),
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


def test_a_csv_body_is_checked_as_an_upload_with_spreadsheet_row_numbers(client, world):
    rows = [staff_row(world["branch"], "W1"), staff_row(world["branch"], "W2", MAINJOBROLE=9999)]
    response = client.post(
        world["api"] + "/staff/check",
        data=as_csv(rows),
        headers={**bearer(world["key"]), "Content-Type": "text/csv; charset=utf-8"},
    )
    assert response.status_code == 200
    (error,) = response.get_json()["errors"]
    assert (error["row"], error["column"], error["value"]) == (3, "MAINJOBROLE", "9999")
    assert error["message"].startswith("MAINJOBROLE must be an ASC-WDS main job role code")


def test_messages_naming_another_row_use_the_same_numbers(client, world):
    rows = [staff_row(world["branch"], "W1"), staff_row(world["branch"], "W1", HOURLYRATE=13)]
    body = post_json(client, world, "/staff/check", {"rows": rows}).get_json()
    (error,) = body["errors"]
    assert error["row"] == 2
    assert error["message"] == messages.upload_worker_twice(1)


def test_a_missing_column_is_an_error_of_the_whole_file(client, world):
    body = post_json(client, world, "/staff/check", {"rows": [{"UNIQUEWORKERID": "W1"}]})
    assert body.status_code == 200
    (error,) = body.get_json()["errors"]
    assert error["row"] is None and "MAINJOBROLE" in error["message"]


# --- importing ---------------------------------------------------------------------------


def import_both(client, world, staff=None, training=None):
    body = {}
    if staff is not None:
        body["staff"] = staff
    if training is not None:
        body["training"] = training
    return post_json(client, world, "/imports", body)


def test_an_import_stores_the_rows_and_the_same_import_again_changes_nothing(client, world):
    staff = [staff_row(world["branch"], w) for w in ("W1", "W2")]
    training = [
        training_row(world["branch"], "W1"),
        training_row(world["branch"], "W1", CATEGORY=13),
        training_row(world["branch"], "W2"),
    ]
    first = import_both(client, world, staff, training)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["counts"] == {
        "staff": {"new": 2, "updated": 0, "unchanged": 0, "deleted": 0},
        "training": {"new": 3, "updated": 0, "unchanged": 0, "deleted": 0},
    }
    ids = sorted(db.session.scalars(select(TrainingRecord.id)))
    assert len(ids) == 3

    again = import_both(client, world, staff, training)
    assert again.status_code == 200
    assert again.get_json()["counts"] == {
        "staff": {"new": 0, "updated": 0, "unchanged": 2, "deleted": 0},
        "training": {"new": 0, "updated": 0, "unchanged": 3, "deleted": 0},
    }
    db.session.expire_all()
    assert sorted(db.session.scalars(select(TrainingRecord.id))) == ids


def test_an_import_counts_changes_updates_and_leavers(client, world):
    branch = world["branch"]
    import_both(client, world, [staff_row(branch, w) for w in ("W1", "W2", "W3")],
                [training_row(branch, "W1"), training_row(branch, "W1", CATEGORY=13)])  # fmt: skip
    response = import_both(
        client,
        world,
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


def test_an_import_with_an_error_stores_nothing_and_lists_the_errors(client, world):
    staff = [staff_row(world["branch"], "W1")]
    training = [training_row(world["branch"], "W1", DATECOMPLETED="31/02/2026")]
    response = import_both(client, world, staff, training)
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
    assert staff_count(world["provider_id"]) == 0


def test_training_for_an_unknown_worker_is_refused(client, world):
    response = import_both(client, world, training=[training_row(world["branch"], "NOBODY")])
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["message"] == messages.UPLOAD_UNKNOWN_WORKER


def test_the_api_needs_no_csrf_token(app, client, world):
    assert app.config.get("WTF_CSRF_ENABLED", True)
    response = import_both(client, world, [staff_row(world["branch"], "W1")])
    assert response.status_code == 200


# --- bad requests ------------------------------------------------------------------------


def test_malformed_json_is_a_400_with_a_clear_message(client, world):
    for body in (b"{not json", b'{"rows": [NaN]}', b"[" * 100_000):
        response = client.post(
            world["api"] + "/staff/check",
            data=body,
            headers={**bearer(world["key"]), "Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.get_json() == {"error": NOT_JSON, "errors": []}


def test_a_wrong_content_type_is_a_415(client, world):
    response = client.post(
        world["api"] + "/imports",
        data="staff=W1",
        headers={**bearer(world["key"]), "Content-Type": "application/x-www-form-urlencoded"},
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
def test_a_body_of_the_wrong_shape_is_a_400(client, world, body, what):
    response = post_json(client, world, "/staff/check", body)
    assert response.status_code == 400
    assert what in response.get_json()["error"]


def test_values_that_are_not_text_or_numbers_are_listed(client, world):
    rows = [staff_row(world["branch"], "W1", NOTES={"a": 1}), "W2",
            staff_row(world["branch"], "W3", UNIQUEWORKERID="W\x00")]  # fmt: skip
    response = post_json(client, world, "/staff/check", {"rows": rows})
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.get_json()["errors"]] == [
        (1, "NOTES"),
        (2, None),
        (3, "UNIQUEWORKERID"),
    ]


def test_an_import_with_no_rows_is_a_400(client, world):
    response = import_both(client, world, staff=[], training=None)
    assert response.status_code == 400
    assert '"staff"' in response.get_json()["error"]


def test_a_body_over_the_size_limit_is_a_413_with_a_json_message(app, client, world):
    app.config["API_MAX_CONTENT_LENGTH"] = 10_000
    rows = [staff_row(world["branch"], f"W{n}") for n in range(200)]
    response = import_both(client, world, rows)
    assert response.status_code == 413
    assert "10,000 bytes or smaller" in response.get_json()["error"]
    assert staff_count(world["provider_id"]) == 0


def test_more_rows_than_the_upload_allows_is_a_413(client, world):
    response = post_json(client, world, "/staff/check", {"rows": [{}] * 200_001})
    assert response.status_code == 413
    assert "200,000" in response.get_json()["error"]


def test_an_unknown_page_number_is_a_400(client, world):
    for page in ("0", "x", "²", "99999999"):
        response = client.get(world["api"] + f"/staff?page={page}", headers=bearer(world["key"]))
        assert response.status_code == 400, page
        assert "page must be" in response.get_json()["error"]


# --- reading back ------------------------------------------------------------------------


def test_staff_and_training_read_back_a_page_at_a_time(client, world, monkeypatch):
    branch = world["branch"]
    workers = ("W1", "W2", "W3")
    import_both(client, world, [staff_row(branch, w) for w in workers],
                [training_row(branch, "W2"), training_row(branch, "W2", CATEGORY=13),
                 training_row(branch, "W3")])  # fmt: skip
    monkeypatch.setattr(records, "PAGE_SIZE", 2)
    first = client.get(world["api"] + "/staff", headers=bearer(world["key"])).get_json()
    assert [s["UNIQUEWORKERID"] for s in first["staff"]] == ["W1", "W2"]
    assert first["staff"][0] == {
        "UNIQUEWORKERID": "W1",
        "LOCALESTID": branch,
        "MAINJOBROLE": 8,
        "status": "current",
        "left_on": None,
    }
    second = client.get(first["next"], headers=bearer(world["key"])).get_json()
    assert [s["UNIQUEWORKERID"] for s in second["staff"]] == ["W3"]
    assert second["next"] is None

    training = client.get(world["api"] + "/training?worker=W2", headers=bearer(world["key"]))
    rows = training.get_json()["training"]
    assert {(r["UNIQUEWORKERID"], r["CATEGORY"]) for r in rows} == {("W2", 20), ("W2", 13)}
    assert rows[0]["DATECOMPLETED"] == "01/03/2026"
    assert training.get_json()["next"] is None


def test_training_of_an_unknown_worker_is_a_404(client, world):
    response = client.get(world["api"] + "/training?worker=NOBODY", headers=bearer(world["key"]))
    assert response.status_code == 404
    assert "NOBODY" in response.get_json()["error"]


# --- the keys page -----------------------------------------------------------------------


def test_a_manager_creates_a_key_and_sees_its_secret_once(app, world):
    client = signed_in(app, world["manager"])
    page = get_page(client, world["page"])
    assert "Rota system" in page
    response = client.post(
        world["page"], data={"name": "  Training system ", "csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    secret = re.search(r'<code id="api-key">([^<]+)</code>', html).group(1)
    assert "only time you will see this key" in html
    key = db.session.scalar(select(ApiKey).where(ApiKey.name == "Training system"))
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert key.prefix == secret[:8] and secret not in (key.key_hash, key.prefix)
    # The list shows the prefix, never the secret again; the key works.
    listing = get_page(client, world["page"])
    assert secret not in listing and key.prefix in listing
    api = app.test_client()
    assert api.get(world["api"] + "/staff", headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize(
    ("name", "message"),
    [("   ", "Enter a name for the key"), ("x" * 81, "80 characters or fewer")],
)
def test_a_key_needs_a_name_of_80_characters_or_fewer(app, world, name, message):
    client = signed_in(app, world["manager"])
    page = get_page(client, world["page"])
    response = client.post(world["page"], data={"name": name, "csrf_token": csrf_token_from(page)})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert db.session.scalar(select(func.count()).select_from(ApiKey)) == 2


def test_a_manager_revokes_a_key(app, world):
    client = signed_in(app, world["manager"])
    page = get_page(client, world["page"])
    revoke = world["page"] + "/revoke"
    token = csrf_token_from(page)
    response = client.post(revoke, data={"key_id": world["key_id"], "csrf_token": token})
    assert response.status_code == 302
    assert "has been revoked" in get_page(client, world["page"])
    api = app.test_client()
    assert api.get(world["api"] + "/staff", headers=bearer(world["key"])).status_code == 401
    # Another provider's key, or none, cannot be revoked from here.
    other = client.post(revoke, data={"key_id": world["other_key_id"], "csrf_token": token})
    assert other.status_code == 404
    assert db.session.get(ApiKey, world["other_key_id"]).revoked_at is None
    missing = client.post(revoke, data={"csrf_token": token})
    assert missing.status_code == 400
    assert "Select the key to revoke" in missing.get_data(as_text=True)


def test_only_the_providers_managers_reach_the_keys_page(app, world):
    app.config["WTF_CSRF_ENABLED"] = False  # about access: the right token is irrelevant
    for user, status in (
        (world["submitter"], 403),
        (world["commissioner"], 403),
        (world["other_manager"], 404),
    ):
        client = signed_in(app, user)
        assert client.get(world["page"]).status_code == status
        revoke = client.post(world["page"] + "/revoke", data={"key_id": world["key_id"]})
        assert revoke.status_code == status
        create = client.post(world["page"], data={"name": "Sneaky"})
        assert create.status_code == status
    assert db.session.get(ApiKey, world["key_id"]).revoked_at is None
    assert db.session.scalar(select(ApiKey).where(ApiKey.name == "Sneaky")) is None


def test_the_users_page_links_to_the_keys_page(app, world):
    client = signed_in(app, world["manager"])
    html = get_page(client, f"/provider/{world['provider_id']}/users")
    assert f'href="{world["page"]}"' in html


def test_rows_bigger_than_an_upload_may_be_are_a_413(client, world):
    """The upload's 20MB limit holds for a CSV body, and for JSON rows written as CSV."""
    big = "x" * (21 * 1024 * 1024)
    csv_body = client.post(
        world["api"] + "/training/check",
        data=b"UNIQUEWORKERID,NOTES\r\nW1," + big.encode(),
        headers={**bearer(world["key"]), "Content-Type": "text/csv"},
    )
    assert csv_body.status_code == 413
    assert csv_body.get_json()["error"] == messages.FILE_TOO_LARGE.format(size="20MB")
    json_body = post_json(client, world, "/training/check", {"rows": [{"NOTES": big}]})
    assert json_body.status_code == 413
    assert "as a CSV file: split them" in json_body.get_json()["error"]


def test_rows_too_wide_to_write_out_are_refused_unwritten(client, world):
    wide = post_json(client, world, "/staff/check", {"rows": [{f"K{n}": 1 for n in range(501)}]})
    assert wide.status_code == 400
    assert "500 different keys or fewer" in wide.get_json()["error"]
    # 50,000 rows x 500 keys: at least 25MB of CSV, though the JSON is small.
    rows = [{f"K{n}": 1 for n in range(500)}] + [{}] * 50_000
    sparse = post_json(client, world, "/staff/check", {"rows": rows})
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
