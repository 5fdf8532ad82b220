"""The GOV.UK date input: a date typed in three boxes (day, month, year).

One parser for every such date the portal reads: the capacity and handbacks sections of
the monthly return, and the council's quality and pack forms (``forms.quality.GovDateField``).
The training section's staff pages read their boxes here too, then check the date with
``staff_rules.parse_date``, which the staff upload and the API share.

No Flask here: the boxes come from any mapping (a posted form, saved data, a file row)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from forms import messages

DATE_PARTS = ("day", "month", "year")


def parse_date_parts(
    parts: Mapping[str, object],
    subject: str,
    required: bool,
    required_message: str | None = None,
) -> tuple[date | None, str | None, list[str]]:
    """(the date, an error message, the boxes to highlight) from the three boxes.

    ``subject`` names the date in messages ("notice date for handback 1"). All boxes blank
    is an error only when ``required`` (``required_message``, or "Enter the <subject>")."""
    values = {part: str(parts.get(part) or "").strip() for part in DATE_PARTS}
    if not any(values.values()):
        missing = (required_message or messages.enter(subject)) if required else None
        return None, missing, list(DATE_PARTS)
    missing_parts = [part for part in DATE_PARTS if not values[part]]
    if missing_parts:
        return None, messages.date_missing_parts(subject, missing_parts), missing_parts
    value = _real_date(values["day"], values["month"], values["year"])
    if value is None:
        return None, messages.date_not_real(subject), list(DATE_PARTS)
    return value, None, []


def _real_date(day: str, month: str, year: str) -> date | None:
    """Digits only: a day and month of up to 2, a year of 4, making a date in the calendar."""
    if not all(v.isascii() and v.isdigit() for v in (day, month, year)):
        return None
    if len(day) > 2 or len(month) > 2 or len(year) != 4:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def form_date_parts(form: Mapping[str, str], name: str) -> dict[str, str]:
    """The three boxes of the date input ``name`` as posted (``name-day`` ...)."""
    return {part: form.get(f"{name}-{part}", "") for part in DATE_PARTS}


def split_date(value) -> dict[str, str]:
    """A stored date (a ``date`` or ISO text) as the three boxes (blank when not a date)."""
    try:
        day = date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return dict.fromkeys(DATE_PARTS, "")
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def date_text(form: Mapping[str, str], name: str) -> str:
    """The boxes as typed, as "day/month/year" text for ``staff_rules.parse_date`` (blank
    when every box is)."""
    parts = [(form.get(f"{name}-{part}") or "").strip() for part in DATE_PARTS]
    return "/".join(parts) if any(parts) else ""
