"""The provider API's monthly returns: list them, read one with every section, its KPIs,
RAG and warnings, write a section (``PUT``, with ``If-Match`` on the section's ETag) and
submit (``Idempotency-Key``). Every step is the web's own domain function
(``service.save_section``, ``service.submit``), so the API gets the same audit rows,
receipt e-mail, council notification and risk re-rating as the pages.

Another provider's return, or one that does not exist, is 404 the same way; errors are
``application/problem+json`` (``portal.api.problems``). The OpenAPI description of each
operation is the YAML after ``---`` in its docstring (``portal.api.openapi``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, g, jsonify, request
from marshmallow import ValidationError

from forms import messages
from portal.api import calls
from portal.api import return_documents as documents
from portal.api.auth import api_key_required
from portal.api.problems import ApiProblem, answer_errors_as_problems, field_errors
from portal.api.section_rows import ROW_SECTIONS, answers_from_rows
from portal.api.v1 import _json_body
from portal.extensions import csrf
from portal.queries import accounts, organisations
from portal.queries import returns as return_queries
from portal.returns import service
from portal.returns.sections import common_rules, training_rules
from portal.schemas.resources import SectionWriteSchema
from portal.schemas.sections import ANSWER_SCHEMAS, flat_errors, parse_section
from portal.uploads.section_files import soft_warnings
from portal.vocabulary import SectionState

if TYPE_CHECKING:
    from portal.models import MonthlyReturn, ReturnSection, User

bp = Blueprint("api_v1_returns", __name__, url_prefix="/api/v1/providers/<int:provider_id>")
csrf.exempt(bp)

RETURN = "/returns/<int:return_id>"
NOT_FOUND = "Not found"
NO_USER = (
    "This key was not made by a person in the portal, so it cannot change a return: "
    "ask a provider manager to make a new key"
)
NOT_WRITABLE = (
    "The {title} section cannot be written through the API yet: fill it in on the "
    "portal, or upload its file there"
)
STALE = (
    "The section has changed since you read it (If-Match does not match its ETag): "
    "read it again and send your answers with its new ETag"
)


answer_errors_as_problems(bp)


bp.after_request(calls.record)  # the audit row and the RateLimit headers


def _return(provider_id: int, return_id: int) -> MonthlyReturn:
    ret = service.get_return_for_provider(provider_id, return_id)
    if ret is None:
        raise ApiProblem(404, NOT_FOUND)
    return ret


def _section(ret: MonthlyReturn, code: str) -> ReturnSection:
    if code not in service.SECTION_TITLES:
        raise ApiProblem(404, NOT_FOUND)
    return service.section(ret, code)


def _etag(sec: ReturnSection) -> str:
    return f'"{sec.return_id}-{sec.code}-{sec.revision}"'


def _editable(ret: MonthlyReturn) -> None:
    if service.can_edit(ret):
        return
    if service.is_locked(ret):
        raise ApiProblem(409, messages.RETURN_LOCKED.format(council=ret.contract.council.name))
    raise ApiProblem(409, messages.RETURN_NOT_EDITABLE)


def _key_user() -> User:
    user = accounts.find_user(g.api_key.created_by) if g.api_key.created_by else None
    if user is None:
        raise ApiProblem(403, NO_USER)
    return user


def _expected_revision(sec: ReturnSection) -> int:
    """The revision ``If-Match`` names (412 when it is not the current one); without
    ``If-Match`` the write is made over whatever is saved now."""
    if not request.headers.get("If-Match"):
        return sec.revision
    if request.if_match.contains(_etag(sec).strip('"')) or request.if_match.star_tag:
        return sec.revision
    raise ApiProblem(412, STALE)


def _section_answer(ret: MonthlyReturn, sec: ReturnSection, status: int = 200):
    response = jsonify(documents.section_document(ret, sec))
    response.status_code = status
    response.headers["ETag"] = _etag(sec)
    return response


@bp.get("/returns")
@api_key_required
def list_returns(provider_id: int):
    """Every monthly return of the provider, newest month first.
    ---
    get:
      tags: [Returns]
      summary: List the provider's returns
      responses:
        200: {description: The returns, content: {application/json: {schema: ReturnListSchema}}}
    """
    contracts = [
        c.id for _, group in organisations.contracts_by_council(provider_id) for c in group
    ]
    found = return_queries.returns_of_contracts(contracts)
    return jsonify(returns=[documents.summary(ret) for ret in found])


@bp.get(RETURN)
@api_key_required
def read_return(provider_id: int, return_id: int):
    """A return with every section's answers, its computed KPIs with RAG, and warnings.
    ---
    get:
      tags: [Returns]
      summary: Read a return
      responses:
        200: {description: The return, content: {application/json: {schema: ReturnSchema}}}
    """
    return jsonify(documents.return_document(_return(provider_id, return_id)))


@bp.route(RETURN + "/sections/<code>", methods=["GET", "PUT"])
@api_key_required
def section(provider_id: int, return_id: int, code: str):
    """One section: its answers, state, revision (ETag) and warnings; PUT writes it.
    ---
    get:
      tags: [Returns]
      summary: Read a section
      responses:
        200: {description: The section, content: {application/json: {schema: SectionSchema}}}
    put:
      tags: [Returns]
      summary: Write a section's answers
      description: >
        Checked by the section's own rules (the web form's messages). Soft warnings
        are returned; the section is completed when every one is confirmed in
        confirm_warnings. Send If-Match with the ETag you read: a stale write is 412.
      parameters:
        - {in: header, name: If-Match, required: false, schema: {type: string}}
      requestBody:
        required: true
        content: {application/json: {schema: SectionWriteSchema}}
      responses:
        200: {description: Saved, content: {application/json: {schema: SectionSchema}}}
    """
    ret = _return(provider_id, return_id)
    sec = _section(ret, code)
    if request.method == "GET":
        return _section_answer(ret, sec)
    return _write_section(ret, sec)


def _write_section(ret: MonthlyReturn, sec: ReturnSection):
    if sec.code not in ANSWER_SCHEMAS and sec.code not in ROW_SECTIONS:
        raise ApiProblem(409, NOT_WRITABLE.format(title=service.SECTION_TITLES[sec.code]))
    if request.mimetype != "application/json":
        raise ApiProblem(415, "Send the answers as JSON, with Content-Type: application/json")
    try:
        body = SectionWriteSchema().load(_object(_json_body()))
    except ValidationError as error:
        found = field_errors(flat_errors(error.messages))
        raise ApiProblem(422, "Check the request body", found) from None
    sent = body["answers"] if isinstance(body["answers"], dict) else {}
    if sec.code in ROW_SECTIONS:
        answers, errors = answers_from_rows(ret, sec.code, sent), {}
    else:
        answers, errors = parse_section(sec.code, sent)
    if errors:
        raise ApiProblem(422, "Some answers need correcting: nothing was saved",
                         field_errors(errors))  # fmt: skip
    if sec.code == "training":
        answers = _training_snapshot(ret)
    expected = _expected_revision(sec)
    _editable(ret)
    user = _key_user()
    warnings = soft_warnings(sec.code, ret, answers)
    confirmed = [w.code for w in warnings if w.code in set(body["confirm_warnings"])]
    complete = not common_rules.unconfirmed(warnings, confirmed)
    state = SectionState.COMPLETED if complete else SectionState.IN_PROGRESS
    stale = service.save_section(ret, sec.code, answers, state, expected, user, confirmed)
    if stale is not None:
        raise ApiProblem(412, STALE)
    return _section_answer(ret, sec)


def _training_snapshot(ret: MonthlyReturn) -> dict:
    """What the training page's confirmation saves: the staff and their training as at the
    month's end (so the submitted version holds them as they were)."""
    snapshot = training_rules.confirmed_snapshot(ret)
    if not snapshot["staff"]:
        no_staff = {"field": "confirmed", "message": messages.TRAINING_NO_STAFF}
        raise ApiProblem(422, messages.TRAINING_NO_STAFF, [no_staff])
    return snapshot


