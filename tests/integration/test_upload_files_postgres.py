"""The bulk-upload issue's items 3 (reading files), 4 (the rules), 5 (importing safely) and
6 (bad files), each shown by a real file that a signed-in provider user uploads through the
pages, on PostgreSQL: what the user sees, and what is (or is not) stored.

Without Redis the import job runs in-process when the user confirms, inside the test's
transaction (rolled back afterwards), so the done page already has the job's outcome.
"""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from types import SimpleNamespace

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import func, select, text

from forms import messages
from portal.extensions import db
from portal.models import Branch, Role, StaffMember, UploadBatch
from tests.conftest import check_page
from tests.factories import make_provider, make_staff, make_user
from tests.integration.upload_files import (
    BRANCH,
    STAFF_HEADINGS,
    TRAINING_HEADINGS,
    Journey,
    batch_status,
    counts,
    csv_file,
    file_problems,
    problems,
    staff_csv,
    staff_row,
    stored_files,
    stored_staff,
    stored_training,
    training_csv,
    training_of,
    training_row,
    xlsx_file,
)

TODAY = date(2026, 11, 23)
# Characters a CSV saved by Excel in Windows-1252 holds: they must arrive exactly.
COURSE = "Café hygiene – the £5 course"
NOTES = "Paid £12.50; résumé attached, see “notes”, signed é"


@pytest.fixture
def riverside(app, tmp_path):
    """A provider with two branches (the files name "000123") and one staff member,
    EXIST1, with one training record; a submitter of theirs signed in."""
    app.config["TODAY"] = TODAY.isoformat()
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    provider = make_provider()  # its own branch, LOCALESTID "TC<n>"
    branch = Branch(provider=provider, name="Riverside", local_est_id=BRANCH)
    db.session.add(branch)
    db.session.flush()
    training = {"category": 20, "validity": "12", "date_completed": date(2025, 6, 1),
                "expiry_date": date(2026, 5, 31)}  # fmt: skip
    make_staff(provider, "EXIST1", main_job_role=8, branch=branch, training=[training])
    user = make_user(Role.PROVIDER_SUBMITTER, provider=provider)  # commits
    journey = Journey.signed_in(app.test_client(), user.email, provider.id)
    return SimpleNamespace(
        journey=journey, provider_id=provider.id, branch_id=branch.id, folder=tmp_path / "uploads"
    )


def snapshot(riverside) -> tuple[list, list]:
    """Every stored column of the provider's staff and training records."""
    return stored_staff(riverside.provider_id), stored_training(riverside.provider_id)


def worker_ids(riverside) -> list[str]:
    return [row.worker_id for row in stored_staff(riverside.provider_id)]


def refused_as_it_stands(riverside, token: str, html: str) -> None:
    """The check page offers no import, confirming is refused, and the batch stays checked."""
    assert 'id="confirm-import"' not in html
    assert "Nothing has been saved" in html
    response = riverside.journey.confirm(token)
    assert response.status_code == 400
    check_page(response.get_data(as_text=True))
    assert batch_status(token) == "checked"


# --- item 3: reading files -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "newline", "separator"),
    [
        ("utf-8", False, "\n", ","),
        ("utf-8", True, "\r\n", ","),
        ("utf-8", True, "\r", ";"),
        ("cp1252", False, "\r\n", ";"),
        ("cp1252", False, "\n", ","),
        ("cp1252", False, "\r", ","),
    ],
    ids=[
        "utf8-lf-comma",
        "utf8bom-crlf-comma",
        "utf8bom-cr-semicolon",
        "cp1252-crlf-semicolon",
        "cp1252-lf-comma",
        "cp1252-cr-comma",
    ],
)
def test_item3_encodings_line_ends_and_separators_keep_every_character(
    riverside, encoding, bom, newline, separator
):
    options = {"encoding": encoding, "bom": bom, "newline": newline, "separator": separator}
    # Excel in a locale that saves with semicolons writes pounds and pence with a comma.
    rate = "13,10" if separator == ";" else "13.10"
    staff = staff_csv(
        staff_row(UNIQUEWORKERID="W1"), staff_row(UNIQUEWORKERID="W2", HOURLYRATE=rate), **options
    )
    training = training_csv(
        training_row(UNIQUEWORKERID="W1", TRAININGNAME=COURSE, NOTES=NOTES),
        training_row(UNIQUEWORKERID="W2", CATEGORY="13"),
        **options,
    )
    journey = riverside.journey
    token = journey.upload(staff, training)
    html = journey.check(token)
    assert html.count("2 rows of data.") == 2
    assert html.count("There are no errors in this file.") == 2
    assert counts(html, "changes")["New staff"] == 2
    done = journey.confirm_and_finish(token)
    assert counts(done)["New staff"] == 2 and counts(done)["Training records added"] == 2
    [record] = training_of(riverside.provider_id, "W1")
    assert (record.training_name, record.notes) == (COURSE, NOTES)
    w2 = {row.worker_id: row for row in stored_staff(riverside.provider_id)}["W2"]
    assert w2.hourly_rate == Decimal("13.10")


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
def test_item3_a_quoted_value_with_line_breaks_is_one_row_and_kept_whole(riverside, newline):
    notes = f"Observed by the manager.{newline}Signed off by the trainer, 2 March."
    training = training_csv(
        training_row(UNIQUEWORKERID="EXIST1", NOTES=notes),
        # Row 3 of the spreadsheet (line 4 of the file): its warning must say row 3.
        training_row(UNIQUEWORKERID="EXIST1", CATEGORY="13", EXPIRYDATE="01/03/2030"),
        newline=newline,
    )
    assert training.count(newline.encode()) == 4
    journey = riverside.journey
    token = journey.upload(training=training)
    html = journey.check(token)
    assert "2 rows of data." in html
    assert problems(html, "training-warnings") == [
        ("3", "EXPIRYDATE", "01/03/2030", messages.UPLOAD_VALIDITY_MISMATCH)
    ]
    journey.confirm_and_finish(token)
    records = training_of(riverside.provider_id, "EXIST1")
    assert [(r.category, r.notes) for r in records] == [(20, notes), (13, None)]


