"""A provider's view of next quarter's training demand across a council's area: the
provider forum's demand table, read-only and suppressed exactly as the forum sees it
(``portal.forum.training_gaps.audited_view``), for any provider with a contract with the
council (named in the query string; without one, the councils to choose from), with the
same figures as CSV (the forum's own demand download). The feedback report links here
("where you could pool courses"); the forum's own page needs the forum role, which most
providers' staff do not hold."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from portal.access import requires
from portal.disclosure.rule import HIDDEN
from portal.forum.training_gaps import audited_view, demand_csv_response
from portal.matrix import DELIVERY_MODES
from portal.queries import organisations
from portal.vocabulary import PROVIDER_ROLES

bp = Blueprint("provider_training_demand", __name__)


def _named_council(provider_id: int) -> int:
    """The council named in the query string (``council``): one the provider has a
    contract with, or not found."""
    named = request.args.get("council", "")
    # An id the database can hold (a 32-bit integer), or it is no council of the provider's.
    if not (named.isascii() and named.isdigit() and len(named) < 10) or not (
        organisations.contracts_between(int(named), provider_id)
    ):
        abort(404)  # another council's area is not this provider's to see
    return int(named)


@bp.route("/provider/<int:provider_id>/training-demand")
@requires(*PROVIDER_ROLES, org="provider")
def training_demand(provider_id: int):
    """The council is named in the query string (``council``), as on the feedback
    report: one the provider has a contract with, or not found; without one, the
    provider's councils to choose from."""
    provider = organisations.get_provider(provider_id)
    if not request.args.get("council", ""):
        councils = sorted({c.council for c in provider.contracts}, key=lambda c: (c.name, c.id))
        return render_template(
            "provider/training_demand_councils.html", provider=provider, councils=councils
        )
    council, view = audited_view(_named_council(provider_id))
    period = request.args.get("period", "")
    back = None
    if period:
        back = url_for(
            "feedback.provider_report", provider_id=provider_id, council=council.id, period=period
        )
    return render_template(
        "provider/training_demand.html",
        provider=provider,
        council=council,
        view=view,
        modes=DELIVERY_MODES,
        hidden=HIDDEN,
        demand_rows=list(view.demand_rows()),
        back=back,
    )


@bp.route("/provider/<int:provider_id>/training-demand.csv")
@requires(*PROVIDER_ROLES, org="provider")
def training_demand_csv(provider_id: int):
    """The page's figures as CSV: the forum's own demand download, the same suppression
    ("[c]" for a hidden figure), for a council the provider has a contract with; without
    one, the page to choose it on."""
    if not request.args.get("council", ""):
        return redirect(url_for(".training_demand", provider_id=provider_id))
    council, view = audited_view(_named_council(provider_id))
    return demand_csv_response(council, view)
