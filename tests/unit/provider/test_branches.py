"""Providers keep their own branches: managers add and edit them, everyone at the provider
sees which councils' contracts cover each, and an upload row naming no branch links here."""

from sqlalchemy import select

from forms import messages
from portal.extensions import db
from portal.models import Branch, ChangeRecord
from tests.conftest import csrf_token_from, shows
from tests.unit.conftest import get_page
from tests.unit.uploads.test_upload_journey import journey, staff_file, upload  # noqa: F401


def _post(client, url, **data):
    token = csrf_token_from(get_page(client, url))
    return client.post(url, data={"csrf_token": token, **data})


def test_manager_adds_and_changes_a_branch(app, provider_manager_client, contracted):
    base = f"/provider/{contracted.provider.id}/branches"
    added = _post(
        provider_manager_client,
        f"{base}/new",
        name="Chatham office",
        cqc_location_id="1-444000111",
        local_est_id="CHA01",
        postcode="me4 4qb",
    )
    assert added.status_code == 302
    page = get_page(provider_manager_client, base)
    assert "Chatham office" in page and "ME4 4QB" in page and "CHA01" in page
    # The contracted branch shows its council; the new one has no contracts yet.
    assert contracted.council.name in page and "No contracts" in page
    branch = db.session.scalar(select(Branch).where(Branch.name == "Chatham office"))
    changed = _post(
        provider_manager_client,
        f"{base}/{branch.id}",
        name="Chatham office",
        cqc_location_id="1-444000111",
        local_est_id="CHA02",
        postcode="ME4 4QB",
    )
    assert changed.status_code == 302
    record = db.session.scalars(
        select(ChangeRecord).where(ChangeRecord.entity == "branch").order_by(ChangeRecord.id)
    ).all()[-1]
    assert (record.before["local_est_id"], record.after["local_est_id"]) == ("CHA01", "CHA02")


def test_branch_errors_say_what_to_fix(app, provider_manager_client, contracted):
    base = f"/provider/{contracted.provider.id}/branches"
    bad = _post(
        provider_manager_client,
        f"{base}/new",
        name="",
        cqc_location_id="ABC",
        local_est_id=contracted.branch.local_est_id,
        postcode="nowhere",
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    for message in (messages.BRANCH_NAME_REQUIRED, messages.CQC_LOCATION_ID_FORMAT):
        assert shows(html, message), message
    taken = _post(
        provider_manager_client,
        f"{base}/new",
        name="Twin",
        cqc_location_id=contracted.branch.cqc_location_id,
        local_est_id=contracted.branch.local_est_id,
        postcode="nowhere",
    )
    html = taken.get_data(as_text=True)
    for message in (
        messages.CQC_LOCATION_ID_TAKEN,
        messages.LOCALESTID_TAKEN,
        messages.POSTCODE_INVALID,
    ):
        assert shows(html, message), message
    assert db.session.scalar(select(db.func.count(Branch.id)).where(Branch.name == "Twin")) == 0


def test_submitters_see_branches_but_cannot_change_them(app, provider_client, contracted):
    base = f"/provider/{contracted.provider.id}/branches"
    assert "Add a branch" not in get_page(provider_client, base)
    assert provider_client.get(f"{base}/new").status_code == 403


def test_an_unknown_localestid_in_an_upload_links_to_the_branches_page(
    journey,  # noqa: F811
    provider_client,
):
    token = upload(provider_client, journey, staff=staff_file("NOT-A-BRANCH"))
    html = get_page(provider_client, f"{journey['base']}/check?batch={token}")
    assert f'href="/provider/{journey["provider_id"]}/branches"' in html
