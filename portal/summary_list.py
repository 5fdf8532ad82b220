"""``summary_list(rows)``: the markup GOV.UK's ``govukSummaryList({'rows': rows})`` gives,
written in Python.

The macro, called with a hundred rows (the review page shows every answer of a return,
each with its "Ask about this" link), was most of the page's rendering time: every row
goes through nested macro calls and filters. This gives the same bytes for the parameters
the pages use (rows with ``key``, ``value``, ``actions`` and ``classes``; actions with
``href``, ``text`` or ``html``, ``visuallyHiddenText``, ``classes`` and ``attributes``);
``tests/unit/test_summary_list.py`` compares it with the macro, escaping and white space
included (docs/adr/0023-pages-read-plain-values.md).
"""

from __future__ import annotations

from jinja2.filters import do_indent
from markupsafe import Markup, escape

_ROW = "govuk-summary-list__row"


def _classes(base: str, extra) -> str:
    return f"{base} {extra}" if extra else base


def _content(part: dict | None, width: int) -> str:
    """A key's or value's content: its ``html`` trimmed and indented, else its text."""
    part = part or {}
    if part.get("html"):
        return do_indent(str(part["html"]).strip(), width)
    return str(escape(part["text"])) if "text" in part else ""


def _attributes(attributes) -> str:
    if not attributes:
        return ""
    if isinstance(attributes, str):
        return str(attributes)  # used as it is, as govukAttributes uses a string
    return "".join(f' {escape(name)}="{escape(value)}"' for name, value in attributes.items())


def _action_link(action: dict) -> str:
    content = do_indent(str(action["html"]), 4) if action.get("html") else escape(action["text"])
    hidden = action.get("visuallyHiddenText")
    hidden = f'<span class="govuk-visually-hidden"> {escape(hidden)}</span>' if hidden else ""
    return (
        f'<a class="{_classes("govuk-link", action.get("classes"))}"'
        f' href="{escape(action["href"])}"{_attributes(action.get("attributes"))}>'
        f"{content}{hidden}</a>"
    )


def _actions(actions: dict) -> str:
    items = actions["items"]
    classes = _classes("govuk-summary-list__actions", actions.get("classes"))
    opening = f'    <dd class="{classes}">\n'
    if len(items) == 1:
        return f"{opening}{do_indent(_action_link(items[0]), 6, True)}\n    </dd>\n"
    listed = "".join(
        '        <li class="govuk-summary-list__actions-list-item">\n'
        f"          {do_indent(_action_link(action), 8)}\n        </li>\n"
        for action in items
    )
    return (
        f'{opening}      <ul class="govuk-summary-list__actions-list">\n{listed}'
        "      </ul>\n    </dd>\n"
    )


def _has_actions(row: dict) -> bool:
    actions = row.get("actions")
    return bool(actions and actions.get("items"))


def _row(row: dict, any_actions: bool) -> str:
    classes = _ROW
    if any_actions and not _has_actions(row):
        classes += f" {_ROW}--no-actions"
    classes = _classes(classes, row.get("classes"))
    key, value = row.get("key") or {}, row.get("value") or {}
    return (
        f'  <div class="{classes}">\n'
        f'    <dt class="{_classes("govuk-summary-list__key", key.get("classes"))}">\n'
        f"      {_content(key, 6)}\n    </dt>\n"
        f'    <dd class="{_classes("govuk-summary-list__value", value.get("classes"))}">\n'
        f"      {_content(value, 6)}\n    </dd>\n"
        f"{_actions(row['actions']) if _has_actions(row) else ''}  </div>\n"
    )


def summary_list(rows: list[dict]) -> Markup:
    """``govukSummaryList({'rows': rows})``, for these rows."""
    shown = [row for row in rows if row]
    any_actions = any(_has_actions(row) for row in shown)
    body = "".join(_row(row, any_actions) for row in shown)
    return Markup(f'<dl class="govuk-summary-list">\n{body}</dl>')  # noqa: S704 - escaped above
