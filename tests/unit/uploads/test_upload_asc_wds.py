"""Checking ASC-WDS staff and training files: the shared staff_rules applied to files,
the upload's own rules (branches, STATUS, repeated rows, unknown workers), row numbers,
summaries and the rows handed to the import."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from forms import messages
from portal.returns import ascwds_file_rules
from portal.returns import staff_rules as rules
from portal.uploads import UploadNotReady, check_upload, validate_staff_file
from tests.unit.uploads.test_upload_reading import (
    BRANCHES,
    TODAY,
    TRAINING_HEADINGS,
    check,
    csv_bytes,
    errors,
    refused,
    training_row,
)

STAFF_HEADINGS = [
    "LOCALESTID", "UNIQUEWORKERID", "STATUS", "MAINJOBROLE", "STARTDATE", "EMPLSTATUS",
    "ZEROHRCONT", "CARECERT", "HOURLYRATE", "HANDCVISA", "CONTHOURS",
]  # fmt: skip


def staff_row(**values: object) -> list:
    row = {
        "LOCALESTID": "000123",
        "UNIQUEWORKERID": "W100",
        "STATUS": "NEW",
        "MAINJOBROLE": "8",
        "STARTDATE": "01/09/2021",
        "EMPLSTATUS": "1",
        "ZEROHRCONT": "2",
        "CARECERT": "1",
        "HOURLYRATE": "12.60",
        "HANDCVISA": "2",
        "CONTHOURS": "37.5",
    }
    row.update(values)
    return [row[heading] for heading in STAFF_HEADINGS]


def check_staff(data: bytes, existing=frozenset({"W001", "W002"}), **kwargs):
    return validate_staff_file(
        data,
        "staff.csv",
        today=TODAY,
        branches=kwargs.pop("branches", BRANCHES),
        existing_worker_ids=existing,
        **kwargs,
    )


# --- training: values ------------------------------------------------------------------


def test_a_good_training_row_comes_out_typed_and_ready_to_import():
    result = check(csv_bytes([training_row(EXPIRYDATE="31/01/2025", NOTES=" Passed ")]))
    assert result.ok and result.summary == "" and result.warning_summary == ""
    assert result.records() == [
        {
            "row": 2,
            "branch_id": 1,
            "worker_id": "W001",
            "category": 20,
            "training_name": "Safeguarding adults",
            "accredited": 1,
            "who_delivered": 2,
            "provider_name": "88",
            "how_delivered": 1,
            "validity": "12",
            "date_completed": date(2024, 2, 1),
            "expiry_date": date(2025, 1, 31),
            "notes": "Passed",
        }
    ]


def test_date_completed_must_be_a_real_date_not_in_the_future_nor_before_1990():
    rows = [
        training_row(DATECOMPLETED=""),  # blank: accepted, as ASC-WDS accepts it
        training_row(DATECOMPLETED="31/02/2024"),
        training_row(DATECOMPLETED="27/03/24"),
        training_row(DATECOMPLETED="24/11/2026"),  # tomorrow
        training_row(DATECOMPLETED="31/12/1989"),
        training_row(DATECOMPLETED="23/11/2026", UNIQUEWORKERID="W002"),  # today: fine
        training_row(DATECOMPLETED="01/01/1990", CATEGORY="10"),  # fine
    ]
    result = check(csv_bytes(rows))
    assert [(p.row, p.message) for p in result.errors] == [
        (3, "Date completed must be a real date, like 27/03/2024"),
        (4, "Date completed must be a real date, like 27/03/2024"),
        (5, "Date completed must be today or in the past"),
        (6, "Date completed must be on or after 1 January 1990"),
    ]
    assert {p.kind for p in result.errors} == {"date"}
    assert list(result.rows["row"]) == [2, 7, 8]
    assert result.records()[0]["date_completed"] is None
    assert result.records()[0]["expiry_date"] is None  # nothing to derive it from
    assert result.summary == "You need to fix 4 dates"


def test_expiry_date_must_be_after_date_completed():
    rows = [
        training_row(EXPIRYDATE="01/02/2024"),  # the same day
        training_row(EXPIRYDATE="01/01/2024", UNIQUEWORKERID="W002"),
        training_row(EXPIRYDATE="02/02/2024", CATEGORY="10", VALIDITY=""),
        training_row(EXPIRYDATE="30/02/2025", CATEGORY="13"),
    ]
    result = check(csv_bytes(rows))
    assert errors(result) == [
        (2, "EXPIRYDATE", "01/02/2024", messages.EXPIRY_NOT_AFTER_COMPLETED),
        (3, "EXPIRYDATE", "01/01/2024", messages.EXPIRY_NOT_AFTER_COMPLETED),
        (5, "EXPIRYDATE", "30/02/2025", "Expiry date must be a real date, like 27/03/2024"),
    ]
    assert result.records()[0]["expiry_date"] == date(2024, 2, 2)


def test_a_blank_expiry_date_is_derived_from_validity():
    rows = [
        training_row(DATECOMPLETED="31/01/2024", VALIDITY="1"),
        training_row(DATECOMPLETED="15/03/2023", VALIDITY="36", CATEGORY="10"),
        training_row(VALIDITY="none", CATEGORY="13"),
        training_row(VALIDITY="", CATEGORY="15"),
        training_row(EXPIRYDATE="01/01/2030", VALIDITY="", CATEGORY="16"),
    ]
    result = check(csv_bytes(rows))
    assert result.ok and result.warnings == []
    assert [record["expiry_date"] for record in result.records()] == [
        date(2024, 2, 28),  # 31 Jan + 1 month is 29 Feb 2024, less a day
        date(2026, 3, 14),
        None,
        None,
        date(2030, 1, 1),
    ]


def test_validity_disagreeing_with_the_dates_is_a_warning_and_the_expiry_date_is_kept():
    rows = [
        training_row(EXPIRYDATE="01/06/2026"),  # 12 months would be 31/01/2025
        training_row(EXPIRYDATE="01/02/2025", UNIQUEWORKERID="W002"),  # a day out: agrees
        training_row(EXPIRYDATE="01/02/2025", VALIDITY="none", CATEGORY="10"),
        training_row(VALIDITY="13 months", CATEGORY="13"),
    ]
    result = check(csv_bytes(rows))
    assert errors(result) == [(5, "VALIDITY", "13 months", messages.VALIDITY_INVALID)]
    assert [(w.row, w.column, w.value, w.message) for w in result.warnings] == [
        (2, "EXPIRYDATE", "01/06/2026", messages.UPLOAD_VALIDITY_MISMATCH),
        (4, "EXPIRYDATE", "01/02/2025", messages.UPLOAD_VALIDITY_NONE_BUT_EXPIRY),
    ]
    assert result.warning_summary == (
        "You should check 2 expiry dates that do not match their validity"
    )
    assert result.records()[0]["expiry_date"] == date(2026, 6, 1)


def test_unknown_codes_are_errors_and_blank_optional_codes_are_not():
    rows = [
        training_row(CATEGORY="999", ACCREDITED="2", WHODELIVERED="3", HOWDELIVERED="0"),
        training_row(CATEGORY="", ACCREDITED="", WHODELIVERED="", HOWDELIVERED=""),
        training_row(ACCREDITED="", WHODELIVERED="", HOWDELIVERED="", CATEGORY="10"),
    ]
    result = check(csv_bytes(rows))
    assert errors(result) == [
        (2, "CATEGORY", "999",
         "CATEGORY must be an ASC-WDS training category code, like 20 for safeguarding adults"),
        (2, "ACCREDITED", "2", "ACCREDITED must be 1 (yes), 0 (no) or 999 (not known)"),
        (2, "WHODELIVERED", "3", "WHODELIVERED must be 1 (in-house) or 2 (external provider)"),
        (2, "HOWDELIVERED", "0", "HOWDELIVERED must be 1 (face to face) or 2 (e-learning)"),
        (3, "CATEGORY", "", "Enter the training category code (CATEGORY)"),
    ]  # fmt: skip
    assert result.summary == "You need to fix 3 codes and 2 training categories"
    assert result.records()[0]["accredited"] is None


def test_worker_ids_are_required_and_at_most_50_characters():
    rows = [
        training_row(UNIQUEWORKERID=""),
        training_row(UNIQUEWORKERID="W" * 51),
        training_row(UNIQUEWORKERID="W999"),
    ]
    ids = {"W" * 50, "W" * 51, "W001"}
    result = check(csv_bytes([*rows, training_row(UNIQUEWORKERID="W" * 50)]), worker_ids=ids)
    assert [(p.row, p.message) for p in result.errors] == [
        (2, messages.WORKER_ID_REQUIRED),
        (3, messages.WORKER_ID_TOO_LONG),
        (4, messages.UPLOAD_UNKNOWN_WORKER),
    ]
    assert result.summary == "You need to fix 3 worker IDs"


def test_text_too_long_and_the_value_shown_is_cut_short():
    rows = [training_row(TRAININGNAME="x" * 121, NOTES="n" * 1001)]
    result = check(csv_bytes(rows))
    assert [(p.column, p.message, len(p.value)) for p in result.errors] == [
        ("TRAININGNAME", messages.TRAINING_NAME_TOO_LONG, 100),
        ("NOTES", messages.NOTES_TOO_LONG, 100),
    ]
    assert result.summary == "You need to fix 2 values that are too long"


def test_exact_duplicate_rows_are_a_warning_and_import_once():
    rows = [training_row(), training_row(CATEGORY="10"), training_row(), training_row()]
    result = check(csv_bytes(rows))
    assert result.ok
    assert [(w.row, w.message, w.kind) for w in result.warnings] == [
        (4, "This row is the same as row 2: we will import it once", "duplicate"),
        (5, "This row is the same as row 2: we will import it once", "duplicate"),
    ]
    assert list(result.rows["row"]) == [2, 3]
    assert result.warning_summary == "You should check 2 duplicate rows"


# --- branches -------------------------------------------------------------------------


def test_localestid_must_be_one_of_the_providers_branches():
    rows = [
        training_row(LOCALESTID="000999"),
        training_row(LOCALESTID="", UNIQUEWORKERID="W002"),
        training_row(LOCALESTID="000456", CATEGORY="10"),
    ]
    result = check(csv_bytes(rows))
    assert errors(result) == [
        (2, "LOCALESTID", "000999",
         "LOCALESTID must be the workplace ID of one of your branches: ‘000123’ or ‘000456’"),
        (3, "LOCALESTID", "", messages.UPLOAD_BRANCH_REQUIRED),
    ]  # fmt: skip
    assert result.records()[0]["branch_id"] == 2
    assert result.summary == "You need to fix 2 workplace IDs"
    nowhere = check(csv_bytes(rows[:1]), branches={})
    assert nowhere.errors[0].message == messages.UPLOAD_NO_BRANCH_IDS


def test_a_provider_with_one_branch_may_leave_localestid_out():
    headings = TRAINING_HEADINGS[1:]
    result = check(csv_bytes([training_row()[1:]], headings), branches={"000123": 7})
    assert result.ok and result.records()[0]["branch_id"] == 7
    problem = refused(csv_bytes([training_row()[1:]], headings))  # two branches
    assert problem.message == "The first row of the file must have the column heading LOCALESTID"


# --- workers across the two files -------------------------------------------------------


def test_training_workers_must_be_in_the_staff_file_or_already_exist():
    staff = csv_bytes([staff_row(UNIQUEWORKERID="W100")], STAFF_HEADINGS)
    training = csv_bytes(
        [
            training_row(UNIQUEWORKERID="W001"),  # exists
            training_row(UNIQUEWORKERID="W100"),  # in the staff file
            training_row(UNIQUEWORKERID="W999"),  # neither
        ]
    )
    upload = check_upload(
        staff=(staff, "staff.csv"),
        training=(training, "training.csv"),
        today=TODAY,
        branches=BRANCHES,
        existing_worker_ids={"W001"},
    )
    assert upload.staff.ok
    assert errors(upload.training) == [
        (4, "UNIQUEWORKERID", "W999", messages.UPLOAD_UNKNOWN_WORKER)
    ]
    assert not upload.ok
    with pytest.raises(UploadNotReady):
        upload.to_import()

    broken = check_upload(
        staff=(b"\x89PNG\r\n\x1a\n", "staff.csv"),
        training=(training, "training.csv"),
        today=TODAY,
        branches=BRANCHES,
        existing_worker_ids={"W001"},
    )
    assert broken.staff.file_problems[0].kind == "wrong_type"
    assert broken.training.errors == []  # who is new waits until the staff file reads


def test_an_upload_with_no_errors_hands_its_rows_to_the_import():
    staff = csv_bytes([staff_row(UNIQUEWORKERID="W100"), staff_row(UNIQUEWORKERID="W001",
                                                                   STATUS="UPDATE")],
                      STAFF_HEADINGS)  # fmt: skip
    training = csv_bytes([training_row(UNIQUEWORKERID="W100"), training_row(EXPIRYDATE="x")])
    upload = check_upload(
        staff=(staff, "staff.csv"),
        training=(training, "training.csv"),
        today=TODAY,
        branches=BRANCHES,
        existing_worker_ids={"W001"},
    )
    assert not upload.ok  # the bad expiry date
    training = csv_bytes([training_row(UNIQUEWORKERID="W100"), training_row()])
    upload = check_upload(
        staff=(staff, "staff.csv"),
        training=(training, "training.csv"),
        today=TODAY,
        branches=BRANCHES,
        existing_worker_ids={"W001"},
    )
    batch = upload.to_import()
    assert list(batch.staff["action"]) == ["add", "update"]
    assert list(batch.training["worker_id"]) == ["W100", "W001"]
    assert "hourly_rate" in batch.staff_fields and "branch_id" in batch.staff_fields


# --- staff ----------------------------------------------------------------------------


def test_a_good_staff_row_comes_out_typed():
    result = check_staff(csv_bytes([staff_row()], STAFF_HEADINGS))
    assert result.ok
    assert result.records() == [
        {
            "row": 2,
            "action": "add",
            "status": "NEW",
            "branch_id": 1,
            "worker_id": "W100",
            "main_job_role": 8,
            "start_date": date(2021, 9, 1),
            "employment_status": 1,
            "care_certificate": 1,
            "hourly_rate": Decimal("12.60"),
            "health_care_visa": 2,
            "zero_hours": False,
            "contracted_hours": Decimal("37.50"),
            "ignored": (),  # the values ignored with a warning: none
        }
    ]
    assert result.worker_ids == {"W100"}


def test_pounds_and_windows_1252_and_decimal_commas_in_semicolon_files():
    result = check_staff(csv_bytes([staff_row(HOURLYRATE="£12.60")], STAFF_HEADINGS,
                                   encoding="cp1252"))  # fmt: skip
    assert result.ok and result.records()[0]["hourly_rate"] == Decimal("12.60")
    rows = [staff_row(HOURLYRATE="12,6", CONTHOURS="37,5")]
    result = check_staff(csv_bytes(rows, STAFF_HEADINGS, sep=";"))
    assert result.ok
    assert result.records()[0]["hourly_rate"] == Decimal("12.60")
    assert result.records()[0]["contracted_hours"] == Decimal("37.50")


def test_staff_field_rules_come_from_staff_rules():
    rows = [
        staff_row(MAINJOBROLE="99", STARTDATE="01/01/2030", HOURLYRATE="250"),
        staff_row(UNIQUEWORKERID="W101", MAINJOBROLE="", EMPLSTATUS="5", CONTHOURS="90"),
        staff_row(UNIQUEWORKERID="W102", CARECERT="", HANDCVISA="", ZEROHRCONT="",
                  HOURLYRATE="", CONTHOURS="", STARTDATE=""),
    ]  # fmt: skip
    result = check_staff(csv_bytes(rows, STAFF_HEADINGS))
    assert errors(result) == [
        (2, "MAINJOBROLE", "99",
         "MAINJOBROLE must be an ASC-WDS main job role code, like 8 for care worker"),
        (2, "HOURLYRATE", "250", messages.money_out_of_range("Hourly rate")),
        (3, "MAINJOBROLE", "", "Enter the main job role code (MAINJOBROLE)"),
        (3, "EMPLSTATUS", "5", "EMPLSTATUS must be 1 (permanent), 2 (temporary), "
         "3 (pool or bank), 4 (agency) or 7 (other)"),
    ]  # fmt: skip
    assert result.summary == "You need to fix 2 main job roles, 1 code and 1 number"
    # As ASC-WDS: a future STARTDATE and CONTHOURS above 75 are ignored, with a warning.
    assert [(p.row, p.column, p.value) for p in result.warnings] == [
        (2, "STARTDATE", "01/01/2030"), (3, "CONTHOURS", "90"), (4, "STARTDATE", ""),
    ]  # fmt: skip
    assert list(result.rows["row"]) == [4]  # ASC-WDS leaves the rest optional


@pytest.mark.parametrize(
    ("status", "worker", "action", "error"),
    [
        ("NEW", "W100", "add", None),
        ("NEW", "W001", None, messages.UPLOAD_STATUS_NEW_EXISTS),
        ("new", "W100", "add", None),
        ("UPDATE", "W001", "update", None),
        ("UPDATE", "W100", None, messages.upload_status_not_found("UPDATE")),
        ("CHGSUB", "W001", "update", None),
        ("UNCHECKED", "W001", "update", None),
        ("UNCHECKED", "W100", "add", None),
        ("NOCHANGE", "W001", "keep", None),
        ("NOCHANGE", "W100", "add", None),
        ("DELETE", "W001", "leave", None),
        ("DELETE", "W100", None, messages.upload_status_not_found("DELETE")),
        ("LEAVER", "W001", "leave", None),
        ("MAYBE", "W001", None, "STATUS must be NEW, UPDATE, UNCHECKED, NOCHANGE, DELETE, "
                                "CHGSUB or LEAVER"),
        ("", "W001", None, "Enter the status (STATUS)"),
    ],
)  # fmt: skip
def test_status_follows_ascwds(status, worker, action, error):
    result = check_staff(csv_bytes([staff_row(STATUS=status, UNIQUEWORKERID=worker)],
                                   STAFF_HEADINGS))  # fmt: skip
    if error:
        assert errors(result) == [(2, "STATUS", status, error)]
        assert result.summary == "You need to fix 1 status"
    else:
        assert result.ok and result.records()[0]["action"] == action


def test_a_leaver_row_needs_only_its_worker_id():
    row = staff_row(STATUS="DELETE", UNIQUEWORKERID="W002", MAINJOBROLE="", LOCALESTID="",
                    STARTDATE="rubbish", HOURLYRATE="lots")  # fmt: skip
    result = check_staff(csv_bytes([row], STAFF_HEADINGS))
    assert result.ok
    record = result.records()[0]
    assert (record["action"], record["worker_id"], record["main_job_role"]) == (
        "leave",
        "W002",
        None,
    )


def test_without_a_status_column_rows_add_or_update():
    headings = [h for h in STAFF_HEADINGS if h != "STATUS"]
    rows = [staff_row(UNIQUEWORKERID="W001"), staff_row(UNIQUEWORKERID="W100")]
    rows = [[v for h, v in zip(STAFF_HEADINGS, row, strict=True) if h != "STATUS"] for row in rows]
    result = check_staff(csv_bytes(rows, headings))
    assert result.ok
    assert list(result.rows["action"]) == ["update", "add"]
    assert list(result.rows["status"]) == ["UNCHECKED", "UNCHECKED"]


def test_a_staff_member_twice_is_an_error_unless_the_rows_are_the_same():
    rows = [
        staff_row(),
        staff_row(HOURLYRATE="13.00"),  # the same worker, different details
        staff_row(),  # an exact copy of row 2
    ]
    result = check_staff(csv_bytes(rows, STAFF_HEADINGS))
    assert errors(result) == [
        (3, "UNIQUEWORKERID", "W100",
         "This worker ID is also on row 2: each staff member must be in the file once"),
    ]  # fmt: skip
    assert [w.row for w in result.warnings] == [4]
    assert list(result.rows["row"]) == [2]


def test_a_training_file_uploaded_as_the_staff_file_is_refused():
    result = check_staff(csv_bytes([training_row()]))
    assert result.file_problems[0].message == (
        "This looks like an ASC-WDS training file: upload it as the training file"
    )


# --- lists and summaries --------------------------------------------------------------


def test_problems_are_listed_in_row_then_column_order_and_counted_in_full():
    rows = [training_row(DATECOMPLETED="bad", CATEGORY="0", UNIQUEWORKERID=f"W{n}")
            for n in range(30)]  # fmt: skip
    result = check(csv_bytes(rows), max_listed=7, worker_ids={f"W{n}" for n in range(30)})
    assert [(p.row, p.column) for p in result.errors] == [
        (2, "CATEGORY"), (2, "DATECOMPLETED"), (3, "CATEGORY"), (3, "DATECOMPLETED"),
        (4, "CATEGORY"), (4, "DATECOMPLETED"), (5, "CATEGORY"),
    ]  # fmt: skip
    assert result.error_count == 60
    assert result.summary == "You need to fix 30 training categories and 30 dates"


def test_the_summary_names_each_kind_of_problem():
    rows = [
        training_row(DATECOMPLETED="32/01/2024"),
        training_row(DATECOMPLETED="31/02/2024", CATEGORY="1000"),
        training_row(EXPIRYDATE="01/01/2000"),
        training_row(CATEGORY="x", UNIQUEWORKERID="nobody"),
        training_row(CATEGORY="10", LOCALESTID="1"),
    ]
    result = check(csv_bytes(rows))
    assert result.summary == (
        "You need to fix 3 dates, 2 training categories, 1 workplace ID and 1 worker ID"
    )


# --- the upload gives the same answers as staff_rules, row by row ----------------------

TRAINING_POOLS = {
    "CATEGORY": ["20", " 10 ", "999", "", "abc", "07", "21"],
    "TRAININGNAME": ["", "Course", "x" * 121, "NA"],
    "ACCREDITED": ["1", "0", "999", "2", "", "yes"],
    "WHODELIVERED": ["1", "2", "3", ""],
    "PROVIDERNAME": ["", "88", "999", "0", "Acme", "p" * 121],
    "HOWDELIVERED": ["1", "2", "0", ""],
    "VALIDITY": ["12", "none", "NONE", "0", "1000", "", "6", "abc", "036"],
    "DATECOMPLETED": ["01/02/2024", "31/02/2024", "", "2024-02-01", "01/01/1989",
                      "24/11/2026", "23/11/2026", "5/6/2020", "31/01/2024", "29/02/2024"],
    "EXPIRYDATE": ["", "", "01/02/2025", "31/01/2025", "01/01/2024", "bad", "15/08/2030",
                   "2025-02-01", "01/02/2024", "01/01/1980"],
    "NOTES": ["", "ok", "n" * 1001],
}  # fmt: skip
STAFF_POOLS = {
    "MAINJOBROLE": ["8", "4", "99", "", "08", "x"],
    "STARTDATE": ["01/09/2021", "", "31/09/2021", "2030-01-01", "1989-12-31", "2021-09-01"],
    "EMPLSTATUS": ["1", "7", "5", "", "A", "3", "4", "2"],
    "ZEROHRCONT": ["1", "2", "999", "3", ""],
    "CARECERT": ["1", "2", "3", "4", ""],
    "HOURLYRATE": ["12.60", "£11.44", "0", "200", "200.01", "12.555", "", "abc", "1,000"],
    "HANDCVISA": ["1", "2", "999", "0", ""],
    "CONTHOURS": ["37.5", "0", "75", "75.5", "", "-1", "7.125", "x", "999", "80"],
}  # fmt: skip


def test_training_checks_match_validate_training_row_by_row():
    rng = random.Random(5)
    raw_rows = [
        {heading: rng.choice(pool) for heading, pool in TRAINING_POOLS.items()} for _ in range(400)
    ]
    rows = [training_row(UNIQUEWORKERID=f"W{n}", **raw) for n, raw in enumerate(raw_rows)]
    result = check(csv_bytes(rows), worker_ids={f"W{n}" for n in range(400)}, max_listed=10**6)
    field_of = {"PROVIDERNAME": "provider_name", **rules.ASCWDS_TRAINING_COLUMNS}
    found: dict[int, set] = {}
    for problem in result.errors:
        found.setdefault(problem.row, set()).add(field_of[problem.column])
    imported = {record["row"]: record for record in result.records()}
    for n, raw in enumerate(raw_rows):
        fields = {field_of[heading]: value.strip() for heading, value in raw.items()}
        values, expected = rules.validate_training(fields, TODAY, frozenset())
        assert found.get(n + 2, set()) == set(expected), (n + 2, raw, expected)
        if not expected:
            record = imported[n + 2]
            assert {name: record[name] for name in values} == values, (n + 2, raw)


def test_staff_checks_match_validate_staff_row_by_row():
    rng = random.Random(6)
    raw_rows = [
        {heading: rng.choice(pool) for heading, pool in STAFF_POOLS.items()} for _ in range(300)
    ]
    rows = [staff_row(UNIQUEWORKERID=f"W{n}", STATUS="UNCHECKED", **raw)
            for n, raw in enumerate(raw_rows)]  # fmt: skip
    result = check_staff(csv_bytes(rows, STAFF_HEADINGS), max_listed=10**6)
    field_of = rules.ASCWDS_STAFF_COLUMNS
    found: dict[int, set] = {}
    for problem in result.errors:
        found.setdefault(problem.row, set()).add(field_of[problem.column])
    imported = {record["row"]: record for record in result.records()}
    for n, raw in enumerate(raw_rows):
        fields = {field_of[heading]: value for heading, value in raw.items()}
        fields["worker_id"] = f"W{n}"
        values, expected = rules.validate_staff(
            fields, TODAY, ascwds_file_rules.FILE_STAFF_REQUIRED, True
        )
        assert found.get(n + 2, set()) == set(expected), (n + 2, raw, expected)
        if not expected:
            record = imported[n + 2]
            assert {name: record[name] for name in values} == values, (n + 2, raw)
