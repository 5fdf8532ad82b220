"""A provider's home: "Your returns", by council."""

from flask import Blueprint, render_template

from portal.access import requires
from portal.models.accounts import PROVIDER_ROLES
from portal.queries import organisations

bp = Blueprint("your_returns", __name__)


@bp.route("/provider/<int:provider_id>/returns")
@requires(*PROVIDER_ROLES, org="provider")
def your_returns(provider_id: int):
    provider = organisations.get_provider(provider_id)
    return render_template(
        "provider/your_returns.html",
        provider=provider,
        councils=organisations.contracts_by_council(provider_id),
    )
