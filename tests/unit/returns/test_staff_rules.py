"""The ASC-WDS staff and training rules, shared by the web form, uploads and the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from forms import messages
from portal.mandatory import DEFAULT_MANDATORY_CATEGORIES
from portal.returns import ascwds_file_rules, staff_reference, training_status_rules
from portal.returns import staff_rules as rules

TODAY = date(2026, 11, 23)


# --- reference lists ----------------------------------------------------------------


def test_reference_lists_load_once_from_the_csv_files():
    assert staff_reference.job_roles() is staff_reference.job_roles()  # cached
    assert staff_reference.job_roles()[8].name == "Care worker"
    assert staff_reference.job_roles()[8].provides_care is True
    assert staff_reference.job_roles()[4].provides_care is True  # registered manager (ASC-WDS)
    assert staff_reference.job_roles()[25].provides_care is False  # administrative
    assert staff_reference.training_categories()[20].name == "Safeguarding adults"
    assert staff_reference.training_categories()[21].group == "Other"  # blank group in the file
    groups = [name for name, _ in staff_reference.category_groups()]
    assert groups[0] == "Care skills and knowledge" and groups[-1] == "Other"
    assert sum(len(items) for _, items in staff_reference.category_groups()) == len(
        staff_reference.training_categories()
    )
    assert staff_reference.category_name(999) == "Category 999"
    assert staff_reference.job_role_name(None) == "Job role None"
    assert staff_reference.provides_care(None) is False


def test_default_mandatory_categories_are_the_named_courses():
    names = {staff_reference.category_name(code) for code in DEFAULT_MANDATORY_CATEGORIES}
    assert names == {
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


# --- worker and staff fields --------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("W001", ("W001", None)),
        ("  W 001  ", ("W 001", None)),
        ("x" * 50, ("x" * 50, None)),
        ("x" * 51, (None, messages.WORKER_ID_TOO_LONG)),
        ("", (None, messages.WORKER_ID_REQUIRED)),
        ("   ", (None, messages.WORKER_ID_REQUIRED)),
        (None, (None, messages.WORKER_ID_REQUIRED)),
    ],
)
def test_worker_id(raw, expected):
    assert rules.worker_id(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8", (8, None)),
        (" 16 ", (16, None)),
        ("08", (8, None)),
        ("2", (2, None)),  # middle management
        ("12", (None, messages.JOB_ROLE_REQUIRED)),  # not in job-roles.csv
        ("care worker", (None, messages.JOB_ROLE_REQUIRED)),
        ("8.0", (None, messages.JOB_ROLE_REQUIRED)),
        ("-8", (None, messages.JOB_ROLE_REQUIRED)),
        ("", (None, messages.JOB_ROLE_REQUIRED)),
        ("9" * 40, (None, messages.JOB_ROLE_REQUIRED)),
    ],
)
def test_main_job_role(raw, expected):
    assert rules.main_job_role(raw) == expected


def test_coded_answers():
    assert rules.care_certificate("1") == (1, None)
    assert rules.care_certificate("3") == (3, None)
    assert rules.care_certificate("4") == (None, messages.CARE_CERTIFICATE_REQUIRED)
    assert rules.care_certificate("") == (None, messages.CARE_CERTIFICATE_REQUIRED)
    assert rules.care_certificate("", required=False) == (None, None)
    assert rules.health_care_visa("999") == (999, None)
    assert rules.health_care_visa("3") == (None, messages.VISA_REQUIRED)
    assert rules.employment_status("") == (None, None)  # optional
    assert rules.employment_status("4") == (4, None)
    assert rules.employment_status("6") == (None, messages.EMPLOYMENT_STATUS_INVALID)
    assert rules.zero_hours("1") == (True, None)
    assert rules.zero_hours("2") == (False, None)
    assert rules.zero_hours("999") == (None, None)
    assert rules.zero_hours("yes") == (None, messages.ZERO_HOURS_REQUIRED)
    assert rules.accredited("0") == (0, None)
    assert rules.accredited("999") == (999, None)
    assert rules.accredited("2") == (None, messages.ACCREDITED_REQUIRED)
    assert rules.who_delivered("2") == (2, None)
    assert rules.who_delivered("3") == (None, messages.WHO_DELIVERED_REQUIRED)
    assert rules.how_delivered("1") == (1, None)
    assert rules.how_delivered("0") == (None, messages.HOW_DELIVERED_REQUIRED)
    assert rules.category("42") == (42, None)
    assert rules.category("3") == (None, messages.CATEGORY_REQUIRED)  # no code 3
    assert rules.category("") == (None, messages.CATEGORY_REQUIRED)


@pytest.mark.parametrize(
    ("raw", "value", "error"),
    [
        ("12.6", Decimal("12.60"), None),
        ("£12.60", Decimal("12.60"), None),
        ("0.01", Decimal("0.01"), None),
        ("200", Decimal("200.00"), None),
        ("200.01", None, messages.money_out_of_range("Hourly rate")),
        ("0", None, messages.money_out_of_range("Hourly rate")),
        ("-5", None, messages.money_out_of_range("Hourly rate")),
        ("12.605", None, messages.kpi_two_decimals("Hourly rate")),
        ("twelve", None, messages.money_not_number("Hourly rate")),
        ("1e2", None, messages.money_not_number("Hourly rate")),
        ("NaN", None, messages.money_not_number("Hourly rate")),
        ("", None, messages.HOURLY_RATE_REQUIRED),
    ],
)
def test_hourly_rate(raw, value, error):
    assert rules.hourly_rate(raw) == (value, error)


def test_hourly_rate_optional_and_labelled():
    assert rules.hourly_rate("", required=False) == (None, None)
    assert rules.hourly_rate("x", label="Lowest hourly pay")[1] == messages.money_not_number(
        "Lowest hourly pay"
    )


@pytest.mark.parametrize(
    ("raw", "value", "error"),
    [
        ("0", Decimal("0.00"), None),
        ("37.5", Decimal("37.50"), None),
        ("75", Decimal("75.00"), None),
        ("75.01", None, messages.CONTRACTED_HOURS_RANGE),
        ("-1", None, messages.CONTRACTED_HOURS_RANGE),
        ("37.555", None, messages.kpi_two_decimals("Contracted hours")),
        ("lots", None, messages.CONTRACTED_HOURS_NOT_NUMBER),
        ("", None, messages.CONTRACTED_HOURS_REQUIRED),
    ],
)
def test_contracted_hours(raw, value, error):
    assert rules.contracted_hours(raw) == (value, error)


# --- dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("27/03/2024", date(2024, 3, 27)),
        ("7/3/2024", date(2024, 3, 7)),
        (" 07 / 03 / 2024 ", date(2024, 3, 7)),
        ("2024-03-27", date(2024, 3, 27)),  # from a date input or the API
        ("29/02/2024", date(2024, 2, 29)),  # leap year
        ("01/01/1990", date(1990, 1, 1)),
        ("23/11/2026", TODAY),
    ],
)
def test_dates_accepted(raw, expected):
    assert rules.parse_date(raw, "Start date", TODAY) == (expected, None)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("", messages.staff_date_required("Start date")),
        ("29/02/2025", messages.staff_date_not_real("Start date")),  # not a leap year
        ("29/02/1900", messages.staff_date_not_real("Start date")),
        ("31/04/2024", messages.staff_date_not_real("Start date")),
        ("00/01/2024", messages.staff_date_not_real("Start date")),
        ("1/13/2024", messages.staff_date_not_real("Start date")),
        ("27/03/24", messages.staff_date_not_real("Start date")),
        ("2024/03/27", messages.staff_date_not_real("Start date")),
        ("27-03-2024", messages.staff_date_not_real("Start date")),
        ("next tuesday", messages.staff_date_not_real("Start date")),
        ("31/12/1989", messages.staff_date_too_early("Start date")),
        ("24/11/2026", messages.staff_date_in_future("Start date")),
        ("2099-01-01", messages.staff_date_in_future("Start date")),
    ],
)
def test_dates_refused(raw, error):
    assert rules.parse_date(raw, "Start date", TODAY) == (None, error)


def test_date_messages_read_well():
    assert messages.staff_date_required("Date completed") == "Enter the date completed"
    assert rules.start_date("", TODAY, required=False) == (None, None)
    assert (
        rules.date_completed("24/11/2026", TODAY)[1]
        == "Date completed must be today or in the past"
    )


# --- validity and expiry ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", (None, None)),
        ("none", ("none", None)),
        ("None", ("none", None)),
        ("1", ("1", None)),
        ("012", ("12", None)),
        ("999", ("999", None)),
        ("0", (None, messages.VALIDITY_INVALID)),
        ("1000", (None, messages.VALIDITY_INVALID)),
        ("12.5", (None, messages.VALIDITY_INVALID)),
        ("-1", (None, messages.VALIDITY_INVALID)),
        ("a year", (None, messages.VALIDITY_INVALID)),
    ],
)
def test_validity(raw, expected):
    assert rules.validity(raw) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clamped to the month's end
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),  # across the year end
        (date(2026, 12, 31), 12, date(2027, 12, 31)),
        (date(2026, 5, 10), 999, date(2109, 8, 10)),
    ],
)
def test_add_months_is_calendar_correct(start, months, expected):
    assert rules.add_months(start, months) == expected


@pytest.mark.parametrize(
    ("completed", "months", "expected"),
    [
        (date(2025, 10, 1), "12", date(2026, 9, 30)),
        (date(2026, 1, 31), "1", date(2026, 2, 27)),  # 31/01 + 1 month = 28/02, less a day
        (date(2024, 1, 31), "1", date(2024, 2, 28)),  # leap year: 29/02 less a day
        (date(2024, 2, 29), "12", date(2025, 2, 27)),
        (date(2026, 3, 1), "1", date(2026, 3, 31)),
        (date(2026, 3, 1), "none", None),
        (date(2026, 3, 1), None, None),
    ],
)
def test_blank_expiry_is_derived_from_validity(completed, months, expected):
    assert rules.derived_expiry(completed, months) == expected
    assert rules.expiry_date("", completed, months) == (expected, None)


def test_expiry_date_must_be_after_completion():
    completed = date(2026, 3, 1)
    assert rules.expiry_date("01/03/2027", completed) == (date(2027, 3, 1), None)
    assert rules.expiry_date("2026-03-02", completed) == (date(2026, 3, 2), None)
    assert rules.expiry_date("01/03/2026", completed) == (
        None,
        messages.EXPIRY_NOT_AFTER_COMPLETED,
    )
    assert rules.expiry_date("28/02/2026", completed)[1] == messages.EXPIRY_NOT_AFTER_COMPLETED
    assert rules.expiry_date("30/02/2027", completed)[1] == messages.staff_date_not_real(
        "Expiry date"
    )
    # an expiry date given wins over the validity
    assert rules.expiry_date("01/06/2026", completed, "12") == (date(2026, 6, 1), None)


# --- whole records ------------------------------------------------------------------

GOOD_STAFF = {
    "worker_id": "W001",
    "main_job_role": "8",
    "start_date": "01/03/2024",
    "employment_status": "1",
    "care_certificate": "1",
    "hourly_rate": "12.60",
    "health_care_visa": "2",
    "zero_hours": "2",
    "contracted_hours": "37.5",
}


def test_validate_staff():
    values, errors = rules.validate_staff(GOOD_STAFF, TODAY)
    assert errors == {}
    assert values == {
        "worker_id": "W001",
        "main_job_role": 8,
        "start_date": date(2024, 3, 1),
        "employment_status": 1,
        "care_certificate": 1,
        "hourly_rate": Decimal("12.60"),
        "health_care_visa": 2,
        "zero_hours": False,
        "contracted_hours": Decimal("37.50"),
    }
    # contracted hours may be blank on a zero-hours contract, but not otherwise
    zero = {**GOOD_STAFF, "zero_hours": "1", "contracted_hours": ""}
    assert rules.validate_staff(zero, TODAY)[1] == {}
    # and hours on a zero-hours contract are refused, as an ASC-WDS file refuses them
    for code in ("1", "999"):
        both = {**GOOD_STAFF, "zero_hours": code, "contracted_hours": "37.5"}
        assert rules.validate_staff(both, TODAY)[1] == {
            "contracted_hours": messages.CONTRACTED_HOURS_ON_ZERO_HOURS
        }
        assert rules.validate_staff(both, TODAY, file=True)[1] == {
            "zero_hours": messages.UPLOAD_HOURS_ON_ZERO_HOURS
        }
    blank = {**GOOD_STAFF, "contracted_hours": ""}
    assert rules.validate_staff(blank, TODAY)[1] == {
        "contracted_hours": messages.CONTRACTED_HOURS_REQUIRED
    }
    # an ASC-WDS file may leave the optional columns blank
    sparse = {"worker_id": "W2", "main_job_role": "4"}
    assert rules.validate_staff(sparse, TODAY, required=frozenset())[1] == {}
    assert set(rules.validate_staff({}, TODAY)[1]) == {
        "worker_id", "main_job_role", "start_date", "employment_status", "care_certificate",
        "hourly_rate", "health_care_visa", "zero_hours", "contracted_hours",
    }  # fmt: skip
    # An ASC-WDS file must give EMPLSTATUS; an unknown HANDCVISA is left out, not an error.
    filed = {**sparse, "health_care_visa": "5"}
    assert rules.validate_staff(filed, TODAY, ascwds_file_rules.FILE_STAFF_REQUIRED, file=True) == (
        {"worker_id": "W2", "main_job_role": 4, "start_date": None, "care_certificate": None,
         "hourly_rate": None, "health_care_visa": None, "zero_hours": None,
         "contracted_hours": None},
        {"employment_status": messages.EMPLOYMENT_STATUS_INVALID},
    )  # fmt: skip


HOURS_WARNING, HOURS_ERROR, HOURS_IGNORED = (
    ascwds_file_rules.HOURS_WARNING, ascwds_file_rules.HOURS_ERROR, ascwds_file_rules.HOURS_IGNORED
)  # fmt: skip


@pytest.mark.parametrize(
    ("hours", "zero_hours", "status", "kept", "found"),
    [
        ("37.5", "", "1", Decimal("37.50"), [("zero_hours", HOURS_WARNING)]),
        (
            "37.5",
            "1",
            "1",
            None,
            [("zero_hours", HOURS_ERROR), ("contracted_hours", HOURS_IGNORED)],
        ),
        ("0.5", "999", "1", Decimal("0.50"), [("zero_hours", HOURS_ERROR)]),
        ("0", "2", "1", Decimal("0.00"), [("zero_hours", HOURS_IGNORED)]),
        ("37.5", "2", "1", Decimal("37.50"), []),
        ("0", "1", "1", None, [("contracted_hours", HOURS_IGNORED)]),
        ("0", "999", "2", Decimal("0.00"), []),
        ("", "1", "4", None, []),
        ("", "", "1", None, []),
        ("20", "2", "3", None, [("contracted_hours", HOURS_IGNORED)]),
        ("20", "2", "4", None, [("contracted_hours", HOURS_IGNORED)]),
        ("20", "2", "7", None, [("contracted_hours", HOURS_IGNORED)]),
        ("75", "2", "1", Decimal("75.00"), []),
        ("75.5", "2", "1", None, [("contracted_hours", HOURS_IGNORED)]),
        ("999", "2", "1", None, []),
        ("999", "", "1", None, [("zero_hours", HOURS_WARNING)]),
        ("-1", "2", "1", None, [("contracted_hours", HOURS_IGNORED)]),
        ("37.125", "2", "1", None, [("contracted_hours", HOURS_IGNORED)]),
        ("lots", "", "1", None, [("contracted_hours", HOURS_IGNORED)]),
        ("37.5", "5", "1", Decimal("37.50"), []),  # ZEROHRCONT's own error
    ],
)
def test_contracted_hours_in_a_file_are_checked_as_asc_wds_does(
    hours, zero_hours, status, kept, found
):
    """ASC-WDS's _validateZeroHourContract and _validateContHours, one case each."""
    checked = ascwds_file_rules.file_hours(hours, zero_hours, status)
    assert checked.hours == kept
    assert [(f.field, f.verdict) for f in checked.findings] == found
    for finding in checked.findings:
        if finding.field == "contracted_hours":
            assert finding.message.startswith(f"We will ignore CONTHOURS ‘{hours}’ because ")


