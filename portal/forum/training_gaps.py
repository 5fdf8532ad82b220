"""A forum member's home: "Training gaps" across the area, never a named provider.

The council's training matrix and next quarter's training demand by category and delivery
mode, suppressed jointly (``portal.training_matrix_suppression.forum_view``); both as CSV.
Outside production every view is audited before it is served
(``portal.disclosure.forum_check``): a figure that could be worked out stops the page."""

from flask import Blueprint, current_app, render_template

from portal import clock, exports
from portal.access import requires
from portal.disclosure.forum_check import check_forum
from portal.disclosure.rule import HIDDEN
from portal.matrix import DELIVERY_MODES, EXPORT_HEADER, build_matrix, default_as_at
from portal.queries import organisations
from portal.training_matrix_suppression import DEMAND_HEADER, forum_view
from portal.vocabulary import Role

bp = Blueprint("training_gaps", __name__)


def _gaps_csv(council, view):
    return exports.csv_response(
        f"{council.slug}-training-gaps-{view.as_at.isoformat()}.csv",
        EXPORT_HEADER,
        view.export_rows(),
    )


def demand_csv_response(council, view):
    """Next quarter's demand as the forum downloads it (the provider's page of the same
    table offers this file too)."""
    return exports.csv_response(
        f"{council.slug}-training-demand-{view.as_at.isoformat()}.csv",
        DEMAND_HEADER,
        view.demand_rows(),
    )


def audited_view(council_id: int):
    """The council, and its training matrix and demand as the forum sees them. Outside
    production the auditor checks them first (an assertion): the provider page of the
    same demand table (``portal.provider.training_demand``) uses this too, so a
    provider sees exactly what the forum sees."""
    council = organisations.get_council(council_id)
    matrix = build_matrix(council_id, default_as_at(clock.today()))
    view = forum_view(matrix)
    if current_app.config.get("PORTAL_ENV") != "production":
        findings = check_forum(
            matrix,
            _gaps_csv(council, view).get_data(as_text=True),
            demand_csv_response(council, view).get_data(as_text=True),
        )
        assert not findings, "hidden figures can be worked out: " + "; ".join(map(str, findings))
    return council, view


@bp.route("/forum/<int:council_id>/training-gaps")
@requires(Role.FORUM_MEMBER, org="council")
def training_gaps(council_id: int):
    council, view = audited_view(council_id)
    return render_template(
        "forum/training_gaps.html",
        council=council,
        view=view,
        modes=DELIVERY_MODES,
        hidden=HIDDEN,
        demand_rows=list(view.demand_rows()),
    )


@bp.route("/forum/<int:council_id>/training-gaps.csv")
@requires(Role.FORUM_MEMBER, org="council")
def export_csv(council_id: int):
    council, view = audited_view(council_id)
    return _gaps_csv(council, view)


@bp.route("/forum/<int:council_id>/training-demand.csv")
@requires(Role.FORUM_MEMBER, org="council")
def demand_csv(council_id: int):
    council, view = audited_view(council_id)
    return demand_csv_response(council, view)
