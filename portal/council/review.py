"""A commissioner reviews a submitted return: every section with the computed KPIs
against target, last month and the framework median, the warnings the provider
confirmed, the question thread, and the actions Accept or Query."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from forms import messages
from forms.returns import AcceptForm, QueryForm, checked_comment
from portal.access import requires
from portal.queries import returns as return_queries
from portal.returns import answer_words, audit_words, question_targets, review, service
from portal.returns.sections import SUMMARIES
from portal.schemas.comments import AcceptBodySchema, QueryBodySchema
from portal.vocabulary import Role

if TYPE_CHECKING:
    from portal.models import MonthlyReturn, ReturnVersion

bp = Blueprint("return_review", __name__)


def _load(council_id: int, return_id: int) -> MonthlyReturn:
    ret = return_queries.council_return(council_id, return_id)
    if ret is None:
        abort(404)
    return ret


@bp.route("/council/<int:council_id>/returns/<int:return_id>/review", methods=["GET", "POST"])
@requires(Role.COMMISSIONER, org="council")
def review_return(council_id: int, return_id: int):
    ret = _load(council_id, return_id)
    version = review.latest_version(ret)
    query_form = QueryForm(prefix="query")
    accept_form = AcceptForm(prefix="accept")
    if version is not None:
        query_form.target.choices = [("", "Choose an answer"), *review.queryable_fields(version)]
        if request.method == "GET" and request.args.get("about"):
            query_form.target.data = request.args["about"]  # "Ask about this", without JS
    if request.method == "GET" and request.htmx and version is not None:
        return _ask_fragment(ret, query_form, version)
    status = 200
    if request.method == "POST":
        done = _act(ret, query_form, accept_form)
        if done is not None:
            return done
        status = 400
    return _page(ret, version, query_form, accept_form), status


def _ask_fragment(ret: MonthlyReturn, query_form: QueryForm, version: ReturnVersion) -> str:
    """The question form alone, pointed at an answer ("Ask about this" with htmx)."""
    return render_template(
        "council/_ask.html",
        ret=ret,
        query_form=query_form,
        target_groups=question_targets.grouped_targets(version.data),
    )


def _act(ret: MonthlyReturn, query_form: QueryForm, accept_form: AcceptForm):
    """Query or accept through the domain step; a redirect when done, None when the form
    has errors to show."""
    if not review.can_review(ret):
        flash(messages.NOT_REVIEWABLE, "error")
        return redirect(request.path)
    action = request.form.get("action")
    if action == "query":
        valid = query_form.validate_on_submit()
        text = checked_comment(query_form, QueryBodySchema)
        if valid and text is not None:
            review.query(ret, current_user, query_form.target.data, text)
            flash(f"Your question has been sent to {ret.contract.provider.name}", "success")
            return redirect(request.path)
    if action == "accept":
        valid = accept_form.validate_on_submit()
        text = checked_comment(accept_form, AcceptBodySchema)
        if valid and text is not None:
            review.accept(ret, current_user, text)
            flash(f"You have accepted the {service.period_label(ret.period)} return", "success")
            return redirect(request.path)
    return None


def _errors(*forms) -> list[dict]:
    return [
        {"text": form[name].errors[0], "href": f"#{form[name].id}"}
        for form in forms
        for name in ("target", "text")
        if name in form and form[name].errors
    ]


def _sections(ret: MonthlyReturn, version: ReturnVersion | None, ask: bool) -> list[tuple]:
    """Each section's answers; with ``ask``, every answer or row a question can be about
    carries its own "Ask about this" link (htmx brings the form to it; without JavaScript
    the link opens the page with the form pointed at it)."""
    if version is None:
        return []
    data = version.data.get("sections") or {}
    page = url_for(".review_return", council_id=ret.contract.council_id, return_id=ret.id)
    shown = []
    for code, title in service.SECTIONS:
        rows = SUMMARIES[code](ret, data.get(code) or {}) if code in SUMMARIES else []
        if ask:
            targets = question_targets.row_targets(code, rows, data.get(code) or {})
            for row, identity in zip(rows, targets, strict=True):
                if identity is not None:
                    row["actions"] = _ask_action(page, code, identity, row["key"]["text"])
        shown.append((code, title, rows))
    return shown


_ASK_ATTRIBUTES = Markup(' hx-get="{}" hx-target="#ask" hx-swap="outerHTML show:#ask:top"')


def ask_href(page: str, target: str) -> str:
    """``url_for(".review_return", ..., about=target, _anchor="ask")`` for the page's URL
    ``page``, built as Werkzeug builds it (its query encoding, ``quote`` for the anchor)
    without a URL build for every answer on the page (a tenth of its time)."""
    query = urlencode({"about": target}, safe=_QUERY_SAFE)
    return f"{page}?{query}#ask"


# What Werkzeug's URL building leaves unquoted in a query string (werkzeug.routing.map).
_QUERY_SAFE = "!$'()*,/:;?@"


def _ask_action(page: str, code: str, identity: str, key: str) -> dict:
    href = ask_href(page, question_targets.target_value(code, identity))
    return {
        "items": [
            {
                "href": href,
                "text": "Ask about this",
                "visuallyHiddenText": key,
                # Written out as govukAttributes writes the mapping {"hx-get": href,
                # "hx-target": "#ask", "hx-swap": ...}: a string is used as it is, and the
                # macro's loop over a mapping, for every row, was a tenth of the page.
                "attributes": _ASK_ATTRIBUTES.format(href),
            }
        ]
    }


def _page(ret: MonthlyReturn, version: ReturnVersion | None, query_form, accept_form) -> str:
    return render_template(
        "council/review_return.html",
        ret=ret,
        version=version,
        sections=_sections(ret, version, review.can_review(ret)),
        changed=review.changed_since_previous(ret, version),
        confirmed=answer_words.confirmed_warnings(version.data) if version else [],
        target_groups=question_targets.grouped_targets(version.data) if version else [],
        kpi_rows=review.kpi_rows(ret, version) if version else [],
        comments=review.thread(ret),
        query_form=query_form,
        accept_form=accept_form,
        reviewable=review.can_review(ret),
        error_list=_errors(query_form, accept_form) or None,
        back=url_for(
            "provider_returns.provider_returns",
            council_id=ret.contract.council_id,
            provider_id=ret.contract.provider_id,
        ),
    )


def _council_back(ret: MonthlyReturn) -> str:
    return url_for(".review_return", council_id=ret.contract.council_id, return_id=ret.id)


@bp.route("/council/<int:council_id>/returns/<int:return_id>/history")
@requires(Role.COMMISSIONER, org="council")
def history(council_id: int, return_id: int):
    """The submitted versions of one of the council's returns, each with what changed."""
    ret = _load(council_id, return_id)
    return render_template(
        "provider/returns/history.html",
        ret=ret,
        changes=review.version_history(ret),
        back=_council_back(ret),
        back_text="Back to the review",
    )


@bp.route("/council/<int:council_id>/returns/<int:return_id>/audit")
@requires(Role.COMMISSIONER, org="council")
def audit_log(council_id: int, return_id: int):
    """Every change to one of the council's returns, in words."""
    ret = _load(council_id, return_id)
    entries = [audit_words.entry_view(e) for e in return_queries.audit_entries(ret.id)]
    return render_template(
        "provider/returns/audit_log.html",
        ret=ret,
        entries=entries,
        back=_council_back(ret),
        back_text="Back to the review",
    )
