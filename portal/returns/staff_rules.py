"""Rules for staff and training records, written once for the web form, the CSV/XLSX
upload and the API. They follow the ASC-WDS bulk upload conventions (the national adult
social care workforce data set), so a provider's own ASC-WDS files can be reused.

Every rule takes the raw text (as typed, or as read from a file cell) and returns
``(clean value, error message or None)``. A blank optional value is ``(None, None)``.
``validate_staff`` and ``validate_training`` apply them to a whole record, keyed by our
field names; ``ASCWDS_STAFF_COLUMNS`` and ``ASCWDS_TRAINING_COLUMNS`` map the ASC-WDS
column names on to them for the upload. The code lists behind job roles and training
categories are ``staff_reference``; a record's training status is
``training_status_rules``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from forms import messages
from portal.returns.ascwds_file_rules import FILE_STAFF_IGNORED, hours_kept_for, hours_on_record
from portal.returns.staff_reference import job_roles, training_categories, training_providers

EARLIEST_DATE = date(1990, 1, 1)
WORKER_ID_MAX = 50
TEXT_MAX = 120  # training name, training provider
NOTES_MAX = 1000
MAX_HOURLY_RATE = Decimal("200")
MAX_CONTRACTED_HOURS = Decimal("75")  # as ASC-WDS (a file ignores more)
MAX_VALIDITY_MONTHS = 999

# ASC-WDS codes and what they mean, in the order a form shows them.
EMPLOYMENT_STATUSES = {
    1: "Permanent",
    2: "Temporary",
    3: "Pool or bank",
    4: "Agency",
    7: "Other",
}  # EMPLSTATUS
CARE_CERTIFICATE = {1: "Completed", 3: "In progress", 2: "Not started"}  # CARECERT
HEALTH_CARE_VISA = {1: "Yes", 2: "No", 999: "Not known"}  # HANDCVISA
ZERO_HOURS = {1: "Yes", 2: "No", 999: "Not known"}  # ZEROHRCONT
ACCREDITED = {1: "Yes", 0: "No", 999: "Not known"}  # ACCREDITED
WHO_DELIVERED = {1: "In-house", 2: "External provider"}  # WHODELIVERED
EXTERNAL_PROVIDER = 2  # the WHODELIVERED code under which ASC-WDS keeps PROVIDERNAME
HOW_DELIVERED = {1: "Face to face", 2: "E-learning"}  # HOWDELIVERED

Result = tuple[Any, str | None]


# --- single values ------------------------------------------------------------------


def _text(raw: object) -> str:
    return "" if raw is None else str(raw).strip()


def _code(raw: object, allowed: Iterable[int], message: str, required: bool) -> Result:
    text = _text(raw)
    if text == "":
        return None, (message if required else None)
    if not re.fullmatch(r"[0-9]{1,4}", text) or int(text) not in set(allowed):
        return None, message
    return int(text), None


def _decimal(raw: object, strip_pound: bool = False) -> Decimal | None:
    text = _text(raw).replace(",", "")
    if strip_pound:
        text = text.removeprefix("£").strip()
    if not re.fullmatch(r"-?(?:[0-9]*\.?[0-9]+|[0-9]+\.)", text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain numbers
        return None
    return number


def _more_than_2_places(number: Decimal) -> bool:
    return number != number.quantize(Decimal("0.01"))


def worker_id(raw: object) -> Result:
    """UNIQUEWORKERID: the provider's own id for the worker. Required, trimmed, <= 50."""
    text = _text(raw)
    if text == "":
        return None, messages.WORKER_ID_REQUIRED
    if len(text) > WORKER_ID_MAX:
        return None, messages.WORKER_ID_TOO_LONG
    return text, None


def main_job_role(raw: object) -> Result:
    """MAINJOBROLE: a code in job-roles.csv."""
    return _code(raw, job_roles(), messages.JOB_ROLE_REQUIRED, True)


