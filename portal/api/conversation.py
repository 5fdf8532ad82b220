"""The provider API's side of what comes back: the council's questions on a return (and
replying to one, through ``portal.returns.review.reply``, which tells the council as the
page does), and the provider's feedback reports (a list, each report's figures as JSON,
``portal.schemas.feedback``, and its PDF)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, g, jsonify, request, url_for

from forms import messages
from portal.api import calls
from portal.api.auth import api_key_required
from portal.api.problems import ApiProblem, answer_errors_as_problems, field_errors
from portal.api.v1 import _json_body
from portal.clock import as_utc
from portal.documents import document_response
from portal.extensions import csrf
from portal.feedback import FEEDBACK
from portal.feedback.data import feedback_for
from portal.feedback.jobs import PDF
from portal.queries import accounts
from portal.queries import jobs as job_queries
from portal.queries import returns as return_queries
from portal.returns import review, service
from portal.schemas.comments import ReplyBodySchema, load_comment
from portal.schemas.feedback import FeedbackReportSchema
from portal.schemas.resources import CommentListSchema, CommentSchema

if TYPE_CHECKING:
    from portal.models import Document

bp = Blueprint("api_v1_conversation", __name__, url_prefix="/api/v1/providers/<int:provider_id>")
csrf.exempt(bp)
bp.after_request(calls.record)

RETURN = "/returns/<int:return_id>"
NO_USER = (
    "This key was not made by a person in the portal, so it cannot reply: ask a provider "
    "manager to make a new key"
)


answer_errors_as_problems(bp)


def _return(provider_id: int, return_id: int):
    ret = service.get_return_for_provider(provider_id, return_id)
    if ret is None:
        raise ApiProblem(404, "Not found")
    return ret


@bp.get(RETURN + "/questions")
@api_key_required
def questions(provider_id: int, return_id: int):
    """The council's questions, acceptances and notes on the return, oldest first, each
    with its replies.
    ---
    get:
      tags: [Returns]
      summary: Read the questions on a return
      responses:
        200: {description: The thread, content: {application/json: {schema: CommentListSchema}}}
    """
    ret = _return(provider_id, return_id)
    return jsonify(CommentListSchema().dump({"comments": review.thread(ret)}))


@bp.post(RETURN + "/questions/<int:comment_id>/reply")
@api_key_required
def reply(provider_id: int, return_id: int, comment_id: int):
    """Reply to a question: the council is told, as when the provider replies on the page.
    ---
    post:
      tags: [Returns]
      summary: Reply to a question
      requestBody:
        required: true
        content:
          application/json:
            schema:
              ReplyBodySchema
      responses:
        201: {description: The reply, content: {application/json: {schema: CommentSchema}}}
    """
    ret = _return(provider_id, return_id)
    parent = return_queries.return_comment(ret.id, comment_id)
    if parent is None or parent.kind != "query" or parent.parent_id is not None:
        raise ApiProblem(404, "Not found")
    if request.mimetype != "application/json":
        raise ApiProblem(415, "Send JSON, with Content-Type: application/json")
    text = _reply_text(_json_body())
    if parent.resolved or not service.can_edit(ret):
        raise ApiProblem(409, messages.REPLY_CLOSED)
    user = accounts.find_user(g.api_key.created_by) if g.api_key.created_by else None
    if user is None:
        raise ApiProblem(403, NO_USER)
    made = review.reply(ret, user, parent, text)
    return jsonify(CommentSchema().dump(made)), 201


def _reply_text(body) -> str:
    loaded, errors = load_comment(ReplyBodySchema, body if isinstance(body, dict) else {})
    if errors:
        raise ApiProblem(422, "Check the request body", field_errors(errors))
    return loaded["text"]


@bp.get("/feedback")
@api_key_required
def feedback(provider_id: int):
    """The provider's feedback reports, newest first, each with its PDF's address.
    ---
    get:
      tags: [Feedback]
      summary: List feedback reports
      responses:
        200: {description: The reports, content: {application/json: {schema: FeedbackListSchema}}}
    """
    reports = [
        {
            "id": document.id,
            "council_id": document.council_id,
            "council": council_name,
            "period": document.period,
            "built_at": as_utc(document.built_at).isoformat(),
            "pdf_url": url_for(".feedback_pdf", provider_id=provider_id, report_id=document.id),
            "json_url": url_for(".feedback_report", provider_id=provider_id, report_id=document.id),
        }
        for document, council_name in job_queries.provider_documents(provider_id, FEEDBACK, PDF)
    ]
    return jsonify(reports=reports[::-1])


def _report(provider_id: int, report_id: int) -> Document:
    for document, _ in job_queries.provider_documents(provider_id, FEEDBACK, PDF):
        if document.id == report_id:
            return document
    raise ApiProblem(404, "Not found")


class _Report:
    """The report's figures with the document's id, time and PDF address, for dumping."""

    def __init__(self, document: Document, provider_id: int):
        self.id, self.built_at = document.id, as_utc(document.built_at)
        self.pdf_url = url_for(".feedback_pdf", provider_id=provider_id, report_id=document.id)
        self._feedback = feedback_for(document.council_id, provider_id, document.period)

    def __getattr__(self, name: str):
        return getattr(self._feedback, name)


@bp.get("/feedback/<int:report_id>.json")
@api_key_required
def feedback_report(provider_id: int, report_id: int):
    """A feedback report's figures: each KPI against its target and the other providers'
    median and quartiles (never named), the trend, training compliance against the area,
    training expiring soon, the council's questions and the summary in words, as the
    report page shows them now (the PDF is as it was made).
    ---
    get:
      tags: [Feedback]
      summary: Read a feedback report's figures
      responses:
        200:
          description: The report
          content: {application/json: {schema: FeedbackReportSchema}}
    """
    document = _report(provider_id, report_id)
    return jsonify(FeedbackReportSchema().dump(_Report(document, provider_id)))


@bp.get("/feedback/<int:report_id>.pdf")
@api_key_required
def feedback_pdf(provider_id: int, report_id: int):
    """A feedback report's PDF.
    ---
    get:
      tags: [Feedback]
      summary: Download a feedback report
      responses:
        200:
          description: The PDF
          content: {application/pdf: {schema: {type: string, format: binary}}}
    """
    return document_response(_report(provider_id, report_id))
