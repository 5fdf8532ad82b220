"""The super training matrix (commissioners) and the forum's anonymous training gaps:
computed from each provider's latest submitted training snapshot, suppression of small
cells and of totals that would give them away, the exports, and who may see them."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from portal.disclosure.rule import HIDDEN
from portal.extensions import db
from portal.mandatory import DEFAULT_MANDATORY_CATEGORIES
from portal.matrix import (
    ALL_CARE_ROLES,
    EXPORT_HEADER,
    build_matrix,
    default_as_at,
)
from portal.models import Role, SectionState, StaffMember, TrainingRecord
from portal.returns import service
from portal.training_compliance import area_overall_percent, training_comparison
from portal.training_matrix_suppression import PRIMARY, SECONDARY, forum_view
from tests.factories import make_council, make_provider, make_user, open_return
from tests.unit.conftest import get_page, sign_in

AS_AT = date(2026, 10, 31)
CARE_WORKER, SUPERVISOR, SENIOR_MANAGER = 8, 5, 1
SAFEGUARDING, DEMENTIA, EPILEPSY = 20, 2, 27


def _person(worker_id, job_role=CARE_WORKER, training=(), left_on=None):
    return {
        "worker_id": worker_id,
        "job_role": job_role,
        "branch": "Main",
        "left_on": left_on,
        "training": [
            {"category": c, "date_completed": done, "expiry_date": expiry, "status": "x"}
            for c, done, expiry in training
        ],
        "missing": [],
    }


def _send(ret, user, staff, as_at="2026-10-31", confirmed=True):
    sec = service.section(ret, "training")
    data = {"confirmed": confirmed, "as_at": as_at, "staff": staff}
    assert (
        service.save_section(ret, "training", data, SectionState.COMPLETED, sec.revision, user)
        is None
    )
    return service.submit(ret.id, user, f"key-{ret.id}-{sec.revision}").version


UP = (SAFEGUARDING, "2026-01-10", "2028-01-09")


@pytest.fixture
def four_providers(app):
    app.config["TODAY"] = "2026-11-23"
    app.config["WTF_CSRF_ENABLED"] = False
    council = make_council()
    providers = [make_provider(f"Provider {name} Ltd") for name in "ABCD"]
    returns = [open_return(p, council) for p in providers]
    users = [make_user(Role.PROVIDER_SUBMITTER, provider=p) for p in providers]
    return {"council": council, "providers": providers, "returns": returns, "users": users}


def test_default_as_at_is_the_end_of_the_latest_period():
    assert default_as_at(date(2026, 11, 23)) == date(2026, 10, 31)
    assert default_as_at(date(2026, 3, 1)) == date(2026, 2, 28)


def test_latest_expiry_wins_and_counts_are_of_staff(four_providers):
    ret, user = four_providers["returns"][0], four_providers["users"][0]
    _send(
        ret,
        user,
        [
            _person(
                "W1",
                training=[
                    (SAFEGUARDING, "2023-01-01", "2024-01-01"),  # expired, replaced
                    (SAFEGUARDING, "2025-06-01", "2027-06-01"),  # latest expiry: up to date
                    (SAFEGUARDING, "2024-01-01", "2024-06-01"),
                ],
            ),
            _person("W2", training=[(SAFEGUARDING, "2024-01-01", "2027-01-15")]),  # expiring
            _person("W3", training=[(SAFEGUARDING, "2023-01-01", "2025-01-01")]),  # expired
            _person("W4"),  # missing
        ],
    )
    matrix = build_matrix(four_providers["council"].id, AS_AT)
    cell = matrix.cell(SAFEGUARDING, CARE_WORKER)
    assert (cell.staff_in_scope, cell.up_to_date, cell.expiring, cell.expired, cell.missing) == (
        4, 1, 1, 1, 1,
    )  # fmt: skip
    assert cell.percent_compliant == 50.0  # up to date and expiring are both compliant
    assert matrix.cell(SAFEGUARDING, ALL_CARE_ROLES).figures() == cell.figures()
    assert matrix.staff_count == 4
    # As at an earlier date W2's record is up to date (more than 90 days to go).
    earlier = build_matrix(four_providers["council"].id, date(2026, 10, 1)).cell(
        SAFEGUARDING, CARE_WORKER
    )
    assert (earlier.up_to_date, earlier.expiring) == (2, 0)


def test_missing_only_for_mandatory_categories_and_care_roles(four_providers):
    _send(
        four_providers["returns"][0],
        four_providers["users"][0],
        [
            _person("CARE", training=[(EPILEPSY, "2026-01-01", None)]),
            _person("BOSS", job_role=SENIOR_MANAGER, training=[UP]),
        ],
    )
    matrix = build_matrix(four_providers["council"].id, AS_AT)
    for code in DEFAULT_MANDATORY_CATEGORIES:
        assert matrix.cell(code, CARE_WORKER).missing == 1
        assert matrix.cell(code, SENIOR_MANAGER).missing == 0
    # A non-mandatory category only counts staff with a record in it.
    assert matrix.cell(EPILEPSY, CARE_WORKER).figures() == [1, 1, 0, 0, 0, 100.0]
    assert matrix.cell(SAFEGUARDING, SENIOR_MANAGER).figures() == [1, 1, 0, 0, 0, 100.0]
    # The senior manager is not in "All care roles".
    assert matrix.cell(SAFEGUARDING, ALL_CARE_ROLES).figures() == [1, 0, 0, 0, 1, 0.0]
    assert matrix.cell(SAFEGUARDING, ALL_CARE_ROLES).providers == {
        four_providers["providers"][0].id: 1
    }
    assert [c.name for c in matrix.columns] == [
        "Senior management", "Care worker", "All care roles",
    ]  # fmt: skip


def test_latest_snapshot_per_provider_counts_each_worker_once(four_providers):
    council, provider, user = (
        four_providers["council"],
        four_providers["providers"][0],
        four_providers["users"][0],
    )
    ret = four_providers["returns"][0]
    _send(ret, user, [_person("W1", training=[(SAFEGUARDING, "2023-01-01", "2024-01-01")])])
    _send(ret, user, [_person("W1", training=[UP]), _person("W9", left_on="2026-09-30")])
    second = open_return(provider, council)  # a second contract with the same council
    _send(second, user, [_person("W1", training=[UP]), _person("W2", training=[UP])])
    # An unconfirmed snapshot is never used.
    other = four_providers["returns"][1]
    _send(other, four_providers["users"][1], [_person("X1", training=[UP])], confirmed=False)
    matrix = build_matrix(council.id, AS_AT)
    assert matrix.cell(SAFEGUARDING, CARE_WORKER).figures() == [2, 2, 0, 0, 0, 100.0]
    assert matrix.provider_ids == {provider.id}
    assert (
        build_matrix(council.id, AS_AT, provider_id=four_providers["providers"][1].id).staff_count
        == 0
    )
    # Returns for periods after the date are not used.
    assert build_matrix(council.id, date(2026, 9, 30)).staff_count == 0


def _four_providers(four_providers, supervisor_at=1):
    """Care workers at all four providers; a supervisor at only ``supervisor_at``."""
    for i, (ret, user) in enumerate(
        zip(four_providers["returns"], four_providers["users"], strict=True)
    ):
        staff = [_person(f"SECRET-{i}-CW", training=[UP])]
        if i < supervisor_at:
            staff.append(_person(f"SECRET-{i}-SUP", job_role=SUPERVISOR, training=[UP]))
        _send(ret, user, staff)


def test_forum_view_hides_small_cells_and_the_total_that_reveals_them(four_providers):
    _four_providers(four_providers)
    view = forum_view(build_matrix(four_providers["council"].id, AS_AT))
    assert view.cell(SAFEGUARDING, SUPERVISOR).reasons["staff_in_scope"] == PRIMARY
    assert view.cell(SAFEGUARDING, SUPERVISOR).figures()[:2] == [HIDDEN, HIDDEN]
    # With only two care roles, the care workers' and "All care roles"' (= care workers +
    # the supervisor) staff in scope and up to date must go too, or the supervisor's
    # follow by subtraction; the counts with no one in them (0) stay shown.
    for column in (ALL_CARE_ROLES, CARE_WORKER):
        shown = view.cell(SAFEGUARDING, column)
        assert shown.reason == SECONDARY
        assert shown.figures() == [HIDDEN, HIDDEN, 0, 0, 0, HIDDEN]
    # Dementia care: care workers missing it at 4 providers, the supervisor at 1.
    assert view.cell(DEMENTIA, ALL_CARE_ROLES).hidden


def test_forum_page_and_csvs_name_no_provider_and_no_staff(client, four_providers):
    _four_providers(four_providers)
    member = make_user(Role.FORUM_MEMBER, council=four_providers["council"])
    sign_in(client, member.email)
    cid = four_providers["council"].id
    html = get_page(client, f"/forum/{cid}/training-gaps")
    gaps = client.get(f"/forum/{cid}/training-gaps.csv")
    demand = client.get(f"/forum/{cid}/training-demand.csv")
    assert gaps.status_code == demand.status_code == 200
    for text in (html, gaps.get_data(as_text=True), demand.get_data(as_text=True)):
        assert "SECRET" not in text
        assert "Provider A" not in text and "Ltd" not in text
    assert ">[c]<" in html and 'href="#hidden-figures"' in html
    # A hidden percentage reads "% compliant: [c]", not "[c]% compliant".
    assert "<strong>% compliant: <a" in html and "</a>% compliant" not in html
    assert "Training needed next quarter" in html
    rows = list(csv.reader(io.StringIO(gaps.get_data(as_text=True).lstrip("\ufeff"))))
    assert tuple(rows[0]) == EXPORT_HEADER
    supervisor = [r for r in rows if r[0] == str(SAFEGUARDING) and r[2] == "Supervisor"]
    # Single figures hidden: staff in scope, up to date and % compliant; the zeros shown.
    assert supervisor[0][3:] == [HIDDEN, HIDDEN, "0", "0", "0", HIDDEN]
    care = [r for r in rows if r[0] == str(SAFEGUARDING) and r[2] == "Care worker"]
    assert care[0][3:] == [HIDDEN, HIDDEN, "0", "0", "0", HIDDEN]  # see the view's test
    demand_rows = list(csv.reader(io.StringIO(demand.get_data(as_text=True).lstrip("\ufeff"))))
    assert demand_rows[0] == [
        "Category code", "Training category", "Face to face", "E-learning", "Not known", "Total",
    ]  # fmt: skip
    dementia = [r for r in demand_rows if r[0] == str(DEMENTIA)][0]
    # 5 staff missing dementia care, from 4 providers, but 4 of them are the care workers,
    # whose figure would give the supervisor's away; no one's training was delivered
    # face to face or by e-learning (0s).
    assert dementia[2:] == ["0", "0", HIDDEN, HIDDEN]


def test_demand_follows_how_the_most_recent_course_was_delivered(four_providers):
    """The delivery mode is the staff member's most recent course in the category (the one
    completed last by the matrix's date), not the record with the latest expiry."""
    provider, user, ret = (
        four_providers["providers"][0],
        four_providers["users"][0],
        four_providers["returns"][0],
    )
    branch = provider.branches[0]
    member = StaffMember(
        provider=provider, branch=branch, worker_id="W1", main_job_role=CARE_WORKER
    )
    member.training += [
        # The latest expiry (its status counts: expiring), face to face, in 2023...
        TrainingRecord(category=SAFEGUARDING, date_completed=date(2023, 6, 1),
                       expiry_date=date(2026, 12, 1), how_delivered=1),
        # ...then a shorter e-learning course in 2024: the most recent course.
        TrainingRecord(category=SAFEGUARDING, date_completed=date(2024, 1, 1),
                       expiry_date=date(2026, 11, 15), how_delivered=2),
        # Completed after the matrix's date: not yet.
        TrainingRecord(category=SAFEGUARDING, date_completed=date(2026, 11, 10),
                       expiry_date=date(2029, 11, 9), how_delivered=1),
    ]  # fmt: skip
    db.session.add(member)
    db.session.commit()
    _send(
        ret,
        user,
        [
            _person(
                "W1",
                training=[
                    (SAFEGUARDING, "2023-06-01", "2026-12-01"),
                    (SAFEGUARDING, "2024-01-01", "2026-11-15"),
                ],
            )
        ],
    )
    matrix = build_matrix(four_providers["council"].id, AS_AT)
    assert matrix.cell(SAFEGUARDING, CARE_WORKER).expiring == 1
    assert matrix.demand[(SAFEGUARDING, 2)].staff == 1
    assert (SAFEGUARDING, 1) not in matrix.demand
    assert matrix.demand[(DEMENTIA, None)].staff == 1  # no record: not known


