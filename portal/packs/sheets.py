"""The provider pack's sections as workbook sheets, in the PDF's order."""

from __future__ import annotations

from portal.packs.data import ProviderPack
from portal.packs.framework import WHOLE_FRAMEWORK, FrameworkPack
from portal.packs.kpi_table import NO_COMMENTARY
from portal.packs.sections import RLW_PERCENT
from portal.packs.xlsx import Sheet
from portal.returns.kpis import KpiResult


def cover_sheet(pack: ProviderPack) -> Sheet:
    rows = [
        ("Council", pack.council.name),
        ("Provider", pack.provider.name),
        ("Quarter", pack.quarter.name),
        ("Months", pack.quarter.label),
        *(("Contract", b.name) for b in pack.contracts),
        *(("KPI targets", f"{b.name}. {b.targets_note}") for b in pack.contracts),
        ("Risk rating", pack.rating_label),
        ("Red KPIs", pack.red_count),
        ("Built on", pack.built_on),
    ]
    return Sheet("Cover", ("Item", "Value"), rows)


def _figures(result: KpiResult | None) -> tuple:
    """A KPI's percent, target, direction and RAG (a RAG only against a target)."""
    if result is None:
        return (None, None, None, None)
    rag = result.rag_label if result.target is not None else None
    return (result.percent, result.target, result.direction, rag)


def kpi_sheet(pack: ProviderPack) -> Sheet:
    """One row per contract, KPI and month, then the quarter's figure."""
    rows = []
    for block in pack.contracts:
        for row in block.kpis:
            for cell in row.cells:
                figures = _figures(cell.result)
                rows.append(
                    (block.name, row.name, cell.month.label, *figures, cell.month.note or None)
                )
            quarter = f"Quarter {pack.quarter.name}"
            rows.append((block.name, row.name, quarter, *_figures(row.quarter), None))
    header = ("Contract", "KPI", "Month", "Percent", "Target (%)", "Better when", "RAG", "Note")
    return Sheet("KPIs", header, rows)


def commentary_sheet(pack: ProviderPack) -> Sheet:
    rows = [
        (
            block.name,
            row.name,
            cell.month.label,
            cell.result.percent if cell.result else None,
            cell.result.rag_label if cell.result else None,
            cell.commentary or NO_COMMENTARY,
        )
        for block, row, cell in pack.red_cells
    ]
    header = ("Contract", "KPI", "Month", "Percent", "RAG", "Provider's commentary")
    return Sheet("Commentary on red KPIs", header, rows)


def trend_sheet(pack: ProviderPack) -> Sheet:
    rows = [
        (name, trend.name, label, value, trend.target)
        for trend in pack.trends
        for name, values in trend.series.items()
        for label, value in zip(trend.labels, values, strict=True)
    ]
    return Sheet("Trends", ("Contract", "KPI", "Month", "Percent", "Target (%)"), rows)


def capacity_sheet(pack: ProviderPack) -> Sheet:
    rows = [
        (
            block.name,
            block.capacity_month.label if block.capacity_month else None,
            r.area,
            r.spare_hours,
            r.earliest_start,
            r.double_handed,
            r.night_support,
            r.specialist,
            r.valid_until,
        )
        for block in pack.contracts
        for r in block.capacity
    ]
    header = (
        "Contract", "Return", "Area", "Spare hours a week", "Earliest start",
        "Double-handed", "Night support", "Specialist needs", "Valid until",
    )  # fmt: skip
    return Sheet("Capacity", header, rows)


def handback_sheet(pack: ProviderPack) -> Sheet:
    rows = [
        (
            block.name,
            f"{r.month:%B %Y}",
            r.reference,
            r.notice_date,
            r.end_date,
            r.weekly_hours,
            r.service_type,
            r.area,
            r.reason,
        )
        for block in pack.contracts
        for r in block.handbacks
    ]
    header = (
        "Contract", "Month", "Reference", "Notice given", "Ended", "Hours a week",
        "Service", "Area", "Reason",
    )  # fmt: skip
    return Sheet("Handbacks", header, rows)


def workforce_sheet(pack: ProviderPack) -> Sheet:
    rows = []
    for block in pack.contracts:
        w = block.workforce
        for row in w.rows:
            rows.append((block.name, row.label, *row.values, None))
        blanks = (None,) * len(w.months)
        rows.append((block.name, "Turnover in the quarter (%)", *blanks, w.turnover))
        rows.append((block.name, "Vacancy rate, latest month (%)", *blanks, w.vacancy_rate))
        rows.append((block.name, "Real Living Wage (£ an hour)", *blanks, w.living_wage))
    months = [m.strftime("%B %Y") for m in pack.quarter.months]
    return Sheet("Workforce", ("Contract", "Figure", *months, "Quarter"), rows)


