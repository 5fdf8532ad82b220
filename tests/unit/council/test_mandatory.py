"""A council's mandatory training set: the default when it has none, its own once a
commissioner saves one; the training matrix and the return's training section count
"missing" by it; the page that edits it, its errors, reset, and who may use it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from portal import mandatory
from portal.extensions import db
from portal.matrix import ALL_CARE_ROLES, build_matrix
from portal.models import MandatoryTraining, SectionState, StaffMember, TrainingRecord
from portal.returns import service, staff_reference
from tests.conftest import csrf_token_from, shows
from tests.unit.conftest import get_page, sign_in

AS_AT = date(2026, 10, 31)
CARE_WORKER, NURSE, SENIOR_MANAGER = 8, 16, 1
SAFEGUARDING, MEDICATION, FIRE, DEMENTIA = 20, 13, 6, 2
NAMED = {
    "Safeguarding adults",
    "Medication management",
    "Assisting and moving people",
    "Basic life support and first aid",
    "Infection prevention and control",
    "Fire safety",
    "Food hygiene",
    "Health and safety awareness",
    "Dementia care",
    "Oliver McGowan Mandatory Training (Tier 1)",
    "Data management and GDPR",
}


def page_url(council_id: int) -> str:
    return f"/council/{council_id}/training-matrix/mandatory"


def _submit_snapshot(contracted):
    """One care worker with safeguarding up to date, one senior manager with nothing."""
    ret, user = contracted.ret, contracted.submitter
    staff = [
        {
            "worker_id": "CARE",
            "job_role": CARE_WORKER,
            "branch": "Main",
            "left_on": None,
            "training": [
                {
                    "category": SAFEGUARDING,
                    "date_completed": "2026-01-10",
                    "expiry_date": "2028-01-09",
                    "status": "up-to-date",
                }
            ],
            "missing": [],
        },
        {
            "worker_id": "BOSS",
            "job_role": SENIOR_MANAGER,
            "branch": "Main",
            "left_on": None,
            "training": [],
            "missing": [],
        },
    ]
    sec = service.section(ret, "training")
    data = {"confirmed": True, "as_at": "2026-10-31", "staff": staff}
    assert (
        service.save_section(ret, "training", data, SectionState.COMPLETED, sec.revision, user)
        is None
    )
    service.submit(ret.id, user, f"key-{ret.id}")


def _missing_total(matrix) -> int:
    return sum(
        cell.missing for (code, column), cell in matrix.cells.items() if column != ALL_CARE_ROLES
    )


# --- the set ---------------------------------------------------------------------------


def test_default_is_the_eleven_named_categories_for_every_care_role(contracted):
    council_id = contracted.council.id
    assert mandatory.uses_default(council_id)
    got = mandatory.mandatory_set(council_id)
    care = {code for code, role in staff_reference.job_roles().items() if role.provides_care}
    assert set(got) == care and CARE_WORKER in got and SENIOR_MANAGER not in got
    for categories in got.values():
        assert {staff_reference.category_name(c) for c in categories} == NAMED
    assert mandatory.mandatory_for(council_id, SENIOR_MANAGER) == frozenset()
    assert mandatory.mandatory_for(council_id, None) == frozenset()


def test_saving_replaces_the_whole_set_for_that_council_only(contracted):
    council_id, other_id = contracted.council.id, contracted.other_council.id
    mandatory.replace_set(council_id, [(FIRE, SENIOR_MANAGER), (SAFEGUARDING, CARE_WORKER)])
    mandatory.replace_set(council_id, [(MEDICATION, NURSE)])
    assert mandatory.mandatory_set(council_id) == {NURSE: frozenset({MEDICATION})}
    assert not mandatory.uses_default(council_id)
    assert mandatory.mandatory_for(council_id, CARE_WORKER) == frozenset()
    assert mandatory.mandatory_set(other_id) == mandatory.default_set()
    with pytest.raises(ValueError):
        mandatory.replace_set(council_id, [])
    mandatory.reset_to_default(council_id)
    assert mandatory.uses_default(council_id)
    assert db.session.scalars(select(MandatoryTraining)).all() == []


# --- the matrix and the return ------------------------------------------------------------


def test_matrix_missing_counts_follow_the_councils_set(contracted):
    _submit_snapshot(contracted)
    council_id = contracted.council.id
    before = build_matrix(council_id, AS_AT)
    # Default: the care worker misses 10 of the 11 (has safeguarding); the manager none.
    assert _missing_total(before) == 10
    assert before.cell(DEMENTIA, CARE_WORKER).missing == 1
    assert before.cell(FIRE, SENIOR_MANAGER).staff_in_scope == 0

    mandatory.replace_set(council_id, [(FIRE, SENIOR_MANAGER), (SAFEGUARDING, CARE_WORKER)])
    after = build_matrix(council_id, AS_AT)
    # Now only fire safety for the manager is missing; dementia is no longer in scope.
    assert _missing_total(after) == 1
    assert after.cell(FIRE, SENIOR_MANAGER).figures() == [1, 0, 0, 0, 1, 0.0]
    assert after.cell(DEMENTIA, CARE_WORKER).staff_in_scope == 0
    assert after.cell(SAFEGUARDING, CARE_WORKER).figures() == [1, 1, 0, 0, 0, 100.0]
    # The manager provides no care: not in "All care roles".
    assert after.cell(FIRE, ALL_CARE_ROLES).staff_in_scope == 0


def _add_care_worker(contracted) -> StaffMember:
    provider = contracted.provider
    member = StaffMember(
        provider_id=provider.id,
        branch_id=provider.branches[0].id,
        worker_id="W001",
        main_job_role=CARE_WORKER,
    )
    member.training.append(
        TrainingRecord(
            category=SAFEGUARDING,
            date_completed=date(2026, 1, 10),
            expiry_date=date(2028, 1, 9),
        )
    )
    db.session.add(member)
    db.session.commit()
    return member


def _missing_on_page(html: str) -> list[str]:
    return re.findall(r"<td class=\"govuk-table__cell\">([^<]+)</td>\s*<td[^>]*>No record", html)


def test_return_training_section_shows_missing_by_the_contracts_council(
    contracted, provider_client
):
    _add_care_worker(contracted)
    url = f"/provider/{contracted.provider.id}/returns/{contracted.ret.id}/section/training"
    default_missing = _missing_on_page(get_page(provider_client, url))
    assert len(default_missing) == 10 and "Safeguarding adults" not in default_missing

    # Another council's set changes nothing here.
    mandatory.replace_set(contracted.other_council.id, [(FIRE, CARE_WORKER)])
    assert len(_missing_on_page(get_page(provider_client, url))) == 10

    mandatory.replace_set(contracted.council.id, [(MEDICATION, CARE_WORKER), (SAFEGUARDING, 8)])
    html = get_page(provider_client, url)
    assert _missing_on_page(html) == ["Medication management"]
    # Confirming stores the missing list by the council's set too.
    sec = service.section(contracted.ret, "training")
    response = provider_client.post(
        url,
        data={"csrf_token": csrf_token_from(html), "confirmed": "yes", "revision": sec.revision},
    )
    assert response.status_code == 302
    db.session.expire_all()
    data = service.section(contracted.ret, "training").data
    assert data["staff"][0]["missing"] == [MEDICATION]


# --- the page -------------------------------------------------------------------------------


def _ticked(html: str) -> set[str]:
    return set(re.findall(r'value="(\d+-\d+)" checked', html))


def test_commissioner_sees_the_default_ticked_with_labels(contracted, commissioner_client):
    html = get_page(commissioner_client, page_url(contracted.council.id))
    assert "Safeguarding adults mandatory for Care worker" in html
    assert "Epilepsy mandatory for Senior management" in html
    care = [c for c, r in staff_reference.job_roles().items() if r.provides_care]
    expected = {f"{cat}-{role}" for role in care for cat in mandatory.DEFAULT_MANDATORY_CATEGORIES}
    assert _ticked(html) == expected
    assert 'id="uses-default"' in html and "Reset to the default" not in html
    # Care-providing roles come first in the columns.
    header = html.index("Supervisor"), html.index("Care worker"), html.index("Senior management")
    assert header[0] < header[2] and header[1] < header[2]
    # The training matrix links here.
    matrix = get_page(commissioner_client, f"/council/{contracted.council.id}/training-matrix")
    assert f'href="{page_url(contracted.council.id)}"' in matrix


def _post(client, url: str, values: list[str]):
    token = csrf_token_from(get_page(client, page_url(int(url.split("/")[2]))))
    return client.post(url, data={"csrf_token": token, "mandatory": values})


def test_saving_replaces_the_set_and_shows_a_banner(contracted, commissioner_client):
    council_id = contracted.council.id
    response = _post(
        commissioner_client, page_url(council_id), [f"{FIRE}-{SENIOR_MANAGER}", f"{DEMENTIA}-8"]
    )
    assert response.status_code == 302
    html = get_page(commissioner_client, response.location)
    assert shows(html, "Your mandatory training has been saved")
    assert _ticked(html) == {f"{FIRE}-{SENIOR_MANAGER}", f"{DEMENTIA}-8"}
    assert 'id="own-set"' in html
    assert mandatory.mandatory_set(council_id) == {
        SENIOR_MANAGER: frozenset({FIRE}),
        CARE_WORKER: frozenset({DEMENTIA}),
    }


def test_saving_nothing_ticked_is_refused_and_nothing_changes(contracted, commissioner_client):
    council_id = contracted.council.id
    mandatory.replace_set(council_id, [(FIRE, CARE_WORKER)])
    response = _post(commissioner_client, page_url(council_id), [])
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "<title>Error:" in html
    assert html.count("Select at least one training category for at least one job role") == 2
    assert mandatory.mandatory_set(council_id) == {CARE_WORKER: frozenset({FIRE})}


@pytest.mark.parametrize("value", ["999-8", "20-999", "20", "x-y", "20-8-1"])
def test_values_not_in_the_table_are_refused(contracted, commissioner_client, value):
    council_id = contracted.council.id
    response = _post(commissioner_client, page_url(council_id), [f"{FIRE}-8", value])
    assert response.status_code == 400
    assert "Select training categories and job roles from the table" in response.get_data(
        as_text=True
    )
    assert mandatory.uses_default(council_id)


def test_reset_returns_the_council_to_the_default(contracted, commissioner_client):
    council_id = contracted.council.id
    mandatory.replace_set(council_id, [(FIRE, CARE_WORKER)])
    html = get_page(commissioner_client, page_url(council_id))
    assert "Reset to the default" in html
    response = commissioner_client.post(
        page_url(council_id) + "/reset", data={"csrf_token": csrf_token_from(html)}
    )
    assert response.status_code == 302
    html = get_page(commissioner_client, response.location)
    assert shows(html, "Your mandatory training is back to the default")
    assert mandatory.uses_default(council_id)
    assert len(_ticked(html)) == len(mandatory.default_set()) * 11


def test_page_refuses_the_wrong_users(contracted, app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    council_id = contracted.council.id
    mandatory.replace_set(council_id, [(FIRE, CARE_WORKER)])
    urls = [page_url(council_id), page_url(council_id) + "/reset"]
    cases = [
        (contracted.other_commissioner, 404),
        (contracted.submitter, 403),
        (contracted.qa, 403),
    ]
    for user, status in cases:
        sign_in(client, user.email)
        assert client.get(urls[0]).status_code == status
        assert client.post(urls[0], data={"mandatory": [f"{DEMENTIA}-8"]}).status_code == status
        assert client.post(urls[1]).status_code == status
        client.post("/sign-out")
    assert client.get(urls[0]).status_code == 302  # signed out: to the sign-in page
    assert mandatory.mandatory_set(council_id) == {CARE_WORKER: frozenset({FIRE})}