def _commissioner_world(four_providers):
    _four_providers(four_providers)
    return make_user(Role.COMMISSIONER, council=four_providers["council"])


def test_commissioner_sees_the_matrix_and_each_provider(client, four_providers):
    commissioner = _commissioner_world(four_providers)
    sign_in(client, commissioner.email)
    cid = four_providers["council"].id
    html = get_page(client, f"/council/{cid}/training-matrix")
    assert "Training matrix" in html and "31 October 2026" in html
    assert "5 staff at 4 providers" in html
    a = four_providers["providers"][0]
    html = get_page(client, f"/council/{cid}/training-matrix?provider={a.id}&as_at=2026-10-31")
    assert "Training matrix: Provider A Ltd" in html and "2 staff" in html
    html = get_page(client, f"/council/{cid}/training-matrix?as_at=31-10-2026")
    assert "There is a problem" in html
    # "As at" is a GOV.UK date input: three boxes, filled with the date shown.
    assert 'name="as_at-day"' in html and 'name="as_at-year"' in html
    html = get_page(
        client, f"/council/{cid}/training-matrix?as_at-day=1&as_at-month=1&as_at-year=2026"
    )
    assert "as at 1 January 2026" in html and 'value="2026"' in html
    html = get_page(
        client, f"/council/{cid}/training-matrix?as_at-day=31&as_at-month=2&as_at-year=2026"
    )
    assert "There is a problem" in html and "must be a real date" in html
    assert client.get(f"/council/{cid}/training-matrix?provider=nope").status_code == 404
    stranger = make_provider()
    url = f"/council/{cid}/training-matrix?provider={stranger.id}"
    assert client.get(url).status_code == 404


