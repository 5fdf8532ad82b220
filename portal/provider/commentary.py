"""A provider's commentary on the KPIs that were red in a return, for the council's
contract meeting: the quarterly pack prints it beside the figures, so the provider's
explanation is heard before the meeting rather than only in it. The rules (which KPIs
were red, saving) are in ``portal.returns.commentary_rules``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms import messages
from portal.access import requires
from portal.returns import service
from portal.returns.commentary_rules import (
    COMMENTARY_MAX,
    red_kpis,
    save_commentary,
    saved_commentary,
)
from portal.vocabulary import PROVIDER_ROLES

if TYPE_CHECKING:
    from portal.models import MonthlyReturn

bp = Blueprint("kpi_commentary", __name__)


@bp.app_template_global()
def red_kpi_count(ret: MonthlyReturn) -> int:
    """How many KPIs were red in the return's latest version (the task list links to the
    commentary page when there are any)."""
    return len(red_kpis(ret)[1])


def _field(code: str) -> str:
    return f"kpi-{code}"


@bp.route("/provider/<int:provider_id>/returns/<int:return_id>/commentary", methods=["GET", "POST"])
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def commentary(provider_id: int, return_id: int):
    ret = service.get_return_for_provider(provider_id, return_id)
    if ret is None:
        abort(404)
    version, red = red_kpis(ret)
    saved = saved_commentary(ret)
    texts = {r.code: saved[r.code].text if r.code in saved else "" for r in red}
    errors: dict[str, str] = {}
    if request.method == "POST":
        texts = {
            r.code: (request.form.get(_field(r.code)) or "").replace("\r\n", "\n").strip()
            for r in red
        }
        errors = {
            r.code: messages.too_long(f"explanation of {r.name.lower()}", COMMENTARY_MAX)
            for r in red
            if len(texts[r.code]) > COMMENTARY_MAX
        }
        if not errors:
            save_commentary(ret, texts, current_user.id)
            flash("Your commentary has been saved", "success")
            return redirect(url_for(".commentary", provider_id=provider_id, return_id=return_id))
    return render_template(
        "provider/returns/kpi_commentary.html",
        ret=ret,
        version=version,
        red=red,
        texts=texts,
        saved=saved,
        errors=errors,
        field=_field,
        limit=COMMENTARY_MAX,
        error_list=[{"text": text, "href": f"#{_field(code)}"} for code, text in errors.items()]
        or None,
    ), (400 if errors else 200)
