"""Who may open a page: every view is marked ``@public`` or ``@requires(...)``.

A test walks ``app.url_map`` and fails for any view without a mark. Wrong role -> 403 (404
when marked ``hidden``);
right role but another organisation's URL -> 404, so ids of other tenants reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, g
from flask_login import current_user

from portal.extensions import login_manager
from portal.models import Membership, Role


@dataclass(frozen=True)
class Access:
    roles: tuple[Role, ...] = ()
    org: str | None = None  # "provider" or "council": the URL's id must be the user's own
    public: bool = False
    hidden: bool = False  # other roles get 404 too: the URL's existence is not revealed
    council_admin: bool = False  # only commissioners who may set up their council


def public(view: Callable) -> Callable:
    view.access = Access(public=True)  # type: ignore[attr-defined]
    return view


def requires(
    *roles: Role, org: str | None = None, hidden: bool = False, council_admin: bool = False
) -> Callable[[Callable], Callable]:
    """Allow signed-in users holding one of ``roles``; with ``org``, only at that organisation.

    ``hidden``: a user without the role gets 404 rather than 403 (a provider's returns are
    not even confirmed to exist to a council user). ``council_admin``: only a membership
    with the council-admin permission (others of the role get 403)."""
    if org not in (None, "provider", "council"):
        raise ValueError(f"unknown org kind {org!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            candidates = [m for m in current_user.memberships if m.role in roles]
            if not candidates:
                abort(404 if hidden else 403)
            membership = _matching(candidates, org, kwargs)
            if membership is None:
                abort(404)
            if council_admin and not membership.council_admin:
                abort(403)
            g.membership = membership
            return view(*args, **kwargs)

        wrapped.access = Access(  # type: ignore[attr-defined]
            roles=tuple(roles), org=org, hidden=hidden, council_admin=council_admin
        )
        return wrapped

    return decorator


def signed_in(view: Callable) -> Callable:
    """Any signed-in user (pages about the user themself)."""
    return requires(*Role)(view)


def _matching(
    candidates: list[Membership], org: str | None, kwargs: dict[str, Any]
) -> Membership | None:
    if org is None:
        return candidates[0]
    wanted = kwargs.get(f"{org}_id")
    for membership in candidates:
        if getattr(membership, f"{org}_id") == wanted:
            return membership
    return None