@pytest.mark.parametrize("file_type", ["csv", "xlsx"])
def test_item3_trailing_empty_rows_and_columns_are_ignored(riverside, file_type):
    blank = "" if file_type == "csv" else " "  # an XLSX cell holding only a space
    headings = [*TRAINING_HEADINGS, blank, blank]
    rows = [  # rows wider than the headings, with nothing in the extra cells
        [*training_row(UNIQUEWORKERID="EXIST1"), blank, blank, blank, blank],
        [*training_row(UNIQUEWORKERID="EXIST1", CATEGORY="13"), blank, blank, blank],
        *[[blank] * (len(headings) + 2)] * 3,
    ]
    if file_type == "csv":
        data, name = csv_file(headings, rows) + b"\r\n\r\n", "training.csv"
    else:
        data, name = xlsx_file(headings, rows), "training.xlsx"
    journey = riverside.journey
    token = journey.upload(training=data, training_name=name)
    html = journey.check(token)
    assert "2 rows of data." in html and "There are no errors in this file." in html
    assert 'id="training-warnings"' not in html
    done = journey.confirm_and_finish(token)
    assert counts(done)["Training records added"] == 2
    assert [r.category for r in training_of(riverside.provider_id, "EXIST1")] == [20, 13]


EXCEL_SERIAL = {date(2026, 3, 1): 46082, date(2027, 2, 28): 46446}


@pytest.mark.parametrize(
    ("file_type", "completed", "expiry"),
    [
        ("csv", "01/03/2026", "28/02/2027"),
        ("csv", "1/3/2026", "28/2/2027"),
        ("xlsx", "01/03/2026", "28/02/2027"),
        ("xlsx", datetime(2026, 3, 1), datetime(2027, 2, 28)),
        ("xlsx", EXCEL_SERIAL[date(2026, 3, 1)], EXCEL_SERIAL[date(2027, 2, 28)]),
        ("csv", "46082", "46446"),
        ("csv", "01/03/2026 00:00", "28/02/2027 00:00"),
    ],
    ids=[
        "csv-text",
        "csv-short-text",
        "xlsx-text",
        "xlsx-date-cells",
        "xlsx-serial-numbers",
        "csv-serial-numbers",
        "csv-with-times",
    ],
)
def test_item3_uk_dates_as_text_as_excel_date_cells_and_as_serial_numbers(
    riverside, file_type, completed, expiry
):
    rows = [training_row(UNIQUEWORKERID="EXIST1", DATECOMPLETED=completed, EXPIRYDATE=expiry)]
    if file_type == "csv":
        data, name = training_csv(*rows), "training.csv"
    else:
        data, name = xlsx_file(TRAINING_HEADINGS, rows), "training.xlsx"
    journey = riverside.journey
    token = journey.upload(training=data, training_name=name)
    html = journey.check(token)
    assert "There are no errors in this file." in html
    assert 'id="training-warnings"' not in html  # the expiry matches 12 months' validity
    journey.confirm_and_finish(token)
    [record] = training_of(riverside.provider_id, "EXIST1")
    assert (record.date_completed, record.expiry_date) == (date(2026, 3, 1), date(2027, 2, 28))


@pytest.mark.parametrize("file_type", ["csv", "xlsx"])
def test_item3_leading_zeros_in_ids_are_kept(riverside, file_type):
    staff = [staff_row(UNIQUEWORKERID="007", LOCALESTID="000123")]
    training = [training_row(UNIQUEWORKERID="007", LOCALESTID="000123")]
    journey = riverside.journey
    if file_type == "csv":
        token = journey.upload(staff_csv(*staff), training_csv(*training))
    else:
        token = journey.upload(
            xlsx_file(STAFF_HEADINGS, staff),
            xlsx_file(TRAINING_HEADINGS, training),
            staff_name="staff.xlsx",
            training_name="training.xlsx",
        )
    assert "There are no errors in this file." in journey.check(token)
    journey.confirm_and_finish(token)
    stored = {row.worker_id: row for row in stored_staff(riverside.provider_id)}
    assert sorted(stored) == ["007", "EXIST1"]
    assert stored["007"].branch_id == riverside.branch_id
    assert len(training_of(riverside.provider_id, "007")) == 1


def test_item3_ids_in_scientific_notation_are_flagged_with_their_row_and_column(riverside):
    staff = staff_csv(staff_row(UNIQUEWORKERID="W1"), staff_row(UNIQUEWORKERID="1.2E+11"))
    training = training_csv(
        training_row(UNIQUEWORKERID="W1"),
        training_row(UNIQUEWORKERID="W1", CATEGORY="13", LOCALESTID="1.23E+05"),
        training_row(UNIQUEWORKERID="1.2E+11"),
    )
    before = snapshot(riverside)
    journey = riverside.journey
    token = journey.upload(staff, training)
    html = journey.check(token)
    science = messages.UPLOAD_SCIENTIFIC_NOTATION
    assert problems(html, "staff-errors") == [("3", "UNIQUEWORKERID", "1.2E+11", science)]
    assert problems(html, "training-errors") == [
        ("3", "LOCALESTID", "1.23E+05", science),
        ("4", "UNIQUEWORKERID", "1.2E+11", science),
    ]
    assert "You need to fix 1 workplace ID and 1 worker ID" in html
    refused_as_it_stands(riverside, token, html)
    assert snapshot(riverside) == before


