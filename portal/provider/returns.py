"""Provider pages for a monthly return: the list, the task list, each section, nil
return, check your answers, submit, confirmation, history and the audit log.

Every URL carries the provider id (checked against the user's membership by
``requires``) and the return id (looked up within that provider, else 404)."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from forms import messages
from forms.returns import NilReturnForm, ReplyForm, SubmitReturnForm, checked_comment
from portal import clock
from portal.access import requires
from portal.provider.sections import HANDLERS
from portal.queries import organisations
from portal.queries import returns as return_queries
from portal.returns import audit_words, question_targets, review, service
from portal.returns.calendar import due_label
from portal.schemas.comments import ReplyBodySchema
from portal.vocabulary import PROVIDER_ROLES, ReturnStatus

if TYPE_CHECKING:
    from portal.models import MonthlyReturn
    from portal.queries.returns import ReturnGlance

bp = Blueprint("monthly_return", __name__)
PREFIX = "/provider/<int:provider_id>/returns/<int:return_id>"
# Returns listed under "Returns to do" while they are open; the rest are past returns.
TO_DO = (ReturnStatus.NOT_STARTED, ReturnStatus.IN_PROGRESS, ReturnStatus.QUERIED)


def load_return(provider_id: int, return_id: int) -> MonthlyReturn:
    ret = service.get_return_for_provider(provider_id, return_id)
    if ret is None:
        abort(404)
    return ret


def refuse_if_locked(ret: MonthlyReturn):
    """A POST to a return that cannot change: a clear message on the task list."""
    if service.can_edit(ret):
        return None
    if service.is_locked(ret):
        flash(messages.RETURN_LOCKED.format(council=ret.contract.council.name), "error")
    else:
        flash(messages.RETURN_NOT_EDITABLE, "error")
    return redirect(return_url(ret))


def return_url(ret: MonthlyReturn, endpoint: str = "task_list", **values) -> str:
    return url_for(
        f"monthly_return.{endpoint}",
        provider_id=ret.contract.provider_id,
        return_id=ret.id,
        **values,
    )


@bp.app_template_global()
def return_link(ret: MonthlyReturn, endpoint: str = "task_list", **values) -> str:
    return return_url(ret, endpoint, **values)


@bp.app_context_processor
def _helpers():
    return {
        "period_label": service.period_label,
        "display_status": service.display_status,
        "return_deadlines": service.deadlines,
        "section_titles": service.SECTION_TITLES,
        "summary_rows": lambda ret, code, data: HANDLERS[code].summary(ret, data or {}),
        "open_queries_for": _open_queries_for,
        "question_about": question_targets.about,
    }


def _open_queries_for(ret: MonthlyReturn, code: str) -> list:

    return [q for q in review.open_queries(ret) if q.section == code]


@bp.route("/provider/<int:provider_id>/returns")
@requires(*PROVIDER_ROLES, org="provider")
def your_returns(provider_id: int):
    today = clock.today()
    contracts = organisations.contracts_by_council(provider_id)
    provider = organisations.get_provider(provider_id)  # came with the contracts, if any
    current: OrderedDict = OrderedDict()
    past: list[ReturnGlance] = []
    for ret in _expected_newest_first(contracts):
        to_do = ret.status in TO_DO or service.changed_since_sent(ret)
        if to_do and not service.is_locked(ret, today):
            current.setdefault(ret.contract.council, []).append(ret)
        else:
            past.append(ret)
    return render_template(
        "provider/returns/your_returns.html",
        provider=provider,
        current=current,
        past=past,
        today=today,
        due_label=lambda ret: due_label(today, service.deadlines(ret).due_on),
        contracts=contracts,
    )


def _expected_newest_first(contracts: list) -> list[ReturnGlance]:
    """The provider's returns that are expected (or were sent), newest first, then by
    council and contract: as ``service.returns_for_provider`` lists them, read as glances
    (one query) rather than as returns with their versions and sections."""
    glances = return_queries.return_glances([c for _, group in contracts for c in group])
    glances.sort(key=lambda r: (-r.period.toordinal(), r.contract.council_id, r.contract.id))
    return [r for r in glances if r.sent or service.is_expected(r.contract, r.period)]


@bp.route(PREFIX)
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def task_list(provider_id: int, return_id: int):
    return _task_list(load_return(provider_id, return_id))


def _task_list(ret: MonthlyReturn, reply_errors: dict | None = None):

    today = clock.today()
    comments = review.thread(ret)
    return render_template(
        "provider/returns/task_list.html",
        ret=ret,
        editable=service.can_edit(ret),
        locked=service.is_locked(ret),
        due=due_label(today, service.deadlines(ret).due_on),
        incomplete=service.incomplete_sections(ret),
        comments=comments,
        reply_form=ReplyForm() if comments else None,  # only a question is replied to
        reply_action=return_url(ret, "reply"),
        reply_errors=reply_errors,
        error_list=[
            {"text": text, "href": f"#reply-{cid}"} for cid, text in (reply_errors or {}).items()
        ]
        or None,
    )


@bp.route(PREFIX + "/reply", methods=["POST"])
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def reply(provider_id: int, return_id: int):
    """The provider answers one of the council's questions about this return."""

    ret = load_return(provider_id, return_id)
    form = ReplyForm()
    try:
        comment_id = int(request.form.get("comment", ""))
    except ValueError:
        flash(messages.REPLY_WHICH_QUESTION, "error")
        return redirect(return_url(ret))
    parent = return_queries.return_comment(ret.id, comment_id)
    if parent is None or parent.kind != "query":
        abort(404)
    if parent.resolved or not service.can_edit(ret):
        flash(messages.REPLY_CLOSED, "error")
        return redirect(return_url(ret))
    valid = form.validate_on_submit()
    text = checked_comment(form, ReplyBodySchema)
    if valid and text is not None:
        review.reply(ret, current_user, parent, text)
        flash("Your reply has been sent", "success")
        return redirect(return_url(ret) + "#thread")
    return _task_list(ret, reply_errors={parent.id: form.text.errors[0] if form.text.errors
                                         else messages.REPLY_REQUIRED}), 400  # fmt: skip


