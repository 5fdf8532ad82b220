"""The returns grid is written out (templates/council/_returns_grid_table.html) rather
than built with govukTable and govukTag for every cell, for speed: it must give exactly
the markup the two GOV.UK macros give for the same grid, escaping included."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask import render_template_string

from portal.council.returns_overview import Cell, Overview, Row
from portal.returns.service import period_label

# The grid as it was built before: the GOV.UK macros, cell by cell.
WITH_MACROS = """
{%- from "govuk_frontend_jinja/components/table/macro.html" import govukTable -%}
{%- from "govuk_frontend_jinja/components/tag/macro.html" import govukTag -%}
  {% set head = [{'text': 'Provider'}, {'text': 'Framework'}, {'text': 'Lot or area'}, {'text': 'Contract type'}] %}
  {% for month in data.months %}
    {% set _ = head.append({'text': period_label(month)}) %}
  {% endfor %}
  {% set rows = [] %}
  {% for row in data.rows %}
    {% set contract = row.contract %}
    {% set provider_html %}
      {%- if link_providers -%}
      <a class="govuk-link" href="{{ url_for('provider_returns.provider_returns', council_id=council.id, provider_id=contract.provider_id) }}">{{ contract.provider.name }}<span class="govuk-visually-hidden">: returns</span></a>
      {%- else -%}
      {{ contract.provider.name }}
      {%- endif -%}
    {% endset %}
    {% set cells = [
      {'html': provider_html},
      {'text': contract.framework.name if contract.framework else 'Outside a framework'},
      {'text': contract.area.name if contract.area else 'Whole council area'},
      {'text': contract.contract_type.label},
    ] %}
    {% for cell in row.cells %}
      {% set cell_html %}
        {%- if cell.colour -%}
        {{ govukTag({'text': cell.text, 'classes': 'govuk-tag--' ~ cell.colour}) }}
        {%- else -%}
        {{ cell.text }}
        {%- endif -%}
        {%- if cell.note %}<span class="govuk-body-s govuk-!-display-block govuk-!-margin-top-1 govuk-!-margin-bottom-0">{{ cell.note }}</span>{% endif -%}
      {% endset %}
      {% set _ = cells.append({'html': cell_html}) %}
    {% endfor %}
    {% set _ = rows.append(cells) %}
  {% endfor %}
  {{ govukTable({
    'caption': 'Returns by contract, newest month first',
    'captionClasses': 'govuk-table__caption--m',
    'classes': 'govuk-table--small-text-until-tablet',
    'firstCellIsHeader': true,
    'head': head,
    'rows': rows,
  }) }}
"""  # noqa: E501 - the template as it was
WRITTEN_OUT = '{% include "council/_returns_grid_table.html" %}'
MONTHS = [date(2026, 10, 1), date(2026, 9, 1), date(2026, 8, 1), date(2026, 7, 1)]


def _grid(contracted) -> Overview:
    awkward = SimpleNamespace(
        provider_id=999,
        provider=SimpleNamespace(name='Smith & Sons "Care" <Kent>'),
        framework=None,
        area=None,
        contract_type=SimpleNamespace(label="Spot"),
    )
    cells = [
        Cell(MONTHS[0], "Queried", "orange", timeliness="late"),
        Cell(MONTHS[1], "Submitted on time", "blue", timeliness="on time"),
        Cell(MONTHS[2], "Not expected", None),
        Cell(MONTHS[3], "Missing", "red"),
    ]
    return Overview(MONTHS, [Row(contracted.contract, cells), Row(awkward, list(reversed(cells)))])


@pytest.mark.parametrize("link_providers", [True, False])
def test_the_written_out_grid_is_the_markup_the_gov_uk_macros_give(app, contracted, link_providers):
    with app.test_request_context():
        context = {
            "data": _grid(contracted),
            "council": contracted.council,
            "link_providers": link_providers,
            "period_label": period_label,
        }
        expected = render_template_string(WITH_MACROS, **context).strip()
        written_out = render_template_string(WRITTEN_OUT, **context).strip()
    assert "Smith &amp; Sons &#34;Care&#34; &lt;Kent&gt;" in written_out
    assert ("/providers/999/returns" in written_out) is link_providers
    assert written_out == expected
