"""A council's overview of its market: providers by risk (RAG), CQC ratings of framework
providers against all the council's providers, hours and weekly cost by provider with the
market table (framework against spot, DPS and block) and hourly rates, handbacks this
quarter by reason and area, and spare capacity by area.

Each chart is an SVG drawn by matplotlib, shown as an ``<img>`` from a data URI (the CSP
allows ``img-src data:``; no inline styles or scripts), with a text alternative and the
same figures in a table next to it. Commissioners and quality-assurance officers of the
council can see it."""

from __future__ import annotations

import base64
import io
from decimal import Decimal

from flask import Blueprint, render_template

from portal import clock, risk_triggers
from portal.access import requires
from portal.market import figures as overview_market
from portal.market import handbacks as overview_handbacks
from portal.market import overview as overview_data
from portal.queries import organisations
from portal.returns import service
from portal.vocabulary import Role

bp = Blueprint("council_overview", __name__)

# GOV.UK colours: blue, orange (framework / other), and the RAG tag colours.
BLUE, ORANGE, GREY = "#1d70b8", "#f47738", "#505a5f"
RAG_COLOURS = {"red": "#d4351c", "amber": "#f47738", "green": "#00703c"}
MAX_BARS = 30  # a chart with more bars than this would be unreadable: the table has all


def money(value: Decimal | None) -> str:
    return "No data yet" if value is None else f"£{value.quantize(Decimal('0.01')):,.2f}"


def hours(value: Decimal | None) -> str:
    return "No data yet" if value is None else f"{value.quantize(Decimal('0.01')):,.2f}"


def percent(value: int | None) -> str:
    return "No data yet" if value is None else f"{value}%"


def bar_chart(
    labels: list[str],
    series: list[tuple[str, list[float], str]],
    xlabel: str,
    *,
    stacked: bool = False,
) -> str:
    """Horizontal bars as an SVG data URI. ``series``: (name, values, colour)."""
    # The object-oriented API (no pyplot): no global state, safe across threads.
    from matplotlib.figure import Figure

    labels = labels[:MAX_BARS]
    series = [(name, values[:MAX_BARS], colour) for name, values, colour in series]
    rows = len(labels)
    figure = Figure(figsize=(6.4, 0.9 + 0.42 * rows * (1 if stacked else len(series))))
    axes = figure.subplots()
    positions = list(range(rows))
    height = 0.8 if stacked or len(series) == 1 else 0.8 / len(series)
    left = [0.0] * rows
    for i, (name, values, colour) in enumerate(series):
        if stacked:
            axes.barh(positions, values, height, left=left, label=name, color=colour)
            left = [a + b for a, b in zip(left, values, strict=True)]
        else:
            offset = (i - (len(series) - 1) / 2) * height
            axes.barh([p + offset for p in positions], values, height, label=name, color=colour)
    axes.set_yticks(positions, [label[:40] for label in labels])
    axes.invert_yaxis()
    axes.set_xlabel(xlabel)
    axes.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        axes.legend(frameon=False, loc="best")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _charts(data: overview_data.Overview) -> dict[str, str]:
    """Each chart with figures to show, by name (a chart with none is left out)."""
    charts: dict[str, str] = {}
    if data.rag.total:
        charts["rag"] = _rag_chart(data.rag)
    if data.cqc.all_total:
        charts["cqc"] = _cqc_chart(data.cqc)
    if data.market.providers:
        charts["hours"] = _hours_chart(data.market.providers)
    if data.handbacks.count:
        charts["handback_reasons"] = _count_chart(data.handbacks.by_reason)
        charts["handback_areas"] = _count_chart(data.handbacks.by_area)
    if data.capacity:
        charts["capacity"] = bar_chart(
            [row.area for row in data.capacity],
            [("Spare hours", [float(row.spare_hours) for row in data.capacity], BLUE)],
            "Spare hours per week",
        )
    return charts


def _rag_chart(rag) -> str:
    levels = list(risk_triggers.SEVERITY)
    return bar_chart(
        [risk_triggers.LEVEL_LABELS[level] for level in levels],
        [("Providers", [rag.counts[level] for level in levels], GREY)],
        "Providers",
    )


def _cqc_chart(cqc) -> str:
    """Framework providers' ratings against all providers' (all only, when no framework
    provider has a rating)."""
    labels = [row.rating.label for row in cqc.rows]
    series = [
        ("Framework providers", [float(row.framework_percent or 0) for row in cqc.rows], BLUE),
        ("All providers", [float(row.all_percent or 0) for row in cqc.rows], ORANGE),
    ]
    if not cqc.framework_total:
        series = series[1:]
    return bar_chart(labels, series, "Per cent of providers")


def _hours_chart(rows: list[overview_market.ProviderHours]) -> str:
    return bar_chart(
        [row.provider.name for row in rows],
        [
            ("Framework", [float(row.framework_hours or 0) for row in rows], BLUE),
            (
                overview_market.GROUP_LABELS[overview_market.OTHER],
                [float(row.other_hours or 0) for row in rows],
                ORANGE,
            ),
        ],
        "Hours per week",
        stacked=True,
    )


def _count_chart(groups: list[overview_handbacks.HandbackGroup]) -> str:
    """Handbacks by reason or by area."""
    return bar_chart(
        [g.label for g in groups],
        [("Handbacks", [g.count for g in groups], BLUE)],
        "Handbacks",
    )


@bp.route("/council/<int:council_id>/overview")
@requires(Role.COMMISSIONER, Role.QA_OFFICER, org="council")
def overview(council_id: int):
    council = organisations.get_council(council_id)
    data = overview_data.build(council_id, clock.today())
    return render_template(
        "council/overview.html",
        council=council,
        data=data,
        charts=_charts(data),
        money=money,
        hours=hours,
        percent=percent,
        period_label=service.period_label,
        group_labels=overview_market.GROUP_LABELS,
        level_labels=risk_triggers.LEVEL_LABELS,
        level_tags=risk_triggers.TAG_CLASSES,
        max_bars=MAX_BARS,
    )