def test_validate_training():
    raw = {
        "category": "20",
        "date_completed": "31/01/2026",
        "validity": "1",
        "accredited": "1",
        "who_delivered": "2",
        "provider_name": " 88 ",  # Skills for Care
        "how_delivered": "2",
        "training_name": "",
        "notes": "",
    }
    values, errors = rules.validate_training(raw, TODAY)
    assert errors == {}
    assert values["expiry_date"] == date(2026, 2, 27)
    assert values["provider_name"] == "88"
    assert staff_reference.training_provider_name(values["provider_name"]) == "Skills for Care"
    # Not delivered by an external provider: ignored, as ASC-WDS does.
    in_house = rules.validate_training({**raw, "who_delivered": "1"}, TODAY)
    assert in_house == ({**values, "who_delivered": 1, "provider_name": None}, {})
    unknown = rules.validate_training({**raw, "provider_name": "Care Skills Ltd"}, TODAY)[1]
    assert unknown == {"provider_name": messages.TRAINING_PROVIDER_INVALID}
    assert values["training_name"] is None
    bad = {
        "category": "",
        "date_completed": "31/02/2026",
        "expiry_date": "99/99/2027",
        "validity": "0",
        "accredited": "5",
        "who_delivered": "",
        "how_delivered": "",
        "training_name": "x" * 121,
        "provider_name": "y" * 121,  # ignored: not an external provider
        "notes": "z" * 1001,
    }
    assert rules.validate_training(bad, TODAY)[1] == {
        "category": messages.CATEGORY_REQUIRED,
        "date_completed": messages.staff_date_not_real("Date completed"),
        "expiry_date": messages.staff_date_not_real("Expiry date"),
        "validity": messages.VALIDITY_INVALID,
        "accredited": messages.ACCREDITED_REQUIRED,
        "who_delivered": messages.WHO_DELIVERED_REQUIRED,
        "how_delivered": messages.HOW_DELIVERED_REQUIRED,
        "training_name": messages.TRAINING_NAME_TOO_LONG,
        "notes": messages.NOTES_TOO_LONG,
    }
    assert set(rules.ASCWDS_TRAINING_COLUMNS.values()) - {"worker_id"} <= set(bad)


