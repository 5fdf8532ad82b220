"""The training and staff section page: a small provider keeps its staff and their
training records here (provider-level rows, shared by every return and, later, the bulk
upload), sees each record's status as at the last day of the month, and confirms the list.
The confirmation saves a snapshot, so the submitted version holds the staff and training as
they were when the return was sent.

Staff and training changes are allowed only while the return can be changed. Each one is
audited in the same transaction; one made after the section was confirmed puts the
section back to "in progress" (the snapshot no longer matches the records).

The rules are in ``training_rules``; the change pages in ``training_staff`` and
``training_records``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import redirect, render_template, request

from forms import messages
from portal.mandatory import mandatory_set
from portal.provider.sections import common
from portal.provider.sections.training_records import add_training, remove_training
from portal.provider.sections.training_staff import add_staff, edit_staff, remove_staff
from portal.returns import service, training_status_rules
from portal.returns.sections import common_rules
from portal.returns.sections.training_rules import (
    CODE,
    TAGS,
    active_staff_page,
    as_at_date,
    confirmed_snapshot,
    long_date,
    staff_rows,
)
from portal.vocabulary import SectionState

if TYPE_CHECKING:
    from portal.models import MonthlyReturn, ReturnSection


def view(ret: MonthlyReturn, sec: ReturnSection):
    errors: dict[str, str] = {}
    stale = None
    if request.method == "POST":
        errors, stale = _confirm(ret, sec)
        if not errors and stale is None:
            return redirect(common.next_url(ret, CODE))
    status = 400 if errors else 409 if stale else 200
    return _page(ret, sec, errors, stale), status


def _confirm(ret: MonthlyReturn, sec: ReturnSection) -> tuple[dict[str, str], object]:
    """Confirming the section: (errors, None) when refused, ({}, the newer version) when
    someone saved it first, ({}, None) when saved with every staff member."""
    if request.form.get("confirmed") != "yes":
        return {"confirmed": messages.TRAINING_CONFIRM_REQUIRED}, None
    snapshot = confirmed_snapshot(ret)
    if not snapshot["staff"]:
        return {"confirmed": messages.TRAINING_NO_STAFF}, None
    return {}, common.save(ret, sec, snapshot, True)


def _page(ret, sec, errors, stale) -> str:
    """The page of staff asked for (``?page=N``), loaded only when the page is shown."""
    staff, page = active_staff_page(ret, request.args)
    as_at = as_at_date(ret)
    confirmed = request.method != "POST" and sec.state is SectionState.COMPLETED
    return render_template(
        "provider/returns/section_training.html",
        ret=ret,
        sec=sec,
        rows=staff_rows(staff, as_at, mandatory_set(ret.contract.council_id)),
        page=page,
        pagination=page.component(
            lambda n: f"{common.section_url(ret, CODE)}?page={n}", "Pages of staff"
        ),
        as_at=as_at,
        long_date=long_date,
        editable=service.can_edit(ret),
        checked=confirmed and bool((sec.data or {}).get("confirmed")),
        errors=errors,
        error_list=[{"text": errors["confirmed"], "href": "#confirmed"}] if errors else None,
        revision=stale.revision if stale else sec.revision,
        stale=stale,
        stale_message=common_rules.stale_message(stale) if stale else None,
        missing_tag=TAGS[training_status_rules.STATUS_MISSING],
    )


actions = {
    "add-staff": add_staff,
    "edit-staff": edit_staff,
    "remove-staff": remove_staff,
    "add-training": add_training,
    "remove-training": remove_training,
}
