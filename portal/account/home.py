"""Pages for everyone: the home redirect, the accessibility statement, health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from portal.access import public
from portal.extensions import db
from portal.models import Membership, Role

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
        return render_template("pages/no_access.html"), 403
    return redirect(home_url(membership))


@bp.route("/accessibility")
@public
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/healthz")
@public
def healthz():
    checks = {"database": _database_ok(), "redis": _redis_state()}
    healthy = checks["database"] == "ok" and checks["redis"] in ("ok", "not configured")
    return jsonify(status="ok" if healthy else "unavailable", checks=checks), (
        200 if healthy else 503
    )


def _database_ok() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means "unreachable"
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return "unreachable"


def _redis_state() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except RedisError:
        return "unreachable"