# --- training status ----------------------------------------------------------------

AS_AT = date(2026, 10, 31)


@pytest.mark.parametrize(
    ("expiry", "status"),
    [
        (None, training_status_rules.STATUS_UP_TO_DATE),
        (date(2026, 10, 30), training_status_rules.STATUS_EXPIRED),
        (date(2026, 10, 1), training_status_rules.STATUS_EXPIRED),
        (date(2026, 10, 31), training_status_rules.STATUS_EXPIRING),  # the day itself: still valid
        (date(2026, 12, 15), training_status_rules.STATUS_EXPIRING),
        (date(2027, 1, 29), training_status_rules.STATUS_EXPIRING),  # 90 days after, inclusive
        (date(2027, 1, 30), training_status_rules.STATUS_UP_TO_DATE),  # 91 days after
        (date(2030, 1, 1), training_status_rules.STATUS_UP_TO_DATE),
    ],
)
def test_training_status(expiry, status):
    assert training_status_rules.training_status(expiry, AS_AT) == status


def test_training_status_across_a_leap_day():
    as_at = date(2028, 1, 31)  # 2028 is a leap year: 90 days on is 30 April
    assert (
        training_status_rules.training_status(date(2028, 4, 30), as_at)
        == training_status_rules.STATUS_EXPIRING
    )
    assert (
        training_status_rules.training_status(date(2028, 5, 1), as_at)
        == training_status_rules.STATUS_UP_TO_DATE
    )


