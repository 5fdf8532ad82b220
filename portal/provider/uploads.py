"""The bulk upload journey for a provider's ASC-WDS staff and training files:
upload -> check your files -> confirm and import (a job on the "imports" queue) -> done.

Every page after the upload names its batch by ``?batch=<token>`` (a form field on POST),
looked up within the provider of the URL: an unknown token, or another provider's, shows
"This upload has expired or does not exist" with 404; no token goes back to the upload page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from portal import clock
from portal.access import requires
from portal.exports import XLSX_MIMETYPE, attachment, csv_response, xlsx_response
from portal.queries import organisations
from portal.queries import uploads as upload_queries
from portal.uploads import asc_wds_templates as templates
from portal.uploads import batches, importing
from portal.uploads.reading import display_filename
from portal.vocabulary import (
    PROVIDER_ROLES,
    UPLOAD_CHECKED,
    UPLOAD_DONE,
    UPLOAD_FAILED,
    UPLOAD_IMPORTING,
)

if TYPE_CHECKING:
    from portal.models.uploads import UploadBatch

bp = Blueprint("uploads", __name__)
PREFIX = "/provider/<int:provider_id>/uploads/staff-and-training"
SHOWN = 50  # problems listed on the page; the downloads have every one
SELECT_A_FILE = "Select a staff file or a training file"
PROBLEM_HEADER = ["File", "File name", "Type", "Row", "Column", "Value", "What to do"]


def _url(endpoint: str, provider_id: int, batch: UploadBatch | None = None) -> str:
    values = {"batch": batch.token} if batch is not None else {}
    return url_for(f"uploads.{endpoint}", provider_id=provider_id, **values)


def _batch(provider_id: int):
    """(batch, None), or (None, response): the upload page without a token, 404 for an
    unknown one or another provider's."""
    token = (request.values.get("batch") or "").strip()
    if not token:
        return None, redirect(_url("upload", provider_id))
    batch = upload_queries.provider_batch(provider_id, token)
    if batch is None:
        return None, (
            render_template("provider/uploads/expired.html", provider_id=provider_id),
            404,
        )
    return batch, None


@bp.route(PREFIX, methods=["GET", "POST"])
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def upload(provider_id: int):
    provider = organisations.get_provider(provider_id)
    error = None
    if request.method == "POST":
        files = {
            kind: request.files.get(f"{kind}_file")
            for kind in (importing.STAFF_FILE, importing.TRAINING_FILE)
        }
        files = {kind: f for kind, f in files.items() if f is not None and f.filename}
        if not files:
            error = SELECT_A_FILE
        else:
            importing.discard_stale(provider_id)
            token = importing.new_token()
            names = {}
            for kind, storage in files.items():
                importing.store(token, kind, storage.read())
                names[kind] = display_filename(storage.filename)[:255]
            batch = batches.record_batch(provider_id, current_user.id, token, names)
            return redirect(_url("check", provider_id, batch))
    return render_template(
        "provider/uploads/upload.html",
        provider=provider,
        template_url=lambda kind, fmt: url_for(
            "uploads.template", provider_id=provider_id, file=kind, format=fmt
        ),
        error=error,
        error_list=[{"text": error, "href": "#staff_file"}] if error else None,
    ), (400 if error else 200)


@bp.route(PREFIX + "/template")
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def template(provider_id: int):
    """The staff or training template (``?file=staff|training&format=csv|xlsx``), filled in
    with what the portal holds for the provider's current staff."""
    kind = request.args.get("file", "")
    fmt = request.args.get("format", "csv")
    if kind not in templates.TEMPLATES or fmt not in templates.FORMATS:
        return redirect(_url("upload", provider_id))
    filename = f"{templates.TITLES[kind]}-template.{fmt}"
    if fmt == "xlsx":
        return attachment(templates.template_xlsx(kind, provider_id), XLSX_MIMETYPE, filename)
    header = [column.name for column in templates.TEMPLATES[kind]]
    return csv_response(filename, header, templates.template_rows(kind, provider_id))


def _problem_rows(check) -> list[dict]:
    rows = []
    for result in check.results:
        for problem in result.file_problems:
            rows.append((result, "Error", None, None, "", problem.message))
        for kind, problems in (("Error", result.errors), ("Warning", result.warnings)):
            for p in problems:
                rows.append((result, kind, p.row, p.column, p.value, p.message))
    return [
        {
            "file": "Staff" if result.file == importing.STAFF_FILE else "Training",
            "filename": result.filename,
            "type": kind,
            "row": row,
            "column": column or "",
            "value": value,
            "message": message,
        }
        for result, kind, row, column, value, message in rows
    ]


@bp.route(PREFIX + "/check")
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def check(provider_id: int):
    batch, response = _batch(provider_id)
    if response is not None:
        return response
    if batch.status in (UPLOAD_IMPORTING, UPLOAD_DONE, UPLOAD_FAILED):
        return redirect(_url("progress", provider_id, batch))
    return _check_page(provider_id, batch)