def test_item3_na_none_and_null_stay_text_where_text_is_expected(riverside):
    staff = staff_csv(staff_row(UNIQUEWORKERID="NA"), staff_row(UNIQUEWORKERID="null"))
    training = training_csv(
        training_row(UNIQUEWORKERID="NA", TRAININGNAME="None", NOTES="NA"),
        training_row(UNIQUEWORKERID="null", TRAININGNAME="NA", NOTES="N/A"),
    )
    journey = riverside.journey
    journey.import_files(staff, training)
    assert worker_ids(riverside) == ["EXIST1", "NA", "null"]
    [na] = training_of(riverside.provider_id, "NA")
    assert (na.training_name, na.notes) == ("None", "NA")
    [null] = training_of(riverside.provider_id, "null")
    assert (null.training_name, null.notes) == ("NA", "N/A")


def test_item3_whitespace_around_headings_and_values_is_trimmed(riverside):
    staff = csv_file(
        [f" {heading}\xa0" for heading in STAFF_HEADINGS],  # a no-break space, pasted in
        [staff_row(UNIQUEWORKERID="  W1 ", LOCALESTID=" 000123", MAINJOBROLE=" 8 ",
                   HOURLYRATE=" 12.60 ", STARTDATE=" 01/09/2021 ")],
    )  # fmt: skip
    training = training_csv(
        training_row(UNIQUEWORKERID="\tW1  ", CATEGORY=" 20 ", TRAININGNAME="\xa0 First aid  ",
                     DATECOMPLETED=" 01/03/2026 ", VALIDITY=" 12", NOTES="  kept inside  ")
    )  # fmt: skip
    riverside.journey.import_files(staff, training)
    w1 = {row.worker_id: row for row in stored_staff(riverside.provider_id)}["W1"]
    assert (w1.branch_id, w1.main_job_role, w1.hourly_rate, w1.start_date) == (
        riverside.branch_id, 8, Decimal("12.60"), date(2021, 9, 1),
    )  # fmt: skip
    [record] = training_of(riverside.provider_id, "W1")
    assert (record.category, record.training_name, record.notes, record.validity) == (
        20, "First aid", "kept inside", "12",
    )  # fmt: skip
    assert (record.date_completed, record.expiry_date) == (date(2026, 3, 1), date(2027, 2, 28))


# --- item 4: the rules -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["staff", "training"])
def test_item4_ids_are_required_and_worker_ids_at_most_50_characters(riverside, kind):
    fifty, fifty_one = "W" * 49 + "5", "W" * 50 + "1"
    row = staff_row if kind == "staff" else training_row
    bad_rows = [
        row(UNIQUEWORKERID=""),
        row(UNIQUEWORKERID=fifty_one),
        row(UNIQUEWORKERID=fifty if kind == "training" else "W4", LOCALESTID=""),
        row(UNIQUEWORKERID=fifty),
    ]
    staff_rows = bad_rows if kind == "staff" else [staff_row(UNIQUEWORKERID=fifty)]
    training_rows = bad_rows if kind == "training" else [training_row(UNIQUEWORKERID=fifty)]
    before = snapshot(riverside)
    journey = riverside.journey
    token = journey.upload(staff_csv(*staff_rows), training_csv(*training_rows))
    html = journey.check(token)
    assert problems(html, f"{kind}-errors") == [
        ("2", "UNIQUEWORKERID", "", messages.WORKER_ID_REQUIRED),
        ("3", "UNIQUEWORKERID", fifty_one, messages.WORKER_ID_TOO_LONG),
        ("4", "LOCALESTID", "", messages.UPLOAD_BRANCH_REQUIRED),
    ]
    assert "You need to fix 2 worker IDs and 1 workplace ID" in html
    refused_as_it_stands(riverside, token, html)
    assert snapshot(riverside) == before
    # The file without those two rows: 50 characters are stored as they are.
    journey.import_files(
        staff_csv(staff_row(UNIQUEWORKERID=fifty)),
        training_csv(training_row(UNIQUEWORKERID=fifty)),
    )
    assert worker_ids(riverside) == ["EXIST1", fifty]
    assert len(training_of(riverside.provider_id, fifty)) == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/2026", messages.upload_date_not_real("Date completed")),
        ("March 2026", messages.upload_date_not_real("Date completed")),
        ("24/11/2026", messages.staff_date_in_future("Date completed")),
        ("31/12/1989", messages.staff_date_too_early("Date completed")),
    ],
    ids=["not-real", "not-a-date", "tomorrow", "before-1990"],
)
def test_item4_date_completed_must_be_real_not_future_and_not_before_1990(
    riverside, value, message
):
    training = training_csv(
        training_row(UNIQUEWORKERID="EXIST1", DATECOMPLETED="23/11/2026"),  # today
        training_row(UNIQUEWORKERID="EXIST1", CATEGORY="13", DATECOMPLETED="01/01/1990"),
        training_row(UNIQUEWORKERID="EXIST1", CATEGORY="6", DATECOMPLETED=value),
    )
    before = snapshot(riverside)
    journey = riverside.journey
    token = journey.upload(training=training)
    html = journey.check(token)
    assert problems(html, "training-errors") == [("4", "DATECOMPLETED", value, message)]
    assert "You need to fix 1 date" in html
    refused_as_it_stands(riverside, token, html)
    assert snapshot(riverside) == before


