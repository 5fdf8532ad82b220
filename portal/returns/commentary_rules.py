"""A provider's commentary on the KPIs that were red in a return, for the council's
contract meeting: which KPIs were red, what has been written, and saving it.

The red KPIs are those of the latest submitted version (the figures the council sees),
rated with the framework's targets for the month (``portal.returns.kpis``). Saving writes
one ``KpiCommentary`` row per KPI explained; a blank box removes that KPI's row. The
commentary stays open after the return locks: the meeting comes later."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from portal.clock import utcnow
from portal.extensions import db
from portal.models import KpiCommentary
from portal.queries import returns as return_queries
from portal.returns import kpis
from portal.returns.review import latest_version

if TYPE_CHECKING:
    from portal.models import MonthlyReturn, ReturnVersion

COMMENTARY_MAX = 2000


def red_kpis(ret: MonthlyReturn) -> tuple[ReturnVersion | None, list[kpis.KpiResult]]:
    """The latest submitted version and the KPIs that were red in it."""
    # ``sent`` comes with the return on its pages: a draft never sent loads no versions.
    version = latest_version(ret) if ret.sent else None
    if version is None:
        return None, []
    values = ((version.data or {}).get("sections") or {}).get("kpis") or {}
    results = kpis.compute(
        values if isinstance(values, dict) else {},
        kpis.definitions_for(ret.contract.framework_id, ret.period),
    )
    return version, [r for r in results if r.rag == "red"]


def saved_commentary(ret: MonthlyReturn) -> dict[str, KpiCommentary]:
    """What has been written so far, by KPI code."""
    return {row.kpi: row for row in return_queries.kpi_commentary(ret.id)}


def save_commentary(ret: MonthlyReturn, texts: dict[str, str], author_id: int) -> None:
    """Insert, change or (for a blank text) remove each KPI's row; others are kept.
    A colleague saving the same KPI at the same moment makes the insert clash: then the
    rows are read again and this save wins."""
    for _ in range(2):
        saved = saved_commentary(ret)
        for code, text in texts.items():
            row = saved.get(code)
            if not text:
                if row is not None:
                    db.session.delete(row)
            elif row is None:
                db.session.add(
                    KpiCommentary(return_id=ret.id, kpi=code, text=text, author_id=author_id)
                )
            elif row.text != text:
                row.text, row.author_id, row.at = text, author_id, utcnow()
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
    raise RuntimeError("could not save the commentary")