def employment_status(raw: object, required: bool = False) -> Result:
    """EMPLSTATUS: 1 permanent, 2 temporary, 3 pool or bank, 4 agency, 7 other."""
    return _code(raw, EMPLOYMENT_STATUSES, messages.EMPLOYMENT_STATUS_INVALID, required)


def care_certificate(raw: object, required: bool = True) -> Result:
    """CARECERT: 1 completed, 2 not started, 3 in progress."""
    return _code(raw, CARE_CERTIFICATE, messages.CARE_CERTIFICATE_REQUIRED, required)


def health_care_visa(raw: object, required: bool = True) -> Result:
    """HANDCVISA: 1 yes, 2 no, 999 not known."""
    return _code(raw, HEALTH_CARE_VISA, messages.VISA_REQUIRED, required)


def zero_hours(raw: object, required: bool = True) -> Result:
    """ZEROHRCONT: 1 yes, 2 no, 999 not known. Clean value: True, False or None."""
    code, error = _code(raw, ZERO_HOURS, messages.ZERO_HOURS_REQUIRED, required)
    if error or code is None:
        return None, error
    return {1: True, 2: False, 999: None}[code], None


def hourly_rate(raw: object, required: bool = True, label: str = "Hourly rate") -> Result:
    """HOURLYRATE: pounds, more than 0 and at most 200, up to 2 decimal places."""
    if _text(raw) == "":
        return None, (messages.HOURLY_RATE_REQUIRED if required else None)
    number = _decimal(raw, strip_pound=True)
    if number is None:
        return None, messages.money_not_number(label)
    if number <= 0 or number > MAX_HOURLY_RATE:
        return None, messages.money_out_of_range(label)
    if _more_than_2_places(number):
        return None, messages.kpi_two_decimals(label)
    return number.quantize(Decimal("0.01")), None


def contracted_hours(raw: object, required: bool = True) -> Result:
    """CONTHOURS: hours a week, 0 to 75, up to 2 decimal places (a file: ``ascwds_file_rules``)."""
    if _text(raw) == "":
        return None, (messages.CONTRACTED_HOURS_REQUIRED if required else None)
    number = _decimal(raw)
    if number is None:
        return None, messages.CONTRACTED_HOURS_NOT_NUMBER
    if number < 0 or number > MAX_CONTRACTED_HOURS:
        return None, messages.CONTRACTED_HOURS_RANGE
    if _more_than_2_places(number):
        return None, messages.kpi_two_decimals("Contracted hours")
    return number.quantize(Decimal("0.01")), None


_DMY = re.compile(r"([0-9]{1,2})\s*/\s*([0-9]{1,2})\s*/\s*([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_date(
    raw: object,
    label: str,
    today: date | None = None,
    required: bool = True,
) -> Result:
    """A date as DD/MM/YYYY (ASC-WDS files, typed) or YYYY-MM-DD (a date input, the API).

    A real date, on or after 1 January 1990 and, when ``today`` is given, not after it."""
    text = _text(raw)
    if text == "":
        return None, (messages.staff_date_required(label) if required else None)
    if match := _DMY.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None, messages.staff_date_not_real(label)
    try:
        value = date(year, month, day)
    except ValueError:
        return None, messages.staff_date_not_real(label)
    if value < EARLIEST_DATE:
        return None, messages.staff_date_too_early(label)
    if today is not None and value > today:
        return None, messages.staff_date_in_future(label)
    return value, None


def start_date(raw: object, today: date, required: bool = True) -> Result:
    """STARTDATE: when they started in this job."""
    return parse_date(raw, "Start date", today, required)


def date_completed(raw: object, today: date, required: bool = True) -> Result:
    """DATECOMPLETED: not in the future. Files may leave it blank, as ASC-WDS accepts."""
    return parse_date(raw, "Date completed", today, required)


def category(raw: object) -> Result:
    """CATEGORY: a code in training-categories.csv."""
    return _code(raw, training_categories(), messages.CATEGORY_REQUIRED, True)