def test_a_blank_date_completed_imports_as_asc_wds_accepts_it(riverside):
    training = training_csv(
        training_row(UNIQUEWORKERID="EXIST1", DATECOMPLETED="", EXPIRYDATE="01/06/2027"),
        training_row(UNIQUEWORKERID="EXIST1", CATEGORY="13", DATECOMPLETED="", VALIDITY=""),
    )
    journey = riverside.journey
    token = journey.upload(training=training)
    html = journey.check(token)
    assert 'id="confirm-import"' in html and problems(html, "training-errors") == []
    journey.confirm_and_finish(token)
    stored = {r.category: r for r in training_of(riverside.provider_id, "EXIST1")}
    assert stored[20].date_completed is None and stored[20].expiry_date == date(2027, 6, 1)
    assert stored[13].date_completed is None and stored[13].expiry_date is None


def test_item4_expiry_date_must_be_after_date_completed(riverside):
    training = training_csv(
        training_row(UNIQUEWORKERID="EXIST1", EXPIRYDATE="01/03/2026"),  # the same day
        training_row(UNIQUEWORKERID="EXIST1", EXPIRYDATE="28/02/2026"),  # the day before
        training_row(UNIQUEWORKERID="EXIST1", EXPIRYDATE="28/02/2027"),
    )
    before = snapshot(riverside)
    journey = riverside.journey
    token = journey.upload(training=training)
    html = journey.check(token)
    assert problems(html, "training-errors") == [
        ("2", "EXPIRYDATE", "01/03/2026", messages.EXPIRY_NOT_AFTER_COMPLETED),
        ("3", "EXPIRYDATE", "28/02/2026", messages.EXPIRY_NOT_AFTER_COMPLETED),
    ]
    refused_as_it_stands(riverside, token, html)
    assert snapshot(riverside) == before


def test_item4_a_blank_expiry_date_is_derived_from_validity(riverside):
    training = training_csv(
        training_row(UNIQUEWORKERID="EXIST1", CATEGORY="20", VALIDITY="12"),
        training_row(UNIQUEWORKERID="EXIST1", CATEGORY="13", VALIDITY="36",
                     DATECOMPLETED="31/01/2026"),
        training_row(UNIQUEWORKERID="EXIST1", CATEGORY="6", VALIDITY="1",
                     DATECOMPLETED="31/01/2024"),  # 31 January + 1 month: 29 February
        training_row(UNIQUEWORKERID="EXIST1", CATEGORY="7", VALIDITY="none"),
        training_row(UNIQUEWORKERID="EXIST1", CATEGORY="8", VALIDITY=""),
    )  # fmt: skip
    journey = riverside.journey
    token = journey.upload(training=training)
    html = journey.check(token)
    assert "There are no errors in this file." in html and 'id="training-warnings"' not in html
    done = journey.confirm_and_finish(token)
    assert counts(done)["Training records added"] == 5
    assert counts(done)["Training records removed"] == 1  # EXIST1's older safeguarding
    stored = [
        (r.category, r.validity, r.expiry_date)
        for r in training_of(riverside.provider_id, "EXIST1")
    ]
    assert stored == [
        (20, "12", date(2027, 2, 28)),
        (13, "36", date(2029, 1, 30)),
        (6, "1", date(2024, 2, 28)),
        (7, "none", None),
        (8, None, None),
    ]


def test_item4_validity_that_disagrees_with_the_dates_is_a_warning_that_does_not_block(riverside):
    training = training_csv(
        training_row(UNIQUEWORKERID="EXIST1", VALIDITY="12", EXPIRYDATE="01/03/2029"),
        training_row(UNIQUEWORKERID="EXIST1", CATEGORY="13", VALIDITY="none",
                     EXPIRYDATE="01/03/2027"),
        # A day out (completed + 12 months, not - 1 day): as many files write it.
        training_row(UNIQUEWORKERID="EXIST1", CATEGORY="6", EXPIRYDATE="01/03/2027"),
    )  # fmt: skip
    journey = riverside.journey
    token = journey.upload(training=training)
    html = journey.check(token)
    assert "There are no errors in this file." in html
    assert problems(html, "training-warnings") == [
        ("2", "EXPIRYDATE", "01/03/2029", messages.UPLOAD_VALIDITY_MISMATCH),
        ("3", "EXPIRYDATE", "01/03/2027", messages.UPLOAD_VALIDITY_NONE_BUT_EXPIRY),
    ]
    assert (
        "You should check 2 expiry dates that do not match their validity. "
        "Warnings do not stop the import." in html
    )
    assert 'id="confirm-import"' in html
    journey.confirm_and_finish(token)
    stored = [(r.category, r.expiry_date) for r in training_of(riverside.provider_id, "EXIST1")]
    assert stored == [(20, date(2029, 3, 1)), (13, date(2027, 3, 1)), (6, date(2027, 3, 1))]


@pytest.mark.parametrize(
    ("heading", "value", "message"),
    [
        ("CATEGORY", "99", "CATEGORY must be an ASC-WDS training category code, like 20 for "
                           "safeguarding adults"),
        ("ACCREDITED", "2", "ACCREDITED must be 1 (yes), 0 (no) or 999 (not known)"),
        ("WHODELIVERED", "3", "WHODELIVERED must be 1 (in-house) or 2 (external provider)"),
        ("HOWDELIVERED", "Online", "HOWDELIVERED must be 1 (face to face) or 2 (e-learning)"),
    ],
)  # fmt: skip
def test_item4_unknown_codes_are_errors_naming_their_row_and_column(
    riverside, heading, value, message
):
    training = training_csv(
        training_row(UNIQUEWORKERID="EXIST1"),
        training_row(**{"UNIQUEWORKERID": "EXIST1", "CATEGORY": "13", heading: value}),
    )
    before = snapshot(riverside)
    journey = riverside.journey
    token = journey.upload(training=training)
    html = journey.check(token)
    assert problems(html, "training-errors") == [("3", heading, value, message)]
    refused_as_it_stands(riverside, token, html)
    assert snapshot(riverside) == before