def test_staff_training_status_uses_the_latest_expiry():
    old = SimpleNamespace(
        category=6, expiry_date=date(2026, 10, 1), date_completed=date(2025, 10, 1)
    )
    renewed = {"category": 6, "expiry_date": date(2027, 10, 1), "date_completed": date(2026, 10, 2)}
    other = {"category": 20, "expiry_date": date(2026, 11, 30)}
    never = {"category": 9, "expiry_date": None}
    older_9 = {"category": 9, "expiry_date": date(2020, 1, 1)}
    records = [old, renewed, other, never, older_9]
    assert (
        training_status_rules.staff_training_status([old], 6, AS_AT)
        == training_status_rules.STATUS_EXPIRED
    )
    assert (
        training_status_rules.staff_training_status(records, 6, AS_AT)
        == training_status_rules.STATUS_UP_TO_DATE
    )
    assert training_status_rules.current_record(records, 6) is renewed
    assert (
        training_status_rules.staff_training_status(records, 20, AS_AT)
        == training_status_rules.STATUS_EXPIRING
    )
    assert (
        training_status_rules.staff_training_status(records, 9, AS_AT)
        == training_status_rules.STATUS_UP_TO_DATE
    )
    assert training_status_rules.current_record(records, 9) is never  # no expiry beats any date
    assert (
        training_status_rules.staff_training_status(records, 2, AS_AT)
        == training_status_rules.STATUS_MISSING
    )
    assert (
        training_status_rules.staff_training_status([], 2, AS_AT)
        == training_status_rules.STATUS_MISSING
    )
    assert (
        training_status_rules.STATUS_LABELS[training_status_rules.STATUS_EXPIRING]
        == "Expiring within 90 days"
    )
