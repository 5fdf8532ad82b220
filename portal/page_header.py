"""The page header (organisation name, service navigation, phase banner), rendered once
per organisation, role and page in each process and kept.

Three GOV.UK macros rendered on every request were about a third of a small page's time.
Everything the header shows comes from the key below (the organisation's name, the role,
the organisation's id in the menu's links, the page for the current item), so a kept
header is never stale; the two things that change from one request to the next, the
unread count and the CSRF token, go into slots after the lookup.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.navigation import navigation_items
from portal.notifications import unread_for_current_user

_UNREAD, _CSRF = "@@unread-notifications@@", "@@csrf-token@@"
MAX_KEPT = 4096  # headers kept per process (a few hundred bytes each)


class _Menu:
    """The parts of a membership the menu reads (a plain value, safe to keep)."""

    def __init__(self, key: tuple) -> None:
        self.role, self.provider_id, self.council_id, self.council_admin = key


def _key(membership, endpoint: str | None, signed_in: bool) -> tuple:
    menu = None
    name = None
    if membership is not None:
        name = membership.organisation_name
        menu = (
            membership.role,
            membership.provider_id,
            membership.council_id,
            membership.council_admin,
        )
    return (
        current_app.config["SERVICE_NAME"],
        request.script_root,
        name,
        menu,
        endpoint,
        signed_in,
    )


def _render(key: tuple) -> str:
    service_name, _root, name, menu, endpoint, signed_in = key
    template = current_app.jinja_env.get_template("components/_page_header.html")
    return template.render(
        service_name=service_name,
        organisation_name=name,
        navigation=navigation_items(_Menu(menu) if menu else None, endpoint),
        endpoint=endpoint,
        signed_in=signed_in,
        unread_slot=_UNREAD,
        csrf_slot=_CSRF,
    )


def _kept(key: tuple) -> str:
    """The header for ``key`` from this app's store (rendered afresh while templates
    reload, so an edited template shows at once)."""
    if current_app.jinja_env.auto_reload:
        return _render(key)
    store = current_app.extensions.setdefault("page_header", {})
    markup = store.get(key)
    if markup is None:
        if len(store) >= MAX_KEPT:
            store.clear()
        markup = store[key] = _render(key)
    return markup


def page_header(membership) -> Markup:
    signed_in = current_user.is_authenticated
    markup = _kept(_key(membership, request.endpoint, signed_in))
    if signed_in:
        unread = unread_for_current_user()
        markup = markup.replace(_UNREAD, f" ({unread} unread)" if unread else "")
        markup = markup.replace(_CSRF, generate_csrf())
    return Markup(markup)  # noqa: S704 - our own template's output, escaped when rendered


def init_app(app: Flask) -> None:
    app.add_template_global(page_header)