def training_sheet(pack: ProviderPack) -> Sheet:
    rows = [
        (
            r.name,
            r.in_scope,
            r.up_to_date,
            r.expiring,
            r.expired,
            r.missing,
            r.percent,
            r.area_percent,
            r.difference,
        )
        for r in pack.training
    ]
    header = (
        "Training category", "Staff in scope", "Up to date", "Expiring in 90 days", "Expired",
        "Missing", "Compliant (%)", "Area compliant (%)", "Difference (points)",
    )  # fmt: skip
    return Sheet("Training", header, rows)


def risk_sheet(pack: ProviderPack) -> Sheet:
    rows = [(t.level_label, t.label, t.evidence, t.date) for t in pack.triggers]
    return Sheet("Risk triggers", ("Level", "Trigger", "Evidence", "Date"), rows)


def action_sheet(pack: ProviderPack) -> Sheet:
    rows = [(a.quarter, a.text, a.owner, a.due_on, a.status, a.done_on) for a in pack.actions]
    header = ("Meeting", "Action", "Owner", "Due", "Status", "Done on")
    return Sheet("Actions", header, rows)


def provider_sheets(pack: ProviderPack) -> list[Sheet]:
    return [
        cover_sheet(pack),
        kpi_sheet(pack),
        commentary_sheet(pack),
        trend_sheet(pack),
        capacity_sheet(pack),
        handback_sheet(pack),
        workforce_sheet(pack),
        training_sheet(pack),
        risk_sheet(pack),
        action_sheet(pack),
    ]


# --- the framework summary ------------------------------------------------------------------


def framework_cover_sheet(pack: FrameworkPack) -> Sheet:
    rows = [
        ("Council", pack.council.name),
        ("Framework", pack.framework.name),
        ("Quarter", pack.quarter.name),
        ("Months", pack.quarter.label),
        ("Providers", len(pack.providers)),
        ("Built on", pack.built_on),
    ]
    return Sheet("Cover", ("Item", "Value"), rows)


def framework_kpi_sheet(pack: FrameworkPack) -> Sheet:
    """One row per provider (and the whole framework) and KPI."""
    rows = []
    named = [(p.name, p.submitted, p.expected, p.kpis) for p in pack.providers]
    submitted = sum(p.submitted for p in pack.providers)
    expected = sum(p.expected for p in pack.providers)
    for name, done, due, results in [*named, (WHOLE_FRAMEWORK, submitted, expected, pack.whole)]:
        for column in pack.columns:
            percent, target, _, rag = _figures(results.get(column.code))
            rows.append((name, done, due, column.name, percent, target, rag))
    header = (
        "Provider", "Returns submitted", "Returns expected", "KPI", "Percent", "Target (%)", "RAG",
    )  # fmt: skip
    return Sheet("KPIs", header, rows)


def framework_capacity_sheet(pack: FrameworkPack) -> Sheet:
    rows = [(p.name, p.spare_hours, p.handbacks, p.handback_hours) for p in pack.providers]
    header = ("Provider", "Spare hours a week", "Packages handed back", "Hours a week handed back")
    return Sheet("Capacity and handbacks", header, rows)


def framework_workforce_sheet(pack: FrameworkPack) -> Sheet:
    rows = []
    for p in pack.providers:
        w = p.workforce
        rows.append(
            (
                p.name,
                p.latest("Care staff headcount"),
                w.turnover if w else None,
                w.vacancy_rate if w else None,
                p.latest("Staff on Health and Care Worker visas"),
                p.latest("Sponsor licence"),
                p.latest("Lowest hourly pay"),
                p.latest(RLW_PERCENT),
            )
        )
    header = (
        "Provider", "Care staff", "Turnover in the quarter (%)", "Vacancy rate (%)",
        "Staff on Health and Care Worker visas", "Sponsor licence", "Lowest hourly pay (£)",
        "Paid at least the Real Living Wage (%)",
    )  # fmt: skip
    return Sheet("Workforce", header, rows)


def framework_training_sheet(pack: FrameworkPack) -> Sheet:
    area = pack.area_training_percent
    rows = [(p.name, p.training_percent) for p in pack.providers]
    rows.append(("Whole council area", area))
    return Sheet("Training", ("Provider", "Compliant (%)"), rows)


def framework_risk_sheet(pack: FrameworkPack) -> Sheet:
    rows = [
        (p.name, p.rating_label, "; ".join(p.triggers), p.open_actions, p.actions_this_quarter)
        for p in pack.providers
    ]
    header = ("Provider", "Risk rating", "Triggers", "Open actions", "Actions this quarter")
    return Sheet("Risk and actions", header, rows)


def framework_sheets(pack: FrameworkPack) -> list[Sheet]:
    return [
        framework_cover_sheet(pack),
        framework_kpi_sheet(pack),
        framework_capacity_sheet(pack),
        framework_workforce_sheet(pack),
        framework_training_sheet(pack),
        framework_risk_sheet(pack),
    ]
