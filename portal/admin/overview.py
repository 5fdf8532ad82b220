"""The administrator's pages: councils and providers on the service, and the background
jobs (for support: what ran, how long it took, how often it was tried and why it failed)."""

from flask import Blueprint, render_template, request
from sqlalchemy import select

from portal.access import requires
from portal.extensions import db
from portal.models import Job, Role
from portal.models.work import JOB_STATUSES
from portal.queries import organisations

JOBS_SHOWN = 100

bp = Blueprint("admin", __name__)


@bp.route("/admin")
@requires(Role.ADMIN)
def overview():
    return render_template(
        "admin/overview.html",
        councils=organisations.all_councils(),
        providers=organisations.all_providers(),
    )


@bp.route("/admin/jobs")
@requires(Role.ADMIN)
def jobs():
    """The newest background jobs, optionally of one status (``?status=failed``)."""
    status = request.args.get("status", "")
    query = select(Job).order_by(Job.id.desc()).limit(JOBS_SHOWN)
    if status in JOB_STATUSES:
        query = query.where(Job.status == status)
    else:
        status = ""
    return render_template(
        "admin/jobs.html",
        jobs=db.session.scalars(query).all(),
        status=status,
        status_items=[{"value": "", "text": "All jobs", "selected": not status}]
        + [
            {"value": name, "text": name.capitalize(), "selected": name == status}
            for name in JOB_STATUSES
        ],
        shown=JOBS_SHOWN,
    )
