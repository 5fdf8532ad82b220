"""How values read on pages, e-mails, PDFs and spreadsheets, written once: long dates
("7 December 2026"), months ("December 2026"), percentages ("85.0%") and the labels and
tag colours of risk levels. ``init_app`` makes each a Jinja filter and a template global,
so templates write ``{{ when | long_date }}`` or ``{{ long_date(when) }}``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask import Flask


def long_date(value: date | None) -> str:
    """7 December 2026 (GOV.UK style); blank for no date."""
    return f"{value:%-d %B %Y}" if value else ""


def long_date_time(value: datetime | None) -> str:
    """2:05pm on 7 December 2026."""
    if value is None:
        return ""
    return f"{value:%-I:%M%p}".lower() + f" on {value:%-d %B %Y}"


def month_label(value: date) -> str:
    """December 2026: a return's month."""
    return value.strftime("%B %Y")


def percent(value: Decimal | float | None, places: int = 1, missing: str = "No figure") -> str:
    """85.0% (one decimal place unless asked); ``missing`` when there is no figure."""
    return missing if value is None else f"{value:.{places}f}%"


def number(value) -> str:
    """1,050 or 1,520.5: a number as people write it; other text as it is."""
    try:
        figure = Decimal(str(value).replace(",", ""))
    except (InvalidOperation, ValueError):
        return str(value)
    if not figure.is_finite():
        return str(value)
    if figure == figure.to_integral_value():
        return f"{int(figure):,}"
    return f"{figure.normalize():,f}"


def level_label(level: str | None) -> str:
    """Red, Amber, Green for a risk or RAG level (unknown levels shown as they are)."""
    from portal.risk_triggers import LEVEL_LABELS  # risk_triggers uses long_date from here

    return LEVEL_LABELS.get(level, level or "")


def level_tag(level: str | None) -> str:
    """The GOV.UK tag class that colours a level."""
    from portal.risk_triggers import TAG_CLASSES

    return TAG_CLASSES.get(level, "")


FILTERS = {
    "long_date": long_date,
    "long_date_time": long_date_time,
    "month_label": month_label,
    "percent": percent,
    "number": number,
    "level_label": level_label,
    "level_tag": level_tag,
}


def init_app(app: Flask) -> None:
    from portal.kept_macros import kept_macro
    from portal.summary_list import summary_list

    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(FILTERS)
    # govukSummaryList's markup, written out (for lists of many rows: portal/summary_list.py)
    app.jinja_env.globals["summary_list"] = summary_list
    # A GOV.UK macro's markup kept per process by its parameters (portal/kept_macros.py)
    app.jinja_env.globals["kept_macro"] = kept_macro
