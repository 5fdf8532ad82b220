"""The handbacks section page: packages of care the provider handed back to the council
this month, one row each, or "We had no handbacks this month". The rules are in
``handbacks_rules``.

Rows are added and removed by buttons of the same form, without JavaScript: "Add another
handback" and "Remove handback N" re-render the form with the values typed so far, saving
nothing and checking nothing. With htmx the same buttons post to the same URL and swap
the form in place, so both take the same code path."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flask import redirect, render_template, request
from werkzeug.datastructures import MultiDict

from forms import messages
from forms.govuk_dates import form_date_parts
from portal.provider.sections import common
from portal.returns import service
from portal.returns.sections import common_rules
from portal.returns.sections.handbacks_rules import (
    CODE,
    MAX_ROWS,
    REASONS,
    SERVICE_TYPES,
    TEXT_FIELDS,
    area_options,
    blank_row,
    rows_from_data,
)
from portal.schemas.section_rows import parse_handbacks

if TYPE_CHECKING:
    from portal.models import MonthlyReturn, ReturnSection

ROW_KEY = re.compile(r"^rows-(\d{1,6})-")


def _rows_from_form(form: MultiDict) -> tuple[bool, list[dict], bool]:
    """(no handbacks ticked, the rows in order, more rows than allowed were sent)."""
    indexes = sorted({int(m.group(1)) for key in form if (m := ROW_KEY.match(key))})
    rows = []
    for index in indexes[:MAX_ROWS]:
        prefix = f"rows-{index}-"
        raw = {name: form.get(prefix + name, "") for name in TEXT_FIELDS}
        raw["notice_date"] = form_date_parts(form, prefix + "notice_date")
        raw["end_date"] = form_date_parts(form, prefix + "end_date")
        rows.append(raw)
    return form.get("none") == "yes", rows, len(indexes) > MAX_ROWS


def _page(
    ret: MonthlyReturn,
    sec: ReturnSection,
    none: bool,
    rows: list[dict],
    revision: int,
    *,
    errors: dict[str, str] | None = None,
    highlight: dict[str, list[str]] | None = None,
    stale: service.Stale | None = None,
    status: int = 200,
):

    errors = errors or {}
    return render_template(
        "provider/returns/section_handbacks.html",
        ret=ret,
        sec=sec,
        no_handbacks=none,
        rows=rows,
        revision=revision,
        errors=errors,
        highlight=highlight or {},
        areas=area_options(ret),
        service_types=SERVICE_TYPES,
        reasons=REASONS,
        max_rows=MAX_ROWS,
        error_list=common_rules.error_list(errors, highlight or {}) or None,
        stale=stale,
        stale_message=common_rules.stale_message(stale) if stale else None,
        action_url=common.section_url(ret, CODE),
    ), status


def view(ret: MonthlyReturn, sec: ReturnSection):
    areas = area_options(ret)
    if request.method != "POST":
        none, rows = rows_from_data(sec.data)
        if not rows and not none:
            rows = [blank_row(areas)]
        return _page(ret, sec, none, rows, sec.revision)
    none, rows, too_many = _rows_from_form(request.form)
    revision = common.posted_revision()
    if "remove_row" in request.form:  # re-render without the row: nothing saved or checked
        try:
            index = int(request.form["remove_row"])
        except ValueError:
            index = -1
        if 0 <= index < len(rows):
            del rows[index]
        return _page(ret, sec, none, rows, revision)
    if request.form.get("action") == "add":
        if len(rows) >= MAX_ROWS:
            limit = {"handbacks-limit": messages.HANDBACKS_TOO_MANY.format(maximum=MAX_ROWS)}
            return _page(ret, sec, none, rows, revision, errors=limit, status=400)
        return _page(ret, sec, none, [*rows, blank_row(areas)], revision)
    data, errors, highlight = parse_handbacks(areas, none, rows, too_many)
    if errors:
        return _page(ret, sec, none, rows, revision, errors=errors, highlight=highlight, status=400)
    stale = common.save(ret, sec, data, True)
    if stale is None:
        return redirect(common.next_url(ret, CODE))
    return _page(ret, sec, none, rows, stale.revision, stale=stale, status=409)


actions: dict = {}
