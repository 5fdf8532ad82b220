"""``summary_list`` (portal/summary_list.py) writes out what GOV.UK's govukSummaryList
macro gives, for speed: for every kind of row the pages pass it must give exactly the
macro's markup, escaping and white space included."""

from __future__ import annotations

import pytest
from flask import render_template_string
from markupsafe import Markup

from portal.summary_list import summary_list

MACRO = (
    '{% from "govuk_frontend_jinja/components/summary-list/macro.html"'
    " import govukSummaryList -%}\n{{ govukSummaryList({'rows': rows}) }}"
)

ASK = Markup(' hx-get="/r?about=k%20%26#ask" hx-target="#ask" hx-swap="outerHTML show:#ask:top"')
AWKWARD = 'Smith & Sons "Care" <Kent>'
ROWS = {
    "plain": [{"key": {"text": "Planned visits"}, "value": {"text": "1,200"}}],
    "escaping": [{"key": {"text": AWKWARD}, "value": {"text": "<script>alert(1)</script>"}}],
    "html over lines": [
        {"key": {"html": Markup("<b>Key</b>\n")}, "value": {"html": Markup("<p>a</p>\n<p>b</p>\n")}}
    ],
    "ask about this": [
        {
            "key": {"text": "Missed visits"},
            "value": {"text": "2"},
            "actions": {
                "items": [
                    {
                        "href": "/r?about=kpis:missed_visits&x=1#ask",
                        "text": "Ask about this",
                        "visuallyHiddenText": AWKWARD,
                        "attributes": ASK,
                    }
                ]
            },
        },
        {"key": {"text": "No link here"}, "value": {"text": "None"}},
        {},
    ],
    "several actions and classes": [
        {
            "key": {"text": "K", "classes": "key-class"},
            "value": {"text": None, "classes": "value-class"},
            "classes": "row-class",
            "actions": {
                "classes": "actions-class",
                "items": [
                    {"href": "/change", "text": "Change", "visuallyHiddenText": "K"},
                    {
                        "href": "/remove",
                        "html": Markup("<strong>Remove</strong>\n<span>it</span>"),
                        "classes": "link-class",
                        "attributes": {"data-x": 'a "b"', "id": "remove"},
                    },
                ],
            },
        },
        {"key": {"text": "Empty actions"}, "value": {"text": 0}, "actions": {"items": []}},
    ],
}


@pytest.mark.parametrize("kind", ROWS)
def test_summary_list_is_the_markup_the_gov_uk_macro_gives(app, kind):
    rows = ROWS[kind]
    with app.test_request_context():
        expected = render_template_string(MACRO, rows=rows).strip()
    assert str(summary_list(rows)) == expected


def test_text_is_escaped(app):
    html = str(summary_list(ROWS["escaping"]))
    assert "Smith &amp; Sons &#34;Care&#34; &lt;Kent&gt;" in html
    assert "<script>" not in html
