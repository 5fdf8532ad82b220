"""Each KPI's own 6-month trend as a small chart, for the feedback report's page and PDF,
with a text alternative that says the same in words (the figures month by month and the
target), so the chart adds nothing a screen reader user misses."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.feedback.data import Feedback
from portal.pdf import small_chart


@dataclass(frozen=True)
class KpiChart:
    src: str  # a data: URI of the PNG
    alt: str  # the chart in words


def _percent(value: Decimal | None) -> str:
    return "no figure" if value is None else f"{value:.1f}%"


def chart_words(name: str, months, values, target: str | None, expected) -> str:
    """ "Missed visits, May 2026 to October 2026: 1.0% in May 2026, ...; target at most
    2%." (``target``: the target as the report words it)."""
    parts = [
        f"{_percent(v) if shown else 'not expected'} in {m:%B %Y}"
        for m, v, shown in zip(months, values, expected, strict=True)
    ]
    words = f"{name}, {months[0]:%B %Y} to {months[-1]:%B %Y}: " + ", ".join(parts)
    return words + (f"; target {target}." if target else ".")


def kpi_charts(feedback: Feedback) -> dict[tuple[int | None, str], KpiChart]:
    """(framework id, KPI code) -> the KPI's chart, for each KPI with a figure in the six
    months (a KPI with none has nothing to draw; the table says so)."""
    charts = {}
    for block in feedback.frameworks:
        labels = tuple(f"{m:%b %y}" for m in block.trend_months)
        targets = {line.code: line.target_label for line in block.kpis}
        for trend in block.trends:
            if all(v is None for v in trend.values):
                continue
            values = tuple(None if v is None else float(v) for v in trend.values)
            target = None if trend.target is None else float(trend.target)
            charts[(block.framework_id, trend.code)] = KpiChart(
                small_chart(labels, values, target),
                chart_words(
                    trend.name,
                    block.trend_months,
                    trend.values,
                    targets.get(trend.code) if trend.target is not None else None,
                    block.expected,
                ),
            )
    return charts