@bp.route(PREFIX + "/section/<code>", methods=["GET", "POST"])
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def edit_section(provider_id: int, return_id: int, code: str):
    ret = load_return(provider_id, return_id)
    handler = HANDLERS.get(code)
    if handler is None:
        abort(404)
    if request.method == "POST":
        refused = refuse_if_locked(ret)
        if refused:
            return refused
    return handler.view(ret, service.section(ret, code))


@bp.route(PREFIX + "/section/<code>/<action>", methods=["GET", "POST"])
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def section_action(provider_id: int, return_id: int, code: str, action: str):
    """Extra pages and fragments of a section (the KPI preview, a handback row...)."""
    ret = load_return(provider_id, return_id)
    handler = HANDLERS.get(code)
    view = getattr(handler, "actions", {}).get(action) if handler else None
    if view is None:
        abort(404)
    if request.method == "POST" and not getattr(view, "read_only", False):
        refused = refuse_if_locked(ret)
        if refused:
            return refused
    return view(ret, service.section(ret, code))


@bp.route(PREFIX + "/nil", methods=["GET", "POST"])
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def nil_return(provider_id: int, return_id: int):

    ret = load_return(provider_id, return_id)
    form = NilReturnForm(nil=("yes" if ret.nil_return else None))
    if request.method == "POST":
        refused = refuse_if_locked(ret)
        if refused:
            return refused
        if form.validate_on_submit():
            service.set_nil_return(ret, form.nil.data == "yes", current_user)
            return redirect(return_url(ret))
    return render_template("provider/returns/nil_return.html", ret=ret, form=form), (
        400 if form.errors else 200
    )


