"""A council's quarterly contract-meeting packs, for its commissioners: the list of packs
for a quarter (each provider's and each framework's summary) with their state, building
one (a background job, ``workers.packs``), watching it (an htmx fragment that polls
itself; without JavaScript the page shows the state and a Refresh link), downloading the
PDF and XLSX, and the actions agreed at each provider's contract meeting, which the next
quarter's pack carries.

Which pack: ``provider`` or ``framework`` and ``quarter`` in the query string or form
(the guardrail test only knows ``council_id`` as a URL parameter). A provider or
framework of another council, or a job or action of another council, is a 404."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.packs import MeetingActionForm
from forms.quality import error_list
from portal import clock
from portal.access import requires
from portal.background import jobs
from portal.council.pack_state import (
    FORMAT_ERROR,
    FORMATS,
    BadInput,
    PackState,
    PackTarget,
    council_provider,
    job_in_council,
    parse_id,
    parse_quarter_choice,
    quarter_options,
    state_of,
    states_of,
    target_from,
    target_of_job,
)
from portal.documents import document_response
from portal.feedback import at_lock
from portal.packs import actions
from portal.queries import organisations
from portal.queries import oversight as oversight_queries
from portal.returns.calendar import parse_quarter, quarter_label, quarter_name
from portal.vocabulary import Role

if TYPE_CHECKING:
    from portal.models import Job, MeetingAction

bp = Blueprint("contract_packs", __name__)
PREFIX = "/council/<int:council_id>/packs"
ACTION_NOT_FOUND = "Select an action to mark as done"
ACTION_PACKS_ONLY = "Actions are recorded on a provider's pack, not a framework summary"


def _quarter_text(name: str) -> str:
    """ "July to September 2026" for "2026-Q3" (as stored on an action)."""
    first = parse_quarter(name)
    return quarter_label(first) if first else name


@bp.app_context_processor
def _helpers():
    return {"pack_quarter_label": _quarter_text}


# --- the list of packs ----------------------------------------------------------------------


@bp.route(PREFIX)
@requires(Role.COMMISSIONER, org="council")
def packs(council_id: int):
    try:
        quarter = parse_quarter_choice(request.args.get("quarter"), clock.today())
    except BadInput as error:
        return _list_page(council_id, None, error)
    return _list_page(council_id, quarter)


def _list_page(council_id: int, quarter: date | None, error: BadInput | None = None):
    """The packs of a quarter; with ``error``, its message in an error summary and 400."""
    council = organisations.get_council(council_id)
    options = quarter_options(clock.today())
    quarter = quarter or options[0]
    providers = [p for p, _ in organisations.council_providers(council_id)]
    provider_states = states_of([PackTarget(council_id, quarter, provider=p) for p in providers])
    framework_states = states_of(
        [PackTarget(council_id, quarter, framework=f) for f in council.frameworks]
    )
    return render_template(
        "council/packs/packs.html",
        council=council,
        quarter=quarter,
        quarter_name=quarter_name(quarter),
        quarter_label=quarter_label(quarter),
        quarter_items=[
            {"value": quarter_name(q), "text": quarter_label(q), "selected": q == quarter}
            for q in options
        ],
        provider_states=provider_states,
        framework_states=framework_states,
        error_list=[{"text": error.message, "href": error.anchor}] if error else None,
    ), (400 if error else 200)


# --- building and watching one pack ---------------------------------------------------------


@bp.route(PREFIX + "/build", methods=["POST"])
@requires(Role.COMMISSIONER, org="council")
def build(council_id: int):
    """Queue the pack. Asking again while it is queued or being built, or when it is
    ready (without "Build again"), gives the pack page rather than a second job."""
    try:
        target = target_from(request.form, council_id, clock.today(), quarter_required=True)
    except BadInput as error:
        return _list_page(council_id, None, error)
    state = state_of(target)
    again = request.form.get("again") == "yes"
    if not state.active and (state.status != "ready" or again):
        jobs.submit(
            target.kind,
            target.key,
            target.params,
            council_id=council_id,
            provider_id=target.provider.id if target.provider is not None else None,
            user_id=current_user.id,
        )
    return redirect(_pack_url(target))


@bp.route(PREFIX + "/pack")
@requires(Role.COMMISSIONER, org="council")
def pack(council_id: int):
    try:
        target = target_from(request.args, council_id, clock.today(), quarter_required=False)
    except BadInput as error:
        return _list_page(council_id, None, error)
    return _pack_page(target)


@bp.route(PREFIX + "/pack/status")
@requires(Role.COMMISSIONER, org="council")
def pack_status(council_id: int):
    """The progress fragment for htmx; the whole pack page for a browser without it."""
    try:
        job = job_in_council(council_id, request.args.get("job"))
    except BadInput as error:
        return _list_page(council_id, None, error)
    target = target_of_job(job)
    if not request.htmx:
        return redirect(_pack_url(target))
    context = _status_context(target, job, state_of(target))
    return render_template("council/packs/_pack_status.html", **context)


@bp.route(PREFIX + "/retry", methods=["POST"])
@requires(Role.COMMISSIONER, org="council")
def retry(council_id: int):
    try:
        job = job_in_council(council_id, request.form.get("job"))
    except BadInput as error:
        return _list_page(council_id, None, error)
    target = target_of_job(job)
    jobs.retry(job)
    return redirect(_pack_url(target))


@bp.route(PREFIX + "/download")
@requires(Role.COMMISSIONER, org="council")
def download(council_id: int):
    try:
        target = target_from(request.args, council_id, clock.today(), quarter_required=True)
        fmt = request.args.get("format", "").strip().lower()
        if fmt not in FORMATS:
            raise BadInput(FORMAT_ERROR, "#providers")
    except BadInput as error:
        return _list_page(council_id, None, error)
    document = target.document(fmt)
    if document is None:
        abort(404)
    return document_response(document)


def _pack_url(target: PackTarget, anchor: str | None = None) -> str:
    return url_for(
        "contract_packs.pack", council_id=target.council_id, _anchor=anchor, **target.args
    )


def _downloads(target: PackTarget) -> list[dict]:
    found = []
    for fmt in FORMATS:
        if target.document(fmt) is not None:
            found.append(
                {
                    "text": f"Download the pack ({fmt.upper()})",
                    "href": url_for(
                        "contract_packs.download",
                        council_id=target.council_id,
                        format=fmt,
                        **target.args,
                    ),
                }
            )
    return found


def _status_context(target: PackTarget, job: Job, state: PackState) -> dict:
    return {
        "job": job,
        "state": state,
        "downloads": _downloads(target),
        "status_url": url_for(
            "contract_packs.pack_status", council_id=target.council_id, job=job.id
        ),
        "retry_url": url_for("contract_packs.retry", council_id=target.council_id),
    }


def _pack_page(target: PackTarget, action_form: MeetingActionForm | None = None):
    state: PackState = state_of(target)
    form = action_form or MeetingActionForm(formdata=None)
    errors = error_list(form) if form.errors else None
    context = (
        _status_context(target, state.job, state)
        if state.job is not None
        else {"job": None, "state": state, "downloads": _downloads(target)}
    )
    return render_template(
        "council/packs/pack.html",
        council=organisations.get_council(target.council_id),
        target=target,
        actions=_actions_of(target) if target.provider is not None else [],
        action_form=form,
        error_list=errors,
        **context,
    ), (400 if errors else 200)


# --- actions agreed at contract meetings ----------------------------------------------------


def _actions_of(target: PackTarget) -> list[MeetingAction]:
    """The provider's actions with this council: open ones first, newest meeting first."""
    return oversight_queries.meeting_actions(target.council_id, target.provider.id)


