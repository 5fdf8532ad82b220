"""Two tables on provider pages are written out rather than built with govukTable, for
speed: the past returns on *Your returns* (templates/provider/returns/_past_returns_table.html)
and the KPI results on the KPI section (_kpi_results.html). Each must give exactly the
markup the macro gives for the same rows, escaping included."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.models import ReturnStatus
from portal.returns import kpis
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


# The KPI results as they were built before.
KPI_RESULTS_WITH_MACRO = """
{%- from "govuk_frontend_jinja/components/table/macro.html" import govukTable %}
{% set rows = [] %}
{% for r in results %}
  {% set tag = {'green': 'govuk-tag--green', 'amber': 'govuk-tag--yellow', 'red': 'govuk-tag--red'}.get(r.rag, 'govuk-tag--grey') %}
  {% set _ = rows.append([
    {'text': r.name},
    {'text': r.percent_label, 'format': 'numeric'},
    {'text': r.target_label},
    {'html': '<strong class="govuk-tag ' ~ tag ~ '">' ~ r.rag_label ~ '</strong>'},
  ]) %}
{% endfor %}
{{ govukTable({
  'caption': 'Your KPIs this month' ~ (' (as you type, not saved yet)' if live else ''),
  'captionClasses': 'govuk-table__caption--s',
  'head': [{'text': 'KPI'}, {'text': 'Figure', 'format': 'numeric'}, {'text': 'Target'}, {'text': 'Rating'}],
  'rows': rows,
}) }}"""  # noqa: E501 - the template as it was


@pytest.mark.parametrize("live", [True, False])
def test_the_written_out_kpi_results_are_the_markup_govuk_table_gives(app, live):
    values = {"planned_visits": "100", "delivered_visits": "97", "missed_visits": "3",
              "on_time_visits": "95", "ecm_visits": "50"}  # fmt: skip
    results = kpis.compute(values, kpis.REFERENCE_KPIS)
    assert {r.rag for r in results} >= {"green", "amber", "red", None}  # every tag
    with app.test_request_context():
        context = {"results": results, "live": live}
        expected = render_template_string(KPI_RESULTS_WITH_MACRO, **context).strip()
        written_out = render_template_string(
            '{% include "provider/returns/_kpi_results.html" %}', **context
        ).strip()
    assert written_out == expected
