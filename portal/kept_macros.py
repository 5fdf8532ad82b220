"""``kept_macro(name, params)``: a GOV.UK macro's markup, rendered once per process for
each set of parameters and kept.

Some macros are called on every request with parameters that hardly ever change: the
returns grid's three filter selects (a council's frameworks and lots, the choice made)
were a seventh of that page's time. The key is the whole of ``params``, so kept markup is
never stale; while templates reload (development) the macro is rendered afresh. ADR 0017
keeps the page header the same way (docs/adr/0023-pages-read-plain-values.md).
"""

from __future__ import annotations

import json

from flask import current_app
from markupsafe import Markup

SOURCES = {
    "govukSelect": "govuk_frontend_jinja/components/select/macro.html",
    "govukButton": "govuk_frontend_jinja/components/button/macro.html",
}
MAX_KEPT = 2048  # kept per process (a few kilobytes each at most)


def render_macro(name: str, params: dict) -> Markup:
    module = current_app.jinja_env.get_template(SOURCES[name]).module
    return Markup(getattr(module, name)(params))  # noqa: S704 - the macro escapes


def kept_macro(name: str, params: dict) -> Markup:
    """``name(params)``: the GOV.UK macro's markup, kept per process by its parameters."""
    if current_app.jinja_env.auto_reload:
        return render_macro(name, params)
    key = (name, json.dumps(params, sort_keys=True, default=repr))
    store = current_app.extensions.setdefault("kept_macros", {})
    markup = store.get(key)
    if markup is None:
        if len(store) >= MAX_KEPT:
            store.clear()
        markup = store[key] = render_macro(name, params)
    return markup
