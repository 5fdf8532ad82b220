"""Each signed-in user's notifications, and their choice of email per kind."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import notifications
from portal.access import signed_in
from portal.queries import accounts

bp = Blueprint("notifications", __name__)
SHOWN = 50  # the newest this many are listed


@bp.route("/notifications")
@signed_in
def list_notifications():
    shown = accounts.latest_notifications(current_user.id, SHOWN)
    unread_ids = [n.id for n in shown if n.read_at is None]
    items = [(n, n.id in unread_ids) for n in shown]
    # Reading the list changes nothing: "Mark as read" (a POST) marks what was shown.
    return render_template(
        "account/notifications/list.html",
        items=items,
        unread_ids=unread_ids,
        labels=notifications.KIND_LABELS,
    )


@bp.route("/notifications/read", methods=["POST"])
@signed_in
def mark_read():
    ids = [int(v) for v in request.form.getlist("notification") if v.isascii() and v.isdigit()]
    notifications.mark_read(current_user.id, ids)  # another user's ids are ignored
    if ids:
        flash("Your notifications have been marked as read", "success")
    return redirect(url_for("notifications.list_notifications"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@signed_in
def settings():
    if request.method == "POST":
        wanted = {k for k in request.form.getlist("email") if k in notifications.KIND_LABELS}
        notifications.set_email_choices(current_user.id, wanted)
        flash("Your email choices have been saved", "success")
        return redirect(url_for("notifications.settings"))
    return render_template(
        "account/notifications/settings.html",
        kinds=notifications.KINDS,
        choices=notifications.email_choices(current_user.id),
    )
