"""Feedback reports on screen: the provider's list and each report (with its PDF), and the
same report for the council's commissioners without the staff list (worker ids are the
provider's). A report is named in the query string (``council`` or ``provider``, and
``period``); a provider sees only reports from councils it has a contract with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from flask import Blueprint, abort, make_response, render_template, request, url_for

from portal.access import requires
from portal.clock import today
from portal.documents import document_response, find_document
from portal.feedback import FEEDBACK
from portal.feedback.data import Period, feedback_for, parse_period
from portal.feedback.jobs import PDF
from portal.feedback.kpi_charts import kpi_charts
from portal.queries import jobs as job_queries
from portal.queries import organisations
from portal.vocabulary import PROVIDER_ROLES, Role

if TYPE_CHECKING:
    from portal.models import Document

bp = Blueprint("feedback", __name__)


@dataclass(frozen=True)
class ReportLink:
    period: Period
    council_name: str
    built_on: date
    page_url: str
    pdf_url: str


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


def _bad_link(missing: list[tuple[str, str]], list_url: str, list_text: str):
    """400: the query string does not name a report. Says what is missing."""
    return render_template(
        "provider/feedback/bad_link.html",
        error_list=[{"text": text} for _, text in missing],
        list_url=list_url,
        list_text=list_text,
    ), 400


def _named(other: str, other_label: str) -> tuple[int | None, Period | None, list]:
    """The other organisation's id and the period from the query string, with what is
    wrong with them."""
    other_id, period = _int_arg(other), parse_period(request.args.get("period"))
    problems = []
    if other_id is None:
        problems.append((other, f"The link does not say which {other_label} the report is from"))
    if period is None:
        problems.append(("period", "The link does not give a month (2026-10) or quarter (2026-Q3)"))
    return other_id, period, problems


def _check_exists(council_id: int, provider_id: int, period: Period) -> None:
    """404 unless the two have a contract and the period has begun."""
    if not organisations.contracts_between(council_id, provider_id) or period.start > today():
        abort(404)


def _provider_report_named(provider_id: int) -> tuple[str, int, Period, Document | None]:
    """For the provider's report and its PDF: the list page's url, the council and period
    the link names and the built PDF (None until built). Stops with the 400 page when the
    link does not name a report, 404 when there is none."""
    list_url = url_for("feedback.feedback_list", provider_id=provider_id)
    council_id, period, problems = _named("council", "council")
    if problems:
        abort(make_response(_bad_link(problems, list_url, "Go to your feedback reports")))
    _check_exists(council_id, provider_id, period)
    document = find_document(FEEDBACK, council_id, period.name, PDF, provider_id=provider_id)
    return list_url, council_id, period, document


@bp.route("/provider/<int:provider_id>/feedback")
@requires(*PROVIDER_ROLES, org="provider")
def feedback_list(provider_id: int):
    provider = organisations.get_provider(provider_id)
    reports = []
    for document, council_name in job_queries.provider_documents(provider_id, FEEDBACK, PDF):
        period = parse_period(document.period)
        if period is None:
            continue
        args = {"provider_id": provider_id, "council": document.council_id, "period": period.name}
        reports.append(
            ReportLink(
                period,
                council_name,
                document.built_at.date(),
                url_for("feedback.provider_report", **args),
                url_for("feedback.provider_report_pdf", **args),
            )
        )
    reports.sort(key=lambda r: (r.period.end, r.period.is_quarter, r.council_name), reverse=True)
    return render_template("provider/feedback/list.html", provider=provider, reports=reports)


@bp.route("/provider/<int:provider_id>/feedback/report")
@requires(*PROVIDER_ROLES, org="provider")
def provider_report(provider_id: int):
    list_url, council_id, period, document = _provider_report_named(provider_id)
    pdf_url = url_for(
        "feedback.provider_report_pdf",
        provider_id=provider_id,
        council=council_id,
        period=period.name,
    )
    feedback = feedback_for(council_id, provider_id, period)
    return render_template(
        "provider/feedback/report.html",
        feedback=feedback,
        charts=kpi_charts(feedback),
        staff=True,
        pdf_url=pdf_url if document is not None else None,
        back={"href": list_url, "text": "Back to your feedback reports"},
    )


@bp.route("/provider/<int:provider_id>/feedback/report.pdf")
@requires(*PROVIDER_ROLES, org="provider")
def provider_report_pdf(provider_id: int):
    list_url, council_id, period, document = _provider_report_named(provider_id)
    if document is None:
        return render_template(
            "provider/feedback/not_ready.html",
            period=period,
            council=organisations.get_council(council_id),
            list_url=list_url,
        ), 404
    return document_response(document)


@bp.route("/council/<int:council_id>/feedback/report")
@requires(Role.COMMISSIONER, org="council")
def council_report(council_id: int):
    list_url = url_for("your_providers.your_providers", council_id=council_id)
    provider_id, period, problems = _named("provider", "provider")
    if problems:
        return _bad_link(problems, list_url, "Go to your providers")
    _check_exists(council_id, provider_id, period)
    back = url_for(
        "provider_returns.provider_returns", council_id=council_id, provider_id=provider_id
    )
    feedback = feedback_for(council_id, provider_id, period)
    return render_template(
        "provider/feedback/report.html",
        feedback=feedback,
        charts=kpi_charts(feedback),
        staff=False,
        pdf_url=None,
        back={"href": back, "text": "Back to the provider's returns"},
    )
