"""GOV.UK text inputs whose markup is rendered once per shape and kept.

govuk-frontend-wtf renders every field through ``render_template`` and the
``govukInput`` macro (context processors, the macro and its ``govukAttributes`` loop, each
time): on the KPI section's 15 inputs that was about 40% of the page's time. The markup
of an input depends only on its parameters, so it is rendered once for each set of
parameters with the value replaced by a slot, kept for the process, and the value (escaped
as Jinja escapes it) goes into the slot. The HTML is the same byte for byte
(``tests/unit/test_kept_inputs.py`` compares it with the widget's own). With template
auto-reload on (development) it is rendered every time, so an edited template shows.
"""

from __future__ import annotations

import json

from flask import current_app
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from markupsafe import Markup, escape

_VALUE = "@@kept-input-value@@"
MAX_KEPT = 4096  # inputs kept per process (a few hundred bytes each)


class KeptTextInput(GovTextInput):
    """``GovTextInput`` with its markup kept per field shape (everything but the value)."""

    def render(self, params: dict) -> Markup:
        if current_app.jinja_env.auto_reload:
            return super().render(params)
        value = params.get("value")
        # govukAttributes leaves out a value of None and writes any string, "" included.
        shape = {**params, "value": _VALUE} if isinstance(value, str) else params
        key = json.dumps(shape, sort_keys=True, default=repr)
        store = current_app.extensions.setdefault("kept_inputs", {})
        markup = store.get(key)
        if markup is None:
            if len(store) >= MAX_KEPT:
                store.clear()
            markup = store[key] = str(super().render(shape))
        if shape is not params:
            markup = markup.replace(_VALUE, str(escape(value)), 1)
        return Markup(markup)  # noqa: S704 - the macro's own markup, the value escaped