def _object(body) -> dict:
    if not isinstance(body, dict):
        raise ApiProblem(422, "The request body must be a JSON object")
    return body


def _submission_key() -> str:
    """The Idempotency-Key (checked by ``api_key_required``) is also the submission's key,
    so even after its stored answer expires a retry makes no second version."""
    return calls.idempotency_key() or service.new_submission_key()


@bp.post(RETURN + "/submit")
@api_key_required
def submit(provider_id: int, return_id: int):
    """Submit the return as it is: a new immutable version with a reference.
    ---
    post:
      tags: [Returns]
      summary: Submit a return
      description: >
        The same step as the web page's Submit: the receipt e-mail to the key's maker,
        the council told of a resubmission, the risk rating worked out again. Send an
        Idempotency-Key: a retry with the same key answers with the first receipt and
        changes nothing.
      parameters:
        - {in: header, name: Idempotency-Key, required: false, schema: {type: string}}
      responses:
        201: {description: Submitted, content: {application/json: {schema: ReceiptSchema}}}
    """
    ret = _return(provider_id, return_id)
    key = _submission_key()
    already = return_queries.version_made_by_key(ret.id, key)
    if already is not None:  # a retry: the first answer, nothing done again
        return jsonify(documents.receipt(already)), 201
    _editable(ret)
    incomplete = service.incomplete_sections(ret)
    if incomplete:
        detail = messages.SECTIONS_INCOMPLETE.format(sections=", ".join(incomplete))
        raise ApiProblem(422, detail, [{"field": "sections", "message": detail}])
    result = service.submit(ret.id, _key_user(), key)
    return jsonify(documents.receipt(result.version)), 201
