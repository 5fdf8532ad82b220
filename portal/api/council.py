"""The council API: for a council's commissioners' systems (``council`` keys), read-only
unless stated: returns by period with status and version, a return's submitted answers
and computed KPIs, the feed of every submitted version since a cursor (JSON or CSV, one
row per answer), and accepting or querying a return through the review page's own domain
functions (``portal.returns.review``). The provider forum's keys (``forum``) get only the
area's suppressed training figures, never a named provider.

Another council's ids answer 404 as ids that do not exist; errors are problem+json."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from flask import Blueprint, g, jsonify, request

from portal import clock, exports
from portal.api import calls, council_feed
from portal.api import return_documents as documents
from portal.api.auth import council_key_required
from portal.api.problems import ApiProblem, answer_errors_as_problems, field_errors
from portal.api.v1 import _json_body
from portal.extensions import csrf
from portal.matrix import EXPORT_KEYS, build_matrix, default_as_at
from portal.queries import accounts, organisations
from portal.queries import returns as return_queries
from portal.returns import kpis, review
from portal.returns.sections import kpis_rules
from portal.schemas.comments import AcceptBodySchema, QueryBodySchema, load_comment
from portal.schemas.resources import FeedPageSchema, KpiResultSchema, MatrixSchema
from portal.training_matrix_suppression import forum_view

if TYPE_CHECKING:
    from portal.models import MonthlyReturn, User

bp = Blueprint("api_v1_council", __name__, url_prefix="/api/v1/councils/<int:council_id>")
csrf.exempt(bp)
bp.after_request(calls.record)

RETURN = "/returns/<int:return_id>"
PERIOD = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])")
DEFAULT_LIMIT, MAX_LIMIT = 100, 500
NOT_REVIEWABLE = "Only a submitted return can be accepted or queried"
NO_USER = (
    "This key was not made by a commissioner in the portal, so it cannot review a return: "
    "ask a commissioner to make a new key"
)


answer_errors_as_problems(bp)


def _return(council_id: int, return_id: int) -> MonthlyReturn:
    ret = return_queries.council_return(council_id, return_id)
    if ret is None:
        raise ApiProblem(404, "Not found")
    return ret


def _period() -> str | None:
    text = request.args.get("period", "").strip()
    if text and not PERIOD.fullmatch(text):
        raise ApiProblem(400, "period must be a month as YYYY-MM, like 2026-10")
    return text or None


@bp.get("/returns")
@council_key_required("council")
def council_returns(council_id: int):
    """The council's returns (optionally of one month), with status and latest version.
    ---
    get:
      tags: [Council]
      summary: List the council's returns
      parameters:
        - in: query
          name: period
          required: false
          schema: {type: string, pattern: "^20[0-9]{2}-(0[1-9]|1[0-2])$"}
      responses:
        200: {description: The returns, content: {application/json: {schema: ReturnListSchema}}}
    """
    period = _period()
    contracts = organisations.council_contracts(council_id)
    found = return_queries.returns_of_contracts([c.id for c in contracts])
    listed = [
        {**documents.summary(ret), "provider": ret.contract.provider.name}
        for ret in found
        if period is None or f"{ret.period:%Y-%m}" == period
    ]
    return jsonify(returns=listed)


@bp.get(RETURN)
@council_key_required("council")
def council_return(council_id: int, return_id: int):
    """The latest submitted version's answers and its computed KPIs (a draft is the
    provider's own until it is submitted).
    ---
    get:
      tags: [Council]
      summary: Read a submitted return
      responses:
        200: {description: The return, content: {application/json: {schema: CouncilReturnSchema}}}
    """
    ret = _return(council_id, return_id)
    latest = documents.latest_version(ret)
    answers = ((latest.data or {}).get("sections") or {}) if latest else {}
    results = kpis.compute(answers.get("kpis") or {}, kpis_rules.definitions(ret))
    return jsonify(
        {
            **documents.summary(ret),
            "provider": ret.contract.provider.name,
            "provider_id": ret.contract.provider_id,
            "reference": latest.reference if latest else None,
            "answers": answers,
            "kpis": KpiResultSchema(many=True).dump(results) if answers.get("kpis") else [],
        }
    )


@bp.get("/versions")
@council_key_required("council")
def versions(council_id: int):
    """Every submitted version since the cursor, oldest first, each once.
    ---
    get:
      tags: [Council]
      summary: Feed of submitted versions (JSON or CSV)
      description: >
        Start without a cursor; keep each page's next_cursor (JSON) or Next-Cursor
        header (CSV) and send it next time to get only what was submitted since.
        format=csv gives one row per answer with stable column names.
      parameters:
        - {in: query, name: cursor, required: false, schema: {type: string}}
        - in: query
          name: limit
          required: false
          schema: {type: integer, minimum: 1, maximum: 500}
        - {in: query, name: format, required: false, schema: {type: string, enum: [json, csv]}}
      responses:
        200:
          description: A page of versions
          content:
            application/json: {schema: FeedPageSchema}
            text/csv: {schema: {type: string}}
    """
    try:
        after = council_feed.decode_cursor(request.args.get("cursor"))
    except ValueError as error:
        raise ApiProblem(400, str(error)) from None
    limit = _limit()
    page = return_queries.council_versions_after(council_id, after, limit)
    last = page[-1].feed_seq if page else after
    cursor = council_feed.encode_cursor(last)
    if request.args.get("format", "json") == "csv":
        response = exports.csv_response(
            f"versions-{clock.today():%Y-%m-%d}.csv",
            council_feed.COLUMNS,
            council_feed.csv_rows(page),
        )
        response.headers["Next-Cursor"] = cursor
        return response
    if request.args.get("format", "json") != "json":
        raise ApiProblem(400, "format must be json or csv")
    versions = [council_feed.version_document(v) for v in page]
    return jsonify(
        FeedPageSchema().dump(
            {"versions": versions, "next_cursor": cursor, "more": len(page) == limit}
        )  # fmt: skip
    )


def _limit() -> int:
    text = request.args.get("limit", str(DEFAULT_LIMIT)).strip()
    if (
        not (text.isascii() and text.isdigit() and len(text) <= 4)
        or not 1 <= int(text) <= MAX_LIMIT
    ):
        raise ApiProblem(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(text)


def _reviewer() -> User:
    user = accounts.find_user(g.api_key.created_by) if g.api_key.created_by else None
    if user is None:
        raise ApiProblem(403, NO_USER)
    return user


def _comment(schema, body: dict) -> dict:
    loaded, errors = load_comment(schema, body)
    if errors:
        raise ApiProblem(422, "Check the request body", field_errors(errors))
    return loaded


def _body() -> dict:
    if request.mimetype != "application/json":
        raise ApiProblem(415, "Send JSON, with Content-Type: application/json")
    body = _json_body()
    if not isinstance(body, dict):
        raise ApiProblem(422, "The request body must be a JSON object")
    return body


def _reviewable(council_id: int, return_id: int) -> MonthlyReturn:
    ret = _return(council_id, return_id)
    if not review.can_review(ret):
        raise ApiProblem(409, NOT_REVIEWABLE)
    return ret


@bp.post(RETURN + "/accept")
@council_key_required("council")
def accept(council_id: int, return_id: int):
    """Accept the submitted return: the provider is told and its feedback report made.
    ---
    post:
      tags: [Council]
      summary: Accept a return
      requestBody:
        required: true
        content:
          application/json:
            schema: AcceptBodySchema
      responses:
        200: {description: Accepted, content: {application/json: {schema: ReturnSummarySchema}}}
    """
    body = _body()
    ret = _reviewable(council_id, return_id)
    text = _comment(AcceptBodySchema, body)["text"]
    review.accept(ret, _reviewer(), text)
    return jsonify(documents.summary(ret))


@bp.post(RETURN + "/query")
@council_key_required("council")
def query(council_id: int, return_id: int):
    """Query an answer of the submitted return: the provider is told and replies.
    ---
    post:
      tags: [Council]
      summary: Query a return
      requestBody:
        required: true
        content:
          application/json:
            schema: QueryBodySchema
      responses:
        200: {description: Queried, content: {application/json: {schema: ReturnSummarySchema}}}
    """
    body = _body()
    ret = _reviewable(council_id, return_id)
    loaded = _comment(QueryBodySchema, body)
    section, field, text = loaded["section"] or "", loaded["field"] or "", loaded["text"]
    review.query(ret, _reviewer(), f"{section[:40]}:{field[:200]}" if section else "", text)
    return jsonify(documents.summary(ret))


@bp.get("/training-matrix")
@council_key_required("council")
def training_matrix(council_id: int):
    """The super training matrix as at a date (the end of last month by default), for the
    whole area or one contracted provider: category x job role.
    ---
    get:
      tags: [Council]
      summary: The training matrix as at a date
      parameters:
        - {in: query, name: as_at, required: false, schema: {type: string, format: date}}
        - {in: query, name: provider_id, required: false, schema: {type: integer, minimum: 1}}
      responses:
        200: {description: The figures, content: {application/json: {schema: MatrixSchema}}}
    """
    as_at = _as_at()
    provider_id = _provider(council_id)
    matrix = build_matrix(council_id, as_at, provider_id)
    rows = [dict(zip(EXPORT_KEYS, row, strict=True)) for row in matrix.export_rows()]
    return jsonify(MatrixSchema().dump({"as_at": as_at, "provider_id": provider_id, "cells": rows}))


def _as_at() -> date:
    text = request.args.get("as_at", "").strip()
    if not text:
        return default_as_at(clock.today())
    try:
        return date.fromisoformat(text) if len(text) == 10 else date.fromisoformat("x")
    except ValueError:
        raise ApiProblem(400, "as_at must be a date as YYYY-MM-DD, like 2026-10-31") from None


def _provider(council_id: int) -> int | None:
    text = request.args.get("provider_id", "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise ApiProblem(400, "provider_id must be a provider's id, a whole number")
    if not organisations.holds_contract(council_id, int(text)):
        raise ApiProblem(404, "Not found")
    return int(text)


@bp.get("/training-gaps")
@council_key_required("council", "forum")
def training_gaps(council_id: int):
    """The area's training matrix as the provider forum sees it: no provider or staff
    named, small or dominated cells shown as [c].
    ---
    get:
      tags: [Council]
      summary: Training gaps (suppressed figures)
      responses:
        200: {description: The figures, content: {application/json: {schema: MatrixSchema}}}
    """
    view = forum_view(build_matrix(council_id, default_as_at(clock.today())))
    rows = [dict(zip(EXPORT_KEYS, row, strict=True)) for row in view.export_rows()]
    return jsonify(MatrixSchema().dump({"as_at": view.as_at, "cells": rows}))
