"""Values read the way people write them, the same on every page, e-mail and document."""

from datetime import UTC, date, datetime
from decimal import Decimal

from flask import render_template_string

from portal import display


def test_dates_months_and_times_read_as_people_write_them():
    assert display.long_date(date(2026, 12, 7)) == "7 December 2026"
    assert display.long_date(None) == ""
    assert display.month_label(date(2026, 11, 1)) == "November 2026"
    assert display.long_date_time(datetime(2026, 12, 7, 14, 5, tzinfo=UTC)) == (
        "2:05pm on 7 December 2026"
    )
    assert display.long_date_time(datetime(2026, 12, 7, 9, 30)) == "9:30am on 7 December 2026"


def test_percentages_and_levels():
    assert display.percent(Decimal("85")) == "85.0%"
    assert display.percent(92.456, places=0) == "92%"
    assert display.percent(None) == "No figure"
    assert display.percent(None, missing="No staff") == "No staff"
    assert [display.level_label(level) for level in ("red", "amber", "green")] == [
        "Red", "Amber", "Green"
    ]  # fmt: skip
    assert display.level_tag("amber") == "govuk-tag--orange"
    assert display.level_label("unknown") == "unknown"


def test_every_template_has_the_filters(app):
    with app.test_request_context():
        html = render_template_string(
            "{{ d | long_date }}|{{ long_date(d) }}|{{ p | percent }}|{{ 'red' | level_label }}",
            d=date(2026, 12, 7),
            p=Decimal("90.5"),
        )
    assert html == "7 December 2026|7 December 2026|90.5%|Red"
