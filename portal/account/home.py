"""Pages for everyone: the home redirect, the accessibility statement, health check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user

from portal import health
from portal.access import public
from portal.vocabulary import Role

if TYPE_CHECKING:
    from portal.models import Membership

bp = Blueprint("pages", __name__)


def home_url(membership: Membership) -> str:
    role = membership.role
    if role.at_provider:
        return url_for("monthly_return.your_returns", provider_id=membership.provider_id)
    if role is Role.COMMISSIONER:
        return url_for("your_providers.your_providers", council_id=membership.council_id)
    if role is Role.QA_OFFICER:
        return url_for("provider_risk.provider_risk", council_id=membership.council_id)
    if role is Role.FORUM_MEMBER:
        return url_for("training_gaps.training_gaps", council_id=membership.council_id)
    return url_for("admin.overview")


@bp.route("/")
@public
def home():
    """Send each user to their own home page; everyone else to sign in."""
    if not current_user.is_authenticated:
        return redirect(url_for("sign_in.sign_in"))
    membership = current_user.primary_membership
    if membership is None:
        return render_template("account/no_access.html"), 403
    return redirect(home_url(membership))


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("account/accessibility.html")


@bp.route("/healthz")
@public
def healthz():
    checks = {
        "database": health.database_state(),
        "redis": health.redis_state(current_app.config.get("REDIS_URL")),
    }
    healthy = checks["database"] == health.OK and checks["redis"] in (
        health.OK,
        health.NOT_CONFIGURED,
    )
    return jsonify(status="ok" if healthy else "unavailable", checks=checks), (
        200 if healthy else 503
    )
