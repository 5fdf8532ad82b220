"""The pack's sections built from one contract's submitted months: capacity, handbacks and
workforce; and training compliance against the council area. Values stay typed (Decimal,
date) so the XLSX keeps numbers as numbers; the PDF formats them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING

from portal.market.figures import number
from portal.models import Contract
from portal.returns.sections import workforce_rules
from portal.returns.sections.capacity_rules import SPECIALIST_LABELS, text
from portal.returns.sections.handbacks_rules import REASON_LABELS, SERVICE_TYPE_LABELS
from portal.training_compliance import (  # noqa: F401  training compliance, re-exported
    TrainingRow,
    area_figures,
    area_overall_percent,
    compliant,
    overall_percent,
    training_rows,
)

if TYPE_CHECKING:
    from portal.packs.months import MonthReturn

YES_NO = {"yes": "Yes", "no": "No"}


def iso_date(value) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def percent_of(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to 1 decimal place; None without both."""
    if part is None or not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- capacity -------------------------------------------------------------------------------


@dataclass
class CapacityRow:
    area: str
    spare_hours: Decimal | None
    earliest_start: date | None
    double_handed: str
    night_support: str
    specialist: str
    valid_until: date | None


def capacity_rows(section: dict) -> list[CapacityRow]:
    areas = section.get("areas") if isinstance(section.get("areas"), list) else []
    rows = []
    for row in (a for a in areas if isinstance(a, dict)):
        specialist = row.get("specialist") if isinstance(row.get("specialist"), list) else []
        rows.append(
            CapacityRow(
                area=text(row.get("area")) or "Not given",
                spare_hours=number(row.get("spare_hours")),
                earliest_start=iso_date(row.get("earliest_start")),
                double_handed=YES_NO.get(text(row.get("double_handed")), "Not given"),
                night_support=YES_NO.get(text(row.get("night_support")), "Not given"),
                specialist=", ".join(SPECIALIST_LABELS.get(s, str(s)) for s in specialist)
                or "None",
                valid_until=iso_date(row.get("valid_until")),
            )
        )
    return rows


# --- handbacks ------------------------------------------------------------------------------


@dataclass
class HandbackRow:
    month: date
    reference: str
    notice_date: date | None
    end_date: date | None
    weekly_hours: Decimal | None
    service_type: str
    area: str
    reason: str


def handback_rows(month: date, section: dict) -> list[HandbackRow]:
    saved = section.get("rows") if isinstance(section.get("rows"), list) else []
    rows = []
    for row in (r for r in saved if isinstance(r, dict)):
        reason = REASON_LABELS.get(text(row.get("reason")), "Not given")
        details = text(row.get("reason_details")).strip()
        rows.append(
            HandbackRow(
                month=month,
                reference=text(row.get("reference")) or "No reference",
                notice_date=iso_date(row.get("notice_date")),
                end_date=iso_date(row.get("end_date")),
                weekly_hours=number(row.get("weekly_hours")),
                service_type=SERVICE_TYPE_LABELS.get(text(row.get("service_type")), "Not given"),
                area=text(row.get("area")) or "Not given",
                reason=f"{reason}: {details}" if details else reason,
            )
        )
    return rows


# --- workforce ------------------------------------------------------------------------------

RLW_PERCENT = "Staff paid at least the Real Living Wage (%)"
# The form asks questions; the pack's tables need labels.
LABELS = {
    "sponsor_licence": "Sponsor licence",
    "registered_manager": "Registered manager in post",
    "travel_time_paid": "Travel time paid",
}


@dataclass
class WorkforceRow:
    label: str
    kind: str  # count, decimal, money, choice, percent
    values: list[Decimal | str | None]  # one per month; None: not reported


@dataclass
class WorkforceBlock:
    months: list[MonthReturn]
    rows: list[WorkforceRow]
    living_wage: Decimal
    turnover: Decimal | None  # leavers in the quarter as % of average headcount
    vacancy_rate: Decimal | None  # latest month: vacancies / (FTE + vacancies)

    @property
    def reported(self) -> bool:
        return any(m.section(workforce_rules.CODE) for m in self.months)


def _value(spec: workforce_rules.Field, raw) -> Decimal | str | None:
    if raw in (None, ""):
        return None
    if spec.kind == workforce_rules.CHOICE:
        return dict(spec.choices).get(str(raw), str(raw))
    return number(raw)


def workforce_block(contract: Contract, months: list[MonthReturn]) -> WorkforceBlock:
    sections = [m.section(workforce_rules.CODE) for m in months]
    headcounts = [number(s.get("headcount")) for s in sections]
    # real_living_wage reads only the contract's council from a return.
    living_wage = workforce_rules.real_living_wage(SimpleNamespace(contract=contract))
    return WorkforceBlock(
        months,
        _workforce_rows(sections, headcounts),
        living_wage,
        _turnover(sections, headcounts),
        _vacancy_rate(sections),
    )


def _workforce_rows(sections: list[dict], headcounts: list) -> list[WorkforceRow]:
    """A row per question, month by month, with the Real Living Wage share after its count."""
    rlw = [number(s.get("rlw_staff")) for s in sections]
    rows = []
    for spec in workforce_rules.FIELDS:
        values = [_value(spec, s.get(spec.name)) for s in sections]
        rows.append(WorkforceRow(LABELS.get(spec.name, spec.label), spec.kind, values))
        if spec.name == "rlw_staff":
            shares = [percent_of(p, w) for p, w in zip(rlw, headcounts, strict=True)]
            rows.append(WorkforceRow(RLW_PERCENT, "percent", shares))
    return rows


def _turnover(sections: list[dict], headcounts: list) -> Decimal | None:
    """Leavers in the quarter as a percentage of the average headcount."""
    known = [h for h in headcounts if h is not None]
    leavers = [number(s.get("leavers")) for s in sections]
    if not known or all(v is None for v in leavers):
        return None
    average = sum(known, Decimal(0)) / len(known)
    return percent_of(sum((v for v in leavers if v is not None), Decimal(0)), average)


def _vacancy_rate(sections: list[dict]) -> Decimal | None:
    """The latest month's vacancies / (FTE + vacancies)."""
    latest = next((s for s in reversed(sections) if s), {})
    fte, vacancies = number(latest.get("fte")), number(latest.get("vacancies"))
    return percent_of(vacancies, (fte or 0) + vacancies) if vacancies is not None else None
