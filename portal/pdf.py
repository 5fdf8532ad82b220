"""PDFs from Jinja templates (WeasyPrint), with charts: the packs' trend charts written as
plain SVG (``line_chart``), the feedback report's small charts drawn by matplotlib.

Charts are embedded as data URIs so no file is written; SVG keeps the PDF sharp."""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Sequence

from flask import render_template
from markupsafe import escape


def render_pdf(template: str, **context) -> bytes:
    """Render ``template`` to HTML and then to PDF bytes."""
    from weasyprint import HTML

    html = render_template(template, **context)
    return HTML(string=html, base_url=".").write_pdf()


CHART_WIDTH, CHART_HEIGHT = 520, 220  # SVG units; the pack's CSS sets the printed size
_PLOT = (46, 512, 40, 192)  # left, right, top, bottom of the plotting area
LINE_COLOURS = ("#1d70b8", "#f47738", "#00703c", "#912b88", "#b58840", "#d4351c")
TARGET_COLOUR = "#505a5f"
_FONT = "font-family:Arial,'Liberation Sans',sans-serif"
_CHAR_WIDTH = 6.2  # an 11px Arial character, on average, for laying out the legend


def _y_ticks(values: list[float], target: float | None) -> list[float]:
    """Round tick values spanning the figures and the target (matplotlib's own locator,
    without drawing a figure)."""
    from matplotlib.ticker import MaxNLocator

    span = [*values, *([] if target is None else [target])]
    low, high = min(span), max(span)
    if high - low < 1:
        low, high = low - 1, high + 1
    ticks = [float(t) for t in MaxNLocator(nbins=4).tick_values(low, high)]
    return [t for t in ticks if ticks[0] <= t <= ticks[-1]]


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """The stretches of a line between gaps (months without a figure)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _legend(keys: list[tuple[str, str, str]]) -> tuple[list[str], int]:
    """The legend's elements under the title, a key (colour, dashes, name) after another,
    on as many rows as they need; and the plotting area's top below it."""
    left, right, top, _ = _PLOT
    parts, at, row = [], left, 0
    for colour, dashes, name in keys:
        width = 28 + int(_CHAR_WIDTH * len(name))
        if at > left and at + width > right:
            at, row = left, row + 1
        base = 32 + 15 * row
        extra = f' stroke-width="2" stroke-dasharray="{dashes}"'
        parts += [_line(at, at + 16, base - 4, base - 4, colour, extra), _text(at + 20, base, name)]
        at += width
    return parts, top + 15 * row


def _text(x: float, y: float, words: str, size: int = 11, extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}"{extra} style="{_FONT};font-size:{size}px">'
        f"{escape(words)}</text>"
    )


def _line(x1: float, x2: float, y1: float, y2: float, colour: str, extra: str = "") -> str:
    return (
        f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y1:.1f}" y2="{y2:.1f}" stroke="{colour}"{extra}/>'
    )


def _series(colour: str, points: list[tuple[float, float] | None]) -> list[str]:
    """One series: a line through each stretch of figures, and a dot on each figure."""
    parts = []
    for run in _runs(points):
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>' for px, py in run]
    return parts


def line_chart(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    target: float | None = None,
    y_label: str = "",
) -> str:
    """A small line chart as a ``data:image/svg+xml`` URI: a line and dots per series,
    the target as a dashed line, a legend. ``None`` values leave gaps.

    Written as a few dozen SVG elements rather than drawn by matplotlib: its SVG has
    about 150 nested elements a chart, and drawing them (matplotlib, then WeasyPrint)
    was a third of a pack's time (docs/adr/0022-workers-run-jobs-without-forking.md)."""
    left, right, _, bottom = _PLOT
    keys = [(LINE_COLOURS[n % len(LINE_COLOURS)], "none", name) for n, name in enumerate(series)]
    keys += [] if target is None else [(TARGET_COLOUR, "5,3", "Target")]
    legend, top = _legend(keys)
    figures = [v for values in series.values() for v in values if v is not None]
    ticks = _y_ticks(figures or [0.0, 100.0], target)
    step = (right - left) / max(len(labels), 1)

    def x(i: int) -> float:
        return left + step * (i + 0.5)

    def y(v: float) -> float:
        return bottom - (v - ticks[0]) / (ticks[-1] - ticks[0]) * (bottom - top)

    parts = [_text(4, 14, title, 13, ' font-weight="bold"')]
    for tick in ticks:
        parts.append(_line(left, right, y(tick), y(tick), "#dddddd"))
        parts.append(_text(left - 4, y(tick) + 4, f"{tick:g}{y_label}", extra=' text-anchor="end"'))
    parts += [_text(x(i), bottom + 16, label, extra=' text-anchor="middle"')
              for i, label in enumerate(labels)]  # fmt: skip
    for (colour, _, _), values in zip(keys, series.values(), strict=False):
        parts += _series(
            colour, [None if v is None else (x(i), y(v)) for i, v in enumerate(values)]
        )
    if target is not None:
        dashed = ' stroke-width="1.5" stroke-dasharray="5,3"'
        parts.append(_line(left, right, y(target), y(target), TARGET_COLOUR, dashed))
    parts += [
        _line(left, left, top, bottom, "#0b0c0c"),
        _line(left, right, bottom, bottom, "#0b0c0c"),
    ]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
        f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}">{"".join(parts + legend)}</svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@functools.lru_cache(maxsize=512)
def small_chart(
    labels: tuple[str, ...], values: tuple[float | None, ...], target: float | None
) -> str:
    """One KPI's trend as a small PNG ``data:image/png`` URI (a line, and its target as a
    dashed line): small enough to put one per KPI on a page and in a PDF. ``None`` values
    leave gaps. Kept for the same figures (about 70 ms each to draw): a report's page
    is drawn once per process, not on every view."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2.6, 1.2), dpi=110)
    try:
        x = list(range(len(labels)))
        ax.plot(x, [float("nan") if v is None else v for v in values], marker="o",
                markersize=3, linewidth=1.5, color="#1d70b8")  # fmt: skip
        if target is not None:
            ax.axhline(target, color="#505a5f", linestyle="--", linewidth=1)
        ax.set_xticks(x, labels, fontsize=6)
        ax.tick_params(axis="y", labelsize=6)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout(pad=0.3)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    finally:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
