"""Uploading one section of a monthly return as a file: upload -> check -> confirm.

``/provider/<provider_id>/returns/<return_id>/upload?section=kpis`` asks for the file and
links to its templates. A file with problems is answered with them (400), nothing kept. A
good file is kept in the database (``file_store``, kind "section") by a random token (never
by its own name) with a note of the provider, return and section it was checked for
("section-note"), and the user is sent to "Check what will change". Confirm checks the
kept file again, against the section as it is then, and saves it through the same path as
the section's form: the revision the page was opened at (a save by someone else meanwhile
is refused, showing their answers), soft warnings ticked as on the form (unticked ones
save the section as in progress), the audit log. A file giving exactly what is saved
changes nothing.

A missing or unknown ``section`` goes back to the return; an unknown, expired or other
return's token says the upload has expired (404). Uploads to a return that cannot be
edited are refused as the section's own form refuses a save.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms import messages
from portal.access import requires
from portal.exports import XLSX_MIMETYPE, attachment, csv_response
from portal.provider.returns import load_return, refuse_if_locked, return_url
from portal.provider.sections import common
from portal.returns import service
from portal.returns.sections import SUMMARIES, common_rules
from portal.uploads import (
    kept_section_files,
    section_file_cells,
    section_file_layouts,
    section_files,
)
from portal.uploads.reading import MAX_BYTES, MAX_SIZE_TEXT
from portal.vocabulary import PROVIDER_ROLES, SectionState

if TYPE_CHECKING:
    from portal.models import MonthlyReturn

logger = logging.getLogger(__name__)

bp = Blueprint("section_uploads", __name__)
PREFIX = "/provider/<int:provider_id>/returns/<int:return_id>/upload"
SELECT_A_FILE = "Select a CSV or XLSX file"


# --- pages -----------------------------------------------------------------------------


def _load(provider_id: int, return_id: int) -> tuple[MonthlyReturn, str]:
    """The return and the ``section`` asked for; a missing or unknown one goes back to the
    return."""
    ret = load_return(provider_id, return_id)
    code = request.values.get("section", "")
    if code not in section_file_layouts.SECTIONS:
        abort(redirect(return_url(ret)))
    return ret, code


def _urls(ret: MonthlyReturn, code: str) -> dict[str, str]:
    ids = {"provider_id": ret.contract.provider_id, "return_id": ret.id, "section": code}
    return {
        "upload_url": url_for("section_uploads.upload", **ids),
        "csv_url": url_for("section_uploads.template", **ids, format="csv"),
        "xlsx_url": url_for("section_uploads.template", **ids, format="xlsx"),
        "confirm_url": url_for("section_uploads.confirm", **ids),
        "section_url": return_url(ret, "edit_section", code=code),
    }


def _not_editable(ret: MonthlyReturn) -> str | None:
    """Why the return cannot take an upload, in the words the section's form uses."""
    if service.can_edit(ret):
        return None
    if service.is_locked(ret):
        return messages.RETURN_LOCKED.format(council=ret.contract.council.name)
    return messages.RETURN_NOT_EDITABLE


def _context(ret: MonthlyReturn, code: str) -> dict:
    return {
        "ret": ret,
        "code": code,
        "spec": section_file_layouts.SECTIONS[code],
        "editable": service.can_edit(ret),
        "not_editable": _not_editable(ret),
        "max_size": MAX_SIZE_TEXT,
        **_urls(ret, code),
    }


def _upload_page(ret: MonthlyReturn, code: str, error: str | None = None):
    return render_template(
        "provider/uploads/sections/upload.html",
        error=error,
        error_list=[{"text": error, "href": "#file"}] if error else None,
        **_context(ret, code),
    ), (400 if error else 200)


def _check_page(ret: MonthlyReturn, code: str, result: section_file_cells.SectionFileResult):
    """The file's problems: nothing is kept or saved (400)."""
    error_list = [{"text": p.message, "href": "#file-problems"} for p in result.file_problems]
    if result.errors:
        error_list.append({"text": result.summary, "href": "#problems"})
    return render_template(
        "provider/uploads/sections/check.html",
        result=result,
        error_list=error_list,
        **_context(ret, code),
    ), 400


def _expired(ret: MonthlyReturn, code: str):
    return render_template("provider/uploads/sections/expired.html", **_context(ret, code)), 404


def _recheck(ret: MonthlyReturn, code: str, token: str, discard: bool = False):
    """(the kept file checked again against the section now, None), or (None, the page to
    answer with) when it has expired or no longer passes (then discarded when ``discard``:
    a POST; a GET never writes)."""
    kept = kept_section_files.kept(ret, code, token)
    if kept is None:
        return None, _expired(ret, code)
    result = section_files.check_section_file(code, ret, *kept)
    if not result.ok:
        if discard:
            kept_section_files.discard(token)
        return None, _check_page(ret, code, result)
    return result, None


