"""A forum member's home: "Training gaps" across the area, never a named provider.

The council's training matrix with small cells suppressed
(``portal.training_matrix_suppression.forum_view``), and next quarter's training demand by
category and delivery mode; both as CSV."""

from flask import Blueprint, render_template

from portal import clock, exports
from portal.access import requires
from portal.matrix import DELIVERY_MODES, EXPORT_HEADER, build_matrix, default_as_at
from portal.queries import organisations
from portal.training_matrix_suppression import DEMAND_HEADER, forum_view
from portal.vocabulary import Role

bp = Blueprint("training_gaps", __name__)


def _view(council_id: int):
    council = organisations.get_council(council_id)
    return council, forum_view(build_matrix(council_id, default_as_at(clock.today())))


@bp.route("/forum/<int:council_id>/training-gaps")
@requires(Role.FORUM_MEMBER, org="council")
def training_gaps(council_id: int):
    council, view = _view(council_id)
    return render_template(
        "forum/training_gaps.html",
        council=council,
        view=view,
        modes=DELIVERY_MODES,
        demand_rows=list(view.demand_rows()),
    )


@bp.route("/forum/<int:council_id>/training-gaps.csv")
@requires(Role.FORUM_MEMBER, org="council")
def export_csv(council_id: int):
    council, view = _view(council_id)
    return exports.csv_response(
        f"{council.slug}-training-gaps-{view.as_at.isoformat()}.csv",
        EXPORT_HEADER,
        view.export_rows(),
    )


@bp.route("/forum/<int:council_id>/training-demand.csv")
@requires(Role.FORUM_MEMBER, org="council")
def demand_csv(council_id: int):
    council, view = _view(council_id)
    return exports.csv_response(
        f"{council.slug}-training-demand-{view.as_at.isoformat()}.csv",
        DEMAND_HEADER,
        view.demand_rows(),
    )
