"""The administrator uploads the CQC's directory of regulated locations, which adding a
contract then searches."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms import messages
from portal.access import requires
from portal.queries import setup as setup_queries
from portal.setup import cqc_directory
from portal.uploads.reading import MAX_BYTES, MAX_SIZE_TEXT
from portal.vocabulary import Role

bp = Blueprint("admin_cqc_directory", __name__)


@bp.route("/admin/cqc-directory", methods=["GET", "POST"])
@requires(Role.ADMIN)
def cqc_directory_upload():
    error = None
    if request.method == "POST":
        upload = request.files.get("directory_file")
        if upload is None or not upload.filename:
            error = messages.CQC_DIRECTORY_SELECT_FILE
        else:
            data = upload.stream.read(MAX_BYTES * 5 + 1)
            if len(data) > MAX_BYTES * 5:
                error = messages.FILE_TOO_LARGE.format(size="100MB")
            else:
                count, error = cqc_directory.load_directory(data, upload.filename, current_user)
                if error is None:
                    flash(f"The CQC directory now has {count:,} locations", "success")
                    return redirect(url_for(".cqc_directory_upload"))
    status = 400 if error else 200
    return render_template(
        "admin/cqc_directory.html",
        size=setup_queries.directory_size(),
        error=error,
        error_list=[{"text": error, "href": "#directory-file"}] if error else None,
        max_size=MAX_SIZE_TEXT,
    ), status
