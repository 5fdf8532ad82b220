"""The capacity section page: for each area of the contract, the spare weekly hours the
provider can take on for new packages, from when, what kinds of care, and until when the
answers hold. "Nothing has changed since last month" copies last month's submitted answers
into the form for the user to check and save. The rules are in ``capacity_rules``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import redirect, render_template, request
from werkzeug.datastructures import MultiDict

from forms import messages
from forms.govuk_dates import form_date_parts
from portal.provider.sections import common
from portal.returns import service
from portal.returns.sections import common_rules
from portal.returns.sections.capacity_rules import (
    CODE,
    SPECIALIST,
    area_names,
    by_area,
    raw_row,
    rows_from_data,
    soft_warnings,
)
from portal.returns.warnings import SoftWarning
from portal.schemas.section_rows import parse_capacity as parse

if TYPE_CHECKING:
    from portal.models import MonthlyReturn, ReturnSection


def _rows_from_form(names: list[str], form: MultiDict) -> list[dict]:
    rows = []
    for i, name in enumerate(names):
        prefix = f"areas-{i}-"
        rows.append(
            {
                "area": name,
                "spare_hours": form.get(prefix + "spare_hours", ""),
                "earliest_start": form_date_parts(form, prefix + "earliest_start"),
                "double_handed": form.get(prefix + "double_handed", ""),
                "night_support": form.get(prefix + "night_support", ""),
                "specialist": form.getlist(prefix + "specialist"),
                "valid_until": form_date_parts(form, prefix + "valid_until"),
            }
        )
    return rows


def _page(
    ret: MonthlyReturn,
    sec: ReturnSection,
    rows: list[dict],
    revision: int,
    *,
    warnings: list[SoftWarning] = (),
    confirmed: list[str] = (),
    errors: dict[str, str] | None = None,
    highlight: dict[str, list[str]] | None = None,
    pending: list[SoftWarning] = (),
    stale: service.Stale | None = None,
    notice: str | None = None,
    status: int = 200,
):

    errors = errors or {}
    summary_errors = common_rules.error_list(errors, highlight or {}) + common_rules.warning_errors(
        list(pending)
    )
    return render_template(
        "provider/returns/section_capacity.html",
        ret=ret,
        sec=sec,
        rows=rows,
        several=len(rows) > 1,
        revision=revision,
        errors=errors,
        highlight=highlight or {},
        specialist=SPECIALIST,
        warnings=list(warnings),
        confirmed=list(confirmed),
        error_list=summary_errors or None,
        stale=stale,
        stale_message=common_rules.stale_message(stale) if stale else None,
        notice=notice,
        action_url=common.section_url(ret, CODE),
    ), status


def view(ret: MonthlyReturn, sec: ReturnSection):
    names = area_names(ret)
    if request.method != "POST":
        rows = rows_from_data(names, sec.data)
        warnings = soft_warnings(ret, names, parse(names, rows)[0]) if sec.data else []
        return _page(
            ret, sec, rows, sec.revision, warnings=warnings, confirmed=sec.confirmed_warnings or []
        )
    rows = _rows_from_form(names, request.form)
    data, errors, highlight = parse(names, rows)
    warnings = soft_warnings(ret, names, data)
    confirmed = common.confirmed_codes(warnings)
    pending = common_rules.unconfirmed(warnings, confirmed)
    if errors:
        return _page(
            ret, sec, rows, common.posted_revision(), warnings=warnings, confirmed=confirmed,
            errors=errors, highlight=highlight, pending=pending, status=400,
        )  # fmt: skip
    complete = not pending
    stale = common.save(ret, sec, data, complete, confirmed)
    if stale is None and complete:
        return redirect(common.next_url(ret, CODE))
    if stale is None:  # saved, but there are values to confirm before it is complete
        return _page(
            ret, sec, rows, sec.revision, warnings=warnings, confirmed=confirmed,
            pending=pending, status=400,
        )  # fmt: skip
    return _page(
        ret, sec, rows, stale.revision, warnings=warnings, confirmed=confirmed, stale=stale,
        status=409,
    )  # fmt: skip


def copy_last_month(ret: MonthlyReturn, sec: ReturnSection):
    """Fill the form with last month's submitted answers, for the user to check and save."""
    if request.method != "POST":
        return redirect(common.section_url(ret, CODE))
    names = area_names(ret)
    last = by_area(common_rules.previous_section_data(ret, CODE, 1)[0])
    if not any(name in last for name in names):
        rows = rows_from_data(names, sec.data)
        return _page(
            ret, sec, rows, sec.revision, confirmed=sec.confirmed_warnings or [],
            notice=messages.CAPACITY_NOTHING_TO_COPY,
        )  # fmt: skip
    current = by_area(sec.data)
    rows = [raw_row(name, last.get(name) or current.get(name) or {}) for name in names]
    warnings = soft_warnings(ret, names, parse(names, rows)[0])
    return _page(ret, sec, rows, sec.revision, warnings=warnings, notice=messages.CAPACITY_COPIED)


actions = {"copy-last-month": copy_last_month}