def accredited(raw: object, required: bool = True) -> Result:
    """ACCREDITED: 1 yes, 0 no, 999 not known."""
    return _code(raw, ACCREDITED, messages.ACCREDITED_REQUIRED, required)


def who_delivered(raw: object, required: bool = True) -> Result:
    """WHODELIVERED: 1 in-house, 2 external provider."""
    return _code(raw, WHO_DELIVERED, messages.WHO_DELIVERED_REQUIRED, required)


def training_provider(raw: object) -> Result:
    """PROVIDERNAME: a code from ASC-WDS's list of training providers (999: another one),
    kept as text. Only for WHODELIVERED 2, as ASC-WDS (see ``validate_training``)."""
    text = _text(raw)
    if text == "":
        return None, None
    if not re.fullmatch(r"[0-9]{1,4}", text) or int(text) not in training_providers():
        return None, messages.TRAINING_PROVIDER_INVALID
    return str(int(text)), None


def how_delivered(raw: object, required: bool = True) -> Result:
    """HOWDELIVERED: 1 face to face, 2 e-learning."""
    return _code(raw, HOW_DELIVERED, messages.HOW_DELIVERED_REQUIRED, required)


def validity(raw: object) -> Result:
    """VALIDITY: "none" (it does not expire) or whole months 1 to 999. Blank is None."""
    text = _text(raw).lower()
    if text == "":
        return None, None
    if text == "none":
        return "none", None
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_VALIDITY_MONTHS:
        return None, messages.VALIDITY_INVALID
    return str(int(text)), None


