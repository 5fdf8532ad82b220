"""A monthly return as the API's JSON: its summary, sections (answers, revision, soft
warnings), computed KPIs and receipts, dumped through ``portal.schemas.resources`` so the
answer is what the OpenAPI document says. Reads only; the views are ``returns``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.api.section_rows import ROW_SECTIONS
from portal.returns import kpis, service
from portal.returns.sections import kpis_rules
from portal.schemas import resources
from portal.schemas.sections import ANSWER_SCHEMAS
from portal.uploads.section_files import soft_warnings

if TYPE_CHECKING:
    from portal.models import MonthlyReturn, ReturnSection, ReturnVersion


WRITABLE = frozenset(ANSWER_SCHEMAS) | frozenset(ROW_SECTIONS)


def latest_version(ret: MonthlyReturn) -> ReturnVersion | None:
    return max(ret.versions, key=lambda v: v.number) if ret.versions else None


def summary(ret: MonthlyReturn) -> dict:
    return resources.ReturnSummarySchema().dump(_summary(ret))


def _summary(ret: MonthlyReturn) -> dict:
    contract = ret.contract
    dates = service.deadlines(ret)
    latest = latest_version(ret)
    return {
        "id": ret.id,
        "council": contract.council.name,
        "framework": contract.framework.name if contract.framework else None,
        "period": f"{ret.period:%Y-%m}",
        "status": ret.status.value,
        "status_label": service.display_status(ret).text,
        "due_date": dates.due_on,
        "locks_on": dates.locks_on,
        "version": latest.number if latest else None,
    }


def section_warnings(ret: MonthlyReturn, sec: ReturnSection, answers: dict) -> list[dict]:
    if not answers or sec.code not in WRITABLE:
        return []
    confirmed = set(sec.confirmed_warnings or [])
    return [
        {"code": w.code, "field": w.field, "message": w.message, "confirmed": w.code in confirmed}
        for w in soft_warnings(sec.code, ret, answers)
    ]


def section_document(ret: MonthlyReturn, sec: ReturnSection) -> dict:
    answers = sec.data or {}
    return resources.SectionSchema().dump(
        {
            "code": sec.code,
            "title": service.SECTION_TITLES.get(sec.code, sec.code),
            "state": sec.state.value,
            "revision": sec.revision,
            "writable": sec.code in WRITABLE,
            "answers": answers,
            "warnings": section_warnings(ret, sec, answers),
        }
    )


def kpi_results(ret: MonthlyReturn) -> list[dict]:
    answers = service.section(ret, "kpis").data or {}
    results = kpis.compute(answers, kpis_rules.definitions(ret)) if answers else []
    return resources.KpiResultSchema(many=True).dump(results)


def return_document(ret: MonthlyReturn) -> dict:
    order = {code: i for i, (code, _) in enumerate(service.SECTIONS)}
    sections = sorted(ret.sections, key=lambda s: order.get(s.code, len(order)))
    return resources.ReturnSchema().dump(
        {
            **_summary(ret),
            "nil_return": ret.nil_return,
            "editable": service.can_edit(ret),
            "sections": [section_document(ret, s) for s in sections if s.code in order],
            "kpis": kpi_results(ret),
        }
    )


def receipt(version: ReturnVersion) -> dict:
    return resources.ReceiptSchema().dump(version)
