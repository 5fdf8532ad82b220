"""A contract covers branches: a provider with a branch in each of two councils uploads
one ASC-WDS staff and training file for both; each council's review, training matrix and
pack count only the staff of the branch its contract covers (PostgreSQL, real files
through the upload pages)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.extensions import db
from portal.models import Branch, MonthlyReturn, Role
from portal.packs import data as pack_data
from portal.returns import opening, service
from tests.conftest import csrf_token_from
from tests.factories import (
    PASSWORD,
    make_contract,
    make_council,
    make_framework,
    make_provider,
    make_user,
)
from tests.integration.upload_files import Journey, staff_csv, staff_row, training_csv, training_row

TODAY = date(2026, 11, 23)
OCTOBER = date(2026, 10, 1)
MEDWAY_BRANCH, WALTHAMSTOW_BRANCH = "MED001", "WAL001"
MEDWAY_STAFF = ("M1", "M2")
WALTHAMSTOW_STAFF = ("W1", "W2", "W3")


@pytest.fixture
def two_councils(app, tmp_path):
    app.config["TODAY"] = TODAY.isoformat()
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    medway, waltham = make_council("Medway Test Council"), make_council("Waltham Test Council")
    provider = make_provider("Two Councils Care Ltd")
    db.session.delete(provider.branches[0])
    db.session.flush()
    db.session.expire(provider, ["branches"])
    med = Branch(provider=provider, name="Chatham branch", local_est_id=MEDWAY_BRANCH)
    wal = Branch(provider=provider, name="Walthamstow branch", local_est_id=WALTHAMSTOW_BRANCH)
    db.session.add_all([med, wal])
    db.session.flush()
    medway_contract = make_contract(provider, medway, make_framework(medway))
    medway_contract.branches = [med]
    waltham_contract = make_contract(provider, waltham, make_framework(waltham))
    waltham_contract.branches = [wal]
    db.session.commit()
    opening.open_due_returns(TODAY)
    submitter = make_user(Role.PROVIDER_SUBMITTER, provider=provider)
    return {
        "provider": provider,
        "medway": medway,
        "waltham": waltham,
        "contracts": {"medway": medway_contract, "waltham": waltham_contract},
        "submitter": submitter,
        "journey": Journey.signed_in(app.test_client(), submitter.email, provider.id),
    }


def _october(contract) -> MonthlyReturn:
    return db.session.scalar(
        db.select(MonthlyReturn).where(
            MonthlyReturn.contract_id == contract.id, MonthlyReturn.period == OCTOBER
        )
    )


def _confirm_training_and_submit(world, which: str) -> MonthlyReturn:
    journey, ret = world["journey"], _october(world["contracts"][which])
    url = f"/provider/{world['provider'].id}/returns/{ret.id}/section/training"
    html = journey.page(url)
    revision = re.search(r'name="revision" type="hidden" value="(\d+)"', html) or re.search(
        r'name="revision" value="(\d+)"', html
    )
    response = journey.client.post(
        url,
        data={"csrf_token": csrf_token_from(html), "confirmed": "yes", "revision": revision[1]},
    )
    assert response.status_code == 302, response.status_code
    service.submit(ret.id, world["submitter"], f"coverage-{which}")
    return ret


def test_each_council_counts_only_its_own_branchs_staff(app, two_councils):
    world = two_councils
    rows = [staff_row(LOCALESTID=MEDWAY_BRANCH, UNIQUEWORKERID=w) for w in MEDWAY_STAFF]
    rows += [staff_row(LOCALESTID=WALTHAMSTOW_BRANCH, UNIQUEWORKERID=w) for w in WALTHAMSTOW_STAFF]
    training = [training_row(LOCALESTID=MEDWAY_BRANCH, UNIQUEWORKERID=w) for w in MEDWAY_STAFF]
    training += [
        training_row(LOCALESTID=WALTHAMSTOW_BRANCH, UNIQUEWORKERID=w) for w in WALTHAMSTOW_STAFF
    ]
    world["journey"].import_files(staff_csv(*rows), training_csv(*training))

    medway_return = _confirm_training_and_submit(world, "medway")
    _confirm_training_and_submit(world, "waltham")

    # The Medway return's training section, as its commissioner reviews it.
    medway = world["medway"]
    commissioner = make_user(Role.COMMISSIONER, council=medway)
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    login = {"email": commissioner.email, "password": PASSWORD, "csrf_token": csrf_token_from(page)}
    assert client.post("/sign-in", data=login).status_code == 302
    review = client.get(f"/council/{medway.id}/returns/{medway_return.id}/review")
    html = review.get_data(as_text=True)
    assert review.status_code == 200
    assert "2 staff members" in html
    assert all(f"Worker ID {w}" in html for w in MEDWAY_STAFF)
    assert not any(f"Worker ID {w}" in html for w in WALTHAMSTOW_STAFF)

    # The Medway matrix and the Medway pack count the two Chatham staff only.
    matrix = client.get(f"/council/{medway.id}/training-matrix?as_at=2026-10-31")
    assert "2 staff at 1 provider" in matrix.get_data(as_text=True)
    pack = pack_data.load(medway.id, world["provider"].id, "2026-Q4")
    safeguarding = [row for row in pack.training if row.code == 20]
    assert safeguarding and safeguarding[0].in_scope == 2

    # The other council sees its three, and never the Medway two.
    waltham_matrix = client.get(f"/council/{world['waltham'].id}/training-matrix")
    assert waltham_matrix.status_code == 404  # not this commissioner's council
    from portal.matrix import build_matrix

    assert build_matrix(world["waltham"].id, date(2026, 10, 31)).staff_count == 3
    assert build_matrix(medway.id, date(2026, 10, 31)).staff_count == 2

    # Workforce figures worked out from the staff records: the covered branch's only.
    from portal.returns.sections import workforce_rules

    assert workforce_rules.from_staff(medway_return)["headcount"] == "2"
    assert workforce_rules.from_staff(_october(world["contracts"]["waltham"]))["headcount"] == "3"