def add_months(start: date, months: int) -> date:
    """Calendar months later, the day clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def derived_expiry(completed: date, months: str | None) -> date | None:
    """The expiry a VALIDITY gives: DATECOMPLETED + VALIDITY months - 1 day."""
    if completed is None or months in (None, "", "none"):
        return None
    return add_months(completed, int(months)) - timedelta(days=1)


def expiry_date(raw: object, completed: date | None, months: str | None = None) -> Result:
    """EXPIRYDATE: after DATECOMPLETED. Blank: derived from VALIDITY, else no expiry."""
    if _text(raw) == "":
        return (derived_expiry(completed, months) if completed else None), None
    value, error = parse_date(raw, "Expiry date", None, True)
    if error:
        return None, error
    if completed is not None and value <= completed:
        return None, messages.EXPIRY_NOT_AFTER_COMPLETED
    return value, None


def optional_text(raw: object, maximum: int, message: str) -> Result:
    text = _text(raw)
    if text == "":
        return None, None
    if len(text) > maximum:
        return None, message
    return text, None


# --- whole records ------------------------------------------------------------------

ASCWDS_STAFF_COLUMNS = {
    "UNIQUEWORKERID": "worker_id",
    "MAINJOBROLE": "main_job_role",
    "STARTDATE": "start_date",
    "EMPLSTATUS": "employment_status",
    "CARECERT": "care_certificate",
    "HOURLYRATE": "hourly_rate",
    "HANDCVISA": "health_care_visa",
    "CONTHOURS": "contracted_hours",
    "ZEROHRCONT": "zero_hours",
}
ASCWDS_TRAINING_COLUMNS = {
    "UNIQUEWORKERID": "worker_id",
    "CATEGORY": "category",
    "TRAININGNAME": "training_name",
    "ACCREDITED": "accredited",
    "WHODELIVERED": "who_delivered",
    "PROVIDERNAME": "provider_name",
    "HOWDELIVERED": "how_delivered",
    "VALIDITY": "validity",
    "DATECOMPLETED": "date_completed",
    "EXPIRYDATE": "expiry_date",
    "NOTES": "notes",
}

# What the web form insists on. ASC-WDS files leave more of these blank.
WEB_STAFF_REQUIRED = frozenset(
    {"start_date", "employment_status", "care_certificate", "hourly_rate", "health_care_visa",
     "zero_hours", "contracted_hours"}
)  # fmt: skip
WEB_TRAINING_REQUIRED = frozenset(
    {"accredited", "who_delivered", "how_delivered", "date_completed"}
)


def validate_staff(
    raw: Mapping[str, object],
    today: date,
    required: frozenset[str] = WEB_STAFF_REQUIRED,
    file: bool = False,
) -> tuple[dict[str, Any], dict[str, str]]:
    """A staff record's fields (our names, see ``ASCWDS_STAFF_COLUMNS``) -> (values, errors).
    Contracted hours may be blank on a zero-hours contract. A ``file`` gets ASC-WDS's file
    rules too (``ascwds_file_rules``: values ignored, CONTHOURS against ZEROHRCONT)."""
    ignored = FILE_STAFF_IGNORED if file else frozenset()
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def take(name: str, result: Result) -> None:
        value, error = result
        if error and name in ignored and _text(raw.get(name)) != "":
            values[name] = None
        elif error:
            errors[name] = error
        else:
            values[name] = value

    take("worker_id", worker_id(raw.get("worker_id")))
    take("main_job_role", main_job_role(raw.get("main_job_role")))
    take("start_date", start_date(raw.get("start_date"), today, "start_date" in required))
    take(
        "employment_status",
        employment_status(raw.get("employment_status"), "employment_status" in required),
    )
    take(
        "care_certificate",
        care_certificate(raw.get("care_certificate"), "care_certificate" in required),
    )
    take("hourly_rate", hourly_rate(raw.get("hourly_rate"), "hourly_rate" in required))
    take(
        "health_care_visa",
        health_care_visa(raw.get("health_care_visa"), "health_care_visa" in required),
    )
    take("zero_hours", zero_hours(raw.get("zero_hours"), "zero_hours" in required))
    hours_required = "contracted_hours" in required and hours_kept_for(values)
    take("contracted_hours", contracted_hours(raw.get("contracted_hours"), hours_required))
    hours_on_record(raw, values, errors, file)
    return values, errors


def validate_training(
    raw: Mapping[str, object], today: date, required: frozenset[str] = WEB_TRAINING_REQUIRED
) -> tuple[dict[str, Any], dict[str, str]]:
    """A training record's fields (our names, see ``ASCWDS_TRAINING_COLUMNS``) ->
    (values, errors). A blank expiry date is derived from the validity."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def take(name: str, result: Result) -> None:
        value, error = result
        if error:
            errors[name] = error
        else:
            values[name] = value

    take("category", category(raw.get("category")))
    take(
        "training_name",
        optional_text(raw.get("training_name"), TEXT_MAX, messages.TRAINING_NAME_TOO_LONG),
    )
    take("accredited", accredited(raw.get("accredited"), "accredited" in required))
    take("who_delivered", who_delivered(raw.get("who_delivered"), "who_delivered" in required))
    if values.get("who_delivered") == EXTERNAL_PROVIDER:
        take("provider_name", training_provider(raw.get("provider_name")))
    else:
        values["provider_name"] = None  # as ASC-WDS: kept only for an external provider
    take("how_delivered", how_delivered(raw.get("how_delivered"), "how_delivered" in required))
    take(
        "date_completed",
        date_completed(raw.get("date_completed"), today, "date_completed" in required),
    )
    take("validity", validity(raw.get("validity")))
    if values.get("date_completed") is not None:
        take(
            "expiry_date",
            expiry_date(raw.get("expiry_date"), values["date_completed"], values.get("validity")),
        )
    elif _text(raw.get("expiry_date")):
        take("expiry_date", parse_date(raw.get("expiry_date"), "Expiry date", None, True))
    else:
        values["expiry_date"] = None
    take("notes", optional_text(raw.get("notes"), NOTES_MAX, messages.NOTES_TOO_LONG))
    return values, errors
