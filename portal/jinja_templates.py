"""Jinja templates that import macros faster.

Every GOV.UK macro call imports other macros (``{% from ... import ... %}`` inside the
macro), and Jinja 3.1 checks each import by testing every global name against the
template's ``ChainMap`` of globals one at a time: about 120 times a page on a form with 15
inputs, a few milliseconds of a KPI section page. The same set difference, worked out on
a plain set of the names, gives the same module at a fraction of the cost.
"""

from __future__ import annotations

from jinja2 import Template


class PortalTemplate(Template):
    def _get_default_module(self, ctx=None):  # Jinja's own, with a faster set difference
        if ctx is not None and not self.environment.is_async:
            keys = ctx.globals_keys.difference(set(self.globals))
            if keys:
                return self.make_module({k: ctx.parent[k] for k in keys})
        return super()._get_default_module()