def test_item4_training_for_a_worker_in_neither_the_staff_file_nor_the_records_is_an_error(
    riverside,
):
    other = make_provider()
    db.session.add(
        StaffMember(
            provider_id=other.id, branch_id=other.branches[0].id, worker_id="THEIRS",
            main_job_role=8,
        )
    )  # fmt: skip
    db.session.commit()
    staff = staff_csv(staff_row(UNIQUEWORKERID="W1"))
    training = training_csv(
        training_row(UNIQUEWORKERID="W1"),  # in the staff file uploaded with it
        training_row(UNIQUEWORKERID="EXIST1"),  # already one of the provider's staff
        training_row(UNIQUEWORKERID="GHOST"),
        training_row(UNIQUEWORKERID="THEIRS"),  # another provider's
    )
    before = snapshot(riverside)
    journey = riverside.journey
    token = journey.upload(staff, training)
    html = journey.check(token)
    assert 'id="staff-errors"' not in html
    assert problems(html, "training-errors") == [
        ("4", "UNIQUEWORKERID", "GHOST", messages.UPLOAD_UNKNOWN_WORKER),
        ("5", "UNIQUEWORKERID", "THEIRS", messages.UPLOAD_UNKNOWN_WORKER),
    ]
    refused_as_it_stands(riverside, token, html)
    # Without the staff file, W1 is nobody yet either.
    token = journey.upload(training=training)
    html = journey.check(token)
    assert [p[:3] for p in problems(html, "training-errors")] == [
        ("2", "UNIQUEWORKERID", "W1"),
        ("4", "UNIQUEWORKERID", "GHOST"),
        ("5", "UNIQUEWORKERID", "THEIRS"),
    ]
    refused_as_it_stands(riverside, token, html)
    assert snapshot(riverside) == before


def test_item4_exact_duplicate_rows_are_a_warning_and_import_once(riverside):
    staff = staff_csv(staff_row(UNIQUEWORKERID="W1"), staff_row(UNIQUEWORKERID="W1"))
    row = training_row(UNIQUEWORKERID="W1")
    # The same after trimming: a spreadsheet shows no difference either.
    padded = training_row(UNIQUEWORKERID=" W1 ", TRAININGNAME="Safeguarding adults ")
    training = training_csv(row, training_row(UNIQUEWORKERID="W1", CATEGORY="13"), padded)
    journey = riverside.journey
    token = journey.upload(staff, training)
    html = journey.check(token)
    assert problems(html, "staff-warnings") == [
        ("3", "Whole row", "", messages.upload_duplicate_row(2))
    ]
    assert problems(html, "training-warnings") == [
        ("4", "Whole row", "", messages.upload_duplicate_row(2))
    ]
    assert html.count("You should check 1 duplicate row.") == 2
    done = journey.confirm_and_finish(token)
    assert counts(done)["New staff"] == 1 and counts(done)["Training records added"] == 2
    assert worker_ids(riverside) == ["EXIST1", "W1"]
    assert [r.category for r in training_of(riverside.provider_id, "W1")] == [20, 13]


# --- item 5: importing safely ---------------------------------------------------------------

TEAM_STAFF = [staff_row(UNIQUEWORKERID=w) for w in ("W1", "W2", "W3")]
TEAM_TRAINING = [
    training_row(UNIQUEWORKERID="W1"),
    training_row(UNIQUEWORKERID="W1", CATEGORY="13", VALIDITY="36"),
    training_row(UNIQUEWORKERID="W2"),
    training_row(UNIQUEWORKERID="W3", CATEGORY="6", VALIDITY="none", NOTES="Refresher"),
]


# An ASC-WDS export as a provider sends it every month: EXIST1 has left (their training
# still counts for the months they worked).
LEAVER = staff_row(
    **{**dict.fromkeys(STAFF_HEADINGS, ""), "UNIQUEWORKERID": "EXIST1", "STATUS": "DELETE"}
)
MONTHLY_STAFF = [*TEAM_STAFF, LEAVER]
MONTHLY_TRAINING = [*TEAM_TRAINING, training_row(UNIQUEWORKERID="EXIST1", CATEGORY="13")]


@pytest.mark.parametrize("file_type", ["csv", "xlsx"])
def test_item5_the_same_files_twice_change_nothing(riverside, file_type):
    if file_type == "csv":
        files = {"staff": staff_csv(*MONTHLY_STAFF), "training": training_csv(*MONTHLY_TRAINING)}
        names = {}
    else:
        files = {
            "staff": xlsx_file(STAFF_HEADINGS, MONTHLY_STAFF),
            "training": xlsx_file(TRAINING_HEADINGS, MONTHLY_TRAINING),
        }
        names = {"staff_name": "staff.xlsx", "training_name": "training.xlsx"}
    journey = riverside.journey
    first = journey.confirm_and_finish(journey.upload(**files, **names))
    assert counts(first) == {
        "New staff": 3, "Staff updated": 0, "Staff unchanged": 0, "Staff marked as left": 1,
        "Training records added": 5, "Training records changed": 0,
        "Training records unchanged": 0, "Training records removed": 1,
        "Staff whose training was unchanged": 0,
    }  # fmt: skip
    before = snapshot(riverside)
    assert [row.left_on for row in before[0]] == [TODAY, None, None, None]

    token = journey.upload(**files, **names)
    html = journey.check(token)
    assert counts(html, "changes") == {
        "New staff": 0, "Staff updated": 0, "Staff unchanged": 4, "Staff marked as left": 0,
        "Training records added": 0, "Training records changed": 0,
        "Training records unchanged": 5, "Training records removed": 0,
    }  # fmt: skip
    done = journey.confirm_and_finish(token)
    assert counts(done) == {
        "New staff": 0, "Staff updated": 0, "Staff unchanged": 4, "Staff marked as left": 0,
        "Training records added": 0, "Training records changed": 0,
        "Training records unchanged": 5, "Training records removed": 0,
        "Staff whose training was unchanged": 4,
    }  # fmt: skip
    assert snapshot(riverside) == before  # every column, the records' ids too


