"""The KPI section's rules: the framework's KPI definitions for the return's month, the
soft warnings on the counts, and the check-your-answers rows. The page is ``kpis``."""

from __future__ import annotations

from decimal import Decimal

from portal.display import number
from portal.models import MonthlyReturn
from portal.returns import kpis
from portal.returns.sections import common_rules
from portal.returns.warnings import SoftWarning, numeric_warnings

CODE = "kpis"


def definitions(ret: MonthlyReturn) -> list[kpis.KpiDefinition]:
    return kpis.definitions_for(ret.contract.framework_id, ret.period)


def soft_warnings(ret: MonthlyReturn, values: dict) -> list[SoftWarning]:
    found = numeric_warnings(values, common_rules.previous_section_data(ret, CODE), kpis.LABELS)
    delivered, commissioned = values.get("delivered_hours"), values.get("commissioned_hours")
    if delivered and commissioned and Decimal(delivered) > Decimal(commissioned):
        found.append(
            SoftWarning(
                "delivered_hours:over_commissioned",
                "delivered_hours",
                f"Delivered hours ({delivered}) are more than commissioned hours ({commissioned})",
            )
        )
    return found


def summary(ret: MonthlyReturn, data: dict) -> list[dict]:
    rows = [
        {
            "key": {"text": c.label},
            "value": {"text": number(data[c.name]) if data.get(c.name) else "Not entered"},
        }
        for c in kpis.COUNTS
    ]
    if data:
        for result in kpis.compute(data, definitions(ret)):
            text = result.percent_label
            if result.target is not None:
                text += f" ({result.rag_label}; target {result.target_label})"
            rows.append({"key": {"text": result.name}, "value": {"text": text}})
    return rows
