"""KPI inputs are rendered once per shape and kept (forms/kept_inputs.py): the markup must
be the GOV.UK widget's own, byte for byte, and show each person's own values and errors."""

from __future__ import annotations

import re

import pytest
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import Form, StringField

from forms.kept_inputs import KeptTextInput
from tests.unit.conftest import get_page


class _Both(Form):
    kept = StringField("Planned visits", widget=KeptTextInput(), description="A hint")
    plain = StringField("Planned visits", widget=GovTextInput(), description="A hint")


@pytest.mark.parametrize(
    "value", [None, "", "12", "1,000", '<b>"x" & y</b>', "@@kept-input-value@@"]
)
@pytest.mark.parametrize("error", [None, "Enter planned visits as a whole number"])
def test_kept_input_markup_is_the_widgets_own(app, value, error):
    with app.test_request_context("/"):
        assert not app.jinja_env.auto_reload
        for _ in range(2):  # rendered, then kept
            form = _Both(data={"kept": value, "plain": value})
            for field in (form.kept, form.plain):
                field.errors = [error] if error else []
            params = {"classes": "govuk-input--width-10", "spellcheck": False}
            kept = str(form.kept(params=params))
            plain = str(form.plain(params=params))
            assert kept == plain.replace("plain", "kept")


def test_kpi_page_shows_each_returns_own_values(app, contracted, provider_client):
    """Two returns' KPI pages one after the other: each shows its own saved count."""
    from portal.extensions import db
    from portal.returns import service

    ret = contracted.ret
    service.section(ret, "kpis").data = {"planned_visits": "1234"}
    db.session.commit()
    url = f"/provider/{contracted.provider.id}/returns/{ret.id}/section/kpis"
    first = get_page(provider_client, url)
    assert re.search(r'<input[^>]*name="planned_visits"[^>]*value="1234"', first)
    service.section(ret, "kpis").data = {"planned_visits": "<5>"}
    db.session.commit()
    second = get_page(provider_client, url)
    assert re.search(r'<input[^>]*name="planned_visits"[^>]*value="&lt;5&gt;"', second)
    assert 'value="1234"' not in second