def test_item5_a_corrected_file_replaces_what_it_covers(riverside):
    journey = riverside.journey
    journey.import_files(staff_csv(*TEAM_STAFF), training_csv(*TEAM_TRAINING))
    untouched = [
        row for row in stored_training(riverside.provider_id) if row.worker_id in ("EXIST1", "W3")
    ]
    w2_before = training_of(riverside.provider_id, "W2")

    staff = staff_csv(
        staff_row(UNIQUEWORKERID="W1"), staff_row(UNIQUEWORKERID="W2", HOURLYRATE="13.00")
    )
    training = training_csv(
        training_row(UNIQUEWORKERID="W1", DATECOMPLETED="02/03/2026", NOTES="Corrected date"),
        training_row(UNIQUEWORKERID="W2"),  # as it was
    )
    token = journey.upload(staff, training)
    html = journey.check(token)
    assert counts(html, "changes") == {
        "New staff": 0, "Staff updated": 1, "Staff unchanged": 1, "Staff marked as left": 0,
        "Training records added": 1, "Training records changed": 0,
        "Training records unchanged": 1, "Training records removed": 2,
    }  # fmt: skip
    done = journey.confirm_and_finish(token)
    assert counts(done)["Staff whose training was unchanged"] == 1

    [w1] = training_of(riverside.provider_id, "W1")
    assert (w1.category, w1.date_completed, w1.expiry_date, w1.notes) == (
        20, date(2026, 3, 2), date(2027, 3, 1), "Corrected date",
    )  # fmt: skip
    assert [(r.id, r.category) for r in training_of(riverside.provider_id, "W2")] == [
        (r.id, r.category) for r in w2_before
    ]
    assert [
        row for row in stored_training(riverside.provider_id) if row.worker_id in ("EXIST1", "W3")
    ] == untouched
    rates = {row.worker_id: row.hourly_rate for row in stored_staff(riverside.provider_id)}
    assert rates == {"EXIST1": None, "W1": Decimal("12.60"), "W2": Decimal("13.00"),
                     "W3": Decimal("12.60")}  # fmt: skip


def test_item5_nothing_is_stored_from_an_unconfirmed_file(riverside):
    before = snapshot(riverside)
    journey = riverside.journey
    token = journey.upload(
        staff_csv(*TEAM_STAFF),
        training_csv(*TEAM_TRAINING, training_row(UNIQUEWORKERID="EXIST1", CATEGORY="13")),
    )
    for _ in range(2):  # the check page, and coming back to it
        html = journey.check(token)
        assert counts(html, "changes")["New staff"] == 3
        assert counts(html, "changes")["Training records removed"] == 1
        assert 'id="confirm-import"' in html
    # The problem downloads are read-only too.
    assert journey.client.get(f"{journey.base}/problems.csv?batch={token}").status_code == 200
    assert snapshot(riverside) == before
    assert batch_status(token) == "checked"
    # The done page of an unconfirmed upload sends the user back to check it.
    response = journey.client.get(f"{journey.base}/done?batch={token}")
    assert response.status_code == 302 and "/check?batch=" in response.location
    assert snapshot(riverside) == before


def test_item5_records_changed_between_check_and_confirm_refuse_the_import(riverside):
    journey = riverside.journey
    journey.import_files(staff_csv(*TEAM_STAFF), training_csv(*TEAM_TRAINING))
    staff = staff_csv(
        staff_row(UNIQUEWORKERID="W1", HOURLYRATE="14.00"),
        staff_row(UNIQUEWORKERID="W9", STATUS="NEW"),
    )
    training = training_csv(training_row(UNIQUEWORKERID="W9"))
    token = journey.upload(staff, training)
    assert 'id="confirm-import"' in journey.check(token)
    # Meanwhile a colleague adds W9 by hand: the file's NEW row no longer fits.
    db.session.add(
        StaffMember(
            provider_id=riverside.provider_id,
            branch_id=riverside.branch_id,
            worker_id="W9",
            main_job_role=8,
        )
    )
    db.session.commit()
    before = snapshot(riverside)

    response = journey.confirm(token)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    check_page(html)
    assert "There is a problem" in html
    assert "Fix the errors in your files and upload them again" in html
    assert problems(html, "staff-errors") == [
        ("3", "STATUS", "NEW", messages.UPLOAD_STATUS_NEW_EXISTS)
    ]
    assert snapshot(riverside) == before  # W1's rate and everyone's training as they were
    assert batch_status(token) == "checked"


