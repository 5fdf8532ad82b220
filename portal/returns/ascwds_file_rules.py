"""The rules ASC-WDS applies to its bulk-upload files beyond each value's own rule (which
``staff_rules`` holds): what a file must give, what it ignores with a warning, and
CONTHOURS against ZEROHRCONT. ``staff_rules.validate_staff(..., file=True)`` and the
upload's check (``portal/uploads/asc_wds*.py``) both use them; ``docs/ascwds.md`` lists
every rule with its source."""

from __future__ import annotations

from decimal import Decimal

from forms import messages

# What ASC-WDS files must have, though the web form does not insist (EMPLSTATUS: "has not
# been supplied" is an error in ASC-WDS).
FILE_STAFF_REQUIRED = frozenset({"employment_status"})
# Values ASC-WDS ignores with a warning, rather than refusing the row, when they are not
# one of its codes (HANDCVISA: "incorrectly formatted and will be ignored").
FILE_STAFF_IGNORED = frozenset({"health_care_visa"})


HOURS_ERROR, HOURS_WARNING, HOURS_IGNORE_ZERO = "error", "warning", "ignore_zero_hours"


def hours_with_zero_hours(zero_text: object, hours: Decimal | None) -> tuple[str, str] | None:
    """ASC-WDS's checks of CONTHOURS against ZEROHRCONT (both valid on their own):
    hours with ZEROHRCONT blank, a warning; hours with ZEROHRCONT 1 or 999, an error (on
    ZEROHRCONT); 0 hours with ZEROHRCONT 2, a warning and ZEROHRCONT ignored.
    Returns (verdict, message) or None."""
    if hours is None:
        return None
    zero = "" if zero_text is None else str(zero_text).strip()
    code = int(zero) if zero.isdigit() else None
    if hours > 0 and zero == "":
        return HOURS_WARNING, messages.UPLOAD_HOURS_WITHOUT_ZERO_HOURS
    if hours > 0 and code in (1, 999):
        return HOURS_ERROR, messages.UPLOAD_HOURS_ON_ZERO_HOURS
    if hours == 0 and code == 2:
        return HOURS_IGNORE_ZERO, messages.UPLOAD_ZERO_HOURS_NOT_ZERO
    return None


def hours_on_record(zero_text: object, values: dict, errors: dict, file: bool) -> None:
    """``hours_with_zero_hours`` on one record's checked values (``validate_staff``). A
    file: an error goes on ZEROHRCONT, an ignored ZEROHRCONT becomes None. The web form
    refuses only what a file would (hours on a zero-hours contract, on contracted hours),
    so what it stores uploads again in the portal's own template."""
    if "zero_hours" not in values or "contracted_hours" not in values:
        return
    found = hours_with_zero_hours(zero_text, values["contracted_hours"])
    if not file:
        if found and found[0] == HOURS_ERROR:
            errors["contracted_hours"] = messages.CONTRACTED_HOURS_ON_ZERO_HOURS
            del values["contracted_hours"]
        return
    if found and found[0] == HOURS_ERROR:
        errors["zero_hours"] = found[1]
        del values["zero_hours"]
    elif found and found[0] == HOURS_IGNORE_ZERO:
        values["zero_hours"] = None
