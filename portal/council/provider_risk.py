"""A quality-assurance officer's home: "Provider risk"."""

from flask import Blueprint, render_template

from portal.access import requires
from portal.models import Role
from portal.queries import organisations

bp = Blueprint("provider_risk", __name__)


@bp.route("/council/<int:council_id>/risk")
@requires(Role.QA_OFFICER, Role.COMMISSIONER, org="council")
def provider_risk(council_id: int):
    council = organisations.get_council(council_id)
    return render_template(
        "council/provider_risk.html",
        council=council,
        branches=organisations.council_branches(council_id),
    )
