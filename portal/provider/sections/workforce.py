"""The workforce section page: the month's care staff figures, pay and visas. Figures we
can work out from the provider's staff records are filled in when the section has not been
saved; "Nothing has changed since last month" copies last month's submitted figures into
the form to check and save. The figures load through ``WorkforceAnswersSchema`` (the API's
and the file upload's schema, so the same messages); the rules are in ``workforce_rules``."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from flask import redirect, render_template, request

from forms import messages
from portal.provider.sections import common
from portal.returns import service
from portal.returns.sections import common_rules
from portal.returns.sections.workforce_rules import (
    BY_NAME,
    CODE,
    GROUPS,
    NAMES,
    from_staff,
    real_living_wage,
    soft_warnings,
)
from portal.returns.warnings import SoftWarning
from portal.schemas.sections import WorkforceAnswersSchema

if TYPE_CHECKING:
    from portal.models import MonthlyReturn, ReturnSection


def view(ret: MonthlyReturn, sec: ReturnSection):
    saved = sec.data or {}
    notice = None
    stale = None
    errors: dict[str, str] = {}
    warnings: list[SoftWarning] = []
    confirmed = list(sec.confirmed_warnings or [])
    pending: list[SoftWarning] = []
    revision = sec.revision
    status = 200
    if request.method == "POST":
        shown = {name: request.form.get(name, "") for name in NAMES}
        values, errors = WorkforceAnswersSchema().parse(shown)
        if errors:
            status = 400
        else:
            warnings = soft_warnings(ret, values)
            confirmed = common.confirmed_codes(warnings)
            pending = common_rules.unconfirmed(warnings, confirmed)
            stale = common.save(ret, sec, values, not pending, confirmed)
            if stale is None and not pending:
                return redirect(common.next_url(ret, CODE))
            if stale is None:
                revision = sec.revision
                status = 400
            else:
                revision = stale.revision
                status = 409
    elif saved:
        shown = {name: saved.get(name, "") for name in NAMES}
        warnings = soft_warnings(ret, saved)
    else:
        prefilled = from_staff(ret)
        shown = prefilled or {}
        if prefilled:
            notice = messages.PREFILLED_FROM_STAFF
    return _render(ret, sec, shown, errors, warnings, confirmed, pending, revision, stale,
                   notice), status  # fmt: skip


def _render(ret, sec, shown, errors, warnings, confirmed, pending, revision, stale, notice):
    error_list = [{"text": errors[name], "href": f"#{name}"} for name in NAMES if name in errors]
    error_list += common_rules.warning_errors(pending)
    return render_template(
        "provider/returns/section_workforce.html",
        ret=ret,
        sec=sec,
        fields=BY_NAME,
        groups=GROUPS,
        values=shown,
        errors=errors,
        error_list=error_list or None,
        warnings=warnings,
        confirmed=confirmed,
        revision=revision,
        stale=stale,
        stale_message=common_rules.stale_message(stale) if stale else None,
        notice=notice,
        living_wage=real_living_wage(ret),
        editable=service.can_edit(ret),
        copy_url=_url(ret, "copy-last-month"),
        action_url=_url(ret),
    )


def _url(ret: MonthlyReturn, action: str | None = None) -> str:
    from portal.provider.returns import return_url

    if action is None:
        return return_url(ret, "edit_section", code=CODE)
    return return_url(ret, "section_action", code=CODE, action=action)


def copy_last_month(ret: MonthlyReturn, sec: ReturnSection):
    """Last month's submitted figures, into the form to check (nothing is saved), except
    those the staff records give, which are worked out again."""
    if request.method != "POST":
        return redirect(_url(ret))
    last = common_rules.previous_section_data(ret, CODE, months=1)[0]
    previous = service.period_label((ret.period - timedelta(days=1)).replace(day=1))
    copied = {name: str(last[name]) for name in NAMES if last.get(name) not in (None, "")}
    warnings: list[SoftWarning] = []
    if copied:
        # Only what was typed is copied: figures the staff records give stay worked out.
        copied.update(from_staff(ret) or {})
        shown, notice = copied, messages.COPIED_LAST_MONTH.format(period=previous)
        warnings = soft_warnings(ret, copied)
    else:
        shown = {name: (sec.data or {}).get(name, "") for name in NAMES}
        notice = messages.NOTHING_TO_COPY.format(period=previous)
    return _render(ret, sec, shown, {}, warnings, list(sec.confirmed_warnings or []), [],
                   sec.revision, None, notice)  # fmt: skip


actions = {"copy-last-month": copy_last_month}