def test_exports_have_the_exact_header_and_xlsx_is_readable(client, four_providers):
    commissioner = _commissioner_world(four_providers)
    sign_in(client, commissioner.email)
    cid = four_providers["council"].id
    response = client.get(f"/council/{cid}/training-matrix.csv?as_at=2026-10-31")
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    assert text.splitlines()[0] == (
        "Category code,Training category,Job role,Staff in scope,Up to date,"
        "Expiring within 90 days,Expired,Missing,% compliant"
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert [str(SAFEGUARDING), "Safeguarding adults", "All care roles", "5", "5", "0", "0",
            "0", "100.0"] in rows  # fmt: skip
    response = client.get(f"/council/{cid}/training-matrix.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == EXPORT_HEADER
    assert len(values) == len(rows)


def test_access(app, four_providers):
    _four_providers(four_providers)
    council, other = four_providers["council"], make_council()
    cid = council.id

    def status(user, url):
        client = app.test_client()
        sign_in(client, user.email)
        return client.get(url).status_code

    matrix, gaps = f"/council/{cid}/training-matrix", f"/forum/{cid}/training-gaps"
    assert status(make_user(Role.COMMISSIONER, council=other), matrix) == 404
    assert status(make_user(Role.COMMISSIONER, council=other), matrix + ".csv") == 404
    assert status(four_providers["users"][0], matrix) == 403
    assert status(make_user(Role.QA_OFFICER, council=council), matrix) == 403
    assert status(make_user(Role.FORUM_MEMBER, council=council), matrix) == 403
    assert status(make_user(Role.FORUM_MEMBER, council=other), gaps) == 404
    assert status(make_user(Role.FORUM_MEMBER, council=other), gaps + ".csv") == 404
    assert status(make_user(Role.FORUM_MEMBER, council=council), gaps) == 200
    assert status(make_user(Role.COMMISSIONER, council=council), gaps) == 403


def test_a_record_without_a_completion_date_counts_by_its_expiry_or_as_held(four_providers, app):
    ret, user = four_providers["returns"][0], four_providers["users"][0]
    _send(
        ret,
        user,
        [
            _person("W1", training=[(SAFEGUARDING, None, "2025-01-01")]),  # expired
            _person("W2", training=[(SAFEGUARDING, None, "2027-01-15")]),  # expiring
            _person("W3", training=[(SAFEGUARDING, None, None)]),  # held: up to date
        ],
    )
    cell = build_matrix(four_providers["council"].id, AS_AT).cell(SAFEGUARDING, CARE_WORKER)
    assert (cell.up_to_date, cell.expiring, cell.expired, cell.missing) == (1, 1, 1, 0)
    commissioner = make_user(Role.COMMISSIONER, council=four_providers["council"])
    client = app.test_client()
    sign_in(client, commissioner.email)
    html = get_page(client, f"/council/{four_providers['council'].id}/training-matrix")
    assert "A record with no completion date, which ASC-WDS allows, counts by its expiry" in html
    assert "one with neither date counts as held and up to date" in html


def test_training_expiring_within_90_days_is_compliant_everywhere(four_providers):
    """A course valid until 15 January 2027 is still valid on 31 October 2026: compliant
    in the matrix, in the provider's comparison with the area and in the area's figure,
    and counted as expiring so it can be planned for."""
    provider = four_providers["providers"][0]
    _send(
        four_providers["returns"][0],
        four_providers["users"][0],
        [
            _person("W1", training=[(SAFEGUARDING, "2024-01-16", "2027-01-15")]),
            _person("W2", training=[(SAFEGUARDING, "2023-01-01", "2025-01-01")]),
        ],
    )
    council_id = four_providers["council"].id
    cell = build_matrix(council_id, AS_AT).cell(SAFEGUARDING, CARE_WORKER)
    assert (cell.expiring, cell.expired, cell.percent_compliant) == (1, 1, 50.0)
    row = next(
        r
        for r in training_comparison(council_id, provider.id, AS_AT).rows
        if r.code == SAFEGUARDING
    )
    assert (row.expiring, row.percent, row.area_percent) == (1, 50.0, 50.0)
    assert area_overall_percent(council_id, AS_AT) is not None
