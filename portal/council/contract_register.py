"""The contract register in one go: upload a CSV or XLSX -> check (row and column
errors, nothing kept) -> what will change -> confirm. The same file twice changes
nothing."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms import messages
from portal.access import requires
from portal.exports import attachment
from portal.queries import organisations
from portal.queries import setup as setup_queries
from portal.setup import contract_register as register
from portal.uploads.reading import MAX_BYTES, MAX_SIZE_TEXT
from portal.vocabulary import Role

bp = Blueprint("contract_register", __name__)
PREFIX = "/council/<int:council_id>/contracts/upload"
COUNCIL_ADMIN = {"org": "council", "council_admin": True}
SHOWN = 200


def _page(council, error: str | None = None, check=None, status: int = 200):
    error_list = [{"text": error, "href": "#register-file"}] if error else None
    return render_template(
        "council/setup/register_upload.html",
        council=council,
        error=error,
        error_list=error_list,
        check=check,
        shown=SHOWN,
        columns=register.COLUMNS,
    ), status


@bp.route(PREFIX, methods=["GET", "POST"])
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def upload(council_id: int):
    council = organisations.get_council(council_id)
    if request.method == "GET":
        return _page(council)
    upload_file = request.files.get("register_file")
    if upload_file is None or not upload_file.filename:
        return _page(council, messages.REGISTER_SELECT_FILE, status=400)
    data = upload_file.stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return _page(council, messages.FILE_TOO_LARGE.format(size=MAX_SIZE_TEXT), status=400)
    check = register.check_register(council, data, upload_file.filename)
    if check.file_problem:
        return _page(council, check.file_problem, status=400)
    if check.problems:
        return _page(council, messages.REGISTER_HAS_ERRORS, check=check, status=400)
    token = register.keep(council, data, upload_file.filename)
    return redirect(url_for(".changes", council_id=council_id, file=token))


@bp.route(PREFIX + "/template")
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def template(council_id: int):
    organisations.get_council(council_id)
    return attachment(register.template_csv().encode("utf-8-sig"), "text/csv",
                      "contract-register-template.csv")  # fmt: skip


def _kept(council, token: str):
    """The kept file, or back to the upload page saying it has expired (an unknown token,
    another council's, or one older than a day)."""
    found = register.kept(council, token)
    if found is None:
        flash(messages.REGISTER_EXPIRED, "error")
        abort(redirect(url_for(".upload", council_id=council.id)))
    return found


@bp.route(PREFIX + "/changes")
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def changes(council_id: int):
    """What will change, from the kept file checked again against the contracts now."""
    council = organisations.get_council(council_id)
    token = request.args.get("file", "")
    data, filename = _kept(council, token)
    check = register.check_register(council, data, filename)
    if not check.ok:
        return _page(council, messages.REGISTER_HAS_ERRORS, check=check, status=400)
    rows = register.plan_register(council, check)
    return render_template(
        "council/setup/register_changes.html",
        council=council,
        token=token,
        filename=filename,
        rows=rows,
        changing=[r for r in rows if r.plan.changes_anything],
        describe_change=setup_queries.describe_change,
    )


@bp.route(PREFIX + "/confirm", methods=["POST"])
@requires(Role.COMMISSIONER, **COUNCIL_ADMIN)
def confirm(council_id: int):
    council = organisations.get_council(council_id)
    token = request.form.get("file", "")
    data, filename = _kept(council, token)
    planned = register.plan_register(council, register.check_register(council, data, filename))
    changing = sum(1 for r in planned if r.plan.changes_anything)
    check = register.apply_register(council, data, filename, current_user)
    if not check.ok:
        return _page(council, messages.REGISTER_HAS_ERRORS, check=check, status=400)
    register.discard(token)
    flash(
        f"The contract register has been saved: {changing:,} "
        f"{'row' if changing == 1 else 'rows'} changed, {len(planned) - changing:,} unchanged",
        "success",
    )
    return redirect(url_for("council_contracts.contracts_list", council_id=council_id))
