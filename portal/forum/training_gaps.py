"""A forum member's home: "Training gaps" across the area, never a named provider."""

from flask import Blueprint, render_template

from portal.access import requires
from portal.models import Role
from portal.queries import organisations

bp = Blueprint("training_gaps", __name__)


@bp.route("/forum/<int:council_id>/training-gaps")
@requires(Role.FORUM_MEMBER, org="council")
def training_gaps(council_id: int):
    council = organisations.get_council(council_id)
    return render_template("forum/training_gaps.html", council=council)
