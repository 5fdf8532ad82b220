"""The administrator adds councils and invites each council's first commissioner."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from forms.setup import CouncilForm, InviteCommissionerForm
from portal.access import requires
from portal.queries import organisations
from portal.queries import setup as setup_queries
from portal.setup import councils
from portal.vocabulary import Role

bp = Blueprint("admin_councils", __name__)


@bp.route("/admin/councils/new", methods=["GET", "POST"])
@requires(Role.ADMIN)
def add_council():
    form = CouncilForm()
    if form.validate_on_submit():
        details = councils.CouncilDetails(
            name=form.name.data,
            go_live_month=form.go_live_month.month,
            due_working_day=form.due_working_day.data,
            lock_days=form.lock_days.data,
        )
        council, refusal = councils.add_council(details, current_user)
        if council is not None:
            flash(f"{council.name} has been added. Invite its first commissioner", "success")
            return redirect(url_for(".council", id=council.id))
        form.name.errors = [refusal]
    status = 400 if form.errors else 200
    return render_template("admin/add_council.html", form=form), status


@bp.route("/admin/councils/<int:id>")
@requires(Role.ADMIN)
def council(id: int):
    found = organisations.get_council(id)
    return render_template(
        "admin/council.html",
        council=found,
        members=setup_queries.council_commissioners(found.id),
    )


@bp.route("/admin/councils/<int:id>/invite", methods=["GET", "POST"])
@requires(Role.ADMIN)
def invite_commissioner(id: int):
    found = organisations.get_council(id)
    form = InviteCommissionerForm()
    if form.validate_on_submit():
        refusal = councils.invite_council_user(
            found, form.email.data, form.name.data, current_user, bool(form.council_admin.data)
        )
        if refusal is None:
            flash(f"An invitation has been sent to {form.email.data.strip().lower()}", "success")
            return redirect(url_for(".council", id=found.id))
        form.email.errors = [refusal]
    status = 400 if form.errors else 200
    back = url_for(".council", id=found.id)
    page = render_template(
        "components/invite_commissioner.html", council=found, form=form, back_href=back
    )
    return page, status
