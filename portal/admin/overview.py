"""The administrator's home: councils and providers on the service."""

from flask import Blueprint, render_template

from portal.access import requires
from portal.models import Role
from portal.queries import organisations

bp = Blueprint("admin", __name__)


@bp.route("/admin")
@requires(Role.ADMIN)
def overview():
    return render_template(
        "admin/overview.html",
        councils=organisations.all_councils(),
        providers=organisations.all_providers(),
    )
