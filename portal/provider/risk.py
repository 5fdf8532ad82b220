"""A provider's own risk (RAG) rating for each council it works with, with its triggers;
a confidential concern shows only as "A concern is open"."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal import clock, risk
from portal.access import requires
from portal.queries import organisations
from portal.vocabulary import PROVIDER_ROLES

bp = Blueprint("your_risk", __name__)


@bp.route("/provider/<int:provider_id>/risk")
@requires(*PROVIDER_ROLES, org="provider")
def your_risk(provider_id: int):
    provider = organisations.get_provider(provider_id)
    councils = []
    for council, _ in organisations.contracts_by_council(provider_id):
        row = risk.current(council.id, provider_id)
        councils.append((council, row, risk.triggers_of(row)))
    return render_template(
        "provider/risk.html",
        provider=provider,
        councils=councils,
        today=clock.today(),
        confidential_text=risk.CONFIDENTIAL_CONCERN,
    )
