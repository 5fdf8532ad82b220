"""The provider API's file uploads: the ASC-WDS staff or training file the upload page
takes, as upload -> check -> confirm. ``POST /uploads?file=training`` keeps the file (202,
with the upload's id); ``GET /uploads/{id}`` checks it against the provider's records as
they are then and lists every error and warning as ``{row, column, value, message}``, or,
once confirmed, the import's progress and counts; ``POST /uploads/{id}/confirm`` starts
the import job, the same one the page's Confirm starts (``portal.uploads.batches``)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request, url_for

from portal import clock
from portal.api import calls, records
from portal.api.auth import api_key_required
from portal.api.problems import ApiProblem, answer_errors_as_problems
from portal.extensions import csrf
from portal.queries import uploads as upload_queries
from portal.uploads import batches, importing
from portal.vocabulary import UPLOAD_CHECKED

bp = Blueprint("api_v1_uploads", __name__, url_prefix="/api/v1/providers/<int:provider_id>")
csrf.exempt(bp)
bp.after_request(calls.record)

UPLOAD = "/uploads/<int:upload_id>"
KINDS = (importing.STAFF_FILE, importing.TRAINING_FILE)
WHICH_FILE = "Say which file it is: ?file=staff or ?file=training"
NOT_CSV = "Send the file as CSV, with Content-Type: text/csv"
EMPTY = "The file is empty: send the CSV file's contents as the request body"
NOT_CHECKED = "Only an upload that has not been confirmed can be confirmed"
HAS_ERRORS = "Fix the errors and upload the file again: nothing was imported"


answer_errors_as_problems(bp)


def _batch(provider_id: int, upload_id: int):
    batch = upload_queries.provider_batch_by_id(provider_id, upload_id)
    if batch is None:
        raise ApiProblem(404, "Not found")
    return batch


def _status(batch) -> dict:
    kind = importing.STAFF_FILE if batch.staff_name else importing.TRAINING_FILE
    return {
        "id": batch.id,
        "file": kind,
        "status": batch.status,
        "status_url": url_for(".upload_status", provider_id=batch.provider_id, upload_id=batch.id),
        "counts": batch.counts or {},
        "error": batch.error,
    }


@bp.post("/uploads")
@api_key_required
def upload(provider_id: int):
    """Keep an ASC-WDS staff or training file to check and confirm.
    ---
    post:
      tags: [Staff and training records]
      summary: Upload a staff or training file
      parameters:
        - {in: query, name: file, required: true, schema: {type: string, enum: [staff, training]}}
      requestBody:
        required: true
        content: {text/csv: {schema: {type: string, minLength: 1}}}
      responses:
        202: {description: Kept, content: {application/json: {schema: UploadStatusSchema}}}
    """
    kind = request.args.get("file", "")
    if kind not in KINDS:
        raise ApiProblem(400, WHICH_FILE)
    if request.mimetype != "text/csv":
        raise ApiProblem(415, NOT_CSV)
    data = request.get_data(cache=False)
    if not data.strip():
        raise ApiProblem(422, EMPTY)
    importing.discard_stale(provider_id)
    token = importing.new_token()
    importing.store(token, kind, data)
    batch = batches.record_batch(provider_id, g.api_key.created_by, token, {kind: f"{kind}.csv"})
    return jsonify(_status(batch)), 202


@bp.get(UPLOAD)
@api_key_required
def upload_status(provider_id: int, upload_id: int):
    """The upload's status; while unconfirmed, its check now: every error and warning.
    ---
    get:
      tags: [Staff and training records]
      summary: Read an upload's status, errors and warnings
      responses:
        200: {description: The upload, content: {application/json: {schema: UploadStatusSchema}}}
    """
    batch = _batch(provider_id, upload_id)
    found = _status(batch)
    if batch.status == UPLOAD_CHECKED:
        try:
            result = importing.check_batch(batch, clock.today())
        except FileNotFoundError:
            raise ApiProblem(404, "The upload has expired: upload the file again") from None
        found.update(records.problems(result, from_json=False, with_file=False))
    return jsonify(found)


@bp.post(UPLOAD + "/confirm")
@api_key_required
def confirm(provider_id: int, upload_id: int):
    """Import the checked file (a background job): poll the upload's status until done.
    ---
    post:
      tags: [Staff and training records]
      summary: Confirm an upload
      responses:
        202: {description: Importing, content: {application/json: {schema: UploadStatusSchema}}}
    """
    batch = _batch(provider_id, upload_id)
    if batch.status != UPLOAD_CHECKED:
        raise ApiProblem(409, NOT_CHECKED)
    try:
        result = importing.check_batch(batch, clock.today())
    except FileNotFoundError:
        raise ApiProblem(404, "The upload has expired: upload the file again") from None
    if not result.ok:
        found = records.problems(result, from_json=False, with_file=False)
        raise ApiProblem(422, HAS_ERRORS, found["errors"])
    batches.start_import(batch, g.api_key.created_by)  # claimed in SQL: one import
    return jsonify(_status(_batch(provider_id, upload_id))), 202
