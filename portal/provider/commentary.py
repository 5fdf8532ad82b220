"""A provider's commentary on the KPIs that were red in a return, for the council's
contract meeting: the quarterly pack prints it beside the figures, so the provider's
explanation is heard before the meeting rather than only in it.

The red KPIs are those of the latest submitted version (the figures the council sees),
rated with the framework's targets for the month (``portal.returns.kpis``). Saving writes
one ``KpiCommentary`` row per KPI explained; a blank box removes that KPI's row. The
commentary stays open after the return locks: the meeting comes later."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forms import messages
from portal.access import requires
from portal.extensions import db
from portal.models import MonthlyReturn, ReturnVersion
from portal.models.accounts import PROVIDER_ROLES
from portal.models.work import KpiCommentary
from portal.returns import kpis, service
from portal.returns.review import latest_version
from portal.timeutil import utcnow

bp = Blueprint("kpi_commentary", __name__)
COMMENTARY_MAX = 2000


def red_kpis(ret: MonthlyReturn) -> tuple[ReturnVersion | None, list[kpis.KpiResult]]:
    """The latest submitted version and the KPIs that were red in it."""
    version = latest_version(ret)
    if version is None:
        return None, []
    values = ((version.data or {}).get("sections") or {}).get("kpis") or {}
    results = kpis.compute(
        values if isinstance(values, dict) else {},
        kpis.definitions_for(ret.contract.framework_id, ret.period),
    )
    return version, [r for r in results if r.rag == "red"]


@bp.app_template_global()
def red_kpi_count(ret: MonthlyReturn) -> int:
    """How many KPIs were red in the return's latest version (the task list links to the
    commentary page when there are any)."""
    return len(red_kpis(ret)[1])


def _field(code: str) -> str:
    return f"kpi-{code}"


def _saved(ret: MonthlyReturn) -> dict[str, KpiCommentary]:
    rows = db.session.scalars(
        select(KpiCommentary).where(KpiCommentary.return_id == ret.id).order_by(KpiCommentary.kpi)
    )
    return {row.kpi: row for row in rows}


@bp.route("/provider/<int:provider_id>/returns/<int:return_id>/commentary", methods=["GET", "POST"])
@requires(*PROVIDER_ROLES, org="provider", hidden=True)
def commentary(provider_id: int, return_id: int):
    ret = service.get_return_for_provider(provider_id, return_id)
    if ret is None:
        abort(404)
    version, red = red_kpis(ret)
    saved = _saved(ret)
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
            _save(ret, texts)
            flash("Your commentary has been saved", "success")
            return redirect(url_for(".commentary", provider_id=provider_id, return_id=return_id))
    return render_template(
        "packs_ui/commentary.html",
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


def _save(ret: MonthlyReturn, texts: dict[str, str]) -> None:
    """Insert, change or (for a blank box) remove each red KPI's row; others are kept.
    A colleague saving the same KPI at the same moment makes the insert clash: then the
    rows are read again and this save wins."""
    for _ in range(2):
        saved = _saved(ret)
        for code, text in texts.items():
            row = saved.get(code)
            if not text:
                if row is not None:
                    db.session.delete(row)
            elif row is None:
                db.session.add(
                    KpiCommentary(return_id=ret.id, kpi=code, text=text, author_id=current_user.id)
                )
            elif row.text != text:
                row.text, row.author_id, row.at = text, current_user.id, utcnow()
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
    raise RuntimeError("could not save the commentary")
