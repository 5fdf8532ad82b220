"""Every ASC-WDS rule on the columns the portal reads (docs/ascwds.md), one case each, on
real CSV bytes: the upload's check and the API give the same verdict (error, warning with
the value ignored, or accepted) on the same column. The ids are the ones docs/ascwds.md
names."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from portal.api.auth import new_key
from portal.extensions import db
from portal.models import StaffMember
from portal.uploads.asc_wds import check_upload
from portal.uploads.importing import provider_branches
from tests.factories import make_staff

TODAY = date(2026, 11, 23)
ERROR, WARNING, ACCEPTED = "error", "warning", "accepted"
LONG_ID = "B" * 51


def staff_row(branch: str, **changes) -> dict:
    row = {
        "LOCALESTID": branch, "UNIQUEWORKERID": "NEW1", "STATUS": "NEW", "MAINJOBROLE": "8",
        "STARTDATE": "01/09/2021", "EMPLSTATUS": "1", "ZEROHRCONT": "2", "CARECERT": "1",
        "HOURLYRATE": "12.60", "HANDCVISA": "2", "CONTHOURS": "37.5",
    }  # fmt: skip
    return {**row, **changes}


def training_row(branch: str, **changes) -> dict:
    row = {
        "LOCALESTID": branch, "UNIQUEWORKERID": "W1", "CATEGORY": "20",
        "TRAININGNAME": "Safeguarding adults", "ACCREDITED": "1", "WHODELIVERED": "2",
        "PROVIDERNAME": "88", "HOWDELIVERED": "1", "VALIDITY": "12",
        "DATECOMPLETED": "01/03/2026", "EXPIRYDATE": "", "NOTES": "",
    }  # fmt: skip
    return {**row, **changes}


def as_csv(row: dict) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    return buffer.getvalue().encode()


@dataclass(frozen=True)
class Case:
    file: str  # "staff" or "training"
    changes: dict
    verdict: str
    column: str | None = None  # the column the error or warning is on
    # For an accepted row or a warning: the imported values to check.
    kept: dict = field(default_factory=dict)


BRANCH = "{branch}"  # replaced by the provider's own LOCALESTID

CASES = {
    # --- staff file ------------------------------------------------------------------
    "LOCALESTID-blank": Case("staff", {"LOCALESTID": ""}, ACCEPTED),  # one branch: it
    "LOCALESTID-too-long": Case("staff", {"LOCALESTID": LONG_ID}, ERROR, "LOCALESTID"),
    "LOCALESTID-unknown": Case("staff", {"LOCALESTID": "NOPE"}, ERROR, "LOCALESTID"),
    "UNIQUEWORKERID-blank": Case("staff", {"UNIQUEWORKERID": ""}, ERROR, "UNIQUEWORKERID"),
    "UNIQUEWORKERID-too-long": Case("staff", {"UNIQUEWORKERID": "W" * 51}, ERROR, "UNIQUEWORKERID"),
    "STATUS-invalid": Case("staff", {"STATUS": "MAYBE"}, ERROR, "STATUS"),
    "STATUS-NEW-exists": Case("staff", {"UNIQUEWORKERID": "W1"}, ERROR, "STATUS"),
    "STATUS-DELETE-missing": Case("staff", {"STATUS": "DELETE"}, ERROR, "STATUS"),
    "STATUS-UPDATE-missing": Case("staff", {"STATUS": "UPDATE"}, ERROR, "STATUS"),
    "MAINJOBROLE-blank": Case("staff", {"MAINJOBROLE": ""}, ERROR, "MAINJOBROLE"),
    "MAINJOBROLE-unknown": Case("staff", {"MAINJOBROLE": "12"}, ERROR, "MAINJOBROLE"),
    "MAINJOBROLE-team-leader": Case(
        "staff", {"MAINJOBROLE": "45"}, ACCEPTED, kept={"main_job_role": 45}
    ),
    "MAINJOBROLE-support-worker": Case(
        "staff", {"MAINJOBROLE": "52"}, ACCEPTED, kept={"main_job_role": 52}
    ),
    "EMPLSTATUS-blank": Case("staff", {"EMPLSTATUS": ""}, ERROR, "EMPLSTATUS"),
    "EMPLSTATUS-unknown": Case("staff", {"EMPLSTATUS": "5"}, ERROR, "EMPLSTATUS"),
    "ZEROHRCONT-unknown": Case("staff", {"ZEROHRCONT": "3"}, ERROR, "ZEROHRCONT"),
    "CONTHOURS-ZEROHRCONT-blank": Case(
        "staff", {"ZEROHRCONT": ""}, WARNING, "ZEROHRCONT", {"contracted_hours": 37.5}
    ),
    "CONTHOURS-ZEROHRCONT-yes": Case("staff", {"ZEROHRCONT": "1"}, ERROR, "ZEROHRCONT"),
    "CONTHOURS-ZEROHRCONT-unknown": Case("staff", {"ZEROHRCONT": "999"}, ERROR, "ZEROHRCONT"),
    "CONTHOURS-0-ZEROHRCONT-no": Case(
        "staff", {"CONTHOURS": "0"}, WARNING, "ZEROHRCONT", {"zero_hours": None}
    ),
    "CARECERT-unknown": Case("staff", {"CARECERT": "4"}, ERROR, "CARECERT"),
    "HANDCVISA-unknown": Case(
        "staff", {"HANDCVISA": "5"}, WARNING, "HANDCVISA", {"health_care_visa": None}
    ),
    "HANDCVISA-blank": Case("staff", {"HANDCVISA": ""}, ACCEPTED),
    "STARTDATE-blank": Case("staff", {"STARTDATE": ""}, WARNING, "STARTDATE", {"start_date": None}),
    "STARTDATE-not-a-date": Case(
        "staff", {"STARTDATE": "31/02/2021"}, WARNING, "STARTDATE", {"start_date": None}
    ),
    "STARTDATE-badly-written": Case(
        "staff", {"STARTDATE": "1st Sept 2021"}, WARNING, "STARTDATE", {"start_date": None}
    ),
    "STARTDATE-future": Case(
        "staff", {"STARTDATE": "24/11/2026"}, WARNING, "STARTDATE", {"start_date": None}
    ),
    "STARTDATE-today": Case(
        "staff", {"STARTDATE": "23/11/2026"}, ACCEPTED, kept={"start_date": TODAY}
    ),
    "CONTHOURS-75": Case(
        "staff", {"CONTHOURS": "75"}, ACCEPTED, kept={"contracted_hours": Decimal("75.00")}
    ),
    "CONTHOURS-over-75": Case(
        "staff", {"CONTHOURS": "75.5"}, WARNING, "CONTHOURS", {"contracted_hours": None}
    ),
    "CONTHOURS-999-not-known": Case(
        "staff", {"CONTHOURS": "999"}, ACCEPTED, kept={"contracted_hours": None}
    ),
    "CONTHOURS-not-a-number": Case(
        "staff", {"CONTHOURS": "full time"}, WARNING, "CONTHOURS", {"contracted_hours": None}
    ),
    "CONTHOURS-negative": Case(
        "staff", {"CONTHOURS": "-1"}, WARNING, "CONTHOURS", {"contracted_hours": None}
    ),
    "CONTHOURS-EMPLSTATUS-pool-or-bank": Case(
        "staff", {"EMPLSTATUS": "3"}, WARNING, "CONTHOURS", {"contracted_hours": None}
    ),
    "CONTHOURS-EMPLSTATUS-agency": Case(
        "staff", {"EMPLSTATUS": "4"}, WARNING, "CONTHOURS", {"contracted_hours": None}
    ),
    "CONTHOURS-EMPLSTATUS-other": Case(
        "staff", {"EMPLSTATUS": "7"}, WARNING, "CONTHOURS", {"contracted_hours": None}
    ),
    "CONTHOURS-EMPLSTATUS-temporary": Case(
        "staff", {"EMPLSTATUS": "2"}, ACCEPTED, kept={"contracted_hours": Decimal("37.50")}
    ),
    "CONTHOURS-blank-EMPLSTATUS-agency": Case(
        "staff",
        {"EMPLSTATUS": "4", "CONTHOURS": "", "ZEROHRCONT": "1"},
        ACCEPTED,
        kept={"contracted_hours": None, "zero_hours": True},
    ),  # fmt: skip
    "CONTHOURS-0-ZEROHRCONT-yes": Case(
        "staff",
        {"CONTHOURS": "0", "ZEROHRCONT": "1"},
        WARNING,
        "CONTHOURS",
        {"contracted_hours": None, "zero_hours": True},
    ),  # fmt: skip
    "CONTHOURS-0-ZEROHRCONT-unknown": Case(
        "staff",
        {"CONTHOURS": "0", "ZEROHRCONT": "999"},
        ACCEPTED,
        kept={"contracted_hours": Decimal("0.00"), "zero_hours": None},
    ),  # fmt: skip
    "CONTHOURS-999-ZEROHRCONT-yes": Case(
        "staff", {"CONTHOURS": "999", "ZEROHRCONT": "1"}, ERROR, "ZEROHRCONT"
    ),
    "HOURLYRATE-not-a-number": Case("staff", {"HOURLYRATE": "abc"}, ERROR, "HOURLYRATE"),
    # --- training file ---------------------------------------------------------------
    "T-LOCALESTID-too-long": Case("training", {"LOCALESTID": LONG_ID}, ERROR, "LOCALESTID"),
    "T-UNIQUEWORKERID-blank": Case("training", {"UNIQUEWORKERID": ""}, ERROR, "UNIQUEWORKERID"),
    "CATEGORY-unknown": Case("training", {"CATEGORY": "3"}, ERROR, "CATEGORY"),
    "CATEGORY-blank": Case("training", {"CATEGORY": ""}, ERROR, "CATEGORY"),
    "TRAININGNAME-too-long": Case("training", {"TRAININGNAME": "x" * 121}, ERROR, "TRAININGNAME"),
    "ACCREDITED-unknown": Case("training", {"ACCREDITED": "2"}, ERROR, "ACCREDITED"),
    "WHODELIVERED-unknown": Case(
        "training", {"WHODELIVERED": "3", "PROVIDERNAME": ""}, ERROR, "WHODELIVERED"
    ),
    "PROVIDERNAME-code": Case("training", {}, ACCEPTED, kept={"provider_name": "88"}),
    "PROVIDERNAME-other": Case(
        "training", {"PROVIDERNAME": "999"}, ACCEPTED, kept={"provider_name": "999"}
    ),
    "PROVIDERNAME-unknown": Case(
        "training", {"PROVIDERNAME": "Acme Training"}, ERROR, "PROVIDERNAME"
    ),
    "PROVIDERNAME-not-external": Case(
        "training", {"WHODELIVERED": "1"}, WARNING, "PROVIDERNAME", {"provider_name": None}
    ),
    "HOWDELIVERED-unknown": Case("training", {"HOWDELIVERED": "3"}, ERROR, "HOWDELIVERED"),
    "VALIDITY-out-of-range": Case("training", {"VALIDITY": "1000"}, ERROR, "VALIDITY"),
    "VALIDITY-none-with-expiry": Case(
        "training", {"VALIDITY": "none", "EXPIRYDATE": "01/03/2027"}, WARNING, "EXPIRYDATE"
    ),
    "VALIDITY-not-matching-expiry": Case(
        "training", {"EXPIRYDATE": "01/12/2027"}, WARNING, "EXPIRYDATE"
    ),
    "DATECOMPLETED-blank": Case(
        "training", {"DATECOMPLETED": ""}, ACCEPTED, kept={"date_completed": None}
    ),
    "DATECOMPLETED-not-a-date": Case(
        "training", {"DATECOMPLETED": "31/02/2026"}, ERROR, "DATECOMPLETED"
    ),
    "DATECOMPLETED-future": Case(
        "training", {"DATECOMPLETED": "24/11/2026"}, ERROR, "DATECOMPLETED"
    ),
    "EXPIRYDATE-not-a-date": Case("training", {"EXPIRYDATE": "bad"}, ERROR, "EXPIRYDATE"),
    "EXPIRYDATE-not-after-completed": Case(
        "training", {"EXPIRYDATE": "01/03/2026"}, ERROR, "EXPIRYDATE"
    ),
    "NOTES-too-long": Case("training", {"NOTES": "n" * 1001}, ERROR, "NOTES"),
}


@pytest.fixture
def provider_api(contracted):
    """The contracted provider with one branch, staff member W1 and an API key."""
    provider = contracted.provider
    make_staff(provider, "W1")
    _, secret = new_key(provider.id, "Rota system", contracted.manager.id)
    db.session.commit()
    return {
        "provider_id": provider.id,
        "branch": contracted.branch.local_est_id,
        "headers": {"Authorization": f"Bearer {secret}", "Content-Type": "text/csv"},
        "api": f"/api/v1/providers/{provider.id}",
    }


def _verdict(errors: list[tuple], warnings: list[tuple]) -> tuple[str, str | None]:
    if errors:
        return ERROR, errors[0][0]
    if warnings:
        return WARNING, warnings[0][0]
    return ACCEPTED, None


@pytest.mark.parametrize("case_id", list(CASES))
def test_rule(case_id, client, provider_api):
    case = CASES[case_id]
    make_row = staff_row if case.file == "staff" else training_row
    data = as_csv(make_row(provider_api["branch"], **case.changes))

    upload = check_upload(
        **{case.file: (data, f"{case.file}.csv")},
        today=TODAY,
        branches=provider_branches(provider_api["provider_id"]),
        existing_worker_ids={"W1"},
    )
    result = upload.staff if case.file == "staff" else upload.training
    assert result.file_problems == []
    by_upload = _verdict(
        [(p.column, p.message) for p in result.errors],
        [(p.column, p.message) for p in result.warnings],
    )

    response = client.post(
        f"{provider_api['api']}/{case.file}/check", data=data, headers=provider_api["headers"]
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    by_api = _verdict(
        [(e["column"], e["message"]) for e in body["errors"]],
        [(w["column"], w["message"]) for w in body["warnings"]],
    )

    assert by_upload == by_api == (case.verdict, case.column)
    if case.verdict != ERROR:
        (record,) = result.records()
        for name, value in case.kept.items():
            assert record[name] == value, name
    if case.verdict == WARNING and case.kept and None in case.kept.values():
        (warning,) = result.warnings
        assert body["warnings"][0]["message"] == warning.message
        if warning.value:
            # A value ignored: the warning names it, and why, in the upload and the API.
            assert f"‘{warning.value}’" in warning.message and " because " in warning.message


def test_a_value_ignored_on_an_api_import_leaves_the_stored_value(client, provider_api):
    """The API import plans as the upload does: W1's STARTDATE, HANDCVISA and CONTHOURS,
    given badly on an UPDATE, are named in the warnings and stay as they were."""
    headers = {**provider_api["headers"], "Content-Type": "application/json"}
    good = staff_row(provider_api["branch"], UNIQUEWORKERID="W1", STATUS="UPDATE", HANDCVISA="1")
    response = client.post(
        f"{provider_api['api']}/imports", json={"staff": [good]}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    bad = {**good, "STARTDATE": "01/01/2030", "HANDCVISA": "5", "EMPLSTATUS": "4"}
    response = client.post(f"{provider_api['api']}/imports", json={"staff": [bad]}, headers=headers)
    assert response.status_code == 200, response.get_json()
    warned = {w["column"]: w["message"] for w in response.get_json()["warnings"]}
    assert warned["STARTDATE"].startswith("We will ignore STARTDATE ‘01/01/2030’ because")
    assert warned["HANDCVISA"].startswith("We will ignore HANDCVISA ‘5’ because")
    assert warned["CONTHOURS"].startswith("We will ignore CONTHOURS ‘37.5’ because EMPLSTATUS")
    db.session.expire_all()
    member = db.session.scalar(db.select(StaffMember).where(StaffMember.worker_id == "W1"))
    assert member.employment_status == 4  # the rest of the row is imported
    assert (member.start_date, member.health_care_visa, member.contracted_hours) == (
        date(2021, 9, 1), 1, Decimal("37.50"),
    )  # fmt: skip


def test_every_rule_in_docs_ascwds_md_has_its_case_here():
    """The tables' last column names the cases above: none missing, none unlisted."""
    doc = (Path(__file__).parents[3] / "docs" / "ascwds.md").read_text()
    tables = doc[doc.index("## Staff file") : doc.index("## A blank DATECOMPLETED")]
    named = set()
    for line in tables.splitlines():
        if line.startswith("| ") and not line.startswith("| ASC-WDS code"):
            named |= set(re.findall(r"`([^`]+)`", line.rstrip(" |").rsplit("|", 1)[-1]))
    assert named == set(CASES)
