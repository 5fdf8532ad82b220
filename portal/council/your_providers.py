"""A commissioner's home: "Your providers"."""

from flask import Blueprint, render_template

from portal.access import requires
from portal.queries import organisations
from portal.vocabulary import Role

bp = Blueprint("your_providers", __name__)


@bp.route("/council/<int:council_id>/providers")
@requires(Role.COMMISSIONER, org="council")
def your_providers(council_id: int):
    council = organisations.get_council(council_id)
    return render_template(
        "council/your_providers.html",
        council=council,
        providers=organisations.council_providers(council_id),
    )
