"""The record of every setup change, newest first, with filters."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from forms.setup import AuditFilterForm, parse_day
from portal.access import requires
from portal.queries import setup as setup_queries
from portal.vocabulary import Role

bp = Blueprint("admin_audit", __name__)


@bp.route("/admin/audit")
@requires(Role.ADMIN)
def audit():
    councils = setup_queries.councils_for_filter()
    return changes_page(councils, None)


def changes_page(councils: list, council_id: int | None):
    """The changes, filtered as the query string asks. ``council_id``: only that council's
    changes (a council admin's page), without the council filter."""
    form = AuditFilterForm(request.args)
    form.council.choices = [("", "All councils")] + [(str(c.id), c.name) for c in councils]
    form.entity.choices = [("", "Everything")] + list(setup_queries.ENTITY_LABELS.items())
    one_council = council_id is not None
    if council_id is None:
        council_id = next((c.id for c in councils if str(c.id) == form.council.data), None)
    entity = form.entity.data if form.entity.data in setup_queries.ENTITY_LABELS else None
    changes = setup_queries.changes(
        council_id=council_id,
        entity=entity,
        who=(form.who.data or "").strip()[:100] or None,
        since=parse_day(form.since.data),
        until=parse_day(form.until.data),
    )
    return render_template(
        "admin/audit.html",
        changes=changes,
        filter_form=form,
        describe=setup_queries.describe,
        shown=setup_queries.CHANGES_SHOWN,
        one_council=one_council,
    )