def _check_page(provider_id: int, batch: UploadBatch, refused: bool = False):
    try:
        result = importing.check_batch(batch, clock.today())
    except FileNotFoundError:
        return render_template("provider/uploads/expired.html", provider_id=provider_id), 404
    plan = None
    if result.ok:
        plan = importing.plan_import(provider_id, result.to_import(), clock.today())
    error_list = None
    if refused:
        error_list = [{"text": "Fix the errors in your files and upload them again",
                       "href": "#problems"}]  # fmt: skip
    return render_template(
        "provider/uploads/check.html",
        provider=organisations.get_provider(provider_id),
        batch=batch,
        result=result,
        plan=plan,
        shown=SHOWN,
        error_list=error_list,
        upload_url=_url("upload", provider_id),
        csv_url=_url("problems_csv", provider_id, batch),
        xlsx_url=_url("problems_xlsx", provider_id, batch),
        confirm_url=_url("confirm", provider_id),
    ), (400 if refused else 200)


def _download(provider_id: int, xlsx: bool):
    batch, response = _batch(provider_id)
    if response is not None:
        return response
    if batch.status != UPLOAD_CHECKED:
        return render_template("provider/uploads/expired.html", provider_id=provider_id), 404
    try:
        result = importing.check_batch(batch, clock.today(), max_listed=10**9)
    except FileNotFoundError:
        return render_template("provider/uploads/expired.html", provider_id=provider_id), 404
    rows = [
        [r["file"], r["filename"], r["type"], r["row"], r["column"], r["value"], r["message"]]
        for r in _problem_rows(result)
    ]
    if xlsx:
        return xlsx_response("upload-problems.xlsx", PROBLEM_HEADER, rows, "Problems")
    return csv_response("upload-problems.csv", PROBLEM_HEADER, rows)


@bp.route(PREFIX + "/problems.csv")
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def problems_csv(provider_id: int):
    return _download(provider_id, xlsx=False)


@bp.route(PREFIX + "/problems.xlsx")
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def problems_xlsx(provider_id: int):
    return _download(provider_id, xlsx=True)


@bp.route(PREFIX + "/confirm", methods=["POST"])
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def confirm(provider_id: int):
    batch, response = _batch(provider_id)
    if response is not None:
        return response
    if batch.status != UPLOAD_CHECKED:  # a double click: the first one is importing
        return redirect(_url("progress", provider_id, batch))
    try:
        result = importing.check_batch(batch, clock.today())
    except FileNotFoundError:
        return render_template("provider/uploads/expired.html", provider_id=provider_id), 404
    if not result.ok:
        return _check_page(provider_id, batch, refused=True)
    batches.start_import(batch, current_user.id)  # claimed in SQL: one import per batch
    return redirect(_url("progress", provider_id, batch))


def _progress(provider_id: int, fragment: bool):
    batch, response = _batch(provider_id)
    if response is not None:
        return response
    if batch.status == UPLOAD_CHECKED:
        return redirect(_url("check", provider_id, batch))
    done_url = _url("done", provider_id, batch)
    if batch.status in (UPLOAD_DONE, UPLOAD_FAILED) and not fragment:
        return redirect(done_url)
    context = {
        "batch": batch,
        "status_url": _url("progress_status", provider_id, batch),
        "progress_url": _url("progress", provider_id, batch),
        "done_url": done_url,
    }
    if fragment:
        body = render_template("provider/uploads/_progress.html", **context)
        if batch.status in (UPLOAD_DONE, UPLOAD_FAILED):
            return body, 200, {"HX-Redirect": done_url}
        return body
    return render_template(
        "provider/uploads/progress.html",
        provider=organisations.get_provider(provider_id),
        **context,
    )


@bp.route(PREFIX + "/progress")
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def progress(provider_id: int):
    return _progress(provider_id, fragment=False)


@bp.route(PREFIX + "/progress/status")
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def progress_status(provider_id: int):
    """The htmx fragment polled every 2 seconds while the import runs."""
    return _progress(provider_id, fragment=True)


@bp.route(PREFIX + "/done")
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def done(provider_id: int):
    batch, response = _batch(provider_id)
    if response is not None:
        return response
    if batch.status == UPLOAD_CHECKED:
        return redirect(_url("check", provider_id, batch))
    if batch.status == UPLOAD_IMPORTING:
        return redirect(_url("progress", provider_id, batch))
    refused = batch.status == UPLOAD_FAILED and (batch.error or "").startswith(
        "The files no longer pass"
    )
    return render_template(
        "provider/uploads/done.html",
        provider=organisations.get_provider(provider_id),
        batch=batch,
        counts=batch.counts or {},
        refused=refused,
        upload_url=_url("upload", provider_id),
        returns_url=url_for("monthly_return.your_returns", provider_id=provider_id),
    )