def _differences(ret: MonthlyReturn, code: str, old: dict, new: dict) -> list[dict]:
    """The answers the file changes, as the section's check-your-answers rows show them."""
    summary = SUMMARIES[code]

    def rows(data: dict) -> dict[str, str]:
        return {row["key"]["text"]: row["value"]["text"] for row in summary(ret, data or {})}

    before, after = rows(old), rows(new)
    keys = list(after) + [key for key in before if key not in after]
    return [
        {"key": key, "old": before.get(key, "Not entered"), "new": after.get(key, "Removed")}
        for key in keys
        if before.get(key) != after.get(key)
    ]


def _unchanged(sec, data: dict) -> bool:
    return (sec.data or {}) == data and sec.state is SectionState.COMPLETED


def _changes_page(ret, code, token, result, *, confirmed=None, pending=(), stale=None,
                  status=200):  # fmt: skip
    sec = service.section(ret, code)
    warnings = section_files.soft_warnings(code, ret, result.data)
    if confirmed is None:  # as the form opens: what was confirmed before stays ticked
        confirmed = [w.code for w in warnings if w.code in (sec.confirmed_warnings or [])]
    error_list = common_rules.warning_errors(list(pending)) or None
    if stale is not None:
        error_list = [{"text": common_rules.stale_message(stale), "href": "#stale-warning"}]
    return render_template(
        "provider/uploads/sections/changes.html",
        result=result,
        token=token,
        differences=_differences(ret, code, sec.data, result.data),
        unchanged=_unchanged(sec, result.data),
        warnings=warnings,
        confirmed=confirmed,
        revision=stale.revision if stale is not None else sec.revision,
        stale=stale,
        stale_message=common_rules.stale_message(stale) if stale else None,
        error_list=error_list,
        **_context(ret, code),
    ), status


@bp.route(PREFIX, methods=["GET", "POST"])
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def upload(provider_id: int, return_id: int):
    ret, code = _load(provider_id, return_id)
    if request.method != "POST":
        return _upload_page(ret, code)
    refused = refuse_if_locked(ret)
    if refused:
        return refused
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        return _upload_page(ret, code, SELECT_A_FILE)
    data = storage.read(MAX_BYTES + 1)
    result = section_files.check_section_file(code, ret, data, storage.filename)
    if not result.ok:
        return _check_page(ret, code, result)
    token = kept_section_files.keep(ret, code, data, result.filename)
    return redirect(
        url_for(
            "section_uploads.changes",
            provider_id=provider_id,
            return_id=return_id,
            section=code,
            upload=token,
        )
    )


@bp.route(PREFIX + "/template")
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def template(provider_id: int, return_id: int):
    """The section's template, filled in with what the form would show now."""
    ret, code = _load(provider_id, return_id)
    kind = request.args.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        abort(404)
    name = f"{code}-{ret.period:%Y-%m}.{kind}"
    if kind == "xlsx":
        return attachment(section_files.template_xlsx(code, ret), XLSX_MIMETYPE, name)
    spec = section_file_layouts.SECTIONS[code]
    return csv_response(name, spec.headings, spec.template_rows(ret))


@bp.route(PREFIX + "/changes")
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def changes(provider_id: int, return_id: int):
    """Check what will change: the kept file checked again against the section now."""
    ret, code = _load(provider_id, return_id)
    token = request.args.get("upload", "")
    result, page = _recheck(ret, code, token)
    if page is not None:
        return page
    return _changes_page(ret, code, token, result)


@bp.route(PREFIX + "/confirm", methods=["POST"])
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def confirm(provider_id: int, return_id: int):
    """Save the kept file into the section, as the section's form saves."""
    ret, code = _load(provider_id, return_id)
    refused = refuse_if_locked(ret)
    if refused:
        return refused
    token = request.form.get("upload", "")
    result, page = _recheck(ret, code, token, discard=True)
    if page is not None:
        return page
    sec = service.section(ret, code)
    title = section_file_layouts.SECTIONS[code].title
    section_url = return_url(ret, "edit_section", code=code)
    if _unchanged(sec, result.data):
        kept_section_files.discard(token)
        flash(f"No changes: {title} already has the answers in your file", "info")
        return redirect(section_url)
    warnings = section_files.soft_warnings(code, ret, result.data)
    confirmed = common.confirmed_codes(warnings)
    pending = common_rules.unconfirmed(warnings, confirmed)
    stale = common.save(ret, sec, result.data, not pending, confirmed)
    if stale is not None:
        return _changes_page(ret, code, token, result, confirmed=confirmed, stale=stale,
                             status=409)  # fmt: skip
    if pending:  # saved, in progress, as the form does: tick the warnings to complete it
        return _changes_page(ret, code, token, result, confirmed=confirmed, pending=pending,
                             status=400)  # fmt: skip
    kept_section_files.discard(token)
    logger.info("User %s saved section %s of return %s from a file", current_user.id, code,
                ret.id)  # fmt: skip
    flash(f"{title} saved from your file {result.filename}", "success")
    return redirect(section_url)
