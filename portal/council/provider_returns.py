"""A commissioner's view of one provider's returns to their council, and reopening a
locked return for that one provider."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import clock
from portal.access import requires
from portal.queries import organisations
from portal.queries import returns as return_queries
from portal.returns import deadlines, service
from portal.vocabulary import Role

bp = Blueprint("provider_returns", __name__)
settings_bp = Blueprint("return_settings", __name__)


@bp.route("/council/<int:council_id>/providers/<int:provider_id>/returns")
@requires(Role.COMMISSIONER, org="council")
def provider_returns(council_id: int, provider_id: int):
    contracts = organisations.contracts_between(council_id, provider_id)
    if not contracts:
        abort(404)  # not a provider of this council
    returns = return_queries.returns_of_contracts([c.id for c in contracts])
    return render_template(
        "council/provider_returns.html",
        council=organisations.get_council(council_id),
        provider=organisations.get_provider(provider_id),
        returns=returns,
        locked={r.id for r in returns if service.is_locked(r)},
        reopen_days=deadlines.REOPEN_DAYS,
    )


@bp.route("/council/<int:council_id>/returns/<int:return_id>/reopen", methods=["POST"])
@requires(Role.COMMISSIONER, org="council")
def reopen(council_id: int, return_id: int):
    ret = return_queries.council_return(council_id, return_id)
    if ret is None:
        abort(404)
    back = url_for(
        "provider_returns.provider_returns",
        council_id=council_id,
        provider_id=ret.contract.provider_id,
    )
    if not deadlines.can_reopen(ret, clock.today()):
        flash("Only a locked return that has not been accepted can be reopened", "error")
        return redirect(back)
    until = deadlines.reopen(ret, current_user, clock.today())
    flash(
        f"{ret.contract.provider.name} can change the {service.period_label(ret.period)} "
        f"return until {until:%-d %B %Y}",
        "success",
    )
    return redirect(back)


@settings_bp.route("/council/<int:council_id>/return-settings", methods=["GET", "POST"])
@requires(Role.COMMISSIONER, org="council")
def return_settings(council_id: int):
    from forms.returns import ReturnSettingsForm

    council = organisations.get_council(council_id)
    form = ReturnSettingsForm(obj=council)
    if form.validate_on_submit():
        changes = deadlines.save_settings(council, form.due_working_day.data, form.lock_days.data)
        if changes:
            current_app.logger.info("return settings of %s changed: %s", council.slug, changes)
        flash(
            "Return deadlines saved. They apply to every return that is not yet locked", "success"
        )
        return redirect(url_for("return_settings.return_settings", council_id=council_id))
    return render_template("council/return_settings.html", council=council, form=form), (
        400 if form.errors else 200
    )
