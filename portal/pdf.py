"""PDFs from Jinja templates (WeasyPrint) with charts drawn by matplotlib.

Charts are embedded as SVG data URIs so the PDF stays sharp and no file is written."""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Sequence

from flask import render_template


def render_pdf(template: str, **context) -> bytes:
    """Render ``template`` to HTML and then to PDF bytes."""
    from weasyprint import HTML

    html = render_template(template, **context)
    return HTML(string=html, base_url=".").write_pdf()


def line_chart(
    title: str,
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    target: float | None = None,
    y_label: str = "",
) -> str:
    """A small line chart as an ``data:image/svg+xml`` URI. ``None`` values leave gaps.

    Drawn on a bare ``Figure`` (no pyplot: nothing global to keep or close) with fixed
    margins: ``tight_layout`` drew every chart twice, and charts were a third of a pack's
    time (benchmarks/aggregate.py)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.2, 2.2), dpi=100)
    fig.subplots_adjust(left=0.11, right=0.98, top=0.87, bottom=0.13)
    ax = fig.subplots()
    x = list(range(len(labels)))
    for name, values in series.items():
        ax.plot(x, [float("nan") if v is None else v for v in values], marker="o", label=name)
    if target is not None:
        ax.axhline(target, color="#505a5f", linestyle="--", linewidth=1, label="Target")
    ax.set_xticks(x, labels, fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title(title, fontsize=9, loc="left")
    if y_label:
        ax.set_ylabel(y_label, fontsize=8)
    ax.legend(fontsize=7, frameon=False, loc="best")
    ax.spines[["top", "right"]].set_visible(False)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    svg = buffer.getvalue().encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


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
