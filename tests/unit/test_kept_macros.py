"""GOV.UK macros kept per process by their parameters (portal/kept_macros.py): the kept
markup is the macro's, and a different choice is never answered with another's markup."""

from __future__ import annotations

from flask import render_template_string

from portal.kept_macros import kept_macro

SELECT = """{% from "govuk_frontend_jinja/components/select/macro.html" import govukSelect -%}
{{ govukSelect(params) }}"""


def _params(chosen: str) -> dict:
    items = [{"value": "", "text": "All frameworks"}]
    items += [
        {"value": str(n), "text": f'Lot {n} & "more"', "selected": str(n) == chosen} for n in (1, 2)
    ]
    return {"id": "framework", "name": "framework", "label": {"text": "Framework"},
            "items": items, "classes": "govuk-!-width-full"}  # fmt: skip


def test_kept_markup_is_the_macros_and_follows_the_choice(app):
    with app.test_request_context():
        for chosen in ("1", "2", "1"):
            expected = render_template_string(SELECT, params=_params(chosen)).strip()
            assert str(kept_macro("govukSelect", _params(chosen))).strip() == expected
            assert f'<option value="{chosen}" selected>' in expected
        assert "Lot 1 &amp; &#34;more&#34;" in expected


def test_the_grid_keeps_the_filter_chosen(contracted, commissioner_client):
    page = f"/council/{contracted.council.id}/returns"
    framework = contracted.framework.id
    assert f'<option value="{framework}" selected>' not in commissioner_client.get(page).text
    chosen = commissioner_client.get(f"{page}?framework={framework}").text
    assert f'<option value="{framework}" selected>' in chosen
    assert f'<option value="{framework}" selected>' not in commissioner_client.get(page).text
