"""The rules ASC-WDS applies to its bulk-upload files beyond each value's own rule (which
``staff_rules`` holds): what a file must give, what it ignores with a warning, and
CONTHOURS against ZEROHRCONT and EMPLSTATUS. ``staff_rules.validate_staff(..., file=True)``
and the upload's check (``portal/uploads/asc_wds*.py``) both use them; ``docs/ascwds.md``
lists every rule with its source (ASC-WDS's ``workerCSVValidator.js``).

An ignored value is left out of the row: a new staff member is added without it, and an
update leaves what the portal holds for them as it was (``import_plan``), as ASC-WDS does."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from forms import messages

# What ASC-WDS files must have, though the web form does not insist (EMPLSTATUS: "has not
# been supplied" is an error in ASC-WDS).
FILE_STAFF_REQUIRED = frozenset({"employment_status"})
# Values ASC-WDS ignores with a warning, rather than refusing the row, when they are not
# valid on their own (HANDCVISA: "incorrectly formatted and will be ignored"; STARTDATE:
# badly written or in the future "will be ignored"). CONTHOURS and ZEROHRCONT are ignored
# by ``file_hours`` below.
FILE_STAFF_IGNORED = frozenset({"health_care_visa", "start_date"})

# The verdicts of ``file_hours``.
HOURS_ERROR, HOURS_WARNING, HOURS_IGNORED = "error", "warning", "ignored"

NOT_CONTRACTED = {3: "pool or bank", 4: "agency", 7: "other"}  # EMPLSTATUS: no CONTHOURS
FILE_MAX_HOURS = Decimal("75")  # above: ignored
HOURS_NOT_KNOWN = 999  # CONTHOURS 999: ASC-WDS's "not known"
_NUMBER = re.compile(r"-?(?:[0-9]*\.?[0-9]+|[0-9]+\.)")
_CODE = re.compile(r"[0-9]{1,4}")


@dataclass(frozen=True)
class HoursFinding:
    """A problem ``file_hours`` found: on ``field`` ("zero_hours" or "contracted_hours"),
    an error, a warning, or a warning with that value ignored."""

    field: str
    verdict: str
    message: str


@dataclass(frozen=True)
class FileHours:
    """CONTHOURS and ZEROHRCONT as a file gives them, checked together: the hours to keep
    (None: blank, not known or ignored) and what was found."""

    hours: Decimal | None
    findings: tuple[HoursFinding, ...]

    def ignores(self, field: str) -> bool:
        return any(f.field == field and f.verdict == HOURS_IGNORED for f in self.findings)

    @property
    def error(self) -> HoursFinding | None:
        return next((f for f in self.findings if f.verdict == HOURS_ERROR), None)


def _text(raw: object) -> str:
    return "" if raw is None else str(raw).strip()


def _code(text: str) -> int | None:
    return int(text) if _CODE.fullmatch(text) else None


def hours_number(text: str) -> Decimal | None:
    """CONTHOURS as a number (what ASC-WDS's parseFloat reads), or None."""
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain numbers
        return None


def _zero_hours_findings(zero: str, number: Decimal | None) -> list[HoursFinding]:
    """ZEROHRCONT against the hours (ASC-WDS's _validateZeroHourContract): hours with
    ZEROHRCONT blank, a warning; with 1 or 999, an error; 0 hours with 2, ZEROHRCONT
    ignored. An invalid ZEROHRCONT is its own column's error."""
    code = _code(zero)
    if number is None or (zero != "" and code not in (1, 2, 999)):
        return []
    if number > 0 and zero == "":
        return [HoursFinding("zero_hours", HOURS_WARNING, messages.UPLOAD_HOURS_WITHOUT_ZERO_HOURS)]
    if number > 0 and code in (1, 999):
        return [HoursFinding("zero_hours", HOURS_ERROR, messages.UPLOAD_HOURS_ON_ZERO_HOURS)]
    if number == 0 and code == 2:
        return [HoursFinding("zero_hours", HOURS_IGNORED, messages.UPLOAD_ZERO_HOURS_NOT_ZERO)]
    return []


def _hours_ignored_because(number: Decimal | None, zero: str, employment: str) -> str | None:
    """Why ASC-WDS ignores CONTHOURS (its _validateContHours), or None to keep it."""
    if _code(zero) == 1:
        return messages.UPLOAD_HOURS_ZERO_HOURS_CONTRACT
    status = _code(employment)
    if status in NOT_CONTRACTED:
        return messages.upload_hours_not_contracted(status, NOT_CONTRACTED[status])
    if number is None or number < 0 or number != number.quantize(Decimal("0.01")):
        return messages.UPLOAD_HOURS_NOT_A_NUMBER
    if int(number) != HOURS_NOT_KNOWN and number > FILE_MAX_HOURS:
        return messages.UPLOAD_HOURS_TOO_MANY
    return None


def file_hours(hours_raw: object, zero_raw: object, employment_raw: object) -> FileHours:
    """CONTHOURS, ZEROHRCONT and EMPLSTATUS of one row of a file, as ASC-WDS checks them.

    CONTHOURS is never an error: it is ignored (with a warning naming it) when ZEROHRCONT
    is 1, when EMPLSTATUS is 3, 4 or 7, when it is not a number of hours 0 or more with up
    to 2 decimal places, or when it is above 75; 999 means "not known" and keeps nothing."""
    hours, zero = _text(hours_raw), _text(zero_raw)
    number = hours_number(hours)
    findings = _zero_hours_findings(zero, number)
    if hours == "":
        return FileHours(None, tuple(findings))
    why = _hours_ignored_because(number, zero, _text(employment_raw))
    if why is not None:
        message = messages.upload_ignored("CONTHOURS", hours, why)
        findings.append(HoursFinding("contracted_hours", HOURS_IGNORED, message))
        return FileHours(None, tuple(findings))
    if int(number) == HOURS_NOT_KNOWN:
        return FileHours(None, tuple(findings))
    return FileHours(number.quantize(Decimal("0.01")), tuple(findings))


def hours_kept_for(values: Mapping[str, object]) -> bool:
    """Whether ASC-WDS keeps contracted hours for a staff record's values: not on a
    zero-hours contract, and not pool or bank, agency or other staff."""
    return values.get("zero_hours") is not True and values.get("employment_status") not in (
        NOT_CONTRACTED
    )


def hours_on_record(raw, values: dict, errors: dict, file: bool) -> None:
    """``validate_staff``'s hours against ZEROHRCONT. A file: ``file_hours`` decides the
    hours (replacing the value's own rule), an error goes on ZEROHRCONT and an ignored
    ZEROHRCONT becomes None. The web form refuses only what a file would (hours on a
    zero-hours contract; hours for pool, bank, agency or other staff), so what it stores
    uploads again in the portal's own template without a warning."""
    if not file:
        status = values.get("employment_status")
        if values.get("contracted_hours") is not None and status in NOT_CONTRACTED:
            label = NOT_CONTRACTED[status].capitalize()  # as the form's radios say it
            errors["contracted_hours"] = messages.contracted_hours_not_contracted(label)
            del values["contracted_hours"]
            return
        if "zero_hours" not in values or "contracted_hours" not in values:
            return
        found = _zero_hours_findings(_text(raw.get("zero_hours")), values["contracted_hours"])
        if found and found[0].verdict == HOURS_ERROR:
            errors["contracted_hours"] = messages.CONTRACTED_HOURS_ON_ZERO_HOURS
            del values["contracted_hours"]
        return
    checked = file_hours(
        raw.get("contracted_hours"), raw.get("zero_hours"), raw.get("employment_status")
    )
    errors.pop("contracted_hours", None)
    values["contracted_hours"] = checked.hours
    if "zero_hours" not in values:  # ZEROHRCONT's own error
        return
    if checked.error is not None:
        errors["zero_hours"] = checked.error.message
        del values["zero_hours"]
    elif checked.ignores("zero_hours"):
        values["zero_hours"] = None