@bp.route(PREFIX + "/check", methods=["GET"])
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def check_answers(provider_id: int, return_id: int):

    ret = load_return(provider_id, return_id)
    form = SubmitReturnForm(submission_key=service.new_submission_key())
    return render_template(
        "provider/returns/check_answers.html",
        ret=ret,
        form=form,
        summaries=_summaries(ret),
        incomplete=service.incomplete_sections(ret),
        editable=service.can_edit(ret),
    )


def _summaries(ret: MonthlyReturn) -> list[tuple[str, str, list]]:
    out = []
    queries = review.open_queries(ret)
    for code, title in service.SECTIONS:
        handler = HANDLERS.get(code)
        sec = service.section(ret, code)
        rows = handler.summary(ret, sec.data or {}) if handler else []
        out.append((code, title, _with_questions(code, rows, sec.data or {}, queries)))
    return out


def _with_questions(code: str, rows: list[dict], data: dict, queries: list) -> list[dict]:
    """The council's open questions shown beside the answer or row each is about."""
    asked: dict[str, list[str]] = {}
    for query in queries:
        if query.section == code and query.field:
            asked.setdefault(query.field, []).append(query.text)
    if not asked:
        return rows
    for row, identity in zip(rows, question_targets.row_targets(code, rows, data), strict=True):
        if identity in asked:
            notes = Markup("").join(
                Markup(
                    '<p class="govuk-body govuk-!-margin-top-2 govuk-!-margin-bottom-0">'
                    '<strong class="govuk-tag govuk-tag--orange">Question</strong> {}</p>'
                ).format(text)
                for text in asked[identity]
            )
            row["value"] = {"html": escape(row["value"].get("text", "")) + notes}
    return rows


@bp.route(PREFIX + "/submit", methods=["POST"])
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def submit(provider_id: int, return_id: int):

    ret = load_return(provider_id, return_id)
    form = SubmitReturnForm()
    if not form.validate_on_submit():
        abort(400)
    key = form.submission_key.data
    already = return_queries.version_made_by_key(ret.id, key)
    if already is not None:  # a double click or a retry: show what the first one made
        return redirect(return_url(ret, "confirmation", number=already.number))
    refused = refuse_if_locked(ret)
    if refused:
        return refused
    problems = []
    incomplete = service.incomplete_sections(ret)
    if incomplete:
        problems.append(messages.SECTIONS_INCOMPLETE.format(sections=", ".join(incomplete)))
    if problems:
        return render_template(
            "provider/returns/check_answers.html",
            ret=ret,
            form=SubmitReturnForm(submission_key=service.new_submission_key()),
            summaries=_summaries(ret),
            incomplete=incomplete,
            editable=True,
            error_list=[{"text": p, "href": "#sections"} for p in problems],
        ), 400
    result = service.submit(ret.id, current_user, key)  # the receipt, the council, the risk
    return redirect(return_url(ret, "confirmation", number=result.version.number))


@bp.route(PREFIX + "/versions/<int:number>/confirmation")
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def confirmation(provider_id: int, return_id: int, number: int):
    ret = load_return(provider_id, return_id)
    version = next((v for v in ret.versions if v.number == number), None)
    if version is None:
        abort(404)
    return render_template(
        "provider/returns/confirmation.html", ret=ret, version=version, email=current_user.email
    )


@bp.route(PREFIX + "/history")
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def history(provider_id: int, return_id: int):
    ret = load_return(provider_id, return_id)
    return render_template(
        "provider/returns/history.html",
        ret=ret,
        changes=review.version_history(ret),
        back=return_url(ret, "task_list"),
        back_text="Back to your return",
    )


@bp.route(PREFIX + "/audit")
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def audit_log(provider_id: int, return_id: int):

    ret = load_return(provider_id, return_id)
    entries = [audit_words.entry_view(e) for e in return_queries.audit_entries(ret.id)]
    return render_template(
        "provider/returns/audit_log.html",
        ret=ret,
        entries=entries,
        back=return_url(ret, "task_list"),
        back_text="Back to your return",
    )
