"""The provider API on PostgreSQL: the schema from the migrations (api_key included), an
import through the API read back page by page, and two imports at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from portal.api.auth import new_key
from portal.extensions import db
from portal.models import Branch, StaffMember, TrainingRecord
from tests.factories import make_provider

STAFF = 1_200  # more than two pages of 500
TRAINING_EACH = 3


def staff_row(branch: str, worker: str, status: str = "UNCHECKED") -> dict:
    return {
        "LOCALESTID": branch, "UNIQUEWORKERID": worker, "STATUS": status, "MAINJOBROLE": 8,
        "STARTDATE": "01/09/2021", "EMPLSTATUS": 1, "ZEROHRCONT": 2, "CARECERT": 1,
        "HOURLYRATE": "12.60", "HANDCVISA": 2, "CONTHOURS": "37.5",
    }  # fmt: skip


def training_rows(branch: str, worker: str) -> list[dict]:
    return [
        {
            "LOCALESTID": branch,
            "UNIQUEWORKERID": worker,
            "CATEGORY": category,
            "ACCREDITED": 1,
            "VALIDITY": 12,
            "DATECOMPLETED": f"0{month}/03/2026",
        }  # fmt: skip
        for category, month in ((20, 1), (13, 2), (6, 3))[:TRAINING_EACH]
    ]


def provider_with_key() -> tuple[int, str, str]:
    provider = make_provider()
    branch = db.session.scalar(db.select(Branch).where(Branch.provider_id == provider.id))
    _, secret = new_key(provider.id, "Rota system", None)
    db.session.commit()
    return provider.id, branch.local_est_id, secret


def test_an_import_through_the_api_is_read_back_page_by_page(app, client):
    app.config["TODAY"] = "2026-11-23"
    provider_id, branch, secret = provider_with_key()
    auth = {"Authorization": f"Bearer {secret}"}
    api = f"/api/v1/providers/{provider_id}"
    workers = [f"W{n:05d}" for n in range(STAFF)]
    body = {
        "staff": [staff_row(branch, w) for w in workers],
        "training": [row for w in workers for row in training_rows(branch, w)],
    }

    response = client.post(api + "/imports", json=body, headers=auth)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["counts"] == {
        "staff": {"new": STAFF, "updated": 0, "unchanged": 0, "deleted": 0},
        "training": {"new": STAFF * TRAINING_EACH, "updated": 0, "unchanged": 0, "deleted": 0},
    }

    listed, url = [], api + "/staff"
    while url:
        page = client.get(url, headers=auth).get_json()
        listed += page["staff"]
        url = page["next"]
    assert [s["UNIQUEWORKERID"] for s in listed] == workers
    assert {(s["LOCALESTID"], s["MAINJOBROLE"], s["status"]) for s in listed} == {
        (branch, 8, "current")
    }
    training = client.get(api + "/training?worker=W00007", headers=auth).get_json()
    assert [(r["CATEGORY"], r["DATECOMPLETED"]) for r in training["training"]] == [
        (20, "01/03/2026"),
        (13, "02/03/2026"),
        (6, "03/03/2026"),
    ]
    # Expiry derived from VALIDITY, as the upload does.
    assert training["training"][0]["EXPIRYDATE"] == "28/02/2027"

    again = client.post(api + "/imports", json=body, headers=auth).get_json()
    assert again["counts"]["staff"]["unchanged"] == STAFF
    assert again["counts"]["training"]["unchanged"] == STAFF * TRAINING_EACH


def test_two_imports_at_once_run_one_after_the_other(committed_app):
    """Both add the same staff as NEW: the provider's lock makes the second wait and then
    see the first's rows (a 422 saying they exist), never a clash of unique keys."""
    committed_app.config["TODAY"] = "2026-11-23"
    provider_id, branch, secret = provider_with_key()
    body = {"staff": [staff_row(branch, f"W{n}", status="NEW") for n in range(300)]}

    def send(_):
        client = committed_app.test_client()
        return client.post(
            f"/api/v1/providers/{provider_id}/imports",
            json=body,
            headers={"Authorization": f"Bearer {secret}"},
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(send, range(2)))
    assert sorted(r.status_code for r in responses) == [200, 422]
    refused = next(r for r in responses if r.status_code == 422).get_json()
    assert refused["errors"][0]["column"] == "STATUS"
    assert "already have a staff member" in refused["errors"][0]["message"]
    count = db.session.scalar(
        db.select(db.func.count())
        .select_from(StaffMember)
        .where(StaffMember.provider_id == provider_id)
    )
    assert count == 300
    assert db.session.scalar(db.select(db.func.count()).select_from(TrainingRecord)) == 0