def test_item5_records_changed_while_the_import_waits_in_the_queue_refuse_it(
    app, riverside, redis_url
):
    journey = riverside.journey
    journey.import_files(staff_csv(*TEAM_STAFF), training_csv(*TEAM_TRAINING))
    redis = Redis.from_url(redis_url)
    redis.flushdb()
    app.config["REDIS_URL"] = redis_url  # the import now waits for a worker
    try:
        token = journey.upload(
            staff_csv(
                staff_row(UNIQUEWORKERID="W1", HOURLYRATE="14.00"),
                staff_row(UNIQUEWORKERID="W9", STATUS="NEW"),
            ),
            training_csv(training_row(UNIQUEWORKERID="W9")),
        )
        assert 'id="confirm-import"' in journey.check(token)
        response = journey.confirm(token)
        assert response.status_code == 302 and "/progress?batch=" in response.location
        assert "/progress/status?batch=" in journey.page(response.location)  # still waiting
        # Before a worker takes the job, a colleague adds W9 by hand.
        db.session.add(
            StaffMember(
                provider_id=riverside.provider_id,
                branch_id=riverside.branch_id,
                worker_id="W9",
                main_job_role=8,
            )
        )
        db.session.commit()
        before = snapshot(riverside)
        worker = SimpleWorker([Queue("imports", connection=redis)], connection=redis)
        assert worker.work(burst=True)  # in this process, so in this test's transaction
    finally:
        redis.flushdb()
    progress = journey.client.get(response.location)
    assert progress.status_code == 302 and "/done?batch=" in progress.location
    done = journey.page(progress.location)
    assert "Your files could not be imported" in done
    assert "the staff records changed after they were checked. Upload them again." in done
    assert snapshot(riverside) == before  # W1's rate as it was; W9 only as the colleague added
    assert batch_status(token) == "failed"


@pytest.fixture
def refusing_database(riverside):
    """PostgreSQL refuses any training record with these notes (a constraint the check does
    not know about), so an import fails after it has written the staff records."""
    refused = "The database refuses this row"
    db.session.execute(
        text(
            "ALTER TABLE training_record ADD CONSTRAINT upload_test_refuses "
            f"CHECK (notes IS DISTINCT FROM '{refused}')"
        )
    )
    db.session.commit()  # within the test's transaction, rolled back with it
    return refused


def test_item5_an_import_that_fails_midway_leaves_the_previous_data_as_it_was(
    riverside, refusing_database
):
    journey = riverside.journey
    journey.import_files(staff_csv(*TEAM_STAFF), training_csv(*TEAM_TRAINING))
    before = snapshot(riverside)
    staff = staff_csv(
        staff_row(UNIQUEWORKERID="W1", HOURLYRATE="14.00"),  # an update, written first
        staff_row(UNIQUEWORKERID="W9", STATUS="NEW"),  # an insert, written first
    )
    training = training_csv(
        training_row(UNIQUEWORKERID="W1", CATEGORY="13"),  # W1's 2 records deleted first
        training_row(UNIQUEWORKERID="W9", NOTES=refusing_database),
    )
    token = journey.upload(staff, training)
    html = journey.check(token)
    assert counts(html, "changes")["New staff"] == 1
    done = journey.confirm_and_finish(token)
    assert "Your files could not be imported" in done
    assert "Nothing was changed: your staff and training records are as they were." in done
    assert "upload_test_refuses" not in done and "Traceback" not in done
    assert snapshot(riverside) == before
    db.session.expire_all()
    batch = db.session.scalar(select(UploadBatch).where(UploadBatch.token == token))
    assert batch.status == "failed" and "upload_test_refuses" in batch.error
    assert not [f for f in stored_files() if f.startswith(token)], "the failed batch's files go"


# --- item 6: bad files -------------------------------------------------------------------

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
    b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


