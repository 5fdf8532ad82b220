"""The past returns table on *Your returns* is written out
(templates/provider/returns/_past_returns_table.html) rather than built with govukTable,
for speed: it must give exactly the markup the macro gives for the same returns, escaping
included."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask import render_template_string

from portal.models import ReturnStatus
from portal.returns.service import display_status, period_label

CONTRACT_NAME = """{% macro contract_name(contract) -%}
  {{ contract.framework.name if contract.framework else contract.contract_type.label ~ ' contract' }}{% if contract.area %}, {{ contract.area.name }}{% endif %}
{%- endmacro %}"""  # noqa: E501 - as your_returns.html has it

# The table as it was built before: govukTable over rows of cells.
WITH_MACRO = (
    CONTRACT_NAME
    + """
{%- from "govuk_frontend_jinja/components/table/macro.html" import govukTable -%}
  {% set rows = [] %}
  {% for ret in past %}
    {% set st = display_status(ret, today) %}
    {% set month_link %}<a class="govuk-link" href="{{ return_link(ret) }}">{{ period_label(ret.period) }}<span class="govuk-visually-hidden"> return to {{ ret.contract.council.name }}</span></a>{% endset %}
    {% set _ = rows.append([
      {'html': month_link},
      {'text': ret.contract.council.name},
      {'text': contract_name(ret.contract)},
      {'html': '<strong class="govuk-tag govuk-tag--' ~ st.colour ~ '">' ~ st.text ~ '</strong>'},
    ]) %}
  {% endfor %}
  {{ govukTable({
    'caption': 'Past returns', 'captionClasses': 'govuk-visually-hidden',
    'head': [{'text': 'Month'}, {'text': 'Council'}, {'text': 'Contract'}, {'text': 'Status'}],
    'rows': rows,
  }) }}
"""  # noqa: E501 - the template as it was
)
WRITTEN_OUT = CONTRACT_NAME + '{% include "provider/returns/_past_returns_table.html" %}'


def _past(contracted) -> list:
    council = SimpleNamespace(id=7, name='Smith & Sons "Council" <Kent>')
    awkward = SimpleNamespace(
        council=council,
        council_id=7,
        provider_id=contracted.provider.id,
        framework=None,
        area=SimpleNamespace(name="North & <South>"),
        contract_type=SimpleNamespace(label="Spot"),
    )
    sent = dict(nil_return=False, reopened_until=None, sent=True, training_unconfirmed=False)
    return [
        SimpleNamespace(id=11, period=date(2026, 9, 1), status=ReturnStatus.ACCEPTED,
                        contract=contracted.contract, **sent),
        SimpleNamespace(id=12, period=date(2026, 8, 1), status=ReturnStatus.SUBMITTED,
                        contract=awkward, **sent),
    ]  # fmt: skip


def test_the_written_out_table_is_the_markup_govuk_table_gives(app, contracted):
    with app.test_request_context():
        context = {
            "past": _past(contracted),
            "today": date(2026, 11, 23),
            "display_status": display_status,
            "period_label": period_label,
        }
        expected = render_template_string(WITH_MACRO, **context).strip()
        written_out = render_template_string(WRITTEN_OUT, **context).strip()
    assert "Smith &amp; Sons &#34;Council&#34; &lt;Kent&gt;" in written_out
    assert "Spot contract, North &amp; &lt;South&gt;" in written_out
    assert written_out == expected
