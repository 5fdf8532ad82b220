"""A commissioner's view of one provider's returns to their council, and reopening a
locked return for that one provider."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.access import requires
from portal.extensions import db
from portal.models import Contract, MonthlyReturn, ReturnStatus, Role
from portal.queries import organisations
from portal.returns import service

bp = Blueprint("provider_returns", __name__)
settings_bp = Blueprint("return_settings", __name__)
REOPEN_DAYS = 7


def _contracts(council_id: int, provider_id: int) -> list[Contract]:
    return list(
        db.session.scalars(
            select(Contract)
            .where(Contract.council_id == council_id, Contract.provider_id == provider_id)
            .order_by(Contract.id)
        )
    )


@bp.route("/council/<int:council_id>/providers/<int:provider_id>/returns")
@requires(Role.COMMISSIONER, org="council")
def provider_returns(council_id: int, provider_id: int):
    contracts = _contracts(council_id, provider_id)
    if not contracts:
        abort(404)  # not a provider of this council
    service.ensure_returns(contracts)
    returns = db.session.scalars(
        select(MonthlyReturn)
        .where(MonthlyReturn.contract_id.in_([c.id for c in contracts]))
        .order_by(MonthlyReturn.period.desc(), MonthlyReturn.contract_id)
    ).all()
    return render_template(
        "council/provider_returns.html",
        council=organisations.get_council(council_id),
        provider=organisations.get_provider(provider_id),
        returns=returns,
        locked={r.id for r in returns if service.is_locked(r)},
        reopen_days=REOPEN_DAYS,
    )


@bp.route("/council/<int:council_id>/returns/<int:return_id>/reopen", methods=["POST"])
@requires(Role.COMMISSIONER, org="council")
def reopen(council_id: int, return_id: int):
    ret = db.session.scalar(
        select(MonthlyReturn)
        .join(Contract)
        .where(MonthlyReturn.id == return_id, Contract.council_id == council_id)
    )
    if ret is None:
        abort(404)
    back = url_for(
        "provider_returns.provider_returns",
        council_id=council_id,
        provider_id=ret.contract.provider_id,
    )
    if ret.status is ReturnStatus.ACCEPTED or not service.is_locked(ret):
        flash("Only a locked return that has not been accepted can be reopened", "error")
        return redirect(back)
    until = service.today() + timedelta(days=REOPEN_DAYS)
    service.audit(
        ret,
        current_user,
        "reopen",
        None,
        [{"field": "reopened_until", "old": str(ret.reopened_until or ""), "new": str(until)}],
    )
    ret.reopened_until = until
    db.session.commit()
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
        changes = [
            {"field": name, "old": str(getattr(council, name)), "new": str(form[name].data)}
            for name in ("due_working_day", "lock_days")
            if getattr(council, name) != form[name].data
        ]
        council.due_working_day = form.due_working_day.data
        council.lock_days = form.lock_days.data
        db.session.commit()
        if changes:
            current_app.logger.info("return settings of %s changed: %s", council.slug, changes)
        flash(
            "Return deadlines saved. They apply to every return that is not yet locked", "success"
        )
        return redirect(url_for("return_settings.return_settings", council_id=council_id))
    return render_template("council/return_settings.html", council=council, form=form), (
        400 if form.errors else 200
    )