@cache
def zip_bomb() -> bytes:
    """A workbook of about 100KB whose sheet unpacks to 100MB of the same byte."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(b"<worksheet><sheetData><row><c><v>")
            run = b"1" * (1024 * 1024)
            for _ in range(100):
                part.write(run)
            part.write(b"</v></c></row></sheetData></worksheet>")
    data = buffer.getvalue()
    assert len(data) < 200_000
    return data


@cache
def wide_xlsx() -> bytes:
    return xlsx_file([f"C{n}" for n in range(10_000)], [["1"] * 10_000])


def _wide_csv() -> bytes:
    return csv_file([f"C{n}" for n in range(10_000)], [["1"] * 10_000])


def _noise(seed: int) -> bytes:
    return random.Random(seed).randbytes(20_000)


def _wide_row(kind: str) -> bytes:
    """Headings as they should be, then a row of 10,000 values."""
    good = staff_csv(staff_row()) if kind == "staff" else training_csv(training_row())
    return good + b",".join([b"1"] * 10_000)


def _header_only(kind: str) -> bytes:
    return csv_file(STAFF_HEADINGS if kind == "staff" else TRAINING_HEADINGS, [])


def _header_only_xlsx(kind: str) -> bytes:
    return xlsx_file(STAFF_HEADINGS if kind == "staff" else TRAINING_HEADINGS, [])


TOO_MANY_COLUMNS = messages.upload_too_many_columns(500)
BAD_FILES = {
    "random-bytes.csv": (lambda kind: _noise(6), messages.UPLOAD_WRONG_TYPE),
    "random-bytes.xlsx": (lambda kind: _noise(7), messages.UPLOAD_WRONG_TYPE),
    "picture.csv": (lambda kind: PNG, messages.UPLOAD_WRONG_TYPE),
    "picture.xlsx": (lambda kind: PNG, messages.UPLOAD_WRONG_TYPE),
    "zip-bomb.xlsx": (lambda kind: zip_bomb(), messages.UPLOAD_CANNOT_OPEN),
    "empty.csv": (lambda kind: b"", messages.UPLOAD_EMPTY),
    "headings-only.csv": (_header_only, messages.UPLOAD_NO_DATA),
    "headings-only.xlsx": (_header_only_xlsx, messages.UPLOAD_NO_DATA),
    "wide.csv": (lambda kind: _wide_csv(), TOO_MANY_COLUMNS),
    "wide.xlsx": (lambda kind: wide_xlsx(), TOO_MANY_COLUMNS),
    "wide-row.csv": (_wide_row, TOO_MANY_COLUMNS),
}


@pytest.mark.parametrize("kind", ["staff", "training"])
@pytest.mark.parametrize("name", list(BAD_FILES))
def test_item6_a_bad_file_gets_a_clear_message_and_nothing_is_stored(riverside, name, kind):
    make, message = BAD_FILES[name]
    # The other file is fine: nothing of it is stored either while this one is refused.
    good = {
        "staff": staff_csv(staff_row(UNIQUEWORKERID="W1")),
        "training": training_csv(training_row(UNIQUEWORKERID="EXIST1", CATEGORY="13")),
    }
    files = {**good, kind: make(kind)}
    before = snapshot(riverside)
    journey = riverside.journey
    token = journey.upload(**files, **{f"{kind}_name": name})
    html = journey.check(token)
    assert f"{kind.capitalize()} file: {name}" in html
    assert "This file cannot be imported" in html
    assert file_problems(html, kind) == [message]
    download = journey.client.get(f"{journey.base}/problems.csv?batch={token}")
    assert download.status_code == 200 and message in download.get_data(as_text=True)
    refused_as_it_stands(riverside, token, html)
    assert snapshot(riverside) == before


def test_item6_an_upload_over_the_size_limit_gets_413_and_stores_nothing(app, riverside):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    rows = [training_row(UNIQUEWORKERID="EXIST1", NOTES=f"Session {n:05d} " + "x" * 80)
            for n in range(8_000)]  # fmt: skip
    data = training_csv(*rows)
    assert len(data) > 1024 * 1024
    before = snapshot(riverside)
    response = riverside.journey.post_files(training=(data, "training.csv"))
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    check_page(html)
    assert "The file is too large" in html
    assert "The selected file must be smaller than 1 MB. Nothing was saved." in html
    assert snapshot(riverside) == before
    count = select(func.count()).where(UploadBatch.provider_id == riverside.provider_id)
    assert db.session.scalar(count) == 0
    assert stored_files() == []


def _multipart(disposition: bytes, data: bytes, csrf: str) -> tuple[bytes, str]:
    """The upload form's body as a browser sends it, the file's Content-Disposition as given."""
    boundary = b"----upload-test-boundary"
    body = b"".join(
        [
            b"--" + boundary + b"\r\n",
            b'Content-Disposition: form-data; name="csrf_token"\r\n\r\n',
            csrf.encode() + b"\r\n",
            b"--" + boundary + b"\r\n",
            b'Content-Disposition: form-data; name="staff_file"; ' + disposition + b"\r\n",
            b"Content-Type: text/csv\r\n\r\n",
            data + b"\r\n",
            # The file input left empty, as a browser sends it.
            b"--" + boundary + b"\r\n",
            b'Content-Disposition: form-data; name="training_file"; filename=""\r\n',
            b"Content-Type: application/octet-stream\r\n\r\n\r\n",
            b"--" + boundary + b"--\r\n",
        ]
    )
    return body, f"multipart/form-data; boundary={boundary.decode()}"


@pytest.mark.parametrize(
    ("disposition", "shown"),
    [
        (b'filename="../../../etc/cron.d/staff.csv"', "staff.csv"),
        (b'filename="C:\\\\Users\\\\sam\\\\Desktop\\\\staff.csv"', "staff.csv"),
        (b"filename*=UTF-8''staff%0D%0Alist%0A.csv", "stafflist.csv"),
        (b"filename*=UTF-8''..%2F..%2Fstaff%E2%80%AE%0A.csv", "staff.csv"),
    ],
    ids=["unix-path", "windows-path", "line-breaks", "path-bidi-and-line-break"],
)
def test_item6_a_file_name_with_folders_or_line_breaks_is_shown_safely(
    riverside, disposition, shown
):
    journey = riverside.journey
    before = snapshot(riverside)
    body, content_type = _multipart(
        disposition, staff_csv(staff_row(UNIQUEWORKERID="W1")), journey.csrf
    )
    response = journey.client.post(journey.base, data=body, content_type=content_type)
    assert response.status_code == 302, response.status_code
    token = response.location.split("batch=")[1]
    html = journey.check(token)
    assert f"Staff file: {shown}</h2>" in html
    batch = db.session.scalar(select(UploadBatch).where(UploadBatch.token == token))
    assert batch.staff_name == shown
    # The file is kept under the batch's token, never under the name it was sent with.
    assert stored_files() == [f"{token}.staff"]
    assert snapshot(riverside) == before
    done = journey.confirm_and_finish(token)
    assert f"Your staff file {shown}." in done
    assert worker_ids(riverside) == ["EXIST1", "W1"]


def test_item6_a_line_break_left_raw_in_the_file_name_loses_the_file_not_the_page(riverside):
    journey = riverside.journey
    body, content_type = _multipart(
        b'filename="staff\r\nlist.csv"', staff_csv(staff_row(UNIQUEWORKERID="W1")), journey.csrf
    )
    before = snapshot(riverside)
    response = journey.client.post(journey.base, data=body, content_type=content_type)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    check_page(html)
    assert "Select a staff file or a training file" in html
    assert snapshot(riverside) == before
    count = select(func.count()).where(UploadBatch.provider_id == riverside.provider_id)
    assert db.session.scalar(count) == 0
