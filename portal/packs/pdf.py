"""The packs as PDFs: the figures formatted for print, trend charts drawn with
``portal.pdf.line_chart``, and the templates in ``templates/packs`` rendered by WeasyPrint."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from portal.packs.data import ProviderPack
from portal.packs.framework import FrameworkPack
from portal.packs.kpi_table import Trend
from portal.packs.months import MonthReturn
from portal.packs.sections import RLW_PERCENT
from portal.pdf import line_chart, render_pdf
from portal.risk_triggers import long_date

NOT_GIVEN = "Not given"


def number(value: Decimal | int | float | None) -> str:
    """12, 12.5 or 1,250.75; "Not given" for nothing."""
    if value is None:
        return NOT_GIVEN
    figure = Decimal(str(value))
    if figure == figure.to_integral_value():
        return f"{figure:,.0f}"
    return f"{figure.normalize():,f}"


def money(value: Decimal | None) -> str:
    return NOT_GIVEN if value is None else f"£{value:,.2f}"


def percent(value: Decimal | float | None) -> str:
    return NOT_GIVEN if value is None else f"{value:.1f}%"


def compliance(value: float | None) -> str:
    """A training compliance figure; a category with no staff in scope has none."""
    return "No staff" if value is None else f"{value:.1f}%"


def points(value: float | None) -> str:
    """A difference in percentage points, signed: "+4.5 points"."""
    return "" if value is None else f"{value:+.1f} points"


def figure(value: Decimal | str | None, kind: str, month: MonthReturn) -> str:
    """One workforce figure; for a month with no figures, why not."""
    if value is None:
        if not month.note:
            return NOT_GIVEN
        if month.submitted:
            return "Nil return"
        return "No return" if month.expected else "Not expected"
    if isinstance(value, str):
        return value
    return {"money": money, "percent": percent}.get(kind, number)(value)


FORMATS = SimpleNamespace(
    number=number,
    money=money,
    percent=percent,
    compliance=compliance,
    points=points,
    figure=figure,
    long_date=long_date,
)


def charts(trends: list[Trend]) -> list[tuple[Trend, str]]:
    """Each trend as a chart (SVG: its words stay text, so the PDF's words can be searched)."""
    return [
        (trend, line_chart(trend.name, trend.labels, trend.series, trend.target, y_label="%"))
        for trend in trends
    ]


def provider_pdf(pack: ProviderPack) -> bytes:
    return render_pdf(
        "council/packs/documents/provider_pack.html",
        pack=pack,
        charts=charts(pack.trends),
        f=FORMATS,
    )


def framework_pdf(pack: FrameworkPack) -> bytes:
    return render_pdf(
        "council/packs/documents/framework_pack.html", pack=pack, f=FORMATS, rlw_label=RLW_PERCENT
    )
