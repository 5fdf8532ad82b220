"""The packs' trend charts: plain SVG that WeasyPrint draws quickly, saying what a reader
of the printed pack needs (title, months, each contract's line, the target)."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

from portal.pdf import line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _svg(uri: str) -> ET.Element:
    assert uri.startswith("data:image/svg+xml;base64,")
    return ET.fromstring(base64.b64decode(uri.split(",", 1)[1]))  # noqa: S314 - our own SVG


def test_a_trend_chart_names_its_kpi_months_contracts_and_target():
    root = _svg(
        line_chart(
            "Missed visits",
            ["May", "Jun", "Jul"],
            {"Lot 2 <north> & spot": [1.5, 2.5, 1.0], "Extra Care": [0.5, 0.7, 0.9]},
            target=2.0,
            y_label="%",
        )
    )
    words = [t.text for t in root.iter(f"{SVG}text")]
    assert words[0] == "Missed visits"
    assert {"May", "Jun", "Jul", "Lot 2 <north> & spot", "Extra Care", "Target"} <= set(words)
    assert any(re.fullmatch(r"\d+(\.\d+)?%", w or "") for w in words)  # the axis says %
    assert len(root.findall(f"{SVG}polyline")) == 2  # a line per contract
    assert len(root.findall(f"{SVG}circle")) == 6  # a dot per figure
    dashed = [e for e in root.iter(f"{SVG}line") if e.get("stroke-dasharray") == "5,3"]
    assert len(dashed) == 2  # the target line and its key in the legend


def test_a_month_without_a_figure_leaves_a_gap_in_the_line():
    root = _svg(line_chart("Punctuality", ["A", "B", "C", "D", "E"], {"x": [90, 91, None, 93, 94]}))
    lines = root.findall(f"{SVG}polyline")
    assert [len(p.get("points").split()) for p in lines] == [2, 2]
    assert len(root.findall(f"{SVG}circle")) == 4


def test_the_figures_sit_inside_the_axis():
    root = _svg(line_chart("Flat", ["A", "B"], {"x": [100.0, 100.0]}, target=100.0))
    ys = [float(c.get("cy")) for c in root.iter(f"{SVG}circle")]
    axis = [e for e in root.iter(f"{SVG}line") if e.get("stroke") == "#0b0c0c"]
    top, bottom = float(axis[0].get("y1")), float(axis[0].get("y2"))
    assert all(top <= y <= bottom for y in ys)