@bp.route(PREFIX + "/actions", methods=["POST"])
@requires(Role.COMMISSIONER, org="council")
def add_action(council_id: int):
    try:
        target = target_from(request.form, council_id, clock.today(), quarter_required=True)
        if target.provider is None:
            raise BadInput(ACTION_PACKS_ONLY, "#providers")
    except BadInput as error:
        return _list_page(council_id, None, error)
    form = MeetingActionForm()
    if not form.validate_on_submit():
        return _pack_page(target, form)
    actions.record_action(
        council_id,
        target.provider.id,
        target.quarter_name,
        form.text.data,
        owner=form.owner.data,
        due_on=form.due_on.data,
        recorded_by_id=current_user.id,
    )
    flash("Action added", "success")
    return redirect(_pack_url(target, "actions"))


@bp.route(PREFIX + "/actions/done", methods=["POST"])
@requires(Role.COMMISSIONER, org="council")
def action_done(council_id: int):
    try:
        action_id = parse_id(request.form.get("action_id"), ACTION_NOT_FOUND)
    except BadInput as error:
        return _list_page(council_id, None, error)
    action = oversight_queries.council_action(council_id, action_id)
    if action is None:
        abort(404)
    if actions.mark_done(action, clock.today()):
        flash("Action marked as done", "success")
    try:  # back to the pack the button was on
        quarter = parse_quarter_choice(request.form.get("quarter"), clock.today())
    except BadInput:
        quarter = quarter_options(clock.today())[0]
    provider = council_provider(council_id, action.provider_id)
    return redirect(_pack_url(PackTarget(council_id, quarter, provider=provider), "actions"))


# --- the quarter's feedback reports, sooner -------------------------------------------------


@bp.route(PREFIX + "/feedback", methods=["POST"])
@requires(Role.COMMISSIONER, org="council")
def quarter_feedback(council_id: int):
    """Make the quarter's feedback reports now rather than when its last month locks."""
    quarter = parse_quarter(request.form.get("quarter") or "")
    if quarter is None:
        return _list_page(council_id, None, BadInput("Select a quarter", "#quarter"))
    asked = at_lock.queue_quarter_feedback_now(council_id, quarter, current_user.id)
    flash(
        f"Feedback reports for {quarter_label(quarter)} asked for: {asked} "
        f"provider{'' if asked == 1 else 's'} with a submitted return.",
        "success",
    )
    return redirect(
        url_for("contract_packs.packs", council_id=council_id, quarter=quarter_name(quarter))
    )
