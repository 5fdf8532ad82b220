"""The administrator's pages: councils and providers on the service, and the background
jobs (for support: what ran, how long it took, how often it was tried and why it failed)."""

from flask import Blueprint, render_template, request

from portal.access import requires
from portal.queries import jobs as job_queries
from portal.queries import organisations
from portal.vocabulary import JOB_STATUSES, Role

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
    if status not in JOB_STATUSES:
        status = ""
    jobs = job_queries.recent_jobs(JOBS_SHOWN, status or None)
    return render_template(
        "admin/jobs.html",
        jobs=jobs,
        descriptions=job_queries.job_descriptions(jobs),
        status=status,
        status_items=[{"value": "", "text": "All jobs", "selected": not status}]
        + [
            {"value": name, "text": name.capitalize(), "selected": name == status}
            for name in JOB_STATUSES
        ],
        shown=JOBS_SHOWN,
    )
