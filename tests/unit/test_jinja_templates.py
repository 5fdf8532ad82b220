"""portal/jinja_templates.py: macro imports give what Jinja's own code gives."""

from __future__ import annotations

from jinja2 import DictLoader, Environment, Template

from portal.jinja_templates import PortalTemplate

TEMPLATES = {
    "macros.html": "{% macro hello(n) %}Hello {{ n }} from {{ site }}{% endmacro %}",
    "page.html": '{% from "macros.html" import hello %}{{ hello(name) }}',
    "nested.html": (
        '{% macro outer() %}{% from "macros.html" import hello %}{{ hello("inner") }}'
        "{% endmacro %}{{ outer() }} {{ outer() }}"
    ),
}


def _render(template_class, template: str, **values) -> str:
    env = Environment(loader=DictLoader(TEMPLATES), autoescape=True)
    env.template_class = template_class
    env.globals["site"] = "the portal"
    return env.get_template(template, globals={"extra": 1}).render(**values)


def test_the_app_uses_it(app):
    assert app.jinja_env.template_class is PortalTemplate


def test_imports_render_as_with_jinjas_own_template():
    for template in TEMPLATES:
        mine, jinjas = (_render(c, template, name="Sam") for c in (PortalTemplate, Template))
        assert mine == jinjas
    assert _render(PortalTemplate, "nested.html") == (
        "Hello inner from the portal Hello inner from the portal"
    )
