"""A quality-assurance officer's home: "Provider risk", the risk (RAG) rating of every
provider the council contracts with, red first."""

from flask import Blueprint, render_template

from portal import clock, risk
from portal.access import requires
from portal.queries import organisations
from portal.risk_triggers import SEVERITY
from portal.vocabulary import Role

bp = Blueprint("provider_risk", __name__)


@bp.route("/council/<int:council_id>/risk")
@requires(Role.QA_OFFICER, Role.COMMISSIONER, org="council")
def provider_risk(council_id: int):
    council = organisations.get_council(council_id)
    ratings = risk.council_ratings(council_id)
    counts = {level: sum(1 for r in ratings if r.rating == level) for level in SEVERITY}
    return render_template(
        "council/provider_risk.html",
        council=council,
        ratings=ratings,
        counts=counts,
        today=clock.today(),
    )
