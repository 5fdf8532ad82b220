"""What every section page shares: the revision it was opened at, refusing a stale save
while keeping both pieces of work visible, and confirming soft warnings. The rules half
(no request) is ``common_rules``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import request
from flask_login import current_user

from portal.returns import service
from portal.returns.warnings import SoftWarning
from portal.vocabulary import SectionState

if TYPE_CHECKING:
    from portal.models import MonthlyReturn, ReturnSection


def posted_revision() -> int:
    try:
        return int(request.form.get("revision", ""))
    except ValueError:
        return -1


def confirmed_codes(warnings: list[SoftWarning]) -> list[str]:
    """Warnings ticked as correct on this POST."""
    ticked = set(request.form.getlist("confirm_warning"))
    return [w.code for w in warnings if w.code in ticked]


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


def next_url(ret: MonthlyReturn, code: str) -> str:
    """After a section is completed: back to the task list."""
    from portal.provider.returns import return_url

    return return_url(ret)


def section_url(ret: MonthlyReturn, code: str) -> str:
    from portal.provider.returns import return_url

    return return_url(ret, "edit_section", code=code)
