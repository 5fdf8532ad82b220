"""The provider API, version 1: JSON endpoints for a provider's own systems (docs/api.md).

Every route is ``@api_key_required``: ``Authorization: Bearer <key>``, never a session
cookie, which is also why the blueprint is exempt from CSRF. Every answer is JSON, errors
``application/problem+json`` (``portal.api.problems``), whose ``error`` and ``errors``
are the first version's ``{"error": "...", "errors": [...]}``. Rows are checked and
imported by the bulk upload's own code (``portal.api.records``).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from portal import clock
from portal.api import calls, records
from portal.api.auth import api_key_required
from portal.api.problems import problem
from portal.api.records import RequestProblem, Rows
from portal.extensions import csrf, db
from portal.queries import accounts
from portal.uploads.asc_wds_results import STAFF_FILE, TRAINING_FILE

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1/providers/<int:provider_id>")
csrf.exempt(bp)

# A JSON body is bigger than the CSV of the same rows (every row repeats its keys): this
# lets 200,000 rows through, the upload's limit, while the CSV they make is held to its
# 20MB as an upload is.
MB = 1024 * 1024
DEFAULT_MAX_BODY = 100 * MB
MAX_PAGE = 1_000_000
JSON_TYPE, CSV_TYPE = "application/json", "text/csv"
NOT_JSON = "The request body is not valid JSON"
WRONG_TYPE_CHECK = "Send the rows as JSON (Content-Type: application/json) or CSV (text/csv)"
WRONG_TYPE_JSON = "Send the rows as JSON, with Content-Type: application/json"
NOT_IMPORTED = "Fix the errors and send the rows again: nothing was imported"


def _max_body() -> int:
    return int(current_app.config.get("API_MAX_CONTENT_LENGTH") or DEFAULT_MAX_BODY)


@bp.before_request
def _allow_bigger_bodies() -> None:
    request.max_content_length = _max_body()


@bp.after_request
def _never_cached(response):
    response.headers["Cache-Control"] = "no-store"
    return response


bp.after_request(calls.record)  # the audit row and the RateLimit headers


def _error(message: str, status: int, errors: list | None = None, **extra: Any):
    return problem(status, message, errors, **extra)


@bp.errorhandler(RequestProblem)
def _request_problem(problem: RequestProblem):
    return _error(problem.message, problem.status, problem.errors)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    code = error.code or 500
    if code == 413:
        limit = _max_body()
        size = f"{limit // MB}MB" if limit >= MB else f"{limit:,} bytes"
        return _error(
            f"The request body must be {size} or smaller: split the rows into several requests",
            413,
        )
    return _error(error.description or error.name, code)


# --- reading the body ----------------------------------------------------------------


def _json_body() -> Any:
    try:
        return json.loads(request.get_data(cache=False), parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise RequestProblem(NOT_JSON) from None


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _object(body: Any) -> dict:
    if not isinstance(body, dict):
        raise RequestProblem("The request body must be a JSON object")
    return body


def _rows_for_check(kind: str) -> Rows:
    if request.mimetype == CSV_TYPE:
        return Rows(request.get_data(cache=False), from_json=False, kind=kind)
    if request.mimetype != JSON_TYPE:
        raise RequestProblem(WRONG_TYPE_CHECK, 415)
    return records.rows_to_csv(_object(_json_body()).get("rows"), "rows", kind)


def _rows_for_import() -> list[Rows]:
    if request.mimetype != JSON_TYPE:
        raise RequestProblem(WRONG_TYPE_JSON, 415)
    body = _object(_json_body())
    sent = [
        records.rows_to_csv(body[kind], kind, kind)
        for kind in (STAFF_FILE, TRAINING_FILE)
        if body.get(kind) not in (None, [])
    ]
    if not sent:
        raise RequestProblem('Send "staff" rows, "training" rows or both, each a list of rows')
    return sent


def _page() -> int:
    text = request.args.get("page", "1").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 7) or not 1 <= int(text) <= MAX_PAGE:
        raise RequestProblem(f"page must be a whole number from 1 to {MAX_PAGE:,}")
    return int(text)


def _listing(name: str, items: list[dict], more: bool, page: int, **args: Any):
    next_url = url_for(request.endpoint, page=page + 1, **request.view_args, **args)
    return jsonify({name: items, "page": page, "next": next_url if more else None})


# --- endpoints -----------------------------------------------------------------------


def _check(provider_id: int, kind: str):
    rows = _rows_for_check(kind)
    result = records.check(provider_id, clock.today(), rows)
    found = records.problems(result, rows.from_json, with_file=False)
    changes = records.check_changes(provider_id, result, clock.today())
    db.session.rollback()  # a check stores nothing
    return jsonify(**found, changes=changes.get(kind) if changes else None)


@bp.post("/staff/check")
@api_key_required
def check_staff(provider_id: int):
    """Check staff rows as the upload checks a staff file; store nothing."""
    return _check(provider_id, STAFF_FILE)


@bp.post("/training/check")
@api_key_required
def check_training(provider_id: int):
    """Check training rows as the upload checks a training file; store nothing."""
    return _check(provider_id, TRAINING_FILE)


@bp.post("/imports")
@api_key_required
def import_rows(provider_id: int):
    """Check staff and/or training rows together and import them in one transaction."""
    sent = _rows_for_import()
    user = accounts.find_user(g.api_key.created_by) if g.api_key.created_by else None
    result, counts = records.import_rows(provider_id, clock.today(), user, *sent)
    found = records.problems(result, from_json=True, with_file=True)
    if counts is None:
        return _error(NOT_IMPORTED, 422, **found)
    return jsonify(counts=counts, warnings=found["warnings"])


@bp.get("/staff")
@api_key_required
def list_staff(provider_id: int):
    page = _page()
    items, more = records.staff_page(provider_id, page)
    return _listing("staff", items, more, page)


@bp.get("/training")
@api_key_required
def list_training(provider_id: int):
    page = _page()
    worker = (request.args.get("worker") or "").strip() or None
    if worker is not None:
        if not records.staff_exists(provider_id, worker):
            raise RequestProblem(f"There is no staff member with worker ID {worker[:50]}", 404)
    items, more = records.training_page(provider_id, worker, page)
    return _listing("training", items, more, page, **({"worker": worker} if worker else {}))
