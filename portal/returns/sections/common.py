"""What every section page shares: the revision it was opened at, refusing a stale save
while keeping both pieces of work visible, and confirming soft warnings."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from forms import messages
from portal.models import MonthlyReturn, ReturnSection, SectionState
from portal.returns import service
from portal.returns.warnings import SoftWarning


def posted_revision() -> int:
    try:
        return int(request.form.get("revision", ""))
    except ValueError:
        return -1


def confirmed_codes(warnings: list[SoftWarning]) -> list[str]:
    """Warnings ticked as correct on this POST."""
    ticked = set(request.form.getlist("confirm_warning"))
    return [w.code for w in warnings if w.code in ticked]


def unconfirmed(warnings: list[SoftWarning], confirmed: list[str]) -> list[SoftWarning]:
    return [w for w in warnings if w.code not in confirmed]


def warning_errors(warnings: list[SoftWarning]) -> list[dict]:
    return [
        {
            "text": f"{w.message}. {messages.CONFIRM_WARNING}",
            "href": f"#confirm-{w.code.replace(':', '-').replace('.', '-')}",
        }
        for w in warnings
    ]  # noqa: E501


def stale_message(stale: service.Stale) -> str:
    if stale.at is None:  # the form named a revision that never existed
        return messages.STALE_SAVE_UNKNOWN
    when = stale.at.strftime("%-I:%M%p on %-d %B %Y").replace("AM", "am").replace("PM", "pm")
    return messages.STALE_SAVE.format(name=stale.by, time=when)


def save(
    ret: MonthlyReturn,
    sec: ReturnSection,
    data: dict,
    complete: bool,
    confirmed: list[str] | None = None,
) -> service.Stale | None:
    state = SectionState.COMPLETED if complete else SectionState.IN_PROGRESS
    return service.save_section(
        ret, sec.code, data, state, posted_revision(), current_user, confirmed_warnings=confirmed
    )


def previous_section_data(ret: MonthlyReturn, code: str, months: int = 2) -> list[dict]:
    return [
        (version.get("sections") or {}).get(code) or {}
        for version in service.previous_versions(ret, months)
    ]


def next_url(ret: MonthlyReturn, code: str) -> str:
    """After a section is completed: back to the task list."""
    from portal.returns.views import return_url

    return return_url(ret)
